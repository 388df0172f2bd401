// The browser viewer's usage counters (web/shell/usage.js) without a browser: the records a
// visit makes from the viewer's events, as `disan report` reads them (engine/kiosk/src/usage.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startUsage, localTime, visitorDeclines } from "../shell/usage.js";

function visit() {
  let clock = Date.parse("2026-12-02T09:00:00+07:00");
  const sent = [];
  const usage = startUsage("https://portal.example.vn/usage", {
    now: () => clock,
    send: (url, body) => sent.push({ url, body }),
    page: {},
  });
  return {
    usage,
    wait: (seconds) => { clock += seconds * 1000; },
    records: () => sent.flatMap((s) => s.body.trim().split("\n").map((l) => JSON.parse(l))),
    sent,
  };
}

test("a visit: its exhibits, points, tours and language, and how long, as kiosk records of kiosk \"web\"", () => {
  const v = visit();
  v.usage.onEvent({ type: "ready", exhibit: { id: "trong-dong", lang: "vi" } });
  v.wait(12);
  v.usage.onEvent({ type: "hotspot-open", exhibit: "trong-dong", hotspot: "mat-troi", title: "…" });
  v.usage.onEvent({ type: "tour-step", exhibit: "trong-dong", tour: "main", stop: 1, count: 2, text: "" });
  v.wait(20);
  v.usage.onEvent({ type: "tour-step", exhibit: "trong-dong", tour: "main", stop: 2, count: 2, text: "" });
  v.wait(20);
  v.usage.onEvent({ type: "tour-end", exhibit: "trong-dong", tour: "main", completed: true });
  v.usage.onEvent({ type: "state", state: { lang: "en" } });
  v.usage.onEvent({ type: "state", state: { lang: "en" } });
  v.usage.onEvent({ type: "ready", exhibit: { id: "dinh-hang-kenh", lang: "en" } });
  v.wait(8);
  v.usage.onEvent({ type: "tour-step", exhibit: "dinh-hang-kenh", tour: "main", stop: 1, count: 5, text: "" });
  v.usage.onEvent({ type: "tour-end", exhibit: "dinh-hang-kenh", tour: "main", completed: false });
  // The visitor walks away; the page is closed 10 minutes later.
  v.wait(600);
  v.usage.endSession();

  const records = v.records();
  assert.deepEqual(records.map((r) => r.event), [
    "session-start", "view", "hotspot", "tour-start", "tour-complete", "language", "view-end", "view",
    "tour-start", "view-end", "session-end",
  ]);
  assert.ok(records.every((r) => r.kiosk === "web" && r.session === records[0].session));
  assert.ok(records.every((r) => /^2026-12-02T\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/.test(r.at)), records[0].at);
  assert.deepEqual(records[1], { ...records[1], exhibit: "trong-dong", lang: "vi" });
  assert.equal(records[2].hotspot, "mat-troi");
  assert.equal(records[5].lang, "en", "the switch to English, once");
  assert.equal(records[6].seconds, 52, "the drum was looked at to the end of its tour");
  assert.equal(records[9].seconds, 8, "the hall: to the last thing the visitor did, not to the page's closing");
  assert.equal(records[10].seconds, 60);
  assert.ok(v.sent.every((s) => s.url === "https://portal.example.vn/usage"));
});

test("records go in batches: every 20, and whatever is left when the visit ends", () => {
  const v = visit();
  v.usage.onEvent({ type: "ready", exhibit: { id: "trong-dong", lang: "vi" } });
  for (let i = 0; i < 25; i++) v.usage.onEvent({ type: "hotspot-open", exhibit: "trong-dong", hotspot: `h${i}` });
  assert.equal(v.sent.length, 1, "one batch of 20 so far");
  assert.equal(v.sent[0].body.trim().split("\n").length, 20);
  v.usage.endSession();
  assert.equal(v.sent.length, 2);
  assert.equal(v.records().length, 2 + 25 + 2);
  // Nothing before the first exhibit shows, nothing after the visit ends.
  v.usage.onEvent({ type: "hotspot-open", exhibit: "trong-dong", hotspot: "late" });
  v.usage.flush();
  assert.equal(v.sent.length, 2);
});

test("local time with its offset, and the browser's do-not-track wishes", () => {
  assert.match(localTime(new Date()), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  assert.equal(visitorDeclines({ globalPrivacyControl: true }), true);
  assert.equal(visitorDeclines({ doNotTrack: "1" }), true);
  assert.equal(visitorDeclines({ doNotTrack: "unspecified" }), false);
});
