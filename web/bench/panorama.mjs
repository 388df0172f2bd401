// A 360° panorama over a 10 Mbit/s link (DevTools throttling) in headless Chromium, 1280×720:
// Disan's viewer opening a packed panorama exhibit, against Photo Sphere Viewer 5 (npm
// @photo-sphere-viewer/core + cubemap-adapter + cubemap-tiles-adapter, MIT; on three.js, MIT)
// showing the SAME tile files. 3 runs each (BENCH_RUNS), interleaved, each in a fresh context
// (empty cache: every script, the wasm and every tile is downloaded each time).
//
// The input, made here once into web/dist/bench-panorama/ (again with BENCH_FRESH=1): a
// generated 6434×3217 equirectangular photo (the orientation chart of viewer.test.mjs, red
// growing with yaw and green with pitch, under a photo-like texture so the JPEG tiles are the
// size a photo's are), packed by `disan pack --as panorama` into a cube of 2048 px in 3 levels
// (512, 1024, 2048 px a face; 6 + 24 + 96 tiles of 512 px). The width is chosen so every tile is
// a full 512 px: PSV's adapter takes a level's tiles as faceSize / nbTiles each, so it cannot
// place the narrower last column Disan writes when the cube is not a multiple of 512.
//
// PSV reads our layout through its tileUrl callback (same bytes, no re-cut): the base panorama
// (`baseUrl`) is our level 1, one 512 px tile a face, the one Disan draws first too; `levels`
// are our levels 2 and 3 (faceSize 1024/2048, nbTiles 2/4); Pannellum's faces f r b l u d are
// PSV's front right back left top bottom, with PSV's `flipTopBottom` (our up and down faces are
// turned 180° from what PSV expects; checked at the end of the run: the colour PSV shows in
// eight directions, up and down included, is the chart's there). PSV's other options are its
// defaults (the base cube blurred until the tiles come, `baseBlur`). Both sides start looking at yaw 0, pitch 0 with a
// vertical field of view of 45° (Disan's; PSV: minFov 20, maxFov 100 as Disan's limits,
// defaultZoomLvl 68.75). Its scripts (three.js 0.185 min, PSV, the two adapters, PSV's CSS:
// what a portal page would serve) are published gzipped beside the tiles and come over the same
// throttled link, as does the page holding it (bench-panorama/psv.html, written here: open it on
// the server to look at the anchor by hand).
//
// What is timed, from the page's navigation start (performance.now()):
// - first frame: Disan's `first-frame` event (docs/embedding.md: the first complete frame, which
//   for a panorama is the cube's smallest level, the six level-1 faces, drawn with every pipeline
//   compiled); PSV: the first `render` event after `ready` (`ready` comes once the base cube's six
//   faces are loaded and the viewer can draw them), i.e. the same picture: the whole sphere at
//   level 1.
// - view sharp: when the last tile of a finer level (2 or 3) arrived, once no tile has arrived
//   for 3 s (Resource Timing's responseEnd): the first view at the resolution each viewer chose.
//   The same rule on both sides; each chooses its own level and tiles.
//
// Peak memory natively is not measured here (PSV has no native build); this is the browser half.
//
//   cargo xtask web && cargo xtask serve --port 8099 &
//   cd web && DISAN_WEB_URL=http://127.0.0.1:8099/ node bench/panorama.mjs
// Anchor half only, without the wasm build (a static server of web/dist started here):
//   cd web && BENCH_SIDES=anchor node bench/panorama.mjs
// DISAN_BINARY: the `disan` that packs (default: the debug build); BENCH_SHOTS: where the
// screenshots of the first view go (default /tmp); DISAN_WEB_DIST: the folder the server serves
// (default web/dist).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { browser } from "../tests/browser.mjs";
import { MBIT, RUNS, VIEWPORT, binary, dist, lastArrival, publishModules, random, shots, sides, site, summary, throttledPage, version, writePng } from "./anchors.mjs";

