// The open conversation: header, transcript (messages as bubbles, events as lines), reply box.
import { t } from "./i18n.js";
import { channelLabel, deliveryLabel, eventLabel, statusLabel } from "./labels.js";
import { formatTime } from "./preferences.js";
import { formatSize } from "./file_size.js";

// Times are in the user's time zone (GET /me), not the browser's: formatTime.

function messageItem(entry) {
  const m = entry.message;
  const li = document.createElement("li");
  li.className = "message message-" + (m.direction === "in" ? "in" : "out");
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = m.direction === "in" ? t("transcript.customer") : t("transcript.agent", { agent: m.author_id });
  const body = m.subject ? [paragraph("subject", m.subject), ...messageBody(m)] : messageBody(m);
  const meta = document.createElement("span");
  meta.className = "meta";
  const when = document.createElement("time");
  when.dateTime = new Date(entry.at).toISOString();
  when.textContent = formatTime(entry.at);
  meta.append(when);
  const delivery = m.direction === "out" ? deliveryLabel(m.delivery_state) : "";
  if (delivery) meta.append(" · " + delivery);
  li.append(author, ...body);
  if (m.attachments && m.attachments.length) li.append(attachmentList(m.attachments));
  li.append(meta);
  return li;
}

function paragraph(className, text) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  return p;
}

// An e-mail's new text first; the part it quotes folded, its signature dimmed
// (metadata.new_text / quoted_text / signature, split by the e-mail plugin). Everything else,
// and a mail the plugin could not split, shows body_text whole.
function messageBody(m) {
  const md = m.metadata || {};
  if (typeof md.new_text !== "string" || (!md.quoted_text && !md.signature)) return [paragraph("body", m.body_text)];
  const parts = [paragraph("body", md.new_text)];
  if (md.quoted_text) {
    const details = document.createElement("details");
    details.className = "quoted";
    const summary = document.createElement("summary");
    summary.textContent = t("email.show_quoted");
    details.append(summary, paragraph("body", md.quoted_text));
    parts.push(details);
  }
  if (md.signature) parts.push(paragraph("signature", md.signature));
  return parts;
}

// Name and size of each file; a link where the attachment has a URL (a media link, a file the
// agent gave as a link). Files held in the gateway's store have no download route in the API.
function attachmentList(attachments) {
  const list = document.createElement("ul");
  list.className = "attachments";
  list.setAttribute("aria-label", t("attach.in_message"));
  for (const a of attachments) {
    const item = document.createElement("li");
    const name = a.filename || t("attach.unnamed");
    // A linked file's size is unknown (0) until someone fetches it.
    const label = a.size ? t("attach.named", { name, size: formatSize(a.size) }) : name;
    if (/^https?:\/\//.test(a.url || "")) {
      const link = document.createElement("a");
      link.href = a.url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = label;
      item.append(link);
    } else {
      item.textContent = label;
    }
    list.append(item);
  }
  return list;
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
