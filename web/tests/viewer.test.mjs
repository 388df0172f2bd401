// The browser viewer in Debian's Chromium (WebGL2 through SwiftShader), driven by playwright-core.
// Run by `cargo xtask test` after `cargo xtask web`; alone: `cd web && npm test` (needs web/dist).
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, readdirSync, copyFileSync, rmSync, mkdtempSync, existsSync } from "node:fs";
import { spawn, execFileSync } from "node:child_process";
import * as zlibModule from "node:zlib";
import { homedir, tmpdir } from "node:os";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { site, browser, openPage, closeOpenPages, viewerEvent, eventCount, postedEvent, compareImages, reference, readReference, throttle } from "./browser.mjs";
import { startLrs } from "./lrs.mjs";

let server;
let chromium;
before(async () => {
  server = await site();
  chromium = await browser();
});
afterEach(closeOpenPages);
after(async () => {
  await chromium?.close();
  server?.stop();
});

test("the viewer page starts without console errors, draws the exhibit, and switches language", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=trong-dong&lang=vi`);
  const ready = await viewerEvent(page, "ready");
  assert.equal(ready.exhibit.id, "trong-dong");
  assert.equal(ready.exhibit.lang, "vi");
  await viewerEvent(page, "first-frame");
  await page.waitForTimeout(1500);

  // The model on the canvas, against the reviewed reference image.
  const shot = await page.locator("#disan-canvas").screenshot();
  const drawn = await compareImages(page, shot, reference("trong-dong-home-vi", shot));
  assert.ok(drawn.spread > 12, `the canvas is nearly flat (luminance spread ${drawn.spread.toFixed(1)})`);
  assert.ok(drawn.mean < 6 && drawn.offShare < 0.02, `the canvas differs from the reference: ${JSON.stringify(drawn)}`);
  assert.ok(await page.locator("#loading").isHidden(), "the progress bar is gone once the exhibit shows");
  // This browser offers no WebGPU adapter: the page fell back to the WebGL2 build.
  assert.equal(await page.evaluate(() => window.disan.state.renderer), "webgl2");
  assert.ok(await page.locator("#poster").isHidden(), "the poster is gone once the exhibit shows");

  // The text alternative names the exhibit and lists its points, in Vietnamese.
  assert.match(await page.locator("#alt-title").textContent(), /Trống đồng/);
  assert.equal(await page.locator("#alt-points li").count(), ready.exhibit.hotspots.length);
  const header = { x: 0, y: 0, width: 480, height: 128 };
  const headerVi = await page.screenshot({ clip: header });

  // Switch to English through the page's API: the state, the text alternative and the
  // canvas's own header change.
  await page.evaluate(() => window.disan.command({ type: "set-language", lang: "en" }));
  await viewerEvent(page, "state", "e.state.lang === 'en'");
  await page.waitForFunction(() => !/Trống đồng/.test(document.getElementById("alt-title").textContent));
  assert.match(await page.locator("#alt-title").textContent(), /drum/i);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.waitForTimeout(1500);
  const headerEn = await page.screenshot({ clip: header });
  const changed = await compareImages(page, headerEn, headerVi);
  assert.ok(changed.mean > 1.5, `the canvas header did not change with the language: ${JSON.stringify(changed)}`);

  assert.deepEqual(problems, []);
  await page.close();
});

/** Makes the browser's WebGPU adapter (Dawn on SwiftShader here) say it is hardware. */
function hardwareAdapter() {
  Object.defineProperty(GPUAdapterInfo.prototype, "isFallbackAdapter", { get: () => false });
}

/** The engine build a page downloaded and the renderer its engine reports. */
async function engineOf(page) {
  await viewerEvent(page, "ready");
  return page.evaluate(() => ({
    wasm: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".wasm")),
    renderer: window.disan.state.renderer,
  }));
}

test("the scan reader opens the decree's scan on a region from the page's API, draws its tiles and closes", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=sac-phong&lang=vi`, { width: 960, height: 540 });
  const ready = await viewerEvent(page, "ready");
  assert.deepEqual(ready.exhibit.scans.map((s) => s.id), ["decree"]);
  assert.deepEqual(ready.exhibit.scans[0].regions.map((r) => r.id), ["opening", "body", "date-and-seal"]);
  await viewerEvent(page, "first-frame");
  await page.evaluate(() => window.disan.command({ type: "open-scan", region: "date-and-seal" }));
  await viewerEvent(page, "state", "e.state.scan && e.state.scan.region === 'date-and-seal'");
  const state = await page.evaluate(() => window.disan.state.scan);
  assert.equal(state.scan, "decree");
  // The whole sheet fits at about 0.29 CSS pixels per scan pixel; the region is closer.
  assert.ok(state.zoom > 0.4, `zoomed to the region: ${JSON.stringify(state)}`);
  // The tiles arrive, and the page is told so.
  await viewerEvent(page, "state", "e.state.scan && e.state.scan.sharp && e.state.scan.region === 'date-and-seal'");
  // The seal's red bars in the middle of the picture area (left of the side
  // panel, under the top bar).
  let red = 0;
  for (let i = 0; i < 20 && red <= 0.08; i++) {
    await page.waitForTimeout(500);
    // The canvas fills the page, so page coordinates are the canvas's.
    const png = await page.screenshot({ clip: { x: 270, y: 262, width: 80, height: 80 } });
    red = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.width; c.height = img.height;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k] > 120 && d[k] > d[k + 1] + 50 && d[k] > d[k + 2] + 50) n++;
      return n / (d.length / 4);
    }, png.toString("base64"));
  }
  assert.ok(red > 0.08, `the seal is not in the middle of the reader (${red} red)`);
  // Open already, the reader glides back to the whole sheet: the page is told the zoom of the
  // frames on the way (between the region's and the sheet's), and where it lands.
  const since = await eventCount(page);
  await page.evaluate(() => window.disan.command({ type: "open-scan" }));
  const fitted = (await viewerEvent(page, "state", "e.state.scan && e.state.scan.sharp && e.state.scan.zoom < 0.35", 60000, since)).state.scan;
  const zooms = await page.evaluate((n) => window.disan.events.slice(n)
    .filter((e) => e.type === "state" && e.state.scan).map((e) => e.state.scan.zoom), since);
  const onTheWay = zooms.filter((z) => z < state.zoom - 0.01 && z > fitted.zoom + 0.01);
  assert.ok(onTheWay.length >= 1, `no frame between ${state.zoom} and ${fitted.zoom}: ${zooms}`);
  assert.equal(fitted.region, "date-and-seal", "the chosen region's texts stay");
  await page.evaluate(() => window.disan.command({ type: "close-scan" }));
  await viewerEvent(page, "state", "!e.state.scan");
  assert.deepEqual(problems, []);
  await page.close();
});

/** A PNG of `width`×`height` RGB pixels from `pixel(x, y) → [r, g, b]` (zlib from Node). */
function writePng(path, width, height, pixel) {
  const { deflateSync, crc32 } = zlibModule;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
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
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]));
}

/** The orientation chart (engine/app/tests/panorama.rs): red grows with yaw, green with pitch. */
const chartPixel = (width, blue) => (x, y) => [
  Math.floor(((x + 0.5) / width) * 240),
  Math.floor((1 - (y + 0.5) / (width / 2)) * 240),
  blue,
];

