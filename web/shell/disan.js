// The viewer page's script: the thin layer between a web page and the Disan engine (wasm).
//
// It reads the page's address (?exhibit=…&lang=…&tour=…&stop=…&mode=…&autoplay&renderer=…), decides where
// the exhibit comes from (and refuses addresses that are not allowed), shows a poster and a
// progress bar until the engine is ready, starts the engine, and relays commands and events
// between the engine and whoever embeds this page (postMessage) or scripts it (window.disan).
// Everything a visitor sees of the exhibit is drawn by the engine; see docs/embedding.md.

import { learningRecordsFromPage, LaunchError } from "./xapi.js";
import { startKiosk } from "./kiosk.js";
import { startUsage, visitorDeclines } from "./usage.js";
import { startPreview, thumbsFromManifest } from "./preview.js";

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const here = new URL(location.href);

/** What is known of the viewer; `state` is the engine's last snapshot. */
const disan = {
  events: [],
  state: { phase: "starting", exhibit: null, lang: params.get("lang") === "en" ? "en" : "vi" },
  /** Sends a command to the engine (queued until it runs). */
  command(command) {
    if (engineCommand) {
      try {
        engineCommand(JSON.stringify(command));
      } catch (e) {
        console.warn(String(e));
      }
    } else {
      pending.push(command);
    }
  },
};
window.disan = disan;
let engineCommand = null;
const pending = [];

// ---- Sound: browsers let audio start only after a gesture. Keep every AudioContext the engine
// makes, start them on the visitor's first gesture or the sound button, and stop them on request.
const audioContexts = [];
const NativeAudioContext = window.AudioContext || window.webkitAudioContext;
if (NativeAudioContext) {
  window.AudioContext = class extends NativeAudioContext {
    constructor(...args) {
      super(...args);
      audioContexts.push(this);
      if (!soundWanted) this.suspend().catch(() => {});
    }
  };
}
let soundWanted = false;
function setSound(on) {
  soundWanted = on;
  for (const ctx of audioContexts) (on ? ctx.resume() : ctx.suspend()).catch(() => {});
  const button = $("sound");
  button.setAttribute("aria-pressed", String(on));
  setButton(button, on ? "icon-sound-on" : "icon-sound-off", on ? ["Tắt âm thanh", "Sound off"] : ["Bật âm thanh", "Sound on"]);
}
/** A button's icon (a <symbol> of viewer.html) and its bilingual label. */
function setButton(button, icon, [vi, en]) {
  button.querySelector("use").setAttribute("href", `#${icon}`);
  const label = button.querySelector(".label");
  label.replaceChildren(Object.assign(document.createElement("span"), { lang: "vi", textContent: vi }), " · ",
    Object.assign(document.createElement("span"), { lang: "en", textContent: en }));
}
let soundChosen = false;
$("sound").addEventListener("click", () => {
  soundChosen = true;
  setSound(!soundWanted);
});
// The first gesture in the view turns sound on, unless the visitor already chose.
for (const type of ["pointerdown", "keydown"]) {
  $("disan-canvas").addEventListener(type, () => {
    if (!soundChosen) {
      soundChosen = true;
      setSound(true);
    }
  }, { once: true });
}

// ---- Full screen, where the page (or the iframe's allow="fullscreen") permits it.
if (document.fullscreenEnabled) {
  $("fullscreen").addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else $("stage").requestFullscreen().catch(() => {});
  });
  // The button shows what it does next, whether full screen was entered with it or left with Esc.
  document.addEventListener("fullscreenchange", () => {
    const full = !!document.fullscreenElement;
    setButton($("fullscreen"), full ? "icon-fullscreen-exit" : "icon-fullscreen-enter",
      full ? ["Thoát toàn màn hình", "Exit full screen"] : ["Toàn màn hình", "Full screen"]);
  });
} else {
  $("fullscreen").hidden = true;
}

