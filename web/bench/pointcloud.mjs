// A laser scan over a 10 Mbit/s link (DevTools throttling) in headless Chromium, 1280×720:
// Disan's viewer opening a packed point cloud exhibit, against potree-core 2 (npm `potree-core`,
// MIT; the Potree 2.0 loader of the pnext/shiukaheng line on three.js 0.183 from web's own
// devDependencies) reading the SAME metadata.json, hierarchy.bin and octree.bin (the layout
// PotreeConverter 2 writes, which `disan pack` writes too) over HTTP Range requests. 3 runs each
// (BENCH_RUNS), interleaved, each in a fresh context (empty cache).
//
// The input, made here once into web/dist/bench-pointcloud/ (again with BENCH_FRESH=1): a
// generated binary PLY survey of 2 000 000 points (BENCH_POINTS) in survey axes (Z up, +Y north,
// VN-2000-like eastings and northings): viewer.test.mjs's courtyard, 24 × 16 m, its west half
// red, its east half blue, a green wall along its north edge, packed by `disan pack --up z` into
// pointclouds/ID/{metadata.json, hierarchy.bin, octree.bin}. Potree's converter is not in any
// registry this project installs from (it is a C++ release download), so the anchor reads the
// octree `disan pack` wrote, as the city portal's Potree page would.
//
// Both start at Disan's home view of the cloud (framing::home_view: in front, a little to the
// side and above, 45° vertical field of view, the box's corners in view), looking north; both
// keep their own point budget, which is the same (1 000 000 points: potree-core's default and
// Disan's in the browser), and their own rule for refining (Disan: nodes over 150 px on screen;
// potree-core: its default minNodePixelSize, 50 px), so they may fetch different amounts for the
// settled view: the bytes each fetched are printed. potree-core draws adaptive-size round points
// (its defaults otherwise). Its scripts (three.js 0.183 min, potree-core's single ES module
// with its decoder worker inlined) are published gzipped beside the cloud and come over the
// same throttled link, as does the page holding it (bench-pointcloud/potree.html, written here:
// open it on the server to look at the anchor by hand).
//
// What is timed, from the page's navigation start (performance.now()):
// - first frame: Disan's `first-frame` event (docs/embedding.md: the first complete frame, which
//   for a point cloud is the one with the octree's root node drawn); potree-core: the first
//   animation frame after a render in which updatePointClouds() reported visible points (its
//   root node, loaded, decoded and in the scene), i.e. the same picture: the cloud at its
//   coarsest level.
// - view settled: when the last node (a Range request on octree.bin) arrived, once none has
//   arrived for 3 s (Resource Timing's responseEnd): the first view filled to the budget or to
//   the refinement rule. The same rule on both sides.
//
// Peak memory natively is not measured here (potree-core has no native build).
//
//   cargo xtask web && cargo xtask serve --port 8099 &
//   cd web && DISAN_WEB_URL=http://127.0.0.1:8099/ node bench/pointcloud.mjs
// Anchor half only, without the wasm build (a static server of web/dist started here):
//   cd web && BENCH_SIDES=anchor node bench/pointcloud.mjs
// DISAN_BINARY: the `disan` that packs (default: the debug build); BENCH_SHOTS: where the
// screenshots go (default /tmp); DISAN_WEB_DIST: the folder the server serves (default web/dist).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { browser } from "../tests/browser.mjs";
import { MBIT, RUNS, VIEWPORT, binary, dist, lastArrival, publishModules, random, shots, sides, site, summary, throttledPage, version } from "./anchors.mjs";

const POINTS = Number(process.env.BENCH_POINTS || 2_000_000);
const FOV = 45;
const folder = join(dist, "bench-pointcloud");
const input = { points: POINTS, survey: 1 };

// --- The input ------------------------------------------------------------------------------

