// QA reports (docs/qa.md "Reports"): GET /qa/reports per agent, team, channel or tier for a
// month — a bar chart of the QA score drawn as SVG through the DOM (the page's CSP allows no
// inline style; sizes are SVG attributes), the table of every figure, and the same report as CSV.
import { api } from "./api.js";
import { language, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const BAR_HEIGHT = 22;
const LABEL_WIDTH = 160;
const CHART_WIDTH = 560;

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function format(value, options = {}) {
  if (value === null || value === undefined) return t("qa.na");
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 1, ...options }).format(value);
}

function rowLabel(row, months) {
  return months.length > 1 ? `${row.key} ${row.month}` : row.key;
}

function chart(rows, months) {
  const scored = rows.filter((r) => r.qa_score !== null && r.qa_score !== undefined);
  const barSpace = CHART_WIDTH - LABEL_WIDTH - 50;
  const root = svg("svg", { viewBox: `0 0 ${CHART_WIDTH} ${Math.max(1, scored.length) * BAR_HEIGHT + 4}`,
    role: "img", "aria-label": t("qa.chart_label"), class: "qa-chart-svg" });
  scored.forEach((row, i) => {
    const y = i * BAR_HEIGHT + 2;
    const bar = svg("g", { "data-key": row.key });
    bar.append(svg("text", { x: LABEL_WIDTH - 6, y: y + 15, "text-anchor": "end", class: "qa-chart-label" }, rowLabel(row, months)),
      svg("rect", { x: LABEL_WIDTH, y, width: Math.max(1, (barSpace * row.qa_score) / 100), height: BAR_HEIGHT - 6, class: "qa-chart-bar" }),
      svg("text", { x: LABEL_WIDTH + (barSpace * row.qa_score) / 100 + 6, y: y + 15, class: "qa-chart-value" }, format(row.qa_score)));
    root.append(bar);
  });
  return root;
}

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (tag === "th") node.scope = "row";
  return node;
}

function query() {
  return `group_by=${encodeURIComponent($("qa-report-group").value)}&month=${encodeURIComponent($("qa-report-month").value)}`;
}

export async function showReport() {
  $("qa-report-error").textContent = "";
  $("qa-report-csv").href = `/api/v1/qa/reports?${query()}&format=csv`;
  try {
    const report = await api("GET", `/qa/reports?${query()}`);
    $("qa-report-chart").replaceChildren(chart(report.rows, report.months));
    const percent = { style: "percent", maximumFractionDigits: 1 };
    $("qa-report-rows").replaceChildren(...report.rows.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.key = r.key;
      tr.append(cell("th", r.key), cell("td", r.month), cell("td", String(r.reviews)), cell("td", format(r.qa_score)),
        cell("td", String(r.contacts)), cell("td", format(r.response_timeliness_rate, percent)),
        cell("td", format(r.resolution_rate, percent)), cell("td", String(r.complaints)),
        cell("td", r.csat_count ? t("qa.csat", { avg: format(r.csat_avg), count: r.csat_count }) : t("qa.na")));
      return tr;
    }));
  } catch (error) {
    $("qa-report-error").textContent = t("qa.report_failed", { reason: error.message });
  }
}

export function setupReports() {
  const now = new Date();
  $("qa-report-month").value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  $("qa-report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showReport();
  });
}