// ---- The catalogue's search field (viewer.html): what is typed goes to the engine's search box.
$("catalogue-search").addEventListener("input", (e) => {
  disan.command({ type: "search-catalogue", text: e.target.value });
});
$("catalogue-search").addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  // As on the canvas: Esc empties the search, then closes the catalogue.
  e.preventDefault();
  if (e.target.value) {
    e.target.value = "";
    disan.command({ type: "search-catalogue", text: "" });
  } else {
    e.target.blur();
    disan.command({ type: "close-catalogue" });
  }
});

/** Lays the search field over the engine's search box while the catalogue is open. */
function placeCatalogueSearch(catalogue) {
  const field = $("catalogue-search");
  const box = catalogue?.search_box;
  field.hidden = !box;
  if (!box) {
    if (document.activeElement === field) field.blur();
    return;
  }
  const [left, top, width, height] = box;
  Object.assign(field.style, { left: `${left}px`, top: `${top}px`, width: `${width}px`, height: `${height}px` });
  // A search changed from elsewhere (typed on the canvas, a kiosk's reset, the host page).
  if (field.value !== catalogue.search && document.activeElement !== field) field.value = catalogue.search;
}

// Keys the engine uses must not scroll the page; Tab still leaves the canvas.
$("disan-canvas").addEventListener("keydown", (e) => {
  if ([" ", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "PageUp", "PageDown", "+", "-", "="].includes(e.key)) {
    e.preventDefault();
  }
});

// ---- Messages on the page.
const TEXT = {
  refused: {
    vi: (url) => `Không mở được hiện vật: địa chỉ ${url} không thuộc các nguồn được phép.`,
    en: (url) => `This exhibit cannot be opened: ${url} is not an allowed source.`,
  },
  unknown: {
    vi: (id) => `Không có hiện vật “${id}” trong danh mục.`,
    en: (id) => `There is no exhibit “${id}” in the catalogue.`,
  },
  launch: {
    vi: (why) => `Địa chỉ mở bài học từ hệ thống học tập (LMS) không đúng: ${why}`,
    en: (why) => `The learning system's (LMS) launch address is wrong: ${why}`,
  },
  lesson: {
    vi: (id) => `Không có bài học “${id}”.`,
    en: (id) => `There is no lesson “${id}”.`,
  },
  engine: {
    vi: (why) => `Trình xem không khởi động được: ${why}`,
    en: (why) => `The viewer could not start: ${why}`,
  },
  points: { vi: "Các điểm đáng chú ý", en: "Points of interest" },
  keys: {
    vi: "Phím: mũi tên xoay, + và − phóng to thu nhỏ, 1–9 mở điểm, L đổi ngôn ngữ, T bắt đầu tham quan, N/B điểm dừng sau/trước, Space tạm dừng.",
    en: "Keys: arrows rotate, + and − zoom, 1–9 open a point, L switches language, T starts the tour, N/B next/previous stop, Space pauses.",
  },
};

function showMessage(kind, arg) {
  const box = $("message");
  box.hidden = false;
  box.textContent = `${TEXT[kind].vi(arg)}\n${TEXT[kind].en(arg)}`;
  $("loading").hidden = true;
  $("stage").setAttribute("aria-busy", "false");
  emit({ type: "error", exhibit: null, problems: [TEXT[kind].en(arg)] });
}

