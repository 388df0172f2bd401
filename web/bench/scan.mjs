// `cargo xtask bench web-scan`: a 2-million-triangle scan in headless Chromium (SwiftShader
// WebGL2) over a link throttled to 10 Mbit/s through the DevTools protocol. Disan opens the
// package `disan pack` made of the scan; <model-viewer> loads the original GLB. Measured: the
// first look at the model (Disan: the page draws the thumb while the engine downloads), the
// engine's first frame with the model (its thumb), the level Disan settles on for this browser and
// screen, and, with ?lod=high, the full-detail level. 3 runs each, interleaved, each in a fresh
// browser context (empty cache: the wasm viewer is downloaded every time too).
import { browser } from "../tests/browser.mjs";

const base = process.env.DISAN_WEB_URL;
const MBIT = 10;
const rate = (MBIT * 1e6) / 8;
const pkg = encodeURIComponent("/bench/scan/pkg/");
const contenders = {
  "disan": `${base}viewer.html?exhibit=${pkg}`,
  "disan ?lod=high": `${base}viewer.html?exhibit=${pkg}&lod=high`,
  "<model-viewer>": `${base}bench/model-viewer.html?src=${encodeURIComponent("scan/original.glb")}`,
};
const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, { look: [], first: [], settled: [], level: [], bytes: [] }]));
const chromium = await browser();
for (let run = 0; run < 3; run++) {
  for (const [name, url] of Object.entries(contenders)) {
    const context = await chromium.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: rate, uploadThroughput: rate });
    await page.addInitScript(() => {
      window.addEventListener("disan", (e) => {
        const level = e.detail.type === "state" && e.detail.state.level;
        if (level && level.settled && window.settledAt === undefined) {
          window.settledAt = performance.now();
          window.settledLevel = level.quality;
        }
      });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.firstFrameAt ?? window.disan?.firstAt?.["first-frame"], null, { timeout: 900000, polling: 100 });
    if (name.startsWith("disan")) await page.waitForFunction(() => window.settledAt, null, { timeout: 900000, polling: 100 });
    const m = await page.evaluate(() => ({
      // The page's first look at the thumb (web/shell/preview.js), before the engine's frame.
      look: window.disan?.firstAt?.preview ?? window.firstFrameAt ?? window.disan.firstAt["first-frame"],
      first: window.firstFrameAt ?? window.disan.firstAt["first-frame"],
      settled: window.settledAt ?? window.firstFrameAt,
      level: window.settledLevel ?? "original",
      bytes: performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).reduce((s, e) => s + e.transferSize, 0),
    }));
    for (const k of Object.keys(m)) results[name][k].push(m[k]);
    console.log(`run ${run + 1} ${name}: first look ${(m.look / 1000).toFixed(1)} s, first frame ${(m.first / 1000).toFixed(1)} s, ${m.level} at ${(m.settled / 1000).toFixed(1)} s, ${(m.bytes / 1e6).toFixed(2)} MB transferred`);
    await context.close();
  }
}
await chromium.close();
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return [s[0], s[Math.floor(s.length / 2)], s[s.length - 1]]; };
const s = (ms) => (ms / 1000).toFixed(1);
console.log(`\n2M-triangle scan at ${MBIT} Mbit/s (CDP), 1280x720, headless Chromium (SwiftShader WebGL2), 3 runs: min/median/max`);
const mv = stats(results["<model-viewer>"].first)[1];
for (const [name, r] of Object.entries(results)) {
  const [l1, l2, l3] = stats(r.look);
  console.log(`  ${name.padEnd(16)} first look at the model ${s(l1)}/${s(l2)}/${s(l3)} s (${(mv / l2).toFixed(1)}x sooner than <model-viewer>)`);
  const [a, b, c] = stats(r.first);
  const [d, e, f] = stats(r.settled);
  console.log(
    `  ${name.padEnd(16)} first frame ${s(a)}/${s(b)}/${s(c)} s (${(mv / b).toFixed(1)}x sooner than <model-viewer>); ` +
      `${r.level[0]} at ${s(d)}/${s(e)}/${s(f)} s; ${(stats(r.bytes)[1] / 1e6).toFixed(2)} MB transferred`,
  );
}
