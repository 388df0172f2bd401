// A static file server that answers as `cargo xtask serve` does (xtask/src/web.rs): the same MIME
// types, `FILE.gz` sent for a request that accepts gzip, one byte range (`Range: bytes=A-B`,
// answered 206 and never compressed), `Cache-Control: no-cache`, CORS open. The anchor benches
// (panorama.mjs, pointcloud.mjs) use it when no DISAN_WEB_URL is given, so their anchor half can
// be run and checked without the wasm build; the Disan half needs the real server.
//
//   node bench/static-server.mjs [FOLDER (default web/dist)] [PORT (default 0: any free one)]
import { createServer } from "node:http";
import { statSync, createReadStream, existsSync } from "node:fs";
import { join, normalize, extname } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".glb": "model/gltf-binary",
  ".gltf": "model/gltf+json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".ogg": "audio/ogg",
  ".ttf": "font/ttf",
  ".toml": "application/toml; charset=utf-8",
  ".vtt": "text/vtt; charset=utf-8",
};

/** Serves `dir` on 127.0.0.1; resolves to `{ url, close() }`. */
export function serveStatic(dir, port = 0) {
  const server = createServer((req, res) => {
    const head = (status, type, length, extra = {}) => res.writeHead(status, {
      "Content-Type": type, "Content-Length": length, "Access-Control-Allow-Origin": "*",
      "Cache-Control": "no-cache", "Vary": "Accept-Encoding", "Connection": "close", ...extra,
    });
    if (req.method !== "GET" && req.method !== "HEAD") {
      head(405, "text/plain", 0);
      return res.end();
    }
    let path;
    try {
      path = decodeURIComponent(req.url.split(/[?#]/)[0]);
    } catch {
      path = req.url;
    }
    const relative = path.replace(/^\/+/, "");
    let file = join(dir, relative || "viewer.html");
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    const inside = !relative.split("/").includes("..") && normalize(file).startsWith(normalize(dir));
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      const body = `${path} is not here`;
      head(404, "text/plain; charset=utf-8", Buffer.byteLength(body));
      return res.end(req.method === "GET" ? body : undefined);
    }
    const type = TYPES[extname(file).toLowerCase()] || "application/octet-stream";
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec((req.headers.range || "").trim().toLowerCase());
    if (range) {
      const first = Number(range[1]);
      const last = Math.min(range[2] === "" ? size - 1 : Number(range[2]), size - 1);
      if (first > last || first >= size) {
        head(416, "text/plain", 0, { "Content-Range": `bytes */${size}` });
        return res.end();
      }
      head(206, type, last - first + 1, { "Content-Range": `bytes ${first}-${last}/${size}`, "Accept-Ranges": "bytes" });
      if (req.method === "HEAD") return res.end();
      return createReadStream(file, { start: first, end: last }).pipe(res);
    }
    const gz = `${file}.gz`;
    const zipped = /gzip/.test(req.headers["accept-encoding"] || "") && existsSync(gz);
    const body = zipped ? gz : file;
    head(200, type, statSync(body).size, zipped ? { "Content-Encoding": "gzip" } : {});
    if (req.method === "HEAD") return res.end();
    createReadStream(body).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || fileURLToPath(new URL("../dist/", import.meta.url));
  const { url } = await serveStatic(dir, Number(process.argv[3] || 0));
  console.log(`serving ${dir} at ${url}`);
}