/** viewer.test.mjs's courtyard survey (binary PLY, double x y z, uchar r g b), written in parts. */
function writeSurveyPly(path, count) {
  const fd = openSync(path, "w");
  writeSync(fd, Buffer.from(`ply\nformat binary_little_endian 1.0\nelement vertex ${count}\n` +
    "property double x\nproperty double y\nproperty double z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"));
  const next = random();
  const chunk = 100000;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const body = Buffer.alloc(n * 27);
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const [u, v] = [next(), next()];
      // A little texture in the colour, as a survey's has: the nodes are not all alike.
      const shade = 0.8 + 0.4 * next();
      const [p, c] = i % 5 === 0 ? [[u * 24, 16, v * 4], [40, 190, 60]]
        : [[u * 24, v * 16, 0.02 * Math.sin(u * 40)], u * 24 < 12 ? [210, 40, 40] : [40, 60, 210]];
      const at = k * 27;
      body.writeDoubleLE(585000 + p[0], at);
      body.writeDoubleLE(2305000 + p[1], at + 8);
      body.writeDoubleLE(3 + p[2], at + 16);
      body.set(c.map((x) => Math.min(255, Math.round(x * shade))), at + 24);
    }
    writeSync(fd, body);
  }
  closeSync(fd);
}

/** The packed exhibit (made once) and its cloud's folder and metadata. */
function prepare() {
  const stamp = join(folder, "input.json");
  const same = existsSync(stamp) && readFileSync(stamp, "utf8") === JSON.stringify(input);
  if (!same || process.env.BENCH_FRESH === "1") {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const ply = join(folder, "yard.ply");
    console.log(`writing a survey of ${POINTS} points…`);
    writeSurveyPly(ply, POINTS);
    console.log(`packing it with ${binary}…`);
    const t0 = Date.now();
    execFileSync(binary, ["pack", ply, "--up", "z", "--id", "bench-pointcloud", "--out", join(folder, "pkg")], { stdio: ["ignore", "ignore", "inherit"] });
    console.log(`packed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    rmSync(ply, { force: true });
    writeFileSync(stamp, JSON.stringify(input));
  }
  const clouds = readdirSync(join(folder, "pkg/pointclouds"));
  const cloud = `pkg/pointclouds/${clouds[0]}/`;
  const metadata = JSON.parse(readFileSync(join(folder, cloud, "metadata.json"), "utf8"));
  const { raw, zipped } = publishModules(folder, {
    "three.module.min.js": "three/build/three.module.min.js",
    "three.core.min.js": "three/build/three.core.min.js",
    "potree-core.js": "potree-core/dist/index.js",
  });
  writeFileSync(join(folder, "potree.html"), potreePage(cloud));
  const octree = statSync(join(folder, cloud, "octree.bin")).size;
  const hierarchy = statSync(join(folder, cloud, "hierarchy.bin")).size;
  return { cloud, metadata, raw, zipped, octree, hierarchy };
}

// --- potree-core's page ---------------------------------------------------------------------------

/** The portal page holding potree-core, given the cloud's folder (relative to the bench folder). */
function potreePage(cloud) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>potree-core</title><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"three": "./lib/three.module.min.js", "potree-core": "./lib/potree-core.js"}}</script>
<style>html, body { margin: 0; height: 100%; background: #000; overflow: hidden } canvas { display: block; width: 100vw; height: 100vh }</style>
</head><body><canvas id="c"></canvas>
<script type="module">
import * as THREE from "three";
import { Potree, PointSizeType, PointShape } from "potree-core";
window.bench = { first: null, nodes: 0, points: 0 };
const canvas = document.getElementById("c");
const renderer = new THREE.WebGLRenderer({ canvas });
renderer.setPixelRatio(1);
renderer.setSize(innerWidth, innerHeight, false);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x000000);
const camera = new THREE.PerspectiveCamera(${FOV}, innerWidth / innerHeight, 0.1, 10000);
const potree = new Potree();
potree.pointBudget = 1_000_000;
const pco = await potree.loadPointCloud("metadata.json", ${JSON.stringify(cloud)});
pco.material.pointSizeType = PointSizeType.ADAPTIVE;
pco.material.shape = PointShape.CIRCLE;
pco.material.size = 1;
// potree-core 2.0.15's fromLinear() (the default path: input sRGB, output linear) has its two
// branches swapped (mix(linear, power, cutoff) with cutoff true below 0.0031308), so every
// channel above 20/255 comes out at 1: a cloud in colour draws white. Colours are passed
// through instead (input and output both linear: no conversion, the file's sRGB bytes shown as
// they are, as Disan shows them). ColorEncoding.LINEAR is 0; the enum is not exported.
pco.material.inputColorEncoding = 0;
pco.material.outputColorEncoding = 0;
// Survey axes (Z up, +Y north) into three.js's (Y up, north towards -Z), the cloud's middle at
// the origin (as Disan's exhibit space has it): turned -90° about X, then moved.
const { min, max } = (await (await fetch(${JSON.stringify(cloud)} + "metadata.json")).json()).attributes.find((a) => a.name === "position");
const survey = new THREE.Box3(new THREE.Vector3(...min), new THREE.Vector3(...max));
const holder = new THREE.Group();
holder.rotation.x = -Math.PI / 2;
holder.add(pco);
holder.updateMatrixWorld(true);
const centre = survey.getCenter(new THREE.Vector3()).applyMatrix4(holder.matrixWorld);
holder.position.sub(centre);
holder.updateMatrixWorld(true);
scene.add(holder);
const box = survey.clone().applyMatrix4(holder.matrixWorld);
// Disan's home view (engine/engine/src/framing.rs, home_view) of the cloud's box.
{
  const target = box.getCenter(new THREE.Vector3());
  const back = new THREE.Vector3(0.45, 0.42, 1.0).normalize();
  const forward = back.clone().negate();
  const right = forward.clone().cross(new THREE.Vector3(0, 1, 0)).normalize();
  const up = right.clone().cross(forward);
  const tanV = Math.tan((${FOV} / 2) * Math.PI / 180) * 0.9, tanH = tanV * camera.aspect;
  let distance = 0;
  for (let i = 0; i < 8; i++) {
    const corner = new THREE.Vector3(i & 1 ? box.max.x : box.min.x, i & 2 ? box.max.y : box.min.y, i & 4 ? box.max.z : box.min.z);
    const rel = corner.sub(target);
    const depth = rel.dot(forward);
    distance = Math.max(distance, Math.abs(rel.dot(right)) / tanH - depth, Math.abs(rel.dot(up)) / tanV - depth);
  }
  distance = Math.max(distance, box.getSize(new THREE.Vector3()).length() / 2 * 0.5);
  camera.position.copy(target).addScaledVector(back, distance);
  camera.lookAt(target);
  camera.updateMatrixWorld(true);
}
window.pco = pco;
function loop() {
  const r = potree.updatePointClouds([pco], camera, renderer);
  renderer.render(scene, camera);
  window.bench.nodes = r.visibleNodes.length;
  window.bench.points = r.numVisiblePoints;
  if (window.bench.first === null && r.numVisiblePoints > 0) {
    window.bench.first = -1;
    requestAnimationFrame(() => { window.bench.first = performance.now(); });
  }
  requestAnimationFrame(loop);
}
loop();
</script></body></html>`;
}

async function openPotree(base, page) {
  await page.goto(`${base}bench-pointcloud/potree.html`);
  await page.waitForFunction(() => window.bench?.first > 0, null, { timeout: 600000, polling: 50 });
  return page.evaluate(() => window.bench.first);
}

async function openDisan(base, page) {
  await page.addInitScript(() => {
    window.addEventListener("disan", (e) => {
      if (e.detail.type === "first-frame" && !window.benchFirst) window.benchFirst = performance.now();
    });
  });
  await page.goto(`${base}viewer.html?exhibit=${encodeURIComponent("/bench-pointcloud/pkg/")}&lang=en`);
  await page.waitForFunction(() => window.benchFirst, null, { timeout: 600000, polling: 50 });
  return page.evaluate(() => window.benchFirst);
}

const NODES = String.raw`/bench-pointcloud/pkg/pointclouds/[^/]+/octree\.bin$`;

/** Shares of red and blue in the left and right thirds of the picture's lower middle band (as
 * viewer.test.mjs checks Disan's): the west (left) red, the east (right) blue. */
async function westEast(page, png) {
  return page.evaluate(async (b64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const count = (x0, x1) => {
      const d = ctx.getImageData(x0, Math.floor(bitmap.height * 0.55), x1 - x0, Math.floor(bitmap.height * 0.15)).data;
      let red = 0, blue = 0;
      for (let k = 0; k < d.length; k += 4) {
        if (d[k] > 90 && d[k] > 2 * d[k + 1] && d[k] > 2 * d[k + 2]) red++;
        if (d[k + 2] > 90 && d[k + 2] > 2 * d[k] && d[k + 2] > 2 * d[k + 1]) blue++;
      }
      return [red / (d.length / 4), blue / (d.length / 4)];
    };
    const w = bitmap.width;
    return { left: count(Math.floor(w * 0.2), Math.floor(w * 0.4)), right: count(Math.floor(w * 0.6), Math.floor(w * 0.8)) };
  }, png.toString("base64"));
}

// --- The run --------------------------------------------------------------------------------

const { cloud, metadata, raw, zipped, octree, hierarchy } = prepare();
const server = await site();
const base = server.url;
const runDisan = sides.has("disan") && server.viewer;
const runPotree = sides.has("anchor");
if (sides.has("disan") && !server.viewer) console.log(`no viewer at ${base} (set DISAN_WEB_URL to cargo xtask serve's): Disan's half is left out`);
console.log(`point cloud: ${metadata.points} points, octree.bin ${(octree / 1e6).toFixed(1)} MB, hierarchy.bin ${(hierarchy / 1e3).toFixed(1)} kB, depth ${metadata.hierarchy.depth}; potree-core's scripts ${(raw / 1e6).toFixed(2)} MB (${(zipped / 1e6).toFixed(2)} MB gzip)`);
const chromium = await browser();
const potreeName = `potree-core ${version("potree-core")}`;
const results = {};
if (runDisan) results.disan = { first: [], settled: [] };
if (runPotree) results[potreeName] = { first: [], settled: [] };
const problems = [];
try {
  for (let run = 0; run < RUNS; run++) {
    if (runDisan) {
      const { context, page, problems: p } = await throttledPage(chromium);
      const first = await openDisan(base, page);
      const settled = await lastArrival(page, NODES);
      results.disan.first.push(first);
      results.disan.settled.push(Math.max(first, settled.end));
      console.log(`run ${run + 1} disan: first frame ${(first / 1000).toFixed(2)} s, view settled ${(Math.max(first, settled.end) / 1000).toFixed(2)} s (${settled.count} nodes, ${(settled.bytes / 1e6).toFixed(2)} MB)`);
      if (run === 0) await page.screenshot({ path: join(shots, "bench-pointcloud-disan.png") });
      problems.push(...p.map((x) => `disan: ${x}`));
      await context.close();
    }
    if (runPotree) {
      const { context, page, problems: p } = await throttledPage(chromium);
      const first = await openPotree(base, page);
      const settled = await lastArrival(page, NODES);
      const { nodes, points } = await page.evaluate(() => window.bench);
      results[potreeName].first.push(first);
      results[potreeName].settled.push(Math.max(first, settled.end));
      console.log(`run ${run + 1} potree-core: first frame ${(first / 1000).toFixed(2)} s, view settled ${(Math.max(first, settled.end) / 1000).toFixed(2)} s (${settled.count} nodes, ${(settled.bytes / 1e6).toFixed(2)} MB; ${nodes} nodes, ${points} points drawn)`);
      if (run === 0) {
        const png = await page.screenshot({ path: join(shots, "bench-pointcloud-potree.png") });
        const share = await westEast(page, png);
        const ok = share.left[0] > 0.4 && share.left[1] < 0.05 && share.right[1] > 0.4 && share.right[0] < 0.05;
        console.log(`  potree-core, the right way round (west red, east blue): ${JSON.stringify(share)} ${ok ? "ok" : "WRONG"}`);
        if (!ok) problems.push(`potree-core: the west is not red and the east blue: ${JSON.stringify(share)}`);
      }
      problems.push(...p.map((x) => `potree-core: ${x}`));
      await context.close();
    }
  }
} finally {
  await chromium.close();
  await server.stop();
}
summary(`Point cloud (${metadata.points} points, Potree 2.0 layout) at ${MBIT} Mbit/s (CDP), ${VIEWPORT.width}x${VIEWPORT.height}, headless Chromium, from navigation start`,
  results, [["first", "first frame (the root node drawn)"], ["settled", "view settled (the last node of the first view in)"]]);
console.log(`screenshots: ${shots}/bench-pointcloud-*.png`);
if (problems.length) {
  console.log(`\nproblems:\n  ${problems.join("\n  ")}`);
  process.exitCode = 1;
}