test("a 360° panorama exhibit packed by `disan pack` opens in the browser, the right way round, and the page steps into its second scene", async () => {
  const folder = join(dist, "test-panorama");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, "photos"), { recursive: true });
  writePng(join(folder, "photos/01-gate.png"), 2048, 1024, chartPixel(2048, 90));
  writePng(join(folder, "photos/02-hall.png"), 1024, 512, chartPixel(1024, 200));
  const binary = process.env.DISAN_BINARY || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");
  execFileSync(binary, ["pack", "--as", "panorama", "--id", "walk", "--out", join(folder, "walk"), join(folder, "photos")]);
  try {
    const address = encodeURIComponent("/test-panorama/walk/");
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=${address}&lang=en`, { width: 960, height: 540 });
    const ready = await viewerEvent(page, "ready");
    assert.deepEqual(ready.exhibit.panoramas.map((p) => p.id), ["01-gate", "02-hall"]);
    await viewerEvent(page, "first-frame");
    await viewerEvent(page, "state", "e.state.scene === '01-gate'");
    // The colour a little right of and above the middle: further right on the photo is redder,
    // higher is greener. 45° of view over 540 px: 120 px is atan(120 / 652) = 10.4°.
    const colourAt = async (points) => {
      await page.waitForTimeout(2500);
      const png = (await page.locator("#disan-canvas").screenshot()).toString("base64");
      return page.evaluate(async ([b64, points]) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext("2d");
        ctx.drawImage(bitmap, 0, 0);
        return points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)));
      }, [png, points]);
    };
    const near = (got, want, what) => assert.ok(got.every((c, i) => Math.abs(c - want[i]) <= 14),
      `${what}: ${JSON.stringify(got)} where the chart has ${JSON.stringify(want.map(Math.round))}`);
    const chart = (yaw, pitch, blue) => [(yaw / 360 + 0.5) * 240, (pitch / 180 + 0.5) * 240, blue];
    const [right, up] = await colourAt([[600, 270], [480, 150]]);
    near(right, chart(10.4, 0, 90), "right of the middle, in the gate");
    near(up, chart(0, 10.4, 90), "above the middle, in the gate");

    // The host page steps into the hall: the state says so and its photo (blue 200) is drawn.
    await page.evaluate(() => window.disan.command({ type: "go-to-scene", scene: "02-hall" }));
    await viewerEvent(page, "state", "e.state.scene === '02-hall'");
    const [hall] = await colourAt([[600, 270]]);
    assert.ok(Math.abs(hall[2] - 200) <= 14, `the hall's photo is not drawn: ${JSON.stringify(hall)}`);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

// The city portal may show a package's panorama with Pannellum (npm pannellum 2.5.7, MIT) from
// the same static files, as docs/exhibit-format.md promises: Pannellum's own multires viewer,
// given the scene's config.json as `disan pack` wrote it (only `basePath` added), draws the
// orientation chart the right way round in every direction, the up face and the partial tiles at
// the cube's edges (a 650-pixel cube in 512-pixel tiles) included.
test("Pannellum shows a panorama packed by `disan pack` from its config.json, the right way round", async () => {
  const folder = join(dist, "test-pannellum");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, "photos"), { recursive: true });
  writePng(join(folder, "photos/gate.png"), 2048, 1024, chartPixel(2048, 90));
  const binary = process.env.DISAN_BINARY || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");
  execFileSync(binary, ["pack", "--as", "panorama", "--id", "walk", "--out", join(folder, "walk"), join(folder, "photos")]);
  const build = fileURLToPath(new URL("../node_modules/pannellum/build/", import.meta.url));
  for (const f of ["pannellum.js", "pannellum.css"]) copyFileSync(join(build, f), join(folder, f));
  writeFileSync(join(folder, "index.html"), `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="pannellum.css"><script src="pannellum.js"></script>
<style>html, body, #pano { margin: 0; width: 100%; height: 100%; }</style></head>
<body><div id="pano"></div><script>
  fetch("walk/panoramas/gate/config.json").then((r) => r.json()).then((config) => {
    config.multiRes.basePath = "walk/panoramas/gate";
    Object.assign(config, { autoLoad: true, showControls: false, hfov: 60, yaw: 0, pitch: 0 });
    window.viewer = pannellum.viewer("pano", config);
    window.viewer.on("error", (e) => { window.panoError = String(e); });
  });
</script></body></html>`);
  try {
    const { page, problems } = await openPage(chromium, `${server.url}test-pannellum/index.html`, { width: 800, height: 600 });
    // A multires panorama is "loaded" once Pannellum's renderer is set up (its `load` event may
    // come before a handler can be attached); the tiles follow, waited for below.
    await page.waitForFunction(() => window.viewer?.isLoaded() || window.panoError, null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.panoError || null), null);
    // The colour in the middle of the view, looking at (yaw, pitch): the chart's colour there.
    const looking = async (yaw, pitch) => {
      await page.evaluate(([y, p]) => { window.viewer.setPitch(p, false); window.viewer.setYaw(y, false); }, [yaw, pitch]);
      await page.waitForTimeout(1500);
      const png = (await page.screenshot()).toString("base64");
      return page.evaluate(async (b64) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext("2d");
        ctx.drawImage(bitmap, 0, 0);
        return Array.from(ctx.getImageData(bitmap.width / 2, bitmap.height / 2, 1, 1).data.slice(0, 3));
      }, png);
    };
    const chart = (yaw, pitch) => [(yaw / 360 + 0.5) * 240, (pitch / 180 + 0.5) * 240, 90];
    for (const [yaw, pitch] of [[0, 0], [90, 0], [-90, 0], [150, 0], [-150, 0], [45, 30], [90, 60], [-120, -60]]) {
      const got = await looking(yaw, pitch);
      const want = chart(yaw, pitch);
      assert.ok(got.every((c, i) => Math.abs(c - want[i]) <= 14),
        `Pannellum looking at yaw ${yaw}°, pitch ${pitch}° shows ${JSON.stringify(got)} where the chart has ${JSON.stringify(want.map(Math.round))}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** A binary PLY survey (engine/app/tests/pointcloud.rs): a courtyard in survey axes (Z up, +Y
 * north), its west half red, east half blue, a green wall along its north edge. */
function writeSurveyPly(path, count) {
  const header = Buffer.from(`ply\nformat binary_little_endian 1.0\nelement vertex ${count}\n` +
    "property double x\nproperty double y\nproperty double z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n");
  const body = Buffer.alloc(count * 27);
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  for (let i = 0; i < count; i++) {
    const [u, v] = [next(), next()];
    const [p, c] = i % 5 === 0 ? [[u * 24, 16, v * 4], [40, 190, 60]]
      : [[u * 24, v * 16, 0], u * 24 < 12 ? [210, 40, 40] : [40, 60, 210]];
    const at = i * 27;
    body.writeDoubleLE(585000 + p[0], at);
    body.writeDoubleLE(2305000 + p[1], at + 8);
    body.writeDoubleLE(3 + p[2], at + 16);
    body.set(c, at + 24);
  }
  writeFileSync(path, Buffer.concat([header, body]));
}

/** What the engine asks of Web Audio, recorded in the page: media element sources made, and every
 * gain target set (`window.disanAudio`). */
const AUDIO_SPY = `
    window.disanAudio = { sources: 0, targets: [] };
    const source = AudioContext.prototype.createMediaElementSource;
    AudioContext.prototype.createMediaElementSource = function (e) { window.disanAudio.sources++; return source.call(this, e); };
    const target = AudioParam.prototype.setTargetAtTime;
    AudioParam.prototype.setTargetAtTime = function (v, t, c) { window.disanAudio.targets.push(v); return target.call(this, v, t, c); };`;

test("the browser's video rendition follows the window and the link's estimate", async () => {
  // An 800-pixel-high window calls for the 720p rendition; a link the browser estimates at
  // 0.4 Mbit/s carries 320 kbit/s in its 80 %, not the 720p VP9's 329: the 480p one (268).
  const rendition = async (downlink) => {
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=choi-trau-do-son&lang=vi`, {
      width: 1280,
      height: 800,
      init: `Object.defineProperty(navigator, "connection", { value: { downlink: ${downlink} }, configurable: true });`,
    });
    await viewerEvent(page, "ready");
    const state = await viewerEvent(page, "state", "e.state.videos?.[0]?.rendition");
    assert.deepEqual(problems, []);
    await page.close();
    return state.state.videos[0].rendition;
  };
  assert.equal(await rendition(10), "720.webm", "a fast link: the window's size decides");
  assert.equal(await rendition(0.4), "480.webm", "a slow link: what it carries decides");
});

