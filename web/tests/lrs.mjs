// A small, strict Learning Record Store for the tests (node:http on 127.0.0.1), with what an LMS
// does for a cmi5 launch: the one-time fetch URL, the LMS.LaunchData state document, the
// learner's preferences, and the cmi5 rules for the statements of a launch. It refuses (400, with
// the reason) every statement that does not hold to xAPI 1.0.3's required structure, so a test
// that passes here sent statements a real LRS takes.
//
//   const lrs = await startLrs({ auth: "Basic dGVzdDp0ZXN0" });
//   lrs.endpoint                    // http://127.0.0.1:PORT/xapi/
//   const launch = lrs.addLaunch({ activityId: "https://lms.example/au/1" });
//   launch.url("http://viewer.example/viewer.html?lesson=x")   // the address an LMS launches
//   lrs.statements                  // stored, in order
//   lrs.received                    // every request: {method, path, status, ids, reason}
//   lrs.setOffline(true)            // 503 to everything (or setOffline(true, "drop"): the socket is destroyed)
//   await lrs.stop()

import http from "node:http";
import { randomUUID, randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// RFC 5646 language tags (the regular ones; grandfathered tags are not accepted here).
const LANGUAGE_TAG = /^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[0-9a-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?|x(?:-[a-z\d]{1,8})+)$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^P(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$/;
const INTERACTION_TYPES = ["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other"];
const COMPONENT_LISTS = { choice: ["choices"], sequencing: ["choices"], likert: ["scale"], matching: ["source", "target"], performance: ["steps"] };

const CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
const MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
const V = (name) => `http://adlnet.gov/expapi/verbs/${name}`;
const CMI5_VERBS = new Set(["initialized", "completed", "passed", "failed", "terminated"].map(V));

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function isIri(v) {
  if (typeof v !== "string" || !/^[a-z][a-z\d+.-]*:[^\s<>"{}|\\^`]+$/i.test(v)) return false;
  if (/^https?:/i.test(v)) {
    try {
      return new URL(v).host !== "";
    } catch {
      return false;
    }
  }
  return true;
}

function unknownKeys(obj, allowed, where) {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  return extra.length ? `${where} has unknown propert${extra.length > 1 ? "ies" : "y"} ${extra.map((k) => `"${k}"`).join(", ")}` : null;
}

function languageMap(m, where) {
  if (!isObject(m)) return `${where} must be a language map (an object)`;
  for (const [tag, text] of Object.entries(m)) {
    if (!LANGUAGE_TAG.test(tag)) return `${where}: "${tag}" is not an RFC 5646 language tag`;
    if (typeof text !== "string") return `${where}["${tag}"] must be a string`;
  }
  return null;
}

function extensions(e, where) {
  if (!isObject(e)) return `${where} must be an object`;
  for (const key of Object.keys(e)) if (!isIri(key)) return `${where}: key "${key}" is not an IRI`;
  return null;
}

function agent(a, where) {
  if (!isObject(a)) return `${where} must be an object`;
  if (a.objectType !== undefined && a.objectType !== "Agent") return `${where} must be an Agent (objectType "Agent"), not "${a.objectType}"`;
  const bad = unknownKeys(a, ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"], where);
  if (bad) return bad;
  const ifis = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) => a[k] !== undefined);
  if (ifis.length !== 1) return `${where} must have exactly one inverse functional identifier, not ${ifis.length ? ifis.join(" and ") : "none"}`;
  if (a.name !== undefined && typeof a.name !== "string") return `${where}.name must be a string`;
  if (a.mbox !== undefined && !(typeof a.mbox === "string" && /^mailto:[^@\s]+@[^@\s]+$/.test(a.mbox))) return `${where}.mbox must be a mailto: IRI`;
  if (a.mbox_sha1sum !== undefined && !(typeof a.mbox_sha1sum === "string" && /^[0-9a-f]{40}$/i.test(a.mbox_sha1sum))) return `${where}.mbox_sha1sum must be 40 hex digits`;
  if (a.openid !== undefined && !isIri(a.openid)) return `${where}.openid must be a URI`;
  if (a.account !== undefined) {
    const acc = a.account;
    if (!isObject(acc)) return `${where}.account must be an object`;
    const extra = unknownKeys(acc, ["homePage", "name"], `${where}.account`);
    if (extra) return extra;
    if (!isIri(acc.homePage)) return `${where}.account.homePage must be an IRL`;
    if (typeof acc.name !== "string" || !acc.name) return `${where}.account.name must be a non-empty string`;
  }
  return null;
}

function components(list, where) {
  if (!Array.isArray(list)) return `${where} must be an array`;
  const ids = new Set();
  for (const [i, c] of list.entries()) {
    const w = `${where}[${i}]`;
    if (!isObject(c)) return `${w} must be an object`;
    const extra = unknownKeys(c, ["id", "description"], w);
    if (extra) return extra;
    if (typeof c.id !== "string" || !c.id) return `${w}.id must be a non-empty string`;
    if (/\s/.test(c.id)) return `${w}.id "${c.id}" has whitespace`;
    if (ids.has(c.id)) return `${w}.id "${c.id}" is not unique in ${where}`;
    ids.add(c.id);
    if (c.description !== undefined) {
      const p = languageMap(c.description, `${w}.description`);
      if (p) return p;
    }
  }
  return null;
}

function definition(d, where) {
  if (!isObject(d)) return `${where} must be an object`;
  const extra = unknownKeys(d, ["name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern", "choices", "scale", "source", "target", "steps"], where);
  if (extra) return extra;
  for (const k of ["name", "description"]) {
    if (d[k] !== undefined) {
      const p = languageMap(d[k], `${where}.${k}`);
      if (p) return p;
    }
  }
  if (d.type !== undefined && !isIri(d.type)) return `${where}.type must be an IRI`;
  if (d.moreInfo !== undefined && !isIri(d.moreInfo)) return `${where}.moreInfo must be an IRL`;
  if (d.extensions !== undefined) {
    const p = extensions(d.extensions, `${where}.extensions`);
    if (p) return p;
  }
  const lists = ["choices", "scale", "source", "target", "steps"].filter((k) => d[k] !== undefined);
  if (d.interactionType === undefined) {
    if (d.correctResponsesPattern !== undefined || lists.length) return `${where}: interaction properties without an interactionType`;
    return null;
  }
  if (!INTERACTION_TYPES.includes(d.interactionType)) return `${where}.interactionType "${d.interactionType}" is not one of ${INTERACTION_TYPES.join(", ")}`;
  if (d.correctResponsesPattern !== undefined) {
    if (!Array.isArray(d.correctResponsesPattern) || !d.correctResponsesPattern.every((x) => typeof x === "string")) {
      return `${where}.correctResponsesPattern must be an array of strings`;
    }
  }
  const allowed = COMPONENT_LISTS[d.interactionType] ?? [];
  for (const k of lists) {
    if (!allowed.includes(k)) return `${where}.${k} is not allowed with interactionType "${d.interactionType}"`;
    const p = components(d[k], `${where}.${k}`);
    if (p) return p;
  }
  return null;
}

function activity(a, where) {
  if (!isObject(a)) return `${where} must be an object`;
  const extra = unknownKeys(a, ["objectType", "id", "definition"], where);
  if (extra) return extra;
  if (a.objectType !== undefined && a.objectType !== "Activity") return `${where}.objectType must be "Activity"`;
  if (!isIri(a.id)) return `${where}.id must be an IRI, not ${JSON.stringify(a.id)}`;
  return a.definition === undefined ? null : definition(a.definition, `${where}.definition`);
}

function result(r) {
  if (!isObject(r)) return "result must be an object";
  const extra = unknownKeys(r, ["score", "success", "completion", "response", "duration", "extensions"], "result");
  if (extra) return extra;
  if (r.score !== undefined) {
    const s = r.score;
    if (!isObject(s)) return "result.score must be an object";
    const bad = unknownKeys(s, ["scaled", "raw", "min", "max"], "result.score");
    if (bad) return bad;
    for (const k of ["scaled", "raw", "min", "max"]) {
      if (s[k] !== undefined && !(typeof s[k] === "number" && Number.isFinite(s[k]))) return `result.score.${k} must be a number`;
    }
    if (s.scaled !== undefined && (s.scaled < -1 || s.scaled > 1)) return `result.score.scaled ${s.scaled} is not within -1..1`;
    if (s.min !== undefined && s.max !== undefined && !(s.min < s.max)) return "result.score.min must be less than max";
    if (s.raw !== undefined && s.min !== undefined && s.raw < s.min) return `result.score.raw ${s.raw} is below min ${s.min}`;
    if (s.raw !== undefined && s.max !== undefined && s.raw > s.max) return `result.score.raw ${s.raw} is above max ${s.max}`;
  }
  if (r.success !== undefined && typeof r.success !== "boolean") return "result.success must be a boolean";
  if (r.completion !== undefined && typeof r.completion !== "boolean") return "result.completion must be a boolean";
  if (r.response !== undefined && typeof r.response !== "string") return "result.response must be a string";
  if (r.duration !== undefined && !(typeof r.duration === "string" && DURATION.test(r.duration))) return `result.duration ${JSON.stringify(r.duration)} is not an ISO 8601 duration`;
  if (r.extensions !== undefined) return extensions(r.extensions, "result.extensions");
  return null;
}

function context(c) {
  if (!isObject(c)) return "context must be an object";
  const extra = unknownKeys(c, ["registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions"], "context");
  if (extra) return extra;
  if (c.registration !== undefined && !(typeof c.registration === "string" && UUID.test(c.registration))) return `context.registration ${JSON.stringify(c.registration)} is not a UUID`;
  if (c.instructor !== undefined) {
    const p = agent(c.instructor, "context.instructor");
    if (p) return p;
  }
  if (c.team !== undefined) return "context.team: groups are not accepted by this test LRS";
  if (c.contextActivities !== undefined) {
    const ca = c.contextActivities;
    if (!isObject(ca)) return "context.contextActivities must be an object";
    const bad = unknownKeys(ca, ["parent", "grouping", "category", "other"], "context.contextActivities");
    if (bad) return bad;
    for (const [k, v] of Object.entries(ca)) {
      for (const [i, a] of asArray(v).entries()) {
        const p = activity(a, `context.contextActivities.${k}[${i}]`);
        if (p) return p;
      }
    }
  }
  for (const k of ["revision", "platform"]) if (c[k] !== undefined && typeof c[k] !== "string") return `context.${k} must be a string`;
  if (c.language !== undefined && !(typeof c.language === "string" && LANGUAGE_TAG.test(c.language))) return `context.language ${JSON.stringify(c.language)} is not an RFC 5646 language tag`;
  if (c.statement !== undefined) {
    const s = c.statement;
    if (!isObject(s) || s.objectType !== "StatementRef" || !UUID.test(String(s.id)) || Object.keys(s).length !== 2) return "context.statement must be a StatementRef";
  }
  if (c.extensions !== undefined) return extensions(c.extensions, "context.extensions");
  return null;
}

/** Why a statement is not valid xAPI 1.0.3 (the parts Disan sends), or null when it is. */
export function statementProblem(st) {
  if (!isObject(st)) return "a statement must be a JSON object";
  const extra = unknownKeys(st, ["id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"], "the statement");
  if (extra) return extra;
  // xAPI lets the LRS assign ids; Disan always sends one, so this LRS requires it.
  if (!(typeof st.id === "string" && UUID.test(st.id))) return `id ${JSON.stringify(st.id)} is not a UUID`;
  const a = agent(st.actor, "actor");
  if (a) return a;
  if (!isObject(st.verb)) return "verb must be an object";
  const vx = unknownKeys(st.verb, ["id", "display"], "verb");
  if (vx) return vx;
  if (!isIri(st.verb.id)) return `verb.id ${JSON.stringify(st.verb.id)} is not an IRI`;
  if (st.verb.display !== undefined) {
    const p = languageMap(st.verb.display, "verb.display");
    if (p) return p;
  }
  if (!isObject(st.object)) return "object must be an object";
  const type = st.object.objectType ?? "Activity";
  if (type === "Activity") {
    const p = activity(st.object, "object");
    if (p) return p;
  } else if (type === "Agent") {
    const p = agent(st.object, "object");
    if (p) return p;
  } else if (type === "StatementRef") {
    if (!UUID.test(String(st.object.id)) || Object.keys(st.object).length !== 2) return "object: a StatementRef has objectType and a UUID id only";
  } else {
    return `object.objectType "${type}" is not accepted by this test LRS`;
  }
  if (st.result !== undefined) {
    const p = result(st.result);
    if (p) return p;
  }
  if (st.context !== undefined) {
    const p = context(st.context);
    if (p) return p;
  }
  if (st.timestamp !== undefined && !(typeof st.timestamp === "string" && TIMESTAMP.test(st.timestamp) && !Number.isNaN(Date.parse(st.timestamp)))) {
    return `timestamp ${JSON.stringify(st.timestamp)} is not an ISO 8601 date and time with a time zone`;
  }
  if (st.version !== undefined && !(typeof st.version === "string" && /^1\.0(\.\d+)?$/.test(st.version))) return `version ${JSON.stringify(st.version)} is not 1.0.x`;
  if (st.attachments !== undefined) return "attachments are not accepted by this test LRS";
  return null;
}

/** Why a statement of a cmi5 launch breaks a cmi5 rule (sections 7, 9, 10), given what the session and registration saw. */
function cmi5Problem(st, launch, session, registration) {
  if (!isDeepStrictEqual(st.actor, launch.actor)) return "cmi5: the actor is not the launch's actor";
  const ctx = st.context ?? {};
  if (ctx.extensions?.[SESSION_ID] !== launch.sessionId) return "cmi5: context.extensions has not the session id of the launch data's contextTemplate";
  if (!asArray(ctx.contextActivities?.grouping).some((a) => a?.id === launch.publisherId)) return "cmi5: the publisher id activity of the contextTemplate is not in contextActivities.grouping";
  const categories = asArray(ctx.contextActivities?.category).map((a) => a?.id);
  const defined = categories.includes(CMI5_CATEGORY);
  const verb = st.verb.id;
  if (session.terminated) return "cmi5: a statement after Terminated in this session";
  if (!session.initialized && !(defined && verb === V("initialized"))) return "cmi5: the first statement of a session must be the cmi5 Initialized";
  if (!defined) {
    if (categories.includes(MOVEON_CATEGORY)) return "cmi5: the moveOn category on a statement that is not cmi5 defined";
    return null;
  }
  if (!CMI5_VERBS.has(verb)) return `cmi5: the cmi5 category on verb ${verb}, which cmi5 does not define for AUs`;
  if (st.object.id !== launch.activityId) return "cmi5: a cmi5 defined statement's object id must be the launch's activityId";
  if (ctx.registration !== launch.registration) return "cmi5: context.registration is not the launch's registration";
  if (session.verbs.has(verb)) return `cmi5: ${verb} twice in a session`;
  const judged = verb === V("passed") || verb === V("failed");
  if (judged && (session.verbs.has(V("passed")) || session.verbs.has(V("failed")))) return "cmi5: passed and failed in one session";
  const r = st.result ?? {};
  const moveOnNeeded = r.success !== undefined || r.completion !== undefined;
  if (moveOnNeeded !== categories.includes(MOVEON_CATEGORY)) return `cmi5: the moveOn category must be there exactly when result has success or completion`;
  if (r.score !== undefined && !judged) return "cmi5: only passed and failed may have a score";
  if (r.success !== undefined && !judged) return "cmi5: only passed and failed may have result.success";
  if (verb === V("passed") && r.success !== true) return "cmi5: passed must have result.success true";
  if (verb === V("failed") && r.success !== false) return "cmi5: failed must have result.success false";
  if (r.completion !== undefined && verb !== V("completed")) return "cmi5: only completed may have result.completion";
  if (verb === V("completed") && r.completion !== true) return "cmi5: completed must have result.completion true";
  if ([V("completed"), V("passed"), V("failed"), V("terminated")].includes(verb) && !r.duration) return "cmi5: completed, passed, failed and terminated must have result.duration";
  if ([V("completed"), V("passed"), V("failed")].includes(verb) && launch.launchMode !== "Normal") return `cmi5: no completion data in launch mode ${launch.launchMode}`;
  if (verb === V("completed") && registration.completed) return "cmi5: completed twice in a registration";
  if (verb === V("passed") && registration.passed) return "cmi5: passed twice in a registration";
  if (verb === V("failed") && registration.passed) return "cmi5: failed after passed in a registration";
  if (judged && typeof launch.masteryScore === "number") {
    const scaled = r.score?.scaled;
    if (typeof scaled === "number" && (verb === V("passed") ? scaled < launch.masteryScore : scaled >= launch.masteryScore)) {
      return `cmi5: ${verb} with scaled score ${scaled} against masteryScore ${launch.masteryScore}`;
    }
    if (ctx.extensions?.[MASTERY] !== launch.masteryScore) return "cmi5: passed/failed must carry the masteryScore extension";
  }
  return null;
}

/** The parts of a statement that two copies of it must share (xAPI statement comparison). */
const comparable = (st) => {
  const { stored, authority, version, ...rest } = st;
  return rest;
};

/**
 * Starts the test LRS. `auth`: an Authorization value it accepts (besides the tokens its cmi5
 * launches issue); with no auth and no launches, requests need none.
 */
export async function startLrs({ port = 0, auth = null } = {}) {
  const statements = [];
  const byId = new Map();
  const received = [];
  const duplicates = [];
  const launches = new Map(); // fetch key → launch
  const tokens = new Set();
  const sessions = new Map(); // session id → {initialized, terminated, verbs}
  const registrations = new Map(); // registration → {completed, passed}
  let offline = false;
  let offlineMode = "503";
  let origin = "";

  const lrs = {
    url: "",
    endpoint: "",
    statements,
    received,
    duplicates,
    /** (statement) => reason or null: a statement the test wants refused (400). */
    rejectIf: null,
    setOffline(on, mode = "503") {
      offline = Boolean(on);
      offlineMode = mode;
    },
    /** An LMS launch of an AU: what it writes to LMS.LaunchData, and the launch address. */
    addLaunch({
      activityId = `https://lms.example/au/${randomUUID()}`,
      actor = { objectType: "Agent", account: { homePage: "https://lms.example", name: `learner-${randomBytes(3).toString("hex")}` } },
      registration = randomUUID(),
      launchMode = "Normal",
      moveOn = "Completed",
      masteryScore,
      returnURL,
      publisherId = "https://disan.haiphong.gov.vn/au/lesson",
      preferences,
    } = {}) {
      const key = randomBytes(8).toString("hex");
      const launch = {
        key, activityId, actor, registration, launchMode, moveOn, masteryScore, returnURL, publisherId, preferences,
        sessionId: randomUUID(),
        token: Buffer.from(`au-${key}:${randomBytes(8).toString("hex")}`).toString("base64"),
        fetchCalls: 0,
        fetch: `${origin}/cmi5/fetch?k=${key}`,
        endpoint: `${origin}/xapi/`,
        /** The launch address of the viewer at `base` (which may have a query already). */
        url(base) {
          const u = new URL(base);
          u.searchParams.set("endpoint", launch.endpoint);
          u.searchParams.set("fetch", launch.fetch);
          u.searchParams.set("actor", JSON.stringify(actor));
          u.searchParams.set("registration", registration);
          u.searchParams.set("activityId", activityId);
          return u.href;
        },
        launchData() {
          const data = {
            contextTemplate: {
              contextActivities: { grouping: [{ objectType: "Activity", id: publisherId }] },
              extensions: { [SESSION_ID]: launch.sessionId },
            },
            launchMode,
            moveOn,
          };
          if (masteryScore !== undefined) data.masteryScore = masteryScore;
          if (returnURL !== undefined) data.returnURL = returnURL;
          return data;
        },
      };
      launches.set(key, launch);
      return launch;
    },
    stop() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };

  const launchOf = (registration) => [...launches.values()].find((l) => l.registration === registration);

  function send(res, status, body, headers = {}) {
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
      "X-Experience-API-Version": "1.0.3",
      "Access-Control-Allow-Origin": "*",
      ...headers,
    });
    res.end(text);
  }

  async function body(req) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > 5e6) throw new Error("too large");
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  async function handle(req, res) {
    const url = new URL(req.url, origin);
    const entry = { method: req.method, path: url.pathname, status: 0, ids: [], reason: null };
    received.push(entry);
    const answer = (status, payload, headers) => {
      entry.status = status;
      if (status >= 400 && payload && typeof payload === "object") entry.reason = payload.error ?? payload["error-text"] ?? null;
      send(res, status, payload, headers);
    };
    if (offline) {
      await body(req).catch(() => "");
      if (offlineMode === "drop") {
        entry.status = -1;
        req.socket.destroy();
        return;
      }
      return answer(503, { error: "the test LRS is offline" });
    }
    if (req.method === "OPTIONS") {
      return answer(204, undefined, {
        "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Experience-API-Version",
      });
    }

    // cmi5 8.2: the fetch URL, POST only, once per launch.
    if (url.pathname === "/cmi5/fetch") {
      if (req.method !== "POST") return answer(405, { error: "the fetch URL takes POST only" });
      await body(req);
      const launch = launches.get(url.searchParams.get("k") ?? "");
      if (!launch) return answer(200, { "error-code": "2", "error-text": "unknown fetch URL" });
      launch.fetchCalls += 1;
      if (launch.fetchCalls > 1) return answer(200, { "error-code": "1", "error-text": "The authorization token has already been returned." });
      tokens.add(`Basic ${launch.token}`);
      return answer(200, { "auth-token": launch.token });
    }

    if (!url.pathname.startsWith("/xapi/")) return answer(404, { error: "not found" });
    const version = req.headers["x-experience-api-version"];
    if (!version || !/^1\.0(\.\d+)?$/.test(version)) {
      await body(req).catch(() => "");
      return answer(400, { error: `X-Experience-API-Version header ${version ? `"${version}" is not 1.0.x` : "is missing"}` });
    }
    const accepted = new Set([...(auth ? [auth] : []), ...tokens]);
    if ((auth || launches.size) && !accepted.has(req.headers.authorization ?? "")) {
      await body(req).catch(() => "");
      return answer(401, { error: `Authorization ${req.headers.authorization ? "is not one this LRS issued" : "is missing"}` });
    }
    const resource = url.pathname.slice("/xapi/".length);

    if (resource === "about" && req.method === "GET") return answer(200, { version: ["1.0.3"] });

    if (resource === "activities/state" && req.method === "GET") {
      const q = url.searchParams;
      let agent;
      try {
        agent = JSON.parse(q.get("agent") ?? "");
      } catch {
        return answer(400, { error: "agent must be JSON" });
      }
      if (!q.get("activityId") || !q.get("stateId")) return answer(400, { error: "activityId and stateId are required" });
      const launch = launchOf(q.get("registration"));
      if (q.get("stateId") !== "LMS.LaunchData" || !launch || launch.activityId !== q.get("activityId") || !isDeepStrictEqual(agent, launch.actor)) {
        return answer(404, { error: "no such state document" });
      }
      return answer(200, launch.launchData());
    }

    if (resource === "agents/profile" && req.method === "GET") {
      let agent;
      try {
        agent = JSON.parse(url.searchParams.get("agent") ?? "");
      } catch {
        return answer(400, { error: "agent must be JSON" });
      }
      const launch = [...launches.values()].find((l) => isDeepStrictEqual(l.actor, agent) && l.preferences);
      if (url.searchParams.get("profileId") !== "cmi5LearnerPreferences" || !launch) return answer(404, { error: "no such profile" });
      return answer(200, launch.preferences);
    }

    if (resource === "statements" && req.method === "POST") {
      if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) {
        await body(req).catch(() => "");
        return answer(400, { error: "Content-Type must be application/json" });
      }
      let parsed;
      try {
        parsed = JSON.parse(await body(req));
      } catch {
        return answer(400, { error: "the body is not JSON" });
      }
      const batch = Array.isArray(parsed) ? parsed : [parsed];
      entry.ids = batch.map((s) => s?.id);
      // The whole batch is refused when one statement is (xAPI: a batch is stored whole or not at all).
      const inBatch = new Set();
      const sessionState = new Map();
      const registrationState = new Map();
      for (const [i, st] of batch.entries()) {
        const problem = statementProblem(st);
        if (problem) return answer(400, { error: `statement ${i}: ${problem}` });
        if (inBatch.has(st.id)) return answer(400, { error: `statement ${i}: id ${st.id} twice in one batch` });
        inBatch.add(st.id);
        const known = byId.get(st.id);
        if (known) {
          if (!isDeepStrictEqual(comparable(known), comparable(st))) return answer(409, { error: `statement ${i}: id ${st.id} is stored already, with other content` });
          continue; // the same statement again: accepted, not stored twice (counted in duplicates)
        }
        const refused = lrs.rejectIf?.(st);
        if (refused) return answer(400, { error: `statement ${i}: ${refused}` });
        const launch = st.context?.registration ? launchOf(st.context.registration) : null;
        if (launch) {
          const sid = launch.sessionId;
          const session = sessionState.get(sid) ?? structuredClone(sessions.get(sid) ?? { initialized: false, terminated: false, verbs: new Set() });
          const reg = registrationState.get(launch.registration) ?? { ...(registrations.get(launch.registration) ?? {}) };
          const problem = cmi5Problem(st, launch, session, reg);
          if (problem) return answer(400, { error: `statement ${i}: ${problem}` });
          const categories = asArray(st.context.contextActivities?.category).map((a) => a?.id);
          if (categories.includes(CMI5_CATEGORY)) session.verbs.add(st.verb.id);
          if (st.verb.id === V("initialized")) session.initialized = true;
          if (st.verb.id === V("terminated")) session.terminated = true;
          if (st.verb.id === V("completed") && categories.includes(CMI5_CATEGORY)) reg.completed = true;
          if (st.verb.id === V("passed") && categories.includes(CMI5_CATEGORY)) reg.passed = true;
          sessionState.set(sid, session);
          registrationState.set(launch.registration, reg);
        }
      }
      for (const [sid, s] of sessionState) sessions.set(sid, s);
      for (const [r, s] of registrationState) registrations.set(r, s);
      const stored = new Date().toISOString();
      for (const st of batch) {
        if (byId.has(st.id)) {
          duplicates.push(st.id);
          continue;
        }
        const copy = { ...st, stored };
        byId.set(st.id, copy);
        statements.push(copy);
      }
      return answer(200, batch.map((s) => s.id));
    }
    return answer(405, { error: `${req.method} /xapi/${resource} is not implemented by this test LRS` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, { error: String(e?.message ?? e) });
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  lrs.url = origin;
  lrs.endpoint = `${origin}/xapi/`;
  return lrs;
}
