#!/usr/bin/env node
// Both sides of the workspace browser test (tests/integration/test_workspace_browser.py starts
// the gateway with SMS, e-mail and web chat, brings one conversation of each to the agent, then
// runs this). Two browser contexts on the console the gateway serves: the agent sees the three
// conversations in one list, replies to each, transfers the chat to the billing team through
// the Transfer dialog and resolves the SMS; the supervisor keeps the supervisor view open and
// sees the live queue change without a reload. Screenshots go to --out-dir.
//
// The test checks what left the gateway and injects a new SMS on request: this script prints
// `NEED <what>` on stdout and waits for the line `done` on stdin. Progress goes to stderr, one
// line `RESULT <json>` to stdout on success; exit 1 with the reason (and screenshots of both
// pages) on the first failed expectation.
"use strict";

const path = require("path");
const fs = require("fs");
const readline = require("readline");
const { parseArgs } = require("./driver_args.cjs");

const args = parseArgs(process.argv, [
  "modules", "chromium", "gateway", "agent", "agent-password", "supervisor", "supervisor-password",
  "sms-text", "email-text", "chat-text", "second-sms-text", "replies", "out-dir",
]);
const { chromium } = require(path.join(args.modules, "playwright-core"));
const replies = JSON.parse(args.replies);

const STEP_TIMEOUT_MS = 20000;
const pages = {};
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function log(message) {
  process.stderr.write(`[workspace] ${message}\n`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function need(what) {
  process.stdout.write(`NEED ${what}\n`);
  const { value, done } = await stdinLines.next();
  expect(!done && value.trim() === "done", `the test did not do ${what}: ${value}`);
}

async function screenshot(page, name) {
  const file = path.join(args["out-dir"], `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
  return file;
}

async function openPage(browser, problems, who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  const page = await context.newPage();
  pages[who] = page;
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on("pageerror", (error) => problems.push(`${who}: page error: ${error.message}`));
  page.on("console", (m) => {
    // The 401 of "not logged in yet" is expected; chromium logs it as a console error.
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(`${who}: console error: ${m.text()}`);
  });
  return page;
}

async function login(page, user, password) {
  await page.goto(`${args.gateway}/`);
  await page.locator("#login-view").waitFor({ state: "visible" });
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.locator("#login-submit").click();
  await page.locator("#app-view").waitFor({ state: "visible" });
}

// A row of the agent's list by the channel label it shows ("SMS", "E-mail", "Web chat").
function mine(page, text) {
  return page.locator("#mine-list .conversation-row", { hasText: text });
}

async function waitText(locator, text, what) {
  try {
    await locator.filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).waitFor();
  } catch (error) {
    throw new Error(`${what}: expected "${text}", the page shows "${await locator.textContent().catch(() => "?")}"`);
  }
}

async function replyTo(page, channel, incoming, text) {
  await mine(page, channel).locator(".row-open").click();
  await page.locator("#transcript .message-in", { hasText: incoming }).waitFor();
  await page.getByLabel("Reply to the customer").fill(text);
  await page.locator("#reply-send").click();
  await page.locator("#transcript .message-out", { hasText: text }).waitFor();
}

async function main() {
  fs.mkdirSync(args["out-dir"], { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium, headless: true,
    args: ["--no-sandbox"],  // root in a container has no user namespaces for the sandbox
  });
  const problems = [];
  const shots = {};
  try {
    // ---- the supervisor opens the supervisor view first: nobody waits, ana holds three
    const sup = await openPage(browser, problems, "supervisor");
    await login(sup, args.supervisor, args["supervisor-password"]);
    const tab = sup.getByRole("button", { name: "Supervisor view" });
    await tab.click();
    expect(await tab.getAttribute("aria-pressed") === "true", "the supervisor toggle is not pressed");
    await sup.locator("#supervisor-view").waitFor({ state: "visible" });
    const count = sup.locator("#supervisor-queue-count");
    await waitText(count, "0", "the queue before");
    const anaLoad = sup.locator('#supervisor-agents tr[data-agent="ana"] .load');
    await waitText(anaLoad, "3", "ana's load");
    await sup.locator('#supervisor-agents tr[data-agent="ana"] .presence', { hasText: "Online" }).waitFor();
    await sup.locator('#supervisor-agents tr[data-agent="bob"] .presence', { hasText: "Away" }).waitFor();
    await waitText(sup.locator("#kpi-contacts"), "3", "today's contacts");
    await sup.evaluate(() => { window.workspaceTestMarker = "still the same page"; });
    shots.supervisor_before = await screenshot(sup, "supervisor_view");

    // ---- the agent: one list with the SMS, the e-mail and the chat
    const agent = await openPage(browser, problems, "agent");
    await login(agent, args.agent, args["agent-password"]);
    for (const channel of ["SMS", "E-mail", "Web chat"]) await mine(agent, channel).waitFor();
    expect(await agent.locator("#mine-list .conversation-row").count() === 3, "the list does not hold exactly three");
    shots.agent_queue = await screenshot(agent, "workspace_three_channels");

    // ---- a reply on each channel; the test checks each reached its customer
    await replyTo(agent, "SMS", args["sms-text"], replies.sms);
    await need("sms-reply");
    await replyTo(agent, "E-mail", args["email-text"], replies.email);
    await need("email-reply");
    await replyTo(agent, "Web chat", args["chat-text"], replies.webchat);
    await need("chat-reply");
    shots.agent_chat_reply = await screenshot(agent, "workspace_chat_reply");

    // ---- a new SMS waits (ana's one SMS place is taken): the supervisor's queue shows it live
    await need("second-sms");
    await waitText(count, "1", "the queue after a new SMS");
    await waitText(sup.locator('#supervisor-by-priority tr .count'), "1", "the per-priority row");
    shots.supervisor_new_sms = await screenshot(sup, "supervisor_view_new_sms");

    // ---- transfer the chat to the billing team through the dialog
    await mine(agent, "Web chat").locator(".row-open").click();
    await agent.locator("#transfer-button").click();
    const dialog = agent.getByRole("dialog", { name: "Transfer the conversation" });
    await dialog.waitFor();
    await agent.locator("#transfer-team option[value=billing]").waitFor({ state: "attached" });
    await agent.locator('#transfer-agent option[value="bob"]').waitFor({ state: "attached" });
    expect(await agent.locator('#transfer-agent option[value="ana"]').count() === 0, "the dialog offers ana to herself");
    expect(await agent.locator("#transfer-confirm").isDisabled(), "Transfer is enabled before a target is chosen");
    await agent.getByLabel("Team", { exact: true }).selectOption("billing");
    shots.transfer_dialog = await screenshot(agent, "workspace_transfer_dialog");
    await agent.locator("#transfer-confirm").click();
    await dialog.waitFor({ state: "hidden" });
    await mine(agent, "Web chat").waitFor({ state: "detached" });

    // ---- the supervisor sees it wait for billing, still without a reload
    await waitText(count, "2", "the queue after the transfer");
    await waitText(sup.locator('#supervisor-by-team tr[data-team="billing"] .count'), "1", "billing's row");
    await waitText(anaLoad, "2", "ana's load after the transfer");
    expect(await sup.evaluate(() => window.workspaceTestMarker === "still the same page"), "the supervisor page reloaded");
    shots.supervisor_after_transfer = await screenshot(sup, "supervisor_view_after_transfer");

    // ---- resolve the SMS: it leaves the list, and the waiting SMS takes ana's free place
    await mine(agent, replies.sms).locator(".row-open").click();
    await agent.locator("#resolve-button").click();
    await mine(agent, replies.sms).waitFor({ state: "detached" });
    await mine(agent, args["second-sms-text"]).waitFor();
    await waitText(count, "1", "the queue after the resolve");
    shots.agent_after = await screenshot(agent, "workspace_after_resolve");

    expect(problems.length === 0, `the console reported problems:\n${problems.join("\n")}`);
    process.stdout.write(`RESULT ${JSON.stringify({ screenshots: shots })}\n`);
  } catch (error) {
    if (problems.length) log(`problems so far:\n${problems.join("\n")}`);
    for (const [who, page] of Object.entries(pages)) {
      const shot = path.join(args["out-dir"], `failure_${who}.png`);
      await page.screenshot({ path: shot }).then(() => log(`failure screenshot ${shot}`), () => {});
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`[workspace] FAILED: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
