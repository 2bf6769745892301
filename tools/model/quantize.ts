import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { features } from '../../src/core/model/features';
import { loadBundle } from '../../src/core/model/bundle';
import { readSplit } from './dataset';
import { loadImage } from './extract';
import { readFeatureRows } from './features-file';
import { fileReader, layersArtifacts, writeJson } from './io';
import { spearman } from './metrics';
import { useNodeBackend } from './node-backend';
import { encodeWeights, perChannelUint8, type Encoding } from './weights';
import { flagNumber, parseArgs, progress } from '../lib/cli';

const HELP = `npm run quantize -- [--model DIR] [--photos N]

Measures weight encodings per tensor group against float32, on the model in DIR (default
public/model), on train.csv photos only (encodings are a choice, and choices are made on train):
  head: float32 vs float16 vs uint8, on every rated train photo (cached backbone features);
  backbone: each group (pointwise conv, depthwise conv, vectors) in uint8 with the rest in
  float16, all uint8, and per-channel uint8 filters (a min and scale per output channel, which
  tfjs's manifest cannot say: it would need a loader of the project's own), on N train photos
  (default 60) end to end.
Reports the SRCC of the quality output against MOS, the largest change of the 0–100 score, and
bytes per option. Writes .cache/quantize.json. The training tool ships the encodings chosen here.`;

type Group = 'pointwise' | 'depthwise' | 'vector';
export function backboneGroup(name: string, shape: number[]): Group {
  if (/depthwise/i.test(name) && shape.length === 4) return 'depthwise';
  return shape.length === 4 ? 'pointwise' : 'vector';
}

type Decoded = { decoded: Record<string, tf.Tensor>; bytes: number };

/** Re-encodes a model's weights and decodes them again: what tfjs would load. */
function roundTrip(weights: { name: string; tensor: tf.Tensor }[], pick: (name: string) => Encoding): Decoded {
  const { specs, data } = encodeWeights(weights, pick);
  return { decoded: tf.io.decodeWeights(data.buffer as ArrayBuffer, specs), bytes: data.length };
}

