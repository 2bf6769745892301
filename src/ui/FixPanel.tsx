import type { AspectId } from '../core/aspects';
import { fixesFor, handCropOf, nudgeCrop, STRAIGHTEN_STEP, stepStraighten, type CropNudge, type CropBox, type FixKind, type FixPlan, type HandCrop } from '../core/fixes';
import type { Photo } from '../store';
import { useCoachStoreApi } from '../store/react';
import type { Translate } from './i18n';
import { useT } from './useT';

/** Quarter turns after turning `by` more, clockwise. */
const turnBy = (q: FixPlan['quarterTurns'], by: 1 | 3) => ((q + by) % 4) as FixPlan['quarterTurns'];

/** Where a crop by hand starts when the coach finds no item to crop to: most of the photo, centred. */
const FIRST_HAND_CROP: HandCrop = { size: 0.9, cx: 0.5, cy: 0.5 };

const CROP_NUDGES: { nudge: CropNudge; label: 'cropTighter' | 'cropWider' | 'cropLeft' | 'cropRight' | 'cropUp' | 'cropDown' }[] = [
  { nudge: 'tighter', label: 'cropTighter' },
  { nudge: 'wider', label: 'cropWider' },
  { nudge: 'left', label: 'cropLeft' },
  { nudge: 'right', label: 'cropRight' },
  { nudge: 'up', label: 'cropUp' },
  { nudge: 'down', label: 'cropDown' },
];

const names = (t: Translate, fixes: readonly FixKind[]) => fixes.map((f) => t(`fix_${f}`)).join(t('listSeparator'));

/**
 * One-tap fixes on a tile: offered for the photo's reasons that need no retake (sideways, a
 * colour cast, too dark), previewed before and after with the fixed photo's score, kept or
 * discarded; a kept fix can be undone. A turn, a crop and, on a photo the coach finds tilted, a
 * straighten are also there by hand. Nothing here blocks the rest of the tile.
 */
