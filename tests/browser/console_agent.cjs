#!/usr/bin/env node
// The agent's side of the console browser test (tests/integration/test_console_browser.py starts
// the gateway and the SMS stand-in, injects the SMS, then runs this). Drives Debian's chromium
// through playwright-core on the console the gateway serves at "/": log in, find the SMS
// conversation in "My conversations", open it, reply, resolve it; a second SMS arriving while
// the page is open appears without a reload; the language switch turns the page Chinese (and is
// remembered over a reload); the SLA cell turns amber, then red, as the page's clock is moved on
// to the deadline; the page at phone width; presence survives a reload. And the agent-side
// features of issue 18: the customer panel (identities, tier, duplicates), the time zone (times
// in the user's zone, saved with PUT /auth/me/preferences), Enter sending but not while an IME
// composes, setting the priority, unread counts in the list and the title with sound and
// desktop notifications, internal notes and canned responses, and a supervisor merging two customers
// from the panel, with the conflicting fields shown, then undoing it. Screenshots go to
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
  "modules", "chromium", "gateway", "user", "password", "first-customer", "first-text", "second-text", "reply-text", "out-dir",
  "third-text", "customer-name", "first-conversation", "supervisor", "supervisor-password",
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

// Records desktop notifications, permission requests and beeps (the page's own code runs
// unchanged; this only watches the browser APIs it calls).
function watchNotifications() {
  window.__notified = [];
  window.__permissionRequests = 0;
  window.__beeps = 0;
  const Real = window.Notification;
  class Watched extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notified.push({ title, body: options && options.body });
    }
  }
  Watched.requestPermission = (...a) => { window.__permissionRequests += 1; return Real.requestPermission(...a); };
  Object.defineProperty(Watched, "permission", { get: () => Real.permission });
  window.Notification = Watched;
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (...a) { window.__beeps += 1; return createOscillator.apply(this, a); };
}

// The transcript's times are in the zone the agent chose, not the browser's (America/Los_Angeles).
async function expectTimesInShanghai(page) {
  const times = await page.locator("#transcript .message-in time").first().evaluate((el) => {
    const at = new Date(el.dateTime);
    const options = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    const lang = document.documentElement.lang;
    return { shown: el.textContent,
             shanghai: new Intl.DateTimeFormat(lang, { ...options, timeZone: "Asia/Shanghai" }).format(at),
             browser: new Intl.DateTimeFormat(lang, options).format(at) };
  });
  expect(times.shown === times.shanghai && times.shown !== times.browser, `transcript time not in Asia/Shanghai: ${JSON.stringify(times)}`);
}

