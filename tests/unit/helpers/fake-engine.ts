import { ASPECTS, type AspectId, type Score } from '../../../src/core/aspects';
import type { Engine, EngineInfo } from '../../../src/core/engine-types';
import type { FixByHand, FixKind, FixPlan, FixPreview } from '../../../src/core/fixes';
import { CoachError } from '../../../src/core/errors';

export interface FakeJob {
  file: Blob;
  signal?: AbortSignal;
  start(): void;
  resolve(score: Score): void;
  reject(e: Error): void;
}

export interface FakeFixJob {
  file: Blob;
  fixes: FixKind[];
  hand?: FixByHand;
  aspect?: number;
  resolve(preview: FixPreview): void;
  reject(e: Error): void;
}

export interface FakeRenderJob {
  file: Blob;
  plan: FixPlan;
  maxBytes: number;
  resolve(out: Blob): void;
  reject(e: Error): void;
}

/** An engine whose every job is settled by the test. */
export function fakeEngine() {
  const jobs: FakeJob[] = [];
  const fixJobs: FakeFixJob[] = [];
  const renderJobs: FakeRenderJob[] = [];
  let settleReady!: { resolve: (i: EngineInfo) => void; reject: (e: Error) => void };
  const ready = new Promise<EngineInfo>((resolve, reject) => (settleReady = { resolve, reject }));
  ready.catch(() => {});
  const engine: Engine & { jobs: FakeJob[]; fixJobs: FakeFixJob[]; renderJobs: FakeRenderJob[]; disposed: number } = {
    jobs,
    fixJobs,
    renderJobs,
    disposed: 0,
    ready,
    score(file, options = {}) {
      return new Promise<Score>((resolve, reject) => {
        jobs.push({ file, signal: options.signal, start: () => options.onStart?.(), resolve, reject });
        options.signal?.addEventListener('abort', () => reject(new CoachError('CANCELLED', 'aborted', { userFacing: false })));
      });
    },
    fix(file, fixes, options = {}) {
      return new Promise<FixPreview>((resolve, reject) => fixJobs.push({ file, fixes, hand: options.hand, aspect: options.aspect, resolve, reject }));
    },
    render(file, plan, maxBytes) {
      return new Promise<Blob>((resolve, reject) => renderJobs.push({ file, plan, maxBytes, resolve, reject }));
    },
    dispose() {
      engine.disposed++;
    },
  };
  return {
    engine,
    jobs,
    fixJobs,
    renderJobs,
    ready: (info: Partial<EngineInfo> = {}) => settleReady.resolve({ backend: 'cpu', reason: 'test', thread: 'main', modelVersion: 't', ...info }),
    fail: (e: Error) => settleReady.reject(e),
  };
}

export function makeScore(overall: number, aspects: Partial<Record<AspectId, number>> = {}): Score {
  return {
    overall,
    band: overall >= 75 ? 'great' : overall >= 50 ? 'ok' : 'needs_work',
    aspects: Object.fromEntries(ASPECTS.map((a) => [a, aspects[a] ?? 0])) as Score['aspects'],
    width: 1200,
    height: 900,
  };
}

export const photoFile = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3])], name, { type: 'image/jpeg' });

/** Object URLs that count their revocations. */
export function countingUrls() {
  let n = 0;
  const revoked = new Map<string, number>();
  return {
    revoked,
    create: () => `blob:test/${++n}`,
    revoke: (u: string) => void revoked.set(u, (revoked.get(u) ?? 0) + 1),
  };
}

export const flush = () => new Promise((r) => setTimeout(r, 0));
