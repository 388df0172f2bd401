// Anonymous usage counters from the browser viewer, when the site turns them on with
// <meta name="disan-usage" content="URL"> (docs/kiosk.md, "Usage counters"). The records are
// those of a kiosk's usage log, with kiosk "web", so `disan report` sums kiosks and web pages
// together; `disan usage-collect` receives them at URL.
//
// Nothing names or follows a visitor: a visit is the millisecond its page showed the first
// exhibit, and the records say what was looked at, in which language, for how long. Nothing is
// sent when the browser asks sites not to track (Global Privacy Control, Do Not Track).

const FLUSH_EVERY_MS = 30000;
const FLUSH_AT_RECORDS = 20;

/** Local time with its offset (RFC 3339), so that a month in the report is the museum's month. */
export function localTime(date = new Date()) {
  const pad = (n, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** The visitor's browser asks sites not to track. */
export function visitorDeclines(nav = navigator) {
  return nav.globalPrivacyControl === true || nav.doNotTrack === "1";
}

/**
 * Counts what the visitor does from the viewer's events and sends it to `endpoint` in batches
 * (`navigator.sendBeacon`, which also works while the page closes). Returns `{ onEvent }`.
 */
export function startUsage(endpoint, {
  now = () => Date.now(),
  send = (url, body) => navigator.sendBeacon(url, new Blob([body], { type: "text/plain" })),
  page = globalThis,
} = {}) {
  let session = null; // the visit: { id, began, lastActive, lang }
  let view = null; // the exhibit on screen: { exhibit, began }
  let tour = null; // "exhibit/tour" while a tour plays
  const queue = [];

  const record = (event) => {
    if (!session) return;
    queue.push(JSON.stringify({ at: localTime(new Date(now())), kiosk: "web", session: session.id, ...event }));
    if (queue.length >= FLUSH_AT_RECORDS) flush();
  };
  const flush = () => {
    if (!queue.length) return;
    const body = queue.splice(0).join("\n") + "\n";
    try {
      send(endpoint, body);
    } catch (e) {
      console.warn(`Disan: usage counters not sent (${e})`);
    }
  };
  const active = () => {
    if (session) session.lastActive = now();
  };
  const endView = () => {
    if (!view) return;
    record({ event: "view-end", exhibit: view.exhibit, seconds: Math.max(0, (Math.max(session.lastActive, view.began) - view.began) / 1000) });
    view = null;
  };
  const endSession = () => {
    if (!session) return;
    endView();
    record({ event: "session-end", seconds: Math.max(0, (session.lastActive - session.began) / 1000) });
    flush();
    session = null;
  };

  for (const type of ["pointerdown", "keydown", "wheel"]) page.addEventListener?.(type, active, { capture: true, passive: true });
  // A page that is hidden may never come back (a closed tab, a phone's app switcher): the visit
  // ends there, and a new one begins if the visitor returns to it.
  page.addEventListener?.("pagehide", endSession);
  page.document?.addEventListener("visibilitychange", () => {
    if (page.document.visibilityState === "hidden") endSession();
  });
  if (page.document) setInterval(flush, FLUSH_EVERY_MS);

  return {
    onEvent(event) {
      switch (event.type) {
        case "ready": {
          const { id, lang } = event.exhibit;
          if (!session) {
            const t = now();
            session = { id: t, began: t, lastActive: t, lang };
            record({ event: "session-start", lang });
          }
          if (view?.exhibit === id) break;
          endView();
          active();
          view = { exhibit: id, began: now() };
          tour = null;
          record({ event: "view", exhibit: id, lang });
          break;
        }
        case "hotspot-open":
          active();
          record({ event: "hotspot", exhibit: event.exhibit, hotspot: event.hotspot });
          break;
        case "tour-step": {
          // A tour plays on its own: its steps count as the visitor watching.
          active();
          const key = `${event.exhibit}/${event.tour}`;
          if (tour !== key) {
            tour = key;
            record({ event: "tour-start", exhibit: event.exhibit, tour: event.tour });
          }
          break;
        }
        case "tour-end":
          active();
          if (event.completed) record({ event: "tour-complete", exhibit: event.exhibit, tour: event.tour });
          tour = null;
          break;
        case "state": {
          const lang = event.state.lang;
          if (session && lang && lang !== session.lang) {
            session.lang = lang;
            record({ event: "language", lang });
          }
          break;
        }
      }
    },
    flush,
    endSession,
  };
}