test("a rendition the link cannot carry stalls twice and the browser steps down to the smaller one without a restart", async () => {
  // The link's estimate says fast (720p chosen for the window), but the server then delivers the
  // 720p file in small pieces, each after 2.5 s: the element runs dry and waits past the 1.5 s
  // a stall takes, twice, and the viewer plays the 480p rendition from the same moment.
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=choi-trau-do-son&lang=vi`, {
    width: 1280,
    height: 800,
    init: `Object.defineProperty(navigator, "connection", { value: { downlink: 10 }, configurable: true });`,
  });
  let slowRequests = 0;
  await page.route("**/videos/festival/720.webm", async (route) => {
    slowRequests++;
    // The page may close while a piece is on its way (the test is over once the viewer steps
    // down): a request of a closed page rejects, and that must not outlive the test.
    try {
      const response = await route.fetch({ headers: { ...route.request().headers(), range: "bytes=0-" } });
      const whole = await response.body();
      const asked = /bytes=(\d+)-/.exec(route.request().headers()["range"] || "");
      const start = asked ? Number(asked[1]) : 0;
      const end = Math.min(whole.length, start + 48 * 1024) - 1;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await route.fulfill({
        status: 206,
        headers: { "content-type": "video/webm", "accept-ranges": "bytes", "content-range": `bytes ${start}-${end}/${whole.length}` },
        body: whole.subarray(start, end + 1),
      });
    } catch (e) {
      if (!page.isClosed()) throw e;
    }
  });
  await viewerEvent(page, "ready");
  const first = await viewerEvent(page, "state", "e.state.videos?.[0]?.rendition");
  assert.equal(first.state.videos[0].rendition, "720.webm", "the window and the estimate call for 720p first");
  await page.evaluate(() => window.disan.command({ type: "play-video", video: "festival" }));
  const stepped = await viewerEvent(page, "state", "e.state.videos?.[0]?.rendition === '480.webm'", 90000);
  assert.equal(stepped.state.videos[0].rendition, "480.webm");
  assert.ok(slowRequests >= 2, `the 720p file was asked for ${slowRequests} time(s)`);
  assert.deepEqual(problems.filter((p) => !p.includes("720.webm")), []);
  await page.unrouteAll({ behavior: "ignoreErrors" });
  await page.close();
});

test("the festival video plays in the browser through its own <video> decoder: a chapter from the page's API is drawn on the screen, with its time", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=choi-trau-do-son&lang=vi`, { width: 960, height: 540, init: AUDIO_SPY });
  const ready = await viewerEvent(page, "ready");
  assert.deepEqual(ready.exhibit.videos.map((v) => v.id), ["festival"]);
  assert.deepEqual(ready.exhibit.videos[0].chapters.map((c) => [c.id, c.start]),
    [["te-than-diem-tuoc", 0], ["ruoc-trau", 6], ["choi-trau", 12], ["hien-sinh-tong-than", 18]]);
  await viewerEvent(page, "first-frame");
  // The last chapter's card is green (0x1f4a33); the poster, from the first chapter, is red.
  const greenShare = async () => {
    const png = (await page.locator("#disan-canvas").screenshot()).toString("base64");
    return page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let green = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - 0x1f) < 24 && Math.abs(d[i + 1] - 0x4a) < 24 && Math.abs(d[i + 2] - 0x33) < 24) green++;
      }
      return green / (d.length / 4);
    }, png);
  };
  assert.ok(await greenShare() < 0.02, "the last chapter is not on screen before it is played");
  await page.evaluate(() => window.disan.command({ type: "play-chapter", video: "festival", chapter: "hien-sinh-tong-than" }));
  const state = await viewerEvent(page, "state",
    "e.state.videos?.[0]?.shown && e.state.videos[0].chapter === 'hien-sinh-tong-than' && e.state.videos[0].second >= 19", 60000);
  assert.equal(state.state.videos[0].failed, false);
  // A rendition the browser plays, of those video.json lists (the festival's are 480p and 720p).
  assert.match(state.state.videos[0].rendition ?? "", /^(480\.webm|720\.webm|720\.mp4)$/);
  assert.equal(ready.exhibit.videos[0].sound_only, false);
  // Its sound goes through Web Audio, placed by the spatial engine: gains set, not silent.
  const audio = await page.evaluate(() => window.disanAudio);
  assert.equal(audio.sources, 1, "the element's sound is routed once");
  assert.ok(audio.targets.some((v) => v > 0.05), `the spatial engine sets audible gains: ${audio.targets.slice(-6)}`);
  const share = await greenShare();
  assert.ok(share > 0.1, `the chapter's card fills the screen: ${(share * 100).toFixed(1)} % of the canvas is its green`);
  await page.evaluate(() => window.disan.command({ type: "pause-video", video: "festival" }));
  await viewerEvent(page, "state", "e.state.videos?.[0] && !e.state.videos[0].playing");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a sound recording packed by `disan pack` plays in the browser, its sound placed through Web Audio", async () => {
  const folder = join(dist, "test-recording");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=6", join(folder, "hat-dum.wav")]);
  const binary = process.env.DISAN_BINARY || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");
  execFileSync(binary, ["pack", "--out", join(folder, "hat-dum"), join(folder, "hat-dum.wav")]);
  try {
    const address = encodeURIComponent("/test-recording/hat-dum/");
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=${address}&lang=vi`, { width: 960, height: 540, init: AUDIO_SPY });
    const ready = await viewerEvent(page, "ready");
    assert.deepEqual(ready.exhibit.videos.map((v) => [v.id, v.sound_only]), [["hat-dum", true]]);
    await viewerEvent(page, "first-frame");
    await page.evaluate(() => window.disan.command({ type: "play-video", video: "hat-dum" }));
    const state = await viewerEvent(page, "state", "e.state.videos?.[0]?.playing && e.state.videos[0].second >= 1", 60000);
    const v = state.state.videos[0];
    assert.equal(v.failed, false);
    assert.equal(v.shown, false, "no picture to show");
    assert.equal(v.rendition, "sound.webm", "Opus, where the browser plays it");
    const audio = await page.evaluate(() => window.disanAudio);
    assert.equal(audio.sources, 1);
    assert.ok(audio.targets.some((g) => g > 0.05), `audible gains: ${audio.targets.slice(-6)}`);
    assert.deepEqual(problems, []);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** The share of the viewer's canvas whose colour `kind` says yes to (a function of r, g, b). */
async function canvasShare(page, kind) {
  const png = (await page.locator("#disan-canvas").screenshot()).toString("base64");
  return page.evaluate(async ([b64, kind]) => {
    const isKind = new Function("r", "g", "b", `return ${kind}`);
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (isKind(d[i], d[i + 1], d[i + 2])) n++;
    return n / (d.length / 4);
  }, [png, kind]);
}

/** Waits until at least `min` of the canvas is of colour `kind` (a frame or a camera flight later). */
async function waitForShare(page, kind, min, timeout = 30000) {
  const until = Date.now() + timeout;
  let share = 0;
  while (Date.now() < until) {
    share = await canvasShare(page, kind);
    if (share >= min) return share;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`after ${timeout} ms only ${(share * 100).toFixed(2)} % of the canvas is ${kind}`);
}

test("a photo gallery opens in the browser: a damaged photo is left out with a warning, the page's API and a tour show photos by id", async () => {
  const folder = join(dist, "test-gallery");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, "anh", "photos"), { recursive: true });
  for (const [name, colour, size] of [["red", "0xdc1e1e", "400x300"], ["green", "0x1ec81e", "300x400"], ["blue", "0x1e1edc", "600x200"], ["yellow", "0xe6d21e", "400x300"]]) {
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", `color=c=${colour}:s=${size}`, "-frames:v", "1", join(folder, "anh", "photos", `${name}.png`)]);
  }
  writeFileSync(join(folder, "anh", "photos", "broken.jpg"), "not a photograph");
  // The poster the page shows while the engine loads, as `disan pack` writes one.
  copyFileSync(join(folder, "anh", "photos", "red.png"), join(folder, "anh", "poster.png"));
  const photo = (id, file, vi, en) => `[[galleries.photos]]\nid = "${id}"\nsrc = "photos/${file}"\ncaption = { vi = "${vi}", en = "${en}" }\n\n`;
  writeFileSync(join(folder, "anh", "exhibit.toml"), `format = 1
id = "anh"
kind = "intangible"
rank = "city"
title = { vi = "Ảnh lễ hội", en = "Festival photographs" }

[summary]
vi = "Ảnh thử."
en = "Test photographs."

[[galleries]]
id = "hoi"
title = { vi = "Ảnh hội", en = "The festival" }
[galleries.screen]
centre = [0.0, 1.6, 0.0]
normal = [0.0, 0.0, 1.0]
width = 2.0

${photo("red", "red.png", "Đỏ", "Red")}${photo("broken", "broken.jpg", "Hỏng", "Broken")}${photo("green", "green.png", "Lục", "Green")}${photo("blue", "blue.png", "Lam", "Blue")}[[galleries]]
id = "dinh"
title = { vi = "Ảnh đình", en = "The communal house" }
[galleries.screen]
centre = [8.0, 1.6, 0.0]
normal = [0.0, 0.0, 1.0]
width = 2.0

${photo("yellow", "yellow.png", "Vàng", "Yellow")}[[tours]]
id = "main"
title = { vi = "Xem ảnh", en = "The photographs" }

[[tours.stops]]
gallery = "hoi"
photo = "blue"
text = { vi = "Ảnh xanh.", en = "The blue one." }

[rights]
license = "CC-BY-4.0"
holder = "Disan"
attribution = { vi = "Ảnh thử.", en = "Test photographs." }

[provenance]
method = "procedural"
`);
  const red = "r > 150 && g < 90 && b < 90";
  const green = "g > 150 && r < 90 && b < 90";
  const blue = "b > 150 && r < 90 && g < 90";
  try {
    const address = encodeURIComponent("/test-gallery/anh/");
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=${address}&lang=vi`);
    const warning = await viewerEvent(page, "warning", `e.file === "photos/broken.jpg"`);
    assert.ok(warning.reason.length > 0);
    const ready = await viewerEvent(page, "ready");
    assert.deepEqual(ready.exhibit.galleries.map((g) => g.id), ["hoi", "dinh"]);
    await viewerEvent(page, "first-frame");
    let { state } = await viewerEvent(page, "state", "e.state.galleries?.length === 2");
    assert.deepEqual(state.galleries.map((g) => [g.id, g.photo]), [["hoi", "red"], ["dinh", "yellow"]]);
    await waitForShare(page, red, 0.003);
    // The page's API shows a photo by its id; the damaged one was left out, so green is 2 of 3.
    await page.evaluate(() => window.disan.command({ type: "show-photo", gallery: "hoi", photo: "green" }));
    await viewerEvent(page, "state", "e.state.galleries?.[0]?.photo === 'green'");
    await waitForShare(page, green, 0.003);
    assert.ok(await canvasShare(page, red) < 0.0005, "the green photo in place of the red one");
    // A tour's stop on the blue photo shows it, in front of the camera. The photo is 3:1 and the
    // camera stands back for the gallery's tallest (3:4), so in a 960×540 view it is about
    // 160×53 pixels: 1.6 % of the canvas, where nothing was blue before.
    assert.ok(await canvasShare(page, blue) < 0.0005, "no blue before the tour");
    await page.evaluate(() => window.disan.command({ type: "start-tour", tour: "main" }));
    await viewerEvent(page, "state", "e.state.galleries?.[0]?.photo === 'blue'");
    await waitForShare(page, blue, 0.01);
    assert.deepEqual(problems.filter((p) => !p.includes("broken.jpg")), []);
    await page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("a laser scan packed by `disan pack` streams into the browser by HTTP range requests, the right way round, with eye-dome lighting", async () => {
  const folder = join(dist, "test-pointcloud");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeSurveyPly(join(folder, "yard.ply"), 600000);
  const binary = process.env.DISAN_BINARY || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");
  execFileSync(binary, ["pack", "--up", "z", "--out", join(folder, "yard"), join(folder, "yard.ply")]);
  try {
    const address = encodeURIComponent("/test-pointcloud/yard/");
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=${address}&lang=en`, { width: 960, height: 540 });
    const ranges = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/octree.bin")) ranges.push(r.headers()["range"] || "none");
    });
    const ready = await viewerEvent(page, "ready");
    assert.deepEqual(ready.exhibit.pointclouds.map((c) => c.id), ["yard"]);
    await viewerEvent(page, "first-frame");
    await page.waitForTimeout(4000);
    // Nodes came by range, never the whole file: the root and finer levels.
    assert.ok(ranges.length > 1 && ranges.every((r) => /^bytes=\d+-\d+$/.test(r)), `octree.bin requests: ${JSON.stringify(ranges.slice(0, 5))} (${ranges.length})`);
    const png = (await page.locator("#disan-canvas").screenshot()).toString("base64");
    const share = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      // Of the left and the right third of the picture's lower middle band: how much is red,
      // how much blue.
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
      // Eye-dome lighting: of the columns across the wall's middle, the share whose first green
      // pixel from the top has a dark one (every channel under 40) within three rows above it.
      const h = bitmap.height;
      const all = ctx.getImageData(0, 0, w, h).data;
      const at = (x, y) => all.subarray((y * w + x) * 4, (y * w + x) * 4 + 3);
      const green = ([r, g, b]) => g > 100 && g > 2 * r && g > b;
      const dark = (p) => p.every((c) => c < 40);
      let columns = 0, rimmed = 0;
      for (let x = Math.floor(w * 0.4); x < Math.floor(w * 0.6); x++) {
        columns++;
        let top = -1;
        for (let y = Math.floor(h * 0.1); y < Math.floor(h * 0.7) && top < 0; y++) if (green(at(x, y))) top = y;
        if (top > 3 && [1, 2, 3].some((k) => dark(at(x, top - k)))) rimmed++;
      }
      return { left: count(Math.floor(w * 0.2), Math.floor(w * 0.4)), right: count(Math.floor(w * 0.6), Math.floor(w * 0.8)), rim: rimmed / columns };
    }, png);
    assert.ok(share.rim > 0.8, `eye-dome lighting left no dark rim along the wall's top: ${JSON.stringify(share)}`);
    assert.ok(share.left[0] > 0.4 && share.left[1] < 0.05, `the west (left) is not red: ${JSON.stringify(share)}`);
    assert.ok(share.right[1] > 0.4 && share.right[0] < 0.05, `the east (right) is not blue: ${JSON.stringify(share)}`);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("OpenSeadragon, an IIIF viewer a city portal may use, shows the decree's scan from the package's own tiles, down to full resolution", async () => {
  // The page any portal would have: OpenSeadragon (npm, BSD-3-Clause) given the package's
  // info.json, its id set to where the folder is published (what `disan pack --iiif-base` writes).
  const { page, problems } = await openPage(chromium, `${server.url}exhibits/sac-phong/scans/decree/info.json`, { width: 800, height: 500 });
  await page.setContent('<!doctype html><div id="osd" style="width:800px;height:500px"></div>');
  await page.addScriptTag({ path: fileURLToPath(new URL("../node_modules/openseadragon/build/openseadragon/openseadragon.min.js", import.meta.url)) });
  const result = await page.evaluate(async (base) => {
    const info = await (await fetch(`${base}info.json`)).json();
    info.id = base.replace(/\/$/, "");
    const loaded = [];
    const failed = [];
    const viewer = OpenSeadragon({ id: "osd", tileSources: [info], showNavigationControl: false, animationTime: 0 });
    viewer.addHandler("tile-loaded", (e) => loaded.push(e.tile.getUrl ? e.tile.getUrl() : e.tile.url));
    viewer.addHandler("tile-load-failed", (e) => failed.push(String(e.message)));
    await new Promise((resolve) => viewer.addOnceHandler("open", resolve));
    const settle = async () => {
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const item = viewer.world.getItemAt(0);
        if (item && item.getFullyLoaded()) return;
      }
    };
    await settle();
    viewer.viewport.zoomTo(viewer.viewport.getMaxZoom(), null, true);
    viewer.viewport.applyConstraints(true);
    await settle();
    return { loaded, failed };
  }, `${server.url}exhibits/sac-phong/scans/decree/`);
  assert.deepEqual(result.failed, [], "every tile OpenSeadragon asked for was there");
  assert.ok(result.loaded.some((u) => /\/full\/512,256\/0\/default\.jpg$/.test(u)), `the overview: ${result.loaded}`);
  assert.ok(result.loaded.some((u) => /\/\d+,\d+,512,512\/512,512\/0\/default\.jpg$/.test(u)), `full-resolution tiles: ${result.loaded}`);
  // The page itself has no favicon (its 404 shows twice: as a response and on the console); every
  // other request answered.
  assert.deepEqual(problems.filter((p) => !/favicon|Failed to load resource/.test(p)), []);
  assert.ok(problems.filter((p) => /^HTTP/.test(p)).every((p) => /favicon/.test(p)), problems.join("\n"));
  await page.close();
});

test("a packed scan loads progressively: the thumb first, then the level WebGL2 calls for, never `high`; its compressed geometry draws", async () => {
  // The one sample made from a real scan (disan pack: thumb, low, medium, high; compressed).
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=mau-quet-bat-gom&lang=vi`);
  await viewerEvent(page, "first-frame");
  // Settled on a level better than the thumb (while the camera comes in, the thumb may do for a
  // moment).
  const settled = await viewerEvent(page, "state", "e.state.level && e.state.level.settled && e.state.level.quality !== 'thumb'");
  const levels = await page.evaluate(() => window.disan.events.filter((e) => e.type === "state" && e.state.level).map((e) => e.state.level.quality));
  assert.equal(levels[0], "thumb", `the first level on screen is the thumb: ${levels}`);
  assert.notEqual(settled.state.level.quality, "high", "WebGL2 settles below high");
  // What the page fetched: the thumb, the settled level and nothing heavier, all from the
  // package's plain static files.
  const fetched = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".glb")));
  assert.ok(fetched.some((p) => p.endsWith("mau-quet-bat-gom-thumb.glb")), `the thumb was fetched: ${fetched}`);
  // The level's file, or its ETC2 copy where the browser's GPU samples ETC2 (never BC7 in a
  // browser: docs/exhibit-format.md, "GPU texture copies").
  const file = settled.state.level.file;
  assert.match(file, new RegExp(`^models/mau-quet-bat-gom-${settled.state.level.quality}(\\.etc2)?\\.glb$`));
  assert.ok(fetched.some((p) => p.endsWith(file)), `the settled level was fetched: ${file} in ${fetched}`);
  assert.ok(!fetched.some((p) => p.includes("mau-quet-bat-gom-high")), `high was never fetched: ${fetched}`);
  assert.ok(!fetched.some((p) => p.includes(".bc7.")), `no BC7 copy in a browser: ${fetched}`);
  console.log(`measure: the settled level's file in this browser: ${file}`);
  // The decoded geometry is on the canvas: a bowl, not an empty ground.
  await page.waitForTimeout(1000);
  const shot = await page.locator("#disan-canvas").screenshot();
  const drawn = await compareImages(page, shot, reference("mau-quet-bat-gom-home-vi", shot));
  assert.ok(drawn.spread > 12, `the canvas is nearly flat (luminance spread ${drawn.spread.toFixed(1)})`);
  assert.ok(drawn.mean < 6 && drawn.offShare < 0.02, `the canvas differs from the reference: ${JSON.stringify(drawn)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a level's GPU texture copy (KTX2, Zstandard) loads and draws in the browser where its GPU samples the format; elsewhere the JPEG level", async () => {
  // Which block formats this browser's GPU samples, asked the way wgpu asks (WebGPU features;
  // WebGL2 extensions): BC7 needs the S3TC, RGTC and BPTC families, ETC2 its own.
  const probe = await openPage(chromium, `${server.url}viewer.html?exhibit=mau-quet-bat-gom&lang=vi`);
  const first = await viewerEvent(probe.page, "state", "e.state.renderer");
  const renderer = first.state.renderer;
  const support = await probe.page.evaluate(async (renderer) => {
    if (renderer === "webgpu") {
      const adapter = await navigator.gpu.requestAdapter();
      return { bc7: adapter.features.has("texture-compression-bc"), etc2: adapter.features.has("texture-compression-etc2") };
    }
    const gl = document.createElement("canvas").getContext("webgl2");
    const has = (names) => names.every((n) => gl.getExtension(n));
    return {
      bc7: has(["WEBGL_compressed_texture_s3tc", "WEBGL_compressed_texture_s3tc_srgb", "EXT_texture_compression_rgtc", "EXT_texture_compression_bptc"]),
      etc2: has(["WEBGL_compressed_texture_etc"]),
    };
  }, renderer);
  await probe.page.close();
  console.log(`measure: ${renderer} here samples BC7: ${support.bc7}, ETC2: ${support.etc2}`);
  for (const format of ["bc7", "etc2"]) {
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=mau-quet-bat-gom&lang=vi&lod=medium&textures=${format}`);
    await viewerEvent(page, "first-frame");
    const settled = await viewerEvent(page, "state", "e.state.level && e.state.level.settled && e.state.level.quality === 'medium'", 120000);
    const expected = support[format] ? `models/mau-quet-bat-gom-medium.${format}.glb` : "models/mau-quet-bat-gom-medium.glb";
    assert.equal(settled.state.level.file, expected, `?textures=${format} on a GPU that ${support[format] ? "samples" : "does not sample"} it`);
    // Drawn as the JPEG level is: the bowl, its glaze where the reference has it.
    await page.waitForTimeout(1000);
    const shot = await page.locator("#disan-canvas").screenshot();
    const drawn = await compareImages(page, shot, reference("mau-quet-bat-gom-home-vi", shot));
    assert.ok(drawn.spread > 12, `the canvas is nearly flat (luminance spread ${drawn.spread.toFixed(1)})`);
    assert.ok(drawn.mean < 6 && drawn.offShare < 0.02, `${expected} draws differently from the reference: ${JSON.stringify(drawn)}`);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test("on a 10 Mbit/s link the page shows a first look at the exhibit (its thumb, turnable) long before the engine, which then replaces it", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=mau-quet-bat-gom&lang=vi`, { mbits: 10 });
  const look = await viewerEvent(page, "preview", "true", 60000);
  assert.ok(look.triangles > 1000, `the thumb's triangles: ${look.triangles}`);
  assert.ok(await page.evaluate(() => !window.disan.events.some((e) => e.type === "first-frame")), "the first look came before the engine's first frame");
  assert.ok(await page.locator("#poster").isHidden(), "the first look replaces the poster");
  // The bowl is drawn in the middle of the view, from the engine's home view.
  const before = await page.locator("#preview").screenshot();
  const drawn = await compareImages(page, before, before);
  assert.ok(drawn.spread > 12, `the first look is nearly flat (luminance spread ${drawn.spread.toFixed(1)})`);
  // A drag turns it.
  await page.mouse.move(480, 270);
  await page.mouse.down();
  for (let x = 500; x <= 640; x += 20) await page.mouse.move(x, 270);
  await page.mouse.up();
  await page.waitForTimeout(300);
  const turned = await compareImages(page, await page.locator("#preview").screenshot(), before);
  assert.ok(turned.mean > 1, `a drag turns the first look: ${JSON.stringify(turned)}`);
  // The engine's first complete frame takes over.
  await viewerEvent(page, "first-frame");
  await page.waitForFunction(() => document.getElementById("preview").hidden, null, { timeout: 10000 });
  const at = await page.evaluate(() => window.disan.firstAt);
  console.log(`measure: 10 Mbit/s, scanned bowl: first look ${Math.round(at.preview)} ms, engine's first frame ${Math.round(at["first-frame"])} ms after the page started`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("switching exhibit on a slow link cancels the previous exhibit's download in flight, and the next one shows", async () => {
  // The viewer itself arrives at full speed; then the link drops to 0.5 Mbit/s, where the bowl's
  // full level (0.8 MB, asked for with ?lod=high) takes 13 s: the switch comes well before.
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=sac-phong&lod=high&lang=en`);
  await viewerEvent(page, "state", "e.state.summary && e.state.summary.id === 'sac-phong' && e.state.level && e.state.level.settled");
  await throttle(page, 0.5);
  const aborted = [];
  page.on("requestfailed", (r) => aborted.push(`${new URL(r.url()).pathname} ${r.failure()?.errorText}`));
  const fullLevelAsked = page.waitForRequest((r) => /mau-quet-bat-gom-high(\.etc2)?\.glb$/.test(r.url()), { timeout: 180000 });
  await page.evaluate(() => window.disan.command({ type: "load", exhibit: "mau-quet-bat-gom" }));
  await viewerEvent(page, "state", "e.state.summary && e.state.summary.id === 'mau-quet-bat-gom' && e.state.level");
  await fullLevelAsked;
  // The visitor goes back before the full level has arrived.
  await page.evaluate(() => window.disan.command({ type: "load", exhibit: "sac-phong" }));
  await page.waitForFunction(() => window.disan.state.summary?.id === "sac-phong" && window.disan.state.level?.settled, null, { timeout: 180000, polling: 250 });
  assert.ok(aborted.some((a) => /mau-quet-bat-gom-high(\.etc2)?\.glb/.test(a) && a.includes("ABORTED")), `the bowl's full level was cancelled: ${aborted}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("with a hardware WebGPU adapter the viewer draws the exhibit with its WebGPU build; a software adapter and ?renderer= choose as documented", async () => {
  const gpuBrowser = await browser({ webgpu: true });
  try {
    const { page, problems } = await openPage(gpuBrowser, `${server.url}viewer.html?exhibit=trong-dong&lang=vi`, { init: hardwareAdapter });
    // WebGPU exists only in secure contexts: the served page (localhost) is one.
    assert.ok(await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter())), "this browser offers no WebGPU adapter");
    assert.deepEqual(await engineOf(page), { wasm: ["/pkg/webgpu/disan_bg.wasm"], renderer: "webgpu" }, "the page downloads the WebGPU engine only");
    await viewerEvent(page, "first-frame");
    await page.waitForTimeout(1500);
    // The same picture as the WebGL2 build's reference, by the same tolerance. Dawn on
    // SwiftShader draws a frame in seconds, and a screenshot waits for frames (one took 44 s).
    const shot = await page.locator("#disan-canvas").screenshot({ timeout: 120000 });
    const drawn = await compareImages(page, shot, readReference("trong-dong-home-vi"));
    assert.ok(drawn.spread > 12, `the WebGPU canvas is nearly flat (luminance spread ${drawn.spread.toFixed(1)})`);
    assert.ok(drawn.mean < 6 && drawn.offShare < 0.02, `the WebGPU canvas differs from the reference: ${JSON.stringify(drawn)}`);
    assert.deepEqual(problems, []);
    await page.close();

    const cases = [
      ["", null, "webgl2", "a software adapter is passed over for WebGL2"],
      ["&renderer=webgpu", null, "webgpu", "?renderer=webgpu takes even a software adapter"],
      ["&renderer=webgl2", hardwareAdapter, "webgl2", "?renderer=webgl2 wins over a hardware adapter"],
    ];
    for (const [query, init, renderer, why] of cases) {
      const opened = await openPage(gpuBrowser, `${server.url}viewer.html?exhibit=trong-dong${query}`, { init });
      const engine = await engineOf(opened.page);
      assert.deepEqual(engine, { wasm: [`/pkg/${renderer}/disan_bg.wasm`], renderer }, why);
      assert.deepEqual(opened.problems, [], why);
      await opened.page.close();
    }
  } finally {
    await gpuBrowser.close();
  }
});

test("the image comparison fails a blank canvas and another exhibit", async () => {
  const page = await chromium.newPage({ viewport: { width: 960, height: 540 } });
  const expected = readReference("trong-dong-home-vi");
  await page.setContent('<body style="margin:0;background:#8a8f88"></body>');
  const flat = await compareImages(page, await page.screenshot(), expected);
  assert.ok(flat.spread < 1, "a flat image has no luminance spread");
  assert.ok(flat.mean >= 6 || flat.offShare >= 0.02, `a blank image passed: ${JSON.stringify(flat)}`);
  // Another exhibit (its poster, drawn by the native viewer) at the same size.
  const poster = readFileSync(new URL("../dist/exhibits/dinh-hang-kenh/poster.png", import.meta.url)).toString("base64");
  await page.setContent(`<body style="margin:0"><img src="data:image/png;base64,${poster}" style="width:960px;height:540px;display:block"></body>`);
  const other = await compareImages(page, await page.screenshot(), expected);
  assert.ok(other.mean >= 6 || other.offShare >= 0.02, `another exhibit passed: ${JSON.stringify(other)}`);
  await page.close();
});

test("a lesson page starts a tour at its second stop; the JS API opens a hotspot and the event arrives", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}demo/lesson.html`, { width: 960, height: 1200 });
  await page.evaluate(() => {
    window.heard = [];
    const drum = document.getElementById("drum");
    for (const type of ["ready", "tour-step", "hotspot-open", "tour-end", "error"]) {
      drum.addEventListener(type, (e) => window.heard.push(e.detail));
    }
  });
  await page.waitForFunction(() => window.heard.some((e) => e.type === "tour-step"), null, { timeout: 180000 });
  const step = await page.evaluate(() => window.heard.find((e) => e.type === "tour-step"));
  assert.equal(step.stop, 2, "the tour starts at the stop the page names");
  assert.equal(step.tour, "main");
  assert.match(await page.locator("#step").textContent(), /Điểm dừng 2\/4/);

  const hotspot = await page.evaluate(() => document.getElementById("drum").state.summary.hotspots[2].id);
  await page.evaluate((id) => document.getElementById("drum").openHotspot(id), hotspot);
  await page.waitForFunction(() => window.heard.some((e) => e.type === "hotspot-open"), null, { timeout: 60000 });
  const opened = await page.evaluate(() => window.heard.find((e) => e.type === "hotspot-open"));
  assert.equal(opened.hotspot, hotspot);
  assert.equal((await page.evaluate(() => document.getElementById("drum").state)).hotspot, hotspot);

  // The page's own buttons drive the tour too.
  await page.getByRole("button", { name: "Điểm dừng 4" }).click();
  await page.waitForFunction(() => window.heard.some((e) => e.type === "tour-step" && e.stop === 4), null, { timeout: 60000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the city-portal article shows the exhibit in a sandboxed iframe", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}demo/portal.html`, { width: 960, height: 1400 });
  assert.equal(await page.locator("iframe#viewer").getAttribute("sandbox"), "allow-scripts");
  const ready = await postedEvent(page, "ready");
  assert.equal(ready.exhibit.id, "dinh-hang-kenh");
  assert.match(ready.exhibit.title, /Đình Hàng Kênh/);
  await postedEvent(page, "first-frame");
  assert.deepEqual(problems, []);
  await page.close();
});

test("an exhibit address from an origin that is not allowed is refused with a visible message", async () => {
  const { page } = await openPage(chromium, `${server.url}viewer.html?exhibit=${encodeURIComponent("https://example.org/exhibits/x/")}`);
  const message = page.locator("#message");
  await message.waitFor({ state: "visible", timeout: 30000 });
  const text = await message.textContent();
  assert.match(text, /https:\/\/example\.org\/exhibits\/x\/ is not an allowed source/);
  assert.match(text, /không thuộc các nguồn được phép/);
  const error = await viewerEvent(page, "error");
  assert.match(error.problems[0], /not an allowed source/);
  await page.close();
});

test("an exhibit that is not there shows the viewer's error screen, naming the file", async () => {
  const { page } = await openPage(chromium, `${server.url}viewer.html?exhibit=${encodeURIComponent("/exhibits/no-such-exhibit/")}`);
  const error = await viewerEvent(page, "error");
  const problems = error.problems.join("\n");
  assert.match(problems, /no-such-exhibit\/exhibit\.toml/);
  assert.match(problems, /could not be fetched/);
  assert.equal((await viewerEvent(page, "state", "e.state.phase === 'error'")).state.phase, "error");
  await page.close();

  const unknown = await openPage(chromium, `${server.url}viewer.html?exhibit=no-such-id`);
  await unknown.page.locator("#message").waitFor({ state: "visible", timeout: 30000 });
  assert.match(await unknown.page.locator("#message").textContent(), /no exhibit “no-such-id”/);
  await unknown.page.close();
});

/** Sends a command to the viewer in the page's `iframe#viewer`, as a host page does. */
function sendToFrame(page, command) {
  return page.evaluate((command) => document.getElementById("viewer").contentWindow.postMessage({ disan: 1, command }, "*"), command);
}

/**
 * Waits for an event posted to this page, as `postedEvent` does, but fails at once when a
 * message of the page (`said`) shows the engine panicked: a crashed engine sends nothing more.
 */
async function postedEventUnlessCrashed(page, said, type, test) {
  let timer;
  const crashed = new Promise((_, reject) => {
    timer = setInterval(() => {
      const line = said.find((m) => /panicked|unreachable/i.test(m));
      if (line) reject(new Error(`the engine crashed: ${line}`));
    }, 250);
  });
  try {
    return await Promise.race([postedEvent(page, type, test), crashed]);
  } finally {
    clearInterval(timer);
  }
}

test("a host page that loads an exhibit, opens one of its hotspots and loads another before the first is ready leaves the viewer working", async () => {
  // The portal's sandboxed iframe: the bundled catalogue of three, Đình Hàng Kênh on screen.
  const { page, problems } = await openPage(chromium, `${server.url}demo/portal.html`, { width: 960, height: 1400 });
  const said = [];
  page.on("console", (m) => said.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => said.push(`uncaught: ${e.message}`));
  const [B, hotspotB, C] = ["sac-phong", "display", "trong-dong"];
  await postedEvent(page, "first-frame");
  // By now every manifest of the catalogue has arrived, so `load` finds B and C.
  await postedEvent(page, "state", `e.state.summary && ${JSON.stringify([B, C])}.every((id) => e.state.summary.catalogue.includes(id))`);

  // The race, driven from the host page's own message listener, so no test round trip slows it:
  // `load` B; as soon as the viewer says B is loading, `open-hotspot` with a hotspot of B; a frame
  // or two later, `load` C, long before B could be ready.
  await page.evaluate(([B, hotspot, C]) => {
    const viewer = document.getElementById("viewer").contentWindow;
    const send = (command) => viewer.postMessage({ disan: 1, command }, "*");
    window.race = { stage: "load B", bReadyBeforeC: false };
    window.addEventListener("message", (e) => {
      if (e.source !== viewer || !e.data || e.data.disan !== 1) return;
      const event = e.data.event;
      const bLoading = (event.type === "state" && event.state.exhibit === B && event.state.phase === "loading")
        || (event.type === "progress" && event.exhibit === B);
      if (window.race.stage === "load B" && bLoading) {
        window.race.stage = "open-hotspot";
        send({ type: "open-hotspot", hotspot });
        requestAnimationFrame(() => requestAnimationFrame(() => {
          window.race.stage = "load C";
          send({ type: "load", exhibit: C });
        }));
      } else if (window.race.stage === "open-hotspot" && event.type === "ready" && event.exhibit.id === B) {
        window.race.bReadyBeforeC = true;
      }
    });
    send({ type: "load", exhibit: B });
  }, [B, hotspotB, C]);
  await page.waitForFunction(() => window.race.stage === "load C", null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.race.bReadyBeforeC), false, `${B} was ready before ${C} was asked for: no race was tested`);

  // C comes on screen and stays.
  const ready = await postedEventUnlessCrashed(page, said, "ready", `e.exhibit.id === ${JSON.stringify(C)}`);
  assert.equal(ready.exhibit.lang, "vi");
  await postedEventUnlessCrashed(page, said, "state", `e.state.phase === "exhibit" && e.state.exhibit === ${JSON.stringify(C)}`);

  // The viewer still obeys: the language, then a hotspot of C.
  let mark = await page.evaluate(() => window.disanMessages.length);
  await sendToFrame(page, { type: "set-language", lang: "en" });
  const english = await postedEventUnlessCrashed(page, said, "state",
    `window.disanMessages.indexOf(e) >= ${mark} && e.state.lang === "en" && e.state.summary?.lang === "en"`);
  assert.equal(english.state.phase, "exhibit");
  assert.equal(english.state.exhibit, C);
  assert.equal(english.state.summary.title, "Đông Sơn Bronze Drum");

  mark = await page.evaluate(() => window.disanMessages.length);
  await sendToFrame(page, { type: "open-hotspot", hotspot: "handle" });
  const opened = await postedEventUnlessCrashed(page, said, "hotspot-open", `window.disanMessages.indexOf(e) >= ${mark} && e.hotspot === "handle"`);
  assert.deepEqual(opened, { type: "hotspot-open", exhibit: C, hotspot: "handle", title: "The handles" });
  const open = await postedEventUnlessCrashed(page, said, "state", `window.disanMessages.indexOf(e) >= ${mark} && e.state.hotspot === "handle"`);
  assert.equal(open.state.phase, "exhibit");
  assert.equal(open.state.exhibit, C);
  assert.equal(open.state.lang, "en");

  const messages = await page.evaluate(() => window.disanMessages);
  assert.deepEqual(messages.filter((e) => e.type === "error"), [], "no error event");
  assert.deepEqual(said.filter((m) => /panicked|unreachable/i.test(m)), [], "the engine did not panic");
  assert.deepEqual(problems, []);
  await page.close();
});

