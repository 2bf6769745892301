import { useEffect, useRef } from 'react';
import { coverNudgeShown } from '../store';
import { useCoach, useCoachStoreApi } from '../store/react';
import { useT } from './useT';

/**
 * The note on the cover tile when the cover needs work: buyers see the cover first in search.
 * It never blocks anything. Dismissed once, it stays away until the listing site asks for it
 * before submitting; then it takes the focus, so the seller hears it.
 */
export function CoverNudge() {
  const t = useT();
  const store = useCoachStoreApi();
  const shown = useCoach(coverNudgeShown);
  const asked = useCoach((s) => s.coverNudge === 'asked');
  const note = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!shown || !asked) return;
    const focus = () => note.current?.focus();
    focus();
    // in a frame without focus that moves nothing: the listing page focuses the frame next
    window.addEventListener('focus', focus, { once: true });
    return () => window.removeEventListener('focus', focus);
  }, [shown, asked]);
  if (!shown) return null;
  return (
    <div className="nudge" role="note" aria-labelledby="nudge-title" tabIndex={-1} ref={note} data-testid="cover-nudge" data-cover-nudge="">
      <p id="nudge-title" className="nudge-title">
        {t('nudgeTitle')}
      </p>
      <p>{t('nudgeBody')}</p>
      <button type="button" onClick={() => store.getState().dismissCoverNudge()}>
        {t('nudgeDismiss')}
      </button>
    </div>
  );
}
