import type { Score } from '../core/aspects';
import type { BackendName, EngineInfo, EngineMemory } from '../core/engine-types';
import type { Endpoint } from './rpc';

/** What a runner needs to load the scorer, wherever it runs. */
export interface ScorerConfig {
  modelUrl: string;
  backends: BackendName[];
  softwareWebgl?: 'skip' | 'use';
}

/** Runs one photo at a time somewhere (the page's thread or a worker); the engine owns the queue and cancellation. */
export interface Runner {
  info: Promise<EngineInfo>;
  run(blob: Blob): Promise<Score>;
  memory?(): Promise<EngineMemory>;
  dispose(): void;
}

/** The part of a Worker the scoring worker's runner uses. */
export interface WorkerLike extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}
