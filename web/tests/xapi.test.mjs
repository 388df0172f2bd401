// Learning records (web/shell/xapi.js) against the strict test LRS of lrs.mjs: no browser.
// `cd web && node --test tests/xapi.test.mjs`
import { test } from "node:test";
import assert from "node:assert/strict";
import { startLrs, statementProblem } from "./lrs.mjs";
import { launchFromUrl, LaunchError, LearningRecords, isoDuration, learningRecordsFromPage } from "../shell/xapi.js";

const V = (name) => `http://adlnet.gov/expapi/verbs/${name}`;
const CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const LESSON = "trong-dong-dong-son";
const LESSON_IRI = `https://disan.haiphong.gov.vn/lessons/${LESSON}`;
const AUTH = `Basic ${Buffer.from("disan:secret").toString("base64")}`;

/** A localStorage of the tests: a Map, shared by the "pages" of one test. */
function memoryStorage() {
  const data = new Map();
  return {
    data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => void data.set(k, String(v)),
    removeItem: (k) => void data.delete(k),
  };
}

/** A clock the test moves: one minute per lesson event. */
function clock() {
  const c = { t: Date.parse("2025-03-03T01:30:00.000Z") };
  c.now = () => c.t;
  c.tick = (ms = 60000) => (c.t += ms);
  return c;
}

const text = (vi, en) => ({ vi, en });

/** A lesson as the viewer's engine reports it: 2 steps, 3 questions, 2 answered right. */
function lessonEvents({ badStep = false } = {}) {
  const choices = [
    { id: "1", text: text("Mặt trống", "The tympanum") },
    { id: "2", text: text("Tang trống", "The shoulder") },
    { id: "3", text: text("Thân trống", "The body") },
    { id: "4", text: text("Quai trống", "The handles") },
  ];
  return [
    { type: "lesson-start", lesson: LESSON, title: text("Trống đồng Đông Sơn", "The Đông Sơn bronze drum"), steps: 2, questions: 3, lang: "vi" },
    { type: "lesson-step", lesson: LESSON, step: "bon-phan", number: 1, steps: 2, exhibit: "trong-dong", text: text("Trống có bốn phần…", "The drum has four parts…") },
    { type: "lesson-answer", lesson: LESSON, step: "bon-phan", question: "phan-dau", kind: "single", prompt: text("Phần nào ở trên cùng?", "Which part is on top?"), choices, response: ["1"], correct: ["1"], success: true },
    { type: "lesson-answer", lesson: LESSON, step: "bon-phan", question: "cac-phan", kind: "multiple", prompt: text("Chọn ba phần của trống.", "Choose three parts of the drum."), choices, response: ["1", "3"], correct: ["1", "2", "3"], success: false },
    ...(badStep ? [{ type: "lesson-step", lesson: LESSON, step: "bad-step", number: 2, steps: 3, exhibit: "trong-dong", text: text("…", "…") }] : []),
    { type: "lesson-step", lesson: LESSON, step: "mat-trong", number: 2, steps: 2, exhibit: "trong-dong", text: text("Giữa mặt trống là ngôi sao…", "At the centre is a star…") },
    { type: "lesson-answer", lesson: LESSON, step: "mat-trong", question: "tim-ngoi-sao", kind: "find", prompt: text("Chạm vào mặt trời.", "Tap the sun."), choices: [{ id: "star", text: text("Ngôi sao", "The star") }, { id: "birds", text: text("Chim Lạc", "Lạc birds") }], response: ["star"], correct: ["star"], success: true },
    { type: "lesson-complete", lesson: LESSON, questions: 3, answered: 3, right: 2 },
  ];
}

function options(extra = {}) {
  const problems = [];
  return {
    problems,
    storage: memoryStorage(),
    backoff: () => 15,
    homePage: "https://viewer.example",
    onProblem: (t) => problems.push(t),
    ...extra,
  };
}

