// A first look at the exhibit while the engine downloads (docs/embedding.md, "Loading"): the
// exhibit's thumb models (tens of kilobytes each, as `disan pack` writes them: meshopt-compressed,
// quantized, a small JPEG) drawn with WebGL2 from the same home view the engine will take, and
// turnable with a finger or the mouse, until the engine draws its first complete frame. On a
// school's slow link the engine's own download (megabytes) is most of the wait; this is a few
// hundred milliseconds of it.
//
// It draws only when something changed (the first picture, a drag), so it takes no time from
// the engine's compilation on a machine without a GPU. Anything it cannot read or draw, it
// leaves: the poster stays and the engine comes as before.

// The meshopt decoder (npm `meshoptimizer`, published beside this file by `cargo xtask web`),
// loaded when a first look is drawn.
let MeshoptDecoder = null;

const FOV_Y = (45 * Math.PI) / 180; // the engine's (engine/engine/src/camera.rs)

/**
 * The first look's models from a package's manifest (`exhibit.toml`), for a package opened by its
 * address (the bundled ones come with `exhibits/index.json`): each `[[models]]` with its thumb
 * level and declared box, as `disan pack` writes them. Reads only plain `key = value` lines of
 * those tables; anything it does not follow (or a model without a thumb or a box) gives `null`,
 * and the page shows the poster instead.
 */
export function thumbsFromManifest(text) {
  const models = [];
  let table = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1];
      if (table === "models" && line.startsWith("[[")) models.push({ lods: [], position: [0, 0, 0], rotation_deg: [0, 0, 0], scale: 1 });
      else if (table === "models.lods" && line.startsWith("[[")) models.at(-1)?.lods.push({});
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!pair || !(table === "models" || table === "models.lods") || !models.length) continue;
    let value;
    try {
      value = JSON.parse(pair[2]);
    } catch {
      continue; // an inline table or another form this reader leaves to the engine
    }
    const into = table === "models" ? models.at(-1) : models.at(-1).lods.at(-1);
    if (into) into[pair[1]] = value;
  }
  const looks = [];
  for (const m of models) {
    const thumb = m.lods.find((l) => l.quality === "thumb");
    const box = [m.bounds_min, m.bounds_max];
    const vector = (v) => Array.isArray(v) && v.length === 3 && v.every(Number.isFinite);
    if (typeof thumb?.src !== "string" || !box.every(vector) || ![m.position, m.rotation_deg].every(vector) || !Number.isFinite(m.scale)) return null;
    looks.push({ src: thumb.src, position: m.position, rotation_deg: m.rotation_deg, scale: m.scale, bounds: box });
  }
  return looks.length ? looks : null;
}

/** Reads a GLB's JSON and binary chunks. */
export function readGlb(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67) throw new Error("not a GLB file");
  let offset = 12;
  let json = null;
  let bin = null;
  while (offset + 8 <= buffer.byteLength) {
    const length = view.getUint32(offset, true);
    const type = view.getUint32(offset + 4, true);
    const start = offset + 8;
    if (start + length > buffer.byteLength) throw new Error("a GLB chunk runs past the end of the file");
    if (type === 0x4e4f534a) json = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, start, length)));
    else if (type === 0x004e4942) bin = new Uint8Array(buffer, start, length);
    offset = start + length;
  }
  if (!json) throw new Error("a GLB without its JSON chunk");
  return { json, bin };
}

/** The bytes of a buffer view, decoded when it is meshopt-compressed (EXT_meshopt_compression). */
function viewBytes(gltf, bin, index) {
  const bv = gltf.bufferViews[index];
  const meshopt = bv.extensions?.EXT_meshopt_compression;
  if (meshopt) {
    if (meshopt.buffer !== 0) throw new Error("compressed data outside the GLB");
    const source = bin.subarray(meshopt.byteOffset || 0, (meshopt.byteOffset || 0) + meshopt.byteLength);
    const target = new Uint8Array(meshopt.count * meshopt.byteStride);
    MeshoptDecoder.decodeGltfBuffer(target, meshopt.count, meshopt.byteStride, source, meshopt.mode, meshopt.filter);
    return target;
  }
  if (bv.buffer !== 0 || !bin) throw new Error("data outside the GLB");
  return bin.subarray(bv.byteOffset || 0, (bv.byteOffset || 0) + bv.byteLength);
}

