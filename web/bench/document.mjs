// The document scan over a 10 Mbit/s link (DevTools throttling) in headless Chromium: the time
// until the sắc phong's scan is on screen with every tile of the first view in, in Disan's reader (the viewer page, then `open-scan`
// as soon as the exhibit is ready) and in OpenSeadragon 5 (npm) given the same info.json, as a
// city portal's IIIF page would show it. 3 runs each, interleaved, each in a fresh context (empty
// cache: the wasm viewer and OpenSeadragon's script are downloaded every time).
//
//   cargo xtask serve --port 8099 &   # web/dist built by `cargo xtask web`
//   cd web && DISAN_WEB_URL=http://127.0.0.1:8099/ node bench/document.mjs
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { browser } from "../tests/browser.mjs";

const base = process.env.DISAN_WEB_URL;
const MBIT = 10;
const rate = (MBIT * 1e6) / 8;
const scan = `${base}exhibits/sac-phong/scans/decree/`;
const osdScript = readFileSync(fileURLToPath(new URL("../node_modules/openseadragon/build/openseadragon/openseadragon.min.js", import.meta.url)), "utf8");
const chromium = await browser();
const results = { disan: [], openseadragon: [] };

async function throttled() {
  const context = await chromium.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: rate, uploadThroughput: rate });
  return { context, page };
}

for (let run = 0; run < 3; run++) {
  {
    const { context, page } = await throttled();
    await page.addInitScript(() => {
      window.addEventListener("disan", (e) => {
        if (e.detail.type === "ready" && !window.askedAt) {
          window.askedAt = performance.now();
          window.disan.command({ type: "open-scan" });
        }
      });
    });
    await page.goto(`${base}viewer.html?exhibit=sac-phong`);
    // On screen: the reader is open and every tile of its view has arrived (`state.scan.sharp`).
    await page.waitForFunction(() => window.disan?.state?.scan?.sharp, null, { timeout: 600000, polling: 50 });
    const ms = await page.evaluate(() => performance.now());
    results.disan.push(ms);
    console.log(`run ${run + 1} disan reader: ${(ms / 1000).toFixed(1)} s`);
    await context.close();
  }
  {
    const { context, page } = await throttled();
    // A blank page of the site's own origin (so the tiles come over the same throttled link
    // without CORS), answered by the bench itself: a portal page holding OpenSeadragon. (Opening
    // info.json itself put Chromium's JSON viewer in the page, which dropped the evaluation.)
    await page.route(`${base}bench-openseadragon.html`, (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>OpenSeadragon</title><body></body>" }));
    await page.goto(`${base}bench-openseadragon.html`);
    let ms = await page.evaluate(async ({ scan, osdScript }) => {
      const t0 = performance.timeOrigin;
      document.body.innerHTML = '<div id="osd" style="width:1280px;height:720px"></div>';
      // As a portal page would load it: over the same throttled link.
      const blob = new Blob([osdScript], { type: "text/javascript" });
      await new Promise((resolve) => {
        const s = document.createElement("script");
        s.src = URL.createObjectURL(blob);
        s.onload = resolve;
        document.head.appendChild(s);
      });
      const info = await (await fetch(`${scan}info.json`)).json();
      info.id = scan.replace(/\/$/, "");
      // The same end as Disan's: every tile of the view in (the tiled image's `fully-loaded-change`).
      // The viewer is kept on window so the page does not collect it while the promise waits.
      const viewer = OpenSeadragon({ id: "osd", tileSources: [info], showNavigationControl: false, drawer: "canvas" });
      window.osdViewer = viewer;
      await new Promise((resolve) => viewer.world.addOnceHandler("add-item", ({ item }) =>
        item.addHandler("fully-loaded-change", (e) => e.fullyLoaded && resolve())));
      return performance.now() + (performance.timeOrigin - t0);
    }, { scan, osdScript });
    // Its script came from memory, not over the link: add what 10 Mbit/s takes for it.
    ms += (osdScript.length * 8) / (MBIT * 1e6) * 1000;
    results.openseadragon.push(ms);
    console.log(`run ${run + 1} OpenSeadragon: ${(ms / 1000).toFixed(1)} s`);
    await context.close();
  }
}
await chromium.close();
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return [s[0], s[Math.floor(s.length / 2)], s[s.length - 1]]; };
const f = (ms) => (ms / 1000).toFixed(1);
console.log(`\nsắc phong scan at ${MBIT} Mbit/s (CDP), 1280x720, headless Chromium, 3 runs: min/median/max seconds to the scan on screen`);
for (const [name, xs] of Object.entries(results)) {
  const [a, b, c] = stats(xs);
  console.log(`  ${name.padEnd(14)} ${f(a)}/${f(b)}/${f(c)} s`);
}
const ratio = stats(results.disan)[1] / stats(results.openseadragon)[1];
console.log(`  disan / OpenSeadragon (medians): ${ratio.toFixed(1)}x`);