async function waitFor(check, what, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const verbs = (statements) => statements.map((s) => s.verb.id.split("/").pop());
const categories = (s) => (s.context?.contextActivities?.category ?? []).map((a) => a.id);
// Refused statements (a missing preferences document, 404, is no refusal).
const refusals = (lrs) => lrs.received.filter((r) => r.path === "/xapi/statements" && r.status >= 400 && r.status !== 503);

test("launchFromUrl reads a cmi5 launch and says what is wrong with a bad one", () => {
  const actor = { objectType: "Agent", account: { homePage: "https://lms.example", name: "hs-0042" } };
  const q = new URLSearchParams({
    lesson: LESSON,
    endpoint: "https://lms.example/xapi/",
    fetch: "https://lms.example/cmi5/fetch?k=abc",
    actor: JSON.stringify(actor),
    registration: "760e3480-ba55-4991-94b0-01820dbd23a2",
    activityId: "https://lms.example/au/1",
  });
  const url = `https://disan.example/viewer.html?${q}`;
  assert.deepEqual(launchFromUrl(url), {
    endpoint: "https://lms.example/xapi/",
    fetch: "https://lms.example/cmi5/fetch?k=abc",
    actor,
    registration: "760e3480-ba55-4991-94b0-01820dbd23a2",
    activityId: "https://lms.example/au/1",
  });
  assert.equal(launchFromUrl("https://disan.example/viewer.html?lesson=x&step=y"), null);

  const bad = (changes) => {
    const p = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) v === null ? p.delete(k) : p.set(k, v);
    return () => launchFromUrl(`https://disan.example/viewer.html?${p}`);
  };
  assert.throws(bad({ fetch: null }), (e) => e instanceof LaunchError && /no fetch/.test(e.message));
  assert.throws(bad({ actor: '{"mbox":"mailto:a@b.example"}' }), /account/);
  assert.throws(bad({ actor: JSON.stringify({ ...actor, mbox: "mailto:a@b.example" }) }), /exactly one identifier/);
  assert.throws(bad({ actor: "hs-0042" }), /JSON/);
  assert.throws(bad({ registration: "42" }), /UUID/);
  assert.throws(bad({ activityId: "au 1" }), /IRI/);
  assert.throws(bad({ endpoint: "ftp://lms.example/" }), /endpoint/);
});

test("isoDuration writes ISO 8601 durations to the hundredth of a second", () => {
  assert.equal(isoDuration(0), "PT0S");
  assert.equal(isoDuration(1234), "PT1.23S");
  assert.equal(isoDuration(5 * 60000), "PT5M");
  assert.equal(isoDuration(3600000 + 2 * 60000 + 3500), "PT1H2M3.5S");
});

