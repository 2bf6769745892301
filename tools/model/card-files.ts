import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { digestOf, type FileDigests } from '../../src/core/model/integrity';
import { writeJson } from './io';

// The `files` list of a model card: size and SHA-256 of every file in the model folder but the
// card itself. The runtime checks each file it reads against it (src/core/model/integrity.ts).

const HELP = `npx tsx tools/model/card-files.ts [model folder, default public/model]
Rewrites the "files" list (size + SHA-256 of every file) of <folder>/model-card.json.
npm run train does this itself; use this after changing a model file by hand.`;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export async function modelFileDigests(dir: string): Promise<FileDigests> {
  const files: FileDigests = {};
  for (const path of walk(dir).sort()) {
    const rel = relative(dir, path).split(sep).join('/');
    if (rel !== 'model-card.json') files[rel] = await digestOf(readFileSync(path));
  }
  return files;
}

/**
 * Writes the digests into the folder's model card, keeping the rest of it, and ends the card's
 * version with a digest of them: the browser caches the model by version, so two models trained
 * on the same day never share a cache entry.
 */
export async function updateCardFiles(dir: string): Promise<FileDigests> {
  const cardPath = join(dir, 'model-card.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  card.files = await modelFileDigests(dir);
  const content = createHash('sha256').update(JSON.stringify(card.files)).digest('hex').slice(0, 8);
  card.version = `${String(card.version).replace(/\+[0-9a-f]{8}$/, '')}+${content}`;
  writeJson(cardPath, card);
  return card.files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = process.argv[2];
  if (arg === '--help' || arg === '-h') console.log(HELP);
  else {
    const dir = resolve(arg ?? 'public/model');
    const files = await updateCardFiles(dir);
    console.log(`${dir}/model-card.json: ${Object.keys(files).length} files listed`);
  }
}
