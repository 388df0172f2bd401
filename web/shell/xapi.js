// Learning records for lessons: xAPI 1.0.3 statements sent to a Learning Record Store (LRS),
// queued in the browser's storage while offline (a reload sends what an earlier page left), and
// the cmi5 launch of the viewer as an assignable unit (AU) by an LMS. See docs/lessons.md,
// "Learning records (xAPI and cmi5)".
//
// No dependencies; runs in the browser and in Node 20. Everything that touches the outside
// (fetch, storage, clock, ids, timers) can be given to the constructor, for tests.
//
//   const launch = launchFromUrl(location.href);            // null: not a cmi5 launch
//   const records = launch
//     ? new LearningRecords({ launch })
//     : new LearningRecords({ endpoint: "https://lrs.example/xapi/", auth: "Basic …" });
//   window.addEventListener("disan", (e) => records.record(e.detail));
//   window.addEventListener("pagehide", (e) => { if (!e.persisted) records.terminate(); });

export const XAPI_VERSION = "1.0.3";

/** Where lesson activity ids start when the page does not say: `<base><lesson id>`. */
export const DEFAULT_ACTIVITY_BASE = "https://disan.haiphong.gov.vn/lessons/";

/** The language tags of language maps, from the viewer's language codes. */
export const LANGUAGE_TAGS = { vi: "vi-VN", en: "en-US" };

const verb = (name, en, vi) => ({ id: `http://adlnet.gov/expapi/verbs/${name}`, display: { "en-US": en, "vi-VN": vi } });
export const VERBS = {
  initialized: verb("initialized", "initialized", "đã bắt đầu"),
  experienced: verb("experienced", "experienced", "đã xem"),
  answered: verb("answered", "answered", "đã trả lời"),
  completed: verb("completed", "completed", "đã hoàn thành"),
  passed: verb("passed", "passed", "đã đạt"),
  failed: verb("failed", "failed", "chưa đạt"),
  terminated: verb("terminated", "terminated", "đã kết thúc"),
};

export const CMI5 = {
  category: "https://w3id.org/xapi/cmi5/context/categories/cmi5",
  moveOn: "https://w3id.org/xapi/cmi5/context/categories/moveon",
  sessionId: "https://w3id.org/xapi/cmi5/context/extensions/sessionid",
  masteryScore: "https://w3id.org/xapi/cmi5/context/extensions/masteryscore",
};

export const ACTIVITY_TYPES = {
  lesson: "http://adlnet.gov/expapi/activities/lesson",
  step: "http://adlnet.gov/expapi/activities/module",
  question: "http://adlnet.gov/expapi/activities/cmi.interaction",
};

/** Context extension on `experienced` statements: the exhibit the step opens (its id). */
export const EXHIBIT_EXTENSION = "https://disan.haiphong.gov.vn/xapi/extensions/exhibit";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const IRI = /^[a-z][a-z\d+.-]*:[^\s<>"{}|\\^`]+$/i;
const LAUNCH_PARAMETERS = ["endpoint", "fetch", "actor", "registration", "activityId"];

/** A cmi5 launch address that cannot be used; the message says what the LMS got wrong. */
export class LaunchError extends Error {
  constructor(message) {
    super(message);
    this.name = "LaunchError";
  }
}

export const isUuid = (value) => typeof value === "string" && UUID.test(value);

export function isIri(value) {
  if (typeof value !== "string" || !IRI.test(value)) return false;
  if (/^https?:/i.test(value)) {
    try {
      return new URL(value).host !== "";
    } catch {
      return false;
    }
  }
  return true;
}

const isHttpUrl = (value) => typeof value === "string" && /^https?:\/\//i.test(value) && isIri(value);
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * The cmi5 launch parameters of a page address (cmi5 section 8.1), or null when the address has
 * none of them (the viewer was not launched by an LMS). Throws a LaunchError, saying what is
 * wrong, when some are there but not all, or one is not what cmi5 says it must be.
 * @returns {{endpoint: string, fetch: string, actor: object, registration: string, activityId: string} | null}
 */
export function launchFromUrl(url) {
  let address;
  try {
    address = url instanceof URL ? url : new URL(String(url), "http://localhost/");
  } catch {
    return null;
  }
  const q = address.searchParams;
  const given = LAUNCH_PARAMETERS.filter((name) => q.has(name));
  if (given.length === 0) return null;
  const missing = LAUNCH_PARAMETERS.filter((name) => !q.get(name));
  if (missing.length) {
    throw new LaunchError(`This is not a complete cmi5 launch: the address has ${given.join(", ")} but no ${missing.join(", ")}. An LMS launches the viewer with all of endpoint, fetch, actor, registration and activityId.`);
  }
  const endpoint = q.get("endpoint");
  if (!isHttpUrl(endpoint)) throw new LaunchError(`cmi5 launch: "endpoint" must be the http(s) address of the LMS's xAPI endpoint, not "${endpoint}".`);
  const fetchUrl = q.get("fetch");
  if (!isHttpUrl(fetchUrl)) throw new LaunchError(`cmi5 launch: "fetch" must be the http(s) address that gives the authorization token, not "${fetchUrl}".`);
  let actor;
  try {
    actor = JSON.parse(q.get("actor"));
  } catch {
    throw new LaunchError(`cmi5 launch: "actor" must be a URL-encoded JSON object (an xAPI Agent), not "${q.get("actor")}".`);
  }
  const problem = cmi5ActorProblem(actor);
  if (problem) throw new LaunchError(`cmi5 launch: "actor" ${problem}.`);
  const registration = q.get("registration");
  if (!isUuid(registration)) throw new LaunchError(`cmi5 launch: "registration" must be a UUID, not "${registration}".`);
  const activityId = q.get("activityId");
  if (!isIri(activityId)) throw new LaunchError(`cmi5 launch: "activityId" must be an absolute IRI, not "${activityId}".`);
  return { endpoint, fetch: fetchUrl, actor, registration, activityId };
}

function cmi5ActorProblem(actor) {
  if (!isObject(actor)) return "must be a JSON object";
  if (actor.objectType !== undefined && actor.objectType !== "Agent") return `must be an Agent, not a ${actor.objectType}`;
  const identifiers = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) => actor[k] !== undefined);
  if (!identifiers.includes("account")) return "must identify the learner by an account {homePage, name} (cmi5 9.2)";
  if (identifiers.length > 1) return `must have exactly one identifier, not ${identifiers.join(" and ")}`;
  const account = actor.account;
  if (!isObject(account) || !isHttpUrl(account.homePage) || typeof account.name !== "string" || !account.name) {
    return "must have an account with a homePage (an http(s) address) and a name";
  }
  if (actor.name !== undefined && typeof actor.name !== "string") return "name must be a string";
  return null;
}

