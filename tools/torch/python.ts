import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The fine-tune runs in Debian's torch (training only; the product and `npm run score` stay
// tfjs). Debian's python3-torch imports only under Debian's own interpreter, which need not be
// the first `python3` on PATH.

export const TORCH_PYTHON = process.env.PHOTO_COACH_PYTHON ?? '/usr/bin/python3';

export const TORCH_INSTALL = 'apt-get update && apt-get install -y python3-torch';

/** Null where torch imports under TORCH_PYTHON; otherwise what is missing and how to install it. */
export function torchMissing(): string | null {
  if (!existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} not found; install Debian's torch: ${TORCH_INSTALL}`;
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
  return `torch does not import under ${TORCH_PYTHON} (${why}); install it: ${TORCH_INSTALL}`;
}
