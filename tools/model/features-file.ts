import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from './dataset';

export interface FeatureRow extends Job {
  f: number[];
}

/** The keys of the rows a run already wrote to `file` (none when it is not there): a resumed run skips them. */
export function writtenKeys(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).key),
  );
}

/** Every row the extractor wrote, in plan order of the keys given (rows missing are skipped). */
export function readFeatureRows(dir: string): FeatureRow[] {
  const rows: FeatureRow[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        // a line cut short by an interrupted run; the extractor redoes it on resume
      }
    }
  }
  return rows;
}
