import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalView, toWork } from '../../src/core/image/views';
import { loadBundle, type ModelBundle } from '../../src/core/model/bundle';
import { BACKBONE_FEATURES, features } from '../../src/core/model/features';
import { decodeNode } from '../../tools/model/decode-node';
import { fileReader } from '../../tools/model/io';
import { spearman } from '../../tools/model/metrics';
import { useNodeBackend } from '../../tools/model/node-backend';
import { torchMissing } from '../../tools/torch/python';

// The fine-tune trains the backbone in torch, by interpreting the shipped tfjs graph
// (tools/torch/tfgraph.py). Its forward pass must be the browser's: on the same weights and the
// same views, the pooled features agree with tfjs's (wasm, as `npm run score` runs it).

const root = join(import.meta.dirname, '../..');
const PHOTOS = ['biq-ss01-2.jpg', 'biq-ss02-38.jpg', 'biq-ss03-17.jpg', 'coffee.png'];
const missing = torchMissing();
if (missing) console.warn(`skipping the torch parity test: ${missing}`);

describe.skipIf(missing !== null)('the torch port of the backbone', () => {
  let bundle: ModelBundle;
  let dir: string;
  beforeAll(async () => {
    await useNodeBackend('wasm');
    bundle = await loadBundle(fileReader(join(root, 'public/model')));
    dir = mkdtempSync(join(tmpdir(), 'torch-parity-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the pooled features tfjs gives, within 1e-3 relative, on the same weights and views', async () => {
    const side = bundle.card.backbone.input[0];
    const views: Float32Array[] = [];
    const expected: Float32Array[] = [];
    for (const name of PHOTOS) {
      const { rgb } = await decodeNode(readFileSync(join(root, 'tests/fixtures/photos', name)));
      const [height, width] = rgb.shape;
      const px = { data: rgb.dataSync() as Uint8Array, width, height, channels: 3 as const };
      views.push(globalView(toWork(px), side).data);
      expected.push((await features(bundle.backbone, rgb)).slice(0, BACKBONE_FEATURES));
      rgb.dispose();
    }
    const input = join(dir, 'views.f32');
    const output = join(dir, 'features.f32');
    const all = new Float32Array(views.length * side * side * 3);
    views.forEach((v, i) => all.set(v, i * v.length));
    writeFileSync(input, all);
    const args = ['tools/torch/features.py', '--model', 'public/model/backbone', '--views', input, '--dtype', 'f32', '--side', String(side), '--out', output];
    const printed = JSON.parse(execFileSync('/usr/bin/python3', args, { cwd: root, encoding: 'utf8' }));
    expect(printed).toEqual({ rows: PHOTOS.length, features: BACKBONE_FEATURES });
    const raw = readFileSync(output);
    const got = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    for (const [i, want] of expected.entries()) {
      const row = got.subarray(i * BACKBONE_FEATURES, (i + 1) * BACKBONE_FEATURES);
      // relative to the row's scale: single features near zero (a dead channel's mean) have no
      // meaningful relative error of their own
      const scale = Math.max(...want.map(Math.abs));
      const worst = Math.max(...want.map((w, j) => Math.abs(w - row[j]))) / scale;
      expect(worst, PHOTOS[i]).toBeLessThanOrEqual(1e-3);
      // and not trivially: the rows differ from photo to photo
      if (i > 0) expect(Math.max(...want.map((w, j) => Math.abs(w - expected[0][j]))) / scale).toBeGreaterThan(1e-2);
    }
  });

  it('the held-out yardstick ranks as the TS tools do (ties included) and groups near-duplicates', () => {
    const a = [3, 1, 2, 2, 5, 4, 4, 4, 0.5, 7];
    const b = [2, 1, 3, 2, 6, 4, 5, 3, 1, 6];
    const code = [
      'import sys, json, numpy as np',
      "sys.path.insert(0, 'tools/torch')",
      'import heldout',
      `print(json.dumps(heldout.srcc(np.array(${JSON.stringify(a)}), np.array(${JSON.stringify(b)}))))`,
      'f = np.random.RandomState(1).randn(6, 20); f[4] = f[1] * 1.01',
      'print(json.dumps(heldout.duplicate_groups(f).tolist()))',
    ].join('\n');
    const [rho, groups] = execFileSync('/usr/bin/python3', ['-c', code], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rho).toBeCloseTo(spearman(a, b), 10);
    expect(groups[4]).toBe(groups[1]);
    expect(new Set(groups).size).toBe(5);
  });

  it('rejects a graph with an op it does not know, naming the op', () => {
    const bad = join(dir, 'bad');
    const json = JSON.parse(readFileSync(join(root, 'public/model/backbone/model.json'), 'utf8'));
    json.modelTopology.node.push({ name: 'x', op: 'Conv3D', input: [] });
    execFileSync('mkdir', ['-p', bad]);
    writeFileSync(join(bad, 'model.json'), JSON.stringify(json));
    const r = spawnSync('/usr/bin/python3', ['-c', `import sys; sys.path.insert(0, 'tools/torch'); import tfgraph; tfgraph.GraphModule(${JSON.stringify(bad)}, [])`], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unsupported ops \['Conv3D'\]/);
  });
});

afterAll(() => tf.disposeVariables());
