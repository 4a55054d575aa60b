// The open conversation: header, transcript (messages as bubbles, events as lines), reply box.
import { t } from "./i18n.js";
import { channelLabel, deliveryLabel, eventLabel, statusLabel } from "./labels.js";
import { formatTime } from "./preferences.js";

// Times are in the user's time zone (GET /me), not the browser's: formatTime.

function messageItem(entry) {
  const m = entry.message;
  const li = document.createElement("li");
  li.className = "message message-" + (m.direction === "in" ? "in" : "out");
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = m.direction === "in" ? t("transcript.customer") : t("transcript.agent", { agent: m.author_id });
  const body = document.createElement("p");
  body.className = "body";
  body.textContent = m.body_text;
  const meta = document.createElement("span");
  meta.className = "meta";
  const when = document.createElement("time");
  when.dateTime = new Date(entry.at).toISOString();
  when.textContent = formatTime(entry.at);
  meta.append(when);
  const delivery = m.direction === "out" ? deliveryLabel(m.delivery_state) : "";
  if (delivery) meta.append(" · " + delivery);
  li.append(author, body, meta);
  return li;
}

// An internal note (notes.added, never sent to the customer): a card of its own, not a line.
function noteItem(entry) {
  const e = entry.event;
  const li = document.createElement("li");
  li.className = "note";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = t("notes.by", { author: (e.actor || "").replace(/^user:/, "") });
  const body = document.createElement("p");
  body.className = "body";
  body.textContent = (e.data && e.data.body) || "";
  const when = document.createElement("time");
  when.className = "meta";
  when.dateTime = new Date(entry.at).toISOString();
  when.textContent = formatTime(entry.at);
  li.append(author, body, when);
  return li;
}

function eventItem(entry) {
  if (entry.event.kind === "note.added") return noteItem(entry);
  const li = document.createElement("li");
  li.className = "event";
  li.textContent = `${eventLabel(entry.event)} · ${formatTime(entry.at)}`;
  return li;
}

export function renderConversation(view, detail) {
  const c = detail.conversation;
  const customer = detail.customer || {};
  view.title.textContent = customer.display_name || c.customer_address;
  view.meta.textContent = [
    channelLabel(c.channel_kind),
    t("queue.priority", { priority: c.priority }),
    t("queue.tier", { tier: c.tier }),
    statusLabel(c.status),
  ].join(" · ");
  const open = c.status !== "resolved" && c.status !== "closed";
  view.resolve.disabled = !open;
  view.replyText.disabled = !open;
  view.replySend.disabled = !open;
  // Delivery events are shown as the state of their message, not as lines of their own.
  const items = detail.transcript
    .filter((e) => e.type === "message" || !e.event.kind.startsWith("delivery."))
    .map((e) => (e.type === "message" ? messageItem(e) : eventItem(e)));
  view.transcript.replaceChildren(...items);
  view.transcript.lastElementChild?.scrollIntoView({ block: "end" });
}

// The last message's text for the queue row.
export function lastMessagePreview(transcript) {
  for (let i = transcript.length - 1; i >= 0; --i) {
    if (transcript[i].type === "message") return transcript[i].message.body_text.slice(0, 120);
  }
  return "";
}
