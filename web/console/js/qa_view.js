// The QA console (docs/qa.md "The QA console"): a view of the agents' console for reviewers —
// users with the role qa see it at login; supervisors and admins open it with "Quality" in the
// top bar. Tabs: the reviewer's inbox (a sample's items dealt to me, and what I scored), the
// sample builder, calibration and reports; a review opens the transcript beside the scorecard.
import { api } from "./api.js";
import { language, t } from "./i18n.js";
import { showCalibration } from "./qa_calibration.js";
import { setupReports } from "./qa_reports.js";
import { retranslateSampleBuilder, setupSampleBuilder } from "./qa_sample_builder.js";
import { collectScores, latestVersions, overallText, prefillScorecard, renderScorecard } from "./qa_scorecard.js";
import { renderQaTranscript } from "./qa_transcript.js";

const $ = (id) => document.getElementById(id);
// The API lists no samples: the ids drawn or opened in this browser are offered in the menus.
const KNOWN_SAMPLES_KEY = "omnigate.qa.samples";

const state = {
  me: () => null,
  loaded: false,
  sample: null,          // GET /qa/samples/{id} shown in the inbox
  myReviews: [],         // GET /qa/reviews?reviewer=me
  scorecard: null,       // the version the form scores with
  review: null,          // {conversationId, sampleId, detail} open beside the scorecard
};

