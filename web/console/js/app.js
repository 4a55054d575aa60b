// The agents' console (docs/console.md): login, the queue, one open conversation, live updates.
import { api, ApiError } from "./api.js";
import { LANGUAGES, language, preferredLanguage, setLanguage, t, translatePage } from "./i18n.js";
import { lastMessagePreview, renderConversation } from "./conversation_view.js";
import { refreshSla, renderList } from "./queue_view.js";
import { dueAt } from "./sla.js";
import { smsSegments } from "./sms_counter.js";
import { openStream } from "./stream.js";
import { rerenderSupervisorView, showSupervisorView, supervisorStreamMessage, supervisorViewTick } from "./supervisor_view.js";
import { setupTransferDialog } from "./transfer_dialog.js";
import { rerenderQaView, resetQaView, setupQaView, showQaView } from "./qa_view.js";
import { renderCustomerPanel } from "./customer_panel.js";
import { openMergeDialog, setupMergeDialog } from "./customer_merge_dialog.js";
import { announce, markRead, noteListed, noteTranscript, setupNotificationSettings, titleWithUnread, unreadCount } from "./notifications.js";
import { browserTimeZone, knownTimeZones, rememberedTimeZone, savePreferences, setTimeZone, timeZone } from "./preferences.js";
import { setupCannedPicker } from "./canned_picker.js";
import { addNote, composerMode, retranslateComposer, setupComposer } from "./note_composer.js";
import { clearPriorityStatus, setupPriority, showPriority } from "./priority_control.js";
import { emailReplyBody, resetEmailFields, showEmailFields } from "./email_reply.js";
import { clearAttachments, replyAttachments, setupAttachments, showAttachmentPicker } from "./reply_attachments.js";
import { agentTyped, showCustomerTyping, typingStreamEvent } from "./typing_indicator.js";

const $ = (id) => document.getElementById(id);
const OPEN_STATUSES = ["assigned", "waiting_customer"];

const state = {
  me: null,
  rows: new Map(),        // conversation id → queue row
  mine: [],               // ids, in list order
  team: [],
  offers: new Set(),      // conversations offered to me
  selectedId: null,
  detail: null,           // the open conversation (GET /conversations/{id})
  stream: null,
  replyKey: null,         // Idempotency-Key of the reply being sent (same on a retry)
};

const view = {
  title: $("conversation-title"),
  meta: $("conversation-meta"),
  transcript: $("transcript"),
  resolve: $("resolve-button"),
  replyText: $("reply-text"),
  replySend: $("reply-send"),
};

function hasRole(role) {
  return state.me && (state.me.roles || [state.me.role]).includes(role);
}

function seesWholeQueue() {
  return hasRole("supervisor") || hasRole("admin");
}

// A reviewer who is nothing else gets the QA console only (and no event stream: it refuses them).
function reviewsOnly() {
  return hasRole("qa") && !hasRole("agent") && !seesWholeQueue();
}

// ---- queue rows

// c: a conversation as the API shows it; queueEntry: its GET /queue entry, if any.
function rowFrom(c, customerName, preview, queueEntry) {
  const row = {
    id: c.id,
    channelKind: c.channel_kind,
    priority: c.priority,
    tier: c.tier,
    customerName: customerName || c.customer_address,
    preview,
    dueAt: dueAt(c),
    status: c.status,
    assignedAgent: c.assigned_agent,
    offer: state.offers.has(c.id),
    unread: unreadCount(c.id),
  };
  // The queue's own figure counts on the tier's business calendar: prefer it when we have it.
  if (queueEntry && queueEntry.first_response_ms_left !== null) {
    row.dueAt = Date.now() + queueEntry.first_response_ms_left;
  }
  return row;
}

function rowFromDetail(detail, queueEntry) {
  const customer = detail.customer || {};
  return rowFrom(detail.conversation, customer.display_name, lastMessagePreview(detail.transcript), queueEntry);
}

// An entry of GET /conversations?view=row.
function rowFromListItem(item, queueEntry) {
  return rowFrom(item, item.customer_display_name, item.last_message_preview, queueEntry);
}

