// Golden file: tests/fixtures/expected-scores.jsonl (npm run score's scores of tests/fixtures/photos), remade by
// `npm run --silent score -- --json tests/fixtures/photos > tests/fixtures/expected-scores.jsonl`.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO } from './build';

/** Real photos committed under tests/fixtures/photos (see the README there). */
export const FIXTURE_PHOTOS = ['biq-ss01-2.jpg', 'biq-ss02-38.jpg', 'biq-ss03-17.jpg', 'coffee.png'] as const;

/** Where the test servers publish tests/fixtures (mount it with { '/fixtures/': FIXTURES_DIR }). */
export const FIXTURES_DIR = join(REPO, 'tests/fixtures');
export const fixtureUrl = (name: string) => `/fixtures/photos/${name}`;

export interface ExpectedScore {
  overall: number;
  aspects?: Record<string, number>;
}

/**
 * Scores of the fixture photos from `npm run score -- --json` (tests/fixtures/expected-scores.json
 * or .jsonl),
 * keyed by file name; null until that file exists. Accepts the CLI's lines as a JSON array, an
 * object keyed by file, or JSON lines.
 */
export function expectedScores(): Map<string, ExpectedScore> | null {
  const file = ['expected-scores.json', 'expected-scores.jsonl'].map((f) => join(REPO, 'tests/fixtures', f)).find(existsSync);
  if (!file) return null;
  const text = readFileSync(file, 'utf8').trim();
  let rows: ({ file?: string } & ExpectedScore)[];
  try {
    const parsed = JSON.parse(text);
    rows = Array.isArray(parsed) ? parsed : Array.isArray(parsed.scores) ? parsed.scores : Object.entries(parsed).map(([f, v]) => ({ file: f, ...(v as ExpectedScore) }));
  } catch {
    rows = text.split('\n').map((line) => JSON.parse(line));
  }
  return new Map(rows.filter((r) => r.file && typeof r.overall === 'number').map((r) => [basename(r.file!), r]));
}