export function FixPanel({ photo, reasons, announce }: { photo: Photo; reasons: readonly AspectId[]; announce(text: string): void }) {
  const t = useT();
  const store = useCoachStoreApi();
  const act = store.getState();
  const fix = photo.fix;
  // a fix already kept starts from the original again: not offered twice
  const offered = fixesFor(reasons).filter((f) => !photo.fixes?.includes(f));

  if (fix?.state === 'working' || fix?.state === 'keeping') {
    return (
      <p className="status progress fix-status" role="status">
        <span className="spinner" aria-hidden="true" />
        {t(fix.state === 'working' ? 'fixWorking' : 'fixKeeping')}
      </p>
    );
  }
  if (fix?.state === 'preview') {
    const { plan, frame } = fix.preview;
    const { crop } = plan;
    const applied = names(t, plan.fixes);
    // a crop starts again after a turn (it is a share of the photo as turned)
    const restart = plan.crop ? FIRST_HAND_CROP : undefined;
    // a straighten kept through a turn or a crop by hand (the model's angle or the seller's)
    const straighten = plan.straighten || undefined;
    // by hand from where the crop is now (the model's or the seller's), at the site's shape
    const nudged = (crop: CropBox, n: CropNudge) =>
      act.requestFix(photo.id, fix.requested, { quarterTurns: plan.quarterTurns, straighten, crop: nudgeCrop(handCropOf(crop, frame, store.getState().cropAspect), n) });
    // a straighten by hand one step on, from the angle the preview has; a crop starts again (the frame changes shape)
    const straightening = fix.requested.includes('straighten') || !!plan.straighten;
    const stepped = (by: 1 | -1) => {
      const next = stepStraighten(plan.straighten, by);
      // level again, with nothing else left to fix, is the photo as it is: Discard says that
      if (next === null || (next === 0 && plan.fixes.every((f) => f === 'straighten'))) return undefined;
      return () => act.requestFix(photo.id, fix.requested, { quarterTurns: plan.quarterTurns, straighten: next, cropIfNoItem: restart });
    };
    const [stepLeft, stepRight] = [stepped(1), stepped(-1)];
    return (
      <section
        className="fix-preview"
        aria-label={t('fixAfter', { fixes: applied })}
        data-testid="fix-preview"
        data-quarter-turns={plan.quarterTurns}
        data-straighten={plan.straighten}
        data-crop={plan.crop ? `${Math.round(plan.crop.width * frame.width)}x${Math.round(plan.crop.height * frame.height)}` : 'none'}
        data-crop-at={plan.crop ? `${Math.round(plan.crop.x * frame.width)},${Math.round(plan.crop.y * frame.height)}` : undefined}
      >
        <div className="fix-pair">
          <figure>
            <span className="fix-frame">
              <img src={photo.original?.objectUrl ?? photo.objectUrl} alt={t('fixBefore')} />
              {/* where the crop lies, on the photo as it is (a turn or a straighten reshapes it: then the after shows it alone) */}
              {plan.crop && !plan.quarterTurns && !plan.straighten && (
                <span
                  className="crop-outline"
                  data-testid="crop-outline"
                  aria-hidden="true"
                  style={{ left: `${plan.crop.x * 100}%`, top: `${plan.crop.y * 100}%`, width: `${plan.crop.width * 100}%`, height: `${plan.crop.height * 100}%` }}
                />
              )}
            </span>
            <figcaption>{t('fixBefore')}</figcaption>
          </figure>
          <figure>
            <span className="fix-frame">
              <img src={fix.previewUrl} alt={t('fixAfter', { fixes: applied })} />
              {straightening && <span className="level-grid" data-testid="level-grid" aria-hidden="true" />}
            </span>
            <figcaption>{t('fixAfter', { fixes: applied })}</figcaption>
          </figure>
        </div>
        <p className="fix-score" data-testid="fix-score" data-after={Math.round(fix.preview.score.overall)}>
          {t('fixScore', { after: Math.round(fix.preview.score.overall), before: Math.round(photo.score?.overall ?? 0) })}
        </p>
        <div className="fix-actions">
          {/* by hand: the model says a photo lies on its side, the seller knows which way is up; a
              crop by hand starts again after a turn, as it is a share of the photo as turned */}
          <button type="button" data-action="turn-left" onClick={() => act.requestFix(photo.id, fix.requested, { quarterTurns: turnBy(plan.quarterTurns, 3), straighten, cropIfNoItem: restart })}>
            {t('turnLeft')}
          </button>
          <button type="button" data-action="turn-right" onClick={() => act.requestFix(photo.id, fix.requested, { quarterTurns: turnBy(plan.quarterTurns, 1), straighten, cropIfNoItem: restart })}>
            {t('turnRight')}
          </button>
          <button type="button" className="primary" data-action="keep-fix" onClick={() => act.keepFix(photo.id)}>
            {t('fixKeep')}
          </button>
          <button type="button" data-action="discard-fix" onClick={() => act.discardFix(photo.id)}>
            {t('fixDiscard')}
          </button>
        </div>
        {straightening && (
          <fieldset className="fix-actions straighten-actions">
            <legend className="sr-only">{t('straightenControls')}</legend>
            {!!plan.straighten && (
              <p className="fix-angle" data-testid="straighten-angle">
                {t(plan.straighten > 0 ? 'straightenedLeft' : 'straightenedRight', { degrees: Math.abs(plan.straighten).toFixed(1) })}
              </p>
            )}
            <button type="button" data-action="straighten-left" disabled={!stepLeft} onClick={stepLeft}>
              {t('straightenLeft')}
            </button>
            <button type="button" data-action="straighten-right" disabled={!stepRight} onClick={stepRight}>
              {t('straightenRight')}
            </button>
          </fieldset>
        )}
        {crop && (
          <fieldset className="fix-actions crop-actions">
            <legend className="sr-only">{t('cropControls')}</legend>
            {CROP_NUDGES.map(({ nudge, label }) => (
              <button key={nudge} type="button" data-action={`crop-${nudge}`} onClick={() => nudged(crop, nudge)}>
                {t(label)}
              </button>
            ))}
          </fieldset>
        )}
      </section>
    );
  }
  if (fix?.state === 'failed' || fix?.state === 'nothing') {
    return (
      <p className={`fix-status${fix.state === 'failed' ? ' error-message' : ''}`} role={fix.state === 'failed' ? 'alert' : 'status'} data-testid="fix-message">
        {t(fix.state === 'failed' ? 'fixFailed' : 'fixNothing')}{' '}
        <button type="button" onClick={() => act.discardFix(photo.id)}>
          {t('fixClose')}
        </button>
      </p>
    );
  }
  return (
    <>
      {!!photo.fixes?.length && (
        <p className="fix-applied" data-testid="fix-applied" data-fixes={photo.fixes.join(' ')}>
          {t('fixApplied', { fixes: names(t, photo.fixes) })}{' '}
          <button
            type="button"
            data-action="undo-fix"
            onClick={() => {
              act.undoFix(photo.id);
              announce(t('fixUndo'));
            }}
          >
            {t('fixUndo')}
          </button>
        </p>
      )}
      {photo.state === 'done' && offered.length > 0 && (
        <button type="button" className="fix-button" data-action="fix" onClick={() => act.requestFix(photo.id, offered)}>
          {t('fixButton', { fixes: names(t, offered) })}
        </button>
      )}
      {photo.state === 'done' && !photo.fixes?.length && (
        <>
          <button type="button" className="fix-button" data-action="turn" onClick={() => act.requestFix(photo.id, [], { quarterTurns: 1 })}>
            {t('turnByHand')}
          </button>
          <button type="button" className="fix-button" data-action="crop" onClick={() => act.requestFix(photo.id, ['crop'], { cropIfNoItem: FIRST_HAND_CROP })}>
            {t('cropByHand')}
          </button>
          {/* the coach's own straighten is not offered (its lean is seldom right on real photos): on a tilted photo it starts one by hand, from the model's angle where it finds one */}
          {reasons.includes('tilt') && (
            <button type="button" className="fix-button" data-action="straighten" onClick={() => act.requestFix(photo.id, ['straighten'], { straightenIfNone: STRAIGHTEN_STEP })}>
              {t('straightenByHand')}
            </button>
          )}
        </>
      )}
    </>
  );
}