const dist = fileURLToPath(new URL("../dist/", import.meta.url));

/** Copies a folder of web/dist, leaving out the precompressed copies (the server would send those). */
function copyServed(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyServed(join(from, entry.name), join(to, entry.name));
    else if (!/\.(gz|br)$/.test(entry.name)) copyFileSync(join(from, entry.name), join(to, entry.name));
  }
}

test("an exhibit whose sound cannot be decoded still shows, and the page hears a warning naming the file", async () => {
  // The server sends whatever is in web/dist, so a broken copy of Trống đồng is made there for
  // this test: its ambient sound replaced by bytes that are no sound at all. Opened by address,
  // it is the only package of the viewer's catalogue.
  const folder = join(dist, "test-broken-exhibit");
  const file = "audio/water.ogg";
  rmSync(folder, { recursive: true, force: true });
  copyServed(join(dist, "exhibits/trong-dong"), join(folder, "trong-dong"));
  writeFileSync(join(folder, "trong-dong", file), Buffer.from("This is not a sound. ".repeat(400)));
  // A host page with <disan-viewer>, for the element's DOM event and its state.
  writeFileSync(join(folder, "host.html"), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Disan: a broken sound</title>
<script type="module" src="../disan-viewer.js"></script></head>
<body><disan-viewer id="drum" exhibit="./trong-dong/" lang="en" title="Đông Sơn Bronze Drum"></disan-viewer>
<script>
  window.heard = [];
  for (const type of ["ready", "warning", "error"]) {
    document.getElementById("drum").addEventListener(type, (e) => window.heard.push(e.detail));
  }
</script></body></html>
`);
  const unexpected = (problems) => problems.filter((p) => !p.includes(file));
  try {
    // The viewer page itself: window.disan.events, and a listener of the `disan` event on window.
    const address = encodeURIComponent("/test-broken-exhibit/trong-dong/");
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=${address}&lang=en`, {
      init: () => {
        window.heardWarnings = [];
        window.addEventListener("disan", (e) => {
          if (e.detail.type === "warning") window.heardWarnings.push(e.detail);
        });
      },
    });
    const warning = await viewerEvent(page, "warning", `e.file === ${JSON.stringify(file)}`);
    assert.deepEqual(Object.keys(warning).sort(), ["exhibit", "file", "reason", "type"]);
    assert.equal(warning.exhibit, "trong-dong");
    assert.ok(typeof warning.reason === "string" && warning.reason.length > 0, `no reason: ${JSON.stringify(warning)}`);
    const ready = await viewerEvent(page, "ready");
    assert.equal(ready.exhibit.id, "trong-dong");
    assert.deepEqual(await page.evaluate((file) => window.heardWarnings.find((e) => e.file === file), file), warning);
    // The state lists the file that was left out, and the exhibit's rights in English.
    const { state } = await viewerEvent(page, "state",
      `e.state.phase === "exhibit" && (e.state.notices || []).some((n) => n.file === ${JSON.stringify(file)})`);
    assert.deepEqual(state.notices.filter((n) => n.file === file), [{ file, reason: warning.reason }]);
    assert.equal(state.rights.license, "CC-BY-4.0");
    assert.equal(state.rights.holder, "Dự án Disan");
    assert.match(state.rights.attribution, /^Texts: Disan project/);
    assert.ok(state.rights.source === null || typeof state.rights.source === "string", `source: ${state.rights.source}`);
    assert.deepEqual(await page.evaluate(() => window.disan.events.filter((e) => e.type === "error")), []);
    assert.ok(await page.locator("#message").isHidden(), "no error box on the page");
    // The engine may also log the file it left out; nothing else.
    assert.deepEqual(unexpected(problems), []);
    await page.close();

    // A host page with <disan-viewer>: the element fires `warning`, the same event that was posted.
    const host = await openPage(chromium, `${server.url}test-broken-exhibit/host.html`, { width: 960, height: 700 });
    const posted = await postedEvent(host.page, "warning", `e.file === ${JSON.stringify(file)}`);
    assert.equal(posted.exhibit, "trong-dong");
    await host.page.waitForFunction((file) => window.heard.some((e) => e.type === "warning" && e.file === file), file, { timeout: 60000 });
    assert.deepEqual(await host.page.evaluate((file) => window.heard.find((e) => e.type === "warning" && e.file === file), file), posted);
    await host.page.waitForFunction(() => window.heard.some((e) => e.type === "ready"), null, { timeout: 180000 });
    await host.page.waitForFunction((file) => document.getElementById("drum").state.notices?.some((n) => n.file === file), file, { timeout: 60000 });
    assert.deepEqual(await host.page.evaluate(() => window.heard.filter((e) => e.type === "error")), []);
    assert.deepEqual(unexpected(host.problems), []);
    await host.page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Every file under `dir`, as package paths (`models/x.glb`). */
function packageFiles(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? packageFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

/**
 * Signs a package as `disan sign` does (docs/integrity.md), with Node's own SHA-256 and ed25519:
 * a second implementation of the documented format, so the viewer is checked against the
 * document, not only against our own signer.
 */
function signPackage(dir, privateKey, publicKeyBase64) {
  const sha256 = {};
  for (const f of packageFiles(dir).filter((f) => !f.startsWith("integrity.")).sort()) {
    sha256[f] = createHash("sha256").update(readFileSync(join(dir, f))).digest("hex");
  }
  const list = JSON.stringify({ format: 1, sha256 }, null, 2) + "\n";
  writeFileSync(join(dir, "integrity.json"), list);
  const signature = sign(null, Buffer.from(list), privateKey).toString("base64");
  writeFileSync(join(dir, "integrity.sig"), JSON.stringify({ algorithm: "ed25519", public_key: publicKeyBase64, signature }));
}

test("a viewer page with trusted keys opens a signed exhibit with its location, and refuses a tampered file and an unsigned package, naming them", async () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const key = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("base64");
  const folder = join(dist, "test-signed");
  const viewer = join(dist, "test-signed-viewer.html");
  rmSync(folder, { recursive: true, force: true });
  for (const id of ["dinh-hang-kenh", "trong-dong"]) {
    copyServed(join(dist, "exhibits", id), join(folder, id));
    signPackage(join(folder, id), privateKey, key);
  }
  // Damaged after signing: the drum's first level, one byte.
  const model = join(folder, "trong-dong/models/trong-dong-thumb.glb");
  const bytes = readFileSync(model);
  bytes[bytes.length - 5] ^= 0x11;
  writeFileSync(model, bytes);
  // The site's copy of viewer.html, its trusted key set as a city web team would.
  const page = readFileSync(join(dist, "viewer.html"), "utf8");
  const keyed = page.replace('<meta name="disan-trusted-keys" content="">', `<meta name="disan-trusted-keys" content="${key}">`);
  assert.notEqual(keyed, page, "viewer.html has the disan-trusted-keys meta tag");
  writeFileSync(viewer, keyed);
  try {
    const signed = await openPage(chromium, `${server.url}test-signed-viewer.html?exhibit=${encodeURIComponent("/test-signed/dinh-hang-kenh/")}&lang=en`);
    const ready = await viewerEvent(signed.page, "ready");
    assert.equal(ready.exhibit.id, "dinh-hang-kenh");
    const { state } = await viewerEvent(signed.page, "state", "e.state.phase === 'exhibit' && e.state.location");
    assert.equal(state.location.commune, "Phường Lê Chân");
    assert.equal(state.location.former_district, "Quận Lê Chân");
    assert.deepEqual(state.location.wgs84, [20.8463, 106.6844]);
    assert.deepEqual(signed.problems, []);
    await signed.page.close();

    const tampered = await openPage(chromium, `${server.url}test-signed-viewer.html?exhibit=${encodeURIComponent("/test-signed/trong-dong/")}`);
    const refused = (await viewerEvent(tampered.page, "error")).problems.join("\n");
    // The page draws no first look of a package whose files the engine has not checked.
    assert.ok(!(await tampered.page.evaluate(() => window.disan.events.some((e) => e.type === "preview"))), "no first look where signatures are required");
    assert.match(refused, /models\/trong-dong-thumb\.glb: its SHA-256 is not the one the package lists/);
    await tampered.page.close();

    const unsigned = await openPage(chromium, `${server.url}test-signed-viewer.html?exhibit=sac-phong`);
    const missing = (await viewerEvent(unsigned.page, "error")).problems.join("\n");
    assert.match(missing, /sac-phong\/exhibit\.toml: .*no integrity\.sig, and signatures are required here: sign it with `disan sign`/);
    await unsigned.page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(viewer, { force: true });
  }
});

test("with trusted keys, a signed video's rendition is checked before the browser plays it; one changed after signing is not played, and the page is told", async () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const key = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("base64");
  const folder = join(dist, "test-signed-video");
  const viewer = join(dist, "test-signed-video-viewer.html");
  rmSync(folder, { recursive: true, force: true });
  for (const id of ["intact", "changed"]) {
    copyServed(join(dist, "exhibits/choi-trau-do-son"), join(folder, id));
    signPackage(join(folder, id), privateKey, key);
  }
  // Every rendition of the second copy changed after signing, one byte each.
  const renditions = join(folder, "changed/videos/festival");
  for (const f of readdirSync(renditions).filter((f) => /\.(webm|mp4)$/.test(f))) {
    const bytes = readFileSync(join(renditions, f));
    bytes[Math.floor(bytes.length / 2)] ^= 0x55;
    writeFileSync(join(renditions, f), bytes);
  }
  const page = readFileSync(join(dist, "viewer.html"), "utf8");
  writeFileSync(viewer, page.replace('<meta name="disan-trusted-keys" content="">', `<meta name="disan-trusted-keys" content="${key}">`));
  const open = (id) => openPage(chromium, `${server.url}test-signed-video-viewer.html?exhibit=${encodeURIComponent(`/test-signed-video/${id}/`)}&lang=vi`);
  try {
    // Intact: checked, then played from the page's own copy of the bytes.
    const intact = await open("intact");
    await viewerEvent(intact.page, "first-frame");
    await intact.page.evaluate(() => window.disan.command({ type: "play-video", video: "festival" }));
    const { state } = await viewerEvent(intact.page, "state", "e.state.videos?.[0]?.shown && e.state.videos[0].second >= 1", 60000);
    assert.equal(state.videos[0].failed, false);
    // The rendition came through the engine's checking fetch, not the element's own requests.
    const fetched = await intact.page.evaluate(() => performance.getEntriesByType("resource")
      .filter((e) => /videos\/festival\/[^/]+\.(webm|mp4)$/.test(e.name)).map((e) => e.initiatorType));
    assert.ok(fetched.length >= 1 && fetched.every((t) => t === "fetch"), `rendition requests: ${fetched}`);
    assert.deepEqual(intact.problems, []);
    await intact.page.close();

    // Changed after signing: the exhibit opens, the video is not played, a warning names it.
    const changed = await open("changed");
    const warning = await viewerEvent(changed.page, "warning", "e.file === 'videos/festival/video.json'");
    assert.match(warning.reason, /videos\/festival\/\d+\.(webm|mp4): its SHA-256 is not the one the package lists.*the video is not played/);
    await viewerEvent(changed.page, "first-frame");
    await changed.page.evaluate(() => window.disan.command({ type: "play-video", video: "festival" }));
    const refused = await viewerEvent(changed.page, "state", "e.state.videos?.[0]?.failed");
    assert.equal(refused.state.videos[0].shown, false, "nothing of the changed file is shown");
    assert.deepEqual(changed.problems.filter((p) => !/\.(webm|mp4)/.test(p)), []);
    await changed.page.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(viewer, { force: true });
  }
});

test("a lesson link opens its step, and a teacher's page moves the class through the steps: a hotspot, a tour stop", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?lesson=trong-dong-dong-son&step=mat-trong&lang=en`);
  const ready = await viewerEvent(page, "ready");
  assert.equal(ready.exhibit.id, "trong-dong", "the step's exhibit opens first");
  const lessonState = (test) => viewerEvent(page, "state", `e.state.phase === "exhibit" && e.state.lesson && ${test}`);
  let { state } = await lessonState(`e.state.lesson.step === "mat-trong"`);
  assert.deepEqual(
    { id: state.lesson.id, number: state.lesson.number, steps: state.lesson.steps, answered: state.lesson.answered },
    { id: "trong-dong-dong-son", number: 2, steps: 4, answered: 0 },
  );
  // The teacher's page (here, the page itself) moves to the handles' step: their panel opens.
  await page.evaluate(() => window.disan.command({ type: "lesson-step", step: "quai-trong" }));
  ({ state } = await lessonState(`e.state.lesson.step === "quai-trong" && e.state.hotspot === "handle"`));
  assert.equal(state.lesson.number, 3);
  // The last step is a stop of the drum's tour: the tour plays from stop 4.
  await page.evaluate(() => window.disan.command({ type: "lesson-step", step: "viet-khe" }));
  ({ state } = await lessonState(`e.state.lesson.step === "viet-khe" && e.state.tour === "main" && e.state.stop === 4`));
  assert.equal(state.hotspot, null, "the previous step's panel is closed");
  assert.deepEqual(problems, []);
  await page.close();

  const missing = await openPage(chromium, `${server.url}viewer.html?lesson=no-such-lesson`);
  await missing.page.locator("#message").waitFor({ state: "visible", timeout: 30000 });
  assert.match(await missing.page.locator("#message").textContent(), /no lesson “no-such-lesson”/);
  await missing.page.close();
});

test("a lesson's results are saved as a sheet to keep: the page hands it to the browser's downloads", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?lesson=trong-dong-dong-son&lang=en`);
  await viewerEvent(page, "state", `e.state.phase === "exhibit" && e.state.lesson && e.state.lesson.step === "bon-phan"`);
  // The first question answered right (its three right answers), then the results card.
  await page.evaluate(() => window.disan.command({ type: "lesson-answer", question: "cac-phan", response: ["1", "2", "3"] }));
  await viewerEvent(page, "lesson-answer", `e.question === "cac-phan" && e.success`);
  await page.evaluate(() => window.disan.command({ type: "lesson-results" }));
  const complete = await viewerEvent(page, "lesson-complete");
  const downloaded = page.waitForEvent("download", { timeout: 60000 });
  await page.evaluate(() => window.disan.command({ type: "lesson-save-results" }));
  const download = await downloaded;
  assert.match(download.suggestedFilename(), /^trong-dong-dong-son-ket-qua-\d{8}-\d{6}\.txt$/);
  const sheet = readFileSync(await download.path(), "utf8");
  const lines = sheet.split("\n");
  assert.equal(lines[0], "Kết quả bài học · Lesson results");
  assert.match(lines[1], /Trống đồng/);
  assert.match(sheet, /Hoàn thành lúc · Finished: \d{4}-\d{2}-\d{2} \d{2}:\d{2} \([+-]\d{2}:\d{2}\)/);
  assert.ok(sheet.includes(`Đúng 1/${complete.questions} câu · 1 of ${complete.questions} right`), sheet);
  assert.match(sheet, /1\. \[Đúng · Right\] /);
  assert.equal((sheet.match(/\[Chưa trả lời · Not answered\]/g) || []).length, complete.questions - 1);
  const told = await viewerEvent(page, "lesson-results-file");
  assert.equal(told.text, sheet, "the sheet downloaded is the one the engine wrote");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a teacher's page lists the lesson with its notes, opens the class screen and moves it; the class's answers come back", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}teacher.html?lesson=trong-dong-dong-son&lang=en`, { width: 1280, height: 720 });
  // The outline comes from the preview, a viewer in lesson mode.
  await page.locator("li.step").nth(3).waitFor({ timeout: 180000 });
  assert.equal(await page.locator("li.step").count(), 4);
  assert.match(await page.locator("h1").textContent(), /Đông Sơn bronze drum/);
  assert.match(await page.locator("#lesson-notes").textContent(), /illustrative stand-in/, "the teacher's notes are shown");

  const [projector] = await Promise.all([page.waitForEvent("popup"), page.click("#projector")]);
  // The window opens blank and is then sent to the viewer.
  await projector.waitForURL(/viewer\.html\?lesson=trong-dong-dong-son/, { timeout: 60000 });
  const projectorProblems = [];
  projector.on("pageerror", (e) => projectorProblems.push(`uncaught: ${e.message}`));
  const lessonState = (test) => viewerEvent(projector, "state", `e.state.phase === "exhibit" && e.state.lesson && ${test}`);
  await lessonState(`e.state.lesson.step === "bon-phan"`);
  await page.locator('#status').filter({ hasText: "step 1 of 4" }).waitFor({ timeout: 60000 });

  // "Show this step" on the third step: the class screen opens the handles' panel.
  await page.locator('li.step[data-step="quai-trong"] button.show').click();
  const { state } = await lessonState(`e.state.lesson.step === "quai-trong" && e.state.hotspot === "handle"`);
  assert.equal(state.lesson.number, 3);
  await page.locator('li.step[data-step="quai-trong"][aria-current="step"]').waitFor({ timeout: 30000 });

  // A class's answer (here given through the projector's JS API) reaches the teacher's page.
  const question = await projector.evaluate(() => window.disan.events.find((e) => e.type === "lesson-start").outline[2]);
  assert.ok(question.questions > 0, "the handles' step has a question");
  await projector.evaluate(() => window.disan.command({ type: "lesson-answer", question: "hat-thoc", response: ["1"] }));
  const answer = await viewerEvent(projector, "lesson-answer");
  assert.equal(answer.question, "hat-thoc");
  assert.deepEqual(answer.response, ["1"]);
  assert.equal(answer.success, true, "the first answer is the right one");
  assert.deepEqual(answer.correct, ["1"]);
  await page.locator('#status').filter({ hasText: /answered 1 of \d+ questions, 1 right/ }).waitFor({ timeout: 30000 });

  // The results button ends the lesson on the class screen.
  await page.click("#results");
  const done = await viewerEvent(projector, "lesson-complete");
  assert.equal(done.answered, 1);
  await page.locator('#status').filter({ hasText: "The class has finished" }).waitFor({ timeout: 30000 });
  assert.deepEqual([...problems, ...projectorProblems], []);
  await projector.close();
  await page.close();
});

