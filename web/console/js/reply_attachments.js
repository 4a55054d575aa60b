// Files sent with a reply (docs/console.md, "Attachments"): picked or dropped on the reply box,
// each uploaded at once with POST /api/v1/attachments?filename=… (the raw bytes; XMLHttpRequest
// because fetch reports no upload progress), then named by its sha256 in the reply. Only for
// channels that deliver uploaded files: e-mail (MIME parts) and web chat; the SMS plugin sends
// only media links (Twilio fetches MMS media by URL), so SMS has no picker.
import { t } from "./i18n.js";
import { formatSize } from "./file_size.js";

const $ = (id) => document.getElementById(id);
const CHANNELS_WITH_FILES = new Set(["email", "webchat"]);
const MAX_ATTACHMENTS = 10;  // the reply API's limit
let files = [];              // {file, sha256, contentType, error, request, item}
let allowed = false;

export function channelTakesFiles(channelKind) {
  return CHANNELS_WITH_FILES.has(channelKind);
}

function show(entry) {
  const { item } = entry;
  const status = item.querySelector(".attachment-status");
  const progress = item.querySelector("progress");
  progress.hidden = Boolean(entry.sha256 || entry.error);
  status.className = "attachment-status" + (entry.error ? " error" : "");
  status.textContent = entry.error || (entry.sha256 ? t("attach.uploaded") : t("attach.uploading"));
}

function remove(entry) {
  if (entry.request) entry.request.abort();
  files = files.filter((f) => f !== entry);
  entry.item.remove();
  $("reply-text").focus();
}

// The 413 answer names the limit ("body exceeds 26214400 bytes"): say it in the user's units.
function refusal(status, body, name) {
  if (status === 413) {
    const limit = /(\d+)/.exec((body && body.message) || "");
    return limit ? t("attach.too_large", { name, limit: formatSize(Number(limit[1])) }) : t("attach.too_large_unknown", { name });
  }
  return t("attach.failed", { name, reason: (body && body.message) || `HTTP ${status}` });
}

function upload(entry) {
  const request = new XMLHttpRequest();
  entry.request = request;
  request.open("POST", `/api/v1/attachments?filename=${encodeURIComponent(entry.file.name)}`);
  request.setRequestHeader("X-Requested-With", "omnigate-console");
  request.setRequestHeader("Accept", "application/json");
  request.setRequestHeader("Content-Type", entry.contentType);
  request.upload.onprogress = (e) => {
    if (e.lengthComputable) entry.item.querySelector("progress").value = e.loaded / e.total;
  };
  request.onload = () => {
    entry.request = null;
    let body = null;
    try { body = JSON.parse(request.responseText); } catch { body = null; }
    if (request.status === 201 && body) entry.sha256 = body.sha256;
    else entry.error = refusal(request.status, body, entry.file.name);
    show(entry);
  };
  // A server refusing the body early (413 before reading it) may just close the connection.
  request.onerror = () => {
    entry.request = null;
    entry.error = t("attach.failed", { name: entry.file.name, reason: t("attach.connection_lost") });
    show(entry);
  };
  request.send(entry.file);
}

function add(fileList) {
  if (!allowed) return;
  for (const file of fileList) {
    if (files.length >= MAX_ATTACHMENTS) {
      $("reply-error").textContent = t("attach.too_many", { max: MAX_ATTACHMENTS });
      break;
    }
    const item = document.createElement("li");
    item.className = "attachment";
    const name = document.createElement("span");
    name.className = "attachment-name";
    name.textContent = `${file.name} (${formatSize(file.size)})`;
    const progress = document.createElement("progress");
    progress.max = 1;
    progress.value = 0;
    progress.setAttribute("aria-label", t("attach.progress", { name: file.name }));
    const status = document.createElement("span");
    status.className = "attachment-status";
    const removeButton = document.createElement("button");
    removeButton.type = "button";
    removeButton.className = "attachment-remove";
    removeButton.textContent = t("attach.remove");
    removeButton.setAttribute("aria-label", t("attach.remove_named", { name: file.name }));
    item.append(name, progress, status, removeButton);
    const entry = { file, sha256: null, contentType: file.type || "application/octet-stream", error: "", request: null, item };
    removeButton.addEventListener("click", () => remove(entry));
    files.push(entry);
    $("attachment-list").append(item);
    show(entry);
    upload(entry);
  }
}

export function setupAttachments() {
  const input = $("attachment-input");
  input.addEventListener("change", () => {
    add(input.files);
    input.value = "";  // the same file again is a new pick
  });
  const form = $("reply-form");
  form.addEventListener("dragover", (e) => {
    if (!allowed || !e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    form.classList.add("drop-target");
  });
  form.addEventListener("dragleave", () => form.classList.remove("drop-target"));
  form.addEventListener("drop", (e) => {
    form.classList.remove("drop-target");
    if (!allowed || !e.dataTransfer.files.length) return;
    e.preventDefault();
    add(e.dataTransfer.files);
  });
}

export function clearAttachments() {
  for (const entry of files) if (entry.request) entry.request.abort();
  files = [];
  $("attachment-list").replaceChildren();
}

// The picker for the open conversation's channel; hidden in note mode (notes carry no files),
// which keeps the files picked for the reply.
export function showAttachmentPicker(channelKind, hidden) {
  allowed = channelTakesFiles(channelKind) && !hidden;
  $("attachment-block").hidden = !allowed;
  if (!channelTakesFiles(channelKind)) clearAttachments();
}

// The reply's `attachments`, or an error message while one is uploading or failed.
export function replyAttachments() {
  if (files.some((f) => !f.sha256 && !f.error)) return { error: t("attach.wait") };
  if (files.some((f) => f.error)) return { error: t("attach.remove_failed") };
  return { attachments: files.map((f) => ({ filename: f.file.name, content_type: f.contentType, sha256: f.sha256 })) };
}
