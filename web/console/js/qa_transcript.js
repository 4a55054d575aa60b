// The QA transcript reader (docs/qa.md "The QA console"): one conversation of any channel, read
// the same way beside the scorecard — an e-mail as a thread (subject, sender, the new text with
// the quoted part folded), chat and SMS as bubbles, a call as its events with the recording's
// player and the transcription's text. GET /conversations/{id} gives the entries.
import { t } from "./i18n.js";
import { channelLabel, eventLabel, statusLabel } from "./labels.js";
import { formatTime } from "./preferences.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function timeOf(at) {
  const when = el("time", "meta", formatTime(at));
  when.dateTime = new Date(at).toISOString();
  return when;
}

function authorOf(message, conversation) {
  return message.direction === "in" ? conversation.customer_address : t("transcript.agent", { agent: message.author_id });
}

// An e-mail: the subject and sender as a header; what the customer just wrote (the channel's
// split, metadata.new_text) open, the quoted earlier mail folded under a disclosure.
function emailItem(entry, conversation) {
  const m = entry.message;
  const meta = m.metadata || {};
  const li = el("li", `qa-email qa-${m.direction === "in" ? "in" : "out"}`);
  const head = el("header", "qa-email-head");
  head.append(el("strong", "qa-email-subject", m.subject || conversation.subject || t("qa.no_subject")),
    el("span", "qa-email-from", t("qa.email_from", { from: authorOf(m, conversation) })), timeOf(entry.at));
  const fresh = typeof meta.new_text === "string" && meta.new_text !== "" ? meta.new_text : m.body_text;
  li.append(head, el("p", "body", fresh));
  if (typeof meta.quoted_text === "string" && meta.quoted_text !== "") {
    const quoted = el("details", "qa-quoted");
    quoted.append(el("summary", "", t("qa.quoted")), el("p", "body", meta.quoted_text));
    li.append(quoted);
  }
  return li;
}

// Chat, SMS and every other text channel: a bubble per message, the customer's on the left.
function bubbleItem(entry, conversation) {
  const m = entry.message;
  const li = el("li", "message message-" + (m.direction === "in" ? "in" : "out"));
  li.append(el("span", "author", m.direction === "in" ? t("transcript.customer") : authorOf(m, conversation)),
    el("p", "body", m.body_text), timeOf(entry.at));
  return li;
}

// The message a call opens with ("Call from …, chose Billing"): a card, not a bubble.
function callItem(entry) {
  const li = el("li", "qa-call");
  li.append(el("span", "author", t("qa.call")), el("p", "body", entry.message.body_text), timeOf(entry.at));
  return li;
}

// A call's recording: the provider's URL the voice channel keeps in call.recording (and
// call.recording_failed). The player gets its source only when the reviewer presses play: a
// source is fetched (and checked against the page's CSP) as soon as it is set, preload or not.
function recordingItem(entry) {
  const li = el("li", "qa-recording");
  li.append(el("span", "author", t("qa.recording")));
  const url = entry.event.data && entry.event.data.url;
  if (url) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "none";
    // As the channel downloads it: Twilio's RecordingUrl without an extension means WAV.
    audio.dataset.src = /\.[^/]*$/.test(url) ? url : `${url}.wav`;
    audio.addEventListener("play", () => {
      if (audio.src) return;
      audio.src = audio.dataset.src;
      audio.play().catch(() => {});
    });
    li.append(audio);
  }
  li.append(timeOf(entry.at));
  return li;
}

function transcriptionItem(entry) {
  const li = el("li", "qa-transcription");
  li.append(el("span", "author", t("qa.transcription")), el("p", "body", (entry.event.data && entry.event.data.text) || ""),
    timeOf(entry.at));
  return li;
}

function noteItem(entry) {
  const li = el("li", "note");
  li.append(el("span", "author", t("notes.by", { author: (entry.event.actor || "").replace(/^user:/, "") })),
    el("p", "body", (entry.event.data && entry.event.data.body) || ""), timeOf(entry.at));
  return li;
}

// The steps of a call, in words; other events as the agents' console names them.
function eventText(event) {
  const data = event.data || {};
  switch (event.kind) {
    case "call.agent_dialled": return t("qa.call_dialled", { agent: data.agent || "" });
    case "call.agent_answered": return t("qa.call_answered", { agent: data.agent || "" });
    case "call.completed": return t("qa.call_completed", { seconds: data.duration_s ?? "?" });
    case "conversation.answered": return t("qa.call_taken", { agent: data.agent || "" });
    default: return eventLabel(event);
  }
}

function eventItem(entry) {
  switch (entry.event.kind) {
    case "call.recording":
    case "call.recording_failed":
      return recordingItem(entry);
    case "call.transcription": return transcriptionItem(entry);
    case "note.added": return noteItem(entry);
    default: return el("li", "event", `${eventText(entry.event)} · ${formatTime(entry.at)}`);
  }
}

function messageItem(entry, conversation) {
  switch (conversation.channel_kind) {
    case "email": return emailItem(entry, conversation);
    case "voice": return entry.message.direction === "in" ? callItem(entry) : bubbleItem(entry, conversation);
    default: return bubbleItem(entry, conversation);
  }
}

export function renderQaTranscript({ title, meta, list }, detail) {
  const c = detail.conversation;
  title.textContent = t("qa.review_title", { id: c.id, customer: (detail.customer && detail.customer.display_name) || c.customer_address });
  meta.textContent = [channelLabel(c.channel_kind), t("queue.tier", { tier: c.tier }), statusLabel(c.status),
    t("qa.agent_of", { agent: c.assigned_agent || c.previous_agent || "" })].join(" · ");
  list.dataset.channel = c.channel_kind;
  list.replaceChildren(...detail.transcript
    .filter((e) => e.type === "message" || !e.event.kind.startsWith("delivery."))
    .map((e) => (e.type === "message" ? messageItem(e, c) : eventItem(e))));
}
