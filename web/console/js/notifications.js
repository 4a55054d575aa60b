// Unread counts and the optional sound / desktop notification (docs/console.md, "Unread and
// notifications"). A conversation's count is the customer messages that arrived since the agent
// last opened it, kept in this page only; the document title carries the total. The settings
// are remembered in the browser; the desktop permission is asked only when the user ticks the
// box (browsers ignore a request no click started).
import { t } from "./i18n.js";

const SOUND_KEY = "omnigate.console.notify.sound";
const DESKTOP_KEY = "omnigate.console.notify.desktop";
const $ = (id) => document.getElementById(id);

const unread = new Map();      // conversation id → count
const lastSeen = new Map();    // conversation id → id of the last inbound message counted
let audio = null;

export function unreadCount(id) {
  return unread.get(id) || 0;
}

export function totalUnread() {
  let total = 0;
  for (const n of unread.values()) total += n;
  return total;
}

export function titleWithUnread(base) {
  const total = totalUnread();
  return total > 0 ? t("notify.title_unread", { count: total, title: base }) : base;
}

function inboundIds(transcript) {
  return transcript.filter((e) => e.type === "message" && e.message.direction === "in").map((e) => e.message.id);
}

// The conversation is on screen: what it holds is read.
export function markRead(id, transcript) {
  unread.delete(id);
  const ids = inboundIds(transcript);
  lastSeen.set(id, ids.length ? ids[ids.length - 1] : 0);
}

// Conversations the page listed without reading their transcript (GET /conversations?view=row),
// with when: their first transcript counts as unread only the customer messages after that.
const listedAt = new Map();

export function noteListed(id, at) {
  if (!lastSeen.has(id)) listedAt.set(id, at);
}

// A fresh transcript of a conversation not on screen: counts what is new since the last look,
// and returns how many arrived with this refresh. On the page's first load (`initial`) a
// conversation starts at its current messages (the page cannot know what an earlier page
// showed); one that turns up later is new, and all its customer messages are unread.
export function noteTranscript(id, transcript, initial) {
  const ids = inboundIds(transcript);
  const newest = ids.length ? ids[ids.length - 1] : 0;
  if (!lastSeen.has(id) && listedAt.has(id)) {
    const since = listedAt.get(id);
    listedAt.delete(id);
    const fresh = transcript.filter((e) => e.type === "message" && e.message.direction === "in" && e.at > since).length;
    lastSeen.set(id, newest);
    if (fresh) unread.set(id, unreadCount(id) + fresh);
    return fresh;
  }
  if (!lastSeen.has(id) && initial) {
    lastSeen.set(id, newest);
    return 0;
  }
  const fresh = ids.filter((m) => m > (lastSeen.get(id) || 0)).length;
  lastSeen.set(id, newest);
  if (fresh) unread.set(id, unreadCount(id) + fresh);
  return fresh;
}

export function forget(id) {
  unread.delete(id);
  lastSeen.delete(id);
  listedAt.delete(id);
}

// A short beep through Web Audio: no sound file to serve, nothing the CSP must allow.
function beep() {
  audio = audio || new AudioContext();
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.value = 0.1;
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.15);
}

export function announce({ customerName, preview, onClick }) {
  if (localStorage.getItem(SOUND_KEY) === "on") beep();
  if (localStorage.getItem(DESKTOP_KEY) !== "on" || !("Notification" in window)) return;
  if (Notification.permission !== "granted") return;
  const n = new Notification(t("notify.new_message", { customer: customerName }), { body: preview || "" });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}

async function desktopToggled(event) {
  const box = event.target;
  $("notify-status").textContent = "";
  if (!box.checked) return localStorage.setItem(DESKTOP_KEY, "off");
  if (!("Notification" in window)) {
    box.checked = false;
    $("notify-status").textContent = t("notify.unsupported");
    return;
  }
  const permission = await Notification.requestPermission();
  box.checked = permission === "granted";
  localStorage.setItem(DESKTOP_KEY, box.checked ? "on" : "off");
  if (!box.checked) $("notify-status").textContent = t("notify.denied");
}

export function setupNotificationSettings() {
  $("notify-sound").checked = localStorage.getItem(SOUND_KEY) === "on";
  $("notify-desktop").checked = localStorage.getItem(DESKTOP_KEY) === "on";
  $("notify-sound").addEventListener("change", (e) => {
    localStorage.setItem(SOUND_KEY, e.target.checked ? "on" : "off");
    if (e.target.checked) beep();  // the click unlocks audio and lets the user hear it
  });
  $("notify-desktop").addEventListener("change", desktopToggled);
}
