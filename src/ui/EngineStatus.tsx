import { useCoach, useCoachStoreApi } from '../store/react';
import { useT } from './useT';

export function EngineStatus() {
  const t = useT();
  const state = useCoach((s) => s.engine.state);
  const store = useCoachStoreApi();
  return (
    <div className={`engine engine-${state}`} role="status">
      {state === 'loading' && <span>{t('engineLoading')}</span>}
      {state === 'ready' && <span>{t('engineReady')}</span>}
      {state === 'failed' && (
        <>
          <span>{t('engineFailed')}</span>{' '}
          <button type="button" onClick={() => store.getState().retryEngine()}>
            {t('engineRetry')}
          </button>
        </>
      )}
    </div>
  );
}
