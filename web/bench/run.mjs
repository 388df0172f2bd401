// `cargo xtask bench web`: time and bytes to the first frame with the model in headless Chromium
// (SwiftShader WebGL2), Disan's wasm viewer against three.js and <model-viewer> showing the same
// GLB, 5 runs each, interleaved, each in a fresh browser context (empty cache). Disan's WebGPU
// build runs in a second browser with Dawn's SwiftShader adapter enabled (the same CPU).
import { browser } from "../tests/browser.mjs";

const base = process.env.DISAN_WEB_URL;
// three.js and <model-viewer> get the plain model the sample's levels were packed from; Disan
// opens the packed exhibit (thumb first, then its full level).
const glb = "bench/dinh-hang-kenh.glb";
const contenders = {
  "disan (wasm)": `${base}viewer.html?exhibit=dinh-hang-kenh`,
  // Forced: the page passes over this browser's software WebGPU adapter by itself.
  "disan (WebGPU)": `${base}viewer.html?exhibit=dinh-hang-kenh&renderer=webgpu`,
  "three.js": `${base}bench/three.html?src=${encodeURIComponent(`../${glb}`)}`,
  "<model-viewer>": `${base}bench/model-viewer.html?src=${encodeURIComponent(`../${glb}`)}`,
};
const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, { ms: [], bytes: [] }]));
const chromium = await browser();
const gpuChromium = await browser({ webgpu: true });
for (let run = 0; run < 5; run++) {
  for (const [name, url] of Object.entries(contenders)) {
    const context = await (name.includes("WebGPU") ? gpuChromium : chromium).newContext({ viewport: { width: 960, height: 540 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.firstFrameAt ?? window.disan?.firstAt?.["first-frame"], null, { timeout: 600000, polling: 100 });
    const m = await page.evaluate(() => ({
      ms: window.firstFrameAt ?? window.disan.firstAt["first-frame"],
      renderer: window.disan?.state?.renderer,
      bytes: performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).reduce((s, e) => s + e.transferSize, 0),
    }));
    results[name].ms.push(m.ms);
    results[name].bytes.push(m.bytes);
    console.log(`run ${run + 1} ${name}: ${m.ms.toFixed(0)} ms, ${(m.bytes / 1e6).toFixed(2)} MB transferred${m.renderer ? ` (${m.renderer})` : ""}`);
    await context.close();
  }
}
await chromium.close();
await gpuChromium.close();
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return [s[0], s[Math.floor(s.length / 2)], s[s.length - 1]]; };
console.log(`\nfirst frame with ${glb}, 960x540, headless Chromium (SwiftShader), 5 runs: min/median/max`);
const disanMedian = stats(results["disan (wasm)"].ms)[1];
for (const [name, r] of Object.entries(results)) {
  const [a, b, c] = stats(r.ms);
  const bytes = stats(r.bytes)[1];
  console.log(`  ${name.padEnd(16)} ${a.toFixed(0)}/${b.toFixed(0)}/${c.toFixed(0)} ms, ${(bytes / 1e6).toFixed(2)} MB transferred; disan/this = ${(disanMedian / b).toFixed(2)}x`);
}