function setProgress(fraction) {
  $("loading").querySelector(".fill").style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

// ---- Events: from the engine to this page, the embedding page and scripts. Every type is relayed
// as it came (ready, progress, first-frame, hotspot-open, tour-step, tour-end, error, warning,
// state): to window.disan.events, as a `disan` event on window, and posted to the parent.
function emit(event) {
  disan.events.push(event);
  usage?.onEvent(event);
  // When each kind of event first arrived (ms since navigation start), for the benchmark.
  disan.firstAt ??= {};
  disan.firstAt[event.type] ??= performance.now();
  if (event.type === "state") disan.state = event.state;
  onEvent(event);
  window.dispatchEvent(new CustomEvent("disan", { detail: event }));
  if (window.parent !== window) window.parent.postMessage({ disan: 1, event }, "*");
  // A window this one was opened from (a teacher's page driving the class's screen) hears too,
  // when it is of this site.
  if (window.opener && window.opener !== window.parent) {
    try {
      window.opener.postMessage({ disan: 1, event }, here.origin);
    } catch {
      // The opener has gone, or is of another site (which postMessage then refuses).
    }
  }
}
window.disanEmit = (json) => emit(JSON.parse(json));

// ---- Anonymous usage counters, when the site turns them on (usage.js, docs/kiosk.md). A kiosk
// page does not count: its attract loop plays tours that no visitor asked for.
const usageEndpoint = document.querySelector('meta[name="disan-usage"]')?.content.trim();
const usage = usageEndpoint && !params.has("kiosk") && !visitorDeclines()
  ? startUsage(new URL(usageEndpoint, location.href).href)
  : null;

let readyOnce = false;
let pictureShown = false;
/** The engine draws a complete picture: the poster and the progress bar make way for it. */
function pictureOnScreen() {
  pictureShown = true;
  endFirstLook();
  $("poster").hidden = true;
  $("loading").hidden = true;
  $("stage").setAttribute("aria-busy", "false");
}
function onEvent(event) {
  switch (event.type) {
    case "progress":
      // The engine's file loading is the second half of the bar; the wasm download the first.
      setProgress(0.5 + event.fraction / 2);
      break;
    case "ready":
      $("message").hidden = true;
      if (!readyOnce) {
        readyOnce = true;
        startAsAsked();
      }
      break;
    case "first-frame":
      // The poster and the bar stay until the first complete picture: while the engine compiles
      // its shaders it draws only a rough preview behind them.
      pictureOnScreen();
      break;
    case "state":
      describe(event.state);
      // The page's own buttons step down to the bottom corner, off the catalogue's cards.
      document.body.classList.toggle("catalogue-open", !!event.state.catalogue);
      placeCatalogueSearch(event.state.catalogue);
      // The catalogue screen is drawn in full from the engine's first frames and covers the
      // exhibit: it is a complete picture even while the exhibit behind it still compiles.
      if (event.state.catalogue && !pictureShown) pictureOnScreen();
      break;
    case "error":
      $("loading").hidden = true;
      $("poster").hidden = true;
      break;
    case "lesson-results-file":
      // "Save the results" on the lesson's results card: a page cannot write files, so the
      // student's results sheet is offered as a download (docs/lessons.md).
      downloadText(event.name, event.text);
      break;
    // "warning": an optional file (hotspot image, captions, a sound, a narration) was left out and
    // the exhibit still shows, so the page stays as it is; the event is only relayed.
  }
}

/** Offers `text` as a file called `name` (the browser's downloads). */
function downloadText(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- The first look (preview.js): the exhibit's thumb models, turnable, while the engine
// downloads; the engine's first complete picture replaces it.
let firstLook = null;
async function startFirstLook(models) {
  const canvas = $("preview");
  try {
    const look = await startPreview(canvas, models);
    if (pictureShown) {
      look.stop();
      return;
    }
    firstLook = look;
    canvas.classList.add("drawn");
    $("poster").hidden = true;
    // Relayed like the engine's events: when the first look was on screen (for the benchmark).
    emit({ type: "preview", ms: Math.round(performance.now()), triangles: look.triangles });
  } catch (e) {
    console.info(`Disan: no first look (${e.message || e}); the poster stays until the engine draws`);
  }
}
function endFirstLook() {
  $("preview").classList.remove("drawn");
  $("preview").hidden = true;
  firstLook?.stop();
  firstLook = null;
}

/** The text alternative: title, summary and the points, as buttons that open them. */
function describe(state) {
  const lang = state.lang || "vi";
  document.documentElement.lang = lang;
  $("disan-keys").textContent = TEXT.keys[lang];
  const summary = state.summary;
  if (!summary) return;
  $("alt-title").textContent = summary.title;
  $("alt-summary").textContent = summary.summary;
  $("alt-points-heading").textContent = TEXT.points[lang];
  $("disan-canvas").setAttribute("aria-label", `${summary.title}: ${lang === "vi" ? "mô hình 3D" : "3D view"}`);
  const list = $("alt-points");
  const key = summary.id + lang + summary.hotspots.map((h) => h.id).join();
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...summary.hotspots.map((h) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = h.title;
    button.addEventListener("click", () => disan.command({ type: "open-hotspot", hotspot: h.id }));
    item.append(button);
    return item;
  }));
}