function knownSamples() {
  try {
    const ids = JSON.parse(localStorage.getItem(KNOWN_SAMPLES_KEY) || "[]");
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch {
    return [];
  }
}

function fillKnownSamples() {
  $("qa-known-samples").replaceChildren(...knownSamples().map((id) => new Option(t("qa.sample_option", { id }), String(id))));
}

function rememberSample(id) {
  const ids = [id, ...knownSamples().filter((known) => known !== id)].slice(0, 50);
  localStorage.setItem(KNOWN_SAMPLES_KEY, JSON.stringify(ids));
  fillKnownSamples();
}

function selectTab(panelId) {
  for (const tab of document.querySelectorAll("[data-qa-panel]")) {
    const selected = tab.dataset.qaPanel === panelId;
    tab.setAttribute("aria-selected", String(selected));
    $(tab.dataset.qaPanel).hidden = !selected;
  }
  if (panelId !== "qa-inbox") $("qa-review").hidden = true;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function reviewOf(conversationId) {
  return state.myReviews.find((r) => r.conversation_id === conversationId && (!state.sample || r.sample_id === state.sample.id));
}

function reviewStateLabel(review) {
  if (!review) return t("qa.state_to_do");
  switch (review.state) {
    case "submitted": return t("qa.state_submitted");
    case "acknowledged": return t("qa.state_acknowledged");
    case "disputed": return t("qa.state_disputed");
    case "dispute_upheld": return t("qa.state_dispute_upheld");
    case "dispute_rejected": return t("qa.state_dispute_rejected");
    default: return review.state;
  }
}

function renderInbox() {
  const me = state.me().name;
  const items = state.sample ? state.sample.items.filter((item) => item.reviewer === me) : [];
  $("qa-inbox-items").replaceChildren(...items.map((item) => {
    const tr = document.createElement("tr");
    tr.dataset.conversationId = String(item.conversation_id);
    const review = reviewOf(item.conversation_id);
    const open = document.createElement("button");
    open.type = "button";
    open.className = "qa-open-review";
    open.textContent = review ? t("qa.read") : t("qa.review");
    open.addEventListener("click", () => openReview(item.conversation_id, state.sample.id));
    const action = document.createElement("td");
    action.append(open);
    tr.append(cell(t("supervisor.conversation", { id: item.conversation_id })), cell(item.agent), cell(item.stratum),
      cell(reviewStateLabel(review)), action);
    return tr;
  }));
  $("qa-inbox-empty").hidden = items.length > 0;
  const format = new Intl.NumberFormat(language(), { maximumFractionDigits: 1 });
  $("qa-my-reviews").replaceChildren(...state.myReviews.map((review) => {
    const tr = document.createElement("tr");
    tr.dataset.conversationId = String(review.conversation_id);
    tr.append(cell(t("supervisor.conversation", { id: review.conversation_id })), cell(review.agent),
      cell(format.format(review.overall)), cell(reviewStateLabel(review)));
    return tr;
  }));
}

async function loadMyReviews() {
  const { reviews } = await api("GET", `/qa/reviews?reviewer=${encodeURIComponent(state.me().name)}`);
  state.myReviews = reviews;
}

async function openSample(id) {
  $("qa-sample-id").value = String(id);
  $("qa-inbox-error").textContent = "";
  try {
    state.sample = await api("GET", `/qa/samples/${id}`);
    rememberSample(id);
    await loadMyReviews();
  } catch (error) {
    $("qa-inbox-error").textContent = t("qa.load_failed", { reason: error.message });
  }
  renderInbox();
}

async function openReview(conversationId, sampleId) {
  try {
    await showReview(conversationId, sampleId);
  } catch (error) {
    $("qa-inbox-error").textContent = t("qa.load_failed", { reason: error.message });
  }
}

async function showReview(conversationId, sampleId) {
  $("qa-inbox-error").textContent = "";
  $("qa-review-error").textContent = "";
  $("qa-review-result").textContent = "";
  $("qa-overall-comment").value = "";
  const detail = await api("GET", `/conversations/${conversationId}`);
  state.review = { conversationId, sampleId, detail };
  renderQaTranscript({ title: $("qa-review-title"), meta: $("qa-review-meta"), list: $("qa-transcript") }, detail);
  renderScorecard($("qa-criteria"), $("qa-scorecard-title"), state.scorecard);
  $("qa-review").hidden = false;
  const done = reviewOf(conversationId);
  $("qa-submit").disabled = Boolean(done);
  if (done) $("qa-review-result").textContent = overallText(done);
  else await prefillScorecard($("qa-criteria"), state.scorecard, conversationId);
  $("qa-review-title").focus();
}

async function submitReview(event) {
  event.preventDefault();
  $("qa-review-error").textContent = "";
  const scores = collectScores($("qa-criteria"), state.scorecard);
  if (!scores) {
    $("qa-review-error").textContent = t("qa.answer_all");
    return;
  }
  const body = { conversation_id: state.review.conversationId, scorecard_id: state.scorecard.id, scores };
  if (state.review.sampleId) body.sample_id = state.review.sampleId;
  const comment = $("qa-overall-comment").value.trim();
  if (comment) body.comment = comment;
  $("qa-submit").disabled = true;
  try {
    const review = await api("POST", "/qa/reviews", body);
    $("qa-review-result").textContent = overallText(review);
    await loadMyReviews();
    renderInbox();
  } catch (error) {
    $("qa-submit").disabled = false;
    $("qa-review-error").textContent = t("qa.review_failed", { reason: error.message });
  }
}

async function loadOnce() {
  if (state.loaded) return;
  state.loaded = true;
  try {
    const { scorecards } = await api("GET", "/qa/scorecards");
    state.scorecard = latestVersions(scorecards)[0];
    const known = knownSamples();
    if (known.length) return await openSample(known[0]);
    await loadMyReviews();
  } catch (error) {
    state.loaded = false;
    $("qa-inbox-error").textContent = t("qa.load_failed", { reason: error.message });
  }
  renderInbox();
}

export function setupQaView({ me }) {
  state.me = me;
  for (const tab of document.querySelectorAll("[data-qa-panel]")) {
    tab.addEventListener("click", () => selectTab(tab.dataset.qaPanel));
  }
  $("qa-open-sample").addEventListener("submit", (event) => {
    event.preventDefault();
    openSample(Number($("qa-sample-id").value));
  });
  $("qa-calibration-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("qa-calibration-error").textContent = "";
    try {
      await showCalibration(Number($("qa-calibration-sample").value));
    } catch (error) {
      $("qa-calibration-error").textContent = t("qa.load_failed", { reason: error.message });
    }
  });
  $("qa-scorecard").addEventListener("submit", submitReview);
  $("qa-review-close").addEventListener("click", () => { $("qa-review").hidden = true; });
  setupSampleBuilder({
    me,
    onDrawn: (sample) => {
      rememberSample(sample.id);
      $("qa-sample-id").value = String(sample.id);
      $("qa-calibration-sample").value = String(sample.id);
      state.sample = sample;
      renderInbox();
    },
  });
  setupReports();
  fillKnownSamples();
}

// Shows or hides the view (the top bar's toggle; always shown for qa-only users).
export async function showQaView(show) {
  document.body.classList.toggle("qa-open", show);
  $("qa-view").hidden = !show;
  $("qa-tab").setAttribute("aria-pressed", String(show));
  if (show) await loadOnce();
}

// After a language change or logout.
export function rerenderQaView() {
  retranslateSampleBuilder();
  fillKnownSamples();
  if (!state.loaded) return;
  renderInbox();
  if (state.review && !$("qa-review").hidden) {
    renderQaTranscript({ title: $("qa-review-title"), meta: $("qa-review-meta"), list: $("qa-transcript") }, state.review.detail);
  }
}

export function resetQaView() {
  state.loaded = false;
  state.sample = null;
  state.myReviews = [];
  state.review = null;
  $("qa-review").hidden = true;
}
