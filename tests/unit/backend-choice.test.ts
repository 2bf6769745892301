import type { BackendName } from '../../src/core/engine-types';
import { chooseBackend, choiceKey, decide, isSoftwareRenderer, mapStore, type ChooseOptions } from '../../tools/bench/page/backend-choice';

const SWIFTSHADER = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const GPU = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)';

/** A fake model timer: fixed ms per backend, a fake clock that advances by the time spent. */
function fakeTimer(perRun: Partial<Record<BackendName, number | Error>>) {
  let clock = 0;
  const calls: BackendName[] = [];
  const time = async (backend: BackendName, runs: number) => {
    calls.push(backend);
    const t = perRun[backend];
    if (t === undefined || t instanceof Error) throw t ?? new Error('did not initialise');
    clock += t * (runs + 1);
    return Array.from({ length: runs }, (_, i) => t + i); // slightly different runs
  };
  return { time, calls, now: () => clock };
}

const opts = (renderer: string, t: ReturnType<typeof fakeTimer>, extra: Partial<ChooseOptions> = {}): ChooseOptions => ({
  modelVersion: '1.0.0',
  renderer,
  time: t.time,
  now: t.now,
  store: null,
  ...extra,
});

describe('backend choice', () => {
  it('recognises software renderers', () => {
    expect(isSoftwareRenderer(SWIFTSHADER)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('')).toBe(true);
    expect(isSoftwareRenderer(GPU)).toBe(false);
    expect(isSoftwareRenderer('Apple GPU')).toBe(false);
    expect(isSoftwareRenderer('Mali-G52')).toBe(false);
  });

  it('on a software renderer times wasm first and WebGL only when asked to', async () => {
    const t = fakeTimer({ webgl: 380, wasm: 52 });
    const c = await chooseBackend(opts(SWIFTSHADER, t));
    expect(c.backend).toBe('wasm');
    expect(c.reason).toBe('wasm 53 ms (SwiftShader renderer: software); webgl: not timed: software renderer, where WebGL runs this model 10–20× slower than wasm');
    expect(c.software).toBe(true);
    expect(t.calls).toEqual(['wasm']);

    const both = fakeTimer({ webgl: 380, wasm: 52 });
    const d = await chooseBackend(opts(SWIFTSHADER, both, { timeSoftwareWebgl: true }));
    expect(d.reason).toBe('wasm 53 ms vs webgl 381 ms (SwiftShader renderer: software)');
    expect(both.calls).toEqual(['wasm', 'webgl']);
    // a software WebGL that beats wasm wins
    expect((await chooseBackend(opts(SWIFTSHADER, fakeTimer({ webgl: 30, wasm: 52 }), { timeSoftwareWebgl: true }))).backend).toBe('webgl');
  });

  it('on a software renderer still times WebGL when wasm cannot run', async () => {
    const t = fakeTimer({ webgl: 380, wasm: new Error('no WebAssembly') });
    expect((await chooseBackend(opts(SWIFTSHADER, t))).backend).toBe('webgl');
    expect(t.calls).toEqual(['wasm', 'webgl']);
  });

  it('on a real GPU keeps WebGL while it is within 10% of the fastest', async () => {
    expect((await chooseBackend(opts(GPU, fakeTimer({ webgl: 40, wasm: 37 })))).backend).toBe('webgl');
    const kept = decide(
      [
        { backend: 'webgl', ms: [40] },
        { backend: 'wasm', ms: [37] },
      ],
      GPU,
    )!;
    expect(kept.reason).toContain('WebGL kept on a GPU');
    expect((await chooseBackend(opts(GPU, fakeTimer({ webgl: 40, wasm: 30 })))).backend).toBe('wasm');
  });

  it('the choice is never more than 10% slower than the best timed backend', () => {
    for (const [g, w] of [
      [10, 9],
      [100, 91],
      [100, 89],
      [50, 70],
      [33, 33],
    ]) {
      for (const r of [GPU, SWIFTSHADER]) {
        const d = decide(
          [
            { backend: 'webgl', ms: [g] },
            { backend: 'wasm', ms: [w] },
          ],
          r,
        )!;
        expect(d.backend === 'webgl' ? g : w).toBeLessThanOrEqual(Math.min(g, w) * 1.1);
      }
    }
  });

  it('skips a backend that fails and reports it', async () => {
    const c = await chooseBackend(opts(GPU, fakeTimer({ webgl: new Error('context lost'), wasm: 60 })));
    expect(c.backend).toBe('wasm');
    expect(c.reason).toContain('webgl: failed: context lost');
  });

  it('does not try WebGL without a renderer, and falls back to cpu when nothing else runs', async () => {
    const t = fakeTimer({ cpu: 900 });
    const c = await chooseBackend(opts('', t));
    expect(c.backend).toBe('cpu');
    expect(t.calls).toEqual(['wasm', 'cpu']);
    expect(c.reason).toContain('no WebGL');
  });

  it('stops timing once the budget is spent', async () => {
    const t = fakeTimer({ webgl: 3000, wasm: 50 });
    const c = await chooseBackend(opts(GPU, t, { budgetMs: 5000 }));
    expect(t.calls).toEqual(['webgl']);
    expect(c.backend).toBe('webgl');
    expect(c.reason).toContain('wasm: not timed: the 5000 ms budget was spent');
  });

  it('fails when no backend runs the model', async () => {
    await expect(chooseBackend(opts(GPU, fakeTimer({})))).rejects.toThrow(/no backend ran the model/);
  });

  it('remembers the choice per model version and renderer', async () => {
    const store = mapStore();
    const first = fakeTimer({ webgl: 380, wasm: 52 });
    expect((await chooseBackend(opts(SWIFTSHADER, first, { store }))).source).toBe('measured');
    expect(await store.get(choiceKey('1.0.0', SWIFTSHADER))).toContain('"backend":"wasm"');

    const again = fakeTimer({ webgl: 1, wasm: 52 });
    const c = await chooseBackend(opts(SWIFTSHADER, again, { store }));
    expect(c).toMatchObject({ backend: 'wasm', source: 'remembered' });
    expect(again.calls).toEqual([]);

    // a new model version or another renderer measures again
    const other = fakeTimer({ webgl: 1, wasm: 52 });
    expect((await chooseBackend(opts(SWIFTSHADER, other, { store, modelVersion: '2.0.0', timeSoftwareWebgl: true }))).backend).toBe('webgl');
    expect((await chooseBackend(opts(GPU, fakeTimer({ webgl: 5, wasm: 50 }), { store }))).backend).toBe('webgl');
    expect((await store.entries()).length).toBe(3);
    // and remeasure ignores what was remembered
    expect((await chooseBackend(opts(SWIFTSHADER, fakeTimer({ webgl: 1, wasm: 52 }), { store, remeasure: true, timeSoftwareWebgl: true }))).backend).toBe('webgl');
  });
});
