// The batch figure from when each score arrived (ms from the start of its phase), shared by the
// bench page (`batch`, the whole batch in one call, as older builds run it) and bench.ts (the
// phases one by one, each with its CPU).

/** Arrival times of the same photos handed over one at a time, all at once, and the peer's one after another. */
export function batchResult(singly: number[], atOnce: number[], theirs: number[]) {
  const each = singly.map((t, i) => t - (i ? singly[i - 1] : 0));
  return {
    photos: atOnce.length,
    ours: { firstMs: Math.min(...atOnce), lastMs: Math.max(...atOnce) },
    oursSingly: { firstMs: singly[0], p50Ms: [...each].sort((a, b) => a - b)[each.length >> 1], totalMs: singly[singly.length - 1] },
    peer: { firstMs: theirs[0], lastMs: theirs[theirs.length - 1] },
  };
}
