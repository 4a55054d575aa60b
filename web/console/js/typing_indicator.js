// Typing both ways (docs/console.md, "Typing"). The customer's: customer.signal events of the
// open conversation (the web chat reports its visitor's typing; nothing is stored) show
// "Customer is typing…", which also goes away by itself when no stop arrives (a closed tab).
// The agent's: POST /conversations/{id}/typing while they type a reply, at most every 3 s; the
// plugin shows it to the visitor. Failures are not the agent's concern (the conversation may
// just have been transferred), so they are dropped.
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);
const CUSTOMER_TYPING_EXPIRY_MS = 8000;
const AGENT_TYPING_EVERY_MS = 3000;
// Channels whose customer cannot see an agent typing: nothing to tell them.
const NO_TYPING_CHANNELS = new Set(["sms", "email"]);
let expiry = null;
let lastSent = { id: null, at: 0 };

export function showCustomerTyping(typing) {
  clearTimeout(expiry);
  $("customer-typing").hidden = !typing;
  if (typing) expiry = setTimeout(() => { $("customer-typing").hidden = true; }, CUSTOMER_TYPING_EXPIRY_MS);
}

// A stream event: only the open conversation's count; their message ends their typing.
export function typingStreamEvent(message, openId) {
  if (message.conversation_id !== openId) return;
  if (message.type === "message.received") showCustomerTyping(false);
  if (message.type !== "customer.signal") return;
  // The web chat says `typing` with data {"on": false} when the visitor stops; other plugins
  // may say `stopped_typing`.
  if (message.signal === "typing") showCustomerTyping(!(message.data && message.data.on === false));
  else if (message.signal === "stopped_typing") showCustomerTyping(false);
}

// The agent typed in the reply box of `conversation` (the API's Conversation).
export function agentTyped(conversation, agentId) {
  if (!agentId || conversation.assigned_agent !== agentId || conversation.status === "resolved" ||
      conversation.status === "closed" || NO_TYPING_CHANNELS.has(conversation.channel_kind)) return;
  const now = Date.now();
  if (lastSent.id === conversation.id && now - lastSent.at < AGENT_TYPING_EVERY_MS) return;
  lastSent = { id: conversation.id, at: now };
  api("POST", `/conversations/${conversation.id}/typing`).catch(() => {});
}
