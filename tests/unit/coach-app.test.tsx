// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import axe from 'axe-core';
import { CoachError } from '../../src/core/errors';
import { createCoachStore, type ConfirmedPhoto } from '../../src/store';
import { CoachApp } from '../../src/ui/CoachApp';
import { countingUrls, fakeEngine, flush, makeScore, photoFile } from './helpers/fake-engine';

afterEach(cleanup);

function setup(locale: 'en' | 'ja' = 'en') {
  const fake = fakeEngine();
  const urls = countingUrls();
  const store = createCoachStore({ engine: fake.engine, locale, urls });
  const confirmed: ConfirmedPhoto[][] = [];
  const view = render(<CoachApp store={store} onConfirm={(p) => confirmed.push(p)} />);
  const addFiles = (...names: string[]) => fireEvent.change(screen.getByTestId('file-input'), { target: { files: names.map(photoFile) } });
  const tiles = () => screen.queryAllByRole('listitem').filter((li) => li.hasAttribute('data-photo'));
  const tile = (name: string) => tiles().find((t) => t.textContent!.includes(name))!;
  const settle = async (fn: () => void) => {
    await act(async () => {
      fn();
      await flush();
    });
  };
  return { fake, urls, store, view, addFiles, tiles, tile, settle, confirmed };
}

