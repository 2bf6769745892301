import type { Score } from '../core/aspects';
import type { BackendName, EngineInfo, EngineMemory } from '../core/engine-types';
import type { FixByHand, FixKind, FixPlan, FixPreview } from '../core/fixes';
import type { Endpoint } from './rpc';

/** What a runner needs to load the scorer, wherever it runs. */
export interface ScorerConfig {
  modelUrl: string;
  backends: BackendName[];
  softwareWebgl?: 'skip' | 'use';
}

/** What the engine asks of a photo: its score, a fix's preview, or a kept fix at full size. */
export type Task =
  | { kind: 'score'; blob: Blob; id: number }
  | { kind: 'fix'; blob: Blob; fixes: FixKind[]; hand?: FixByHand; aspect?: number }
  | { kind: 'render'; blob: Blob; plan: FixPlan; maxBytes: number };

export type TaskResult<T extends Task> = T extends { kind: 'score' } ? Score : T extends { kind: 'fix' } ? FixPreview : Blob;

/** Runs one task at a time somewhere (the page's thread or a worker); the engine owns the queue and cancellation. */
export interface Runner {
  info: Promise<EngineInfo>;
  /** `next`: the task that waits after this one, which a runner may start decoding meanwhile. */
  run<T extends Task>(task: T, next?: Task): Promise<TaskResult<T>>;
  memory?(): Promise<EngineMemory>;
  dispose(): void;
}

/** The part of a Worker the scoring worker's runner uses. */
export interface WorkerLike extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}
