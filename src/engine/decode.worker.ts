/// <reference lib="webworker" />
import { decodeBlob } from '../core/image/decode-browser';
import { serve, withTransfer, type Endpoint } from './rpc';
import type { DecodeApi } from './worker-api';

// The photo queued next, decoded beside the scoring worker (decode-off-thread.ts). A failure
// answers with its error: the scoring worker then decodes the photo itself, and a bad file fails
// there with its own error.

serve<DecodeApi>(self as unknown as Endpoint, {
  async decode({ blob }) {
    const decoded = await decodeBlob(blob);
    return withTransfer(decoded, [decoded.bitmap]);
  },
});
