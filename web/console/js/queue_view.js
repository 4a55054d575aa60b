// One row per conversation in "My conversations" and the team queue: channel icon and label,
// priority, tier, customer, SLA time left (class sla-warning / sla-breached), last message.
import { t } from "./i18n.js";
import { channelIconClass, channelLabel } from "./labels.js";
import { formatDuration, slaState } from "./sla.js";

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

const DAY_MS = 24 * 3600 * 1000;

// Beyond a day the seconds say nothing: "3 d 04:10".
function durationText(ms) {
  if (ms < DAY_MS) return formatDuration(ms);
  const days = Math.floor(ms / DAY_MS);
  const minutes = Math.floor((ms - days * DAY_MS) / 60000);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  return t("sla.days", { days, time: hhmm });
}

function slaText(row, now) {
  if (row.dueAt === null) return "";
  const left = row.dueAt - now;
  return left < 0
    ? t("sla.overdue", { time: durationText(-left) })
    : t("sla.left", { time: durationText(left) });
}

function slaClass(row, now) {
  return "sla-" + slaState(row.dueAt === null ? null : row.dueAt - now);
}

function rowElement(row, now, selectedId, onOpen, onAccept) {
  const li = document.createElement("li");
  li.className = "conversation-row " + slaClass(row, now);
  li.dataset.conversationId = String(row.id);
  const open = document.createElement("button");
  open.type = "button";
  open.className = "row-open";
  if (row.id === selectedId) open.setAttribute("aria-current", "true");
  const icon = span(channelIconClass(row.channelKind), "");
  icon.setAttribute("aria-hidden", "true");
  const line1 = document.createElement("span");
  line1.className = "row-line";
  line1.append(icon, span("channel", channelLabel(row.channelKind)),
    span("priority priority-" + row.priority, t("queue.priority", { priority: row.priority })),
    span("tier", t("queue.tier", { tier: row.tier })));
  const line2 = document.createElement("span");
  line2.className = "row-line";
  line2.append(span("customer", row.customerName || t("queue.unknown_customer")),
    span("sla", slaText(row, now)));
  if (row.unread) line2.append(span("unread", t("notify.unread", { count: row.unread })));
  open.append(line1, line2, span("preview", row.preview || ""));
  open.addEventListener("click", () => onOpen(row.id));
  li.append(open);
  if (row.offer) {
    const accept = document.createElement("button");
    accept.type = "button";
    accept.className = "accept";
    accept.textContent = t("queue.accept");
    accept.addEventListener("click", () => onAccept(row.id));
    li.append(accept);
  }
  return li;
}

export function renderList(list, rows, { selectedId, onOpen, onAccept }) {
  const now = Date.now();
  const focusedId = document.activeElement && document.activeElement.closest
    ? document.activeElement.closest(".conversation-row")?.dataset.conversationId : undefined;
  list.replaceChildren(...rows.map((row) => rowElement(row, now, selectedId, onOpen, onAccept)));
  // Re-rendering must not throw the keyboard user's focus away.
  if (focusedId) list.querySelector(`[data-conversation-id="${focusedId}"] .row-open`)?.focus();
}

// Only the SLA cells change with the clock: refresh them without rebuilding the rows.
export function refreshSla(list, rowsById) {
  const now = Date.now();
  for (const li of list.children) {
    const row = rowsById.get(Number(li.dataset.conversationId));
    if (!row) continue;
    li.className = "conversation-row " + slaClass(row, now);
    li.querySelector(".sla").textContent = slaText(row, now);
  }
}