const WIDTH = 6434; // floor(6434 / π) = 2048: a cube of 2048 px, 3 levels of whole 512 px tiles
const FOV = 45;
const folder = join(dist, "bench-panorama");
const input = { width: WIDTH, grain: 20 };

// --- The input ------------------------------------------------------------------------------

/** The orientation chart under a photo-like texture, with markers: a white disc at yaw 0, a black
 * one at yaw 90 (right), a white square at yaw -90 (left), dark lines every 30°. */
function writePhoto(path) {
  const W = WIDTH, H = WIDTH / 2;
  const next = random();
  // Value noise on a 48 px lattice (the texture's shapes) and grain (the sensor's).
  const cell = 48, lw = Math.ceil(W / cell) + 2, lh = Math.ceil(H / cell) + 2;
  const lattice = Float32Array.from({ length: lw * lh }, () => next() * 2 - 1);
  const noise = (x, y) => {
    const gx = x / cell, gy = y / cell, ix = Math.floor(gx), iy = Math.floor(gy), fx = gx - ix, fy = gy - iy;
    const l = (i, j) => lattice[((iy + j) % (lh - 1)) * lw + ((ix + i) % (lw - 1))];
    return (l(0, 0) * (1 - fx) + l(1, 0) * fx) * (1 - fy) + (l(0, 1) * (1 - fx) + l(1, 1) * fx) * fy;
  };
  writePng(path, W, H, (y, row) => {
    const pitch = 90 - ((y + 0.5) / H) * 180;
    for (let x = 0; x < W; x++) {
      const yaw = ((x + 0.5) / W) * 360 - 180;
      let r = ((x + 0.5) / W) * 240, g = (1 - (y + 0.5) / H) * 240, b = 90;
      const t = 28 * noise(x, y) + 14 * noise(x * 3.1, y * 3.1) + (next() - 0.5) * 2 * input.grain;
      r += t; g += t; b += t;
      const onLine = (deg, per) => Math.abs(((deg % 30) + 30) % 30 - 15) > 15 - per;
      if (onLine(yaw, 0.15) || onLine(pitch, 0.15)) { r *= 0.35; g *= 0.35; b *= 0.35; }
      const near = (y0, p0, rad) => Math.hypot((yaw - y0) * Math.cos((pitch * Math.PI) / 180), pitch - p0) < rad;
      if (near(0, 0, 3)) r = g = b = 250;
      if (near(90, 0, 3)) r = g = b = 10;
      if (Math.abs(yaw + 90) < 3 && Math.abs(pitch) < 3) r = g = b = 250;
      row[x * 3] = Math.max(0, Math.min(255, r));
      row[x * 3 + 1] = Math.max(0, Math.min(255, g));
      row[x * 3 + 2] = Math.max(0, Math.min(255, b));
    }
  });
}

