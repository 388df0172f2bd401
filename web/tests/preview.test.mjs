// The first look's reading of a manifest (web/shell/preview.js), without a browser: for every
// bundled exhibit it finds what `cargo xtask web` publishes in exhibits/index.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { thumbsFromManifest, homeView } from "../shell/preview.js";

const exhibits = fileURLToPath(new URL("../../exhibits/", import.meta.url));

test("each bundled manifest gives its models' thumbs, placing and declared boxes", () => {
  let seen = 0;
  for (const id of readdirSync(exhibits)) {
    const file = `${exhibits}${id}/exhibit.toml`;
    if (!existsSync(file)) continue;
    const manifest = readFileSync(file, "utf8");
    const looks = thumbsFromManifest(manifest);
    if (!/^\[\[models\]\]/m.test(manifest)) {
      // A video-only exhibit (kind "intangible"): nothing to turn, the poster stays.
      assert.equal(looks, null, `${id}: no models, no first look`);
      continue;
    }
    assert.ok(looks, `${id}: a first look`);
    for (const look of looks) {
      assert.match(look.src, /-thumb\.glb$/, `${id}: the thumb level`);
      assert.ok(existsSync(`${exhibits}${id}/${look.src}`), `${id}: ${look.src} is in the package`);
      assert.ok(look.bounds[0].every((v, i) => v < look.bounds[1][i]), `${id}: a box`);
    }
    seen++;
  }
  assert.ok(seen >= 4);
});

test("a manifest it cannot follow gives no first look rather than a wrong one", () => {
  const base = `[[models]]\nid = "main"\nsrc = "models/a.glb"\nbounds_min = [-1.0, 0.0, -1.0]\nbounds_max = [1.0, 2.0, 1.0]\n`;
  assert.equal(thumbsFromManifest(base), null, "no thumb level");
  const withThumb = `${base}\n[[models.lods]]\nquality = "thumb"\nsrc = "models/a-thumb.glb"\n`;
  assert.deepEqual(thumbsFromManifest(withThumb), [{ src: "models/a-thumb.glb", position: [0, 0, 0], rotation_deg: [0, 0, 0], scale: 1, bounds: [[-1, 0, -1], [1, 2, 1]] }]);
  assert.equal(thumbsFromManifest(withThumb.replace("bounds_max = [1.0, 2.0, 1.0]", "bounds_max = { x = 1 }")), null, "a box in a form it does not read");
  const twoModels = `${withThumb}\n[[models]]\nid = "second"\nsrc = "models/b.glb"\n`;
  assert.equal(thumbsFromManifest(twoModels), null, "one model without a thumb: no partial look");
});

test("the home view stands back far enough to see the whole box, as the engine's does", () => {
  const view = homeView([-1, 0, -1], [1, 2, 1], 16 / 9);
  assert.deepEqual(view.target, [0, 1, 0]);
  assert.ok(view.distance > Math.hypot(1, 1, 1) && view.distance < 10, `${view.distance}`);
  assert.ok(view.pitch > 0 && view.yaw > 0, "in front, to the side and above");
  assert.ok(homeView([-1, 0, -1], [1, 2, 1], 9 / 16).distance > view.distance, "portrait stands further back");
});
