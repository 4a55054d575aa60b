// The composer's two modes and its keyboard (docs/console.md, "Reply and notes"): Reply goes to
// the customer, Internal note stays with the team (POST /conversations/{id}/notes). Enter sends,
// Shift+Enter starts a new line — but never while an input method is composing: the Enter that
// picks a CJK candidate belongs to the IME (event.isComposing, and the composition events for
// browsers that report keydown after compositionend with isComposing already false).
import { api } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let composing = false;
let modeChanged = () => {};

export function composerMode() {
  return $("mode-note").checked ? "note" : "reply";
}

function showMode() {
  const note = composerMode() === "note";
  $("reply-form").classList.toggle("note-mode", note);
  $("reply-label").textContent = note ? t("notes.label") : t("reply.label");
  $("reply-send").textContent = note ? t("notes.add") : t("reply.send");
  modeChanged();
}

export function setupComposer({ submit, onModeChange }) {
  modeChanged = onModeChange;
  const text = $("reply-text");
  text.addEventListener("compositionstart", () => { composing = true; });
  // keydown of the confirming Enter comes before compositionend in Chrome and Firefox, after it
  // in Safari: clear the flag only after this turn of the event loop.
  text.addEventListener("compositionend", () => { setTimeout(() => { composing = false; }, 0); });
  text.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.isComposing || composing || event.keyCode === 229) return;
    if (event.defaultPrevented || !$("canned-picker").hidden) return;  // the picker's Enter chooses
    event.preventDefault();
    submit();
  });
  for (const radio of document.querySelectorAll("input[name=composer-mode]")) radio.addEventListener("change", showMode);
  showMode();
}

// After a language switch the mode's labels are the composer's, not the page's defaults.
export function retranslateComposer() {
  showMode();
}

export async function addNote(conversationId, body) {
  await api("POST", `/conversations/${conversationId}/notes`, { body });
}