/** The packed exhibit (made once), its scene's folder and config. */
function prepare() {
  const stamp = join(folder, "input.json");
  const same = existsSync(stamp) && readFileSync(stamp, "utf8") === JSON.stringify(input);
  if (!same || process.env.BENCH_FRESH === "1") {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(join(folder, "photos"), { recursive: true });
    const photo = join(folder, "photos/courtyard.png");
    console.log(`writing a ${WIDTH}×${WIDTH / 2} panorama…`);
    writePhoto(photo);
    console.log(`packing it with ${binary}…`);
    const t0 = Date.now();
    execFileSync(binary, ["pack", photo, "--as", "panorama", "--id", "bench-panorama", "--out", join(folder, "pkg")], { stdio: ["ignore", "ignore", "inherit"] });
    console.log(`packed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    rmSync(join(folder, "photos"), { recursive: true, force: true });
    writeFileSync(stamp, JSON.stringify(input));
  }
  const scenes = readdirSync(join(folder, "pkg/panoramas"));
  const scene = `pkg/panoramas/${scenes[0]}/`;
  const config = JSON.parse(readFileSync(join(folder, scene, "config.json"), "utf8"));
  const { raw, zipped } = publishModules(folder, {
    "three.module.min.js": "@photo-sphere-viewer/core/node_modules/three/build/three.module.min.js",
    "three.core.min.js": "@photo-sphere-viewer/core/node_modules/three/build/three.core.min.js",
    "psv-core.js": "@photo-sphere-viewer/core/index.module.js",
    "psv-core.css": "@photo-sphere-viewer/core/index.css",
    "psv-cubemap-adapter.js": "@photo-sphere-viewer/cubemap-adapter/index.module.js",
    "psv-cubemap-tiles-adapter.js": "@photo-sphere-viewer/cubemap-tiles-adapter/index.module.js",
  });
  writeFileSync(join(folder, "psv.html"), psvPage(scene));
  const tileBytes = (level) => readdirSync(join(folder, scene, String(level))).reduce((s, f) => s + statSync(join(folder, scene, String(level), f)).size, 0);
  const levels = Array.from({ length: config.multiRes.maxLevel }, (_, i) => tileBytes(i + 1));
  return { scene, config, raw, zipped, levels };
}

// --- Photo Sphere Viewer's page ---------------------------------------------------------------

/** The portal page holding PSV, given the package's config.json (relative to the bench folder). */
function psvPage(scene) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Photo Sphere Viewer</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="lib/psv-core.css">
<script type="importmap">{"imports": {"three": "./lib/three.module.min.js",
  "@photo-sphere-viewer/core": "./lib/psv-core.js",
  "@photo-sphere-viewer/cubemap-adapter": "./lib/psv-cubemap-adapter.js",
  "@photo-sphere-viewer/cubemap-tiles-adapter": "./lib/psv-cubemap-tiles-adapter.js"}}</script>
<style>html, body { margin: 0; height: 100%; background: #000 } #psv { width: 100vw; height: 100vh }</style>
</head><body><div id="psv"></div>
<script type="module">
import { Viewer } from "@photo-sphere-viewer/core";
import { CubemapTilesAdapter } from "@photo-sphere-viewer/cubemap-tiles-adapter";
const scene = ${JSON.stringify(scene)};
const { multiRes } = await (await fetch(scene + "config.json")).json();
// Pannellum's multires layout (docs/exhibit-format.md) through PSV's tileUrl: level l (1 the
// smallest) is multiRes.cubeResolution / 2^(maxLevel - l) px a face, in tileResolution tiles.
const letter = { front: "f", right: "r", back: "b", left: "l", top: "u", bottom: "d" };
const size = (l) => multiRes.cubeResolution / 2 ** (multiRes.maxLevel - l);
const tile = (l, face, row, col) => scene + l + "/" + letter[face] + row + "_" + col + ".jpg";
const levels = [];
for (let l = 2; l <= multiRes.maxLevel; l++) levels.push({ faceSize: size(l), nbTiles: Math.ceil(size(l) / multiRes.tileResolution) });
window.bench = { ready: null, first: null };
const viewer = new Viewer({
  container: "psv",
  adapter: CubemapTilesAdapter,
  panorama: {
    // Our up face's top edge is towards the back, the down face's towards the front: PSV's
    // flipTopBottom (both turned 180°), for the base cube and for the tiles.
    baseUrl: { type: "separate", paths: Object.fromEntries(Object.keys(letter).map((face) => [face, tile(1, face, 0, 0)])), flipTopBottom: true },
    levels,
    tileUrl: (face, col, row, level) => tile(level + 2, face, row, col),
    flipTopBottom: true,
  },
  navbar: false, loadingImg: null,
  minFov: 20, maxFov: 100, defaultZoomLvl: (100 - ${FOV}) / 0.8, defaultYaw: 0, defaultPitch: 0,
});
window.viewer = viewer;
viewer.addEventListener("ready", () => { window.bench.ready = performance.now(); });
viewer.addEventListener("render", () => {
  if (window.bench.ready !== null && window.bench.first === null) window.bench.first = performance.now();
});
</script></body></html>`;
}

async function openPsv(base, page) {
  await page.goto(`${base}bench-panorama/psv.html`);
  await page.waitForFunction(() => window.bench?.first, null, { timeout: 600000, polling: 50 });
  return page.evaluate(() => window.bench);
}

async function openDisan(base, page) {
  await page.addInitScript(() => {
    window.addEventListener("disan", (e) => {
      if (e.detail.type === "first-frame" && !window.benchFirst) window.benchFirst = performance.now();
    });
  });
  await page.goto(`${base}viewer.html?exhibit=${encodeURIComponent("/bench-panorama/pkg/")}&lang=en`);
  await page.waitForFunction(() => window.benchFirst, null, { timeout: 600000, polling: 50 });
  return page.evaluate(() => window.benchFirst);
}

// Tiles of levels 2 and up of the bench's scene.
const FINE_TILES = String.raw`/bench-panorama/pkg/panoramas/[^/]+/([2-9]|\d\d)/[frblud]\d+_\d+\.jpg$`;

// --- Checks: PSV shows our tiles the right way round --------------------------------------------

/** The chart's red and green less its blue (90) where the photo has yaw/pitch (degrees): the
 * texture adds the same to all three, so these differences are the chart's alone. */
const chart = (yaw, pitch) => [(yaw / 360 + 0.5) * 240 - 90, (pitch / 180 + 0.5) * 240 - 90];

/** Mean colour of 41×41 px centred 80 px left of and above a screenshot's middle (PNG). */
async function middle(page, png) {
  return page.evaluate(async (b64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(Math.floor(bitmap.width / 2) - 80 - 20, Math.floor(bitmap.height / 2) - 80 - 20, 41, 41).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += d[i + c];
    return sum.map((s) => s / (d.length / 4));
  }, png.toString("base64"));
}

/** Looks at each of a set of directions in PSV and compares the colour there with the chart's. */
async function checkPsvOrientation(page) {
  const failures = [];
  // The sample is 80 px left of and above the middle (off the white marker at yaw 0): at 45° over
  // 720 px that is 5.2° left (yaw) and 5.2° up (pitch) at the middle of the view.
  const off = (Math.atan(80 / (360 / Math.tan((FOV / 2) * Math.PI / 180))) * 180) / Math.PI;
  for (const [yaw, pitch] of [[0, 0], [90, 0], [-90, 0], [150, 0], [0, 60], [90, 60], [0, -60], [-90, -60]]) {
    await page.evaluate(([yaw, pitch]) => window.viewer.rotate({ yaw: `${yaw}deg`, pitch: `${pitch}deg` }), [yaw, pitch]);
    await lastArrival(page, FINE_TILES, 1500);
    await page.waitForTimeout(500);
    const got = await middle(page, await page.screenshot());
    // Near the poles a few degrees left is a larger turn in yaw: the direction sampled, exactly.
    const p = (pitch * Math.PI) / 180, y = (yaw * Math.PI) / 180, t = Math.tan((off * Math.PI) / 180);
    const fwd = [Math.sin(y) * Math.cos(p), Math.sin(p), -Math.cos(y) * Math.cos(p)];
    const right = [Math.cos(y), 0, Math.sin(y)];
    const up = [-Math.sin(y) * Math.sin(p), Math.cos(p), Math.cos(y) * Math.sin(p)];
    const d = fwd.map((v, i) => v - t * right[i] + t * up[i]);
    const sy = (Math.atan2(d[0], -d[2]) * 180) / Math.PI, sp = (Math.asin(d[1] / Math.hypot(...d)) * 180) / Math.PI;
    const want = chart(sy, sp);
    const seen = [got[0] - got[2], got[1] - got[2]];
    const ok = Math.abs(seen[0] - want[0]) < 14 && Math.abs(seen[1] - want[1]) < 14;
    console.log(`  PSV looking at yaw ${yaw}°, pitch ${pitch}°: red−blue ${seen[0].toFixed(0)}, green−blue ${seen[1].toFixed(0)}; the chart has ${want[0].toFixed(0)}, ${want[1].toFixed(0)}: ${ok ? "ok" : "WRONG"}`);
    if (!ok) failures.push(`yaw ${yaw} pitch ${pitch}`);
    if (yaw === 0 && pitch === 60) await page.screenshot({ path: join(shots, "bench-panorama-psv-up.png") });
    if (yaw === 0 && pitch === -60) await page.screenshot({ path: join(shots, "bench-panorama-psv-down.png") });
  }
  return failures;
}

// --- The run --------------------------------------------------------------------------------

const { scene, config, raw, zipped, levels } = prepare();
const server = await site();
const base = server.url;
const runDisan = sides.has("disan") && server.viewer;
const runPsv = sides.has("anchor");
if (sides.has("disan") && !server.viewer) console.log(`no viewer at ${base} (set DISAN_WEB_URL to cargo xtask serve's): Disan's half is left out`);
console.log(`panorama: cube ${config.multiRes.cubeResolution} px, ${config.multiRes.maxLevel} levels; tiles by level ${levels.map((b) => (b / 1e6).toFixed(2)).join(" / ")} MB; PSV's scripts ${(raw / 1e6).toFixed(2)} MB (${(zipped / 1e6).toFixed(2)} MB gzip)`);
const chromium = await browser();
const psvName = `Photo Sphere Viewer ${version("@photo-sphere-viewer/core")}`;
const results = {};
if (runDisan) results.disan = { first: [], sharp: [] };
if (runPsv) results[psvName] = { first: [], sharp: [] };
const problems = [];
try {
  for (let run = 0; run < RUNS; run++) {
    if (runDisan) {
      const { context, page, problems: p } = await throttledPage(chromium);
      const first = await openDisan(base, page);
      const sharp = await lastArrival(page, FINE_TILES);
      results.disan.first.push(first);
      results.disan.sharp.push(Math.max(first, sharp.end));
      console.log(`run ${run + 1} disan: first frame ${(first / 1000).toFixed(2)} s, view sharp ${(Math.max(first, sharp.end) / 1000).toFixed(2)} s (${sharp.count} finer tiles, ${(sharp.bytes / 1e6).toFixed(2)} MB)`);
      if (run === 0) await page.screenshot({ path: join(shots, "bench-panorama-disan.png") });
      problems.push(...p.map((x) => `disan: ${x}`));
      await context.close();
    }
    if (runPsv) {
      const { context, page, problems: p } = await throttledPage(chromium);
      const { ready, first } = await openPsv(base, page);
      const sharp = await lastArrival(page, FINE_TILES);
      results[psvName].first.push(first);
      results[psvName].sharp.push(Math.max(first, sharp.end));
      console.log(`run ${run + 1} PSV: ready ${(ready / 1000).toFixed(2)} s, first frame ${(first / 1000).toFixed(2)} s, view sharp ${(Math.max(first, sharp.end) / 1000).toFixed(2)} s (${sharp.count} finer tiles, ${(sharp.bytes / 1e6).toFixed(2)} MB)`);
      if (run === 0) await page.screenshot({ path: join(shots, "bench-panorama-psv.png") });
      problems.push(...p.map((x) => `PSV: ${x}`));
      await context.close();
    }
  }
  if (runPsv) {
    // Unthrottled: PSV shows the tiles the right way round (faces, up and down included).
    console.log("\nPSV on the package's tiles, the right way round:");
    const context = await chromium.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await openPsv(base, page);
    const wrong = await checkPsvOrientation(page);
    if (wrong.length) problems.push(`PSV shows the tiles wrongly at ${wrong.join(", ")}`);
    await context.close();
  }
} finally {
  await chromium.close();
  await server.stop();
}
summary(`360° panorama (cube ${config.multiRes.cubeResolution} px, ${config.multiRes.maxLevel} levels) at ${MBIT} Mbit/s (CDP), ${VIEWPORT.width}x${VIEWPORT.height}, headless Chromium, from navigation start`,
  results, [["first", "first frame (the whole sphere at level 1 drawn)"], ["sharp", "view sharp (the last finer tile of the first view in)"]]);
console.log(`screenshots: ${shots}/bench-panorama-*.png`);
if (problems.length) {
  console.log(`\nproblems:\n  ${problems.join("\n  ")}`);
  process.exitCode = 1;
}
