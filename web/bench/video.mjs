// A festival video over a 10 Mbit/s link (DevTools throttling) in headless Chromium, 1280×720:
// Disan's viewer opening the bundled video exhibit (exhibits/choi-trau-do-son), against a plain
// `<video>` element on a page of its own playing the SAME file (the 720p VP9 rendition, which
// Disan chooses for a 720-pixel window). 3 runs each (BENCH_RUNS), interleaved, each in a fresh
// context (empty cache: the page, the scripts, the wasm and the video are downloaded each time).
//
// What is timed, from the page's navigation start (performance.now()):
// - first video frame: Disan's `state` event whose `videos[0].shown` is true (a picture of the
//   recording copied onto the screen, not its poster); the plain element's `loadeddata` (its
//   first picture decoded and shown, `preload="auto"` as Disan's element has).
// - play to picture: after `play-video` / `video.play()` is called once the first frame is in,
//   the time until the picture has moved on (Disan: `state` with `playing` and `second` ≥ 1;
//   the element: `currentTime` ≥ 1 s), minus one second of playing: the start-up delay.
//
//   cargo xtask web && cd web && node bench/video.mjs
// DISAN_WEB_URL: a running `cargo xtask serve` (default: a static server of web/dist started
// here); BENCH_SIDES: `disan`, `anchor` or both.
import { mkdirSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { browser } from "../tests/browser.mjs";
import { MBIT, RUNS, VIEWPORT, dist, sides, site, summary, throttledPage } from "./anchors.mjs";

const VIDEO = "exhibits/choi-trau-do-son/videos/festival/720.webm";

function writePlainPage() {
  const folder = join(dist, "bench-video");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "plain.html"), `<!doctype html><meta charset="utf-8"><title>plain video</title>
<style>body{margin:0;background:#000}video{width:100vw;height:100vh}</style>
<video id="v" preload="auto" muted playsinline src="/${VIDEO}"></video>
<script>
const v = document.getElementById("v");
v.addEventListener("loadeddata", () => { window.benchFirst ??= performance.now(); });
</script>`);
}

async function openDisan(base, page) {
  await page.addInitScript(() => {
    window.addEventListener("disan", (e) => {
      const d = e.detail;
      if (d.type !== "state") return;
      const v = d.state.videos?.[0];
      if (v?.shown && !window.benchFirst) window.benchFirst = performance.now();
      if (v?.playing && v.second >= 1 && window.benchPlayAt && !window.benchMoved) window.benchMoved = performance.now();
    });
  });
  await page.goto(`${base}viewer.html?exhibit=choi-trau-do-son&lang=vi`);
  await page.waitForFunction(() => window.benchFirst, null, { timeout: 900000, polling: 50 });
  await page.evaluate(() => { window.benchPlayAt = performance.now(); window.disan.command({ type: "play-video", video: "festival", time: 0 }); });
  await page.waitForFunction(() => window.benchMoved, null, { timeout: 120000, polling: 50 });
  return page.evaluate(() => ({ first: window.benchFirst, start: window.benchMoved - window.benchPlayAt - 1000 }));
}

async function openPlain(base, page) {
  await page.goto(`${base}bench-video/plain.html`);
  await page.waitForFunction(() => window.benchFirst, null, { timeout: 900000, polling: 50 });
  await page.evaluate(() => {
    const v = document.getElementById("v");
    window.benchPlayAt = performance.now();
    v.play();
    const tick = () => (v.currentTime >= 1 ? (window.benchMoved = performance.now()) : requestAnimationFrame(tick));
    tick();
  });
  await page.waitForFunction(() => window.benchMoved, null, { timeout: 120000, polling: 50 });
  return page.evaluate(() => ({ first: window.benchFirst, start: window.benchMoved - window.benchPlayAt - 1000 }));
}

writePlainPage();
const server = await site();
const base = server.url;
const runDisan = sides.has("disan") && server.viewer;
if (sides.has("disan") && !server.viewer) console.log(`no viewer at ${base}: Disan's half is left out`);
console.log(`video: ${VIDEO}, ${(statSync(join(dist, VIDEO)).size / 1e6).toFixed(2)} MB`);
const chromium = await browser();
const results = {};
if (runDisan) results.disan = { first: [], start: [] };
if (sides.has("anchor")) results["plain <video>"] = { first: [], start: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [side, open] of [["disan", openDisan], ["plain <video>", openPlain]]) {
      if (!results[side]) continue;
      const { context, page } = await throttledPage(chromium);
      const r = await open(base, page);
      results[side].first.push(r.first);
      results[side].start.push(r.start);
      console.log(`run ${run + 1} ${side}: first video frame ${(r.first / 1000).toFixed(2)} s, play to moving ${(r.start / 1000).toFixed(2)} s`);
      await context.close();
    }
  }
} finally {
  await chromium.close();
  await server.stop();
}
summary(`festival video (720p VP9) at ${MBIT} Mbit/s (CDP), ${VIEWPORT.width}x${VIEWPORT.height}, headless Chromium`,
  results, [["first", "first video frame, from navigation start"], ["start", "start-up delay after play (time to one second played, less one second)"]]);
