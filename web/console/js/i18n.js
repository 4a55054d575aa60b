// Message catalogues (i18n/<language>.json): every string the console shows comes from here.
// Elements name their message with data-i18n (text), data-i18n-aria-label,
// data-i18n-placeholder or data-i18n-title; scripts call t with a literal key and the values of
// its {placeholders} (tests/console/test_i18n_catalogues.py finds the keys that way).
export const LANGUAGES = ["en", "zh-CN"];
const STORAGE_KEY = "omnigate.console.language";

let messages = {};
let current = "en";

export function language() {
  return current;
}

// The user's language: their saved choice, else the browser's first language we have.
export function preferredLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(saved)) return saved;
  for (const wanted of navigator.languages || []) {
    if (wanted.toLowerCase().startsWith("zh")) return "zh-CN";
    if (wanted.toLowerCase().startsWith("en")) return "en";
  }
  return "en";
}

export async function setLanguage(lang, remember) {
  const response = await fetch(`/console/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalogue ${lang}: HTTP ${response.status}`);
  messages = await response.json();
  current = lang;
  if (remember) localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

// The message `key` with {placeholders} filled; the key itself when the catalogue lacks it (the
// catalogue test keeps that from happening).
export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

const ATTRIBUTES = [
  ["data-i18n-aria-label", "aria-label"],
  ["data-i18n-placeholder", "placeholder"],
  ["data-i18n-title", "title"],
];

export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const [source, target] of ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[${source}]`)) el.setAttribute(target, t(el.getAttribute(source)));
  }
}
