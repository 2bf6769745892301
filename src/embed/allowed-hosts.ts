import { parseOrigin } from './protocol';

// Which listing pages may embed the coach. `?host=` only says who the parent claims to be; a
// page on any origin can frame the coach and claim itself, so the claim is honoured only when
// the coach's own operator lists that origin in `coach-config.json`, served next to coach.html.
// (The coach's Content-Security-Policy `frame-ancestors` should list the same origins.)

export interface CoachConfig {
  /** Exact origins of the listing pages that may embed the coach and receive photos. */
  hostOrigins: string[];
}

export const CONFIG_FILE = 'coach-config.json';

/** The config in `json`, keeping only well-formed origins; null when it is not a config at all. */
export function parseCoachConfig(json: unknown): CoachConfig | null {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as CoachConfig).hostOrigins)) return null;
  const hostOrigins = (json as CoachConfig).hostOrigins.map(parseOrigin).filter((o): o is string => o !== null);
  return { hostOrigins };
}

export type HostDecision = { allowed: true; host: string } | { allowed: false; reason: 'no-host' | 'not-listed' | 'no-config' | 'not-parent'; detail: string };

/**
 * Whether to talk to the claimed `host` (already parsed by parseGuestParams). `parentOrigin` is
 * the frame's real parent where the browser tells it (location.ancestorOrigins): a page that
 * frames the coach while naming a listed origin is then refused before any message is sent
 * (penpal's first handshake message goes to any origin).
 */
export function decideHost(host: string | null, config: CoachConfig | null, parentOrigin?: string): HostDecision {
  if (!host) return { allowed: false, reason: 'no-host', detail: 'no valid ?host= origin' };
  if (parentOrigin !== undefined && parentOrigin !== host) {
    return { allowed: false, reason: 'not-parent', detail: `?host= says ${host} but the page around the coach is ${parentOrigin}` };
  }
  if (!config) return { allowed: false, reason: 'no-config', detail: `${CONFIG_FILE} is missing or malformed` };
  if (!config.hostOrigins.includes(host)) return { allowed: false, reason: 'not-listed', detail: `${host} is not in ${CONFIG_FILE}` };
  return { allowed: true, host };
}

/** Fetches the coach's config from its own origin; null when it cannot be read. */
export async function loadCoachConfig(url: string, fetchFn: typeof fetch = fetch): Promise<CoachConfig | null> {
  try {
    const res = await fetchFn(url, { cache: 'no-cache', credentials: 'omit' });
    return res.ok ? parseCoachConfig(await res.json()) : null;
  } catch {
    return null;
  }
}

/**
 * In development only: the config plus the coach's own dev server, on whatever port Vite took,
 * under both loopback names (the demo embeds the coach across localhost and 127.0.0.1). A
 * production build never calls this: its list stays exactly what the operator wrote.
 */
export function withDevServer(config: CoachConfig | null, ownOrigin: string): CoachConfig {
  const own = new URL(ownOrigin);
  const twins = ['localhost', '127.0.0.1'].includes(own.hostname) ? ['localhost', '127.0.0.1'].map((h) => `${own.protocol}//${h}:${own.port}`) : [ownOrigin];
  return { hostOrigins: [...new Set([...(config?.hostOrigins ?? []), ...twins])] };
}