test("the test LRS refuses statements that xAPI 1.0.3 does not allow", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const good = {
      id: "5f0c2a51-7e0e-4f0a-9a53-3b8f0b0e4a11",
      actor: { objectType: "Agent", account: { homePage: "https://viewer.example", name: "x" } },
      verb: { id: V("answered"), display: { "en-US": "answered" } },
      object: { id: `${LESSON_IRI}/questions/q`, definition: { interactionType: "choice", choices: [{ id: "1", description: { vi: "Một" } }], correctResponsesPattern: ["1"] } },
      result: { success: true, response: "1", score: { scaled: 0.5, raw: 1, min: 0, max: 2 }, duration: "PT1M" },
      context: { registration: "760e3480-ba55-4991-94b0-01820dbd23a2", language: "vi-VN" },
      timestamp: "2025-03-03T01:30:00.000Z",
    };
    const post = (body, headers = {}) =>
      fetch(`${lrs.endpoint}statements`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3", Authorization: AUTH, ...headers },
        body: JSON.stringify(body),
      });
    const ok = await post([good]);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), [good.id]);
    assert.equal((await post({ ...good, id: "0b4e1c3e-2d6b-4b8e-9d8e-1a2b3c4d5e6f" }, { "X-Experience-API-Version": "" })).status, 400);
    assert.equal((await post([good], { Authorization: "Basic bm9wZQ==" })).status, 401);

    const wrong = {
      "an id that is no UUID": { id: "42" },
      "two identifiers": { actor: { ...good.actor, mbox: "mailto:a@b.example" } },
      "a group as actor": { actor: { objectType: "Group", member: [] } },
      "an unknown top-level property": { score: 1 },
      "a verb id that is no IRI": { verb: { id: "answered" } },
      "a display that is no language map": { verb: { id: V("answered"), display: "answered" } },
      "a language tag that is none": { verb: { id: V("answered"), display: { en_US: "answered" } } },
      "an unknown interaction type": { object: { ...good.object, definition: { ...good.object.definition, interactionType: "multiple" } } },
      "choices without id": { object: { ...good.object, definition: { ...good.object.definition, choices: [{ description: { vi: "Một" } }] } } },
      "a pattern that is no array of strings": { object: { ...good.object, definition: { ...good.object.definition, correctResponsesPattern: "1" } } },
      "a scaled score above 1": { result: { ...good.result, score: { scaled: 1.5 } } },
      "a raw score above max": { result: { ...good.result, score: { raw: 3, min: 0, max: 2 } } },
      "success that is no boolean": { result: { ...good.result, success: "true" } },
      "a duration that is no ISO 8601": { result: { ...good.result, duration: "5 minutes" } },
      "a timestamp without a time zone": { timestamp: "2025-03-03T01:30:00" },
      "a registration that is no UUID": { context: { registration: "r1" } },
      "a context language that is none": { context: { language: "vi_VN" } },
    };
    for (const [what, change] of Object.entries(wrong)) {
      const st = { ...good, id: "1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d", ...change };
      assert.ok(statementProblem(st), `the validator takes ${what}`);
      const response = await post([st]);
      assert.equal(response.status, 400, `the LRS takes ${what}`);
      assert.ok((await response.json()).error, `no reason for ${what}`);
    }
    assert.equal(lrs.statements.length, 1);
  } finally {
    await lrs.stop();
  }
});

