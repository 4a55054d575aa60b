#!/usr/bin/env node
// The agent's side of the console browser test (tests/integration/test_console_browser.py starts
// the gateway and the SMS stand-in, injects the SMS, then runs this). Drives Debian's chromium
// through playwright-core on the console the gateway serves at "/": log in, find the SMS
// conversation in "My conversations", open it, reply, resolve it; a second SMS arriving while
// the page is open appears without a reload; the language switch turns the page Chinese (and is
// remembered over a reload); the SLA cell turns amber, then red, as the page's clock is moved on
// to the deadline; the page at phone width; presence survives a reload. Screenshots go to
// --out-dir.
//
// The test injects SMS on request: this script prints `NEED <what>` on stdout and waits for one
// line on stdin. It prints progress to stderr and one line `RESULT <json>` on success; exits 1
// with the reason (and a screenshot of the failing page) on the first failed expectation.
"use strict";

const path = require("path");
const fs = require("fs");
const { parseArgs } = require("./driver_args.cjs");
const readline = require("readline");

const args = parseArgs(process.argv, [
  "modules", "chromium", "gateway", "user", "password", "first-customer", "first-text", "second-text", "reply-text", "out-dir"
]);
const { chromium } = require(path.join(args.modules, "playwright-core"));

const STEP_TIMEOUT_MS = 20000;
let currentPage = null;
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function log(message) {
  process.stderr.write(`[console_agent] ${message}\n`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Asks the test to do something (send an SMS) and waits until it says it is done.
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

function row(page, listId, text) {
  return page.locator(`#${listId} .conversation-row`, { hasText: text });
}

async function main() {
  fs.mkdirSync(args["out-dir"], { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    args: ["--no-sandbox"],  // root in a container has no user namespaces for the sandbox
  });
  const problems = [];  // script errors and Content-Security-Policy violations
  const shots = {};
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    // The page's clock runs as usual but can be moved on (the SLA colours below).
    await context.clock.install();
    const page = await context.newPage();
    currentPage = page;
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // The 401s of "not logged in yet", of the wrong password and after signing out are expected;
    // chromium logs every failed request as a console error.
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(`console error: ${m.text()}`);
    });

    // ---- log in
    log(`open ${args.gateway}/`);
    await page.goto(`${args.gateway}/`);
    await page.locator("#login-view").waitFor({ state: "visible" });
    expect((await page.locator("#login-view h1").textContent()) === "Sign in", "the login page is not in English");
    shots.login = await screenshot(page, "console_login");
    await page.getByLabel("User name").fill(args.user);
    await page.getByLabel("Password").fill("not the password");
    await page.locator("#login-submit").click();
    await page.locator("#login-error", { hasText: "Wrong user name or password" }).waitFor();
    await page.getByLabel("Password").fill(args.password);
    await page.getByLabel("Password").press("Enter");
    await page.locator("#app-view").waitFor({ state: "visible" });
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "og_session");
    expect(session && session.httpOnly && session.sameSite === "Strict",
           `the session cookie must be HttpOnly and SameSite=Strict: ${JSON.stringify(session)}`);
    expect(await page.evaluate(() => !document.cookie.includes("og_session")), "page script can read og_session");

    // ---- the SMS that arrived before the login is in "My conversations"
    const first = row(page, "mine-list", args["first-text"]);
    await first.waitFor();
    const firstRow = (await first.innerText()).replace(/\s+/g, " ");
    for (const part of ["SMS", "P", "Tier", "left"]) {
      expect(firstRow.includes(part), `the queue row lacks "${part}": ${firstRow}`);
    }
    expect(/sla-(ok|warning|breached)/.test(await first.getAttribute("class")),
           `the row has no SLA class: ${await first.getAttribute("class")}`);
    // The page must not reload from here on: a marker on window survives only without one.
    await page.evaluate(() => { window.consoleTestMarker = "still the same page"; });
    shots.queue = await screenshot(page, "console_queue");

    // ---- open it with the keyboard, reply, see the reply in the transcript
    await first.locator(".row-open").focus();
    await page.keyboard.press("Enter");
    await page.locator("#transcript .message-in", { hasText: args["first-text"] }).waitFor();
    await page.keyboard.press("r");
    expect(await page.evaluate(() => document.activeElement.id === "reply-text"), "r does not focus the reply box");
    await page.getByLabel("Reply to the customer").fill(args["reply-text"]);
    await page.locator("#reply-counter", { hasText: "1 SMS" }).waitFor();
    await page.locator("#reply-send").click();
    await page.locator("#transcript .message-out", { hasText: args["reply-text"] }).waitFor();
    expect((await page.locator("#reply-text").inputValue()) === "", "the reply box was not emptied");
    shots.conversation = await screenshot(page, "console_conversation");

    // ---- a second SMS while the page is open: it appears without a reload
    await need("second-sms");
    await row(page, "mine-list", args["second-text"]).waitFor();
    expect(await page.evaluate(() => window.consoleTestMarker === "still the same page"), "the page reloaded");

    // ---- the second's SLA cell: amber 5 minutes before its first-response deadline, red after
    const second = row(page, "mine-list", args["second-text"]);
    const msLeft = await page.evaluate(async (text) => {
      const list = await (await fetch("/api/v1/conversations?mine=true&status=assigned")).json();
      for (const c of list.conversations) {
        const detail = await (await fetch(`/api/v1/conversations/${c.id}`)).json();
        if (detail.transcript.some((e) => e.type === "message" && e.message.body_text === text)) {
          return c.first_response_due - Date.now();
        }
      }
      return null;
    }, args["second-text"]);
    expect(msLeft > 5 * 60 * 1000, `the second conversation's first response is due in ${msLeft} ms`);
    expect((await second.getAttribute("class")).includes("sla-ok"), "a far deadline is not sla-ok");
    await page.clock.fastForward(msLeft - 2 * 60 * 1000);
    await page.waitForFunction((el) => el.classList.contains("sla-warning"), await second.elementHandle());
    shots.sla_warning = await screenshot(page, "console_sla_warning");
    await page.clock.fastForward(3 * 60 * 1000);
    await page.waitForFunction((el) => el.classList.contains("sla-breached"), await second.elementHandle());
    expect((await second.locator(".sla").textContent()).includes("overdue"), "a breached row does not say overdue");

    // ---- resolve the first (its row now shows the reply: found by the customer's number), and
    // it leaves "My conversations"
    const firstByCustomer = row(page, "mine-list", args["first-customer"]);
    await firstByCustomer.locator(".preview", { hasText: args["reply-text"] }).waitFor();
    await page.locator("#resolve-button").click();
    await firstByCustomer.waitFor({ state: "detached" });
    expect(await page.locator("#resolve-button").isDisabled(), "resolve stays enabled on a resolved conversation");

    // ---- Chinese, remembered over a reload
    await page.locator("header select[data-role=language]").selectOption("zh-CN");
    await page.locator("#mine-heading", { hasText: "我的会话" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang) === "zh-CN", "html lang is not zh-CN");
    const secondRow = row(page, "mine-list", args["second-text"]);
    await secondRow.locator(".channel", { hasText: "短信" }).waitFor();
    shots.chinese = await screenshot(page, "console_zh_CN");
    await page.reload();
    await page.locator("#mine-heading", { hasText: "我的会话" }).waitFor();
    await secondRow.waitFor();

    // ---- phone width: the list alone, then the conversation alone with a back button
    await page.setViewportSize({ width: 390, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow <= 390, `the page is ${overflow} px wide at a 390 px viewport`);
    shots.phone_queue = await screenshot(page, "console_phone_queue");
    await secondRow.locator(".row-open").click();
    await page.locator("#back-button").waitFor({ state: "visible" });
    expect(!(await page.locator("#mine-list").isVisible()), "the list stays visible beside the conversation on a phone");
    shots.phone_conversation = await screenshot(page, "console_phone_conversation");
    await page.locator("#back-button").click();
    await secondRow.waitFor({ state: "visible" });

    // ---- presence: set to busy, and still busy after a reload (the stream's snapshot says so)
    const presenceSet = page.waitForResponse((r) => r.url().endsWith("/api/v1/agents/me/presence"));
    await page.getByLabel("在线状态").selectOption("busy");  // the page is in Chinese by now
    expect((await presenceSet).status() === 200, "PUT /agents/me/presence failed");
    await page.reload();
    await page.locator("#app-view").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.getElementById("presence-select").value === "busy");

    // ---- sign out: back to the login page, and the session is gone
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator("#logout-button").click();
    await page.locator("#login-view").waitFor({ state: "visible" });
    const after = await page.evaluate(() => fetch("/api/v1/auth/me").then((r) => r.status));
    expect(after === 401, `GET /auth/me after signing out: HTTP ${after}`);

    expect(problems.length === 0, `the console reported problems:\n${problems.join("\n")}`);
    await context.close();
    process.stdout.write(`RESULT ${JSON.stringify({ screenshots: shots })}\n`);
  } catch (error) {
    if (problems.length) log(`problems so far:\n${problems.join("\n")}`);
    if (currentPage && !currentPage.isClosed()) {
      const shot = path.join(args["out-dir"], "console_failure.png");
      await currentPage.screenshot({ path: shot }).then(() => log(`failure screenshot ${shot}`), () => {});
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`[console_agent] FAILED: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
