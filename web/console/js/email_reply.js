// The reply box's e-mail fields (docs/console.md, "E-mail replies"): the subject, prefilled with
// "Re: <their subject>" and sent as the reply's `subject` (the e-mail plugin adds its [#id]
// token and keeps threading by In-Reply-To/References), and the optional quote of the customer's
// last message. The plugin never quotes by itself, so the quote is written here, once.
import { t } from "./i18n.js";
import { formatTime } from "./preferences.js";

const $ = (id) => document.getElementById(id);
const REPLY_PREFIX = /^\s*(re|aw|sv)\s*:|^\s*回复/i;

function lastCustomerEntry(transcript) {
  for (let i = transcript.length - 1; i >= 0; --i) {
    const e = transcript[i];
    if (e.type === "message" && e.message.direction === "in") return e;
  }
  return null;
}

function theirSubject(detail) {
  const last = lastCustomerEntry(detail.transcript);
  return (last && last.message.subject) || detail.conversation.subject || "";
}

export function replySubject(subject) {
  if (!subject) return "";
  return REPLY_PREFIX.test(subject) ? subject : `Re: ${subject}`;
}

// "On <date>, <name> wrote:" and the customer's new text (without their own quote and
// signature, metadata.new_text) as "> " lines.
export function quoteOf(detail) {
  const last = lastCustomerEntry(detail.transcript);
  if (!last) return "";
  const m = last.message;
  const text = (m.metadata && m.metadata.new_text) || m.body_text || "";
  const name = (detail.customer && detail.customer.display_name) || detail.conversation.customer_address;
  const lines = text.replace(/\s+$/, "").split("\n").map((line) => (line ? `> ${line}` : ">"));
  return [t("email.quote_header", { date: formatTime(last.at), name }), ...lines].join("\n");
}

// Shows the fields for an e-mail conversation (unless hidden: a note, a resolved one); a newly
// opened one starts with its own subject.
export function showEmailFields(detail, hidden) {
  const fields = $("email-fields");
  const email = detail.conversation.channel_kind === "email";
  fields.hidden = !email || hidden;
  if (!email || fields.dataset.conversationId === String(detail.conversation.id)) return;
  fields.dataset.conversationId = String(detail.conversation.id);
  $("email-subject").value = replySubject(theirSubject(detail));
  $("email-quote").checked = false;
}

// What an e-mail reply adds to the reply body: its subject, and the quote under the text.
export function emailReplyBody(detail, text) {
  if (detail.conversation.channel_kind !== "email") return { text };
  const body = { text };
  const quote = $("email-quote").checked ? quoteOf(detail) : "";
  if (quote) body.text = `${text}\n\n${quote}`;
  const subject = $("email-subject").value.trim();
  if (subject) body.subject = subject;
  return body;
}

// After a sent reply the next one starts from the conversation's subject again.
export function resetEmailFields() {
  delete $("email-fields").dataset.conversationId;
}
