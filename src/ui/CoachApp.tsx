import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectOrdered, type CoachStore, type ConfirmedPhoto } from '../store';
import { CoachStoreProvider, useCoach, useCoachStoreApi } from '../store/react';
import { recommendedCoverId, sameShots } from './advice';
import { AddPhotos } from './AddPhotos';
import { EngineStatus } from './EngineStatus';
import { PhotoTile } from './PhotoTile';
import { useT } from './useT';
import './coach.css';

const DebugPanel = lazy(() => import('./DebugPanel').then((m) => ({ default: m.DebugPanel })));

export interface CoachAppProps {
  store: CoachStore;
  onConfirm?(photos: ConfirmedPhoto[]): void;
  /** Shows the engine debug panel (developers; `?debug=1`). */
  debug?: boolean;
  /**
   * How the coach stands with the page around it. 'refused': framed by a page that is not
   * allowed to receive photos — the seller is told, and there is nothing to confirm to.
   */
  embed?: Promise<EmbedState> | EmbedState;
}

export type EmbedState = 'standalone' | 'connected' | 'refused';

export function CoachApp({ store, onConfirm, debug = false, embed = 'standalone' }: CoachAppProps) {
  return (
    <CoachStoreProvider store={store}>
      <Coach onConfirm={onConfirm} debug={debug} embed={embed} />
    </CoachStoreProvider>
  );
}

function useSettled<T>(value: Promise<T> | T, initial: T): T {
  const [state, setState] = useState<T>(value instanceof Promise ? initial : value);
  useEffect(() => {
    let live = true;
    Promise.resolve(value).then(
      (v) => live && setState(v),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [value]);
  return state;
}

function EngineDebug() {
  const engine = useCoach((s) => s.engine);
  return (
    <Suspense fallback={null}>
      <DebugPanel info={engine.state === 'ready' ? engine.info : undefined} />
    </Suspense>
  );
}

function Coach({ onConfirm, debug, embed }: { onConfirm?(photos: ConfirmedPhoto[]): void; debug: boolean; embed: Promise<EmbedState> | EmbedState }) {
  const t = useT();
  const refused = useSettled(embed, 'standalone') === 'refused';
  const [message, setMessage] = useState('');
  const announce = useCallback((text: string) => setMessage(text), []);
  return (
    <main className="coach">
      <h1>{t('title')}</h1>
      <p className="intro">{t('intro')}</p>
      {refused && (
        <p className="notice" role="status" data-testid="embed-refused">
          {t('embedRefused')}
        </p>
      )}
      <EngineStatus />
      <AddPhotos />
      <LeftOut />
      <PhotoGrid announce={announce} />
      {!refused && <ConfirmBar onConfirm={onConfirm} announce={announce} />}
      <p className="sr-only" aria-live="polite" data-testid="announcer">
        {message}
      </p>
      {debug && <EngineDebug />}
    </main>
  );
}

export function PhotoGrid({ announce }: { announce(text: string): void }) {
  const t = useT();
  const order = useCoach((s) => s.order);
  const recommended = useCoach((s) => (s.order.length > 1 ? recommendedCoverId(selectOrdered(s)) : null));
  // flat [id, place, id, place…]: compared item by item, so it stays equal while nothing changed
  const repeats = useCoach(useShallow((s) => [...sameShots(selectOrdered(s))].flat()));
  const sameAs = useMemo(() => {
    const m = new Map<string, number>();
    for (let i = 0; i < repeats.length; i += 2) m.set(repeats[i] as string, repeats[i + 1] as number);
    return m;
  }, [repeats]);
  return (
    <section className="photos" aria-labelledby="photos-heading">
      <h2 id="photos-heading">{t('photosLabel')}</h2>
      {order.length === 0 ? (
        <p className="empty">{t('empty')}</p>
      ) : (
        <ol className="grid">
          {order.map((id, i) => (
            <PhotoTile key={id} id={id} index={i} total={order.length} recommended={id === recommended} sameAs={sameAs.get(id)} announce={announce} />
          ))}
        </ol>
      )}
    </section>
  );
}

/** Hands the photos over; never blocked (a weak cover has its note on the cover tile). */
function ConfirmBar({ onConfirm, announce }: { onConfirm?(photos: ConfirmedPhoto[]): void; announce(text: string): void }) {
  const t = useT();
  const store = useCoachStoreApi();
  const count = useCoach((s) => s.order.length);
  const [done, setDone] = useState<number | null>(null);

  const proceed = () => {
    const photos = store.getState().confirm();
    setDone(photos.length);
    announce(t('confirmed', { n: photos.length }));
    onConfirm?.(photos);
  };

  return (
    <section className="confirm" aria-label={t('confirm')}>
      <button type="button" className="primary confirm-button" disabled={count === 0} onClick={proceed}>
        {t('confirm')}
      </button>
      {done !== null && <p className="confirmed">{t('confirmed', { n: done })}</p>}
    </section>
  );
}

/** Says so when the listing is full and some picked files were not added. */
function LeftOut() {
  const t = useT();
  const leftOut = useCoach((s) => s.leftOut);
  const limit = useCoach((s) => s.limits.photos);
  if (!leftOut) return null;
  return (
    <p className="notice" role="status" data-testid="left-out">
      {t('tooMany', { limit, n: leftOut })}
    </p>
  );
}