/** What the page's address asked for beyond the exhibit: a tour, a stop, a mode. */
function startAsAsked() {
  const tour = params.get("tour");
  const stop = Number.parseInt(params.get("stop") || "", 10);
  if (tour || params.has("autoplay") || Number.isFinite(stop)) {
    disan.command({ type: "start-tour", tour: tour || null, stop: Number.isFinite(stop) ? stop : 1 });
  }
  const mode = params.get("mode");
  if (mode) disan.command({ type: "set-mode", mode });
}

// ---- Commands from the embedding page.
window.addEventListener("message", (e) => {
  if (!e.data || e.data.disan !== 1 || !e.data.command) return;
  // From the embedding page, or from a page of this site that opened this window (a teacher's
  // page, docs/lessons.md). A top-level window is its own parent: that is no command giver.
  const fromParent = e.source === window.parent && window.parent !== window;
  const fromOpener = window.opener && e.source === window.opener && e.origin === here.origin;
  if (!fromParent && !fromOpener) return;
  disan.command(e.data.command);
});

// ---- Where the exhibit comes from.
function allowedOrigins() {
  const listed = document.querySelector('meta[name="disan-allowed-origins"]')?.content || "";
  return new Set([here.origin, ...listed.split(/\s+/).filter(Boolean)]);
}

/** The catalogue to open: the bundled one (an id), or one package at an allowed address. */
async function resolveExhibit() {
  const asked = params.get("exhibit") || "";
  if (asked === "" || /^[a-z0-9][a-z0-9-]*$/.test(asked)) {
    const base = new URL("exhibits/", here);
    const index = await fetch(new URL("index.json", base)).then((r) => r.json());
    const ids = index.exhibits.map((e) => e.id);
    if (asked && !ids.includes(asked)) return { refused: ["unknown", asked] };
    const start = asked || ids[0];
    const preview = index.exhibits.find((e) => e.id === start)?.preview;
    return {
      base: base.href, exhibits: ids, start, poster: new URL(`${start}/poster.png`, base).href,
      preview: preview?.map((m) => ({ ...m, url: new URL(`${start}/${m.src}`, base).href })),
    };
  }
  let url;
  try {
    url = new URL(asked.replace(/\/exhibit\.toml$/, "").replace(/\/?$/, "/"), document.baseURI);
  } catch {
    return { refused: ["refused", asked] };
  }
  if (!["http:", "https:"].includes(url.protocol) || !allowedOrigins().has(url.origin)) {
    return { refused: ["refused", url.href] };
  }
  const parts = url.pathname.replace(/\/$/, "").split("/");
  const id = parts.pop();
  const base = url.origin + parts.join("/");
  return { base, exhibits: [id], start: id, poster: new URL("poster.png", url).href, manifest: new URL("exhibit.toml", url).href };
}

