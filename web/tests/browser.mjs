// Shared by the browser tests: the server, Debian's Chromium through playwright-core, and an
// image comparison that runs inside the browser (so the tests need no image library).
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { chromium } from "playwright-core";

const repo = new URL("../../", import.meta.url).pathname;

/** The site under test: DISAN_WEB_URL (set by `cargo xtask test`), else a server started here. */
export async function site() {
  if (process.env.DISAN_WEB_URL) return { url: process.env.DISAN_WEB_URL, stop() {} };
  const server = spawn("cargo", ["xtask", "serve", "--port", "0"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const m = /http:\/\/[\d.]+:\d+\//.exec(String(chunk));
      if (m) resolve(m[0]);
    });
    server.on("exit", (code) => reject(new Error(`cargo xtask serve exited (${code})`)));
  });
  return { url, stop: () => server.kill() };
}

/**
 * Debian's Chromium, headless. WebGL2 runs on SwiftShader. Headless Chromium offers no WebGPU
 * adapter by default (so the viewer falls back to WebGL2, as on a browser without WebGPU);
 * `{ webgpu: true }` enables Dawn's SwiftShader adapter, so the WebGPU build can be tested.
 */
export async function browser({ webgpu = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", "--disable-quic", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
      // Dawn on Chromium's own SwiftShader Vulkan: with the default Vulkan setup the WebGPU canvas
      // never reaches the headless compositor and the device is lost after the first frames.
      ...(webgpu ? ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader"] : []),
    ],
  });
}

/**
 * Pages opened by `openPage` and not yet closed. A viewer left open keeps drawing on the CPU:
 * after a failed test it slowed every later test several times over (CI's 90 minutes ran out).
 */
const openPages = new Set();

/** Closes what a test left open (with `afterEach`), so one failure does not slow the rest. */
export async function closeOpenPages() {
  const left = [...openPages];
  openPages.clear();
  await Promise.all(left.map((page) => page.close().catch(() => {})));
}

/** A page that records console errors and uncaught exceptions, from every frame. */
export async function openPage(b, url, { width = 960, height = 540, init = null, mbits = null } = {}) {
  const page = await b.newPage({ viewport: { width, height } });
  // A slow link from the first byte (the viewer's own download included).
  if (mbits) await throttle(page, mbits);
  openPages.add(page);
  page.once("close", () => openPages.delete(page));
  if (init) await page.addInitScript(init);
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  // Events a viewer in an iframe posts to this page.
  await page.addInitScript(() => {
    window.disanMessages = [];
    window.addEventListener("message", (e) => {
      if (e.data && e.data.disan === 1 && e.data.event) window.disanMessages.push(e.data.event);
    });
  });
  await page.goto(url);
  return { page, problems };
}

/** From now on, the page's network is a slow link (DevTools protocol): downloads take their time. */
export async function throttle(page, mbits) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const rate = (mbits * 1e6) / 8;
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: rate, uploadThroughput: rate });
}

/**
 * Waits for an event of the viewer on this page (`window.disan.events`) matching `test`; with
 * `since` (a count of events, see `eventCount`), only for one told after that point.
 */
export async function viewerEvent(page, type, test = "true", timeout = 180000, since = 0) {
  const handle = await page.waitForFunction(
    ([type, test, since]) => (window.disan?.events || []).slice(since).find((e) => e.type === type && new Function("e", `return ${test}`)(e)),
    [type, test, since],
    { timeout, polling: 250 },
  );
  return handle.jsonValue();
}

/** How many events the viewer on this page has told so far (for `viewerEvent`'s `since`). */
export function eventCount(page) {
  return page.evaluate(() => (window.disan?.events || []).length);
}

/** Waits for an event posted by an embedded viewer to this page. */
export async function postedEvent(page, type, test = "true", timeout = 180000) {
  const handle = await page.waitForFunction(
    ([type, test]) => window.disanMessages.find((e) => e.type === type && new Function("e", `return ${test}`)(e)),
    [type, test],
    { timeout, polling: 250 },
  );
  return handle.jsonValue();
}

/**
 * Compares two PNGs (base64) in the page by 8×8 block means, like the native render tests:
 * returns the mean block difference (0–255), the share of blocks off by more than 40, and the
 * luminance spread of `actual` (a blank or flat canvas has almost none).
 */
export async function compareImages(page, actualPng, expectedPng) {
  return page.evaluate(async ([a, e]) => {
    const pixels = async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const A = await pixels(a);
    const E = await pixels(e);
    if (A.width !== E.width || A.height !== E.height) return { sizeMismatch: true, mean: 255, offShare: 1, spread: 0 };
    const lum = (d, i) => 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];
    let sum = 0, blocks = 0, off = 0, lsum = 0, lsq = 0;
    for (let by = 0; by + 8 <= A.height; by += 8) {
      for (let bx = 0; bx + 8 <= A.width; bx += 8) {
        let da = 0, de = 0;
        for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) {
          const i = (y * A.width + x) * 4;
          const la = lum(A.data, i);
          da += la; de += lum(E.data, i);
          lsum += la; lsq += la * la;
        }
        const d = Math.abs(da - de) / 64;
        sum += d; blocks++;
        if (d > 40) off++;
      }
    }
    const n = blocks * 64;
    const mean = lsum / n;
    return { mean: sum / blocks, offShare: off / blocks, spread: Math.sqrt(Math.max(0, lsq / n - mean * mean)) };
  }, [actualPng.toString("base64"), expectedPng.toString("base64")]);
}

/** A committed reference image. */
export function readReference(name) {
  return readFileSync(new URL(`reference/${name}.png`, import.meta.url).pathname);
}

/** The committed reference image, or (DISAN_WEB_UPDATE_REFS=1) this run's image written as it. */
export function reference(name, actual) {
  const path = new URL(`reference/${name}.png`, import.meta.url).pathname;
  if (process.env.DISAN_WEB_UPDATE_REFS === "1" || !existsSync(path)) {
    if (process.env.DISAN_WEB_UPDATE_REFS !== "1") throw new Error(`no reference image ${path}: run with DISAN_WEB_UPDATE_REFS=1 and review it`);
    writeFileSync(path, actual);
  }
  return readFileSync(path);
}
