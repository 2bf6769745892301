/// <reference lib="webworker" />
import { measure, type MeasuredPixels } from '../core/model/measures';

// The measurements of one photo's views, beside the thread that runs the backbone
// (src/core/model/measurer.ts). A failure answers without values: the caller measures itself.

self.onmessage = (e: MessageEvent<{ id: number; px: MeasuredPixels; width: number; height: number }>) => {
  const { id, px, width, height } = e.data;
  let values: Float32Array | undefined;
  try {
    values = measure(px, width, height);
  } catch {
    values = undefined;
  }
  self.postMessage({ id, values }, values ? [values.buffer] : []);
};