function isMine(row) {
  return state.me.agent_id && row.assignedAgent === state.me.agent_id && OPEN_STATUSES.includes(row.status);
}

function isInTeamQueue(row) {
  return row.status === "queued" && (seesWholeQueue() || state.offers.has(row.id));
}

function render() {
  const byPriority = (a, b) => a.priority - b.priority || (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.id - b.id;
  const rows = [...state.rows.values()];
  const mine = rows.filter(isMine).sort(byPriority);
  const team = rows.filter((r) => !isMine(r) && isInTeamQueue(r)).sort(byPriority);
  const handlers = { selectedId: state.selectedId, onOpen: openConversation, onAccept: acceptOffer };
  renderList($("mine-list"), mine, handlers);
  renderList($("team-list"), team, handlers);
  $("mine-count").textContent = t("queue.count", { count: mine.length });
  $("team-count").textContent = t("queue.count", { count: team.length });
  $("mine-empty").hidden = mine.length > 0;
  $("team-empty").hidden = team.length > 0;
  document.title = titleWithUnread(t("app.title"));
}

// What is on screen is read; elsewhere new customer messages count as unread and announce.
function trackUnread(detail, initial) {
  const id = detail.conversation.id;
  if (id === state.selectedId && document.visibilityState === "visible") return markRead(id, detail.transcript);
  if (noteTranscript(id, detail.transcript, initial) > 0) {
    announce({
      customerName: (detail.customer && detail.customer.display_name) || detail.conversation.customer_address,
      preview: lastMessagePreview(detail.transcript),
      onClick: () => openConversation(id),
    });
  }
}

async function refreshConversation(id, queueEntry, initial = false) {
  try {
    const detail = await api("GET", `/conversations/${id}`);
    trackUnread(detail, initial);
    state.rows.set(id, rowFromDetail(detail, queueEntry));
    if (id === state.selectedId) showDetail(detail);
  } catch (error) {
    // 403/404: no longer ours to see (transferred away): it leaves the list.
    if (!(error instanceof ApiError) || (error.status !== 403 && error.status !== 404)) throw error;
    state.rows.delete(id);
  }
  render();
}

// The whole list of one filter in as few requests as the API allows (one up to LIST_PAGE).
const LIST_PAGE = 5000;
async function listRows(query) {
  const items = [];
  for (let afterId = 0; ;) {
    const { conversations } = await api("GET", `/conversations?view=row&limit=${LIST_PAGE}&after_id=${afterId}&${query}`);
    items.push(...conversations);
    if (conversations.length < LIST_PAGE) return items;
    afterId = conversations[conversations.length - 1].id;
  }
}

async function loadAll() {
  const lists = [];
  let offerIds = [];
  let queued = [];
  if (state.me.agent_id) {
    for (const status of OPEN_STATUSES) lists.push(listRows(`mine=true&status=${status}`));
    if (hasRole("agent") || hasRole("supervisor")) {
      const { offers } = await api("GET", `/offers?agent_id=${encodeURIComponent(state.me.agent_id)}`);
      state.offers = new Set(offers.map((o) => o.conversation_id));
      offerIds = offers.map((o) => o.conversation_id);
    }
  }
  if (seesWholeQueue()) {
    lists.push(listRows("status=queued"));
    ({ queued } = await api("GET", "/queue"));
  }
  const queueEntries = new Map(queued.map((entry) => [entry.conversation_id, entry]));
  state.rows.clear();
  const listedAt = Date.now();
  for (const items of await Promise.all(lists)) {
    for (const item of items) {
      state.rows.set(item.id, rowFromListItem(item, queueEntries.get(item.id)));
      noteListed(item.id, listedAt);
    }
  }
  // Offers to an agent are not in their list (agents list their own work only): one by one.
  await Promise.all(offerIds.filter((id) => !state.rows.has(id)).map((id) => refreshConversation(id, undefined, true)));
  render();
}

// ---- the open conversation

function showDetail(detail) {
  state.detail = detail;
  renderConversation(view, detail);
  $("transfer-button").disabled = !["queued", "assigned", "waiting_customer"].includes(detail.conversation.status);
  showPriority(detail.conversation);
  updateCounter();
  showReplyOptions();
}

// The channel's parts of the reply box: e-mail subject and quote, the file picker (neither for a
// note nor on a conversation that takes no reply).
function showReplyOptions() {
  if (!state.detail) return;
  const closed = ["resolved", "closed"].includes(state.detail.conversation.status);
  const hide = composerMode() === "note" || closed;
  showEmailFields(state.detail, hide);
  showAttachmentPicker(state.detail.conversation.channel_kind, hide);
}

function showCustomer() {
  if (!state.detail) return Promise.resolve();
  return renderCustomerPanel(state.detail, {
    canMerge: seesWholeQueue(),
    seesContacts: seesWholeQueue(),
    onOpen: openConversation,
    onMerge: openMergeDialog,
  });
}

async function openConversation(id) {
  if (id !== state.selectedId) clearAttachments();
  showCustomerTyping(false);
  state.selectedId = id;
  state.replyKey = null;
  $("reply-error").textContent = "";
  clearPriorityStatus();
  $("conversation-placeholder").hidden = true;
  $("conversation-view").hidden = false;
  document.body.classList.add("conversation-open");
  await refreshConversation(id);
  showCustomer();
  $("conversation-title").setAttribute("tabindex", "-1");
  $("conversation-title").focus();
}

function closeConversation() {
  document.body.classList.remove("conversation-open");
  const row = document.querySelector(`[data-conversation-id="${state.selectedId}"] .row-open`);
  if (row) row.focus();
}

function updateCounter() {
  const counter = $("reply-counter");
  // A note never leaves as an SMS: no segments to count.
  if (!state.detail || state.detail.conversation.channel_kind !== "sms" || composerMode() === "note") {
    counter.textContent = "";
    return;
  }
  counter.textContent = t("reply.sms_counter", smsSegments(view.replyText.value));
}

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sendNote(text) {
  view.replySend.disabled = true;
  $("reply-error").textContent = "";
  try {
    await addNote(state.selectedId, text);
    view.replyText.value = "";
    await refreshConversation(state.selectedId);
  } catch (error) {
    $("reply-error").textContent = t("notes.failed", { reason: error.message });
  } finally {
    view.replySend.disabled = false;
  }
}

async function sendReply(event) {
  event?.preventDefault();
  const text = view.replyText.value.trim();
  if (!text || state.selectedId === null || view.replySend.disabled) return;
  if (composerMode() === "note") return sendNote(text);
  const files = replyAttachments();
  if (files.error) {
    $("reply-error").textContent = files.error;
    return;
  }
  const body = emailReplyBody(state.detail, text);
  if (files.attachments.length) body.attachments = files.attachments;
  state.replyKey = state.replyKey || randomKey();
  view.replySend.disabled = true;
  $("reply-error").textContent = "";
  try {
    await api("POST", `/conversations/${state.selectedId}/reply`, body, { "Idempotency-Key": state.replyKey });
    view.replyText.value = "";
    state.replyKey = null;
    clearAttachments();
    resetEmailFields();
    await refreshConversation(state.selectedId);
  } catch (error) {
    $("reply-error").textContent = t("reply.failed", { reason: error.message });
  } finally {
    view.replySend.disabled = false;
  }
}

async function resolveOpen() {
  if (state.selectedId === null) return;
  try {
    await api("POST", `/conversations/${state.selectedId}/resolve`);
  } catch (error) {
    $("reply-error").textContent = t("conversation.resolve_failed", { reason: error.message });
  }
  await refreshConversation(state.selectedId);
}

async function acceptOffer(id) {
  try {
    await api("POST", `/conversations/${id}/accept`);
    state.offers.delete(id);
  } catch (error) {
    $("reply-error").textContent = t("queue.accept_failed", { reason: error.message });
  }
  await refreshConversation(id);
  await openConversation(id);
}

// ---- live updates

const pending = new Set();
let pendingTimer = null;

function refreshSoon(id) {
  pending.add(id);
  if (pendingTimer) return;
  pendingTimer = setTimeout(() => {
    pendingTimer = null;
    const ids = [...pending];
    pending.clear();
    for (const each of ids) refreshConversation(each);
  }, 100);
}

function onStreamMessage(message) {
  if (seesWholeQueue()) supervisorStreamMessage(message);
  if (message.type === "snapshot") {
    const mine = (message.agents || []).find((a) => a.id === state.me.agent_id);
    if (mine) $("presence-select").value = mine.presence;
    loadAll();
    return;
  }
  if (message.type === "agent.presence" && message.agent === state.me.agent_id) {
    $("presence-select").value = message.presence;
    return;
  }
  if (message.conversation_id === undefined) return;
  const id = message.conversation_id;
  if (message.type === "conversation.offered" && message.agent === state.me.agent_id) state.offers.add(id);
  else if (message.type !== "conversation.offered" && message.type !== "customer.signal") state.offers.delete(id);
  typingStreamEvent(message, state.selectedId);
  if (message.type === "customer.signal") return;
  refreshSoon(id);
}

function startStream() {
  state.stream = openStream({
    onMessage: onStreamMessage,
    onConnected: () => { $("connection-banner").hidden = true; },
    onDisconnected: (loggedOut) => {
      if (loggedOut) return showLogin();
      $("connection-banner").hidden = false;
    },
  });
}

// ---- login, logout, presence, language

function showLogin() {
  if (state.stream) state.stream.close();
  state.stream = null;
  state.me = null;
  state.rows.clear();
  showSupervisorView(false);
  showQaView(false);
  resetQaView();
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-name").focus();
}

async function showApp(me) {
  state.me = me;
  $("current-user").textContent = t("app.signed_in_as", { name: me.name });
  $("presence-select").closest("label").hidden = !me.agent_id;
  $("supervisor-tab").hidden = !seesWholeQueue();
  $("qa-tab").hidden = !(hasRole("qa") || seesWholeQueue()) || reviewsOnly();
  await applyPreferences(me);
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  if (reviewsOnly()) return showQaView(true);
  startStream();
  openFromHash();
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const { user } = await api("POST", "/auth/login", {
      name: $("login-name").value, password: $("login-password").value,
    });
    $("login-password").value = "";
    await showApp(user);
  } catch (error) {
    $("login-error").textContent = error.code === "locked" ? t("login.locked") : t("login.failed");
  }
}