test("the catalogue screen opens 2 000 entries from the index alone, finds a relic typed without diacritics or in Telex, and maps them", async () => {
  const indexPath = join(dist, "exhibits/catalog.json");
  const original = readFileSync(indexPath, "utf8");
  const index = JSON.parse(original);
  assert.ok(index.entries.some((e) => e.id === "dinh-hang-kenh" && e.poster), "the published index names the posters");
  const template = index.entries.find((e) => e.id === "dinh-hang-kenh");
  for (let i = index.entries.length; i < 2000; i++) {
    const { poster, ...rest } = template;
    index.entries.push({
      ...rest, id: `relic-${i}`, path: `relic-${i}`,
      title: { vi: `Đình làng số ${i}`, en: `Village hall ${i}` },
      wgs84: [20.75 + (i % 40) * 0.004, 106.55 + Math.floor(i / 40) * 0.004],
    });
  }
  writeFileSync(indexPath, JSON.stringify(index));
  for (const packed of [".gz", ".br"]) rmSync(indexPath + packed, { force: true });
  try {
    const { page, problems } = await openPage(chromium, `${server.url}viewer.html?catalogue&exhibit=dinh-hang-kenh`, { width: 1280, height: 720 });
    // The engine logs how long the index took to reach the screen from the moment it started
    // reading it (engine/engine/src/catalogue.rs): for the issue notes, not asserted.
    page.on("console", (m) => {
      const ms = /catalogue-on-screen-ms=(\d+)/.exec(m.text());
      if (ms) console.log(`measure: the engine put the 2000-entry catalogue on screen ${ms[1]} ms after it began reading the index`);
    });
    const requested = [];
    page.on("request", (r) => requested.push(r.url()));
    let { state } = await viewerEvent(page, "state", "e.state.catalogue && e.state.catalogue.entries === 2000");
    // A measurement for the issue notes (not asserted: timing belongs in benchmarks): from the
    // page's start, and from the engine's start, to the 2 000 entries on screen.
    const onScreen = await page.evaluate(() => performance.now());
    console.log(`measure: catalogue of 2000 entries on screen ${Math.round(onScreen)} ms after the page started`);
    assert.equal(state.catalogue.shown, 2000);
    assert.equal(state.catalogue.view, "gallery");
    const search = async (text) => {
      await page.evaluate((search) => window.disan.command({ type: "open-catalogue", search }), text);
      return (await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.search === ${JSON.stringify(text)}`)).state.catalogue;
    };
    assert.equal((await search("dinh hang kenh")).shown, 1, "typed without diacritics");
    // The catalogue is on screen, not behind the start exhibit's poster and loading bar.
    assert.ok(await page.locator("#poster").isHidden() && await page.locator("#loading").isHidden(), "the poster and the bar leave the catalogue visible");
    assert.equal((await search("ddinhf hangf keenh")).shown, 1, "typed in Telex with the input method off");
    // Words are matched from their start: "29" finds 29 and 290–299 (there is no 2900 among 2 000).
    assert.equal((await search("dinh lang so 29")).shown, 11, "29 and 290–299");
    await page.waitForTimeout(1000);
    writeFileSync("/tmp/disan-catalogue-web-gallery.png", await page.locator("#disan-canvas").screenshot());

    // On a phone the page's own text field lies over the engine's search box (a phone opens its
    // keyboard only for a real field): touched, typed into, and the engine searches.
    await search("");
    let since = await eventCount(page);
    await page.setViewportSize({ width: 390, height: 844 });
    ({ state } = await viewerEvent(page, "state", "e.state.catalogue && e.state.catalogue.search_box && e.state.catalogue.search_box[2] < 390", undefined, since));
    const field = page.locator("#catalogue-search");
    await field.waitFor({ state: "attached" });
    const [left, top, width, height] = state.catalogue.search_box;
    const placed = await field.boundingBox();
    assert.ok(Math.abs(placed.x - left) < 2 && Math.abs(placed.y - top) < 2 && Math.abs(placed.width - width) < 2 && Math.abs(placed.height - height) < 2,
      `the field ${JSON.stringify(placed)} lies over the box ${JSON.stringify(state.catalogue.search_box)}`);
    assert.ok(height >= 44 && left >= 0 && left + width <= 390, "a touch target inside the phone's width");
    await page.mouse.click(left + width / 2, top + height / 2);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "catalogue-search", "touching the box focuses the field");
    await page.keyboard.type("ddinhf lang so 29");
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.search === "ddinhf lang so 29"`));
    assert.equal(state.catalogue.shown, 11, "typed into the page's field, searched by the engine (once, not twice)");
    since = await eventCount(page);
    await page.keyboard.press("Escape");
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.search === ""`, undefined, since));
    assert.equal(state.catalogue.shown, 2000, "Esc empties the search");
    await page.setViewportSize({ width: 1280, height: 720 });

    // The map: every generated place plotted (no tiles configured: a plain plot).
    await page.evaluate(() => window.disan.command({ type: "open-catalogue", view: "map", search: "" }));
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.view === "map" && e.state.catalogue.search === ""`));
    assert.equal(state.catalogue.shown, 2000);
    await page.waitForTimeout(1500);
    writeFileSync("/tmp/disan-catalogue-web-map.png", await page.locator("#disan-canvas").screenshot());

    // The visitor moves the map: the wheel zooms in around the cursor, a drag pans with it.
    // (Sound first: the first press in the view turns it on, and starting the exhibit's sound
    // holds that frame for a second on this CPU, which would take the press and the release
    // in one frame.)
    await page.click("#sound");
    await page.waitForTimeout(2000);
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.map && e.state.catalogue.view === "map"`));
    const fitted = state.catalogue.map;
    assert.equal(fitted.moved, false);
    since = await eventCount(page);
    await page.mouse.move(640, 420);
    await page.mouse.wheel(0, -100);
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.map && e.state.catalogue.map.moved`, undefined, since));
    assert.equal(state.catalogue.map.zoom, fitted.zoom + 1, "one notch of the wheel, one zoom level closer");
    const zoomed = state.catalogue.map;
    since = await eventCount(page);
    // A finger's pace: the engine on SwiftShader draws a frame in a few hundred milliseconds,
    // and a press and release within one frame is a touch, not a drag.
    await page.mouse.move(640, 420);
    await page.mouse.down();
    await page.waitForTimeout(600);
    for (let x = 660; x <= 840; x += 20) {
      await page.mouse.move(x, 420);
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(600);
    await page.mouse.up();
    ({ state } = await viewerEvent(page, "state", `e.state.catalogue && e.state.catalogue.map && e.state.catalogue.map.centre[1] !== ${zoomed.centre[1]}`, 60000, since));
    const dragged = state.catalogue.map;
    assert.equal(dragged.zoom, zoomed.zoom);
    assert.ok(dragged.centre[1] < zoomed.centre[1], "dragged to the right, the map shows what lies west");
    assert.ok(Math.abs(dragged.centre[0] - zoomed.centre[0]) < 1e-3, "a level drag keeps the latitude");
    writeFileSync("/tmp/disan-catalogue-web-map-moved.png", await page.locator("#disan-canvas").screenshot());

    // Opening an exhibit from the catalogue fetches its manifest then; no other manifest was.
    await page.evaluate(() => window.disan.command({ type: "close-catalogue" }));
    await page.evaluate(() => window.disan.command({ type: "load", exhibit: "trong-dong" }));
    await viewerEvent(page, "ready", `e.exhibit.id === "trong-dong"`);
    // The start exhibit's manifest may be fetched after the listener began (the engine starts
    // once its wasm has compiled); besides it, only the exhibit opened.
    const manifests = requested.filter((u) => u.endsWith("/exhibit.toml")).map((u) => u.split("/").at(-2));
    assert.deepEqual(manifests.filter((id) => id !== "dinh-hang-kenh"), ["trong-dong"], "only the exhibits shown had their manifests fetched");
    assert.ok(!requested.some((u) => u.includes("relic-")), "nothing of the entries not opened was fetched");
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    writeFileSync(indexPath, original);
  }
});

