import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { IMMUTABLE, IMMUTABLE_PATH } from '../../../src/embed/cache-rules';

// A tiny static server for the built app. The same files are served on two ports so the host
// page and the coach iframe live on two different origins, as in production.

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

/**
 * Answers a request before the static files do: return true when handled. Use it to inject
 * faults (a 404 model shard, a slow response) or to record requests.
 */
export type Intercept = (req: IncomingMessage, res: ServerResponse, origin: 'host' | 'coach') => boolean | Promise<boolean>;

export interface ServeOptions {
  /** Folder served at "/" (the build output). */
  root: string;
  /** Extra folders under URL prefixes, e.g. { '/fixtures/': 'tests/fixtures' }. */
  mounts?: Record<string, string>;
  /** Extra response headers for every file (e.g. a Content-Security-Policy), or per origin. */
  headers?: Record<string, string> | ((origin: 'host' | 'coach') => Record<string, string>);
  intercept?: Intercept;
  /**
   * The coach's coach-config.json: by default it lists the host origin of these servers (as the
   * coach's operator lists the listing site); `hostOrigins` replaces that list.
   */
  coachConfig?: { hostOrigins: string[] };
}

export interface Servers {
  /** e.g. http://localhost:41234 — the listing page's origin. */
  hostOrigin: string;
  /** e.g. http://127.0.0.1:41235, the same files — the coach iframe's origin, another site. */
  coachOrigin: string;
  /** Every request seen, in order: origin, method, URL path, and the bytes of its body. */
  requests: { origin: 'host' | 'coach'; method: string; url: string; bodyBytes: number }[];
  close(): Promise<void>;
}

function fileFor(url: string, opts: ServeOptions): string | null {
  const path = decodeURIComponent(new URL(url, 'http://x').pathname);
  for (const [prefix, dir] of Object.entries(opts.mounts ?? {})) {
    if (path.startsWith(prefix)) return inside(resolve(dir), path.slice(prefix.length));
  }
  return inside(resolve(opts.root), path);
}

/** Resolves `rel` under `dir`, or null when it would escape it. */
function inside(dir: string, rel: string): string | null {
  const full = normalize(join(dir, rel));
  if (full !== dir && !full.startsWith(dir + sep)) return null;
  try {
    return statSync(full).isDirectory() ? join(full, 'index.html') : full;
  } catch {
    return full;
  }
}

function serveOne(origin: 'host' | 'coach', opts: ServeOptions, requests: Servers['requests'], config: () => unknown): Server {
  return createServer(async (req, res) => {
    const entry = { origin, method: req.method ?? 'GET', url: req.url ?? '/', bodyBytes: 0 };
    requests.push(entry);
    req.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
    const headers = typeof opts.headers === 'function' ? opts.headers(origin) : opts.headers;
    try {
      if (opts.intercept && (await opts.intercept(req, res, origin))) return;
      if (new URL(req.url ?? '/', 'http://x').pathname === '/coach-config.json') {
        res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store', ...headers }).end(JSON.stringify(config()));
        return;
      }
      const file = fileFor(req.url ?? '/', opts);
      let size = -1;
      try {
        if (file) size = statSync(file).size;
      } catch {
        // missing: 404 below
      }
      if (!file || size < 0) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': size,
        // production's cache rules (hashed assets and weight shards immutable); the rest is never
        // stored, so each test sees the files as they are now
        'cache-control': IMMUTABLE_PATH.test(new URL(req.url ?? '/', 'http://x').pathname) ? IMMUTABLE : 'no-store',
        ...headers,
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    }
  });
}

/** Listens on a free port of 127.0.0.1; the origin names it by `hostname` (localhost resolves there too). */
const listen = (server: Server, hostname: string) =>
  new Promise<string>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(`http://${hostname}:${(server.address() as AddressInfo).port}`));
  });

/**
 * Serves `root` twice: the listing page on http://localhost:<port> and the coach on
 * http://127.0.0.1:<other port> — two sites, as in production, so the coach's iframe runs out
 * of process (two ports of one host would be one site). Both are secure contexts. `sameSite`
 * puts both on 127.0.0.1 (the one case kept for comparison).
 */
export async function startServers(opts: ServeOptions & { sameSite?: boolean }): Promise<Servers> {
  const requests: Servers['requests'] = [];
  let hostOrigin = '';
  const config = () => opts.coachConfig ?? { hostOrigins: [hostOrigin] };
  const host = serveOne('host', opts, requests, config);
  const coach = serveOne('coach', opts, requests, config);
  let coachOrigin: string;
  [hostOrigin, coachOrigin] = await Promise.all([listen(host, opts.sameSite ? '127.0.0.1' : 'localhost'), listen(coach, '127.0.0.1')]);
  const close = (s: Server) => new Promise<void>((ok) => (s.closeAllConnections(), s.close(() => ok())));
  return { hostOrigin, coachOrigin, requests, close: async () => void (await Promise.all([close(host), close(coach)])) };
}