async function logout() {
  try {
    await api("POST", "/auth/logout");
  } finally {
    showLogin();
  }
}

async function changePresence() {
  try {
    await api("PUT", "/agents/me/presence", { presence: $("presence-select").value });
  } catch (error) {
    $("reply-error").textContent = t("presence.failed", { reason: error.message });
  }
}

function languageName(lang) {
  switch (lang) {
    case "en": return t("language.en");
    case "zh-CN": return t("language.zh_CN");
    default: return lang;
  }
}

function fillLanguageSelects() {
  for (const select of document.querySelectorAll("select[data-role=language]")) {
    select.replaceChildren(...LANGUAGES.map((lang) => new Option(languageName(lang), lang, false, lang === language())));
  }
}

// The language and zone saved with the user (GET /me) win over this browser's.
async function applyPreferences(me) {
  setTimeZone(me.time_zone || rememberedTimeZone(), true);
  fillTimeZones();
  if (me.language && LANGUAGES.includes(me.language) && me.language !== language()) {
    await setLanguage(me.language, true);
    fillLanguageSelects();
    translatePage();
    retranslateComposer();
  }
}

function fillTimeZones() {
  const zone = timeZone() || browserTimeZone();
  $("time-zone-select").replaceChildren(...knownTimeZones().map((z) => new Option(z, z, false, z === zone)));
}

