import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { cacheControlFor } from '../../src/embed/cache-rules';

// Static server for the built app, with the headers production should send:
// - Vite's content-hashed files (/assets/*) and the model's content-named weight shards:
//   `public, max-age=31536000, immutable` (src/embed/cache-rules.ts);
// - the rest of the model (/model/*, model cards and model.json): `no-cache` plus a strong ETag,
//   so a browser revalidates cheaply (304);
// - HTML: `no-cache`;
// - .wasm as application/wasm (tfjs streams-compiles only with that type).

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface Served {
  path: string;
  status: number;
  bytes: number;
  at: number;
}

export interface StaticServer {
  origin: string;
  /** Every response, in order, with the body bytes sent. */
  log: Served[];
  close(): Promise<void>;
}

function inside(dir: string, rel: string): string | null {
  const full = normalize(join(dir, rel));
  return full === dir || full.startsWith(dir + sep) ? full : null;
}

export interface ServeOptions {
  /** The name in the origin: "localhost" makes another site than 127.0.0.1 on one machine. */
  hostname?: '127.0.0.1' | 'localhost';
  /** Bodies answered for exact paths before the files (e.g. this server's coach-config.json). */
  answers?: Record<string, string>;
}

/** Serves `root` at "/" and each of `mounts` under its URL prefix, on 127.0.0.1 (a free port). */
export async function serveStatic(root: string, mounts: Record<string, string> = {}, options: ServeOptions = {}): Promise<StaticServer> {
  const log: Served[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const answer = options.answers?.[path];
    if (answer !== undefined) {
      log.push({ path, status: 200, bytes: answer.length, at: Date.now() });
      res.writeHead(200, { 'content-type': MIME[extname(path).toLowerCase()] ?? 'text/plain', 'cache-control': 'no-cache' }).end(answer);
      return;
    }
    const mount = Object.keys(mounts).find((p) => path.startsWith(p));
    let file = mount ? inside(resolve(mounts[mount]), path.slice(mount.length)) : inside(resolve(root), path);
    let st;
    try {
      if (file && statSync(file).isDirectory()) file = join(file, 'index.html');
      st = file ? statSync(file) : undefined;
    } catch {
      st = undefined;
    }
    if (!file || !st) {
      log.push({ path, status: 404, bytes: 0, at: Date.now() });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': cacheControlFor(path),
      etag,
    };
    if (req.headers['if-none-match'] === etag) {
      log.push({ path, status: 304, bytes: 0, at: Date.now() });
      res.writeHead(304, headers).end();
      return;
    }
    log.push({ path, status: 200, bytes: st.size, at: Date.now() });
    res.writeHead(200, { ...headers, 'content-length': st.size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${options.hostname ?? '127.0.0.1'}:${port}`,
    log,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
