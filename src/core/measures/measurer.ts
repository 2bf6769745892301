import { measure, type MeasuredPixels } from './measures';

/** Computes the measurements of one photo's views (`measures.ts`), here or on another thread. */
export interface Measurer {
  measure(px: MeasuredPixels, width: number, height: number): Promise<Float32Array>;
  dispose(): void;
}

/** On the calling thread: Node's, and wherever no worker can start (the engine's measure worker: src/engine/measure-off-thread.ts). */
export const measureHere: Measurer = {
  measure: async (px, width, height) => measure(px, width, height),
  dispose() {},
};
