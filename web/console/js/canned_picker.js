// Canned responses (GET /canned-responses, docs/api.md): a picker opened by its button or by
// typing "/" + shortcut at the start of the reply box; ↑/↓ move, Enter takes, Escape closes.
// Placeholders {{customer.name}} and {{agent.name}} are filled before the text is inserted.
import { api } from "./api.js";
import { language, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let responses = [];
let active = 0;
let context = () => ({ customerName: "", agentName: "" });
let fromSlash = false;

export function expandPlaceholders(body, { customerName, agentName }) {
  return body.replace(/\{\{\s*(customer\.name|agent\.name)\s*\}\}/g,
    (whole, name) => (name === "customer.name" ? customerName : agentName));
}

function isOpen() {
  return !$("canned-picker").hidden;
}

function close(refocus) {
  $("canned-picker").hidden = true;
  $("canned-button").setAttribute("aria-expanded", "false");
  $("reply-text").removeAttribute("aria-activedescendant");
  if (refocus) $("reply-text").focus();
}

function highlight() {
  const items = [...$("canned-list").children];
  items.forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
  if (items[active]) {
    $("reply-text").setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }
}

function take(index) {
  const chosen = responses[index];
  if (!chosen) return;
  const text = expandPlaceholders(chosen.body, context());
  const box = $("reply-text");
  // A "/shortcut" typed into the box is replaced; otherwise the text goes where the caret is.
  if (fromSlash) box.value = text;
  else box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
  box.dispatchEvent(new Event("input"));
  close(true);
}

async function search(query) {
  $("canned-empty").hidden = true;
  try {
    const { canned_responses } = await api("GET",
      `/canned-responses?q=${encodeURIComponent(query)}&language=${encodeURIComponent(language())}`);
    responses = canned_responses;
  } catch (error) {
    responses = [];
    $("canned-empty").textContent = t("canned.failed", { reason: error.message });
    $("canned-empty").hidden = false;
    $("canned-list").replaceChildren();
    return;
  }
  active = 0;
  $("canned-list").replaceChildren(...responses.map((r, i) => {
    const li = document.createElement("li");
    li.id = `canned-${r.id}`;
    li.setAttribute("role", "option");
    li.className = "canned-option";
    li.textContent = t("canned.item", { shortcut: r.shortcut, title: r.title });
    li.addEventListener("click", () => take(i));
    return li;
  }));
  if (!responses.length) {
    $("canned-empty").textContent = t("canned.none");
    $("canned-empty").hidden = false;
  }
  highlight();
}

function open(query, slash) {
  fromSlash = slash;
  $("canned-picker").hidden = false;
  $("canned-button").setAttribute("aria-expanded", "true");
  $("canned-search").value = query;
  return search(query);
}

function onKey(event) {
  if (!isOpen()) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    active = Math.max(0, Math.min(responses.length - 1, active + (event.key === "ArrowDown" ? 1 : -1)));
    highlight();
    event.preventDefault();
  } else if (event.key === "Enter" && !event.isComposing) {
    take(active);
    event.preventDefault();
  } else if (event.key === "Escape") {
    close(true);
    event.preventDefault();
  }
}

export function setupCannedPicker(getContext) {
  context = getContext;
  $("canned-button").addEventListener("click", () => (isOpen() ? close(true) : open("", false).then(() => $("canned-search").focus())));
  $("canned-search").addEventListener("input", (e) => search(e.target.value));
  $("canned-search").addEventListener("keydown", onKey);
  $("reply-text").addEventListener("keydown", onKey);
  // "/ship" typed as the whole box opens the picker on that shortcut.
  $("reply-text").addEventListener("input", (e) => {
    const match = /^\/(\S*)$/.exec(e.target.value);
    if (match && !e.isComposing) open(match[1], true);
    else if (isOpen() && fromSlash) close(false);
  });
}