async function supervisorMerges(browser, problems, shots) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  const page = await context.newPage();
  currentPage = page;
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on("pageerror", (error) => problems.push(`supervisor page error: ${error.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[14]/.test(m.text())) problems.push(`supervisor console error: ${m.text()}`);
  });
  await page.goto(`${args.gateway}/#conversation=${args["first-conversation"]}`);
  await page.getByLabel("User name").fill(args.supervisor);
  await page.getByLabel("Password").fill(args["supervisor-password"]);
  await page.locator("#login-submit").click();
  // The link opens the conversation after the login (supervisors have no such row in a list).
  await page.locator("#transcript .message-in", { hasText: args["first-text"] }).waitFor();
  const panel = page.locator("#customer-panel");
  await panel.locator("#customer-name", { hasText: args["customer-name"] }).waitFor();
  const suggestion = panel.locator("#customer-duplicates li", { hasText: "same name and company" });
  await suggestion.waitFor();
  await suggestion.getByRole("button", { name: "Merge…" }).click();
  const dialog = page.locator("#merge-dialog");
  await dialog.waitFor({ state: "visible" });
  // The conflicting fields, each with both values: tier C (staying) against A (merged) and the
  // attributes; the merged record's tier is taken.
  const tierRow = dialog.locator("#merge-conflict-rows tr[data-field=tier]");
  await tierRow.waitFor();
  expect((await tierRow.innerText()).replace(/\s+/g, " ").includes("C A"), `tier conflict row: ${await tierRow.innerText()}`);
  await dialog.locator("#merge-conflict-rows tr[data-field=attributes]").waitFor();
  await tierRow.getByRole("radio", { name: "A" }).check();
  shots.merge_dialog = await screenshot(page, "console_merge_dialog");
  await dialog.getByRole("button", { name: "Merge", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  // Merged: one customer with both numbers and the other conversation, tier A, and Undo offered.
  await page.locator("#merge-undo-bar", { hasText: "merged into" }).waitFor();
  await panel.locator("#customer-identities li", { hasText: "+14155550103" }).waitFor();
  await panel.locator("#customer-tier", { hasText: "Tier A" }).waitFor();
  await panel.locator("#customer-history li").first().waitFor();
  await panel.locator("#customer-duplicates-block").waitFor({ state: "hidden" });  // no longer suggested
  shots.merged = await screenshot(page, "console_customer_merged");
  await page.locator("#merge-undo").click();
  await page.locator("#merge-undo-bar").waitFor({ state: "hidden" });
  await panel.locator("#customer-tier", { hasText: "Tier C" }).waitFor();
  await panel.locator("#customer-identities li", { hasText: "+14155550103" }).waitFor({ state: "detached" });
  await suggestion.waitFor();
  await context.close();
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
    // The browser's zone is not the one the agent picks below: times must follow the pick.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: "America/Los_Angeles",
    });
    await context.grantPermissions(["notifications"]);
    await context.addInitScript(watchNotifications);
    // The page's clock runs as usual but can be moved on (the SLA colours below).
    await context.clock.install();
    const page = await context.newPage();
    currentPage = page;
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // The 401s of "not logged in yet", of the wrong password and after signing out are expected;
    // chromium logs every failed request as a console error.
    page.on("console", (m) => {
      if (m.type() !== "error" || /status of 401/.test(m.text())) return;
      problems.push(`console error: ${m.text()} (${(m.location() || {}).url || ""})`);
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

    // ---- settings: a time zone of the agent's own (saved with the user), sound and desktop
    // notifications (the permission is asked only now, on the click)
    await page.locator(".settings summary").click();
    const zoneSaved = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/me/preferences"));
    await page.getByLabel("Time zone").selectOption("Asia/Shanghai");
    const zoneStatus = (await zoneSaved).status();
    expect(zoneStatus === 200, `PUT /auth/me/preferences: HTTP ${zoneStatus}`);
    expect(await page.evaluate(() => window.__permissionRequests === 0), "notification permission asked before the click");
    await page.getByLabel("Sound on new messages").check();
    await page.getByLabel("Desktop notifications").check();
    expect(await page.evaluate(() => window.__permissionRequests === 1), "the click did not ask for the permission");
    expect(await page.getByLabel("Desktop notifications").isChecked(), "desktop notifications not on after the grant");
    await page.locator(".settings summary").click();

    // ---- open it with the keyboard, reply, see the reply in the transcript
    await first.locator(".row-open").focus();
    await page.keyboard.press("Enter");
    await page.locator("#transcript .message-in", { hasText: args["first-text"] }).waitFor();
    // The customer panel: name, tier, the identity, and the suggested duplicate (agents see
    // suggestions; merging is for supervisors, below).
    const panel = page.locator("#customer-panel");
    await panel.locator("#customer-name", { hasText: args["customer-name"] }).waitFor();
    await panel.locator("#customer-tier", { hasText: "Tier C" }).waitFor();
    await panel.locator("#customer-identities li", { hasText: args["first-customer"] }).waitFor();
    await panel.locator("#customer-duplicates li", { hasText: "same name and company" }).waitFor();
    expect(await panel.locator(".merge-open").count() === 0, "an agent is offered a merge the API refuses them");
    await expectTimesInShanghai(page);

    await page.keyboard.press("r");
    expect(await page.evaluate(() => document.activeElement.id === "reply-text"), "r does not focus the reply box");
    // IME: the Enter that confirms a composition must not send. A composition through CDP as an
    // input method makes it, then Enter (isComposing), then an Enter after compositionstart
    // reported without isComposing (as Safari orders it): nothing may leave.
    const replies = [];
    page.on("request", (r) => { if (/\/reply$/.test(r.url())) replies.push(r.url()); });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Input.imeSetComposition", { text: "ni hao", selectionStart: 6, selectionEnd: 6 });
    await page.keyboard.press("Enter");
    await cdp.send("Input.insertText", { text: "你好" });
    const composed = await page.locator("#reply-text").inputValue();
    expect(composed.includes("你好"), `IME text: ${JSON.stringify(composed)}`);
    expect(replies.length === 0, "the Enter during the IME composition sent the reply");
    await page.locator("#reply-text").evaluate((el) => {
      el.dispatchEvent(new CompositionEvent("compositionstart", { data: "" }));
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", isComposing: true, bubbles: true, cancelable: true }));
      el.dispatchEvent(new CompositionEvent("compositionend", { data: "你好" }));
    });
    await page.waitForTimeout(300);
    expect(replies.length === 0, `Enter during an IME composition sent the reply: ${replies}`);
    expect((await page.locator("#reply-text").inputValue()) === composed, "the composed text was lost");
    shots.ime = await screenshot(page, "console_ime");
    // Without a composition Enter sends.
    await page.getByLabel("Reply to the customer").fill(args["reply-text"]);
    await page.locator("#reply-counter", { hasText: "1 SMS" }).waitFor();
    await page.getByLabel("Reply to the customer").press("Enter");
    await page.locator("#transcript .message-out", { hasText: args["reply-text"] }).waitFor();
    expect((await page.locator("#reply-text").inputValue()) === "", "the reply box was not emptied");
    expect(replies.length === 1, `${replies.length} reply requests for one Enter`);
    shots.conversation = await screenshot(page, "console_conversation");

    // ---- internal note: the Reply/Note switch, the note in the transcript, not to the customer
    await page.getByLabel("Internal note", { exact: true }).check();
    await page.getByLabel("Internal note (only your team sees it)").fill("Courier called: parcel at the depot.");
    await page.getByLabel("Internal note (only your team sees it)").press("Enter");
    await page.locator("#transcript .note", { hasText: "parcel at the depot" }).waitFor();
    shots.note = await screenshot(page, "console_note");
    await page.getByLabel("Reply", { exact: true }).check();

    // ---- canned response: "/ship" in the reply box, placeholders filled
    await page.getByLabel("Reply to the customer").fill("/ship");
    const option = page.locator("#canned-list [role=option]", { hasText: "/ship" });
    await option.waitFor();
    await page.getByLabel("Reply to the customer").press("Enter");
    await page.waitForFunction(() => !document.getElementById("reply-text").value.startsWith("/"));
    const expanded = await page.locator("#reply-text").inputValue();
    expect(expanded === `Hello ${args["customer-name"]}, this is ${args.user}: your order ships today.`, `canned text: ${expanded}`);
    expect(replies.length === 1, "choosing a canned response sent it");
    await page.locator("#reply-text").fill("");

    // ---- priority from the header: P2 with a reason; the row and the transcript say so
    await page.getByLabel("Priority", { exact: true }).selectOption("2");
    await page.getByLabel("Reason").fill("Order for a key account");
    await page.getByRole("button", { name: "Set priority" }).click();
    await page.locator("#priority-status", { hasText: "P2" }).waitFor();
    await page.locator("#transcript .event", { hasText: "Priority changed to P2" }).waitFor();
    await row(page, "mine-list", args["reply-text"]).locator(".priority", { hasText: "P2" }).waitFor();

    // ---- a second SMS while the page is open: it appears without a reload
    await need("second-sms");
    await row(page, "mine-list", args["second-text"]).waitFor();
    expect(await page.evaluate(() => window.consoleTestMarker === "still the same page"), "the page reloaded");
    // Unread while another conversation is open: in its row, in the title, and announced.
    await row(page, "mine-list", args["second-text"]).locator(".unread", { hasText: "1 unread" }).waitFor();
    await page.waitForFunction(() => document.title.startsWith("(1) "));
    const notified = await page.evaluate(() => window.__notified);
    expect(notified.length === 1 && notified[0].title.startsWith("New message from"),
           `desktop notifications: ${JSON.stringify(notified)}`);
    expect(notified[0].body.includes(args["second-text"]), `notification body: ${notified[0].body}`);
    expect(await page.evaluate(() => window.__beeps >= 2), "no sound on the new message");  // 1: the toggle's own
    shots.unread = await screenshot(page, "console_unread");

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

    // ---- resolve the first (its row now shows the reply, and the customer's name rather than
    // the number), and it leaves "My conversations"
    const firstByReply = row(page, "mine-list", args["reply-text"]);
    await firstByReply.locator(".customer", { hasText: args["customer-name"] }).waitFor();
    await page.locator("#resolve-button").click();
    await firstByReply.waitFor({ state: "detached" });
    expect(await page.locator("#resolve-button").isDisabled(), "resolve stays enabled on a resolved conversation");
    // Opening the second reads it: no badge, no count in the title.
    await row(page, "mine-list", args["second-text"]).locator(".row-open").click();
    await row(page, "mine-list", args["second-text"]).locator(".unread").waitFor({ state: "detached" });
    await page.waitForFunction(() => !document.title.startsWith("("));

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
    await expectTimesInShanghai(page);  // the choice outlived the reload
    // The customer panel takes the screen in turn, and gives it back.
    await page.locator("#customer-button").click();
    await page.locator("#customer-identities li", { hasText: "+14155550102" }).waitFor({ state: "visible" });
    expect(!(await page.locator("#transcript").isVisible()), "the transcript stays beside the customer panel on a phone");
    shots.phone_customer = await screenshot(page, "console_phone_customer");
    await page.locator("#customer-close").click();
    await page.locator("#transcript").waitFor({ state: "visible" });
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

    await context.close();

    // ---- a supervisor merges the two records of one customer from the panel, then undoes it
    await supervisorMerges(browser, problems, shots);

    expect(problems.length === 0, `the console reported problems:\n${problems.join("\n")}`);
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