/**
 * Which engine build to load. WebGPU where the browser offers a hardware WebGPU adapter, else
 * WebGL2 (every browser Disan supports). A software ("fallback") WebGPU adapter is passed over:
 * on the same CPU the WebGL2 build shows the first frame sooner (measured: 4.0 s against 7.2 s,
 * see docs/embedding.md). `?renderer=webgl2` always loads WebGL2; `?renderer=webgpu` loads
 * WebGPU on any adapter, software included, and still falls back to WebGL2 where there is none,
 * so a page never ends up without a viewer.
 */
async function chooseRenderer(build) {
  const asked = params.get("renderer");
  if (asked === "webgl2" || !build.renderers?.webgpu || !navigator.gpu) return "webgl2";
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return "webgl2";
    return asked === "webgpu" || !adapter.info?.isFallbackAdapter ? "webgpu" : "webgl2";
  } catch {
    return "webgl2";
  }
}

/** Downloads the engine with progress (the first half of the bar), then starts it. */
async function startEngine(config) {
  const build = await fetch("pkg/build.json").then((r) => r.json()).catch(() => ({}));
  const renderer = await chooseRenderer(build);
  const wasmUrl = `pkg/${renderer}/disan_bg.wasm`;
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`${wasmUrl}: HTTP ${response.status}`);
  const total = build.renderers?.[renderer]?.wasmBytes || Number(response.headers.get("content-length")) || 0;
  // One copy of the download feeds the progress bar, the other the browser's streaming
  // compiler, so the engine compiles while it arrives (on a school's slow line most of the
  // compile time is hidden in the download).
  const [forProgress, forEngine] = response.body.tee();
  const counted = (async () => {
    const reader = forProgress.getReader();
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (total) setProgress((received / total) / 2);
    }
  })();
  window.disanConfig = JSON.stringify(config);
  const engine = await import(`./pkg/${renderer}/disan.js`);
  const wasm = new Response(forEngine, { headers: { "Content-Type": "application/wasm" } });
  await Promise.all([engine.default({ module_or_path: wasm }), counted]);
  engineCommand = engine.disanCommand;
  for (const c of pending.splice(0)) disan.command(c);
}

