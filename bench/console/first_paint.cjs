#!/usr/bin/env node
// The browser's side of bench/console (run.py starts the gateway and fills its queue, then runs
// this): Debian's chromium through playwright-core logs in once, then opens the console at "/"
// --runs times, each a fresh navigation, and reads how long after navigation start the console
// set the performance mark "og:list-rendered" (web/console/js/queue_view.js: the first rows of
// a list are in the DOM). Prints one line `RESULT <json>`; exits 1 with the reason on failure
// (a script error or CSP violation on the page is one).
"use strict";

const path = require("path");
const { parseArgs } = require(path.join(__dirname, "..", "..", "tests", "browser", "driver_args.cjs"));

const args = parseArgs(process.argv, ["modules", "chromium", "gateway", "user", "password", "runs", "expect-rows"]);
const { chromium } = require(path.join(args.modules, "playwright-core"));
const MARK_TIMEOUT_MS = 60000;

async function main() {
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const login = await context.request.post(`${args.gateway}/api/v1/auth/login`, {
      data: { name: args.user, password: args.password },
    });
    if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`);
    });
    let apiRequests = 0;
    page.on("request", (request) => { if (request.url().includes("/api/v1/")) apiRequests += 1; });

    const runs = [];
    for (let i = 0; i < Number(args.runs); ++i) {
      apiRequests = 0;
      await page.goto(`${args.gateway}/`);
      await page.waitForFunction(() => performance.getEntriesByName("og:list-rendered").length > 0,
        null, { timeout: MARK_TIMEOUT_MS });
      const figures = await page.evaluate(() => {
        const first = document.querySelector(".conversation-row");
        return {
          ms: performance.getEntriesByName("og:list-rendered")[0].startTime,
          rows_in_dom: document.querySelectorAll(".conversation-row").length,
          setsize: first ? Number(first.getAttribute("aria-setsize")) : 0,
          // Where the span goes: each API request's start and end since navigation start.
          requests: performance.getEntriesByType("resource")
            .filter((e) => e.name.includes("/api/v1/"))
            .map((e) => `${new URL(e.name).pathname.replace("/api/v1", "")} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`),
        };
      });
      figures.api_requests = apiRequests;
      runs.push(figures);
      process.stderr.write(`[first_paint] run ${i + 1}: ${figures.ms.toFixed(1)} ms, ${figures.rows_in_dom} rows in the DOM of ${figures.setsize}, ${apiRequests} API requests (${figures.requests.join(", ")})\n`);
      if (figures.setsize !== Number(args["expect-rows"])) {
        throw new Error(`the list shows ${figures.setsize} conversations, not ${args["expect-rows"]}`);
      }
    }
    if (problems.length) throw new Error(problems.join("; "));
    process.stdout.write(`RESULT ${JSON.stringify({ runs })}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`[first_paint] FAILED: ${error.stack || error}\n`);
  process.exit(1);
});
