/// <reference lib="webworker" />
import { measure } from '../core/measures/measures';
import { serve, withTransfer, type Endpoint } from './rpc';
import type { MeasureApi } from './worker-api';

// The measurements of one photo's views, beside the thread that runs the backbone
// (measure-off-thread.ts). A failure answers with its error: the caller measures itself.

serve<MeasureApi>(self as unknown as Endpoint, {
  async measure({ px, width, height }) {
    const values = measure(px, width, height);
    return withTransfer(values, [values.buffer]);
  },
});
