import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isCoachError } from '../../src/core/errors';
import { loadBundle } from '../../src/core/model/bundle';
import { scorePixels } from '../../src/core/model/predict';
import { orderReasons } from '../../src/core/explain/reasons';
import { decodeNode } from '../model/decode-node';
import { fileReader } from '../model/io';
import { useNodeBackend } from '../model/node-backend';
import { parseArgs } from '../lib/cli';

const HELP = `npm run score -- [--json] [--model DIR] [--backend wasm|cpu] <image files or folders…>

Scores photos with the shipped model (public/model by default), using the same preprocessing and
numbers as the browser. Prints one JSON line per image on stdout:
  {"file", "overall" (0–100), "band", "rating" (1–5, what sets the bar for reasons; absent with
   a model without it), "reasons": [aspect ids the coach raises, in its order],
   "aspects": {"<id>": severity 0–1, …}}
or, for a file that cannot be scored, {"file", "error": {"code", "message"}}.
Folders are walked recursively (image-looking names only; files named explicitly are always tried).
Exit code: 0 all scored, 1 some files failed, 2 usage error or the model failed to load.
A summary with throughput goes to stderr.`;

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.heic', '.heif', '.avif', '.tif', '.tiff']);

export function expandInputs(inputs: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (IMAGE_EXT.has(extname(name).toLowerCase())) files.push(p);
    }
  };
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // not there: reported per file below
    }
    if (isDir) walk(input);
    else files.push(input);
  }
  return files;
}

async function main(): Promise<number> {
  const { flags, positional } = parseArgs(process.argv.slice(2), ['help', 'json']);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  if (!positional.length) {
    console.error('no input: give image files or folders (see --help)');
    return 2;
  }
  const modelDir = resolve(String(flags.model ?? 'public/model'));
  const backend = await useNodeBackend(flags.backend === 'cpu' ? 'cpu' : 'wasm');
  let bundle: Awaited<ReturnType<typeof loadBundle>>;
  try {
    bundle = await loadBundle(fileReader(modelDir));
  } catch (e) {
    console.error(`could not load the model from ${modelDir}: ${(e as Error).message}`);
    return 2;
  }
  const files = expandInputs(positional);
  let failed = 0;
  const start = Date.now();
  for (const [i, file] of files.entries()) {
    try {
      const { rgb, width, height } = await decodeNode(new Uint8Array(readFileSync(file)));
      try {
        const s = await scorePixels(bundle, rgb, { width, height });
        const reasons = orderReasons(s.aspects, s).map((r) => r.aspect);
        console.log(JSON.stringify({ file, overall: s.overall, band: s.band, rating: s.rating, reasons, aspects: s.aspects, width, height }));
      } finally {
        rgb.dispose();
      }
    } catch (e) {
      failed++;
      const code = isCoachError(e) ? e.code : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'NOT_A_FILE' : 'INTERNAL';
      console.log(JSON.stringify({ file, error: { code, message: (e as Error).message } }));
    }
    if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${files.length}`);
  }
  const secs = (Date.now() - start) / 1000;
  const ok = files.length - failed;
  process.stderr.write(
    `${process.stderr.isTTY ? '\n' : ''}scored ${ok}/${files.length} on ${backend} in ${secs.toFixed(1)} s (${(ok / Math.max(secs, 1e-3)).toFixed(2)} photos/s)${failed ? `, ${failed} failed` : ''}\n`,
  );
  return failed ? 1 : 0;
}

process.exitCode = await main();
