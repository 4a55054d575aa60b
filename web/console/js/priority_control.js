// "Set priority" in the conversation header: POST /conversations/{id}/priority with the reason
// the API requires (docs/api.md); the stream's conversation.priority_changed refreshes the row.
import { api } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export function setupPriority({ currentId, onChanged }) {
  $("priority-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = currentId();
    const reason = $("priority-reason").value.trim();
    if (id === null) return;
    if (!reason) {
      $("priority-status").textContent = t("priority.reason_needed");
      $("priority-reason").focus();
      return;
    }
    const priority = Number($("priority-select").value);
    $("priority-set").disabled = true;
    try {
      await api("POST", `/conversations/${id}/priority`, { priority, reason });
      $("priority-reason").value = "";
      $("priority-status").textContent = t("priority.done", { priority });
      await onChanged(id);
    } catch (error) {
      $("priority-status").textContent = t("priority.failed", { reason: error.message });
    } finally {
      $("priority-set").disabled = false;
    }
  });
}

// What the select last showed, so that a live refresh of the same conversation does not undo a
// priority the agent picked and has not set yet (they are typing the reason): the select follows
// the conversation only while it still shows what it was given.
let shown = { id: null, priority: null };

// The header shows the open conversation's priority; a closed one cannot change.
export function showPriority(conversation) {
  for (const option of $("priority-select").options) {
    option.textContent = t("queue.priority", { priority: option.value });
  }
  const select = $("priority-select");
  const picked = conversation.id === shown.id && select.value !== String(shown.priority);
  if (!picked && document.activeElement !== select) select.value = String(conversation.priority);
  shown = { id: conversation.id, priority: conversation.priority };
  const open = conversation.status !== "resolved" && conversation.status !== "closed";
  for (const id of ["priority-select", "priority-reason", "priority-set"]) $(id).disabled = !open;
}

export function clearPriorityStatus() {
  $("priority-status").textContent = "";
  $("priority-reason").value = "";
}
