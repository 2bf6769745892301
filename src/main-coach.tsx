import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngine } from './core/engine';
import { connectToHost, type GuestConnection } from './embed/guest';
import { parseGuestParams } from './embed/protocol';
import { createCoachStore, type ConfirmedPhoto } from './store';
import { CoachApp } from './ui/CoachApp';

// The coach page. Inside a listing page's iframe it talks to the origin named by `?host=`;
// opened on its own (or with an invalid host) it still coaches, with nobody to hand photos to.
const { host, locale } = parseGuestParams(location.search);
document.documentElement.lang = locale;

const modelUrl = new URL(`${import.meta.env.BASE_URL}model/`, location.href).href;
const store = createCoachStore({ engine: () => createEngine({ modelUrl }), locale });
const root = document.getElementById('root')!;

let guest: GuestConnection | undefined;
if (host && window.parent !== window) guest = connectToHost(store, host, root);
else if (!host && new URLSearchParams(location.search).has('host')) console.warn('photo coach: ignoring invalid ?host= origin');

// Kept off the page unless asked for (the panel loads lazily).
const debug = new URLSearchParams(location.search).get('debug') === '1';
const handOver = (photos: ConfirmedPhoto[]) =>
  void guest?.confirm(photos).catch((e) => console.error('photo coach: the listing page did not take the photos', e));

createRoot(root).render(
  <StrictMode>
    <CoachApp store={store} debug={debug} onConfirm={handOver} />
  </StrictMode>,
);

addEventListener('pagehide', (e: PageTransitionEvent) => {
  if (e.persisted) return;
  guest?.destroy();
  store.getState().dispose();
});
