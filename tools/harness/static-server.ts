import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { cacheControlFor, IMMUTABLE, IMMUTABLE_PATH } from '../../src/embed/cache-rules';

// The one static server of the browser suite and the bench: the built app with correct MIME
// types (.wasm as application/wasm, or tfjs will not stream-compile it) and the cache rules of
// src/embed/cache-rules.ts for the content-named files.

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.heic': 'image/heic',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Answers a request before the files do (fault injection, recording): true when it did. */
export type Intercept = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface StaticOptions {
  /** Folder served at "/" (a build). */
  root: string;
  /** Extra folders under URL prefixes, e.g. { '/fixtures/': 'tests/fixtures' }. */
  mounts?: Record<string, string>;
  /** The name in the origin: "localhost" is another site than 127.0.0.1 on one machine. */
  hostname?: '127.0.0.1' | 'localhost';
  /** Extra response headers for every file (e.g. a Content-Security-Policy), or a function asked per request. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Bodies answered for exact paths, before the files (e.g. this server's coach-config.json). */
  answers?: Record<string, () => string>;
  intercept?: Intercept;
  /**
   * Files that are not content-named: 'revalidate' as production sends them (no-cache and an
   * ETag, answered 304: the bench's repeat visit), or 'no-store' so each test sees the files as
   * they are now.
   */
  mutable?: 'revalidate' | 'no-store';
  /** Told of every request as it arrives (its entry fills in as the answer goes out). */
  onRequest?(entry: Served): void;
}

export interface Served {
  method: string;
  /** The request's URL (path and query). */
  url: string;
  path: string;
  status: number;
  /** Body bytes sent (0 for a 304) and received. */
  bytes: number;
  bodyBytes: number;
  at: number;
}

export interface StaticServer {
  origin: string;
  /** Every request, in order. */
  log: Served[];
  close(): Promise<void>;
}

/** Resolves `rel` under `dir` (a folder's index.html for a folder), or null when it would escape it. */
function inside(dir: string, rel: string): string | null {
  const full = normalize(join(dir, rel));
  if (full !== dir && !full.startsWith(dir + sep)) return null;
  try {
    return statSync(full).isDirectory() ? join(full, 'index.html') : full;
  } catch {
    return full;
  }
}

function fileFor(path: string, opts: StaticOptions): string | null {
  for (const [prefix, dir] of Object.entries(opts.mounts ?? {})) {
    if (path.startsWith(prefix)) return inside(resolve(dir), path.slice(prefix.length));
  }
  return inside(resolve(opts.root), path);
}

/** Serves `opts.root` on a free port of 127.0.0.1. */
export async function serveStatic(opts: StaticOptions): Promise<StaticServer> {
  const log: Served[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const entry: Served = { method: req.method ?? 'GET', url: req.url ?? '/', path, status: 0, bytes: 0, bodyBytes: 0, at: Date.now() };
    log.push(entry);
    opts.onRequest?.(entry);
    req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    res.on('finish', () => (entry.status = res.statusCode));
    const extra = typeof opts.headers === 'function' ? opts.headers() : opts.headers;
    try {
      if (opts.intercept && (await opts.intercept(req, res))) return;
      const answer = opts.answers?.[path];
      if (answer) {
        const body = answer();
        entry.bytes = Buffer.byteLength(body);
        res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'text/plain', 'cache-control': 'no-store', ...extra }).end(body);
        return;
      }
      const file = fileFor(path, opts);
      let st: ReturnType<typeof statSync> | undefined;
      try {
        st = file ? statSync(file) : undefined;
      } catch {
        st = undefined; // missing: 404 below
      }
      if (!file || !st) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const revalidate = (opts.mutable ?? 'no-store') === 'revalidate';
      const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
      const headers = {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': IMMUTABLE_PATH.test(path) ? IMMUTABLE : revalidate ? cacheControlFor(path) : 'no-store',
        ...(revalidate && { etag }),
        ...extra,
      };
      if (revalidate && req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      entry.bytes = req.method === 'HEAD' ? 0 : st.size;
      res.writeHead(200, { ...headers, 'content-length': st.size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${opts.hostname ?? '127.0.0.1'}:${port}`,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