async function savePreference(changes) {
  $("prefs-status").textContent = "";
  try {
    if (!(await savePreferences(changes))) $("prefs-status").textContent = t("prefs.browser_only");
  } catch (error) {
    $("prefs-status").textContent = t("prefs.failed", { reason: error.message });
  }
}

async function changeTimeZone(event) {
  setTimeZone(event.target.value, true);
  if (state.detail) showDetail(state.detail);
  await savePreference({ time_zone: event.target.value });
}

async function changeLanguage(event) {
  await setLanguage(event.target.value, true);
  fillLanguageSelects();
  translatePage();
  retranslateComposer();
  if (state.me) {
    savePreference({ language: language() });
    $("current-user").textContent = t("app.signed_in_as", { name: state.me.name });
    render();
    rerenderSupervisorView();
    rerenderQaView();
    if (state.detail) showDetail(state.detail);
  }
}

// At phone width the customer panel takes the screen in place of the conversation.
function togglePanel(show) {
  document.body.classList.toggle("panel-open", show);
  (show ? $("customer-heading") : $("customer-button")).focus();
}

// "#conversation=12" opens that conversation: links to one (a notification, a colleague's
// message) and users who see it outside their lists, as supervisors do.
function openFromHash() {
  const match = /^#conversation=(\d+)$/.exec(location.hash);
  if (match && state.me) openConversation(Number(match[1]));
}