test("a cmi5 lesson: initialized, experienced, answered, completed, passed, terminated, as the LMS wants them", async () => {
  const lrs = await startLrs();
  try {
    const launch = lrs.addLaunch({ masteryScore: 0.6, moveOn: "CompletedAndPassed", returnURL: "https://lms.example/course/7", preferences: { languagePreference: "en-US,vi-VN", audioPreference: "on" } });
    const parsed = launchFromUrl(launch.url(`http://viewer.example/viewer.html?lesson=${LESSON}`));
    assert.ok(parsed);
    const c = clock();
    const o = options({ now: c.now });
    const records = new LearningRecords({ launch: parsed, ...o });
    const info = await records.ready;
    assert.equal(info.launchMode, "Normal");
    assert.equal(info.masteryScore, 0.6);
    assert.equal(info.returnURL, "https://lms.example/course/7");
    assert.equal(info.languagePreference, "en-US,vi-VN");
    for (const event of lessonEvents()) {
      assert.equal(records.record(event), true, event.type);
      c.tick();
    }
    assert.equal(records.record({ type: "ready" }), false);
    await records.terminate();
    await records.flush();

    assert.deepEqual(refusals(lrs), [], "the LRS refused something");
    assert.deepEqual(o.problems, []);
    const s = lrs.statements;
    assert.deepEqual(verbs(s), ["initialized", "experienced", "answered", "answered", "experienced", "answered", "completed", "passed", "terminated"]);
    assert.equal(launch.fetchCalls, 1);
    assert.equal(records.pending, 0);
    for (const st of s) {
      assert.deepEqual(st.actor, launch.actor);
      assert.equal(st.context.registration, launch.registration);
      assert.equal(st.context.extensions[SESSION_ID], launch.sessionId);
      assert.match(st.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(st.version, undefined);
      const defined = ["initialized", "completed", "passed", "terminated"].includes(st.verb.id.split("/").pop());
      assert.equal(categories(st).includes(CMI5_CATEGORY), defined, `cmi5 category on ${st.verb.id}`);
      if (defined) assert.equal(st.object.id, launch.activityId);
      assert.ok(st.verb.display["en-US"] && st.verb.display["vi-VN"]);
    }
    for (let i = 1; i < s.length; i++) assert.ok(s[i - 1].timestamp <= s[i].timestamp, "timestamps in order");

    const [init, step] = s;
    assert.equal(init.timestamp, "2025-03-03T01:30:00.000Z");
    assert.equal(step.object.id, `${LESSON_IRI}/steps/bon-phan`);
    assert.equal(step.object.definition.description["vi-VN"], "Trống có bốn phần…");
    assert.deepEqual(step.context.contextActivities.parent, [{ objectType: "Activity", id: launch.activityId }]);

    const multiple = s.find((st) => st.object.id.endsWith("/questions/cac-phan"));
    assert.equal(multiple.object.definition.type, "http://adlnet.gov/expapi/activities/cmi.interaction");
    assert.equal(multiple.object.definition.interactionType, "choice");
    assert.deepEqual(multiple.object.definition.correctResponsesPattern, ["1[,]2[,]3"]);
    assert.deepEqual(multiple.object.definition.choices[1], { id: "2", description: { "vi-VN": "Tang trống", "en-US": "The shoulder" } });
    assert.deepEqual(multiple.result, { response: "1[,]3", success: false });
    const find = s.find((st) => st.object.id.endsWith("/questions/tim-ngoi-sao"));
    assert.deepEqual(find.result, { response: "star", success: true });
    assert.deepEqual(find.object.definition.choices.map((x) => x.id), ["star", "birds"]);

    const completed = s.find((st) => st.verb.id === V("completed"));
    assert.deepEqual(completed.result, { completion: true, duration: "PT6M" });
    assert.ok(categories(completed).includes(MOVEON));
    const passed = s.find((st) => st.verb.id === V("passed"));
    assert.deepEqual(passed.result, { success: true, score: { scaled: 0.6667, raw: 2, min: 0, max: 3 }, duration: "PT6M" });
    assert.equal(passed.context.extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"], 0.6);
    const terminated = s.at(-1);
    assert.equal(terminated.result.duration, "PT7M");
  } finally {
    await lrs.stop();
  }
});

test("without an LMS: an anonymous learner kept in storage, the lesson's score, one registration per attempt", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const c = clock();
    const o = options({ now: c.now });
    const endpoint = `${lrs.url}/xapi`; // without the final slash
    const records = new LearningRecords({ endpoint, auth: AUTH, ...o });
    for (const event of lessonEvents()) {
      records.record(event);
      c.tick();
    }
    await records.terminate();
    assert.deepEqual(refusals(lrs), []);
    const s = lrs.statements;
    assert.deepEqual(verbs(s), ["initialized", "experienced", "answered", "answered", "experienced", "answered", "completed", "terminated"]);
    const actor = s[0].actor;
    assert.equal(actor.account.homePage, "https://viewer.example");
    assert.ok(actor.account.name.length >= 8);
    const registration = s[0].context.registration;
    for (const st of s) {
      assert.deepEqual(st.actor, actor);
      assert.equal(st.context.registration, registration);
      assert.equal(st.context.language, "vi-VN");
      assert.equal(categories(st).length, 0);
    }
    assert.equal(s[0].object.id, LESSON_IRI);
    assert.deepEqual(s[0].object.definition.name, { "vi-VN": "Trống đồng Đông Sơn", "en-US": "The Đông Sơn bronze drum" });
    assert.equal(s[1].object.id, `${LESSON_IRI}/steps/bon-phan`);
    assert.equal(s[1].context.extensions["https://disan.haiphong.gov.vn/xapi/extensions/exhibit"], "trong-dong");
    const completed = s.find((st) => st.verb.id === V("completed"));
    assert.equal(completed.object.id, LESSON_IRI);
    assert.deepEqual(completed.result, { completion: true, score: { scaled: 0.6667, raw: 2, min: 0, max: 3 }, duration: "PT6M" });
    assert.equal(s.at(-1).result.duration, "PT7M");

    // The next page of the same browser is the same (anonymous) learner; a new attempt, a new registration.
    records.close();
    const again = new LearningRecords({ endpoint, auth: AUTH, ...o, activityBase: "https://museum.example/xapi/lessons" });
    again.record({ ...lessonEvents()[0], lang: "en" });
    await again.flush();
    const last = lrs.statements.at(-1);
    assert.deepEqual(last.actor, actor);
    assert.notEqual(last.context.registration, registration);
    assert.equal(last.context.language, "en-US");
    assert.equal(last.object.id, `https://museum.example/xapi/lessons/${LESSON}`);
    again.close();
  } finally {
    await lrs.stop();
  }
});

