// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { FixPlan, FixPreview } from '../../src/core/fixes';
import { CoachError } from '../../src/core/errors';
import { createCoachStore, fixedName } from '../../src/store';
import { CoachApp } from '../../src/ui/CoachApp';
import { countingUrls, fakeEngine, flush, makeScore, photoFile } from './helpers/fake-engine';

afterEach(cleanup);

const plan = (fixes: FixPlan['fixes']): FixPlan => ({
  fixes,
  quarterTurns: 0,
  straighten: 0,
  gains: [1, 1, 1],
  curve: fixes.includes('exposure') ? Array.from({ length: 256 }, (_, v) => v) : [],
  crop: fixes.includes('crop') ? { x: 0.1, y: 0.2, width: 0.5, height: 0.5 } : null,
});
const preview = (overall: number, fixes: FixPlan['fixes'] = ['exposure']): FixPreview => ({
  plan: plan(fixes),
  frame: { width: 800, height: 600 },
  score: makeScore(overall),
  preview: new Blob(['jpeg']),
});

function setup(locale: 'en' | 'ja' = 'en') {
  const fake = fakeEngine();
  const urls = countingUrls();
  const store = createCoachStore({ engine: fake.engine, locale, urls });
  render(<CoachApp store={store} />);
  const settle = async (fn: () => void) => {
    await act(async () => {
      fn();
      await flush();
    });
  };
  const tile = () => screen.getAllByRole('listitem').find((li) => li.hasAttribute('data-photo'))!;
  return { fake, urls, store, settle, tile };
}

/** A dark photo, scored: "too dark" is a reason, and exposure a fix. */
async function darkPhoto(locale: 'en' | 'ja' = 'en') {
  const s = setup(locale);
  fireEvent.change(screen.getByTestId('file-input'), { target: { files: [photoFile('keypad.jpg')] } });
  await s.settle(() => s.fake.jobs[0].resolve(makeScore(20, { underexposure: 0.8 })));
  return s;
}

