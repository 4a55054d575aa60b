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

// The lists are virtualised: each <ul> holds only the rows in view in its scrolling ancestor
// plus MARGIN_ROWS on either side, and padding stands in for the rest, so 5,000 open
// conversations cost the DOM a few dozen rows. Rows are measured, not assumed: ROW_GUESS_PX
// only sizes the first window. Every row says where it is in the whole list (aria-posinset /
// aria-setsize), and j / k inside a list move by index, so the keyboard reaches rows that are
// not in the DOM yet.
const MARGIN_ROWS = 10;
const ROW_GUESS_PX = 72;
const lists = new Map();  // <ul> → { rows, handlers, rowHeight, scroller }
let firstRowsMarked = false;

function scrollerOf(list) {
  for (let el = list.parentElement; el; el = el.parentElement) {
    const overflow = getComputedStyle(el).overflowY;
    if (overflow === "auto" || overflow === "scroll") return el;
  }
  return document.scrollingElement;
}

// The rows of `list` that are in view in its scroller, with the margin: [first, end).
function windowOf(list, entry) {
  const scroller = entry.scroller;
  const view = scroller === document.scrollingElement
    ? { top: 0, bottom: window.innerHeight } : scroller.getBoundingClientRect();
  const top = list.getBoundingClientRect().top;  // row i starts i row heights below it
  const h = entry.rowHeight;
  const first = Math.floor((view.top - top) / h) - MARGIN_ROWS;
  const end = Math.ceil((view.bottom - top) / h) + MARGIN_ROWS;
  return [Math.max(0, Math.min(entry.rows.length, first)), Math.max(0, Math.min(entry.rows.length, end))];
}

function paint(list) {
  const entry = lists.get(list);
  const { rows, handlers } = entry;
  const [first, end] = windowOf(list, entry);
  const focusedId = document.activeElement?.closest?.(".conversation-row")?.dataset.conversationId;
  const now = Date.now();
  const items = [];
  const kept = new Map();  // only the window's rows: what scrolled away is built afresh
  for (let i = first; i < end; ++i) {
    const row = rows[i];
    const li = entry.elements.get(row) || rowElement(row, now, handlers.selectedId, handlers.onOpen, handlers.onAccept);
    kept.set(row, li);
    li.setAttribute("aria-posinset", String(i + 1));
    li.setAttribute("aria-setsize", String(rows.length));
    items.push(li);
  }
  entry.elements = kept;
  list.replaceChildren(...items);
  if (items.length > 0) {
    // Measured from what is in the DOM: the padding keeps the scroll height of the whole list.
    const measured = (items[items.length - 1].getBoundingClientRect().bottom - items[0].getBoundingClientRect().top) / items.length;
    if (measured > 0) entry.rowHeight = measured;
    if (!firstRowsMarked) {
      firstRowsMarked = true;
      performance.mark("og:list-rendered");  // bench/console measures first paint by it
    }
  }
  list.style.paddingTop = `${first * entry.rowHeight}px`;
  list.style.paddingBottom = `${(rows.length - end) * entry.rowHeight}px`;
  entry.first = first;
  // Re-rendering must not throw the keyboard user's focus away.
  if (focusedId) list.querySelector(`[data-conversation-id="${focusedId}"] .row-open`)?.focus({ preventScroll: true });
}

let paintScheduled = false;
function paintAllSoon() {
  if (paintScheduled) return;
  paintScheduled = true;
  requestAnimationFrame(() => {
    paintScheduled = false;
    for (const list of lists.keys()) if (list.isConnected) paint(list);
  });
}

// j / k within a list: the row by index, rendered first if it is outside the window. At either
// end the key goes on to the page's own handler (app.js), which crosses to the other list.
function onListKey(event) {
  if (event.key !== "j" && event.key !== "k") return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const list = event.currentTarget;
  const entry = lists.get(list);
  const li = event.target.closest(".conversation-row");
  if (!entry || !li || !event.target.classList.contains("row-open")) return;
  const at = Number(li.getAttribute("aria-posinset")) - 1;
  const next = at + (event.key === "j" ? 1 : -1);
  if (next < 0 || next >= entry.rows.length) return;
  event.preventDefault();
  event.stopPropagation();
  const id = String(entry.rows[next].id);
  let target = list.querySelector(`[data-conversation-id="${id}"] .row-open`);
  if (!target) {
    entry.scroller.scrollTop += (next - at) * entry.rowHeight;
    paint(list);
    target = list.querySelector(`[data-conversation-id="${id}"] .row-open`);
  }
  target?.focus();
}

export function renderList(list, rows, handlers) {
  let entry = lists.get(list);
  if (!entry) {
    entry = { rowHeight: ROW_GUESS_PX, scroller: scrollerOf(list) };
    lists.set(list, entry);
    const target = entry.scroller === document.scrollingElement ? window : entry.scroller;
    target.addEventListener("scroll", paintAllSoon, { passive: true });
    window.addEventListener("resize", paintAllSoon);
    list.addEventListener("keydown", onListKey);
  }
  entry.rows = rows;
  entry.handlers = handlers;
  entry.elements = new Map();  // row object → its <li>, reused while it stays in the window
  paint(list);
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