// j / k move through the list, r goes to the reply box (not while typing).
function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (event.target.closest("input, textarea, select")) return;
  const rows = [...document.querySelectorAll(".row-open")];
  const at = rows.indexOf(document.activeElement);
  if (event.key === "j" || event.key === "k") {
    const next = rows[Math.max(0, Math.min(rows.length - 1, at + (event.key === "j" ? 1 : -1)))];
    if (next) next.focus();
    event.preventDefault();
  } else if (event.key === "r" && !view.replyText.disabled && state.selectedId !== null) {
    view.replyText.focus();
    event.preventDefault();
  }
}

async function boot() {
  await setLanguage(preferredLanguage(), false);
  fillLanguageSelects();
  translatePage();
  $("login-form").addEventListener("submit", login);
  $("logout-button").addEventListener("click", logout);
  $("presence-select").addEventListener("change", changePresence);
  $("reply-form").addEventListener("submit", sendReply);
  setupComposer({ submit: sendReply, onModeChange: () => { updateCounter(); showReplyOptions(); } });
  setupAttachments();
  setupCannedPicker(() => ({
    customerName: (state.detail && state.detail.customer && state.detail.customer.display_name) || "",
    agentName: state.me ? state.me.name : "",
  }));
  setupPriority({ currentId: () => state.selectedId, onChanged: (id) => refreshConversation(id) });
  setupMergeDialog({ afterChange: async () => { await refreshConversation(state.selectedId); await showCustomer(); } });
  setupNotificationSettings();
  $("time-zone-select").addEventListener("change", changeTimeZone);
  $("customer-button").addEventListener("click", () => togglePanel(true));
  $("customer-close").addEventListener("click", () => togglePanel(false));
  window.addEventListener("hashchange", openFromHash);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.selectedId !== null) refreshConversation(state.selectedId);
  });
  view.replyText.addEventListener("input", () => {
    updateCounter();
    if (state.detail && composerMode() === "reply") agentTyped(state.detail.conversation, state.me.agent_id);
  });
  $("resolve-button").addEventListener("click", resolveOpen);
  $("back-button").addEventListener("click", closeConversation);
  for (const select of document.querySelectorAll("select[data-role=language]")) {
    select.addEventListener("change", changeLanguage);
  }
  $("supervisor-tab").addEventListener("click", () => {
    showQaView(false);
    showSupervisorView(!document.body.classList.contains("supervisor-open"));
  });
  $("qa-tab").addEventListener("click", () => {
    showSupervisorView(false);
    showQaView(!document.body.classList.contains("qa-open"));
  });
  setupQaView({ me: () => state.me });
  setupTransferDialog({
    getTarget: () => ({ id: state.selectedId, agentId: state.me.agent_id }),
    onTransferred: (id) => refreshConversation(id),
  });
  document.addEventListener("keydown", onKey);
  setInterval(() => {
    refreshSla($("mine-list"), state.rows);
    refreshSla($("team-list"), state.rows);
    supervisorViewTick();
  }, 1000);
  try {
    await showApp(await api("GET", "/auth/me"));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    showLogin();
  }
  document.body.dataset.ready = "true";
}

boot();
