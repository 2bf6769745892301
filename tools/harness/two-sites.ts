import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveStatic, type Served, type StaticOptions } from './static-server';

// The listing page and the coach on two sites, as in production: the same build served on
// http://localhost:<port> (the listing page) and http://127.0.0.1:<other port> (the coach), so
// the coach's iframe runs out of process (two ports of one host would be one site). Both are
// secure contexts.

export type Side = 'host' | 'coach';

export interface TwoSitesOptions extends Pick<StaticOptions, 'root' | 'mounts' | 'mutable'> {
  /** Extra response headers for every file (e.g. a Content-Security-Policy), or per side. */
  headers?: Record<string, string> | ((side: Side) => Record<string, string>);
  /** Answers a request before the files do when it returns true (fault injection). */
  intercept?: (req: IncomingMessage, res: ServerResponse, side: Side) => boolean | Promise<boolean>;
  /**
   * The coach's coach-config.json: by default it lists the listing page's origin (as the coach's
   * operator lists the listing site); `hostOrigins` replaces that list.
   */
  coachConfig?: { hostOrigins: string[] };
  /** Both on 127.0.0.1: one site (the one same-site case kept for comparison). */
  sameSite?: boolean;
}

export interface Servers {
  /** e.g. http://localhost:41234 — the listing page's origin. */
  hostOrigin: string;
  /** e.g. http://127.0.0.1:41235, the same files — the coach iframe's origin, another site. */
  coachOrigin: string;
  /** Every request to either, in order, with its side. */
  requests: (Served & { origin: Side })[];
  close(): Promise<void>;
}

export async function startServers(opts: TwoSitesOptions): Promise<Servers> {
  const requests: Servers['requests'] = [];
  let hostOrigin = '';
  const config = () => JSON.stringify(opts.coachConfig ?? { hostOrigins: [hostOrigin] });
  const side = (origin: Side, hostname: '127.0.0.1' | 'localhost') =>
    serveStatic({
      root: opts.root,
      mounts: opts.mounts,
      mutable: opts.mutable,
      hostname,
      // asked per request: a test may build them from both origins, known only once both listen
      headers: () => (typeof opts.headers === 'function' ? opts.headers(origin) : (opts.headers ?? {})),
      answers: { '/coach-config.json': config },
      intercept: opts.intercept && ((req, res) => opts.intercept!(req, res, origin)),
      onRequest: (entry) => requests.push(Object.assign(entry, { origin })),
    });
  const [host, coach] = await Promise.all([side('host', opts.sameSite ? '127.0.0.1' : 'localhost'), side('coach', '127.0.0.1')]);
  hostOrigin = host.origin;
  return { hostOrigin, coachOrigin: coach.origin, requests, close: async () => void (await Promise.all([host.close(), coach.close()])) };
}
