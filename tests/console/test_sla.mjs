// The queue's SLA cell (web/console/js/sla.js): amber from 5 minutes before the deadline, red
// after it; the countdown's text; which deadline counts. Run by node (ctest console_sla).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// Loaded as a module whatever node's default for a .js file without a package.json "type" is
// (node 18 would read it as CommonJS); sla.js imports nothing.
const source = readFileSync(new URL("../../web/console/js/sla.js", import.meta.url), "utf8");
const { dueAt, formatDuration, slaState, WARN_MS } =
  await import("data:text/javascript," + encodeURIComponent(source));

assert.equal(WARN_MS, 5 * 60 * 1000);
assert.equal(slaState(null), "none");
assert.equal(slaState(WARN_MS + 1), "ok");
assert.equal(slaState(WARN_MS), "warning");
assert.equal(slaState(0), "warning");
assert.equal(slaState(-1), "breached");

assert.equal(formatDuration(12 * 60 * 1000 + 40 * 1000), "12:40");
assert.equal(formatDuration(3723 * 1000), "1:02:03");
assert.equal(formatDuration(-190 * 1000), "-03:10");
assert.equal(formatDuration(999), "00:00");

const open = { first_response_at: null, first_response_due: 1000, resolution_due: 9000 };
assert.equal(dueAt(open), 1000);
assert.equal(dueAt({ ...open, first_response_at: 500 }), 9000);
assert.equal(dueAt({ first_response_at: 500, first_response_due: 1000, resolution_due: null }), null);
console.log("sla: ok");