// ---- Small matrix helpers (column-major, as WebGL takes them).
const identity = () => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
function multiply(a, b) {
  const out = new Array(16).fill(0);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) out[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
  return out;
}
function fromTrs(t = [0, 0, 0], q = [0, 0, 0, 1], s = [1, 1, 1]) {
  const [x, y, z, w] = q;
  return [
    (1 - 2 * (y * y + z * z)) * s[0], 2 * (x * y + z * w) * s[0], 2 * (x * z - y * w) * s[0], 0,
    2 * (x * y - z * w) * s[1], (1 - 2 * (x * x + z * z)) * s[1], 2 * (y * z + x * w) * s[1], 0,
    2 * (x * z + y * w) * s[2], 2 * (y * z - x * w) * s[2], (1 - 2 * (x * x + y * y)) * s[2], 0,
    t[0], t[1], t[2], 1,
  ];
}
/** Yaw (Y), then pitch (X), then roll (Z), in degrees: the manifest's `rotation_deg`. */
function eulerYxz([rx, ry, rz]) {
  const rad = (d) => (d * Math.PI) / 180;
  const quat = (axis, angle) => {
    const s = Math.sin(angle / 2);
    return [axis[0] * s, axis[1] * s, axis[2] * s, Math.cos(angle / 2)];
  };
  const mul = (a, b) => [
    a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
    a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
    a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
    a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
  ];
  return mul(mul(quat([0, 1, 0], rad(ry)), quat([1, 0, 0], rad(rx))), quat([0, 0, 1], rad(rz)));
}
const apply = (m, [x, y, z]) => [m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]];
const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const normalize = (a) => {
  const l = Math.hypot(...a) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** The box's corners. */
function corners(min, max) {
  const out = [];
  for (let i = 0; i < 8; i++) out.push([i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]]);
  return out;
}

/**
 * Where the engine's camera starts (engine/engine/src/framing.rs, `home_view`): in front, a
 * little to the side and above, as close as every corner of the box allows. Returns the
 * direction from the target to the eye, the target and the distance.
 */
export function homeView(min, max, aspect) {
  const target = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  const back = normalize([0.45, 0.42, 1.0]);
  const forward = back.map((v) => -v);
  const right = normalize(cross(forward, [0, 1, 0]));
  const up = cross(right, forward);
  const tanV = Math.tan(FOV_Y / 2) * 0.9;
  const tanH = tanV * aspect;
  let distance = 0;
  for (const corner of corners(min, max)) {
    const rel = sub(corner, target);
    const depth = dot(rel, forward);
    distance = Math.max(distance, Math.abs(dot(rel, right)) / tanH - depth, Math.abs(dot(rel, up)) / tanV - depth);
  }
  const radius = Math.hypot(...sub(max, min)) / 2;
  return { target, yaw: Math.atan2(back[0], back[2]), pitch: Math.asin(back[1]), distance: Math.max(distance, radius * 0.5) };
}

const VERTEX = `#version 300 es
layout(location = 0) in vec3 position;
layout(location = 1) in vec3 normal;
layout(location = 2) in vec2 uv;
layout(location = 3) in vec4 colour;
uniform mat4 model, viewProjection;
out vec3 vNormal; out vec2 vUv; out vec4 vColour;
void main() {
  vNormal = mat3(model) * normal;
  vUv = uv; vColour = colour;
  gl_Position = viewProjection * model * vec4(position, 1.0);
}`;
const FRAGMENT = `#version 300 es
precision mediump float;
in vec3 vNormal; in vec2 vUv; in vec4 vColour;
uniform sampler2D baseColour; uniform vec4 factor; uniform bool hasNormal;
out vec4 colour;
void main() {
  vec4 base = texture(baseColour, vUv) * factor * vColour;
  float light = 1.0;
  if (hasNormal) {
    vec3 n = normalize(vNormal);
    light = 0.35 + 0.55 * max(dot(n, normalize(vec3(0.4, 0.9, 0.6))), 0.0) + 0.2 * max(dot(n, normalize(vec3(-0.6, 0.3, -0.5))), 0.0);
  }
  colour = vec4(pow(base.rgb * light, vec3(1.0 / 2.2)), 1.0);
}`;

const COMPONENTS = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };
const BYTES = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };

