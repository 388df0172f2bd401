// The browser viewer in Debian's Chromium (WebGL2 through SwiftShader), driven by playwright-core.
// Run by `cargo xtask test` after `cargo xtask web`; alone: `cd web && npm test` (needs web/dist).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { site, browser, openPage, viewerEvent, postedEvent, compareImages, reference, readReference } from "./browser.mjs";

let server;
let chromium;
before(async () => {
  server = await site();
  chromium = await browser();
});
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

test("with a hardware WebGPU adapter the viewer draws the exhibit with its WebGPU build; a software adapter and ?renderer= choose as documented", async () => {
  const gpuBrowser = await browser({ webgpu: true });
  try {
    const { page, problems } = await openPage(gpuBrowser, `${server.url}viewer.html?exhibit=trong-dong&lang=vi`, { init: hardwareAdapter });
    // WebGPU exists only in secure contexts: the served page (localhost) is one.
    assert.ok(await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter())), "this browser offers no WebGPU adapter");
    assert.deepEqual(await engineOf(page), { wasm: ["/pkg/webgpu/disan_bg.wasm"], renderer: "webgpu" }, "the page downloads the WebGPU engine only");
    await viewerEvent(page, "first-frame");
    await page.waitForTimeout(1500);
    // The same picture as the WebGL2 build's reference, by the same tolerance.
    const shot = await page.locator("#disan-canvas").screenshot();
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
