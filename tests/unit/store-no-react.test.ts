// The store core must work where React is not installed.
vi.mock('react', () => {
  throw new Error('the store core imported react');
});

import { createCoachStore } from '../../src/store';
import { countingUrls, fakeEngine, flush, makeScore, photoFile } from './helpers/fake-engine';

it('the vanilla store scores photos without React', async () => {
  const fake = fakeEngine();
  const store = createCoachStore({ engine: fake.engine, urls: countingUrls() });
  store.getState().addFiles([photoFile('a.jpg')]);
  fake.jobs[0].resolve(makeScore(70));
  await flush();
  expect(store.getState().photos[0].score?.overall).toBe(70);
});
