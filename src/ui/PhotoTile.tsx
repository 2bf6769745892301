import { useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { FILE_ERRORS, isSendable, selectCoverId, type Photo } from '../store';
import { useCoach, useCoachStoreApi } from '../store/react';
import { adviceFor } from './advice';
import { CoverNudge } from './CoverNudge';
import { FixPanel } from './FixPanel';
import { errorKey } from './i18n';
import { useT } from './useT';

interface Props {
  id: string;
  index: number;
  total: number;
  recommended: boolean;
  /** The place (1-based) of an earlier photo that is the same shot as this one. */
  sameAs?: number;
  announce(text: string): void;
}

/** Focuses a tile's button after a re-render moved the tile (moving a node drops its focus). */
function refocus(id: string, action: string, fallback: string) {
  const q = (a: string) => document.querySelector<HTMLButtonElement>(`[data-photo="${id}"] [data-action="${a}"]`);
  const b = q(action);
  (b && !b.disabled ? b : q(fallback))?.focus();
}

export function PhotoTile({ id, index, total, recommended, sameAs, announce }: Props) {
  const t = useT();
  const store = useCoachStoreApi();
  const photo = useCoach((s) => s.photos.find((p) => p.id === id));
  const locale = useCoach((s) => s.locale);
  const retake = useRef<HTMLInputElement>(null);
  const [brokenUrl, setBrokenUrl] = useState<string | null>(null);
  const advice = useMemo(() => (photo?.score ? adviceFor(photo.score, locale) : undefined), [photo?.score, locale]);
  const cover = useCoach((s) => selectCoverId(s) === id);
  const space = locale === 'ja' ? '' : ' ';
  if (!photo) return null;

  const titleId = `photo-title-${id}`;
  const act = store.getState();
  const move = (delta: number) => {
    flushSync(() => act.move(id, delta));
    const n = store.getState().order.indexOf(id) + 1;
    announce(t('moved', { name: photo.name, n, total }));
    refocus(id, delta < 0 ? 'earlier' : 'later', delta < 0 ? 'later' : 'earlier');
  };
  const makeCover = () => {
    flushSync(() => act.setCover(id));
    announce(t('moved', { name: photo.name, n: 1, total }));
    refocus(id, 'later', 'retake');
  };

  return (
    <li className={`tile tile-${photo.state}`} data-photo={id} data-state={photo.state} aria-labelledby={titleId}>
      <div className="thumb">
        {photo.objectUrl !== brokenUrl && isSendable(photo) && <img src={photo.objectUrl} alt={photo.name} onError={() => setBrokenUrl(photo.objectUrl)} />}
        <div className="badges">
          {cover && <span className="badge badge-cover">{t('cover')}</span>}
          {recommended && <span className="badge badge-recommended">{t('recommended')}</span>}
        </div>
      </div>
      <div className="tile-body">
        <h3 id={titleId} className="tile-title">
          {t('photoOf', { n: index + 1, total })} <span className="tile-name">{photo.name}</span>
        </h3>
        <TileStatus photo={photo} />
        {cover && <CoverNudge />}
        {advice && (
          <div className="advice">
            {/* With nothing to fix, the headline fits the band: praise only when great (explain). */}
            {advice.reasons.length === 0 && <p className="headline">{advice.headline}</p>}
            {advice.checks.map((c) => (
              <p key={c.code} className="check" data-check={c.code}>
                {c.message}
              </p>
            ))}
            {sameAs !== undefined && (
              <p className="check" data-check="SAME_SHOT">
                {t('sameShot', { n: sameAs })}
              </p>
            )}
            {advice.reasons.length > 0 && (
              <ul className="reasons">
                {advice.reasons.map((r) => (
                  <li key={r.aspect} data-aspect={r.aspect}>
                    {/* Japanese sets no space between sentences or after "ヒント：" */}
                    <span className="reason">{r.reason}</span>
                    {space}
                    <span className="tip">
                      <strong>{t('tip')}</strong>
                      {space}
                      {r.tip}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {isSendable(photo) && <FixPanel photo={photo} reasons={advice?.reasons.map((r) => r.aspect) ?? []} announce={announce} />}
        {/* biome-ignore lint/a11y/useSemanticElements: a row of buttons named by the tile's title; a fieldset would need a legend repeating it */}
        <div className="actions" role="group" aria-labelledby={titleId}>
          <button type="button" data-action="earlier" disabled={index === 0} onClick={() => move(-1)} aria-describedby={titleId}>
            {t('moveEarlier')}
          </button>
          <button type="button" data-action="later" disabled={index === total - 1} onClick={() => move(1)} aria-describedby={titleId}>
            {t('moveLater')}
          </button>
          {!cover && isSendable(photo) && (
            <button type="button" data-action="cover" onClick={makeCover} aria-describedby={titleId}>
              {t('makeCover')}
            </button>
          )}
          {photo.state === 'error' && photo.error && !FILE_ERRORS.includes(photo.error.code) && (
            <button type="button" data-action="retry" onClick={() => act.retry(id)} aria-describedby={titleId}>
              {t('retryPhoto')}
            </button>
          )}
          <button type="button" data-action="retake" onClick={() => retake.current?.click()} aria-describedby={titleId}>
            {t('retake')}
          </button>
          <button
            type="button"
            data-action="remove"
            className="danger"
            aria-describedby={titleId}
            onClick={() => {
              act.remove(id);
              announce(t('removed', { name: photo.name }));
            }}
          >
            {t('remove')}
          </button>
        </div>
        <input
          ref={retake}
          hidden
          type="file"
          accept="image/*"
          data-testid={`retake-input-${id}`}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) act.replace(id, file);
          }}
        />
      </div>
    </li>
  );
}

function TileStatus({ photo }: { photo: Photo }) {
  const t = useT();
  if (photo.state === 'queued' || photo.state === 'scoring') {
    return (
      <p className="status progress" role="status">
        <span className="spinner" aria-hidden="true" />
        {t(photo.state)}
      </p>
    );
  }
  if (photo.state === 'error') {
    return (
      <p className="status error-message" role="alert" data-code={photo.error?.code}>
        {t(errorKey(photo.error?.code ?? 'INTERNAL'))}
      </p>
    );
  }
  const score = photo.score!;
  const after = Math.round(score.overall);
  const before = photo.previousScore && Math.round(photo.previousScore.overall);
  return (
    <p className="status score-line" data-band={score.band}>
      <span className="score" aria-hidden="true">
        {after}
      </span>
      <span className="sr-only">{t('scoreLabel', { score: after })}</span>
      <span className={`band band-${score.band}`}>{t(`band_${score.band}`)}</span>
      {before !== undefined && (
        <span className="change" data-testid="score-change">
          <span aria-hidden="true">{t('change', { before, after })}</span>
          <span className="sr-only">{t('changeLabel', { before, after })}</span>
        </span>
      )}
    </p>
  );
}