/** An ISO 8601 duration of a time in milliseconds, to the hundredth of a second (xAPI 4.6). */
export function isoDuration(ms) {
  const cs = Math.max(0, Math.round((Number(ms) || 0) / 10));
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = (cs % 6000) / 100;
  let out = "PT";
  if (h) out += `${h}H`;
  if (m) out += `${m}M`;
  if (s || (!h && !m)) out += `${Number(s.toFixed(2))}S`;
  return out;
}

/** A random UUID (version 4): crypto.randomUUID where there is one (secure pages only), else from random bytes. */
export function uuidv4() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  if (typeof c?.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The default wait before the n-th retry (1, 2, …): 2 s doubling to 5 minutes, ±25 %. */
export function defaultBackoff(attempt) {
  const base = Math.min(2000 * 2 ** Math.max(0, attempt - 1), 300000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

const endpointUrl = (endpoint, resource) => `${endpoint.endsWith("/") ? endpoint : `${endpoint}/`}${resource}`;
const asArray = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** A language map with the tags of LANGUAGE_TAGS from the viewer's `{vi, en}` texts (empty texts left out). */
export function languageMap(text) {
  if (typeof text === "string") return text ? { [LANGUAGE_TAGS.vi]: text } : undefined;
  if (!isObject(text)) return undefined;
  const map = {};
  for (const [code, tag] of Object.entries(LANGUAGE_TAGS)) {
    if (typeof text[code] === "string" && text[code]) map[tag] = text[code];
  }
  return Object.keys(map).length ? map : undefined;
}

/** A fatal problem with a session's settings: its statements cannot be sent, ever. */
class Fatal extends Error {}
/** A passing one: keep the statements and try again later. */
class Transient extends Error {
  constructor(message, retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // a sandboxed frame or a browser that refuses storage throws on the mere access
  }
}

/** JSON values in a localStorage-like storage, in memory when the storage is missing or refuses. */
class Store {
  constructor(storage, onBroken) {
    this.storage = storage;
    this.broken = !storage;
    this.memory = new Map();
    this.onBroken = onBroken;
  }

  get(key) {
    if (this.memory.has(key)) return clone(this.memory.get(key));
    if (this.broken) return undefined;
    try {
      const text = this.storage.getItem(key);
      return text === null || text === undefined ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  /** "stored"; "full" (the storage works but this does not fit: nothing was written); "memory". */
  set(key, value, { ifFull = "memory" } = {}) {
    if (!this.broken) {
      try {
        if (value === undefined) this.storage.removeItem(key);
        else this.storage.setItem(key, JSON.stringify(value));
        this.memory.delete(key);
        return "stored";
      } catch {
        if (this.#works()) {
          if (ifFull === "fail") return "full";
        } else {
          this.broken = true;
          this.onBroken();
        }
      }
    }
    this.memory.set(key, clone(value));
    return "memory";
  }

  #works() {
    try {
      this.storage.setItem("disan.xapi.probe", "1");
      this.storage.removeItem("disan.xapi.probe");
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Learning records of lessons: `record(event)` for each lesson event of the viewer; statements
 * are kept in storage and sent in order to the LRS. Either a cmi5 launch (`launch`, from
 * launchFromUrl) or an LRS (`endpoint`, `auth`) must be given.
 */
export class LearningRecords {
  #fetch;
  #store;
  #now;
  #uuid;
  #onProblem;
  #backoff;
  #setTimeout;
  #clearTimeout;
  #batchSize;
  #maxQueue;
  #timeoutMs;
  #activityBase;
  #passingScore;
  #lang;
  #key;
  #mode;
  #actor;
  #attempt = null;
  #ensuring = new Map();
  #flushing = null;
  #again = false;
  #soonTimer = null;
  #retryTimer = null;
  #retries = 0;
  #single = 0;
  #refusedReported = false;
  #endedReported = false;
  #closed = false;
  #onOnline;
  #keys;
  lastError = null;

  /**
   * @param {object} config
   * @param {object} [config.launch] a cmi5 launch ({endpoint, fetch, actor, registration, activityId})
   * @param {string} [config.endpoint] the LRS's xAPI endpoint (without a launch)
   * @param {string} [config.auth] the Authorization header's value for the LRS ("Basic …")
   * @param {object} [config.actor] the learner as an xAPI Agent (without a launch); default: an
   *   anonymous account {homePage, name: a random id kept in storage}
   * @param {string} [config.homePage] the anonymous account's homePage (default: the page's origin)
   * @param {string} [config.activityBase] lesson activity ids are `<activityBase><lesson id>`
   * @param {string} [config.lang] "vi" or "en", until a lesson-start says
   * @param {number} [config.passingScore] scaled score (0–1) for cmi5 passed/failed when the LMS gives no masteryScore
   * @param {(text: string) => void} [config.onProblem] told of records dropped or refused (default: console.warn)
   * @param {number} [config.batchSize] statements a request, at most (50)
   * @param {number} [config.maxQueue] statements kept unsent, at most; beyond, the oldest go (5000)
   * For tests and other hosts: `fetch`, `storage` (localStorage-like; null: memory only), `now()`
   * (ms), `uuid()`, `backoff(n)` (ms before the n-th retry), `setTimeout`/`clearTimeout`,
   * `timeoutMs` (a request's limit, 30 s), `listen` (false: no `online` listener), `storagePrefix`.
   */
  constructor(config = {}) {
    const g = globalThis;
    this.#fetch = config.fetch ?? ((...a) => g.fetch(...a));
    this.#now = config.now ?? (() => Date.now());
    this.#uuid = config.uuid ?? uuidv4;
    this.#onProblem = config.onProblem ?? ((text) => console.warn(`Disan learning records: ${text}`));
    this.#backoff = config.backoff ?? defaultBackoff;
    this.#setTimeout = config.setTimeout ?? ((f, ms) => g.setTimeout(f, ms));
    this.#clearTimeout = config.clearTimeout ?? ((t) => g.clearTimeout(t));
    this.#batchSize = Math.max(1, config.batchSize ?? 50);
    this.#maxQueue = Math.max(1, config.maxQueue ?? 5000);
    this.#timeoutMs = config.timeoutMs ?? 30000;
    this.#passingScore = typeof config.passingScore === "number" ? config.passingScore : null;
    this.#lang = config.lang === "en" ? "en" : "vi";
    const prefix = config.storagePrefix ?? "disan.xapi";
    this.#keys = { queue: `${prefix}.queue`, state: `${prefix}.state`, learner: `${prefix}.learner` };
    const noStorage = "this browser does not let the page keep learning records; they are kept only while the page is open";
    const storage = config.storage === undefined ? defaultStorage() : config.storage;
    this.#store = new Store(storage, () => this.#problem(noStorage));
    if (!storage && config.storage === undefined && typeof g.document !== "undefined") this.#problem(noStorage);

    let base = config.activityBase ?? DEFAULT_ACTIVITY_BASE;
    if (!/[/#=:]$/.test(base)) base += "/";
    if (!isIri(`${base}x`)) throw new TypeError(`activityBase must be an absolute IRI, not "${base}"`);
    this.#activityBase = base;

    const state = this.#state();
    if (config.launch) {
      const l = config.launch;
      for (const name of LAUNCH_PARAMETERS) {
        if (!l[name]) throw new TypeError(`the cmi5 launch has no ${name}`);
      }
      this.#mode = "cmi5";
      this.#actor = l.actor;
      this.#key = `cmi5 ${l.registration} ${l.fetch}`;
      state.sessions[this.#key] ??= {
        mode: "cmi5", endpoint: l.endpoint, fetch: l.fetch, actor: l.actor,
        registration: l.registration, activityId: l.activityId, created: this.#now(),
      };
    } else if (config.endpoint) {
      if (!isHttpUrl(config.endpoint)) throw new TypeError(`the LRS endpoint must be an http(s) address, not "${config.endpoint}"`);
      if (config.actor !== undefined && !isObject(config.actor)) throw new TypeError("actor must be an xAPI Agent (an object)");
      this.#mode = "lrs";
      this.#actor = config.actor ?? this.#anonymousActor(config.homePage);
      this.#key = `lrs ${config.endpoint}`;
      state.sessions[this.#key] = { mode: "lrs", endpoint: config.endpoint, auth: config.auth || null, created: this.#now() };
    } else {
      throw new TypeError("LearningRecords needs a cmi5 launch ({launch}) or an LRS ({endpoint, auth})");
    }
    this.#prune(state);
    this.#saveState(state);

    if (config.listen !== false && typeof g.addEventListener === "function") {
      this.#onOnline = () => {
        this.#retries = 0;
        this.flush();
      };
      g.addEventListener("online", this.#onOnline);
    }
    /** Resolves, once the LMS has answered (cmi5), to what it said of this launch; null without cmi5 or when it could not be asked. */
    this.ready = this.#mode === "cmi5" ? this.#launchInfo() : Promise.resolve(null);
    // What an earlier page left in the queue goes first.
    this.#soon();
  }

  /** How many statements wait in the queue (of every page of this site). */
  get pending() {
    return this.#queue().length;
  }

  /** "cmi5" or "lrs". */
  get mode() {
    return this.#mode;
  }

  /** The learner as sent in statements. */
  get actor() {
    return clone(this.#actor);
  }

  /** The language of the statements: "vi" or "en" (the viewer's language switch may set it). */
  get lang() {
    return this.#lang;
  }

  set lang(value) {
    if (value === "vi" || value === "en") this.#lang = value;
  }

  /**
   * Records one viewer event (lesson-start, lesson-step, lesson-answer, lesson-complete; other
   * types are ignored). Never throws. Returns whether a statement was queued.
   */
  record(event) {
    try {
      return this.#record(event);
    } catch (e) {
      this.#problem(`a lesson event could not be recorded (${e?.message ?? e})`);
      return false;
    }
  }

  /**
   * Ends the session: queues `terminated` (with the session's duration) and sends the queue
   * with `keepalive`, so it can go out while the page is closing (call it on pagehide). Without
   * cmi5 it ends the current lesson attempt, if any. Never rejects.
   */
  terminate() {
    try {
      const at = this.#now();
      if (this.#mode === "cmi5") {
        const s = this.#session();
        if (s && !s.terminatedAt && !s.dead) {
          this.#ensureInitialized(at);
          const from = this.#session().initializedAt ?? at;
          this.#enqueue([this.#cmi5Item("terminated", { result: { duration: isoDuration(at - from) } }, at)]);
          this.#updateSession({ terminatedAt: at });
        }
      } else if (this.#attempt) {
        const a = this.#attempt;
        this.#attempt = null;
        this.#enqueue([this.#lrsItem("terminated", this.#lessonActivity(a.lesson, a.title), a, { duration: isoDuration(at - a.start) }, at)]);
      }
    } catch (e) {
      this.#problem(`the end of the session could not be recorded (${e?.message ?? e})`);
    }
    return this.flush({ keepalive: true });
  }

  /**
   * Sends the queue now, in order, in batches. Resolves, never rejects, when the queue is empty
   * or a batch could not go (it is then retried after a backoff): {sent, dropped, pending}.
   */
  flush({ keepalive = false } = {}) {
    if (this.#flushing) {
      // One is under way: this one goes after it (the statements recorded meanwhile too).
      if (keepalive) this.#keepaliveWanted = true;
      return this.#flushing.then(() => this.flush({ keepalive }));
    }
    if (this.#retryTimer !== null) {
      this.#clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    this.#keepaliveWanted = keepalive;
    this.#flushing = this.#drain()
      .catch((e) => {
        this.#problem(`sending learning records failed (${e?.message ?? e})`);
        return { sent: 0, dropped: 0, pending: this.pending };
      })
      .finally(() => {
        this.#flushing = null;
        if (this.#again) {
          this.#again = false;
          this.#soon();
        }
      });
    return this.#flushing;
  }

  #keepaliveWanted = false;

  /** Stops listening and retrying (statements stay queued for the next page). */
  close() {
    this.#closed = true;
    if (this.#onOnline) globalThis.removeEventListener?.("online", this.#onOnline);
    for (const t of [this.#soonTimer, this.#retryTimer]) if (t !== null) this.#clearTimeout(t);
    this.#soonTimer = this.#retryTimer = null;
  }

  // ---- Events to statements.

  #record(event) {
    if (!isObject(event) || typeof event.type !== "string" || !event.type.startsWith("lesson-")) return false;
    if (event.lang === "vi" || event.lang === "en") this.#lang = event.lang;
    const lesson = event.lesson;
    if (typeof lesson !== "string" || !lesson) {
      this.#problem(`a ${event.type} event without a lesson id was not recorded`);
      return false;
    }
    const at = this.#now();
    if (this.#mode === "cmi5") {
      const s = this.#session();
      if (s?.dead) {
        if (!this.#endedReported) {
          this.#endedReported = true;
          this.#problem(`nothing can be recorded for this launch: ${s.dead}`);
        }
        return false;
      }
      if (s?.terminatedAt) {
        if (!this.#endedReported) {
          this.#endedReported = true;
          this.#problem("this cmi5 session has ended (terminated), so the LMS takes no more records from it: open the lesson again from the LMS");
        }
        return false;
      }
    }
    switch (event.type) {
      case "lesson-start":
        return this.#lessonStart(event, at);
      case "lesson-step":
        return this.#lessonStep(event, at);
      case "lesson-answer":
        return this.#lessonAnswer(event, at);
      case "lesson-complete":
        return this.#lessonComplete(event, at);
      default:
        return false;
    }
  }

  #lessonStart(event, at) {
    if (this.#mode === "cmi5") {
      this.#attempt = { lesson: event.lesson, title: event.title, start: at };
      return this.#ensureInitialized(at); // once a session: not again after a reload or a restart
    }
    const items = [];
    if (this.#attempt) {
      // A lesson started again (or another one) before the last was ended: end that attempt.
      const a = this.#attempt;
      items.push(this.#lrsItem("terminated", this.#lessonActivity(a.lesson, a.title), a, { duration: isoDuration(at - a.start) }, at));
    }
    const attempt = { lesson: event.lesson, title: event.title, start: at, registration: this.#uuid() };
    this.#attempt = attempt;
    items.push(this.#lrsItem("initialized", this.#lessonActivity(event.lesson, event.title), attempt, undefined, at));
    this.#enqueue(items);
    return true;
  }

  #lessonStep(event, at) {
    if (typeof event.step !== "string" || !event.step) return false;
    const definition = { type: ACTIVITY_TYPES.step };
    const n = Number.isInteger(event.number) ? event.number : null;
    const of = Number.isInteger(event.steps) ? `/${event.steps}` : "";
    definition.name = n ? { [LANGUAGE_TAGS.vi]: `Bước ${n}${of}`, [LANGUAGE_TAGS.en]: `Step ${n}${of}` } : { [LANGUAGE_TAGS.vi]: event.step, [LANGUAGE_TAGS.en]: event.step };
    const text = languageMap(event.text);
    if (text) definition.description = text;
    const object = { objectType: "Activity", id: `${this.#lessonIri(event.lesson)}/steps/${encodeURIComponent(event.step)}`, definition };
    const extensions = typeof event.exhibit === "string" && event.exhibit ? { [EXHIBIT_EXTENSION]: event.exhibit } : undefined;
    return this.#allowed("experienced", object, event, undefined, extensions, at);
  }

  #lessonAnswer(event, at) {
    if (typeof event.question !== "string" || !event.question) return false;
    const ids = (list) => asArray(list).map((x) => String(x));
    const definition = { type: ACTIVITY_TYPES.question, interactionType: "choice" };
    const prompt = languageMap(event.prompt);
    if (prompt) {
      definition.name = prompt;
      definition.description = prompt;
    }
    definition.correctResponsesPattern = [ids(event.correct).join("[,]")];
    const seen = new Set();
    definition.choices = asArray(event.choices)
      .filter((c) => isObject(c) && c.id !== undefined && !seen.has(String(c.id)) && seen.add(String(c.id)))
      .map((c) => {
        const choice = { id: String(c.id) };
        const text = languageMap(c.text);
        if (text) choice.description = text;
        return choice;
      });
    const object = { objectType: "Activity", id: `${this.#lessonIri(event.lesson)}/questions/${encodeURIComponent(event.question)}`, definition };
    const result = { response: ids(event.response).join("[,]") };
    if (typeof event.success === "boolean") result.success = event.success;
    return this.#allowed("answered", object, event, result, undefined, at);
  }

  #lessonComplete(event, at) {
    const questions = Number.isInteger(event.questions) && event.questions > 0 ? event.questions : 0;
    const right = Math.min(questions, Math.max(0, Number.isInteger(event.right) ? event.right : 0));
    const score = questions ? { scaled: Math.round((right / questions) * 10000) / 10000, raw: right, min: 0, max: questions } : null;
    const a = this.#attempt?.lesson === event.lesson ? this.#attempt : null;
    if (this.#mode === "cmi5") {
      this.#ensureInitialized(at);
      const from = a?.start ?? this.#session().initializedAt ?? at;
      const duration = isoDuration(at - from);
      // cmi5 9.5: completed carries no score; the score goes in passed/failed, which are
      // decided when the LMS's launch data (masteryScore, launchMode) is known.
      const items = [this.#cmi5Item("completed", { result: { completion: true, duration }, moveOn: true, finish: "completed" }, at)];
      if (score) items.push(this.#cmi5Item("passed", { result: { success: true, score, duration }, moveOn: true, finish: "judge" }, at));
      this.#enqueue(items);
      return true;
    }
    const result = { completion: true };
    if (score) result.score = score;
    if (a) result.duration = isoDuration(at - a.start);
    this.#enqueue([this.#lrsItem("completed", this.#lessonActivity(event.lesson, a?.title ?? event.title), a, result, at)]);
    return true;
  }

  /** A statement that is not one of cmi5's own ("cmi5 allowed"; any statement without cmi5). */
  #allowed(verbName, object, event, result, extensions, at) {
    if (this.#mode === "cmi5") {
      this.#ensureInitialized(at);
      const s = this.#session();
      const context = {
        registration: s.registration,
        contextActivities: {
          parent: [{ objectType: "Activity", id: s.activityId }],
          grouping: [{ objectType: "Activity", id: this.#lessonIri(event.lesson) }],
        },
        language: LANGUAGE_TAGS[this.#lang],
      };
      if (extensions) context.extensions = extensions;
      this.#enqueue([{ k: this.#key, s: this.#statement(verbName, object, result, context, at) }]);
      return true;
    }
    const a = this.#attempt?.lesson === event.lesson ? this.#attempt : null;
    const context = {
      contextActivities: { parent: [{ objectType: "Activity", id: this.#lessonIri(event.lesson) }] },
    };
    if (extensions) context.extensions = extensions;
    this.#enqueue([this.#lrsItem(verbName, object, a, result, at, context)]);
    return true;
  }

  #lrsItem(verbName, object, attempt, result, at, context = {}) {
    if (attempt?.registration) context.registration = attempt.registration;
    context.language = LANGUAGE_TAGS[this.#lang];
    return { k: this.#key, s: this.#statement(verbName, object, result, context, at), d: true };
  }

  /** A cmi5 defined statement (on the AU, with the cmi5 category). */
  #cmi5Item(verbName, { result, moveOn = false, finish } = {}, at) {
    const s = this.#session();
    const category = [{ objectType: "Activity", id: CMI5.category }];
    if (moveOn) category.push({ objectType: "Activity", id: CMI5.moveOn });
    const context = { registration: s.registration, contextActivities: { category }, language: LANGUAGE_TAGS[this.#lang] };
    const item = { k: this.#key, s: this.#statement(verbName, { objectType: "Activity", id: s.activityId }, result, context, at) };
    if (finish) item.f = finish;
    return item;
  }

  /** cmi5: the first statement of a session is `initialized`, once (a reload does not repeat it). */
  #ensureInitialized(at) {
    const s = this.#session();
    if (s.initializedAt) return false;
    this.#enqueue([this.#cmi5Item("initialized", {}, at)]);
    this.#updateSession({ initializedAt: at });
    return true;
  }

  #statement(verbName, object, result, context, at) {
    const st = {
      id: this.#uuid(),
      timestamp: new Date(at).toISOString(),
      actor: this.#actor,
      verb: VERBS[verbName],
      object,
    };
    if (result) st.result = result;
    if (context) st.context = context;
    return clone(st);
  }

  #lessonIri(lesson) {
    return `${this.#activityBase}${encodeURIComponent(lesson)}`;
  }

  #lessonActivity(lesson, title) {
    const definition = { type: ACTIVITY_TYPES.lesson };
    const name = languageMap(title);
    if (name) definition.name = name;
    return { objectType: "Activity", id: this.#lessonIri(lesson), definition };
  }

  #anonymousActor(homePage) {
    let page = homePage;
    if (!page) {
      const origin = globalThis.location?.origin;
      page = isHttpUrl(origin) ? origin : "https://disan.haiphong.gov.vn";
    }
    let name = this.#store.get(this.#keys.learner);
    if (typeof name !== "string" || !name) {
      name = this.#uuid();
      this.#store.set(this.#keys.learner, name);
    }
    return { objectType: "Agent", account: { homePage: page, name } };
  }

  // ---- Storage: the queue, the sessions (per cmi5 launch or LRS) and the cmi5 registrations.

  #queue() {
    const q = this.#store.get(this.#keys.queue);
    return Array.isArray(q) ? q.filter((i) => isObject(i) && typeof i.k === "string" && isObject(i.s) && typeof i.s.id === "string") : [];
  }

  #saveQueue(q) {
    let queue = q;
    let dropped = 0;
    for (;;) {
      if (this.#store.set(this.#keys.queue, queue, { ifFull: queue.length > 1 ? "fail" : "memory" }) !== "full") break;
      const n = Math.ceil(queue.length / 4);
      queue = queue.slice(n);
      dropped += n;
    }
    if (dropped) this.#problem(`the browser's storage is full: the oldest ${dropped} learning records not yet sent were dropped`);
  }

  #enqueue(items) {
    if (!items.length) return;
    let q = this.#queue();
    q.push(...items);
    if (q.length > this.#maxQueue) {
      const n = q.length - this.#maxQueue;
      q = q.slice(n);
      this.#problem(`more than ${this.#maxQueue} learning records are waiting to be sent: the oldest ${n} were dropped`);
    }
    this.#saveQueue(q);
    this.#soon();
  }

  #state() {
    const state = this.#store.get(this.#keys.state);
    const ok = isObject(state) ? state : {};
    if (!isObject(ok.sessions)) ok.sessions = {};
    if (!isObject(ok.registrations)) ok.registrations = {};
    return ok;
  }

  #saveState(state) {
    this.#store.set(this.#keys.state, state);
  }

  #session(key = this.#key) {
    return this.#state().sessions[key];
  }

  #updateSession(changes, key = this.#key) {
    const state = this.#state();
    const s = { ...(state.sessions[key] ?? {}), ...changes };
    state.sessions[key] = s;
    this.#saveState(state);
    return s;
  }

  /** Forgets sessions a month old that no queued statement needs, and registrations likewise. */
  #prune(state) {
    const old = this.#now() - 30 * 24 * 3600 * 1000;
    const needed = new Set(this.#queue().map((i) => i.k));
    for (const [key, s] of Object.entries(state.sessions)) {
      if (key !== this.#key && !needed.has(key) && !(s?.created > old)) delete state.sessions[key];
    }
    const registrations = new Set(Object.values(state.sessions).map((s) => s?.registration));
    for (const [id, r] of Object.entries(state.registrations)) {
      if (!registrations.has(id) && !(r?.seen > old)) delete state.registrations[id];
    }
  }

  #problem(text) {
    try {
      this.#onProblem(text);
    } catch {
      // the page's callback is not ours to fail on
    }
  }

  // ---- cmi5: the token, the launch data, the learner's preferences.

  async #launchInfo() {
    try {
      const s = await this.#ensure(this.#key);
      const d = s.launchData ?? {};
      return {
        launchMode: d.launchMode, moveOn: d.moveOn, masteryScore: d.masteryScore, returnURL: d.returnURL,
        launchParameters: d.launchParameters, languagePreference: s.preferences?.languagePreference,
        audioPreference: s.preferences?.audioPreference,
      };
    } catch (e) {
      this.#problem(`the LMS could not be asked about this launch: ${e?.message ?? e}`);
      return null;
    }
  }

  /** The session of a queued statement, with what it needs to send: the token and (cmi5) the launch data. */
  async #ensure(key) {
    const s = this.#session(key);
    if (!s) throw new Fatal("the settings they were recorded with are gone");
    if (s.mode !== "cmi5") return s;
    if (s.dead) throw new Fatal(s.dead);
    if (s.auth && s.launchData) return s;
    if (!this.#ensuring.has(key)) {
      this.#ensuring.set(key, this.#loadCmi5(key).finally(() => this.#ensuring.delete(key)));
    }
    return this.#ensuring.get(key);
  }

  async #loadCmi5(key) {
    let s = this.#session(key);
    if (!s.auth) {
      // cmi5 8.2: POST once; the token is kept (per registration and launch) so a reload uses it again.
      let response;
      try {
        response = await this.#request(s.fetch, { method: "POST" });
      } catch (e) {
        throw new Transient(`the LMS's fetch URL cannot be reached (${e?.message ?? e})`);
      }
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw new Transient(`the LMS's fetch URL answered ${response.status}`, retryAfter(response));
      }
      let body = null;
      try {
        body = await response.json();
      } catch {
        // not JSON: refused below
      }
      if (!response.ok || !isObject(body) || typeof body["auth-token"] !== "string" || !body["auth-token"]) {
        const code = isObject(body) ? body["error-code"] : undefined;
        const why = isObject(body) && body["error-text"] ? `"${body["error-text"]}"` : `HTTP ${response.status}`;
        const dead = `the LMS gave no authorization token (${why}${code !== undefined ? `, error-code ${code}` : ""})${String(code) === "1" ? ": this launch link was used already; open the lesson again from the LMS" : ""}`;
        this.#updateSession({ dead }, key);
        throw new Fatal(dead);
      }
      s = this.#updateSession({ auth: `Basic ${body["auth-token"]}` }, key);
    }
    if (!s.launchData) {
      const query = new URLSearchParams({ stateId: "LMS.LaunchData", activityId: s.activityId, agent: JSON.stringify(s.actor), registration: s.registration });
      const response = await this.#xapiGet(s, `activities/state?${query}`);
      let data = null;
      if (response.status === 200) {
        try {
          data = await response.json();
        } catch {
          // left null: refused below
        }
      } else if (response.status >= 500 || [401, 403, 408, 429].includes(response.status)) {
        throw new Transient(`the LMS answered ${response.status} when asked for the launch data`, retryAfter(response));
      }
      if (!isObject(data)) {
        // cmi5 10: the LMS writes it before the launch. Without it the records still go, with a
        // session id of ours; an LMS that checks them may refuse them (reported then).
        this.#problem(`the LMS has no launch data (LMS.LaunchData) for this launch (HTTP ${response.status}); records are sent without its context template`);
        data = {};
      }
      const template = isObject(data.contextTemplate) ? clone(data.contextTemplate) : {};
      if (!isObject(template.extensions)) template.extensions = {};
      if (typeof template.extensions[CMI5.sessionId] !== "string") {
        template.extensions[CMI5.sessionId] = this.#uuid();
        this.#problem("the LMS's launch data has no session id; the viewer made one");
      }
      const launchData = {
        contextTemplate: template,
        launchMode: ["Normal", "Browse", "Review"].includes(data.launchMode) ? data.launchMode : "Normal",
      };
      if (typeof data.masteryScore === "number" && data.masteryScore >= 0 && data.masteryScore <= 1) launchData.masteryScore = data.masteryScore;
      for (const name of ["moveOn", "returnURL", "launchParameters"]) {
        if (typeof data[name] === "string") launchData[name] = data[name];
      }
      // cmi5 11: the learner's preferences (language, audio); missing or refused is no error.
      let preferences = {};
      try {
        const p = await this.#xapiGet(s, `agents/profile?${new URLSearchParams({ agent: JSON.stringify(s.actor), profileId: "cmi5LearnerPreferences" })}`);
        if (p.status === 200) {
          const body = await p.json();
          if (isObject(body)) preferences = body;
        }
      } catch {
        // preferences are optional
      }
      s = this.#updateSession({ launchData, preferences }, key);
    }
    return s;
  }

  async #xapiGet(s, resource) {
    try {
      return await this.#request(endpointUrl(s.endpoint, resource), {
        method: "GET",
        headers: { "X-Experience-API-Version": XAPI_VERSION, ...(s.auth ? { Authorization: s.auth } : {}) },
      });
    } catch (e) {
      throw new Transient(`the LMS cannot be reached (${e?.message ?? e})`);
    }
  }

  /** cmi5 statements are completed when sent: the context template merged in, completion data as the launch data allows. */
  #finish(item, s) {
    const st = item.s;
    const data = s.launchData;
    const state = this.#state();
    const reg = (state.registrations[s.registration] ??= {});
    reg.seen = this.#now();
    let keep = true;
    if (item.f === "completed" || item.f === "judge") {
      // Browse and Review launches record no completion (cmi5 10, launchMode).
      if (data.launchMode !== "Normal") keep = false;
    }
    if (keep && item.f === "completed") {
      // Once per registration (cmi5 9.3.3).
      if (reg.completed) keep = false;
      else reg.completed = true;
    }
    if (keep && item.f === "judge") {
      const mastery = data.masteryScore ?? this.#passingScore;
      const session = state.sessions[item.k];
      if (typeof mastery !== "number" || reg.passed || session.judged) {
        keep = false;
      } else {
        const passed = st.result.score.scaled >= mastery;
        st.verb = VERBS[passed ? "passed" : "failed"];
        st.result.success = passed;
        if (typeof data.masteryScore === "number") {
          st.context.extensions = { ...(st.context.extensions ?? {}), [CMI5.masteryScore]: data.masteryScore };
        }
        session.judged = true;
        if (passed) reg.passed = true;
      }
    }
    this.#saveState(state);
    if (!keep) return null;
    st.context = mergeTemplate(st.context ?? {}, data.contextTemplate);
    return st;
  }

  // ---- Sending.

  #soon() {
    if (this.#closed || this.#soonTimer !== null || this.#retryTimer !== null) return;
    this.#soonTimer = this.#setTimeout(() => {
      this.#soonTimer = null;
      if (this.#flushing) this.#again = true; // the one under way ends by scheduling another
      else this.flush();
    }, 0);
    this.#soonTimer?.unref?.();
  }

  #retryLater(reason, retryAfterMs) {
    this.lastError = reason;
    if (this.#closed) return;
    this.#retries += 1;
    const wait = Math.max(this.#backoff(this.#retries), Math.min(retryAfterMs ?? 0, 600000));
    if (this.#retryTimer !== null) this.#clearTimeout(this.#retryTimer);
    this.#retryTimer = this.#setTimeout(() => {
      this.#retryTimer = null;
      this.flush();
    }, wait);
    this.#retryTimer?.unref?.();
  }

  async #drain() {
    let sent = 0;
    let dropped = 0;
    const done = () => ({ sent, dropped, pending: this.#queue().length });
    for (;;) {
      let q = this.#queue();
      if (!q.length) {
        this.#retries = 0;
        return done();
      }
      const key = q[0].k;
      let s;
      try {
        s = await this.#ensure(key);
      } catch (e) {
        if (e instanceof Fatal) {
          const before = this.#queue();
          const rest = before.filter((i) => i.k !== key);
          this.#saveQueue(rest);
          dropped += before.length - rest.length;
          this.#problem(`${before.length - rest.length} learning records could not be sent and were dropped: ${e.message}`);
          continue;
        }
        this.#retryLater(e?.message ?? String(e), e?.retryAfter);
        return done();
      }
      q = this.#queue();
      if (!q.length || q[0].k !== key) continue;

      const limit = this.#single > 0 ? 1 : this.#batchSize;
      let picked = [];
      for (const item of q) {
        if (item.k !== key || picked.length >= limit) break;
        picked.push(item);
      }
      if (s.mode === "cmi5" && picked.some((i) => !i.d)) {
        const finished = new Map();
        for (const item of picked) {
          if (!item.d) finished.set(item.s.id, this.#finish(item, s));
        }
        q = this.#queue();
        const next = [];
        for (const item of q) {
          if (!finished.has(item.s.id)) next.push(item);
          else if (finished.get(item.s.id)) next.push({ k: item.k, s: finished.get(item.s.id), d: true });
        }
        this.#saveQueue(next);
        continue; // pick again from the saved queue
      }

      // keepalive requests may carry 64 KiB in all: send what fits.
      const keepalive = this.#keepaliveWanted;
      let statements = picked.map((i) => i.s);
      if (keepalive) {
        let size = 2;
        const fits = [];
        for (const st of statements) {
          size += JSON.stringify(st).length * 3 + 1; // UTF-8: at most 3 bytes a UTF-16 unit
          if (fits.length && size > 60000) break;
          fits.push(st);
        }
        statements = fits;
      }
      picked = picked.slice(0, statements.length);
      const ids = new Set(statements.map((st) => st.id));

      let response;
      try {
        response = await this.#request(endpointUrl(s.endpoint, "statements"), {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            ...(s.auth ? { Authorization: s.auth } : {}),
          },
          body: JSON.stringify(statements),
          keepalive: keepalive && statements.length > 0,
        });
      } catch (e) {
        this.#retryLater(`the learning record store cannot be reached (${e?.message ?? e})`);
        return done();
      }
      if (response.ok) {
        try {
          await response.text(); // the ids; read so that the connection is free again
        } catch {
          // sent is sent
        }
        this.#saveQueue(this.#queue().filter((i) => !ids.has(i.s.id)));
        sent += ids.size;
        this.#retries = 0;
        this.#single = Math.max(0, this.#single - ids.size);
        this.#refusedReported = false;
        this.lastError = null;
        continue;
      }
      const reason = await responseReason(response);
      if (response.status >= 500 || [401, 403, 408, 429].includes(response.status)) {
        if ([401, 403, 429].includes(response.status) && !this.#refusedReported) {
          this.#refusedReported = true;
          this.#problem(`the learning record store refused the records (${response.status}${reason ? `: ${reason}` : ""}); they are kept and will be sent again`);
        }
        this.#retryLater(`the learning record store answered ${response.status}${reason ? `: ${reason}` : ""}`, retryAfter(response));
        return done();
      }
      if (statements.length > 1) {
        // One of them is wrong: send them one by one, to drop only that one.
        this.#single = statements.length;
        continue;
      }
      const st = statements[0];
      this.#saveQueue(this.#queue().filter((i) => i.s.id !== st.id));
      this.#single = Math.max(0, this.#single - 1);
      dropped += 1;
      this.#problem(`the learning record store refused a statement (${response.status}${reason ? `: ${reason}` : ""}); it was dropped so that the others can be sent: ${st.verb?.display?.["en-US"] ?? st.verb?.id} ${st.object?.id}`);
    }
  }

  async #request(url, init) {
    if (init.keepalive) {
      // The page may be closing: no timeout of ours. Some Chromium builds refuse keepalive on a
      // request that needs a CORS preflight (an LRS on another site): then as a plain request.
      try {
        return await this.#fetch(url, init);
      } catch {
        return this.#fetch(url, { ...init, keepalive: false });
      }
    }
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = controller ? this.#setTimeout(() => controller.abort(), this.#timeoutMs) : null;
    timer?.unref?.();
    try {
      return await this.#fetch(url, controller ? { ...init, signal: controller.signal } : init);
    } finally {
      if (timer !== null) this.#clearTimeout(timer);
    }
  }
}

function retryAfter(response) {
  const value = response.headers?.get?.("Retry-After");
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

async function responseReason(response) {
  try {
    const text = (await response.text()).trim();
    try {
      const body = JSON.parse(text);
      if (isObject(body)) return String(body.message ?? body.error ?? body.reason ?? text).slice(0, 300);
    } catch {
      // plain text
    }
    return text.slice(0, 300);
  } catch {
    return "";
  }
}

/** The statement's context with the LMS's contextTemplate merged in; the template's values win (cmi5 10). */
export function mergeTemplate(context, template) {
  const ctx = clone(context) ?? {};
  if (!isObject(template)) return ctx;
  for (const [name, value] of Object.entries(template)) {
    if (name === "contextActivities" && isObject(value)) {
      ctx.contextActivities = isObject(ctx.contextActivities) ? ctx.contextActivities : {};
      for (const [list, activities] of Object.entries(value)) {
        const theirs = asArray(clone(activities));
        const ours = asArray(ctx.contextActivities[list]).filter((a) => !theirs.some((t) => t?.id === a?.id));
        ctx.contextActivities[list] = [...theirs, ...ours];
      }
    } else if (name === "extensions" && isObject(value)) {
      ctx.extensions = { ...(isObject(ctx.extensions) ? ctx.extensions : {}), ...clone(value) };
    } else {
      ctx[name] = clone(value);
    }
  }
  return ctx;
}

/**
 * The page's learning records, from its address and settings: a cmi5 launch when the address
 * has its parameters, else the LRS of `<meta name="disan-lrs" content="ENDPOINT">` (with
 * `<meta name="disan-lrs-auth" content="Basic …">`), else null (nothing is recorded).
 * `<meta name="disan-lrs-activity-base" content="https://…/">` changes where lesson activity ids
 * start. Throws a LaunchError when the address is a cmi5 launch that cannot be used. `options`
 * go to the constructor (and win over the page's settings).
 */
export function learningRecordsFromPage(options = {}, { document = globalThis.document, location = globalThis.location } = {}) {
  const meta = (name) => document?.querySelector?.(`meta[name="${name}"]`)?.content?.trim() || "";
  // <meta name="disan-lrs-activity-base">: where lesson activity ids start, for both ways.
  const base = meta("disan-lrs-activity-base");
  const config = base ? { activityBase: base, ...options } : options;
  const launch = location ? launchFromUrl(location.href) : null;
  if (launch) return new LearningRecords({ ...config, launch });
  const endpoint = meta("disan-lrs");
  if (!endpoint) return null;
  return new LearningRecords({ ...config, endpoint, auth: meta("disan-lrs-auth") || undefined });
}