/** Filters per-channel uint8 (perChannelUint8), everything else float16. */
function perChannelRoundTrip(weights: { name: string; tensor: tf.Tensor }[]): Decoded {
  const filters = weights.filter((w) => w.tensor.rank === 4);
  const rest = roundTrip(
    weights.filter((w) => w.tensor.rank !== 4),
    () => 'float16',
  );
  let bytes = rest.bytes;
  for (const { name, tensor } of filters) {
    const [, , cin, cout] = tensor.shape;
    const channels = /depthwise/i.test(name) ? cin * cout : cout;
    const q = perChannelUint8(tensor.dataSync() as Float32Array, channels);
    rest.decoded[name] = tf.tensor(q.decoded, tensor.shape);
    bytes += q.bytes;
  }
  return { decoded: rest.decoded, bytes };
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const dir = resolve(String(flags.model ?? 'public/model'));
  const n = flagNumber(flags, 'photos', 60);
  await useNodeBackend('wasm');
  const bundle = await loadBundle(fileReader(dir));
  const { lo, hi } = bundle.card.calibration;
  const toOverall = (q: number) => ((q - lo) / (hi - lo)) * 100;

  const all = readSplit('train');
  const photos = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / n)) === 0).slice(0, n);
  const imgs: tf.Tensor3D[] = [];
  for (const r of photos) imgs.push(await loadImage(r.image));
  const mos = photos.map((r) => r.mos);

  // backbone variants: every weight of the graph, by group
  const graphWeights = Object.entries(bundle.backbone.weights).map(([name, ts]) => ({ name, tensor: ts[0] }));
  const topology = JSON.parse(readFileSync(join(dir, bundle.card.backbone.path, 'model.json'), 'utf8')).modelTopology;
  const shapes = new Map(graphWeights.map((w) => [w.name, w.tensor.shape]));
  const encoded = (pick: (name: string) => Encoding) => () => roundTrip(graphWeights, pick);
  const variants: Record<string, () => Decoded> = {
    float32: encoded(() => 'float32'),
    float16: encoded(() => 'float16'),
    ...Object.fromEntries(
      (['pointwise', 'depthwise', 'vector'] as Group[]).map((g) => [`uint8 ${g}`, encoded((name: string) => (backboneGroup(name, shapes.get(name)!) === g ? 'uint8' : 'float16'))]),
    ),
    'uint8 all': encoded(() => 'uint8'),
    'uint8 per-channel filters': () => perChannelRoundTrip(graphWeights),
  };
  const baseHead = bundle.head;
  const results: Record<string, { bytes: number; srcc: number; maxDelta: number }> = {};
  let reference: number[] = [];
  const bar = progress('quantize', Object.keys(variants).length * imgs.length);
  let done = 0;
  for (const [label, variant] of Object.entries(variants)) {
    const { decoded, bytes } = variant();
    const model = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: topology,
        weightSpecs: graphWeights.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: w.tensor.dtype as 'float32' })),
        weightData: concat(graphWeights.map((w) => decoded[w.name])),
      }),
    );
    Object.values(decoded).forEach((t) => t.dispose());
    const q: number[] = [];
    for (const img of imgs) {
      const f = await features(model, img);
      const out = tf.tidy(() => (baseHead.predict(tf.tensor2d([Array.from(f)])) as tf.Tensor2D).dataSync()[0]);
      q.push(out);
      bar.tick(++done);
    }
    model.dispose();
    if (label === 'float32') reference = q;
    results[`backbone ${label}`] = { bytes, srcc: spearman(q, mos), maxDelta: Math.max(...q.map((v, i) => Math.abs(toOverall(v) - toOverall(reference[i])))) };
  }
  bar.done();
  imgs.forEach((t) => t.dispose());

  // head variants, on every rated train photo's cached backbone features
  const headRows = readFeatureRows(join(resolve(String(flags.cache ?? '.cache')), 'features')).filter((r) => r.split === 'train' && r.mos !== null && !r.aspect && !r.turn);
  const x = tf.tensor2d(headRows.map((r) => r.f));
  const art = layersArtifacts(baseHead);
  let headRef: number[] = [];
  for (const enc of ['float32', 'float16', 'uint8'] as Encoding[]) {
    const { decoded, bytes } = roundTrip(art.weights, () => enc);
    const head = await tf.models.modelFromJSON({ modelTopology: art.json.modelTopology } as tf.io.ModelJSON);
    head.setWeights(art.weights.map((w) => decoded[w.name]));
    const q = Array.from((head.predict(x) as tf.Tensor2D).slice([0, 0], [-1, 1]).dataSync());
    if (enc === 'float32') headRef = q;
    results[`head ${enc}`] = {
      bytes,
      srcc: spearman(
        q,
        headRows.map((r) => r.mos!),
      ),
      maxDelta: Math.max(...q.map((v, i) => Math.abs(toOverall(v) - toOverall(headRef[i])))),
    };
    head.dispose();
    Object.values(decoded).forEach((t) => t.dispose());
  }
  x.dispose();
  const rows = Object.entries(results).map(
    ([k, v]) =>
      `  ${k.padEnd(26)} ${String(v.bytes).padStart(9)} B  SRCC ${Number.isNaN(v.srcc) ? '   -  ' : v.srcc.toFixed(4)}  max Δscore ${Number.isNaN(v.maxDelta) ? '  -' : v.maxDelta.toFixed(2)}`,
  );
  console.log(`weight encodings (backbone: ${imgs.length} train photos end to end; head: ${headRows.length} train photos)\n${rows.join('\n')}`);
  writeJson(resolve(String(flags.out ?? '.cache/quantize.json')), { backbonePhotos: imgs.length, headPhotos: headRows.length, results });
}

function concat(ts: tf.Tensor[]): ArrayBuffer {
  const arrays = ts.map((t) => t.dataSync());
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  return out.buffer;
}

await main();
