// The calibration view (docs/qa.md "6. Calibration"): for each conversation of a sample scored by
// two reviewers or more, every reviewer's deviation from the reference (the experts', else the
// median) per criterion, the mean absolute deviation and the overall's — GET /qa/calibration.
import { api } from "./api.js";
import { language, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function number(value, signed = false) {
  if (value === null || value === undefined) return t("qa.na");
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 2, signDisplay: signed ? "exceptZero" : "auto" }).format(value);
}

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (tag === "th") node.scope = "row";
  return node;
}

function calibrationTable(calibration) {
  const criteria = Object.keys(calibration.reference_scores);
  const table = document.createElement("table");
  table.className = "qa-table";
  table.dataset.conversationId = String(calibration.conversation_id);
  const caption = document.createElement("caption");
  caption.textContent = t("qa.calibration_caption", {
    id: calibration.conversation_id,
    reference: calibration.reference === "expert" ? t("qa.reference_expert") : t("qa.reference_median"),
    overall: number(calibration.reference_overall),
  });
  const head = document.createElement("tr");
  head.append(cell("th", t("qa.col_reviewer")), cell("th", t("qa.col_overall")), cell("th", t("qa.col_overall_deviation")),
    cell("th", t("qa.col_mean_abs_deviation")), ...criteria.map((c) => cell("th", c)));
  for (const th of head.children) th.scope = "col";
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  for (const r of calibration.reviewers) {
    const tr = document.createElement("tr");
    const deviations = new Map(r.criteria.map((c) => [c.criterion, c.deviation]));
    tr.append(cell("th", r.expert ? t("qa.expert", { reviewer: r.reviewer }) : r.reviewer), cell("td", number(r.overall)),
      cell("td", number(r.overall_deviation, true)), cell("td", number(r.mean_abs_deviation)),
      ...criteria.map((c) => cell("td", number(deviations.get(c), true))));
    tbody.append(tr);
  }
  table.append(caption, thead, tbody);
  return table;
}

export async function showCalibration(sampleId) {
  const { calibrations } = await api("GET", `/qa/calibration?sample_id=${sampleId}`);
  $("qa-calibration-result").replaceChildren(...calibrations.map(calibrationTable));
  $("qa-calibration-empty").hidden = calibrations.length > 0;
}