/** Draws the exhibit's thumb models on `canvas`. Resolves once the first picture is drawn. */
export async function startPreview(canvas, models, { signal } = {}) {
  const gl = canvas.getContext("webgl2", { antialias: true, alpha: false, powerPreference: "low-power" });
  if (!gl) throw new Error("no WebGL2");
  const program = link(gl);
  MeshoptDecoder ??= (await import("./meshopt_decoder.mjs")).MeshoptDecoder;
  await MeshoptDecoder.ready;
  const draws = [];
  let min = [Infinity, Infinity, Infinity];
  let max = [-Infinity, -Infinity, -Infinity];
  for (const m of models) {
    const response = await fetch(m.url, { signal });
    if (!response.ok) throw new Error(`${m.url}: HTTP ${response.status}`);
    const { json, bin } = readGlb(await response.arrayBuffer());
    const placed = fromTrs(m.position, eulerYxz(m.rotation_deg || [0, 0, 0]), [m.scale ?? 1, m.scale ?? 1, m.scale ?? 1]);
    draws.push(...(await upload(gl, json, bin, placed)));
    // The engine frames from the box the manifest declares (the same for every level).
    for (const c of corners(m.bounds[0], m.bounds[1])) {
      const p = apply(placed, c);
      min = min.map((v, i) => Math.min(v, p[i]));
      max = max.map((v, i) => Math.max(v, p[i]));
    }
  }
  if (!draws.length) throw new Error("nothing to draw");

  let view = null;
  let dirty = true;
  let stopped = false;
  const draw = () => {
    dirty = false;
    if (stopped) return;
    const width = Math.max(1, Math.round(canvas.clientWidth * devicePixelRatio));
    const height = Math.max(1, Math.round(canvas.clientHeight * devicePixelRatio));
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    view ??= homeView(min, max, width / height);
    const { target, yaw, pitch, distance } = view;
    const eye = [target[0] + distance * Math.cos(pitch) * Math.sin(yaw), target[1] + distance * Math.sin(pitch), target[2] + distance * Math.cos(pitch) * Math.cos(yaw)];
    const radius = Math.hypot(...sub(max, min)) / 2;
    const near = Math.max(distance - radius * 2, distance * 0.01);
    const viewProjection = multiply(perspective(FOV_Y, width / height, near, distance + radius * 4), lookAt(eye, target));
    gl.viewport(0, 0, width, height);
    gl.clearColor(0.11, 0.10, 0.09, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.useProgram(program.handle);
    gl.uniformMatrix4fv(program.viewProjection, false, viewProjection);
    for (const d of draws) {
      gl.bindVertexArray(d.vao);
      gl.uniformMatrix4fv(program.model, false, d.model);
      gl.uniform4fv(program.factor, d.factor);
      gl.uniform1i(program.hasNormal, d.hasNormal ? 1 : 0);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, d.texture);
      gl.uniform1i(program.baseColour, 0);
      if (d.indexType) gl.drawElements(gl.TRIANGLES, d.count, d.indexType, 0);
      else gl.drawArrays(gl.TRIANGLES, 0, d.count);
    }
    gl.bindVertexArray(null);
  };
  const redraw = () => {
    if (!dirty) {
      dirty = true;
      requestAnimationFrame(draw);
    }
  };

  // Turning it: a drag turns the object around its middle, the wheel brings it closer.
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag || !view) return;
    view.yaw -= (e.clientX - drag.x) * 0.008;
    view.pitch = Math.min(1.45, Math.max(-1.2, view.pitch + (e.clientY - drag.y) * 0.008));
    drag = { x: e.clientX, y: e.clientY };
    redraw();
  });
  canvas.addEventListener("pointerup", () => { drag = null; });
  canvas.addEventListener("wheel", (e) => {
    if (!view) return;
    e.preventDefault();
    view.distance *= Math.exp(e.deltaY * 0.001);
    redraw();
  }, { passive: false });
  addEventListener("resize", () => {
    view = null;
    redraw();
  });

  draw();
  // The picture is on screen once the browser has composited it.
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return {
    triangles: draws.reduce((n, d) => n + d.count / 3, 0),
    stop() {
      stopped = true;
      for (const d of draws) {
        gl.deleteVertexArray(d.vao);
        d.buffers.forEach((b) => gl.deleteBuffer(b));
        gl.deleteTexture(d.texture);
      }
      gl.getExtension("WEBGL_lose_context")?.loseContext();
    },
  };
}