test("a lesson launched by an LMS (cmi5) sends its learning records to the LRS, and keeps them through a reload while the LRS is away", async () => {
  const lrs = await startLrs();
  try {
    const launch = lrs.addLaunch({ activityId: "https://lms.example.vn/au/trong-dong-dong-son" });
    const url = launch.url(`${server.url}viewer.html?lesson=trong-dong-dong-son&step=quai-trong&lang=en`);
    const verbs = () => lrs.statements.map((st) => st.verb.id.split("/").pop());
    const until = async (test, what) => {
      for (let i = 0; i < 240 && !test(); i++) await new Promise((r) => setTimeout(r, 250));
      assert.ok(test(), `${what}; the LRS has: ${verbs().join(", ")} (${lrs.received.filter((r) => r.status >= 400).map((r) => r.reason).join("; ")})`);
    };
    let { page, problems } = await openPage(chromium, url);
    const failedRequests = [];
    page.on("requestfailed", (r) => failedRequests.push(r.url()));
    await viewerEvent(page, "state", `e.state.phase === "exhibit" && e.state.lesson && e.state.lesson.step === "quai-trong"`);
    await until(() => verbs().includes("experienced"), "initialized and the step reach the LRS");
    assert.deepEqual(verbs().slice(0, 2), ["initialized", "experienced"]);
    assert.equal(launch.fetchCalls, 1, "the one-time fetch URL was used once");

    // The class answers the handles' question: right.
    await page.evaluate(() => window.disan.command({ type: "lesson-answer", question: "hat-thoc", response: ["1"] }));
    await until(() => verbs().includes("answered"), "the answer reaches the LRS");
    const answered = lrs.statements.find((st) => st.verb.id.endsWith("/answered"));
    assert.equal(answered.result.success, true);
    assert.equal(answered.result.response, "1");
    assert.equal(answered.object.definition.interactionType, "choice");
    assert.deepEqual(answered.object.definition.correctResponsesPattern, ["1"]);
    assert.equal(answered.context.registration, launch.registration);
    assert.deepEqual(answered.actor, launch.actor);

    // The LRS goes away; the class moves on and the page is reloaded before it comes back.
    lrs.setOffline(true);
    const before = lrs.statements.length;
    await page.evaluate(() => window.disan.command({ type: "lesson-step", step: "viet-khe" }));
    await viewerEvent(page, "lesson-step", `e.step === "viet-khe"`);
    await page.waitForTimeout(1000);
    assert.equal(lrs.statements.length, before, "nothing arrives while the LRS is away");
    assert.ok(await page.evaluate(() => window.disan.records.pending) > 0, "the step's statement waits in the queue");
    await page.reload();
    await viewerEvent(page, "ready");
    lrs.setOffline(false);
    await until(() => lrs.statements.some((st) => st.verb.id.endsWith("/experienced") && st.object.id.endsWith("/viet-khe")), "the queued step arrives after the reload");
    const ids = lrs.statements.map((st) => st.id);
    assert.equal(new Set(ids).size, ids.length, "no statement arrives twice");
    assert.deepEqual(lrs.duplicates, []);
    // Refused: none. Allowed: 503 while away, and 404 for the learner preferences, which this
    // launch has none of (xAPI answers a GET of a document that does not exist with 404).
    const allowed = (r) => r.status < 400 || r.status === 503 || (r.status === 404 && r.method === "GET" && r.path.endsWith("/agents/profile"));
    assert.ok(lrs.received.every(allowed), `every statement was valid: ${lrs.received.filter((r) => !allowed(r)).map((r) => `${r.method} ${r.path}: ${r.status} ${r.reason}`).join("; ")}`);
    // While the LRS was away the browser said so in the console (503s, refused preflights), and
    // it logs the 404 above: expected. The console's "Failed to load resource" names no address,
    // so every failed or refused request is checked by its address instead.
    const lrsHost = new URL(lrs.endpoint).host;
    assert.deepEqual(failedRequests.filter((u) => new URL(u).host !== lrsHost), [], "only requests to the LRS failed");
    assert.deepEqual(problems.filter((p) => !p.includes("503") && !p.includes(lrsHost) && !p.startsWith("console.error: Failed to load resource")), []);
    await page.close();
  } finally {
    await lrs.stop();
  }
});