describe('one-tap fixes on a tile', () => {
  it('offers the fix for the reason, previews it with its score, keeps it: the fixed JPEG takes the slot and is scored', async () => {
    const { fake, store, settle, tile, urls } = await darkPhoto();
    const fix = within(tile()).getByRole('button', { name: 'Fix: brighten' });
    const original = store.getState().photos[0].file;
    fireEvent.click(fix);
    expect(within(tile()).getByRole('status').textContent).toMatch(/Making the fix/);
    expect(fake.fixJobs[0].fixes).toEqual(['exposure']);
    await settle(() => fake.fixJobs[0].resolve(preview(58)));
    const panel = within(tile()).getByTestId('fix-preview');
    expect(within(panel).getByAltText('Before')).toBeTruthy();
    expect(within(panel).getByAltText('After: brighten')).toBeTruthy();
    expect(within(panel).getByTestId('fix-score').textContent).toBe('Score after the fix: 58 (now 20)');
    expect(within(panel).queryByTestId('level-grid')).toBeNull();

    fireEvent.click(within(panel).getByRole('button', { name: 'Keep the fix' }));
    // the full-size fix starts from the photo as added, within the site's byte limit
    expect(fake.renderJobs[0]).toMatchObject({ file: original, maxBytes: store.getState().limits.bytesPerPhoto });
    await settle(() => fake.renderJobs[0].resolve(new Blob(['fixed jpeg'], { type: 'image/jpeg' })));
    const photo = store.getState().photos[0];
    expect(photo).toMatchObject({ name: 'keypad-fixed.jpg', state: 'queued', fixes: ['exposure'], original: { file: original } });
    expect(photo.file.type).toBe('image/jpeg');
    expect(fake.jobs[1].file).toBe(photo.file);
    await settle(() => fake.jobs[1].resolve(makeScore(57)));
    expect(within(tile()).getByTestId('score-change').textContent).toContain('20 → 57');
    expect(within(tile()).getByTestId('fix-applied').textContent).toContain('Fixed: brighten.');
    // the preview's URL is freed once kept; the original's is kept for Undo
    expect([...urls.revoked.values()].every((n) => n === 1)).toBe(true);
    expect(store.getState().confirm()[0]).toMatchObject({ name: 'keypad-fixed.jpg', fixes: ['exposure'] });

    // undo: the photo as added, with its own score, nothing re-scored
    fireEvent.click(within(tile()).getByRole('button', { name: 'Undo fix' }));
    expect(store.getState().photos[0]).toMatchObject({ file: original, name: 'keypad.jpg', state: 'done', score: { overall: 20 } });
    expect(store.getState().photos[0].fixes).toBeUndefined();
    expect(fake.jobs).toHaveLength(2);
  });

  it('discard leaves the photo as it was', async () => {
    const { fake, store, settle, tile } = await darkPhoto();
    const before = store.getState().photos[0];
    fireEvent.click(within(tile()).getByRole('button', { name: 'Fix: brighten' }));
    await settle(() => fake.fixJobs[0].resolve(preview(50)));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Discard' }));
    expect(within(tile()).queryByTestId('fix-preview')).toBeNull();
    expect(store.getState().photos[0]).toMatchObject({ file: before.file, score: before.score, fix: undefined });
  });

  it('a fix that fails says so on its tile and changes nothing else', async () => {
    const { fake, store, settle, tile } = await darkPhoto();
    fireEvent.click(within(tile()).getByRole('button', { name: 'Fix: brighten' }));
    await settle(() => fake.fixJobs[0].resolve(preview(50)));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Keep the fix' }));
    await settle(() => fake.renderJobs[0].reject(new CoachError('TOO_LARGE', 'out of memory')));
    expect(within(tile()).getByRole('alert').textContent).toContain('The fix could not be made. Your photo is unchanged.');
    expect(store.getState().photos[0]).toMatchObject({ name: 'keypad.jpg', state: 'done', score: { overall: 20 } });
    expect(store.getState().photos[0].fixes).toBeUndefined();
  });

  it('says when the fix would change nothing', async () => {
    const { fake, settle, tile } = await darkPhoto();
    fireEvent.click(within(tile()).getByRole('button', { name: 'Fix: brighten' }));
    await settle(() => fake.fixJobs[0].resolve(preview(20, [])));
    expect(within(tile()).getByTestId('fix-message').textContent).toContain('found nothing');
  });

  it('offers nothing for reasons that need a retake, and speaks Japanese', async () => {
    const { fake, settle, tile } = setup('ja');
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [photoFile('blurry.jpg')] } });
    await settle(() => fake.jobs[0].resolve(makeScore(20, { blur: 0.9 })));
    expect(within(tile()).queryByRole('button', { name: /補正する/ })).toBeNull();
    cleanup();
    const dark = await darkPhoto('ja');
    expect(within(dark.tile()).getByRole('button', { name: '補正する：明るく' })).toBeTruthy();
  });

  it('turns by hand: any scored photo, and further from the preview, either way', async () => {
    const { fake, settle, tile } = await darkPhoto();
    fireEvent.click(within(tile()).getByRole('button', { name: 'Turn' }));
    expect(fake.fixJobs[0]).toMatchObject({ fixes: [], hand: { quarterTurns: 1 } });
    await settle(() => fake.fixJobs[0].resolve({ ...preview(21, ['turn']), plan: { ...plan(['turn']), quarterTurns: 1 } }));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Turn right' }));
    expect(fake.fixJobs[1]).toMatchObject({ hand: { quarterTurns: 2 } });
    await settle(() => fake.fixJobs[1].resolve({ ...preview(21, ['turn']), plan: { ...plan(['turn']), quarterTurns: 2 } }));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Turn left' }));
    expect(fake.fixJobs[2]).toMatchObject({ hand: { quarterTurns: 1 } });
  });

  it('straightens by hand on a photo the coach finds tilted: from the model’s angle, a degree at a time, kept through a turn, in both locales', async () => {
    const tilted = async (locale: 'en' | 'ja') => {
      const s = setup(locale);
      fireEvent.change(screen.getByTestId('file-input'), { target: { files: [photoFile('shelf.jpg')] } });
      await s.settle(() => s.fake.jobs[0].resolve(makeScore(30, { tilt: 0.8 })));
      return s;
    };
    const straightened = (degrees: number): FixPreview => ({ ...preview(32, ['straighten']), plan: { ...plan(['straighten']), straighten: degrees } });
    const { fake, settle, tile } = await tilted('en');
    fireEvent.click(within(tile()).getByRole('button', { name: 'Straighten' }));
    // the model's angle where it finds one, else a degree counter-clockwise to start from
    expect(fake.fixJobs[0]).toMatchObject({ fixes: ['straighten'], hand: { straightenIfNone: 1 } });
    await settle(() => fake.fixJobs[0].resolve(straightened(2)));
    const controls = () => within(tile()).getByRole('group', { name: 'Adjust the straighten' });
    expect(within(controls()).getByTestId('straighten-angle').textContent).toBe('Rotated 2.0° left');
    expect(within(tile()).getByTestId('fix-preview').dataset.straighten).toBe('2');
    // a level grid over the after photo to line an edge up with
    expect(within(tile()).getByTestId('level-grid').getAttribute('aria-hidden')).toBe('true');
    fireEvent.click(within(controls()).getByRole('button', { name: 'Rotate 1° right' }));
    expect(fake.fixJobs[1]).toMatchObject({ fixes: ['straighten'], hand: { straighten: 1 } });
    await settle(() => fake.fixJobs[1].resolve(straightened(1)));
    // one more step right is the photo as it is: Discard says that, the step does not
    expect((within(controls()).getByRole('button', { name: 'Rotate 1° right' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(controls()).getByRole('button', { name: 'Rotate 1° left' }));
    expect(fake.fixJobs[2].hand).toMatchObject({ straighten: 2 });
    await settle(() => fake.fixJobs[2].resolve(straightened(-12)));
    // never past the straighten's reach
    expect(within(controls()).getByTestId('straighten-angle').textContent).toBe('Rotated 12.0° right');
    expect((within(controls()).getByRole('button', { name: 'Rotate 1° right' }) as HTMLButtonElement).disabled).toBe(true);
    // a turn by hand keeps the angle
    fireEvent.click(within(tile()).getByRole('button', { name: 'Turn right' }));
    expect(fake.fixJobs[3].hand).toMatchObject({ quarterTurns: 1, straighten: -12 });
    cleanup();
    // a photo the coach does not find tilted has no straighten by hand
    const dark = await darkPhoto();
    expect(within(dark.tile()).queryByRole('button', { name: 'Straighten' })).toBeNull();
    cleanup();
    const ja = await tilted('ja');
    fireEvent.click(within(ja.tile()).getByRole('button', { name: '傾き補正' }));
    await ja.settle(() => ja.fake.fixJobs[0].resolve(straightened(-3)));
    const jaControls = within(ja.tile()).getByRole('group', { name: '傾きの調整' });
    expect(within(jaControls).getByTestId('straighten-angle').textContent).toBe('右に3.0°回転');
    expect(within(jaControls).getByRole('button', { name: '左に1°回す' })).toBeTruthy();
    expect(within(ja.tile()).getByAltText('補正後：傾きを直す')).toBeTruthy();
  });

  it('crops from any scored photo: to the item or from the middle, then by hand tighter, wider and over, at the site’s shape, in both locales', async () => {
    const { fake, store, settle, tile } = await darkPhoto();
    fireEvent.click(within(tile()).getByRole('button', { name: 'Crop' }));
    // the coach's crop to the item, or where the seller's starts when it finds none
    expect(fake.fixJobs[0]).toMatchObject({ fixes: ['crop'], hand: { cropIfNoItem: { size: 0.9, cx: 0.5, cy: 0.5 } }, aspect: store.getState().cropAspect });
    expect(store.getState().cropAspect).toBe(1);
    await settle(() => fake.fixJobs[0].resolve(preview(30, ['crop'])));
    // named for what it is, whether the coach found the item or the seller starts in the middle
    expect(within(tile()).getByAltText('After: crop')).toBeTruthy();
    // and outlined on the photo as it is
    expect(within(tile()).getByTestId('crop-outline').style).toMatchObject({ left: '10%', top: '20%', width: '50%', height: '50%' });
    const controls = within(tile()).getByRole('group', { name: 'Adjust the crop' });
    // the preview's crop is 0.5 × 0.5 of an 800 × 600 frame from (0.1, 0.2): 400 px of the 600 a square can take
    fireEvent.click(within(controls).getByRole('button', { name: 'Crop tighter' }));
    const tighter = fake.fixJobs[1].hand!.crop!;
    expect(tighter.size).toBeCloseTo((400 / 600) * (5 / 6));
    expect([tighter.cx, tighter.cy]).toEqual([0.35, 0.45]);
    await settle(() => fake.fixJobs[1].resolve(preview(31, ['crop'])));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Move crop right' }));
    const right = fake.fixJobs[2].hand!.crop!;
    expect(right.cx).toBeGreaterThan(0.35);
    expect(right.cy).toBe(0.45);
    await settle(() => fake.fixJobs[2].resolve(preview(31, ['crop'])));
    fireEvent.click(within(tile()).getByRole('button', { name: 'Crop wider' }));
    expect(fake.fixJobs[3].hand!.crop!.size).toBeCloseTo((400 / 600) * (6 / 5));
    cleanup();
    const ja = await darkPhoto('ja');
    fireEvent.click(within(ja.tile()).getByRole('button', { name: '切り抜き' }));
    await ja.settle(() => ja.fake.fixJobs[0].resolve(preview(30, ['crop'])));
    expect(within(ja.tile()).getByRole('group', { name: '切り抜きの調整' })).toBeTruthy();
    expect(within(ja.tile()).getByAltText('補正後：切り抜き')).toBeTruthy();
  });

  it('takes the crop shape the listing site set', async () => {
    const fake = fakeEngine();
    const store = createCoachStore({ engine: fake.engine, urls: countingUrls(), cropAspect: 4 / 3 });
    render(<CoachApp store={store} />);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [photoFile('keypad.jpg')] } });
    await act(async () => {
      fake.jobs[0].resolve(makeScore(20, { framing: 0.8 }));
      await flush();
    });
    const tile = screen.getAllByRole('listitem').find((li) => li.hasAttribute('data-photo'))!;
    fireEvent.click(within(tile).getByRole('button', { name: 'Crop' }));
    expect(fake.fixJobs[0].aspect).toBeCloseTo(4 / 3);
  });

  it('names the fixed file after the original', () => {
    expect(fixedName('IMG_0042.HEIC')).toBe('IMG_0042-fixed.jpg');
    expect(fixedName('.jpg')).toBe('photo-fixed.jpg');
  });
});