function link(gl) {
  const shader = (type, source) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    return s;
  };
  const handle = gl.createProgram();
  gl.attachShader(handle, shader(gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(handle, shader(gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(handle);
  if (!gl.getProgramParameter(handle, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(handle));
  const u = (name) => gl.getUniformLocation(handle, name);
  return { handle, model: u("model"), viewProjection: u("viewProjection"), factor: u("factor"), hasNormal: u("hasNormal"), baseColour: u("baseColour") };
}

function perspective(fovY, aspect, near, far) {
  const f = 1 / Math.tan(fovY / 2);
  return [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, (2 * far * near) / (near - far), 0];
}

function lookAt(eye, target) {
  const z = normalize(sub(eye, target));
  const x = normalize(cross([0, 1, 0], z));
  const y = cross(z, x);
  return [x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, -dot(x, eye), -dot(y, eye), -dot(z, eye), 1];
}

/** The scene's meshes as vertex arrays, with their world matrices and materials. */
async function upload(gl, gltf, bin, placed) {
  const views = new Map();
  const bytesOf = (index) => {
    if (!views.has(index)) views.set(index, viewBytes(gltf, bin, index));
    return views.get(index);
  };
  const textures = new Map();
  const textureOf = async (index) => {
    if (index === undefined) return white(gl);
    if (!textures.has(index)) {
      const image = gltf.images[gltf.textures[index].source];
      if (image.bufferView === undefined) throw new Error("a texture outside the GLB");
      const bitmap = await createImageBitmap(new Blob([bytesOf(image.bufferView)], { type: image.mimeType }), { imageOrientation: "none" });
      const t = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, t);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.SRGB8_ALPHA8, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
      gl.generateMipmap(gl.TEXTURE_2D);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR);
      textures.set(index, t);
    }
    return textures.get(index);
  };
  const draws = [];
  const visit = async (nodeIndex, parent) => {
    const node = gltf.nodes[nodeIndex];
    const local = node.matrix ? node.matrix : fromTrs(node.translation, node.rotation, node.scale);
    const world = multiply(parent, local);
    if (node.mesh !== undefined) {
      for (const primitive of gltf.meshes[node.mesh].primitives) {
        if ((primitive.mode ?? 4) !== 4) continue;
        const vao = gl.createVertexArray();
        gl.bindVertexArray(vao);
        const buffers = [];
        const attribute = (name, location, fallback) => {
          const index = primitive.attributes[name];
          if (index === undefined) {
            gl.disableVertexAttribArray(location);
            gl.vertexAttrib4f(location, ...fallback);
            return null;
          }
          const a = gltf.accessors[index];
          const bv = gltf.bufferViews[a.bufferView];
          const buffer = gl.createBuffer();
          gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
          gl.bufferData(gl.ARRAY_BUFFER, bytesOf(a.bufferView), gl.STATIC_DRAW);
          gl.enableVertexAttribArray(location);
          const stride = bv.byteStride || COMPONENTS[a.type] * BYTES[a.componentType];
          gl.vertexAttribPointer(location, COMPONENTS[a.type], a.componentType, !!a.normalized, stride, a.byteOffset || 0);
          buffers.push(buffer);
          return a;
        };
        const position = attribute("POSITION", 0, [0, 0, 0, 1]);
        if (!position) continue;
        const normal = attribute("NORMAL", 1, [0, 1, 0, 0]);
        attribute("TEXCOORD_0", 2, [0, 0, 0, 0]);
        attribute("COLOR_0", 3, [1, 1, 1, 1]);
        let count = position.count;
        let indexType = 0;
        if (primitive.indices !== undefined) {
          const a = gltf.accessors[primitive.indices];
          const indices = gl.createBuffer();
          gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
          const bytes = bytesOf(a.bufferView);
          gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, bytes.subarray(a.byteOffset || 0), gl.STATIC_DRAW);
          buffers.push(indices);
          count = a.count;
          indexType = a.componentType;
        }
        const material = gltf.materials?.[primitive.material]?.pbrMetallicRoughness ?? {};
        draws.push({
          vao, buffers, count, indexType, model: multiply(placed, world), hasNormal: !!normal,
          factor: material.baseColorFactor ?? [1, 1, 1, 1],
          texture: await textureOf(material.baseColorTexture?.index),
        });
      }
    }
    for (const child of node.children ?? []) await visit(child, world);
  };
  const scene = gltf.scenes?.[gltf.scene ?? 0];
  for (const root of scene?.nodes ?? []) await visit(root, identity());
  gl.bindVertexArray(null);
  return draws;
}

let whiteTexture = null;
function white(gl) {
  if (!whiteTexture) {
    whiteTexture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, whiteTexture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array([255, 255, 255, 255]));
  }
  return whiteTexture;
}
