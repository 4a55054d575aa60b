// The user's language and time zone (docs/console.md, "Languages and time zones"): read from
// GET /me, saved with PUT /auth/me/preferences. Every time the console shows goes through
// formatTime, so it reads in the user's zone whatever the browser's is.
import { api, ApiError } from "./api.js";
import { language } from "./i18n.js";

const ZONE_KEY = "omnigate.console.time_zone";
let zone = null;  // IANA name; null = the browser's own

export function timeZone() {
  return zone;
}

export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// The zone chosen in this browser: what counts while the gateway stores none for the user.
export function rememberedTimeZone() {
  return localStorage.getItem(ZONE_KEY);
}

// A zone the browser's Intl does not know would throw at every formatting: keep the browser's.
export function setTimeZone(name, remember) {
  if (name) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
    } catch {
      name = null;
    }
  }
  zone = name || null;
  if (remember && zone) localStorage.setItem(ZONE_KEY, zone);
}

export function formatTime(ms, options = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }) {
  return new Intl.DateTimeFormat(language(), { ...options, ...(zone ? { timeZone: zone } : {}) }).format(new Date(ms));
}

// The zones the picker offers: every one the browser knows, the user's current one first.
export function knownTimeZones() {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const current = zone || browserTimeZone();
  return all.includes(current) ? all : [current, ...all];
}

// Saves what changed; resolves false when this gateway has no preferences route yet (404
// without an error code of its own), so the choice stays in this browser only.
export async function savePreferences(changes) {
  try {
    await api("PUT", "/auth/me/preferences", changes);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}
