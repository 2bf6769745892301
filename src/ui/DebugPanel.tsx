import { useEffect, useState } from 'react';
import type { EngineInfo } from '../core/engine-types';
import { describeBackendChoice, forgetChoices, type BackendChoiceReport } from '../core/model/backend-choice';

/** True when the page was opened with `?debug=1`. */
export const debugRequested = (search = globalThis.location?.search ?? '') => new URLSearchParams(search).get('debug') === '1';

const fmt = (ms: number[]) => (ms.length ? ms.map((m) => `${Math.round(m)}`).join(' / ') + ' ms' : '—');

/**
 * Why the model runs where it runs: the engine's own account (`info`) and the measured backend
 * choices remembered on this device. Developer-facing, so English only.
 */
export function DebugPanel({ info, describe = describeBackendChoice }: { info?: EngineInfo; describe?: () => Promise<BackendChoiceReport> }) {
  const [report, setReport] = useState<BackendChoiceReport | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    describe().then((r) => live && setReport(r), () => {});
    return () => {
      live = false;
    };
  }, [describe, info, tick]);

  return (
    <details className="debug-panel" open data-testid="debug-panel">
      <summary>Engine debug</summary>
      <dl>
        <dt>Backend</dt>
        <dd>{info ? `${info.backend} (${info.thread} thread)` : 'loading…'}</dd>
        <dt>Why</dt>
        <dd>{info?.reason ?? report?.current?.reason ?? '—'}</dd>
        <dt>Model</dt>
        <dd>{info?.modelVersion ?? '—'}</dd>
        <dt>WebGL renderer</dt>
        <dd>{report ? `${report.renderer || 'none'}${report.software ? ' (software)' : ''}` : '…'}</dd>
      </dl>
      {!!report?.remembered.length && (
        <table>
          <caption>Measured on this device</caption>
          <thead>
            <tr>
              <th>Chosen</th>
              <th>Timings</th>
              <th>Model</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {report.remembered.map((c) => (
              <tr key={`${c.at}-${c.modelVersion}-${c.renderer}`}>
                <td title={c.reason}>{c.backend}</td>
                <td>{c.timings.map((t) => `${t.backend}: ${t.ms.length ? fmt(t.ms) : (t.note ?? '—')}`).join('; ')}</td>
                <td>{c.modelVersion}</td>
                <td>{c.at}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => forgetChoices().then(() => setTick((n) => n + 1))}>
        Forget measurements (measure again on next load)
      </button>
    </details>
  );
}
