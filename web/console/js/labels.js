// Catalogue messages for values the API sends (channel kinds, delivery states, presence,
// transcript events). Each key is written out so the catalogue test finds every key in use.
import { t } from "./i18n.js";

// The icon is a coloured badge drawn by console.css (class channel-<kind>): no icon font, no
// emoji font needed on the agent's machine.
const KNOWN_CHANNELS = ["sms", "email", "webchat", "voice", "whatsapp"];

export function channelIconClass(kind) {
  return "channel-icon channel-" + (KNOWN_CHANNELS.includes(kind) ? kind : "other");
}

export function channelLabel(kind) {
  switch (kind) {
    case "sms": return t("channel.sms");
    case "email": return t("channel.email");
    case "webchat": return t("channel.webchat");
    case "voice": return t("channel.voice");
    case "whatsapp": return t("channel.whatsapp");
    default: return t("channel.other", { kind });
  }
}

export function deliveryLabel(state) {
  switch (state) {
    case "pending": return t("delivery.pending");
    case "sending": return t("delivery.sending");
    case "sent": return t("delivery.sent");
    case "delivered": return t("delivery.delivered");
    case "failed": return t("delivery.failed");
    default: return "";
  }
}

export function eventLabel(event) {
  const data = event.data || {};
  switch (event.kind) {
    case "conversation.created": return t("event.created");
    case "conversation.queued": return t("event.queued");
    case "conversation.assigned": return t("event.assigned", { agent: data.agent || "" });
    case "conversation.offered": return t("event.offered", { agent: data.agent || "" });
    case "conversation.resolved": return t("event.resolved");
    case "conversation.priority_changed": return t("event.priority_changed", { to: data.to });
    default: return t("event.other", { kind: event.kind });
  }
}

export function statusLabel(status) {
  switch (status) {
    case "queued": return t("status.queued");
    case "offered": return t("status.offered");
    case "assigned": return t("status.assigned");
    case "waiting_customer": return t("status.waiting_customer");
    case "resolved": return t("status.resolved");
    case "closed": return t("status.closed");
    default: return status;
  }
}