describe('CoachApp', () => {
  it('shows a failure on its own tile while the other photos get scores and advice', async () => {
    const { fake, addFiles, tile, tiles, settle } = setup();
    addFiles('a.jpg', 'b.jpg', 'c.jpg');
    expect(tiles()).toHaveLength(3);
    expect(within(tile('a.jpg')).getByRole('status').textContent).toMatch(/Waiting/);
    await settle(() => fake.jobs[0].start());
    expect(within(tile('a.jpg')).getByRole('status').textContent).toMatch(/Checking this photo/);
    await settle(() => {
      fake.jobs[0].resolve(makeScore(82));
      fake.jobs[1].reject(new CoachError('UNSUPPORTED_FORMAT', 'heic'));
      fake.jobs[2].resolve(makeScore(45, { underexposure: 0.7 }));
    });
    expect(tile('a.jpg').textContent).toContain('82');
    expect(tile('a.jpg').textContent).toContain('Great');
    expect(within(tile('b.jpg')).getByRole('alert').textContent).toMatch(/Save it as JPEG/);
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(tile('c.jpg').textContent).toContain('Needs work');
    expect(tile('c.jpg').textContent).toContain('Take it in daylight near a window');
    expect(tile('c.jpg').textContent!.split('too dark to see').length).toBe(2);
    expect(tile('a.jpg').textContent).toContain('Great photo');
  });

  it('shows the marketplace checks that need no model on the tile', async () => {
    const { fake, addFiles, tile, settle } = setup();
    addFiles('small.jpg');
    await settle(() => fake.jobs[0].resolve({ ...makeScore(80), width: 480, height: 640 }));
    const check = tile('small.jpg').querySelector('[data-check="SHORT_SIDE_UNDER_500"]');
    expect(check?.textContent).toContain('480×640');
  });

  it('remove aborts scoring and releases the thumbnail once', async () => {
    const { fake, urls, store, addFiles, tile, tiles } = setup();
    addFiles('a.jpg', 'b.jpg');
    const url = store.getState().photos[0].objectUrl;
    fireEvent.click(within(tile('a.jpg')).getByRole('button', { name: 'Remove' }));
    expect(fake.jobs[0].signal?.aborted).toBe(true);
    expect(urls.revoked.get(url)).toBe(1);
    expect(tiles()).toHaveLength(1);
    expect(screen.getByTestId('announcer').textContent).toContain('a.jpg removed');
  });

  it('reorders with the move buttons and keeps focus on the moved photo', async () => {
    const { store, addFiles, tile, tiles } = setup();
    addFiles('a.jpg', 'b.jpg', 'c.jpg');
    const names = () => tiles().map((t) => store.getState().photos.find((p) => p.id === t.dataset.photo)!.name);
    const later = within(tile('a.jpg')).getByRole('button', { name: 'Move later' });
    later.focus();
    fireEvent.click(later);
    expect(names()).toEqual(['b.jpg', 'a.jpg', 'c.jpg']);
    expect((document.activeElement as HTMLElement).dataset.action).toBe('later');
    expect(document.activeElement!.closest('[data-photo]')).toBe(tile('a.jpg'));
    fireEvent.click(within(tile('c.jpg')).getByRole('button', { name: 'Move earlier' }));
    expect(names()).toEqual(['b.jpg', 'c.jpg', 'a.jpg']);
    fireEvent.click(within(tile('a.jpg')).getByRole('button', { name: 'Make cover' }));
    expect(names()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(within(tile('a.jpg')).getByRole('button', { name: 'Move earlier' })).toHaveProperty('disabled', true);
    expect(within(tile('a.jpg')).getByText('Cover')).toBeTruthy();
  });

  it('recommends the best photo as cover', async () => {
    const { fake, addFiles, tile, settle } = setup();
    addFiles('a.jpg', 'b.jpg');
    await settle(() => {
      fake.jobs[0].resolve(makeScore(40));
      fake.jobs[1].resolve(makeScore(88));
    });
    expect(within(tile('b.jpg')).queryByText('Recommended cover')).toBeTruthy();
    expect(within(tile('a.jpg')).queryByText('Recommended cover')).toBeNull();
    expect(tile('a.jpg').textContent).not.toContain('Good photo');
  });

  it('confirms the files in order with their scores; a weak cover is never a block', async () => {
    const { fake, addFiles, settle, confirmed } = setup();
    addFiles('a.jpg', 'b.jpg');
    await settle(() => {
      fake.jobs[0].resolve(makeScore(30));
      fake.jobs[1].resolve(makeScore(90));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Use these photos' }));
    expect(confirmed[0].map((p) => [p.name, p.score?.overall, p.cover])).toEqual([
      ['a.jpg', 30, true],
      ['b.jpg', 90, false],
    ]);
    expect(confirmed[0][0].file).toBeInstanceOf(File);
  });

  it('puts the weak-cover note on the cover tile, dismissed once, back when the site asks', async () => {
    const { fake, store, addFiles, tile, settle } = setup();
    addFiles('a.jpg', 'b.jpg');
    await settle(() => {
      fake.jobs[0].resolve(makeScore(30));
      fake.jobs[1].resolve(makeScore(90));
    });
    const note = () => screen.queryByTestId('cover-nudge');
    expect(within(tile('a.jpg')).getByTestId('cover-nudge').textContent).toContain('cover photo could be better');
    expect(within(tile('b.jpg')).queryByTestId('cover-nudge')).toBeNull();
    fireEvent.click(within(note()!).getByRole('button', { name: 'Got it' }));
    expect(note()).toBeNull();
    // a better cover: nothing to ask about
    await act(async () => store.getState().setCover(store.getState().order[1]));
    expect(store.getState().askCoverNudge()).toBe(false);
    expect(note()).toBeNull();
    // the weak one first again: dismissed stays dismissed until the site asks before submitting
    await act(async () => store.getState().setCover(store.getState().order[1]));
    expect(note()).toBeNull();
    let shown = false;
    await act(async () => {
      shown = store.getState().askCoverNudge();
    });
    expect(shown).toBe(true);
    expect(within(tile('a.jpg')).getByTestId('cover-nudge')).toBe(document.activeElement);
  });

  it('has no weak-cover note while the cover is fine or not scored yet', async () => {
    const { fake, addFiles, settle } = setup('ja');
    addFiles('a.jpg');
    expect(screen.queryByTestId('cover-nudge')).toBeNull();
    await settle(() => fake.jobs[0].resolve(makeScore(20)));
    expect(screen.getByTestId('cover-nudge').textContent).toContain('カバー写真をもっと良くできます');
    expect(screen.getByRole('button', { name: '閉じる' })).toBeTruthy();
  });

  it('retake replaces the photo in its slot and shows the score change', async () => {
    const { fake, store, addFiles, tile, settle } = setup();
    addFiles('a.jpg', 'b.jpg');
    await settle(() => fake.jobs[0].resolve(makeScore(62)));
    const id = store.getState().order[0];
    fireEvent.change(screen.getByTestId(`retake-input-${id}`), { target: { files: [photoFile('a-retake.jpg')] } });
    expect(store.getState().order[0]).toBe(id);
    await settle(() => fake.jobs[2].resolve(makeScore(81)));
    const change = within(tile('a-retake.jpg')).getByTestId('score-change');
    expect(change.textContent).toContain('62 → 81');
    expect(change.textContent).toContain('Score changed from 62 to 81');
  });

  it('adds photos by drop and by paste', () => {
    const { addFiles, tiles } = setup();
    void addFiles;
    fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files: [photoFile('d.jpg')] } });
    const paste = new Event('paste', { bubbles: true }) as Event & { clipboardData: unknown };
    paste.clipboardData = { files: [photoFile('p.jpg')] };
    act(() => void document.dispatchEvent(paste));
    expect(tiles().map((t) => t.textContent!.match(/[dp]\.jpg/)?.[0])).toEqual(['d.jpg', 'p.jpg']);
  });

  it('offers a picker and a camera', () => {
    setup();
    const pick = screen.getByTestId('file-input');
    expect(pick.getAttribute('accept')).toBe('image/*');
    expect(pick.hasAttribute('multiple')).toBe(true);
    expect(screen.getByTestId('camera-input').getAttribute('capture')).toBe('environment');
  });

  it('shows the engine status and retries a failed engine', async () => {
    const engines = [fakeEngine(), fakeEngine()];
    let made = 0;
    const store = createCoachStore({ engine: () => engines[made++].engine, urls: countingUrls() });
    render(<CoachApp store={store} />);
    await act(flush);
    expect(screen.getByText('Getting the photo coach ready…')).toBeTruthy();
    await act(async () => {
      engines[0].fail(new CoachError('MODEL_LOAD_FAILED', 'offline'));
      await flush();
    });
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await act(async () => {
      engines[1].ready();
      await flush();
    });
    expect(screen.getByText('Photo coach ready')).toBeTruthy();
  });

  it('speaks Japanese', async () => {
    const { fake, addFiles, tile, settle } = setup('ja');
    addFiles('a.jpg', 'b.jpg');
    await settle(() => {
      fake.jobs[0].resolve(makeScore(45, { blur: 0.8 }));
      fake.jobs[1].reject(new CoachError('NOT_AN_IMAGE', 'txt'));
    });
    expect(screen.getByRole('button', { name: '写真を追加' })).toBeTruthy();
    expect(tile('a.jpg').textContent).toContain('要改善');
    expect(within(tile('a.jpg')).getByRole('button', { name: '撮り直す' })).toBeTruthy();
    expect(tile('b.jpg').textContent).toContain('写真ではありません');
    expect(screen.getByRole('button', { name: 'この写真を使う' })).toBeTruthy();
    // the reason, "ヒント：" and the tip run on without ASCII spaces, as Japanese is set
    const reason = tile('a.jpg').querySelector('li[data-aspect="blur"]')!.textContent!;
    expect(reason).toMatch(/。ヒント：\S/);
    expect(reason).not.toMatch(/ /);
  });

  it('has no axe violations with scored, failed and pending photos', async () => {
    const { fake, addFiles, view, settle } = setup();
    addFiles('a.jpg', 'b.jpg', 'c.jpg');
    await settle(() => {
      fake.jobs[0].resolve(makeScore(40, { blur: 0.7 }));
      fake.jobs[1].reject(new CoachError('TOO_LARGE', 'big'));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Use these photos' }));
    const result = await axe.run(view.container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`)).toEqual([]);
  });
});

describe('CoachApp framed by a page that may not receive photos', () => {
  it('tells the seller, keeps coaching, and offers nothing to confirm', async () => {
    const fake = fakeEngine();
    const store = createCoachStore({ engine: fake.engine, urls: countingUrls() });
    render(<CoachApp store={store} embed={Promise.resolve('refused')} />);
    await act(async () => {
      await flush();
    });
    expect(screen.getByTestId('embed-refused').textContent).toMatch(/not enabled for this website/);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [photoFile('a.jpg')] } });
    await act(async () => {
      fake.jobs[0].resolve(makeScore(70));
      await flush();
    });
    expect(screen.getByText('70')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /use these photos/i })).toBeNull();
  });

  it('shows no notice when connected', async () => {
    const store = createCoachStore({ engine: fakeEngine().engine, urls: countingUrls() });
    render(<CoachApp store={store} embed={Promise.resolve('connected')} />);
    await act(async () => {
      await flush();
    });
    expect(screen.queryByTestId('embed-refused')).toBeNull();
    expect(screen.getByRole('button', { name: /use these photos/i })).toBeTruthy();
  });
});

describe('CoachApp and repeated shots', () => {
  it('flags the later of two photos with the same fingerprint, naming the earlier one', async () => {
    const { fake, addFiles, tile, settle } = setup();
    addFiles('a.jpg', 'b.jpg', 'c.jpg');
    await settle(() => {
      fake.jobs[0].resolve({ ...makeScore(80), fingerprint: 'f0f0f0f0f0f0f0f0' });
      fake.jobs[1].resolve({ ...makeScore(70), fingerprint: '0f0f0f0f0f0f0f0f' });
      fake.jobs[2].resolve({ ...makeScore(75), fingerprint: 'f0f0f0f0f0f0f0f1' }); // 1 bit from a.jpg
    });
    expect(tile('a.jpg').querySelector('[data-check="SAME_SHOT"]')).toBeNull();
    expect(tile('b.jpg').querySelector('[data-check="SAME_SHOT"]')).toBeNull();
    expect(tile('c.jpg').querySelector('[data-check="SAME_SHOT"]')?.textContent).toMatch(/same shot as photo 1\b/);
  });
});
