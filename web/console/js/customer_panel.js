// The customer beside the open conversation (docs/console.md, "Customer panel"): their
// identities on every channel and tier (the Customer that GET /conversations/{id} carries),
// their account contacts (GET /customers/{id}/contacts, supervisors and admins), past
// conversations, and likely duplicates (GET /customers/duplicates) with a merge for those who
// may merge.
import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";
import { channelLabel, statusLabel } from "./labels.js";
import { formatTime } from "./preferences.js";

const $ = (id) => document.getElementById(id);
const HISTORY_LIMIT = 20;
// Each render numbers itself: a slower earlier one (another conversation opened meanwhile, or
// the panel redrawn after a merge) must not write over a later one.
let renders = 0;

function item(text, className = "") {
  const li = document.createElement("li");
  li.className = className;
  li.textContent = text;
  return li;
}

function identityKindLabel(kind) {
  switch (kind) {
    case "phone": return t("customer.kind_phone");
    case "email": return t("customer.kind_email");
    case "webchat": return t("customer.kind_webchat");
    default: return t("customer.kind_other", { kind });
  }
}

function contactRoleLabel(role) {
  switch (role) {
    case "account_director": return t("customer.role_account_director");
    case "account_manager": return t("customer.role_account_manager");
    case "technical_expert": return t("customer.role_technical_expert");
    case "operations_specialist": return t("customer.role_operations_specialist");
    case "technical_contact": return t("customer.role_technical_contact");
    case "service_director": return t("customer.role_service_director");
    case "executive": return t("customer.role_executive");
    default: return role;
  }
}

// The API lists conversations by text (q: address or name), not by customer: one query per
// identity, kept when they belong to this customer. Agents get only their own conversations
// back, which is what they may read.
async function pastConversations(customer, openId) {
  const found = new Map();
  const needles = new Set(customer.identities.map((i) => i.address));
  for (const needle of needles) {
    const { conversations } = await api("GET", `/conversations?q=${encodeURIComponent(needle.slice(0, 200))}&limit=100`);
    for (const c of conversations) if (c.customer_id === customer.id && c.id !== openId) found.set(c.id, c);
  }
  return [...found.values()].sort((a, b) => b.created_at - a.created_at).slice(0, HISTORY_LIMIT);
}

function historyItem(c, onOpen) {
  const li = document.createElement("li");
  const open = document.createElement("button");
  open.type = "button";
  open.className = "link-button";
  open.textContent = t("customer.history_item", {
    id: c.id, channel: channelLabel(c.channel_kind), status: statusLabel(c.status), when: formatTime(c.created_at),
  });
  open.addEventListener("click", () => onOpen(c.id));
  li.append(open);
  return li;
}

function duplicateReason(reason) {
  switch (reason) {
    case "phone": return t("merge.reason_phone");
    case "email": return t("merge.reason_email");
    case "name_company": return t("merge.reason_name_company");
    default: return reason;
  }
}

function duplicateItem(pair, customerId, canMerge, onMerge) {
  const other = pair.customer_id === customerId ? pair.other_id : pair.customer_id;
  const li = document.createElement("li");
  li.className = "duplicate";
  const text = document.createElement("span");
  text.textContent = t("merge.suggestion", { id: other, reason: duplicateReason(pair.reason), value: pair.value });
  li.append(text);
  if (canMerge) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "merge-open";
    button.textContent = t("merge.open");
    button.addEventListener("click", () => onMerge(customerId, other));
    li.append(button);
  }
  return li;
}

export async function renderCustomerPanel(detail, { canMerge, seesContacts, onOpen, onMerge }) {
  const customer = detail.customer;
  const render = ++renders;
  const current = () => render === renders;
  $("customer-panel").hidden = !customer;
  $("customer-error").textContent = "";
  if (!customer) return;
  $("customer-name").textContent = customer.display_name || detail.conversation.customer_address;
  $("customer-tier").textContent = t("customer.tier", { tier: customer.tier, id: customer.id });
  $("customer-identities").replaceChildren(...customer.identities.map((i) =>
    item(t("customer.identity", { kind: identityKindLabel(i.kind), address: i.address }))));
  try {
    $("customer-contacts-block").hidden = !seesContacts;
    if (seesContacts) {
      const { contacts } = await api("GET", `/customers/${customer.id}/contacts`);
      if (!current()) return;
      $("customer-contacts").replaceChildren(...contacts.map((c) =>
        item(t("customer.contact", { role: contactRoleLabel(c.role), name: c.name || c.agent_id || "" }))));
      $("customer-contacts-block").hidden = contacts.length === 0;
    }
    const history = await pastConversations(customer, detail.conversation.id);
    if (!current()) return;
    $("customer-history").replaceChildren(...history.map((c) => historyItem(c, onOpen)));
    $("customer-history-empty").hidden = history.length > 0;
    const { duplicates } = await api("GET", "/customers/duplicates?limit=1000");
    if (!current()) return;
    const mine = duplicates.filter((d) => d.customer_id === customer.id || d.other_id === customer.id);
    $("customer-duplicates").replaceChildren(...mine.map((d) => duplicateItem(d, customer.id, canMerge, onMerge)));
    $("customer-duplicates-block").hidden = mine.length === 0;
  } catch (error) {
    // QA may read the customer but not list duplicates: the rest of the panel still stands.
    if ((error instanceof ApiError && error.status === 403) || !current()) return;
    $("customer-error").textContent = t("customer.failed", { reason: error.message });
  }
}
