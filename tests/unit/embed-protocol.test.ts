import {
  clampHeight,
  isChangeMessage,
  isEventMessage,
  isSignalMessage,
  isConfirmMessage,
  isResizeMessage,
  isCoverNudgeMessage,
  LIMITS,
  parseGuestParams,
  DEFAULT_LIMITS,
  parseOrigin,
  PROTOCOL_VERSION,
} from '../../src/embed/protocol';
import { confirmMessage, newEvents, summarize } from '../../src/embed/guest';
import { createCoachStore, selectCoverId } from '../../src/store';
import { CoachError } from '../../src/core/errors';
import { countingUrls, fakeEngine, flush, makeScore, photoFile } from './helpers/fake-engine';

describe('parseOrigin', () => {
  it.each([
    ['https://shop.example', 'https://shop.example'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:5173'],
    ['http://localhost:5174', 'http://localhost:5174'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://shop.example/', null],
    ['https://shop.example/listing', null],
    ['https://shop.example?x=1', null],
    ['https://shop.example#a', null],
    ['https://user:pw@shop.example', null],
    ['https://SHOP.example', null],
    ['https://shop.example:443', null],
    ['javascript:alert(1)', null],
    ['data:text/html,hi', null],
    ['file:///etc/passwd', null],
    ['null', null],
    ['*', null],
    ['', null],
    [' https://shop.example', null],
    [undefined, null],
    [42, null],
    [`https://${'a'.repeat(3000)}.example`, null],
  ])('%j → %j', (input, expected) => {
    expect(parseOrigin(input)).toBe(expected);
  });
});

describe('parseGuestParams', () => {
  it.each([
    ['?host=https%3A%2F%2Fshop.example&locale=ja', { host: 'https://shop.example', locale: 'ja', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?host=https://shop.example', { host: 'https://shop.example', locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?host=https://shop.example/evil&locale=fr', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?locale=ja', { host: null, locale: 'ja', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?host=https://shop.example&location=keep', { host: 'https://shop.example', locale: 'en', keepLocation: true, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?host=https://shop.example&location=1', { host: 'https://shop.example', locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?max-photos=5&max-bytes=2000000', { host: null, locale: 'en', keepLocation: false, limits: { photos: 5, bytesPerPhoto: 2_000_000 }, cropAspect: 1 }],
    ['?max-photos=500&max-bytes=1', { host: null, locale: 'en', keepLocation: false, limits: { photos: 50, bytesPerPhoto: 100_000 }, cropAspect: 1 }],
    ['?max-photos=abc', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?crop-aspect=1.5', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1.5 }],
    ['?crop-aspect=100', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 4 }],
    ['?crop-aspect=0', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
    ['?crop-aspect=wide', { host: null, locale: 'en', keepLocation: false, limits: DEFAULT_LIMITS, cropAspect: 1 }],
  ])('%s', (search, expected) => {
    expect(parseGuestParams(search)).toEqual(expected);
  });
});

const v = PROTOCOL_VERSION;
const file = photoFile('a.jpg');
const summary = { id: '1', file, name: 'a.jpg', state: 'done', score: 80, band: 'great', cover: true, model: '1.0.0' };
const confirmed = { file, name: 'a.jpg', score: 80, band: 'great', cover: true, model: '1.0.0' };

describe('message guards', () => {
  it.each([
    ['valid', { v, photos: [summary] }, true],
    ['empty', { v, photos: [] }, true],
    ['pending photo', { v, photos: [{ ...summary, state: 'scoring', score: null, band: null }] }, true],
    ['wrong version', { v: v + 1, photos: [summary] }, false],
    ['no version', { photos: [summary] }, false],
    ['not an array', { v, photos: {} }, false],
    ['too many', { v, photos: Array.from({ length: LIMITS.photos + 1 }, (_, i) => ({ ...summary, id: `${i}`, cover: i === 0 })) }, false],
    ['two photos, one id', { v, photos: [summary, { ...summary, cover: false }] }, false],
    ['two covers', { v, photos: [summary, { ...summary, id: '2' }] }, false],
    ['no id', { v, photos: [{ ...summary, id: '' }] }, false],
    ['a refused file without its file, not the cover', { v, photos: [{ ...summary, state: 'error', file: null, score: null, band: null, cover: false }] }, true],
    ['a refused file as the cover', { v, photos: [{ ...summary, state: 'error', file: null, score: null, band: null }] }, false],
    ['a photo the model could not score, with its file', { v, photos: [{ ...summary, state: 'error', score: null, band: null }] }, true],
    ['a photo without its file', { v, photos: [{ ...summary, file: null }] }, false],
    ['file is a plain object', { v, photos: [{ ...summary, file: { name: 'a.jpg' } }] }, false],
    ['unknown state', { v, photos: [{ ...summary, state: 'hacked' }] }, false],
    ['score out of range', { v, photos: [{ ...summary, score: 101 }] }, false],
    ['NaN score', { v, photos: [{ ...summary, score: NaN }] }, false],
    ['unknown band', { v, photos: [{ ...summary, band: 'superb' }] }, false],
    ['long name', { v, photos: [{ ...summary, name: 'x'.repeat(LIMITS.name + 1) }] }, false],
    ['kept fixes', { v, photos: [{ ...summary, fixes: ['colour', 'exposure'] }] }, true],
    ['no fixes field (an older coach)', { v, photos: [summary] }, true],
    ['an unknown fix', { v, photos: [{ ...summary, fixes: ['beautify'] }] }, false],
    ['a fix twice', { v, photos: [{ ...summary, fixes: ['turn', 'turn'] }] }, false],
    ['fixes not a list', { v, photos: [{ ...summary, fixes: 'turn' }] }, false],
    ['null', null, false],
    ['string', 'hi', false],
  ])('change: %s', (_, m, ok) => {
    expect(isChangeMessage(m)).toBe(ok);
  });

  it.each([
    ['valid', { v, photos: [confirmed, { ...confirmed, cover: false, score: null, band: null }] }, true],
    ['file is a plain object', { v, photos: [{ ...confirmed, file: { name: 'a.jpg' } }] }, false],
    ['file is a Blob, not a File', { v, photos: [{ ...confirmed, file: new Blob(['x']) }] }, false],
    ['two covers', { v, photos: [confirmed, confirmed] }, false],
    ['wrong version', { v: 0, photos: [confirmed] }, false],
    ['too many', { v, photos: Array(LIMITS.photos + 1).fill({ ...confirmed, cover: false }) }, false],
  ])('confirm: %s', (_, m, ok) => {
    expect(isConfirmMessage(m)).toBe(ok);
  });

  it.each([
    ['engine failed', { v, event: { code: 'ENGINE_FAILED', message: 'x' } }, true],
    ['photo failed', { v, event: { code: 'PHOTO_FAILED', message: 'x', photo: { id: '3', name: 'a.txt', error: 'NOT_AN_IMAGE' } } }, true],
    ['photo failed, which photo?', { v, event: { code: 'PHOTO_FAILED', message: 'x' } }, false],
    ['unknown code', { v, event: { code: 'HACKED', message: 'x' } }, false],
    ['long message', { v, event: { code: 'ENGINE_FAILED', message: 'x'.repeat(501) } }, false],
    ['wrong version', { v: 0, event: { code: 'ENGINE_FAILED', message: 'x' } }, false],
  ])('event: %s', (_, m, ok) => {
    expect(isEventMessage(m)).toBe(ok);
  });

  it.each([
    [{ namespace: 'photo-coach', type: 'refused' }, true],
    [{ namespace: 'photo-coach', type: 'hello', v: 1 }, true],
    [{ namespace: 'photo-coach', type: 'refused', why: 'not listed' }, false], // refusals carry nothing
    [{ namespace: 'photo-coach', type: 'hello', v: '1' }, false],
    [{ namespace: 'penpal', type: 'refused' }, false],
  ])('signal %j', (m, ok) => {
    expect(isSignalMessage(m)).toBe(ok);
  });

  it.each([
    [{ v, height: 640 }, true],
    [{ v, height: 0 }, true],
    [{ v, height: -1 }, false],
    [{ v, height: Infinity }, false],
    [{ v, height: '640' }, false],
    [{ height: 640 }, false],
  ])('resize %j', (m, ok) => {
    expect(isResizeMessage(m)).toBe(ok);
  });

  it.each([
    [{ v, shown: true, top: 120 }, true],
    [{ v, shown: false, top: null }, true],
    [{ v, shown: true, top: null }, false],
    [{ v, shown: false, top: 5 }, false],
    [{ v, shown: true, top: -1 }, false],
    [{ v, shown: true, top: LIMITS.height + 1 }, false],
    [{ v, shown: 'yes', top: 1 }, false],
    [{ shown: false, top: null }, false],
  ])('cover nudge %j', (m, ok) => {
    expect(isCoverNudgeMessage(m)).toBe(ok);
  });

  it.each([
    [640.2, 641],
    [-5, 0],
    [1e9, LIMITS.height],
  ])('clampHeight(%d) = %d', (h, out) => {
    expect(clampHeight(h)).toBe(out);
  });
});

describe('guest payloads', () => {
  it('summaries and confirmations pass the host guards', async () => {
    const fake = fakeEngine();
    const store = createCoachStore({ engine: fake.engine, urls: countingUrls() });
    store.getState().addFiles([photoFile('a.jpg'), photoFile('b.jpg')]);
    fake.jobs[0].resolve(makeScore(71.6));
    await flush();
    const change = summarize(store.getState());
    const [a, b] = store.getState().photos;
    expect(change.photos).toEqual([
      { id: a.id, file: a.file, name: 'a.jpg', state: 'done', score: 72, band: 'ok', cover: true, model: null, fixes: [] },
      { id: b.id, file: b.file, name: 'b.jpg', state: 'queued', score: null, band: null, cover: false, model: null, fixes: [] },
    ]);
    expect(isChangeMessage(change)).toBe(true);
    expect(isConfirmMessage(confirmMessage(store.getState().confirm()))).toBe(true);
  });

  it('a refused file first in line is neither the cover nor sent; the next photo is the cover', async () => {
    const fake = fakeEngine();
    const store = createCoachStore({ engine: fake.engine, urls: countingUrls() });
    store.getState().addFiles([photoFile('notes.txt'), photoFile('b.jpg')]);
    fake.jobs[0].reject(new CoachError('NOT_AN_IMAGE', 'text'));
    fake.jobs[1].resolve(makeScore(60));
    await flush();
    const [bad, good] = store.getState().photos;
    expect(selectCoverId(store.getState())).toBe(good.id);
    store.getState().setCover(bad.id);
    expect(selectCoverId(store.getState())).toBe(good.id);
    expect(store.getState().order[0]).toBe(bad.id); // the seller's order is left alone
    const change = summarize(store.getState());
    expect(change.photos.map((p) => [p.name, p.file !== null, p.cover])).toEqual([
      ['notes.txt', false, false],
      ['b.jpg', true, true],
    ]);
    expect(isChangeMessage(change)).toBe(true);
    expect(
      store
        .getState()
        .confirm()
        .map((p) => [p.name, p.cover]),
    ).toEqual([['b.jpg', true]]);
    // the listing page hears of the refused file once
    const sent = new Map<string, string>();
    expect(newEvents(store.getState(), sent)).toEqual([{ code: 'PHOTO_FAILED', message: expect.stringContaining('notes.txt'), photo: { id: bad.id, name: 'notes.txt', error: 'NOT_AN_IMAGE' } }]);
    expect(newEvents(store.getState(), sent)).toEqual([]);
  });
});

describe("the listing site's limits", () => {
  it('adds what fits, says how many were left out, and refuses a file over the byte limit without scoring it', async () => {
    const fake = fakeEngine();
    const store = createCoachStore({ engine: fake.engine, urls: countingUrls(), limits: { photos: 2, bytesPerPhoto: 1000 } });
    const big = new File([new Uint8Array(5000)], 'big.jpg', { type: 'image/jpeg' });
    const ids = store.getState().addFiles([photoFile('a.jpg'), big, photoFile('c.jpg')]);
    expect(ids).toHaveLength(2);
    expect(store.getState().leftOut).toBe(1);
    const [, refused] = store.getState().photos;
    expect(refused).toMatchObject({ name: 'big.jpg', state: 'error', error: { code: 'OVER_SITE_LIMIT' } });
    expect(fake.jobs).toHaveLength(1); // only a.jpg is scored
    expect(summarize(store.getState()).photos.map((p) => p.file !== null)).toEqual([true, false]);
    store.getState().addFiles([photoFile('d.jpg')]);
    expect(store.getState().photos).toHaveLength(2);
    store.getState().remove(refused.id);
    expect(store.getState().leftOut).toBe(0);
  });
});
