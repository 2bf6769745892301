import { describe, expect, it } from 'vitest';
import { selfTimes, traceTops } from '../../tools/bench/profile-report';

describe('bench:profile summaries', () => {
  it('gives each function the µs before its samples, per photo, largest first', () => {
    const frame = (functionName: string, line: number) => ({ functionName, url: 'http://127.0.0.1/assets/views-abc.js', lineNumber: line });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('boxPool', 10) },
        { id: 2, callFrame: frame('', 20) },
      ],
      samples: [1, 2, 1, 1],
      timeDeltas: [1000, 3000, 2000, 4000],
    };
    expect(selfTimes(profile, 2)).toEqual([
      { fn: 'boxPool views-abc.js:10', msPerPhoto: 3.5 },
      { fn: '(anonymous) views-abc.js:20', msPerPhoto: 1.5 },
    ]);
    expect(selfTimes(profile, 2, 1)).toHaveLength(1);
  });

  it('sums each event name per named thread, busiest thread first, and skips unfinished events', () => {
    const events = [
      { ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'CrRendererMain' } },
      { ph: 'M', name: 'thread_name', pid: 1, tid: 2, args: { name: 'DedicatedWorker thread' } },
      { ph: 'X', name: 'MajorGC', pid: 1, tid: 1, dur: 3000 },
      { ph: 'X', name: 'MajorGC', pid: 1, tid: 1, dur: 1000 },
      { ph: 'X', name: 'SerializedScriptValueFactory::create', pid: 1, tid: 1, dur: 6000 },
      { ph: 'X', name: 'FunctionCall', pid: 1, tid: 2, dur: 2000 },
      { ph: 'B', name: 'FunctionCall', pid: 1, tid: 2 },
    ];
    const tops = traceTops(events, 2);
    expect(tops.map((t) => t.thread)).toEqual(['CrRendererMain (1:1)', 'DedicatedWorker thread (1:2)']);
    expect(tops[0].events).toEqual([
      { name: 'SerializedScriptValueFactory::create', msPerPhoto: 3, count: 1 },
      { name: 'MajorGC', msPerPhoto: 2, count: 2 },
    ]);
    expect(tops[1].events).toEqual([{ name: 'FunctionCall', msPerPhoto: 1, count: 1 }]);
  });
});
