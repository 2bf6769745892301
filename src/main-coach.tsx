import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngine } from './engine/engine';
import type { Engine } from './core/engine-types';
import { CONFIG_FILE, decideHost, loadCoachConfig, withDevServer } from './embed/allowed-hosts';
import { connectToHost, type GuestConnection } from './embed/guest';
import { parseGuestParams, PROTOCOL_VERSION, SIGNAL_NAMESPACE } from './embed/protocol';
import { createCoachStore, type ConfirmedPhoto } from './store';
import { CoachApp } from './ui/CoachApp';

// The coach page. Inside a listing page's iframe it talks to the origin named by `?host=` when
// coach-config.json lists it; opened on its own, or framed by an unlisted page, it still coaches,
// with nobody to hand photos to.
const { host, locale, keepLocation, limits, cropAspect } = parseGuestParams(location.search);
document.documentElement.lang = locale;

const modelUrl = new URL(`${import.meta.env.BASE_URL}model/`, location.href).href;
let engine: Engine | undefined;
const store = createCoachStore({ engine: () => (engine = createEngine({ modelUrl })), locale, limits, cropAspect });
const root = document.getElementById('root')!;
// The seller sees a plain message; whoever debugs the page gets the reason.
store.subscribe((s, prev) => {
  if (s.engine !== prev.engine && s.engine.state === 'failed') console.warn(`photo coach: could not start (${s.engine.error.code}): ${s.engine.error.message}`);
});

let guest: GuestConnection | undefined;
const embedded = window.parent !== window;
const loaded = embedded ? loadCoachConfig(new URL(`${import.meta.env.BASE_URL}${CONFIG_FILE}`, location.href).href) : Promise.resolve(null);
// `npm run dev` may land on any free port; the production build keeps the config as written
const config = import.meta.env.DEV ? loaded.then((c) => withDevServer(c, location.origin)) : loaded;
const embed = config.then((c) => {
  if (!embedded) return 'standalone' as const;
  const decision = decideHost(host, c, location.ancestorOrigins?.[0]);
  if (!decision.allowed) {
    console.warn(`photo coach: not talking to the embedding page (${decision.detail})`);
    // a fixed message with no data, so a listing page that is not listed hears it at once (protocol.ts)
    window.parent.postMessage({ namespace: SIGNAL_NAMESPACE, type: 'refused' }, '*');
    return 'refused' as const;
  }
  window.parent.postMessage({ namespace: SIGNAL_NAMESPACE, type: 'hello', v: PROTOCOL_VERSION }, decision.host);
  guest = connectToHost(store, decision.host, root, { keepLocation });
  return 'connected' as const;
});

// Kept off the page unless asked for (the panel loads lazily). With it, the scoring thread's
// memory can be read from the console or a benchmark: `await photoCoachDebug.memory()`.
const debug = new URLSearchParams(location.search).get('debug') === '1';
if (debug) Object.assign(window, { photoCoachDebug: { memory: () => engine?.memory?.() } });
const handOver = (photos: ConfirmedPhoto[]) => void guest?.confirm(photos).catch((e) => console.error('photo coach: the listing page did not take the photos', e));

createRoot(root).render(
  <StrictMode>
    <CoachApp store={store} debug={debug} onConfirm={handOver} embed={embed} />
  </StrictMode>,
);

addEventListener('pagehide', (e: PageTransitionEvent) => {
  if (e.persisted) return;
  guest?.destroy();
  store.getState().dispose();
});
