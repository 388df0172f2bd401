// What panorama.mjs and pointcloud.mjs share: where the inputs go, the `disan` binary, the site
// (DISAN_WEB_URL, or a static server of web/dist for the anchor half alone), a throttled page
// as document.mjs makes it, the anchors' npm modules published beside the inputs (so they cross
// the same throttled link as the viewer's wasm does), and the summary line.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync, deflateSync, crc32 } from "node:zlib";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "./static-server.mjs";

export const MBIT = 10;
export const RUNS = Number(process.env.BENCH_RUNS || 3);
export const VIEWPORT = { width: 1280, height: 720 };

/** The folder the site serves: web/dist (DISAN_WEB_DIST when the server serves another one). */
export const dist = process.env.DISAN_WEB_DIST || fileURLToPath(new URL("../dist/", import.meta.url));

/** The `disan` binary that packs the inputs (DISAN_BINARY, else the debug build's). */
export const binary = process.env.DISAN_BINARY
  || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");

/** Which halves to run: BENCH_SIDES=disan,anchor (the default), or one of them. */
export const sides = new Set((process.env.BENCH_SIDES || "disan,anchor").split(",").map((s) => s.trim()));

/** Where screenshots of each side's first view go (BENCH_SHOTS, default /tmp). */
export const shots = process.env.BENCH_SHOTS || "/tmp";

/**
 * The site: DISAN_WEB_URL (`cargo xtask serve`), else a static server of `dist` started here
 * (answering as xtask serve does), on which only the anchor half can run unless web/dist holds
 * the viewer.
 */
export async function site() {
  if (process.env.DISAN_WEB_URL) return { url: process.env.DISAN_WEB_URL.replace(/\/?$/, "/"), stop() {}, viewer: true };
  const server = await serveStatic(dist);
  return { url: server.url, stop: server.close, viewer: existsSync(join(dist, "viewer.html")) };
}

/** A fresh context (empty cache) whose page downloads over a `MBIT` link (DevTools throttling). */
export async function throttledPage(chromium) {
  const context = await chromium.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const rate = (MBIT * 1e6) / 8;
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: rate, uploadThroughput: rate });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console.error: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  // Every download kept in the resource timeline (its default holds 250).
  await page.addInitScript(() => performance.setResourceTimingBufferSize(100000));
  return { context, page, problems };
}

/**
 * Waits until no download matching `pattern` (a RegExp source) has finished for `quietMs`, and
 * returns the end of the last one (ms since the page's navigation began) and how many bytes the
 * matching downloads carried: when the first view's data had all arrived.
 */
export async function lastArrival(page, pattern, quietMs = 3000, timeout = 600000) {
  const started = Date.now();
  let seen = -1;
  let since = Date.now();
  for (;;) {
    const { count, end, bytes } = await page.evaluate((pattern) => {
      const re = new RegExp(pattern);
      const xs = performance.getEntriesByType("resource").filter((e) => re.test(e.name));
      return { count: xs.length, end: Math.max(0, ...xs.map((e) => e.responseEnd)), bytes: xs.reduce((s, e) => s + (e.encodedBodySize || 0), 0) };
    }, pattern);
    if (count !== seen) {
      seen = count;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return { end, count, bytes };
    }
    if (Date.now() - started > timeout) throw new Error(`downloads of ${pattern} did not settle in ${timeout / 1000} s`);
    await page.waitForTimeout(250);
  }
}

/**
 * Copies npm modules into `folder/lib/` with gzip copies (as `cargo xtask web` compresses the
 * viewer's own files, and as xtask serve sends them), for a page's import map. `files` maps a
 * name under lib/ to a path under web/node_modules/.
 */
export function publishModules(folder, files) {
  const lib = join(folder, "lib");
  mkdirSync(lib, { recursive: true });
  let raw = 0, zipped = 0;
  for (const [name, from] of Object.entries(files)) {
    const source = fileURLToPath(new URL(`../node_modules/${from}`, import.meta.url));
    const body = readFileSync(source);
    copyFileSync(source, join(lib, name));
    const gz = gzipSync(body, { level: 9 });
    writeFileSync(join(lib, `${name}.gz`), gz);
    raw += body.length;
    zipped += gz.length;
  }
  return { raw, zipped };
}

/** The version of an npm package in web/node_modules (for the summary). */
export function version(name) {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)), "utf8")).version;
}

/** A PNG of `width`×`height` RGB pixels from `row(y, buffer)` filling one row (zlib from Node). */
export function writePng(path, width, height, row) {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) row(y, raw.subarray(y * stride + 1, (y + 1) * stride));
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  writeFileSync(path, Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 3 })), chunk("IEND", Buffer.alloc(0))]));
}

/** xorshift32: the same numbers on every run, so every run packs the same input. */
export function random(seed = 0x2545f491) {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
}

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return [s[0], s[Math.floor(s.length / 2)], s[s.length - 1]]; };
const f = (ms) => (ms / 1000).toFixed(2);

/** `results`: { side: { metric: [ms, …] } }; prints min/median/max per side and metric. */
export function summary(title, results, metrics) {
  console.log(`\n${title}`);
  for (const [metric, what] of metrics) {
    console.log(`  ${what}:`);
    for (const [side, r] of Object.entries(results)) {
      const xs = r[metric] || [];
      if (!xs.length) continue;
      const [a, b, c] = stats(xs);
      console.log(`    ${side.padEnd(28)} ${f(a)}/${f(b)}/${f(c)} s  (min/median/max of ${xs.length})`);
    }
  }
  const names = Object.keys(results);
  if (names.length === 2 && results[names[0]].first?.length && results[names[1]].first?.length) {
    const ratio = stats(results[names[0]].first)[1] / stats(results[names[1]].first)[1];
    console.log(`  ${names[0]} / ${names[1]}, first frame (medians): ${ratio.toFixed(2)}x`);
  }
}

