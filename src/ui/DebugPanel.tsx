import type { EngineInfo } from '../core/engine-types';

/** True when the page was opened with `?debug=1`. */
export const debugRequested = (search = globalThis.location?.search ?? '') => new URLSearchParams(search).get('debug') === '1';

/**
 * Why the model runs where it runs, as the engine reports it: the backend and thread, the
 * reason (what was tried, skipped and why, the WebGL renderer) and the model version.
 * Developer-facing, so English only.
 */
export function DebugPanel({ info }: { info?: EngineInfo }) {
  return (
    <details className="debug-panel" open data-testid="debug-panel">
      <summary>Engine debug</summary>
      <dl>
        <dt>Backend</dt>
        <dd>{info ? `${info.backend} (${info.thread} thread)` : 'loading…'}</dd>
        <dt>Why</dt>
        <dd>{info?.reason ?? '—'}</dd>
        <dt>Model</dt>
        <dd>{info?.modelVersion ?? '—'}</dd>
      </dl>
    </details>
  );
}
