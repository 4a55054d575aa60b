#!/usr/bin/env node
// Both sides of the workspace browser test (tests/integration/test_workspace_browser.py starts
// the gateway with SMS, e-mail and web chat, brings one conversation of each to the agent, then
// runs this). Two browser contexts on the console the gateway serves: the agent sees the three
// conversations in one list, replies to each (the e-mail with a subject of her own, the quote and
// an attached file; the chat while the visitor's typing shows and her own typing reaches the
// visitor), transfers the chat to the billing team through
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
  "sms-text", "email-subject", "email-text", "email-signature", "chat-text", "second-sms-text",
  "replies", "attachment", "out-dir",
]);
const { chromium } = require(path.join(args.modules, "playwright-core"));
const replies = JSON.parse(args.replies);

const STEP_TIMEOUT_MS = 20000;
const pages = {};
const shots = {};
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

async function openByChannel(page, channel, incoming) {
  await mine(page, channel).locator(".row-open").click();
  const message = page.locator("#transcript .message-in", { hasText: incoming });
  await message.waitFor();
  return message;
}

async function send(page, text) {
  await page.getByLabel("Reply to the customer").fill(text);
  await page.locator("#reply-send").click();
  const sent = page.locator("#transcript .message-out", { hasText: text });
  await sent.waitFor();
  return sent;
}

// SMS: no subject, no file picker (the SMS plugin cannot send uploaded files).
async function replyToSms(page) {
  await openByChannel(page, "SMS", args["sms-text"]);
  expect(await page.locator("#email-fields").isHidden(), "an SMS reply shows e-mail fields");
  expect(await page.locator("#attachment-block").isHidden(), "an SMS reply offers attachments");
  await send(page, replies.sms);
}

// E-mail: the customer's quote folded and signature dimmed; the subject prefilled, changed; the
// quote toggled on; a file picked, uploaded and sent with the reply.
async function replyToEmail(page) {
  const incoming = await openByChannel(page, "E-mail", args["email-text"]);
  const folded = incoming.locator("details.quoted");
  expect(await folded.count() === 1, "the customer's quoted text is not folded");
  expect(!(await folded.evaluate((d) => d.open)), "the quoted text is open");
  expect(!(await incoming.locator("p.body").first().textContent()).includes(args["email-signature"]),
    "the signature is part of the new text");
  await incoming.locator(".signature", { hasText: args["email-signature"] }).waitFor();
  const subject = page.getByLabel("Subject", { exact: true });
  expect(await subject.inputValue() === `Re: ${args["email-subject"]}`,
    `the subject is prefilled with "${await subject.inputValue()}"`);
  await subject.fill(replies.email_subject);
  await page.getByLabel("Quote the customer's message").check();
  const file = path.basename(args.attachment);
  await page.locator("#attachment-input").setInputFiles(args.attachment);
  const picked = page.locator("#attachment-list .attachment", { hasText: file });
  await picked.locator(".attachment-status", { hasText: "Ready" }).waitFor();
  shots.email_compose = await screenshot(page, "workspace_email_compose");
  const sent = await send(page, replies.email);
  await sent.locator(".subject", { hasText: replies.email_subject }).waitFor();
  await sent.locator(".attachments li", { hasText: file }).waitFor();
  expect(await picked.count() === 0, "the sent file is still in the reply box");
  shots.email_sent = await screenshot(page, "workspace_email_sent");
}

// Chat: the visitor's typing shows and goes; the agent's typing reaches the visitor.
async function replyToChat(page) {
  await openByChannel(page, "Web chat", args["chat-text"]);
  await need("visitor-typing");
  const typing = page.locator("#customer-typing");
  await typing.filter({ hasText: "Customer is typing…" }).waitFor({ state: "visible" });
  shots.chat_typing = await screenshot(page, "workspace_chat_customer_typing");
  await need("visitor-stopped-typing");
  await typing.waitFor({ state: "hidden" });
  await page.getByLabel("Reply to the customer").pressSequentially(replies.webchat.slice(0, 4));
  await need("agent-typing");
  await send(page, replies.webchat);
}

async function main() {
  fs.mkdirSync(args["out-dir"], { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium, headless: true,
    args: ["--no-sandbox"],  // root in a container has no user namespaces for the sandbox
  });
  const problems = [];
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
    await replyToSms(agent);
    await need("sms-reply");
    await replyToEmail(agent);
    await need("email-reply");
    await replyToChat(agent);
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
