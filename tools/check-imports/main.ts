import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkImports } from './check';

// npm run check:imports — fails (exit 1) on any import that breaks the layers of
// ARCHITECTURE.md (rules in rules.ts).

const REPO = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

const files = new Map(sources(join(REPO, 'src')).map((p) => [relative(REPO, p), readFileSync(p, 'utf8')]));
const violations = checkImports(files);
for (const v of violations) console.error(`${v.file}: ${v.message}`);
if (violations.length) {
  console.error(`\n${violations.length} import(s) break the layers (tools/check-imports/rules.ts, ARCHITECTURE.md)`);
  process.exit(1);
}
console.log(`imports ok: ${files.size} files of src/ follow the layers`);