test("offline: statements stay queued, and the next page sends them in order, none twice", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    lrs.setOffline(true);
    const o = options({ batchSize: 3 });
    const first = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    const events = lessonEvents();
    for (const event of events) first.record(event);
    await first.terminate();
    await first.flush();
    assert.equal(lrs.statements.length, 0);
    assert.ok(lrs.received.length >= 1 && lrs.received.every((r) => r.status === 503), "only 503s while offline");
    const queued = JSON.parse(o.storage.getItem("disan.xapi.queue"));
    assert.equal(queued.length, 8);
    first.close(); // the page is closed

    lrs.setOffline(false);
    const second = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o }); // a reload: sends at construction
    await waitFor(() => lrs.statements.length === 8 && second.pending === 0, "the earlier page's statements");
    assert.deepEqual(lrs.statements.map((s) => s.id), queued.map((i) => i.s.id), "in the order they were recorded");
    assert.deepEqual(verbs(lrs.statements), ["initialized", "experienced", "answered", "answered", "experienced", "answered", "completed", "terminated"]);
    assert.deepEqual(lrs.duplicates, []);
    assert.equal(new Set(lrs.received.flatMap((r) => (r.status === 200 ? r.ids : []))).size, 8, "no statement was sent twice");
    assert.ok(lrs.received.filter((r) => r.status === 200).every((r) => r.ids.length <= 3), "in batches of at most 3");
    assert.deepEqual(o.problems, []);
    second.close();
  } finally {
    await lrs.stop();
  }
});

test("a lost connection is retried after the backoff, without a new event", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    lrs.setOffline(true, "drop");
    const waits = [];
    const o = options({ backoff: (n) => (waits.push(n), 20) });
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    records.record(lessonEvents()[0]);
    await waitFor(() => waits.length >= 2, "two retries");
    assert.equal(lrs.statements.length, 0);
    assert.deepEqual(waits.slice(0, 2), [1, 2], "the backoff grows with each failure");
    lrs.setOffline(false);
    await waitFor(() => lrs.statements.length === 1 && records.pending === 0, "the statement after the connection is back");
    records.close();
  } finally {
    await lrs.stop();
  }
});

test("a statement the LRS refuses (400) is dropped and reported; the others go on, in order", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    lrs.rejectIf = (st) => (st.object.id.endsWith("/steps/bad-step") ? "refused for the test" : null);
    const o = options();
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    for (const event of lessonEvents({ badStep: true })) records.record(event);
    await records.flush();
    assert.equal(records.pending, 0);
    assert.ok(lrs.received.some((r) => r.status === 400 && /refused for the test/.test(r.reason)));
    assert.equal(o.problems.length, 1, o.problems.join("\n"));
    assert.match(o.problems[0], /refused a statement \(400: .*refused for the test\).*dropped.*steps\/bad-step/);
    assert.deepEqual(verbs(lrs.statements), ["initialized", "experienced", "answered", "answered", "experienced", "answered", "completed"]);
    assert.ok(!lrs.statements.some((s) => s.object.id.endsWith("/bad-step")));
    const requests = lrs.received.length;
    await records.flush();
    assert.equal(lrs.received.length, requests, "nothing is left to resend");
    records.close();
  } finally {
    await lrs.stop();
  }
});

