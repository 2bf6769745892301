import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { readFeatureRows, type FeatureRow } from './features-file';
import { DEFAULT_HEAD, fitStandardizer, predictRows, standardized, trainHead, type HeadConfig } from './head';
import { fitRidgeWithinGroups } from './ridge';
import { spearman } from './metrics';
import { useNodeBackend } from './node-backend';
import { hash32 } from './rng';
import { parseArgs } from '../lib/cli';

// K-fold cross-validation of head settings on train.csv rows only (folds by photo), so that
// choices are never made by looking at val.csv.

const HELP = `npm run cv -- [--folds 4] [--configs '[{"hidden":64}, {"ridge":600,"pooledShare":0.8}, …]']
Prints mean SRCC (pooled and per subset) over folds for each head setting. A config with
"ridge" (λ) fits the linear quality head; "pooledShare" (default 1) mixes the pooled error with
the within-subset one (tools/model/ridge.ts fitRidgeWithinGroups).`;

function srccBySubset(rows: FeatureRow[], q: number[]) {
  const out: Record<string, number> = { pooled: spearman(q, rows.map((r) => r.mos!)) };
  for (const s of [...new Set(rows.map((r) => r.subset))].sort()) {
    const idx = rows.map((r, i) => (r.subset === s ? i : -1)).filter((i) => i >= 0);
    out[s] = spearman(idx.map((i) => q[i]), idx.map((i) => rows[i].mos!));
  }
  return out;
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  await useNodeBackend('wasm');
  const folds = Number(flags.folds ?? 4);
  const rows = readFeatureRows(join(resolve(String(flags.cache ?? '.cache')), 'features')).filter((r) => r.split === 'train');
  const configs: (Partial<HeadConfig> & { ridge?: number; pooledShare?: number })[] = flags.configs ? JSON.parse(String(flags.configs)) : [{}];
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  console.log(`${rows.filter((r) => r.mos !== null).length} rated train rows, ${rows.filter((r) => r.aspect).length} damaged, ${folds} folds`);
  for (const c of configs) {
    const cfg = { ...DEFAULT_HEAD, ...c };
    const sums: Record<string, number> = {};
    for (let k = 0; k < folds; k++) {
      const fit = rows.filter((r) => fold(r) !== k);
      const held = rows.filter((r) => fold(r) === k && r.mos !== null);
      let q: number[];
      if (c.ridge !== undefined) {
        const rated = fit.filter((r) => r.mos !== null);
        const st = fitStandardizer(fit);
        const F = st.mean.length;
        const y = rated.map((r) => r.mos!);
        const { w, b } = fitRidgeWithinGroups(standardized(rated, st), F, y, rated.map((r) => r.subset), c.ridge, c.pooledShare ?? 1);
        const Xh = standardized(held, st);
        q = held.map((_, i) => b + w.reduce((s, wj, j) => s + wj * Xh[i * F + j], 0));
      } else {
        const { params, standardizer } = trainHead(fit, cfg);
        q = predictRows(params, standardizer, held).map((p) => p[0]);
        Object.values(params).forEach((v) => v.dispose());
      }
      for (const [s, v] of Object.entries(srccBySubset(held, q))) sums[s] = (sums[s] ?? 0) + v / folds;
    }
    console.log(JSON.stringify(c), Object.entries(sums).map(([s, v]) => `${s} ${v.toFixed(3)}`).join('  '));
  }
  tf.disposeVariables();
}

await main();
