// The scorecard form beside the transcript (docs/qa.md "Scorecards", "Reviews"): every criterion
// of the scorecard version on its scale (binary yes/no, or 1–5), N/A where the criterion allows
// it, a comment each; proposals of GET /qa/prefill are ticked in advance. The overall shown after
// submitting is the gateway's (POST /qa/reviews computes it), never recomputed here.
import { api } from "./api.js";
import { language, t } from "./i18n.js";

const NA = "na";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The newest version of each name, newest first: the form scores with the first (the version a
// review points at stays as it was when the card changes later).
export function latestVersions(scorecards) {
  const byName = new Map();
  for (const card of scorecards) {
    const best = byName.get(card.name);
    if (!best || card.version > best.version) byName.set(card.name, card);
  }
  return [...byName.values()].sort((a, b) => b.id - a.id);
}

function choice(criterion, value, label) {
  const wrap = el("label", "qa-choice");
  const input = document.createElement("input");
  input.type = "radio";
  input.name = `qa-score-${criterion.id}`;
  input.value = value;
  input.required = true;
  wrap.append(input, el("span", "", label));
  return wrap;
}

function criterionField(criterion) {
  const field = el("fieldset", "qa-criterion");
  field.dataset.criterion = criterion.id;
  const legend = el("legend", "", t("qa.criterion", { label: criterion.label || criterion.id, weight: criterion.weight }));
  if (criterion.auto_fail) legend.append(" ", el("span", "qa-auto-fail", t("qa.auto_fail")));
  field.append(legend);
  const choices = el("div", "qa-choices");
  if (criterion.scale === "binary") {
    choices.append(choice(criterion, "1", t("qa.yes")), choice(criterion, "0", t("qa.no")));
  } else {
    for (let s = 1; s <= 5; ++s) choices.append(choice(criterion, String(s), String(s)));
  }
  if (criterion.na_allowed) choices.append(choice(criterion, NA, t("qa.na")));
  field.append(choices);
  const comment = el("input", "qa-comment");
  comment.maxLength = 2000;
  comment.setAttribute("aria-label", t("qa.comment_for", { label: criterion.label || criterion.id }));
  comment.placeholder = t("qa.comment");
  field.append(comment, el("span", "qa-prefilled meta"));
  return field;
}

function criteriaOf(card) {
  return card.definition.sections.flatMap((section) => section.criteria);
}

export function renderScorecard(container, titleEl, card) {
  titleEl.textContent = t("qa.scorecard_title", { name: card.name, version: card.version });
  container.replaceChildren(...card.definition.sections.map((section) => {
    const block = el("section", "qa-section");
    block.append(el("h4", "", section.title), ...section.criteria.map(criterionField));
    return block;
  }));
}

export async function prefillScorecard(container, card, conversationId) {
  const { scores } = await api("GET", `/qa/prefill?conversation_id=${conversationId}&scorecard_id=${card.id}`);
  for (const { criterion, score } of scores) {
    const field = container.querySelector(`[data-criterion="${criterion}"]`);
    const input = field && field.querySelector(`input[type=radio][value="${score}"]`);
    if (!input) continue;
    input.checked = true;
    field.querySelector(".qa-prefilled").textContent = t("qa.prefilled");
  }
}

// The answers as POST /qa/reviews wants them; null when a criterion has no answer yet.
export function collectScores(container, card) {
  const scores = [];
  for (const criterion of criteriaOf(card)) {
    const field = container.querySelector(`[data-criterion="${criterion.id}"]`);
    const picked = field.querySelector("input[type=radio]:checked");
    if (!picked) return null;
    const comment = field.querySelector(".qa-comment").value.trim();
    scores.push({ criterion: criterion.id, score: picked.value === NA ? null : Number(picked.value), ...(comment ? { comment } : {}) });
  }
  return scores;
}

export function overallText(review) {
  const overall = new Intl.NumberFormat(language(), { maximumFractionDigits: 1 }).format(review.overall);
  return review.auto_failed ? t("qa.result_auto_failed", { overall }) : t("qa.result", { overall });
}
