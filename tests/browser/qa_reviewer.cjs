#!/usr/bin/env node
// The QA reviewer's side of check 5 of issue 19 (tests/integration/test_qa_browser.py brings a
// recorded, transcribed call and an answered e-mail to resolution, then runs this). A user with
// the role qa only logs in to the console and gets the QA view: builds a per-agent sample of the
// voice and e-mail conversations dealt to himself, opens the call (audio player, transcription)
// and the e-mail (subject, sender, new text, the quoted part folded), scores both on the default
// scorecard — every criterion 4 (binary yes), the e-mail's service effect N/A — and reads the
// overall the gateway computed; then the report (both reviews counted for the agent, the CSV)
// and the view in Chinese. Progress on stderr, `RESULT <json>` on stdout; exit 1 with the
// reason and a screenshot on the first failed expectation. Screenshots go to --out-dir.
"use strict";

const path = require("path");
const fs = require("fs");
const { parseArgs } = require("./driver_args.cjs");

const args = parseArgs(process.argv, [
  "modules", "chromium", "gateway", "user", "password", "agent", "voice-conversation",
  "email-conversation", "transcription", "email-subject", "email-new-text", "email-quoted",
  "out-dir",
]);
const { chromium } = require(path.join(args.modules, "playwright-core"));

const STEP_TIMEOUT_MS = 20000;

