/// <reference lib="webworker" />
import { measure } from '../core/measures/measures';
import { serve, withTransfer, type Endpoint } from './rpc';
import type { MeasureApi } from './worker-api';

// The measurements of one photo's views, beside the thread that runs the backbone
// (measure-off-thread.ts). A failure answers with its error: the caller measures itself.

serve<MeasureApi>(self as unknown as Endpoint, {
  async measure({ px, width, height }) {
    const values = measure(px, width, height);
    // the views go back too: the caller fills them with the next photo's (measure-off-thread.ts)
    const views = [px.view.data, px.overview.data, px.detail.data];
    return withTransfer({ values, views }, [values.buffer, ...views.map((v) => v.buffer)]);
  },
});