test("cmi5: a reload uses the kept token (the fetch URL is called once) and goes on in the same session", async () => {
  const lrs = await startLrs();
  try {
    const launch = lrs.addLaunch();
    const address = launch.url(`http://viewer.example/viewer.html?lesson=${LESSON}`);
    const o = options();
    const events = lessonEvents();
    const first = new LearningRecords({ launch: launchFromUrl(address), ...o });
    first.record(events[0]);
    first.record(events[1]);
    await first.flush();
    assert.equal(lrs.statements.length, 2);
    first.close(); // reload

    const second = new LearningRecords({ launch: launchFromUrl(address), ...o });
    assert.ok(await second.ready);
    second.record(events[0]); // the viewer starts the lesson again
    second.record(events[2]);
    second.record(events.at(-1));
    await second.terminate();
    assert.equal(launch.fetchCalls, 1, "the fetch URL is used once");
    assert.deepEqual(refusals(lrs), []);
    assert.deepEqual(o.problems, []);
    // No masteryScore and no passingScore: no passed/failed.
    assert.deepEqual(verbs(lrs.statements), ["initialized", "experienced", "answered", "completed", "terminated"]);

    // After terminated the session is over: a further page records nothing, and says why.
    const third = new LearningRecords({ launch: launchFromUrl(address), ...o });
    assert.equal(third.record(events[1]), false);
    assert.match(o.problems.at(-1), /session has ended/);
    third.close();
  } finally {
    await lrs.stop();
  }
});

test("cmi5: a used launch link is reported and its records are dropped, not retried forever", async () => {
  const lrs = await startLrs();
  try {
    const launch = lrs.addLaunch();
    await fetch(launch.fetch, { method: "POST" }); // someone used the link already
    const o = options();
    const records = new LearningRecords({ launch: launchFromUrl(launch.url("http://viewer.example/viewer.html")), ...o });
    assert.equal(await records.ready, null);
    records.record(lessonEvents()[0]);
    await records.flush();
    assert.equal(records.pending, 0);
    assert.equal(lrs.statements.length, 0);
    assert.ok(o.problems.some((p) => /used already/.test(p)), o.problems.join("\n"));
    records.close();
  } finally {
    await lrs.stop();
  }
});

test("cmi5 Browse mode: initialized and terminated, no completion data", async () => {
  const lrs = await startLrs();
  try {
    const launch = lrs.addLaunch({ launchMode: "Browse", masteryScore: 0.5 });
    const o = options();
    const records = new LearningRecords({ launch: launchFromUrl(launch.url("http://viewer.example/viewer.html")), ...o });
    for (const event of lessonEvents()) records.record(event);
    await records.terminate();
    assert.deepEqual(refusals(lrs), []);
    assert.deepEqual(verbs(lrs.statements), ["initialized", "experienced", "answered", "answered", "experienced", "answered", "terminated"]);
  } finally {
    await lrs.stop();
  }
});

test("terminate sends with keepalive, so it can leave a closing page", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const calls = [];
    const o = options({ fetch: (url, init) => (calls.push({ url: String(url), init }), fetch(url, init)) });
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    records.record(lessonEvents()[0]);
    await records.flush();
    await records.terminate();
    const last = calls.at(-1);
    assert.equal(last.init.keepalive, true);
    assert.equal(last.init.headers["X-Experience-API-Version"], "1.0.3");
    assert.equal(last.init.headers.Authorization, AUTH);
    assert.deepEqual(JSON.parse(last.init.body).map((s) => s.verb.id), [V("terminated")]);
    assert.equal(calls[0].init.keepalive, false);
    assert.deepEqual(verbs(lrs.statements), ["initialized", "terminated"]);
  } finally {
    await lrs.stop();
  }
});

