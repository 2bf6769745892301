import { summarise, toMarkdown, type RunResult } from '../../tools/bench/report';

// One bench run as tools/bench/bench.ts records it, on made-up rows: ours is 10 ms a photo
// slower to decode than to score, and the peer's own decode is as slow as ours.
function run(ourDecode: number[], ourModel: number[], peerModel: number[], peerDecode: number[]): RunResult {
  const names = ourDecode.map((_, i) => `p${String(i).padStart(2, '0')}.jpg`);
  return {
    backends: {
      wasm: {
        cold: { backendInitMs: 1, modelFetchMs: 2, warmupMs: 3, firstScoreMs: 4, totalMs: 10, pageToStartMs: 5, bytes: { total: 9, weights: 3_000_000, model: 4, wasm: 5, script: 6 } },
        warm: {
          rows: names.map((name, i) => ({ name, decodeMs: ourDecode[i], modelMs: ourModel[i], adviceMs: 0, totalMs: ourDecode[i] + ourModel[i] })),
          longTasks: { count: 0, totalMs: 0, maxMs: 0 },
          peaks: { numTensors: 10, jsHeap: 1024 * 1024 },
          leakedTensors: 0,
        },
        profile: { top: [], photo: names[0], peakBytes: 1024 * 1024 },
        peerLoad: { warmupMs: 1 },
        peer: { rows: names.map((name, i) => ({ name, modelMs: peerModel[i], totalMs: peerDecode[i] + peerModel[i] })) },
      },
    },
    worker: {},
  };
}

describe('bench report', () => {
  it('holds our tail against the peer with its own decode, like for like, beside its model alone', () => {
    const n = 20;
    // the last photo is the big one: 40 ms to decode on both sides
    const decode = Array.from({ length: n }, (_, i) => (i === n - 1 ? 40 : 10));
    const runs = [run(decode, Array(n).fill(50), Array(n).fill(50), decode)];
    const photoSet = [{ file: 'p00.jpg', width: 1, height: 1, megapixels: 0.3, bytes: 1, sources: [] }];
    const s = summarise(runs, photoSet);
    const w = s.backends.wasm;
    // p95 of 20 is the 19th: 60 ms on both sides; the peer's model alone is 50
    expect(w.ratioToPeer.p95).toBe(1.2);
    expect(w.ratioToPeer.vsPeerWithDecodeP95).toBe(1);
    expect(w.peer.withDecodeP95).toBe(60);
    const meta = { date: 'd', commit: 'c', device: { cpu: 'cpu', cores: 2, memoryGiB: 1, loadavg: [1, 1, 1] }, browser: { version: '1' }, options: { runs: 1, photos: n, caps: {} }, photoSet };
    expect(toMarkdown(meta, s)).toContain('| ratio ours / peer with decode p50 / p95 | 1 / 1 |');
  });
});
