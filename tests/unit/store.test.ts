import { createCoachStore, selectCoverId, selectOrdered } from '../../src/store';
import { CoachError } from '../../src/core/errors';
import { countingUrls, fakeEngine, flush, makeScore, photoFile } from './helpers/fake-engine';

function setup() {
  const fake = fakeEngine();
  const urls = countingUrls();
  const store = createCoachStore({ engine: fake.engine, urls });
  return { fake, urls, store, s: () => store.getState() };
}

describe('coach store', () => {
  it('scores each photo on its own; one failure leaves the others alone', async () => {
    const { fake, s } = setup();
    const [a, b, c] = s().addFiles([photoFile('a.jpg'), photoFile('b.jpg'), photoFile('c.jpg')]);
    expect(s().photos.map((p) => p.state)).toEqual(['queued', 'queued', 'queued']);
    fake.jobs[0].start();
    expect(s().photos[0].state).toBe('scoring');
    fake.jobs[0].resolve(makeScore(80));
    fake.jobs[1].reject(new CoachError('CORRUPT_IMAGE', 'bad jpeg'));
    fake.jobs[2].resolve(makeScore(40));
    await flush();
    const byId = (id: string) => s().photos.find((p) => p.id === id)!;
    expect(byId(a)).toMatchObject({ state: 'done', score: { overall: 80 } });
    expect(byId(b)).toMatchObject({ state: 'error', error: { code: 'CORRUPT_IMAGE' } });
    expect(byId(c)).toMatchObject({ state: 'done', score: { overall: 40 } });
  });

  it('maps unknown failures to INTERNAL', async () => {
    const { fake, s } = setup();
    s().addFiles([photoFile('a.jpg')]);
    fake.jobs[0].reject(new TypeError('boom'));
    await flush();
    expect(s().photos[0].error).toEqual({ code: 'INTERNAL', message: 'boom' });
  });

  it('remove aborts the job, revokes the URL once, and ignores a late result', async () => {
    const { fake, urls, s } = setup();
    const [a] = s().addFiles([photoFile('a.jpg')]);
    const url = s().photos[0].objectUrl;
    s().remove(a);
    s().remove(a);
    expect(fake.jobs[0].signal?.aborted).toBe(true);
    fake.jobs[0].resolve(makeScore(90));
    await flush();
    expect(s().photos).toEqual([]);
    expect(urls.revoked.get(url)).toBe(1);
    s().dispose();
    expect(urls.revoked.get(url)).toBe(1);
  });

  it('reset starts a fresh listing: no photos, every job aborted, the cover note back to its default', async () => {
    const { fake, urls, s } = setup();
    s().addFiles([photoFile('a.jpg'), photoFile('b.jpg')]);
    fake.jobs[0].resolve(makeScore(20));
    await flush();
    s().dismissCoverNudge();
    s().reset();
    expect(s()).toMatchObject({ photos: [], order: [], leftOut: 0, coverNudge: 'auto' });
    expect(selectCoverId(s())).toBeNull();
    expect(fake.jobs[1].signal?.aborted).toBe(true);
    expect([...urls.revoked.values()]).toEqual([1, 1]);
  });

  it('replace keeps the slot, aborts the old job, and keeps the old score for the change', async () => {
    const { fake, urls, s } = setup();
    const [a, b] = s().addFiles([photoFile('a.jpg'), photoFile('b.jpg')]);
    fake.jobs[0].resolve(makeScore(62));
    await flush();
    const oldUrl = s().photos[0].objectUrl;
    s().replace(a, photoFile('a2.jpg'));
    expect(urls.revoked.get(oldUrl)).toBe(1);
    expect(s().order).toEqual([a, b]);
    expect(s().photos[0]).toMatchObject({ name: 'a2.jpg', state: 'queued', previousScore: { overall: 62 } });
    fake.jobs[2].resolve(makeScore(81));
    await flush();
    expect(s().photos[0]).toMatchObject({ state: 'done', score: { overall: 81 }, previousScore: { overall: 62 } });
  });

  it('replacing a photo still being scored drops the old job', async () => {
    const { fake, s } = setup();
    const [a] = s().addFiles([photoFile('a.jpg')]);
    s().replace(a, photoFile('a2.jpg'));
    expect(fake.jobs[0].signal?.aborted).toBe(true);
    fake.jobs[0].resolve(makeScore(10));
    fake.jobs[1].resolve(makeScore(70));
    await flush();
    expect(s().photos[0].score?.overall).toBe(70);
  });

  it('moves within bounds and keeps the cover as the first photo', () => {
    const { s } = setup();
    const [a, b, c] = s().addFiles([photoFile('a.jpg'), photoFile('b.jpg'), photoFile('c.jpg')]);
    expect(selectCoverId(s())).toBe(a);
    s().move(a, 1);
    expect(s().order).toEqual([b, a, c]);
    expect(selectCoverId(s())).toBe(b);
    s().move(c, -10);
    expect(s().order).toEqual([c, b, a]);
    s().move(a, 1);
    expect(s().order).toEqual([c, b, a]);
    s().setCover(a);
    expect(s().order).toEqual([a, c, b]);
    expect(selectOrdered(s()).map((p) => p.name)).toEqual(['a.jpg', 'c.jpg', 'b.jpg']);
  });

  it('confirm returns files in order with scores, leaving out unusable files', async () => {
    const { fake, s } = setup();
    const [a, b, c] = s().addFiles([photoFile('a.jpg'), photoFile('b.jpg'), photoFile('c.jpg')]);
    fake.jobs[0].resolve(makeScore(50));
    fake.jobs[1].reject(new CoachError('NOT_AN_IMAGE', 'text'));
    fake.jobs[2].resolve(makeScore(90));
    await flush();
    s().setCover(c);
    const out = s().confirm();
    expect(out.map((p) => [p.name, p.score?.overall, p.cover])).toEqual([
      ['c.jpg', 90, true],
      ['a.jpg', 50, false],
    ]);
    expect(out[0].file).toBe(s().photos.find((p) => p.id === c)!.file);
    void a;
    void b;
  });

  it('dispose aborts every job and revokes every URL once', () => {
    const { fake, urls, s } = setup();
    s().addFiles([photoFile('a.jpg'), photoFile('b.jpg')]);
    const made = s().photos.map((p) => p.objectUrl);
    s().dispose();
    s().dispose();
    expect(fake.jobs.every((j) => j.signal?.aborted)).toBe(true);
    expect(made.map((u) => urls.revoked.get(u))).toEqual([1, 1]);
    expect(fake.engine.disposed).toBe(1);
  });

  it('reports the engine status and starts a fresh engine on retry', async () => {
    const engines = [fakeEngine(), fakeEngine()];
    let made = 0;
    const store = createCoachStore({ engine: () => engines[made++].engine, urls: countingUrls() });
    const s = () => store.getState();
    await flush();
    expect(s().engine.state).toBe('loading');
    s().addFiles([photoFile('a.jpg')]);
    engines[0].fail(new CoachError('MODEL_LOAD_FAILED', 'offline'));
    engines[0].jobs[0].reject(new CoachError('MODEL_LOAD_FAILED', 'offline'));
    await flush();
    expect(s().engine).toMatchObject({ state: 'failed', error: { code: 'MODEL_LOAD_FAILED' } });
    expect(s().photos[0].state).toBe('error');
    s().retryEngine();
    expect(engines[0].engine.disposed).toBe(1);
    expect(s().photos[0].state).toBe('queued');
    engines[1].ready();
    engines[1].jobs[0].resolve(makeScore(77));
    await flush();
    expect(s().engine.state).toBe('ready');
    expect(s().photos[0].score?.overall).toBe(77);
  });
});
