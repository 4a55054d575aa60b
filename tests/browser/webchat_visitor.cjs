#!/usr/bin/env node
// The visitor's side of the web-chat browser test (tests/integration/test_webchat_browser.py
// starts the gateway and the test pages, then runs this). It drives Debian's chromium through
// playwright-core: the widget on a page of another origin, the pre-chat form, a conversation
// with an agent who answers through the REST API (this script calls it with fetch), a reload in
// the middle (the whole history again, each entry once, in order), a second tab on the same
// session, a screenshot; and a page on an origin the gateway does not allow, which must not get
// a connection. Prints progress to stderr and one line `RESULT <json>` on success; exits 1 with
// the reason (and a screenshot of the failing page) on the first failed expectation.
"use strict";

const path = require("path");
const fs = require("fs");
const { parseArgs } = require("./driver_args.cjs");

const args = parseArgs(process.argv, [
  "modules", "chromium", "page", "wrong-origin-page", "gateway", "instance", "agent-token", "supervisor-token", "agent", "out-dir"
]);
// playwright-core lives in the build tree (npm ci there), not next to this script.
const { chromium } = require(path.join(args.modules, "playwright-core"));

const STEP_TIMEOUT_MS = 20000;
let currentPage = null;

function log(message) {
  process.stderr.write(`[webchat_visitor] ${message}\n`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// ---------------------------------------------------------------------------- the REST API
async function api(method, apiPath, token, body) {
  const response = await fetch(`${args.gateway}/api/v1${apiPath}`, {
    method,
    headers: Object.assign({ Authorization: `Bearer ${token}` },
                           body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  return { status: response.status, data };
}

async function waitFor(what, probe, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The visitor's conversation, once the routing engine gave it to our agent.
async function assignedConversation() {
  let seen = [];
  try {
    return await waitFor(`the ${args.instance} conversation to be assigned to ${args.agent}`, async () => {
      const { status, data } = await api("GET", "/conversations?limit=100", args["supervisor-token"]);
      expect(status === 200, `GET /conversations: HTTP ${status} ${JSON.stringify(data)}`);
      seen = data.conversations;
      const mine = seen.filter((c) => c.channel_instance === args.instance && c.assigned_agent === args.agent);
      return mine.length === 1 ? mine[0] : null;
    });
  } catch (error) {
    throw new Error(`${error.message}; the conversations: ${JSON.stringify(seen)}`);
  }
}

async function agentReply(conversationId, text) {
  const { status, data } = await api("POST", `/conversations/${conversationId}/reply`, args["agent-token"], { text });
  expect(status === 202, `reply: HTTP ${status} ${JSON.stringify(data)}`);
}

// ---------------------------------------------------------------------------- the widget
// Playwright's CSS selectors pierce open shadow roots: `#omnigate-chat .og-launcher` reaches
// into the widget's Shadow DOM.
const W = "#omnigate-chat";

async function waitForAttribute(page, name, value) {
  await page.waitForFunction(([n, v]) => {
    const host = document.getElementById("omnigate-chat");
    return host && host.getAttribute(n) === v;
  }, [name, value], { timeout: STEP_TIMEOUT_MS });
}

// What the widget shows as the conversation: every log entry, in order.
async function shownLog(page) {
  return page.evaluate(() => {
    const root = document.getElementById("omnigate-chat").shadowRoot;
    return Array.from(root.querySelectorAll("[data-list=log] > li")).map((node) => ({
      kind: node.classList.contains("og-msg") ? "message" : node.classList.contains("og-event") ? "event" : "notice",
      seq: node.dataset.seq ? Number(node.dataset.seq) : null,
      author: node.dataset.author || null,
      text: node.classList.contains("og-msg") ? node.querySelector(".og-text").textContent : node.textContent,
    }));
  });
}

function messagesOf(entries) {
  return entries.filter((e) => e.kind === "message").map((e) => `${e.author}: ${e.text}`);
}

async function openPanel(page) {
  const launcher = page.locator(`${W} .og-launcher`);
  if ((await launcher.getAttribute("aria-expanded")) !== "true") await launcher.click();
  await page.locator(`${W} .og-panel`).waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
}

async function sendAsVisitor(page, text) {
  const input = page.locator(`${W} [data-form=composer] textarea`);
  await input.fill(text);
  await input.press("Enter");
  // Acknowledged: the message is an entry of the log (it has a seq), no longer pending.
  await page.locator(`${W} [data-list=log] .og-msg[data-author=visitor][data-seq] .og-text`, { hasText: text })
    .first().waitFor({ timeout: STEP_TIMEOUT_MS });
}

async function waitForAgentText(page, text) {
  await page.locator(`${W} [data-list=log] .og-msg[data-author=agent] .og-text`, { hasText: text })
    .first().waitFor({ timeout: STEP_TIMEOUT_MS });
}

// The log shows exactly `expected` (messages, in order, each once) and seqs only ever grow —
// checked again after a pause, so that a late duplicate would be caught.
async function expectHistory(page, expected, what) {
  await waitFor(`${what}: ${expected.length} messages`, async () => messagesOf(await shownLog(page)).length >= expected.length);
  await page.waitForTimeout(1000);
  const entries = await shownLog(page);
  const shown = messagesOf(entries);
  expect(JSON.stringify(shown) === JSON.stringify(expected),
         `${what}: the widget shows\n  ${shown.join("\n  ")}\nexpected\n  ${expected.join("\n  ")}`);
  const seqs = entries.filter((e) => e.seq !== null).map((e) => e.seq);
  for (let i = 1; i < seqs.length; i++) {
    expect(seqs[i] > seqs[i - 1], `${what}: seqs not strictly increasing: ${seqs}`);
  }
  const pending = await page.locator(`${W} [data-list=pending] > li`).count();
  expect(pending === 0, `${what}: ${pending} messages still pending`);
  return entries;
}

function watchErrors(page, label, errors) {
  page.on("pageerror", (error) => errors.push(`${label}: uncaught ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") log(`${label} console: ${message.text()}`);
  });
}

// ---------------------------------------------------------------------------- the scenario
async function conversationWithReload(context, pageErrors) {
  const page = await context.newPage();
  currentPage = page;
  watchErrors(page, "visitor tab", pageErrors);
  log(`open ${args.page}`);
  await page.goto(args.page);
  await waitForAttribute(page, "data-view", "prechat");
  await openPanel(page);

  log("fill the pre-chat form");
  await page.locator(`${W} [data-form=prechat] input[name=name]`).fill("Vera Visitor");
  await page.locator(`${W} [data-form=prechat] input[name=email]`).fill("vera@example.org");
  await page.locator(`${W} [data-form=prechat] select[name=topic]`).selectOption("orders");
  await page.locator(`${W} [data-form=prechat] button[type=submit]`).click();
  await waitForAttribute(page, "data-connection", "open");

  const expected = [];
  for (const text of ["Hello, my order 4711 has not arrived.", "It was due last Monday."]) {
    await sendAsVisitor(page, text);
    expected.push(`visitor: ${text}`);
  }
  const conversation = await assignedConversation();
  log(`conversation ${conversation.id} assigned to ${args.agent}`);

  log("the agent types, the visitor sees it");
  const typing = await api("POST", `/conversations/${conversation.id}/typing`, args["agent-token"]);
  expect(typing.status === 202, `typing: HTTP ${typing.status} ${JSON.stringify(typing.data)}`);
  await page.locator(`${W} .og-typing`, { hasText: /typing/ }).waitFor({ timeout: STEP_TIMEOUT_MS });

  // Markup in an agent's text is text: shown literally, never parsed.
  const replies = ["Sorry to hear that, let me check order 4711.", "It ships today <b>for sure</b> & <img src=x onerror=alert(1)>."];
  await agentReply(conversation.id, replies[0]);
  await waitForAgentText(page, replies[0]);
  expected.push(`agent: ${replies[0]}`);
  await sendAsVisitor(page, "Thank you!");
  expected.push("visitor: Thank you!");
  await agentReply(conversation.id, replies[1]);
  await waitForAgentText(page, "It ships today");
  expected.push(`agent: ${replies[1]}`);
  await expectHistory(page, expected, "before the reload");
  const injected = await page.evaluate(() => document.getElementById("omnigate-chat").shadowRoot.querySelectorAll("[data-list=log] b, [data-list=log] img").length);
  expect(injected === 0, "an agent's markup was rendered as HTML");

  log("reload in the middle of the conversation");
  await page.reload();
  await waitForAttribute(page, "data-connection", "open");
  await openPanel(page);
  await expectHistory(page, expected, "after the reload");

  log("the conversation goes on after the reload");
  await sendAsVisitor(page, "One more question after the reload.");
  expected.push("visitor: One more question after the reload.");
  const reply3 = "Sure, go ahead.";
  await agentReply(conversation.id, reply3);
  await waitForAgentText(page, reply3);
  expected.push(`agent: ${reply3}`);
  await expectHistory(page, expected, "after the reload, continued");

  log("a second tab on the same session");
  const second = await context.newPage();
  watchErrors(second, "second tab", pageErrors);
  await second.goto(args.page);
  await waitForAttribute(second, "data-connection", "open");
  await openPanel(second);
  await expectHistory(second, expected, "second tab");
  currentPage = second;
  await sendAsVisitor(second, "Written in the second tab.");
  expected.push("visitor: Written in the second tab.");
  await expectHistory(second, expected, "second tab after its message");
  currentPage = page;
  await expectHistory(page, expected, "first tab, the second tab's message");
  await second.close();

  const screenshot = path.join(args["out-dir"], "webchat_visitor.png");
  await page.screenshot({ path: screenshot });
  log(`screenshot ${screenshot}`);
  return { conversation_id: conversation.id, expected, screenshot };
}

// A page whose origin is not in allowed_origins: no status (CORS), no WebSocket (403).
async function wrongOrigin(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  currentPage = page;
  log(`open ${args["wrong-origin-page"]}`);
  await page.goto(args["wrong-origin-page"]);
  await waitForAttribute(page, "data-view", "unavailable");
  await openPanel(page); // for the screenshot: the visitor is told, not left with a dead form
  const wsUrl = `${args.gateway.replace(/^http/, "ws")}/channels/${args.instance}/ws`;
  const attempt = await page.evaluate((url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    let opened = false;
    socket.onopen = () => { opened = true; socket.close(); };
    socket.onclose = (event) => resolve({ opened, code: event.code });
    setTimeout(() => resolve({ opened, code: "no close within 10 s" }), 10000);
  }), wsUrl);
  expect(!attempt.opened, `a WebSocket from the wrong origin was accepted: ${JSON.stringify(attempt)}`);
  expect(attempt.code === 1006, `the refused WebSocket should close abnormally (1006): ${JSON.stringify(attempt)}`);
  const status = await page.evaluate((url) => fetch(url).then((r) => `HTTP ${r.status}`, () => "refused"),
                                     `${args.gateway}/channels/${args.instance}/status`);
  expect(status === "refused", `GET /status from the wrong origin must fail CORS, got ${status}`);
  const screenshot = path.join(args["out-dir"], "webchat_wrong_origin.png");
  await page.screenshot({ path: screenshot });
  await context.close();
  return { websocket: attempt, status, screenshot };
}

async function main() {
  fs.mkdirSync(args["out-dir"], { recursive: true });
  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ["--no-sandbox"],
  });
  try {
    const pageErrors = [];
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const visitor = await conversationWithReload(context, pageErrors);
    await context.close();
    expect(pageErrors.length === 0, `the widget threw:\n${pageErrors.join("\n")}`);
    const refused = await wrongOrigin(browser);
    process.stdout.write(`RESULT ${JSON.stringify({ visitor, wrong_origin: refused })}\n`);
  } catch (error) {
    if (currentPage && !currentPage.isClosed()) {
      const shot = path.join(args["out-dir"], "webchat_failure.png");
      await currentPage.screenshot({ path: shot }).then(() => log(`failure screenshot ${shot}`), () => {});
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`[webchat_visitor] FAILED: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