test("storage that throws never makes record() throw; the records still go while the page is open", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const refuse = () => {
      throw new Error("QuotaExceededError");
    };
    const o = options({ storage: { getItem: refuse, setItem: refuse, removeItem: refuse } });
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    for (const event of lessonEvents()) assert.equal(records.record(event), true);
    await records.terminate();
    assert.equal(lrs.statements.length, 8);
    assert.ok(o.problems.some((p) => /does not let the page keep/.test(p)));
  } finally {
    await lrs.stop();
  }
});

test("the queue is capped: the oldest statements are dropped, with a warning", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    lrs.setOffline(true);
    const o = options({ maxQueue: 3 });
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    const events = lessonEvents();
    for (const event of events.slice(0, 5)) records.record(event);
    assert.equal(records.pending, 3);
    assert.ok(o.problems.some((p) => /oldest/.test(p)));
    lrs.setOffline(false);
    await records.flush();
    assert.deepEqual(verbs(lrs.statements), ["answered", "answered", "experienced"]);
    records.close();
  } finally {
    await lrs.stop();
  }
});

test("learningRecordsFromPage: a cmi5 launch from the address, else the page's disan-lrs settings, else nothing", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const page = (metas, href) => ({
      document: { querySelector: (selector) => { const name = /name="([^"]+)"/.exec(selector)[1]; return name in metas ? { content: metas[name] } : null; } },
      location: { href, origin: new URL(href).origin },
    });
    const o = options();
    assert.equal(learningRecordsFromPage(o, page({}, "https://viewer.example/viewer.html?lesson=x")), null);

    const plain = learningRecordsFromPage(o, page({ "disan-lrs": lrs.endpoint, "disan-lrs-auth": AUTH }, "https://viewer.example/viewer.html?lesson=x"));
    assert.equal(plain.mode, "lrs");
    plain.record(lessonEvents()[0]);
    await plain.flush();
    assert.equal(lrs.statements.length, 1, "sent with the page's Authorization");
    plain.close();

    const launch = lrs.addLaunch();
    const launched = learningRecordsFromPage(o, page({ "disan-lrs": lrs.endpoint, "disan-lrs-activity-base": "https://museum.example/lessons/" }, launch.url("https://viewer.example/viewer.html?lesson=x")));
    assert.equal(launched.mode, "cmi5");
    assert.deepEqual(launched.actor, launch.actor);
    launched.record({ type: "lesson-step", lesson: LESSON, step: "bon-phan", number: 1, steps: 2 });
    await launched.flush();
    assert.deepEqual(refusals(lrs), []);
    assert.equal(lrs.statements.at(-1).object.id, `https://museum.example/lessons/${LESSON}/steps/bon-phan`);
    assert.deepEqual(verbs(lrs.statements.slice(-2)), ["initialized", "experienced"]);
    launched.close();
    assert.throws(() => learningRecordsFromPage(o, page({}, "https://viewer.example/viewer.html?lesson=x&endpoint=https://lms.example/xapi/")), LaunchError);
  } finally {
    await lrs.stop();
  }
});

test("terminate while a batch is being sent still sends terminated", async () => {
  const lrs = await startLrs({ auth: AUTH });
  try {
    const o = options();
    const records = new LearningRecords({ endpoint: lrs.endpoint, auth: AUTH, ...o });
    records.record(lessonEvents()[0]);
    const sending = records.flush();
    records.record(lessonEvents()[1]);
    await records.terminate();
    await sending;
    assert.deepEqual(verbs(lrs.statements), ["initialized", "experienced", "terminated"]);
    assert.equal(records.pending, 0);
  } finally {
    await lrs.stop();
  }
});
