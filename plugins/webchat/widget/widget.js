/* omnigate web chat widget (plugins/webchat). Plain JS, no build step, no dependencies.
 *
 * Embedding (plugins/webchat/widget/EMBEDDING.md):
 *   <script>window.OmnigateChat = {gateway: "https://chat.example.com", instance: "webchat"};</script>
 *   <script src="https://chat.example.com/channels/webchat/widget.js" async></script>
 *
 * It speaks the protocol of plugins/webchat/README.md. The promise it keeps: a message the
 * visitor typed is never lost and never shown twice. Unacknowledged messages live in
 * localStorage and are sent again with the same id after a reconnect (the server stores an id
 * once); everything shown comes from the session log, de-duplicated by `seq`; a hole in the
 * sequence makes it reconnect from the last entry it has, and a hole the server can no longer
 * fill is shown as such. Server data is only ever rendered through textContent.
 */
// The file is ASCII only (texts use \u escapes): it must read the same whatever charset a host
// page or a proxy makes of it.
(function () {
  "use strict";

  var config = window.OmnigateChat || (window.OmnigateChat = {});
  if (config.__loaded) return; // the script tag twice on one page: one widget
  config.__loaded = true;

  // ------------------------------------------------------------------------ texts
  // Every visible string, per language. {name}-style placeholders are filled by t().
  var STRINGS = {
    en: {
      title: "Chat",
      greeting: "Hi! How can we help?",
      openChat: "Open chat",
      closeChat: "Close chat",
      unread: "{count} new",
      name: "Name",
      email: "E-mail",
      topic: "Topic",
      topicNone: "Choose a topic (optional)",
      startChat: "Start chat",
      required: "Please fill in this field.",
      invalidEmail: "Please enter a valid e-mail address.",
      offlineClosed: "We are not online right now. Leave us a message and we will answer by e-mail.",
      offlineNoAgents: "All our agents are busy. Leave us a message and we will answer by e-mail.",
      offlineMessage: "Your message",
      offlineSend: "Send message",
      offlineThanks: "Thank you! We will get back to you by e-mail.",
      offlineFailed: "Your message could not be sent. Please try again.",
      loading: "Loading\u2026",
      unavailable: "The chat is not available right now. Trying again\u2026",
      connecting: "Connecting\u2026",
      reconnecting: "Connection lost. Reconnecting\u2026",
      chattingWith: "You are chatting with {name}.",
      waitingForAgent: "Waiting for an agent\u2026",
      queuePosition: "You are number {position} in the queue.",
      expectedWait: "Expected wait: about {minutes} min.",
      expectedWaitShort: "Expected wait: less than a minute.",
      conversationClosed: "This conversation is closed. Write to start a new one.",
      messages: "Messages",
      messageLabel: "Your message",
      messagePlaceholder: "Type a message\u2026",
      send: "Send",
      attach: "Attach a file",
      you: "You",
      agent: "Agent",
      sending: "Sending\u2026",
      sent: "Sent",
      read: "Read",
      notSent: "Not sent",
      agentJoined: "{name} joined the chat.",
      transferred: "You were transferred to {name}.",
      resolved: "The conversation was closed.",
      typing: "{name} is typing\u2026",
      gap: "Earlier messages are no longer available.",
      fileTooLarge: "{name} is too large (at most {max}).",
      fileType: "Files of type {type} cannot be sent.",
      uploadFailed: "{name} could not be uploaded.",
      uploading: "Uploading {name}\u2026",
      tooLong: "This message is too long.",
      rateLimited: "You are sending messages too quickly. Please wait a moment.",
      badIdentity: "Your sign-in could not be verified; you are chatting as a guest.",
      csatQuestion: "How would you rate this conversation?",
      csatScore: "{score} of 5",
      csatComment: "Comment (optional)",
      csatSend: "Send rating",
      csatThanks: "Thank you for your feedback!",
      transcript: "E-mail me the transcript",
      transcriptEmail: "Send the transcript to",
      transcriptSend: "Send transcript",
      transcriptSent: "The transcript is on its way to your inbox.",
      mailUnavailable: "The transcript cannot be sent by e-mail right now.",
      cancel: "Cancel",
    },
    de: {
      title: "Chat",
      greeting: "Hallo! Wie k\u00f6nnen wir helfen?",
      openChat: "Chat \u00f6ffnen",
      closeChat: "Chat schlie\u00dfen",
      unread: "{count} neu",
      name: "Name",
      email: "E-Mail",
      topic: "Thema",
      topicNone: "Thema w\u00e4hlen (optional)",
      startChat: "Chat starten",
      required: "Bitte f\u00fcllen Sie dieses Feld aus.",
      invalidEmail: "Bitte geben Sie eine g\u00fcltige E-Mail-Adresse ein.",
      offlineClosed: "Wir sind gerade nicht erreichbar. Hinterlassen Sie uns eine Nachricht, wir antworten per E-Mail.",
      offlineNoAgents: "Alle Mitarbeiter sind besch\u00e4ftigt. Hinterlassen Sie uns eine Nachricht, wir antworten per E-Mail.",
      offlineMessage: "Ihre Nachricht",
      offlineSend: "Nachricht senden",
      offlineThanks: "Vielen Dank! Wir melden uns per E-Mail.",
      offlineFailed: "Ihre Nachricht konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
      loading: "Wird geladen\u2026",
      unavailable: "Der Chat ist gerade nicht verf\u00fcgbar. Neuer Versuch l\u00e4uft\u2026",
      connecting: "Verbindung wird hergestellt\u2026",
      reconnecting: "Verbindung unterbrochen. Neuer Versuch\u2026",
      chattingWith: "Sie chatten mit {name}.",
      waitingForAgent: "Warten auf einen Mitarbeiter\u2026",
      queuePosition: "Sie sind Nummer {position} in der Warteschlange.",
      expectedWait: "Voraussichtliche Wartezeit: etwa {minutes} Min.",
      expectedWaitShort: "Voraussichtliche Wartezeit: weniger als eine Minute.",
      conversationClosed: "Dieses Gespr\u00e4ch ist beendet. Schreiben Sie, um ein neues zu beginnen.",
      messages: "Nachrichten",
      messageLabel: "Ihre Nachricht",
      messagePlaceholder: "Nachricht eingeben\u2026",
      send: "Senden",
      attach: "Datei anh\u00e4ngen",
      you: "Sie",
      agent: "Mitarbeiter",
      sending: "Wird gesendet\u2026",
      sent: "Gesendet",
      read: "Gelesen",
      notSent: "Nicht gesendet",
      agentJoined: "{name} ist dem Chat beigetreten.",
      transferred: "Sie wurden an {name} weitergeleitet.",
      resolved: "Das Gespr\u00e4ch wurde beendet.",
      typing: "{name} schreibt\u2026",
      gap: "\u00c4ltere Nachrichten sind nicht mehr verf\u00fcgbar.",
      fileTooLarge: "{name} ist zu gro\u00df (h\u00f6chstens {max}).",
      fileType: "Dateien vom Typ {type} k\u00f6nnen nicht gesendet werden.",
      uploadFailed: "{name} konnte nicht hochgeladen werden.",
      uploading: "{name} wird hochgeladen\u2026",
      tooLong: "Diese Nachricht ist zu lang.",
      rateLimited: "Sie senden zu schnell. Bitte warten Sie einen Moment.",
      badIdentity: "Ihre Anmeldung konnte nicht best\u00e4tigt werden; Sie chatten als Gast.",
      csatQuestion: "Wie zufrieden waren Sie mit diesem Gespr\u00e4ch?",
      csatScore: "{score} von 5",
      csatComment: "Kommentar (optional)",
      csatSend: "Bewertung senden",
      csatThanks: "Vielen Dank f\u00fcr Ihre R\u00fcckmeldung!",
      transcript: "Verlauf per E-Mail senden",
      transcriptEmail: "Verlauf senden an",
      transcriptSend: "Verlauf senden",
      transcriptSent: "Der Verlauf ist unterwegs in Ihr Postfach.",
      mailUnavailable: "Der Verlauf kann gerade nicht per E-Mail gesendet werden.",
      cancel: "Abbrechen",
    },
  };

  function pickLanguage() {
    var wanted = [config.language, document.documentElement.lang, navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || "").toLowerCase().slice(0, 2);
      if (STRINGS[code]) return code;
    }
    return "en";
  }
  var language = pickLanguage();
  var texts = Object.assign({}, STRINGS[language], config.texts || {});

  function t(key, values) {
    return String(texts[key]).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && values[name] !== undefined ? String(values[name]) : whole;
    });
  }

  // ------------------------------------------------------------------------ where the gateway is
  // Defaults come from the script's own URL (.../channels/<instance>/widget.js), so the config
  // object may be as small as {}.
  var scriptUrl = document.currentScript && document.currentScript.src ? new URL(document.currentScript.src) : null;
  var gateway = String(config.gateway || (scriptUrl ? scriptUrl.origin : location.origin)).replace(/\/+$/, "");
  var instance = config.instance;
  if (!instance && scriptUrl) {
    var match = /\/channels\/([^/]+)\/widget\.js$/.exec(scriptUrl.pathname);
    instance = match ? decodeURIComponent(match[1]) : "";
  }
  instance = instance || "webchat";
  var base = gateway + "/channels/" + encodeURIComponent(instance);
  var wsUrl = base.replace(/^http/, "ws") + "/ws";

  // ------------------------------------------------------------------------ persistent state
  // One record per gateway + instance. Tabs share it, so every change re-reads it first
  // (read-modify-write) instead of writing this tab's copy over another tab's.
  var storageKey = "omnigate-chat:v1:" + gateway + "|" + instance;
  var memoryStore = {}; // when localStorage is unavailable (privacy modes): this page only

  function readStored() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(storageKey);
    } catch (e) {
      raw = memoryStore[storageKey] || null;
    }
    var stored = null;
    try {
      stored = raw ? JSON.parse(raw) : null;
    } catch (e) {
      stored = null;
    }
    stored = stored && typeof stored === "object" ? stored : {};
    return {
      token: typeof stored.token === "string" ? stored.token : "",
      epoch: typeof stored.epoch === "string" ? stored.epoch : "",
      lastSeq: Number(stored.lastSeq) || 0,
      pending: Array.isArray(stored.pending) ? stored.pending : [],
      profile: stored.profile && typeof stored.profile === "object" ? stored.profile : null,
      csatDoneSeq: Number(stored.csatDoneSeq) || 0,
      open: !!stored.open,
    };
  }

  function updateStored(change) {
    var stored = readStored();
    change(stored);
    var raw = JSON.stringify(stored);
    try {
      window.localStorage.setItem(storageKey, raw);
    } catch (e) {
      memoryStore[storageKey] = raw;
    }
    return stored;
  }

  // ------------------------------------------------------------------------ session state
  var initial = readStored();
  var session = {
    token: initial.token,
    epoch: initial.epoch,
    // A page load replays the whole log (last_seq 0) so the full conversation shows; within the
    // page, reconnects continue from the newest entry shown.
    lastSeq: 0,
    acceptAnySeq: false, // after a `reset`: the replay starts at the oldest entry kept
    profile: initial.profile,
    identity: config.identity && config.identity.id ? config.identity : null,
    limits: null,
    state: null,
    agentName: "",
    readSeq: 0,
    seenSent: 0,
    csatDoneSeq: initial.csatDoneSeq,
  };
  // Outgoing messages without an `ack`, oldest first: {id, text, uploads: [{upload, name}], at}.
  var pending = initial.pending.filter(function (m) {
    return m && typeof m.id === "string" && typeof m.text === "string";
  });
  var ackedBySeq = {}; // seq -> acknowledged message whose log entry has not been shown yet
  var shownFromAck = {}; // seq -> true: shown from this tab's copy, the server's entry not seen yet

  // ------------------------------------------------------------------------ DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "className") node.className = attrs[key];
        else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  var idCounter = 0;
  function uid(prefix) {
    idCounter += 1;
    return "og-" + prefix + "-" + idCounter;
  }

  // A labelled form field; returns {row, input, error}.
  function field(kind, labelText, attrs) {
    var id = uid("field");
    var error = el("p", { className: "og-field-error", id: id + "-error", role: "alert" });
    var input = el(kind, Object.assign({ id: id, "aria-describedby": id + "-error" }, attrs || {}));
    var row = el("div", { className: "og-field" }, [el("label", { for: id, text: labelText }), input, error]);
    return { row: row, input: input, error: error };
  }

  function formatBytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(n % 1048576 ? 1 : 0) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " B";
  }

  function formatTime(ms) {
    try {
      return new Date(ms).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return "";
    }
  }

  function validEmail(value) {
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
  }

  function newMessageId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var random = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return "m" + Date.now().toString(36) + "-" + random;
  }

  // ------------------------------------------------------------------------ styles
  var accent = typeof config.colour === "string" ? config.colour : typeof config.color === "string" ? config.color : "#0b5fff";
  var CSS = [
    ":host { all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;",
    "  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1c1e21; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".og-launcher { position: relative; width: 56px; height: 56px; border-radius: 50%; border: 0;",
    "  background: var(--og-accent); color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25);",
    "  display: flex; align-items: center; justify-content: center; margin-left: auto; }",
    ".og-icon { width: 20px; height: 20px; fill: currentColor; display: block; }",
    ".og-launcher .og-icon { width: 28px; height: 28px; }",
    ".og-badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;",
    "  background: #d93025; color: #fff; font-size: 12px; line-height: 20px; padding: 0 5px; }",
    ".og-panel { width: 360px; max-width: calc(100vw - 40px); height: 540px; max-height: calc(100vh - 100px);",
    "  margin-bottom: 12px; background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25);",
    "  display: flex; flex-direction: column; overflow: hidden; }",
    ".og-header { background: var(--og-accent); color: #fff; padding: 12px 14px; display: flex; align-items: flex-start; gap: 8px; }",
    ".og-header h2 { font-size: 16px; margin: 0; flex: 1; font-weight: 600; }",
    ".og-heading { flex: 1; }",
    ".og-pending-list { margin-top: 8px; }",
    ".og-buttons { display: flex; gap: 6px; }",
    ".og-status { font-size: 12px; opacity: .92; margin: 2px 0 0; }",
    ".og-icon-button { background: transparent; border: 0; color: inherit; cursor: pointer; font-size: 20px; line-height: 1; padding: 2px 6px; border-radius: 4px; }",
    "button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }",
    ".og-body { flex: 1; overflow-y: auto; padding: 12px 14px; background: #f5f6f8; }",
    ".og-greeting { margin: 0 0 12px; padding: 10px 12px; background: #fff; border-radius: 10px; }",
    ".og-form { display: flex; flex-direction: column; gap: 10px; }",
    ".og-field { display: flex; flex-direction: column; gap: 4px; }",
    ".og-field label { font-weight: 600; font-size: 13px; }",
    ".og-field input, .og-field select, .og-field textarea, .og-composer textarea { font: inherit; color: inherit;",
    "  padding: 8px 10px; border: 1px solid #b8bcc4; border-radius: 8px; background: #fff; width: 100%; }",
    ".og-field textarea { min-height: 90px; resize: vertical; }",
    ".og-field-error, .og-error { color: #b3261e; font-size: 12px; margin: 0; }",
    ".og-field-error:empty, .og-error:empty { display: none; }",
    ".og-primary { background: var(--og-accent); color: #fff; border: 0; border-radius: 8px; padding: 9px 14px; font: inherit; font-weight: 600; cursor: pointer; }",
    ".og-secondary { background: #fff; color: #1c1e21; border: 1px solid #b8bcc4; border-radius: 8px; padding: 8px 12px; font: inherit; cursor: pointer; }",
    ".og-log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }",
    ".og-msg { max-width: 85%; padding: 8px 11px; border-radius: 12px; background: #fff; overflow-wrap: anywhere; }",
    ".og-msg.og-visitor { align-self: flex-end; background: var(--og-accent); color: #fff; }",
    ".og-msg.og-pending { opacity: .75; }",
    ".og-msg.og-failed { background: #fce8e6; color: #b3261e; }",
    ".og-author { display: block; font-size: 11px; font-weight: 600; opacity: .8; }",
    ".og-text { white-space: pre-wrap; margin: 0; }",
    ".og-meta { display: block; font-size: 11px; opacity: .75; text-align: right; margin-top: 2px; }",
    ".og-attachments { list-style: none; margin: 4px 0 0; padding: 0; }",
    ".og-attachments a { color: inherit; }",
    ".og-event, .og-notice { align-self: center; font-size: 12px; color: #5f6368; text-align: center; }",
    ".og-typing { font-size: 12px; color: #5f6368; min-height: 18px; margin: 6px 0 0; }",
    ".og-card { background: #fff; border-radius: 10px; padding: 10px 12px; margin-top: 10px; }",
    ".og-card p { margin: 0 0 8px; }",
    ".og-scores { display: flex; gap: 6px; margin-bottom: 8px; border: 0; padding: 0; }",
    ".og-scores legend { margin-bottom: 6px; padding: 0; }",
    ".og-scores button { flex: 1; padding: 6px 0; border: 1px solid #b8bcc4; border-radius: 6px; background: #fff; cursor: pointer; font: inherit; }",
    ".og-scores button[aria-pressed='true'] { background: var(--og-accent); color: #fff; border-color: var(--og-accent); }",
    ".og-footer { border-top: 1px solid #e3e5e8; padding: 8px 10px; background: #fff; }",
    ".og-composer { display: flex; gap: 6px; align-items: flex-end; }",
    ".og-composer textarea { resize: none; height: 40px; max-height: 120px; flex: 1; }",
    ".og-attach { position: relative; overflow: hidden; }",
    ".og-attach input { position: absolute; inset: 0; opacity: 0; cursor: pointer; }",
    ".og-toolbar { display: flex; justify-content: flex-end; margin-top: 6px; }",
    ".og-link { background: none; border: 0; color: #1a56c4; text-decoration: underline; cursor: pointer; font: inherit; font-size: 12px; padding: 0; }",
    ".og-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
  ].join("\n");

  // Icons are drawn, not emoji: a machine without an emoji font would show a box.
  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
  var ICON_PAPERCLIP = "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z";
  function icon(pathData) {
    var svgNs = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "og-icon");
    var path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  // A constructed style sheet is not subject to the host page's CSP style-src; a <style>
  // element is the fallback for browsers without one.
  function applyStyles(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      shadow.appendChild(el("style", { text: CSS }));
    }
  }

  // ------------------------------------------------------------------------ the widget's DOM
  var host = el("div", { id: "omnigate-chat", "data-view": "loading", "data-connection": "idle" });
  var root = host.attachShadow({ mode: "open" });
  host.style.setProperty("--og-accent", accent);
  applyStyles(root);

  var titleId = uid("title");
  var panelId = uid("panel");
  var statusLine = el("p", { className: "og-status", role: "status" });
  var closeButton = el("button", { type: "button", className: "og-icon-button", "aria-label": t("closeChat"), text: "\u00d7" });
  var header = el("div", { className: "og-header" }, [
    el("div", { className: "og-heading" }, [el("h2", { id: titleId, text: config.title || t("title") }), statusLine]),
    closeButton,
  ]);
  var body = el("div", { className: "og-body" });
  var footer = el("div", { className: "og-footer", hidden: true });
  var panel = el("div", { className: "og-panel", id: panelId, role: "dialog", "aria-labelledby": titleId, hidden: true }, [header, body, footer]);
  var badge = el("span", { className: "og-badge", hidden: true });
  var launcher = el("button", { type: "button", className: "og-launcher", "aria-expanded": "false", "aria-controls": panelId, "aria-label": t("openChat") });
  launcher.appendChild(icon(ICON_CHAT));
  launcher.appendChild(badge);
  root.appendChild(panel);
  root.appendChild(launcher);

  var greeting = el("p", { className: "og-greeting", text: config.greeting || t("greeting") });

  // ------------------------------------------------------------------------ open / close
  var isOpen = false;
  var unreadCount = 0;

  function setOpen(open, focusInside) {
    isOpen = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    launcher.setAttribute("aria-label", open ? t("closeChat") : t("openChat"));
    updateStored(function (s) {
      s.open = open;
    });
    if (open) {
      unreadCount = 0;
      badge.hidden = true;
      if (focusInside) focusFirst();
      scrollToBottom();
      sendSeenSoon();
    }
  }

  function focusFirst() {
    var target = body.querySelector("input, select, textarea") || footer.querySelector("textarea") || closeButton;
    if (!footer.hidden && view === "chat") target = composerInput;
    target.focus();
  }

  launcher.addEventListener("click", function () {
    setOpen(!isOpen, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false);
    launcher.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      setOpen(false);
      launcher.focus();
    }
  });

  // ------------------------------------------------------------------------ views
  var view = "loading";
  function showView(name, content, withFooter) {
    view = name;
    host.setAttribute("data-view", name);
    body.textContent = "";
    body.appendChild(greeting);
    content.forEach(function (node) {
      body.appendChild(node);
    });
    footer.hidden = !withFooter;
  }

  function topicField() {
    var topics = Array.isArray(config.topics) ? config.topics : [];
    if (!topics.length) return null;
    var f = field("select", t("topic"), { name: "topic" });
    f.input.appendChild(el("option", { value: "", text: t("topicNone") }));
    topics.forEach(function (topic) {
      if (topic && topic.id !== undefined) f.input.appendChild(el("option", { value: String(topic.id), text: String(topic.label || topic.id) }));
    });
    return f;
  }

  // Marks empty required fields and a malformed e-mail; true when the form may be sent.
  function checkFields(required, emailField) {
    var ok = true;
    required.forEach(function (f) {
      var empty = !f.input.value.trim();
      f.error.textContent = empty ? t("required") : "";
      f.input.setAttribute("aria-invalid", empty ? "true" : "false");
      if (empty && ok) f.input.focus();
      ok = ok && !empty;
    });
    if (ok && emailField && !validEmail(emailField.input.value.trim())) {
      emailField.error.textContent = t("invalidEmail");
      emailField.input.setAttribute("aria-invalid", "true");
      emailField.input.focus();
      ok = false;
    }
    return ok;
  }

  function showPrechat() {
    var name = field("input", t("name"), { type: "text", name: "name", autocomplete: "name", required: true });
    var email = field("input", t("email"), { type: "email", name: "email", autocomplete: "email", required: true });
    var topic = topicField();
    var form = el("form", { className: "og-form", novalidate: true, "data-form": "prechat" }, [
      name.row,
      email.row,
      topic && topic.row,
      el("button", { type: "submit", className: "og-primary", text: t("startChat") }),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!checkFields([name, email], email)) return;
      session.profile = { name: name.input.value.trim(), email: email.input.value.trim(), topic: topic ? topic.input.value : "" };
      updateStored(function (s) {
        s.profile = session.profile;
      });
      showChat();
      connect();
      composerInput.focus();
    });
    showView("prechat", [form], false);
  }

  function showOffline(reason) {
    var intro = el("p", { text: reason === "no_agents" ? t("offlineNoAgents") : t("offlineClosed") });
    var name = field("input", t("name"), { type: "text", name: "name", autocomplete: "name", required: true });
    var email = field("input", t("email"), { type: "email", name: "email", autocomplete: "email", required: true });
    var topic = topicField();
    var message = field("textarea", t("offlineMessage"), { name: "message", required: true });
    var error = el("p", { className: "og-error", role: "alert" });
    var submit = el("button", { type: "submit", className: "og-primary", text: t("offlineSend") });
    var form = el("form", { className: "og-form", novalidate: true, "data-form": "offline" }, [intro, name.row, email.row, topic && topic.row, message.row, error, submit]);
    // One id per message, kept across retries of the same submit: the gateway stores it once.
    var offlineId = newMessageId();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!checkFields([name, email, message], email)) return;
      submit.disabled = true;
      error.textContent = "";
      fetch(base + "/offline", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          name: name.input.value.trim(),
          email: email.input.value.trim(),
          message: message.input.value,
          topic: topic ? topic.input.value : "",
          token: session.token,
          id: offlineId,
        }),
      })
        .then(function (response) {
          if (response.status !== 202) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (answer) {
          // A visitor without a session gets one: the reply shows here on their next visit.
          if (answer && typeof answer.token === "string" && !session.token) {
            session.token = answer.token;
            updateStored(function (s) {
              s.token = answer.token;
            });
          }
          showView("offline-sent", [el("p", { className: "og-card", role: "status", text: t("offlineThanks") })], false);
        })
        .catch(function () {
          submit.disabled = false;
          error.textContent = t("offlineFailed");
        });
    });
    showView("offline", [form], false);
  }

  // The chat view's parts are made once: reconnects and replays only touch the lists.
  var logList = el("ol", { className: "og-log", "data-list": "log" });
  var pendingList = el("ol", { className: "og-log og-pending-list", "data-list": "pending" });
  var logRegion = el("div", { role: "log", "aria-live": "polite", "aria-label": t("messages") }, [logList, pendingList]);
  var typingLine = el("p", { className: "og-typing", "aria-live": "polite" });
  var cards = el("div");
  var chatError = el("p", { className: "og-error", role: "alert" });
  var composerId = uid("composer");
  var composerInput = el("textarea", { id: composerId, rows: "1", placeholder: t("messagePlaceholder"), maxlength: "10000" });
  var fileInput = el("input", { type: "file", "aria-label": t("attach"), title: t("attach") });
  var attachButton = el("span", { className: "og-secondary og-attach" }, [icon(ICON_PAPERCLIP), fileInput]);
  var sendButton = el("button", { type: "submit", className: "og-primary", text: t("send") });
  var composer = el("form", { className: "og-composer", "data-form": "composer" }, [
    el("label", { for: composerId, className: "og-visually-hidden", text: t("messageLabel") }),
    attachButton,
    composerInput,
    sendButton,
  ]);
  var transcriptButton = el("button", { type: "button", className: "og-link", text: t("transcript") });
  footer.appendChild(chatError);
  footer.appendChild(composer);
  footer.appendChild(el("div", { className: "og-toolbar" }, [transcriptButton]));

  function showChat() {
    showView("chat", [logRegion, typingLine, cards], true);
    renderStatus();
    scrollToBottom();
  }

  function scrollToBottom() {
    body.scrollTop = body.scrollHeight;
  }

  // ------------------------------------------------------------------------ status line
  var connectionState = "idle"; // idle | connecting | open | reconnecting

  function setConnection(state) {
    connectionState = state;
    host.setAttribute("data-connection", state);
    renderStatus();
  }

  function renderStatus() {
    if (view !== "chat") {
      statusLine.textContent = view === "unavailable" ? t("unavailable") : "";
      return;
    }
    if (connectionState === "connecting" || connectionState === "idle") {
      statusLine.textContent = t("connecting");
      return;
    }
    if (connectionState === "reconnecting") {
      statusLine.textContent = t("reconnecting");
      return;
    }
    var state = session.state || {};
    var status = state.status || "";
    if (status === "resolved" || status === "closed") {
      statusLine.textContent = t("conversationClosed");
    } else if (state.agent) {
      statusLine.textContent = t("chattingWith", { name: state.agent });
    } else if (state.queue_position > 0) {
      var parts = [t("queuePosition", { position: state.queue_position })];
      var wait = Number(state.expected_wait_ms);
      if (wait >= 0) parts.push(wait < 60000 ? t("expectedWaitShort") : t("expectedWait", { minutes: Math.round(wait / 60000) }));
      statusLine.textContent = parts.join(" ");
    } else if (status === "queued" || status === "offered") {
      statusLine.textContent = t("waitingForAgent");
    } else {
      statusLine.textContent = "";
    }
  }

  // ------------------------------------------------------------------------ rendering entries
  var entryBySeq = {};
  var visitorEntries = []; // [{seq, receipt}] for read receipts

  function attachmentList(attachments) {
    if (!Array.isArray(attachments) || !attachments.length) return null;
    var list = el("ul", { className: "og-attachments" });
    attachments.forEach(function (a) {
      if (!a) return;
      var label = String(a.name || "file") + (a.size ? " (" + formatBytes(Number(a.size)) + ")" : "");
      var href = null;
      if (a.url) {
        try {
          var url = new URL(String(a.url), gateway + "/");
          if (url.protocol === "http:" || url.protocol === "https:") {
            if (url.origin === new URL(gateway).origin && !url.searchParams.has("token") && session.token) url.searchParams.set("token", session.token);
            href = url.href;
          }
        } catch (e) {
          href = null;
        }
      }
      list.appendChild(el("li", null, [href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: label }) : el("span", { text: label })]));
    });
    return list;
  }

  function messageNode(m, seq, pendingState) {
    var visitor = m.author === "visitor";
    var receipt = el("span", { className: "og-receipt" });
    var meta = el("span", { className: "og-meta" }, [el("span", { text: m.at ? formatTime(Number(m.at)) : "" })]);
    if (visitor) {
      meta.appendChild(document.createTextNode(" \u00b7 "));
      meta.appendChild(receipt);
    }
    var node = el("li", { className: "og-msg " + (visitor ? "og-visitor" : "og-agent"), "data-seq": seq ? String(seq) : null, "data-id": String(m.id || ""), "data-author": visitor ? "visitor" : "agent" }, [
      el("span", { className: "og-author", text: visitor ? t("you") : String(m.name || t("agent")) }),
      el("p", { className: "og-text", text: String(m.text || "") }),
      attachmentList(m.attachments),
      meta,
    ]);
    receipt.textContent = pendingState ? t(pendingState) : seq <= session.readSeq ? t("read") : t("sent");
    if (visitor && seq) visitorEntries.push({ seq: seq, receipt: receipt });
    return node;
  }

  function eventText(e) {
    var name = String(e.name || t("agent"));
    if (e.kind === "agent_joined") return t("agentJoined", { name: name });
    if (e.kind === "transferred") return t("transferred", { name: name });
    if (e.kind === "resolved") return t("resolved");
    return "";
  }

  function appendLogNode(node) {
    logList.appendChild(node);
    scrollToBottom();
  }

  function notice(text) {
    appendLogNode(el("li", { className: "og-notice", text: text }));
  }

  // Shows log entry `entry` (a message or event frame, or an acknowledged message of this tab)
  // and moves lastSeq on. The caller has checked that it is the next one.
  function showEntry(entry) {
    var seq = entry.seq;
    session.lastSeq = seq;
    updateStored(function (s) {
      if (s.token === session.token) s.lastSeq = Math.max(s.lastSeq, seq);
    });
    if (entry.type === "message") {
      if (entry.author === "visitor") dropPending(entry.id);
      var node = messageNode(entry, seq, null);
      entryBySeq[seq] = node;
      appendLogNode(node);
      if (entry.author !== "visitor") {
        hideAgentTyping();
        if (!isOpen || document.visibilityState !== "visible") {
          unreadCount += 1;
          badge.textContent = t("unread", { count: unreadCount });
          badge.hidden = isOpen;
        }
      }
    } else {
      var eventNode = el("li", { className: "og-event", "data-seq": String(seq), "data-kind": String(entry.kind || ""), text: eventText(entry) });
      entryBySeq[seq] = eventNode;
      appendLogNode(eventNode);
      if (entry.kind === "agent_joined" || entry.kind === "transferred") {
        session.state = Object.assign({}, session.state, { agent: entry.name, queue_position: 0 });
      }
      if (entry.kind === "resolved") {
        session.state = Object.assign({}, session.state, { status: "resolved", agent: "" });
        if (seq > session.csatDoneSeq) showCsat(seq);
      }
      renderStatus();
    }
    sendSeenSoon();
  }

  // The log entry following lastSeq may already be known from an `ack` (a server that does not
  // echo a connection's own messages back to it sends the ack in the entry's place).
  function showAcknowledged() {
    while (ackedBySeq[session.lastSeq + 1]) {
      var m = ackedBySeq[session.lastSeq + 1];
      delete ackedBySeq[session.lastSeq + 1];
      shownFromAck[session.lastSeq + 1] = true;
      showEntry({ type: "message", seq: session.lastSeq + 1, id: m.id, author: "visitor", text: m.text, attachments: m.shown || [], at: m.at });
    }
  }

  function onEntry(frame) {
    var seq = Number(frame.seq);
    if (!(seq > 0)) return;
    showAcknowledged();
    if (seq <= session.lastSeq) {
      if (frame.type === "message" && frame.author === "visitor") {
        dropPending(frame.id);
        if (shownFromAck[seq]) {
          // The server's own entry after the local copy: its attachments carry links.
          delete shownFromAck[seq];
          var node = messageNode(frame, seq, null);
          entryBySeq[seq].replaceWith(node);
          entryBySeq[seq] = node;
        }
      }
      return; // a replay of what is shown already
    }
    if (seq !== session.lastSeq + 1 && !session.acceptAnySeq) {
      resync("seq " + seq + " after " + session.lastSeq);
      return;
    }
    session.acceptAnySeq = false;
    showEntry(frame);
    showAcknowledged();
  }

  function clearLog() {
    logList.textContent = "";
    entryBySeq = {};
    visitorEntries = [];
    ackedBySeq = {};
    shownFromAck = {};
    cards.textContent = "";
    session.lastSeq = 0;
  }

  // ------------------------------------------------------------------------ pending messages
  var pendingNodes = {}; // id -> node in pendingList

  function rememberPending(m) {
    pending.push(m);
    updateStored(function (s) {
      s.pending = s.pending.filter(function (p) {
        return p && p.id !== m.id;
      });
      s.pending.push(m);
    });
  }

  function dropPending(id) {
    pending = pending.filter(function (p) {
      return p.id !== id;
    });
    updateStored(function (s) {
      s.pending = s.pending.filter(function (p) {
        return p && p.id !== id;
      });
    });
    if (pendingNodes[id]) {
      pendingNodes[id].remove();
      delete pendingNodes[id];
    }
  }

  function showPending(m) {
    if (pendingNodes[m.id]) return;
    var node = messageNode({ author: "visitor", id: m.id, text: m.text, attachments: m.shown, at: m.at }, 0, "sending");
    node.classList.add("og-pending");
    pendingNodes[m.id] = node;
    pendingList.appendChild(node);
    scrollToBottom();
  }

  function failPending(id, reason) {
    var node = pendingNodes[id];
    dropPending(id);
    if (node) {
      node.classList.remove("og-pending");
      node.classList.add("og-failed");
      node.querySelector(".og-receipt").textContent = t("notSent");
      logList.appendChild(node); // stays visible where it was typed, no longer re-sent
    }
    chatError.textContent = reason;
  }

  function messageFrame(m) {
    var frame = { type: "message", id: m.id, text: m.text };
    if (m.uploads && m.uploads.length) {
      frame.attachments = m.uploads.map(function (u) {
        return { upload: u };
      });
    }
    return frame;
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  function sendVisitorMessage(text, uploads, shown) {
    var m = { id: newMessageId(), text: text, uploads: uploads || [], shown: shown || [], at: Date.now() };
    var frame = JSON.stringify(messageFrame(m));
    if (session.limits && session.limits.max_message_bytes && utf8Length(frame) > session.limits.max_message_bytes) {
      chatError.textContent = t("tooLong");
      return false;
    }
    chatError.textContent = "";
    rememberPending(m);
    showPending(m);
    if (ready) send(messageFrame(m));
    return true;
  }

  function resendPending() {
    pending.forEach(function (m) {
      showPending(m);
      send(messageFrame(m));
    });
  }

  // ------------------------------------------------------------------------ connection
  var ws = null;
  var ready = false; // welcome received on the current connection
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var PING_INTERVAL_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;

  function send(frame) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (ws) return;
    setConnection(attempt === 0 && connectionState !== "reconnecting" ? "connecting" : "reconnecting");
    var socket;
    try {
      socket = new WebSocket(wsUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onopen = function () {
      var hello = { type: "hello", token: session.token, last_seq: session.lastSeq, epoch: session.epoch };
      if (session.profile) hello.profile = session.profile;
      if (session.identity) hello.identity = session.identity;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === "object") onFrame(frame);
    };
    socket.onclose = function () {
      if (ws === socket) lost();
    };
    socket.onerror = function () {
      // onclose follows and does the work
    };
  }

  // The connection is gone (closed, or dead without a pong): forget it and try again later.
  function lost() {
    var socket = ws;
    ws = null;
    ready = false;
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch (e) {
        /* already closed */
      }
    }
    setConnection("reconnecting");
    scheduleReconnect();
  }

  // Exponential backoff with jitter, so that many visitors of a restarted gateway do not all
  // come back in the same second.
  function scheduleReconnect() {
    if (reconnectTimer) return;
    var ceiling = Math.min(30000, 500 * Math.pow(2, attempt));
    attempt += 1;
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  // A hole in the sequence: reconnect at once, asking for everything after the last entry shown.
  function resync() {
    lost();
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, attempt > 3 ? 1000 : 0);
  }

  function startPinging() {
    clearInterval(pingTimer);
    pingTimer = setInterval(function () {
      if (!send({ type: "ping" })) return;
      clearTimeout(pongTimer);
      pongTimer = setTimeout(lost, PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  function onFrame(frame) {
    clearTimeout(pongTimer); // any frame proves the connection alive
    switch (frame.type) {
      case "welcome":
        onWelcome(frame);
        break;
      case "message":
      case "event":
        onEntry(frame);
        break;
      case "gap":
        notice(t("gap"));
        session.lastSeq = Math.max(session.lastSeq, Number(frame.to) || 0);
        session.acceptAnySeq = false;
        break;
      case "ack":
        onAck(frame);
        break;
      case "typing":
        if (frame.on) showAgentTyping(frame.name);
        else hideAgentTyping();
        break;
      case "queue":
        session.state = Object.assign({}, session.state, { queue_position: Number(frame.position) || 0, expected_wait_ms: frame.expected_wait_ms });
        renderStatus();
        break;
      case "read":
        onRead(Number(frame.seq) || 0);
        break;
      case "error":
        onError(frame);
        break;
      case "transcript_sent":
        notice(t("transcriptSent"));
        break;
      case "csat_thanks":
        cards.textContent = "";
        notice(t("csatThanks"));
        break;
      default:
        break; // pong and anything newer
    }
  }

  function onWelcome(frame) {
    if (typeof frame.token === "string" && frame.token) session.token = frame.token;
    if (typeof frame.epoch === "string") session.epoch = frame.epoch;
    if (frame.reset) {
      clearLog();
      session.acceptAnySeq = true;
    }
    session.limits = frame.limits || session.limits;
    session.state = frame.state || session.state;
    updateStored(function (s) {
      if (s.token !== session.token) s.lastSeq = 0;
      s.token = session.token;
      s.epoch = session.epoch;
    });
    ready = true;
    attempt = 0;
    setConnection("open");
    startPinging();
    if (view !== "chat") showChat();
    resendPending();
    sendSeenSoon();
  }

  function onAck(frame) {
    var m = null;
    pending.forEach(function (p) {
      if (p.id === frame.id) m = p;
    });
    var seq = Number(frame.seq) || 0;
    if (m) {
      dropPending(m.id);
      if (seq > session.lastSeq) ackedBySeq[seq] = m;
      showAcknowledged();
    }
    if (entryBySeq[seq] && seq > session.readSeq) {
      var receipt = entryBySeq[seq].querySelector(".og-receipt");
      if (receipt) receipt.textContent = t("sent");
    }
  }

  function onRead(seq) {
    if (seq <= session.readSeq) return;
    session.readSeq = seq;
    visitorEntries.forEach(function (v) {
      if (v.seq <= seq) v.receipt.textContent = t("read");
    });
  }

  var retryTimer = null;
  function onError(frame) {
    var pendingId = frame.id && pending.some(function (p) {
      return p.id === frame.id;
    }) ? frame.id : null;
    switch (frame.code) {
      case "not_stored": // the store refused it this time: the same id again shortly
      case "rate_limited":
        if (frame.code === "rate_limited") chatError.textContent = t("rateLimited");
        clearTimeout(retryTimer);
        retryTimer = setTimeout(function () {
          if (ready) resendPending();
        }, 2000);
        break;
      case "too_large":
        if (pendingId) failPending(pendingId, t("tooLong"));
        else chatError.textContent = t("tooLong");
        break;
      case "bad_field":
        if (pendingId) failPending(pendingId, String(frame.message || t("notSent")));
        break;
      case "bad_identity":
        session.identity = null; // a guest from now on; the claim is not sent again
        notice(t("badIdentity"));
        break;
      case "mail_unavailable":
        notice(t("mailUnavailable"));
        break;
      default:
        break; // bad_json / unknown_type: nothing the visitor can act on
    }
  }

  // ------------------------------------------------------------------------ typing, seen
  var typingOn = false;
  var typingSentAt = 0;
  var typingStopTimer = null;
  var agentTypingTimer = null;

  function setTyping(on) {
    if (on) {
      var now = Date.now();
      if (!typingOn || now - typingSentAt > 3000) {
        if (send({ type: "typing", on: true })) typingSentAt = now;
      }
      typingOn = true;
      clearTimeout(typingStopTimer);
      typingStopTimer = setTimeout(function () {
        setTyping(false);
      }, 4000);
    } else if (typingOn) {
      typingOn = false;
      clearTimeout(typingStopTimer);
      send({ type: "typing", on: false });
    }
  }

  function showAgentTyping(name) {
    typingLine.textContent = t("typing", { name: String(name || session.state && session.state.agent || t("agent")) });
    clearTimeout(agentTypingTimer);
    agentTypingTimer = setTimeout(hideAgentTyping, 8000); // the agent side repeats it while typing
  }

  function hideAgentTyping() {
    clearTimeout(agentTypingTimer);
    typingLine.textContent = "";
  }

  var seenTimer = null;
  function sendSeenSoon() {
    clearTimeout(seenTimer);
    seenTimer = setTimeout(function () {
      if (!ready || !isOpen || view !== "chat" || document.visibilityState !== "visible") return;
      if (session.lastSeq > session.seenSent && send({ type: "seen", seq: session.lastSeq })) session.seenSent = session.lastSeq;
    }, 300);
  }
  document.addEventListener("visibilitychange", sendSeenSoon);

  // ------------------------------------------------------------------------ composer
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = composerInput.value.trim();
    if (!text) return;
    if (sendVisitorMessage(text, [], [])) {
      composerInput.value = "";
      setTyping(false);
    }
  });
  composerInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : composer.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  composerInput.addEventListener("input", function () {
    setTyping(composerInput.value.length > 0);
  });

  function typeAllowed(type, allowed) {
    if (!Array.isArray(allowed) || !allowed.length) return true;
    return allowed.some(function (a) {
      a = String(a).toLowerCase();
      return a === type || (a.slice(-2) === "/*" && type.indexOf(a.slice(0, -1)) === 0);
    });
  }

  fileInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(fileInput.files || []);
    fileInput.value = "";
    files.forEach(uploadAndSend);
  });

  function uploadAndSend(file) {
    var limits = session.limits || {};
    var type = (file.type || "application/octet-stream").toLowerCase();
    if (limits.max_upload_bytes && file.size > limits.max_upload_bytes) {
      chatError.textContent = t("fileTooLarge", { name: file.name, max: formatBytes(limits.max_upload_bytes) });
      return;
    }
    if (!typeAllowed(type, limits.upload_types)) {
      chatError.textContent = t("fileType", { type: type });
      return;
    }
    if (!session.token) return; // the session exists from the first welcome on
    chatError.textContent = t("uploading", { name: file.name });
    // The name travels in the query (README, "Routes"): no custom header, so no extra CORS rule.
    fetch(base + "/uploads?token=" + encodeURIComponent(session.token) + "&name=" + encodeURIComponent(file.name), {
      method: "POST",
      headers: { "Content-Type": type },
      body: file,
    })
      .then(function (response) {
        if (response.status === 413) throw new Error(t("fileTooLarge", { name: file.name, max: formatBytes(limits.max_upload_bytes || 0) }));
        if (response.status === 415) throw new Error(t("fileType", { type: type }));
        if (response.status !== 201) throw new Error(t("uploadFailed", { name: file.name }));
        return response.json();
      })
      .then(function (stored) {
        chatError.textContent = "";
        var text = composerInput.value.trim();
        composerInput.value = "";
        sendVisitorMessage(text, [stored.upload], [{ name: stored.name || file.name, size: stored.size || file.size }]);
      })
      .catch(function (error) {
        chatError.textContent = error && error.message && error.message.indexOf("HTTP") !== 0 ? error.message : t("uploadFailed", { name: file.name });
      });
  }

  // ------------------------------------------------------------------------ CSAT, transcript
  function showCsat(resolvedSeq) {
    cards.textContent = "";
    var score = 0;
    var buttons = [];
    var scores = el("fieldset", { className: "og-scores" }, [el("legend", { text: t("csatQuestion") })]);
    for (var i = 1; i <= 5; i++) {
      (function (value) {
        var b = el("button", { type: "button", "aria-pressed": "false", "aria-label": t("csatScore", { score: value }), text: String(value) });
        b.addEventListener("click", function () {
          score = value;
          buttons.forEach(function (other, index) {
            other.setAttribute("aria-pressed", index + 1 === value ? "true" : "false");
          });
        });
        buttons.push(b);
        scores.appendChild(b);
      })(i);
    }
    var comment = field("textarea", t("csatComment"), { name: "comment", rows: "2" });
    var submit = el("button", { type: "submit", className: "og-primary", text: t("csatSend") });
    var form = el("form", { className: "og-card og-form", "data-form": "csat" }, [scores, comment.row, submit]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!score) {
        buttons[0].focus();
        return;
      }
      var frame = { type: "csat", score: score };
      if (comment.input.value.trim()) frame.comment = comment.input.value.trim();
      if (!send(frame)) return;
      session.csatDoneSeq = resolvedSeq;
      updateStored(function (s) {
        s.csatDoneSeq = Math.max(s.csatDoneSeq, resolvedSeq);
      });
      submit.disabled = true;
    });
    cards.appendChild(form);
    scrollToBottom();
  }

  transcriptButton.addEventListener("click", function () {
    cards.querySelectorAll("[data-form=transcript]").forEach(function (n) {
      n.remove();
    });
    var email = field("input", t("transcriptEmail"), { type: "email", name: "email", autocomplete: "email", required: true });
    email.input.value = session.profile && session.profile.email ? session.profile.email : "";
    var form = el("form", { className: "og-card og-form", novalidate: true, "data-form": "transcript" }, [
      email.row,
      el("div", { className: "og-buttons" }, [
        el("button", { type: "submit", className: "og-primary", text: t("transcriptSend") }),
        el("button", { type: "button", className: "og-secondary", "data-action": "cancel", text: t("cancel") }),
      ]),
    ]);
    form.querySelector("[data-action=cancel]").addEventListener("click", function () {
      form.remove();
      transcriptButton.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!checkFields([email], email)) return;
      if (send({ type: "transcript", email: email.input.value.trim() })) {
        form.remove();
        transcriptButton.focus();
      }
    });
    cards.appendChild(form);
    email.input.focus();
    scrollToBottom();
  });

  // ------------------------------------------------------------------------ start
  window.addEventListener("online", function () {
    if (!ws && reconnectTimer) {
      attempt = 0;
      connect();
    }
  });

  var statusAttempt = 0;
  function loadStatus() {
    fetch(base + "/status", { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        if (status && status.online) showPrechat();
        else showOffline(status && status.reason);
      })
      .catch(function () {
        // Unreachable, or this page's origin is not allowed: say so and keep trying slowly.
        showView("unavailable", [el("p", { className: "og-card", text: t("unavailable") })], false);
        renderStatus();
        statusAttempt += 1;
        setTimeout(loadStatus, Math.min(60000, 2000 * Math.pow(2, statusAttempt)) * (0.5 + Math.random() / 2));
      });
  }

  function start() {
    document.body.appendChild(host);
    if (session.token) {
      // A visitor with a session: straight back into it, the log replayed from the start.
      showChat();
      connect();
    } else {
      showView("loading", [el("p", { text: t("loading") })], false);
      loadStatus();
    }
    if (initial.open) setOpen(true, false);
  }

  config.open = function () {
    setOpen(true, true);
  };
  config.close = function () {
    setOpen(false);
  };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