function log(message) {
  process.stderr.write(`[qa] ${message}\n`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function screenshot(page, name) {
  const file = path.join(args["out-dir"], `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
  return file;
}

function row(page, tbody, conversationId) {
  return page.locator(`#${tbody} tr[data-conversation-id="${conversationId}"]`);
}

// Every criterion of the open scorecard at 4 (binary: yes), except those given in `overrides`.
async function score(page, overrides) {
  const criteria = await page.locator("#qa-criteria .qa-criterion").evaluateAll(
    (fields) => fields.map((f) => f.dataset.criterion));
  expect(criteria.length === 5, `the default scorecard has five criteria, the form shows ${criteria}`);
  for (const criterion of criteria) {
    const field = page.locator(`#qa-criteria [data-criterion="${criterion}"]`);
    const value = overrides[criterion] ?? ((await field.locator('input[value="4"]').count()) ? "4" : "1");
    await field.locator(`input[value="${value}"]`).check();
  }
}

async function review(page, conversationId) {
  await row(page, "qa-inbox-items", conversationId).getByRole("button", { name: "Review" }).click();
  await page.locator("#qa-review").waitFor({ state: "visible" });
  await page.locator("#qa-review-title", { hasText: `Conversation ${conversationId}` }).waitFor();
  await page.locator("#qa-scorecard-title", { hasText: "Scorecard default, version 1" }).waitFor();
}

async function submit(page, conversationId, overrides, expectedOverall) {
  await score(page, overrides);
  await page.getByRole("button", { name: "Submit review" }).click();
  await page.locator("#qa-review-result", { hasText: `Overall: ${expectedOverall}%` }).waitFor();
  await row(page, "qa-inbox-items", conversationId).locator("td", { hasText: "Submitted" }).waitFor();
  await row(page, "qa-my-reviews", conversationId).waitFor();
}

async function main() {
  fs.mkdirSync(args["out-dir"], { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium, headless: true,
    args: ["--no-sandbox"],  // root in a container has no user namespaces for the sandbox
  });
  const problems = [];
  const shots = {};
  let page = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (m) => {
      // The 401 of "not logged in yet" is expected; chromium logs it as a console error.
      if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(`console error: ${m.text()}`);
    });

    // ---- a qa-only user gets the QA view at once: no queue, no toggles, no event stream
    await page.goto(`${args.gateway}/`);
    await page.getByLabel("User name").fill(args.user);
    await page.getByLabel("Password").fill(args.password);
    await page.locator("#login-submit").click();
    await page.locator("#qa-view").waitFor({ state: "visible" });
    expect(await page.locator(".queue").isHidden(), "the agents' queue is shown to a reviewer");
    expect(await page.locator("#qa-tab").isHidden() && await page.locator("#supervisor-tab").isHidden(),
      "a qa-only user sees the view toggles");
    expect(await page.locator("#connection-banner").isHidden(), "the reviewer's page shows the stream banner");

    // ---- the sample builder: 5 per agent, voice and e-mail only, dealt to me, a fixed seed
    await page.getByRole("tab", { name: "New sample" }).click();
    const builder = page.locator("#qa-sample-form");
    await builder.getByLabel("Name", { exact: true }).fill("Calls and mails");
    await builder.getByLabel("Strategy").selectOption("per_agent");
    await builder.getByLabel("Per agent", { exact: true }).fill("5");
    await builder.locator("#qa-channels").getByLabel("Phone").check();
    await builder.locator("#qa-channels").getByLabel("E-mail").check();
    await builder.getByLabel("Seed").fill("42");
    await builder.getByLabel("Reviewers").fill(args.user);
    await builder.getByRole("button", { name: "Draw the sample" }).click();
    await page.locator("#qa-drawn-summary", { hasText: "2 conversations (seed 42)" }).waitFor();
    for (const id of [args["voice-conversation"], args["email-conversation"]]) {
      await row(page, "qa-drawn-items", id).locator("td", { hasText: args.user }).waitFor();
    }
    const sampleId = Number(await page.locator("#qa-calibration-sample").inputValue());
    expect(sampleId > 0, "no sample id after drawing");
    shots.sample_builder = await screenshot(page, "qa_sample_builder");

    // ---- the inbox: both items are mine to review
    await page.getByRole("tab", { name: "My reviews" }).click();
    for (const id of [args["voice-conversation"], args["email-conversation"]]) {
      await row(page, "qa-inbox-items", id).locator("td", { hasText: "To review" }).waitFor();
    }
    shots.inbox = await screenshot(page, "qa_inbox");

    // ---- the call: its card, the recording's player, the transcription, then the scores
    await review(page, args["voice-conversation"]);
    await page.locator("#qa-transcript .qa-call", { hasText: "Call" }).waitFor();
    const audio = page.locator("#qa-transcript .qa-recording audio");
    await audio.waitFor();
    expect(await audio.evaluate((a) => a.controls && /^https?:\/\/.+\.wav$/.test(a.dataset.src)),
      `the recording's player: ${await audio.evaluate((a) => a.outerHTML)}`);
    await page.locator("#qa-transcript .qa-transcription", { hasText: args.transcription }).scrollIntoViewIfNeeded();
    shots.voice_review = await screenshot(page, "qa_voice_review");
    await submit(page, args["voice-conversation"], {}, "78.8");
    shots.voice_scored = await screenshot(page, "qa_voice_scored");

    // ---- the e-mail: subject and sender, the new text open, the quote folded until asked
    await review(page, args["email-conversation"]);
    const mail = page.locator("#qa-transcript .qa-email.qa-in").first();
    await mail.locator(".qa-email-subject", { hasText: args["email-subject"] }).waitFor();
    await mail.locator(".qa-email-from", { hasText: "kunde@customer.example" }).waitFor();
    await mail.locator(":scope > .body", { hasText: args["email-new-text"] }).waitFor();
    const quoted = mail.locator(".qa-quoted");
    expect(!(await quoted.evaluate((d) => d.open)), "the quoted part is not folded");
    expect(!(await mail.locator(":scope > .body").innerText()).includes(args["email-quoted"]),
      "the quoted text is shown with the new text");
    await quoted.locator("summary").click();
    await quoted.locator(".body", { hasText: args["email-quoted"] }).waitFor({ state: "visible" });
    await page.locator("#qa-transcript .qa-email.qa-out").waitFor();
    shots.email_review = await screenshot(page, "qa_email_review");
    await submit(page, args["email-conversation"], { service_effect: "na" }, "79.7");
    shots.email_scored = await screenshot(page, "qa_email_scored");

    // ---- the report: both reviews counted for the agent, a bar, the CSV link
    await page.getByRole("tab", { name: "Reports" }).click();
    await page.getByLabel("Group by").selectOption("agent");
    await page.locator("#qa-report-form").getByRole("button", { name: "Show" }).click();
    const agentRow = page.locator(`#qa-report-rows tr[data-key="${args.agent}"]`);
    await agentRow.waitFor();
    const cells = await agentRow.locator("td").allInnerTexts();
    expect(cells[1] === "2", `the report counts ${cells[1]} reviews for ${args.agent}: ${cells}`);
    await page.locator(`#qa-report-chart g[data-key="${args.agent}"] rect`).waitFor();
    const href = await page.locator("#qa-report-csv").getAttribute("href");
    expect(/format=csv/.test(href), `the CSV link: ${href}`);
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href);
    expect(csv.startsWith("key,month,reviews,qa_score"), `the CSV: ${csv.slice(0, 200)}`);
    const csvRow = csv.split("\r\n").find((line) => line.startsWith(`${args.agent},`));
    expect(csvRow && csvRow.split(",")[2] === "2", `the CSV's row of ${args.agent}: ${csvRow}`);
    shots.report = await screenshot(page, "qa_report");

    // ---- the same view in Chinese, from the same catalogue
    await page.locator("header select[data-role=language]").selectOption("zh-CN");
    await page.locator("#qa-heading", { hasText: "质量检查" }).waitFor();
    await page.getByRole("tab", { name: "我的质检" }).click();
    await row(page, "qa-inbox-items", args["voice-conversation"]).locator("td", { hasText: "已提交" }).waitFor();
    shots.zh_CN = await screenshot(page, "qa_zh_CN");

    expect(problems.length === 0, `the console reported problems:\n${problems.join("\n")}`);
    process.stdout.write(`RESULT ${JSON.stringify({ screenshots: shots, sample_id: sampleId })}\n`);
  } catch (error) {
    if (problems.length) log(`problems so far:\n${problems.join("\n")}`);
    if (page) {
      const shot = path.join(args["out-dir"], "failure.png");
      await page.screenshot({ path: shot, fullPage: true }).then(() => log(`failure screenshot ${shot}`), () => {});
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`[qa] FAILED: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
