// The sample builder (docs/qa.md "1. Choose what to look at", "2. Choose how many"): a strategy,
// a filter, a seed and the reviewers become POST /qa/samples; the drawn items are listed with
// their reviewer, and the sample joins the ones this browser knows (the inbox's menu).
import { api } from "./api.js";
import { t } from "./i18n.js";
import { channelLabel } from "./labels.js";

const $ = (id) => document.getElementById(id);
const CHANNELS = ["sms", "email", "webchat", "voice", "whatsapp"];
const TIERS = ["S", "A", "B", "C"];

function targetLabel(target) {
  switch (target) {
    case "sla_breached": return t("qa.target_sla_breached");
    case "escalated": return t("qa.target_escalated");
    case "transferred": return t("qa.target_transferred");
    case "low_csat": return t("qa.target_low_csat");
    default: return target;
  }
}

const TARGETS = ["sla_breached", "escalated", "transferred", "low_csat"];

function checkboxes(container, name, values, label) {
  container.replaceChildren(...values.map((value) => {
    const wrap = document.createElement("label");
    wrap.className = "check";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    const text = document.createElement("span");
    text.textContent = label(value);
    wrap.append(input, text);
    return wrap;
  }));
}

function checked(container) {
  return [...container.querySelectorAll("input:checked")].map((input) => input.value);
}

function list(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

// A date input's day, at midnight in the browser's zone, as the API's milliseconds.
function dayStart(input) {
  return input.value ? new Date(`${input.value}T00:00:00`).getTime() : undefined;
}

function showStrategyFields() {
  const kind = $("qa-strategy").value;
  for (const block of document.querySelectorAll(".qa-strategy-fields")) block.hidden = block.dataset.strategy !== kind;
}

function strategy() {
  const kind = $("qa-strategy").value;
  const number = (id) => ($(id).value === "" ? undefined : Number($(id).value));
  switch (kind) {
    case "random_percent": return { kind, percent: number("qa-percent"), min_per_agent: number("qa-min-per-agent") };
    case "per_agent": return { kind, per_agent: number("qa-per-agent") };
    case "stratified": {
      const strata = {};
      for (const pair of list($("qa-strata").value)) {
        const [key, size] = pair.split("=").map((s) => s.trim());
        strata[key] = Number(size);
      }
      return { kind, by: $("qa-by").value, strata };
    }
    default: return { kind, limit: number("qa-limit") };
  }
}

function filter() {
  const f = {
    from: dayStart($("qa-from")), to: dayStart($("qa-to")),
    channels: checked($("qa-channels")), tiers: checked($("qa-tiers")),
    agents: list($("qa-agents").value), targets: checked($("qa-targets")),
    keyword: $("qa-keyword").value.trim(),
  };
  // Only what narrows: an empty list or text would be a filter that selects nothing.
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)));
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function showDrawn(sample) {
  const shortfalls = Object.entries(sample.shortfalls || {}).map(([k, n]) => `${k}: ${n}`).join(", ");
  $("qa-drawn-summary").textContent = t("qa.drawn", { id: sample.id, count: sample.items.length, seed: sample.seed })
    + (shortfalls ? " " + t("qa.shortfalls", { list: shortfalls }) : "");
  $("qa-drawn-items").replaceChildren(...sample.items.map((item) => {
    const tr = document.createElement("tr");
    tr.dataset.conversationId = String(item.conversation_id);
    tr.append(cell(t("supervisor.conversation", { id: item.conversation_id })), cell(item.agent), cell(item.stratum),
      cell(item.reviewer || t("qa.unassigned")));
    return tr;
  }));
  $("qa-drawn").hidden = false;
}

export function setupSampleBuilder({ me, onDrawn }) {
  checkboxes($("qa-channels"), "channel", CHANNELS, channelLabel);
  checkboxes($("qa-tiers"), "tier", TIERS, (tier) => t("queue.tier", { tier }));
  checkboxes($("qa-targets"), "target", TARGETS, targetLabel);
  $("qa-strategy").addEventListener("change", showStrategyFields);
  $("qa-sample-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("qa-sample-error").textContent = "";
    const body = { strategy: strategy(), filter: filter() };
    const name = $("qa-sample-name").value.trim();
    if (name) body.name = name;
    if ($("qa-seed").value !== "") body.seed = Number($("qa-seed").value);
    const reviewers = list($("qa-reviewers").value);
    body.reviewers = reviewers.length ? reviewers : [me().name];
    try {
      const sample = await api("POST", "/qa/samples", body);
      showDrawn(sample);
      onDrawn(sample);
    } catch (error) {
      $("qa-sample-error").textContent = t("qa.sample_failed", { reason: error.message });
    }
  });
}

// After a language change: the check boxes carry translated labels.
export function retranslateSampleBuilder() {
  for (const [id, label] of [["qa-channels", channelLabel], ["qa-tiers", (tier) => t("queue.tier", { tier })], ["qa-targets", targetLabel]]) {
    for (const input of $(id).querySelectorAll("input")) input.nextElementSibling.textContent = label(input.value);
  }
}