test("a kiosk page counts down and resets after the idle time, then plays its attract loop until a touch", async () => {
  const { page, problems } = await openPage(chromium, `${server.url}viewer.html?exhibit=trong-dong&kiosk&idle=12&attract=18`);
  await viewerEvent(page, "first-frame");
  // The idle clock started with the first picture: no countdown over the loading poster.
  assert.deepEqual(await page.evaluate(() => window.disan.events.filter((e) => e.type === "kiosk")), [], "nothing counted down while the exhibit loaded");
  // A visitor presses a key, opens a point and switches to English. (Only what follows the
  // touch counts.)
  await page.keyboard.press("Shift");
  const touched = await eventCount(page);
  await page.evaluate(() => {
    window.disan.command({ type: "open-hotspot", hotspot: "handle" });
    window.disan.command({ type: "set-language", lang: "en" });
  });
  await viewerEvent(page, "state", `e.state.hotspot === "handle" && e.state.lang === "en"`);
  // Then walks away: the countdown shows, and the visit is reset.
  await viewerEvent(page, "kiosk", `e.phase === "countdown"`, 30000, touched);
  assert.ok(await page.locator("#kiosk-countdown").isVisible(), "the countdown is on screen");
  assert.match(await page.locator("#kiosk-countdown").textContent(), /Back to the start in \d+ s/);
  await viewerEvent(page, "kiosk", `e.phase === "reset"`, 30000, touched);
  await page.waitForFunction(() => window.disan.state.hotspot === null && window.disan.state.lang === "vi", null, { timeout: 30000 });
  assert.ok(await page.locator("#kiosk-countdown").isHidden());
  // The attract loop: the exhibit's tour plays by itself.
  await viewerEvent(page, "kiosk", `e.phase === "attract"`, 30000, touched);
  await page.waitForFunction(() => window.disan.state.tour === "main" && window.disan.state.playing, null, { timeout: 30000 });
  // A touch wakes it: the tour stops and the visitor has the exhibit.
  await page.keyboard.press("Shift");
  await viewerEvent(page, "kiosk", `e.phase === "visit"`, 10000, touched);
  await page.waitForFunction(() => window.disan.state.tour === null, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.disan.kiosk.resets), 1, "one reset, after the visitor walked away");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a page whose site turns usage counters on sends its visit, which `disan usage-collect` keeps and `disan report` sums", async () => {
  // The real collector: the native binary the Rust tests built (`cargo xtask test` names it).
  const binary = process.env.DISAN_BINARY || join(process.env.CARGO_TARGET_DIR || join(homedir(), ".cache/disan/target"), "debug/disan");
  assert.ok(existsSync(binary), `${binary}: build it with cargo build -p disan`);
  const dir = mkdtempSync(join(tmpdir(), "disan-usage-"));
  const log = join(dir, "web-usage.jsonl");
  const collector = spawn(binary, ["usage-collect", "--out", log, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  const page_ = join(dist, "viewer-usage.html");
  try {
    const endpoint = await new Promise((resolve, reject) => {
      collector.stdout.on("data", (d) => {
        const found = /listening on (http:\/\/\S+\/usage)/.exec(String(d));
        if (found) resolve(found[1]);
      });
      collector.on("exit", (code) => reject(new Error(`usage-collect exited with ${code}`)));
    });
    // This site's page with the counters on (the published viewer.html has them off).
    const html = readFileSync(join(dist, "viewer.html"), "utf8");
    assert.ok(html.includes('<meta name="disan-usage" content="">'));
    writeFileSync(page_, html.replace('<meta name="disan-usage" content="">', `<meta name="disan-usage" content="${endpoint}">`));
    const { page, problems } = await openPage(chromium, `${server.url}viewer-usage.html?exhibit=trong-dong`);
    await viewerEvent(page, "ready", `e.exhibit.id === "trong-dong"`);
    // The visitor opens a point, starts the tour and leaves it, reads in English, opens the hall.
    await page.evaluate(() => window.disan.command({ type: "open-hotspot", hotspot: "handle" }));
    await viewerEvent(page, "hotspot-open", `e.hotspot === "handle"`);
    await page.evaluate(() => window.disan.command({ type: "start-tour" }));
    await viewerEvent(page, "tour-step");
    await page.evaluate(() => window.disan.command({ type: "stop-tour" }));
    await viewerEvent(page, "tour-end");
    await page.evaluate(() => window.disan.command({ type: "set-language", lang: "en" }));
    await viewerEvent(page, "state", `e.state.lang === "en"`);
    await page.evaluate(() => window.disan.command({ type: "load", exhibit: "dinh-hang-kenh" }));
    await viewerEvent(page, "ready", `e.exhibit.id === "dinh-hang-kenh"`);
    assert.deepEqual(problems, []);
    // The visitor leaves the page: the visit ends and goes to the collector.
    await page.goto("about:blank");
    let records = [];
    for (let i = 0; i < 80 && !records.some((r) => r.event === "session-end"); i++) {
      await new Promise((r) => setTimeout(r, 250));
      if (existsSync(log)) records = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    }
    assert.deepEqual(records.map((r) => r.event), [
      "session-start", "view", "hotspot", "tour-start", "language", "view-end", "view", "view-end", "session-end",
    ]);
    assert.ok(records.every((r) => r.kiosk === "web"));
    // The yearly report counts the web visit as it counts a kiosk's.
    const today = records[0].at.slice(0, 10);
    const report = JSON.parse(execFileSync(binary, ["report", log, "--from", today, "--to", today, "--format", "json"], { encoding: "utf8" }));
    assert.equal(report.total.sessions, 1);
    assert.equal(report.total.exhibits["trong-dong"].views, 1);
    assert.equal(report.total.exhibits["trong-dong"].hotspots_opened, 1);
    assert.equal(report.total.exhibits["trong-dong"].tours_started, 1);
    assert.equal(report.total.exhibits["dinh-hang-kenh"].languages.en, 1);
    assert.deepEqual(Object.keys(report.total.languages).sort(), ["en", "vi"]);
  } finally {
    collector.kill();
    rmSync(page_, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
