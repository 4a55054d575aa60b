// Merging two customer records (docs/api.md, "Customer merges"): the dialog asks the gateway for
// a dry run, shows the fields whose values differ with a choice per field and which record
// survives, merges, and offers Undo until the merge's undo window ends.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { formatTime } from "./preferences.js";

const $ = (id) => document.getElementById(id);
// The dry run names these fields; `take` chooses per field.
const FIELDS = ["display_name", "tier", "attributes", "account", "contacts"];

let pair = null;        // [a, b] customer ids
let survivorId = null;
let lastMerge = null;   // the merge Undo applies to
let onDone = () => {};

function fieldLabel(field) {
  switch (field) {
    case "display_name": return t("merge.field_display_name");
    case "tier": return t("merge.field_tier");
    case "attributes": return t("merge.field_attributes");
    case "account": return t("merge.field_account");
    case "contacts": return t("merge.field_contacts");
    default: return field;
  }
}

function shown(value) {
  if (value === null || value === undefined || value === "") return t("merge.empty_value");
  return typeof value === "string" ? value : JSON.stringify(value);
}

function radio(name, value, checked, labelText) {
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "radio";
  input.name = name;
  input.value = value;
  input.checked = checked;
  label.append(input, " ", labelText);
  return label;
}

function mergedId() {
  return pair[0] === survivorId ? pair[1] : pair[0];
}

async function dryRun() {
  $("merge-error").textContent = "";
  $("merge-confirm").disabled = true;
  const choice = $("merge-survivor-choice");
  choice.replaceChildren(...pair.map((id) => radio("merge-survivor", String(id), id === survivorId,
    t("merge.keep_record", { id }))));
  for (const input of choice.querySelectorAll("input")) {
    input.addEventListener("change", () => { survivorId = Number(input.value); dryRun(); });
  }
  try {
    const preview = await api("POST", "/customers/merge", { survivor_id: survivorId, merged_id: mergedId(), dry_run: true });
    const rows = preview.conflicts.filter((c) => FIELDS.includes(c.field)).map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.field = c.field;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = fieldLabel(c.field);
      const keep = document.createElement("td");
      keep.append(radio(`take-${c.field}`, "survivor", true, shown(c.survivor)));
      const take = document.createElement("td");
      take.append(radio(`take-${c.field}`, "merged", false, shown(c.merged)));
      tr.append(th, keep, take);
      return tr;
    });
    $("merge-conflict-rows").replaceChildren(...rows);
    $("merge-no-conflicts").hidden = rows.length > 0;
    $("merge-moves").textContent = t("merge.moves", {
      conversations: preview.conversations_moved.length, identities: preview.identities_moved.length,
      hours: preview.undo_hours,
    });
    $("merge-confirm").disabled = false;
  } catch (error) {
    $("merge-error").textContent = t("merge.failed", { reason: error.message });
  }
}

function chosenTake() {
  const take = {};
  for (const tr of $("merge-conflict-rows").children) {
    const checked = tr.querySelector("input:checked");
    if (checked) take[tr.dataset.field] = checked.value;
  }
  return take;
}

async function confirmMerge(event) {
  event.preventDefault();
  $("merge-confirm").disabled = true;
  try {
    const { merge } = await api("POST", "/customers/merge", { survivor_id: survivorId, merged_id: mergedId(), take: chosenTake() });
    lastMerge = merge;
    $("merge-dialog").close();
    showUndo();
    await onDone();
  } catch (error) {
    $("merge-error").textContent = t("merge.failed", { reason: error.message });
    $("merge-confirm").disabled = false;
  }
}

// Undo stays offered while the window lasts; afterwards the gateway would refuse it anyway.
function showUndo() {
  const open = lastMerge && !lastMerge.undone_at && Date.now() < lastMerge.undo_until;
  $("merge-undo-bar").hidden = !open;
  if (open) {
    $("merge-undo-text").textContent = t("merge.done", {
      merged: lastMerge.merged_id, survivor: lastMerge.survivor_id, until: formatTime(lastMerge.undo_until),
    });
  }
}

async function undo() {
  if (!lastMerge) return;
  $("merge-undo").disabled = true;
  try {
    const { merge } = await api("POST", `/customers/merges/${lastMerge.id}/undo`);
    lastMerge = merge;
    $("merge-undo-bar").hidden = true;
    $("customer-error").textContent = "";
    await onDone();
  } catch (error) {
    $("customer-error").textContent = t("merge.undo_failed", { reason: error.message });
  } finally {
    $("merge-undo").disabled = false;
  }
}

export function setupMergeDialog({ afterChange }) {
  onDone = afterChange;
  $("merge-form").addEventListener("submit", confirmMerge);
  $("merge-cancel").addEventListener("click", () => $("merge-dialog").close());
  $("merge-undo").addEventListener("click", undo);
}

// The record the agent is looking at is offered as the survivor.
export function openMergeDialog(currentId, otherId) {
  pair = [currentId, otherId];
  survivorId = currentId;
  $("merge-conflict-rows").replaceChildren();
  $("merge-dialog").showModal();
  dryRun();
}
