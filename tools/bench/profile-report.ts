// Summaries of what Chromium records while the bench page scores photos: a sampling CPU profile
// (CDP Profiler) as self time per function, and a timeline trace as time per event per thread.

/** The parts of a CDP `Profiler.Profile` read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  /** µs between samples; the first is from the profile's start. */
  timeDeltas: number[];
}

export interface SelfTime {
  /** Function name (minified in a production build), file and line. */
  fn: string;
  msPerPhoto: number;
}

const fileOf = (url: string) => url.split('/').pop() || url;

/** Self time per function, per photo scored, the `top` largest. The µs before a sample count for its node. */
export function selfTimes(profile: CpuProfile, photos: number, top = 20): SelfTime[] {
  const names = new Map(profile.nodes.map((n) => [n.id, `${n.callFrame.functionName || '(anonymous)'} ${fileOf(n.callFrame.url)}:${n.callFrame.lineNumber}`.trim()]));
  const us = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? `node ${id}`;
    us.set(name, (us.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...us]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, t]) => ({ fn, msPerPhoto: t / 1000 / Math.max(1, photos) }));
}

/** A trace event as Chromium writes it (only the fields read here). */
export interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

export interface ThreadTimes {
  thread: string;
  /** Each event name's time on this thread, per photo; nested events overlap their parents. */
  events: { name: string; msPerPhoto: number; count: number }[];
}

/** Per thread (named by its metadata), the `top` event names by summed duration, busiest thread first. */
export function traceTops(events: TraceEvent[], photos: number, top = 10): ThreadTimes[] {
  const threadName = new Map<string, string>();
  const byThread = new Map<string, Map<string, { us: number; count: number }>>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threadName.set(key, e.args.name);
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const names = byThread.get(key) ?? new Map();
    const t = names.get(e.name) ?? { us: 0, count: 0 };
    t.us += e.dur;
    t.count++;
    names.set(e.name, t);
    byThread.set(key, names);
  }
  const per = Math.max(1, photos);
  return [...byThread]
    .map(([key, names]) => ({ key, busiest: Math.max(...[...names.values()].map((t) => t.us)), names }))
    .sort((a, b) => b.busiest - a.busiest)
    .map(({ key, names }) => ({
      thread: `${threadName.get(key) ?? 'thread'} (${key})`,
      events: [...names]
        .sort((a, b) => b[1].us - a[1].us)
        .slice(0, top)
        .map(([name, t]) => ({ name, msPerPhoto: t.us / 1000 / per, count: t.count })),
    }));
}