async function main() {
  describe(disan.state);
  const found = await resolveExhibit().catch((e) => ({ refused: ["engine", String(e)] }));
  if (found.refused) {
    showMessage(...found.refused);
    return;
  }
  const poster = $("poster");
  poster.addEventListener("load", () => { if (!pictureShown && !firstLook) poster.hidden = false; }, { once: true });
  poster.src = found.poster;
  // Signed packages only, by these keys: set by the site that hosts the viewer in viewer.html's
  // <meta name="disan-trusted-keys">, never by the address (docs/integrity.md).
  const trusted = (document.querySelector('meta[name="disan-trusted-keys"]')?.content || "").split(/\s+/).filter(Boolean);
  // The first look. A page that opens on the catalogue shows it, not the exhibit behind it; a
  // page that requires signed packages shows nothing the engine has not checked.
  if (!params.has("catalogue") && !trusted.length && params.get("preview") !== "off") {
    if (found.preview) startFirstLook(found.preview);
    // A package opened by its address: its thumbs are named in its manifest.
    else if (found.manifest) {
      fetch(found.manifest)
        .then((r) => (r.ok ? r.text() : null))
        .then((text) => {
          const looks = text && thumbsFromManifest(text);
          if (looks) startFirstLook(looks.map((m) => ({ ...m, url: new URL(m.src, found.manifest).href })));
        })
        .catch(() => {});
    }
  }
  const config = {
    base: found.base,
    exhibits: found.exhibits,
    start: found.start,
    lang: disan.state.lang,
    reduceMotion: window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    assets: new URL("assets", here).href,
  };
  if (trusted.length) config.trustedKeys = trusted;
  // ?lod=thumb|low|medium|high: the level of detail to show after the thumb (tests, benchmarks).
  const lod = params.get("lod");
  if (["thumb", "low", "medium", "high"].includes(lod)) config.lod = lod;
  // ?textures=auto|jpeg|bc7|etc2: which textures levels are fetched with (tests, benchmarks).
  const textures = params.get("textures");
  if (["auto", "jpeg", "bc7", "etc2"].includes(textures)) config.textures = textures;
  // ?point-shading=edl|flat: eye-dome lighting on point clouds, or flat discs.
  const pointShading = params.get("point-shading");
  if (["edl", "flat"].includes(pointShading)) config.pointShading = pointShading;
  // ?catalogue (or ?catalogue=map): open on the catalogue screen, which reads the catalogue's
  // index (exhibits/catalog.json, written by `disan catalog`) and no manifest until one is
  // opened. The map's tiles come from the site's <meta name="disan-map-tiles"> (docs/catalogue.md).
  if (params.has("catalogue")) {
    const response = await fetch(new URL("catalog.json", found.base.replace(/\/?$/, "/"))).catch(() => ({ ok: false, status: 0 }));
    if (response.ok) config.catalogText = await response.text();
    else console.warn(`Disan: no catalog.json beside the exhibits (HTTP ${response.status}); the catalogue lists the exhibits as they arrive`);
    config.catalogue = true;
    config.catalogueMap = params.get("catalogue") === "map";
  }
  const tiles = document.querySelector('meta[name="disan-map-tiles"]')?.content.trim();
  if (tiles) {
    // Resolved against this page, keeping the {z}/{x}/{y} placeholders (URL would escape them).
    config.tiles = new URL(tiles.replace(/\{([xyz])\}/g, "__$1__"), here).href.replace(/__([xyz])__/g, "{$1}");
  }
  // ?lesson=ID[&step=ID]: a bundled lesson (web/dist/lessons), taught step by step, and its
  // learning records (xAPI) when an LMS launched it (cmi5) or the site names an LRS.
  const lesson = params.get("lesson");
  if (lesson && /^[a-z0-9][a-z0-9-]*$/.test(lesson)) {
    const response = await fetch(new URL(`lessons/${lesson}.lesson.toml`, here)).catch(() => ({ ok: false, status: 0 }));
    if (!response.ok) {
      showMessage("lesson", lesson);
      return;
    }
    config.lessonText = await response.text();
    if (params.get("step")) config.lessonStep = params.get("step");
    if (!startRecords()) return;
  }
  // ?kiosk[&idle=S][&attract=S]: a museum kiosk in a browser (kiosk.js, docs/kiosk.md).
  if (params.has("kiosk")) {
    startKiosk(disan, params, { exhibit: found.start, lang: disan.state.lang, catalogue: params.has("catalogue") }, emit);
  }
  try {
    await startEngine(config);
  } catch (e) {
    showMessage("engine", String(e.message || e));
  }
}

/**
 * Learning records (docs/lessons.md): every lesson event becomes an xAPI statement, queued in this
 * browser and sent to the LRS (offline, it waits and goes later, even after a reload). The
 * teacher's page's preview says `records=off`: only the class's own screen records. Returns
 * false when a cmi5 launch address is broken (the page then says so and starts nothing).
 */
function startRecords() {
  if (params.get("records") === "off") return true;
  let records = null;
  try {
    records = learningRecordsFromPage({ lang: disan.state.lang, onProblem: (text) => console.warn(`Disan learning records: ${text}`) });
  } catch (e) {
    if (!(e instanceof LaunchError)) throw e;
    showMessage("launch", e.message);
    return false;
  }
  if (!records) return true;
  disan.records = records;
  window.addEventListener("disan", (e) => {
    if (e.detail.type === "state" && (e.detail.state.lang === "vi" || e.detail.state.lang === "en")) records.lang = e.detail.state.lang;
    records.record(e.detail);
  });
  // Leaving (or reloading) ends the session; a page kept in the back-forward cache only sends.
  window.addEventListener("pagehide", (e) => (e.persisted ? records.flush({ keepalive: true }) : records.terminate()));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") records.flush({ keepalive: true });
  });
  return true;
}

main();
