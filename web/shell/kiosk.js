// The viewer page as a museum kiosk in a browser (docs/kiosk.md, "In a browser"): for a kiosk
// shell (KioWare, Kiosk Pro, SiteKiosk, Chromium --kiosk) pointed at
//   viewer.html?kiosk[&idle=60][&attract=180][&exhibit=…][&catalogue]
// After `idle` seconds without a touch, a ten-second countdown (any touch keeps the visit), then
// a reset: panels closed, tour stopped, the starting language and exhibit, the home view (the
// catalogue screen when the page opened on it). After `attract` seconds, an attract loop: the
// exhibit's first tour plays with its captions, again and again, until a touch wakes it.
// The native `disan kiosk` does the same and more (opening hours, a PIN exit, usage counters).

const COUNTDOWN_S = 10;

/**
 * Starts the kiosk behaviour on this page. `disan` is the page's viewer API (window.disan);
 * `start` what the visit starts from: `{ exhibit, lang, catalogue }`; `emit` tells the page's
 * listeners (a `kiosk` event with `phase`: countdown, reset, attract, visit).
 */
export function startKiosk(disan, params, start, emit, { now = () => performance.now(), document = globalThis.document } = {}) {
  const seconds = (name, fallback, min) => {
    const n = Number.parseFloat(params.get(name) ?? "");
    return Number.isFinite(n) && n >= min ? n : fallback;
  };
  const idleS = seconds("idle", 60, 3);
  const attractS = Math.max(seconds("attract", 180, 5), idleS + 1);
  const kiosk = { phase: "visit", idleS, attractS, resets: 0, attracts: 0 };
  disan.kiosk = kiosk;
  let lastTouch = now();
  let attractTour = false;

  const overlay = document.createElement("div");
  overlay.id = "kiosk-countdown";
  overlay.setAttribute("role", "alert");
  overlay.hidden = true;
  const text = document.createElement("p");
  const stay = document.createElement("button");
  stay.type = "button";
  stay.textContent = "Tiếp tục xem · Keep looking";
  overlay.append(text, stay);
  document.getElementById("stage").append(overlay);

  // Told as the page's other events are: to window.disan.events, the window and the parent.
  const tell = (type, detail = {}) => emit({ type, ...detail });

  function touched() {
    lastTouch = now();
    if (kiosk.phase === "attract") {
      // Woken: the tour of the attract loop stops where it is, and the visitor takes over.
      disan.command({ type: "stop-tour" });
      attractTour = false;
    }
    if (kiosk.phase !== "visit") {
      kiosk.phase = "visit";
      overlay.hidden = true;
      tell("kiosk", { phase: "visit" });
    }
  }
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  }

  function reset() {
    kiosk.resets += 1;
    disan.command({ type: "stop-tour" });
    disan.command({ type: "close-hotspot" });
    disan.command({ type: "set-language", lang: start.lang });
    if (start.exhibit && disan.state.exhibit !== start.exhibit) {
      disan.command({ type: "load", exhibit: start.exhibit });
    }
    // Also after a load: if the start exhibit cannot be loaded, the one on screen goes home.
    disan.command({ type: "home" });
    // A search from the page clears the filters and the picked place too.
    if (start.catalogue) disan.command({ type: "open-catalogue", view: "gallery", search: "" });
    else disan.command({ type: "close-catalogue" });
    tell("kiosk", { phase: "reset" });
  }

  function attract() {
    kiosk.attracts += 1;
    disan.command({ type: "close-catalogue" });
    const tours = disan.state.summary?.tours ?? [];
    if (tours.length) {
      disan.command({ type: "start-tour", tour: tours[0].id, stop: 1 });
      attractTour = true;
    }
    tell("kiosk", { phase: "attract" });
  }

  // The loop of the attract mode: a tour that ends starts again.
  // The idle clock starts when the first picture shows: the first exhibit (or its error), or the
  // catalogue a kiosk page may start on (drawn in full at once, whatever loads behind it). No
  // visitor can have acted on a loading screen, and a countdown over the poster would only
  // puzzle them.
  let firstPicture = false;
  const isFirstPicture = (event) =>
    event.type === "first-frame" || event.type === "error" || (event.type === "state" && !!event.state.catalogue);
  window.addEventListener("disan", (e) => {
    if (!firstPicture && isFirstPicture(e.detail)) {
      firstPicture = true;
      lastTouch = now();
    }
    if (e.detail.type === "tour-end" && kiosk.phase === "attract" && attractTour) {
      setTimeout(() => kiosk.phase === "attract" && attract(), 1500);
    }
  });

  setInterval(() => {
    if (!firstPicture) return;
    const idle = (now() - lastTouch) / 1000;
    if (kiosk.phase === "visit" && idle >= idleS - Math.min(COUNTDOWN_S, idleS / 2)) {
      kiosk.phase = "countdown";
      overlay.hidden = false;
      tell("kiosk", { phase: "countdown" });
    }
    if (kiosk.phase === "countdown") {
      const left = Math.max(0, Math.ceil(idleS - idle));
      text.textContent = `Trở về màn hình đầu sau ${left} giây · Back to the start in ${left} s`;
      if (idle >= idleS) {
        overlay.hidden = true;
        kiosk.phase = "idle";
        reset();
      }
    }
    if (kiosk.phase === "idle" && idle >= attractS) {
      kiosk.phase = "attract";
      attract();
    }
  }, 250);
  return kiosk;
}
