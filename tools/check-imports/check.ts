import { dirname, join, normalize, relative } from 'node:path';
import { RULES, UI_PACKAGES } from './rules';

// Reads every import of src/ and reports what breaks the layering: an import between folders
// that rules.ts does not allow, core using a UI package, src importing tools/ or tests/, and
// any cycle between folders (which the rules should already rule out; this says so if a rule
// is loosened).

export interface Violation {
  file: string;
  message: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g;

/** The specifiers a source file imports (static, dynamic, side-effect, and worker URLs). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return out;
}

/** The folder of src/ a path (relative to the repository) sits in: "core/image", "ui", "." … */
const folderOf = (file: string) => {
  const d = dirname(relative('src', file));
  return d === '' ? '.' : d;
};

/** The file an import names: as written, with .ts/.tsx, or a folder's index. */
function resolveIn(files: Map<string, string>, target: string): string {
  for (const f of [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`, `${target}/index.tsx`]) if (files.has(f)) return f;
  return target;
}

/** Violations in `files` (repository-relative path → source); paths outside src/ are skipped. */
export function checkImports(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  const edges = new Map<string, Set<string>>();
  for (const [file, source] of files) {
    if (!file.startsWith('src/')) continue;
    const from = folderOf(file);
    const rule = RULES[from];
    if (!rule) {
      out.push({ file, message: `folder src/${from} has no place in tools/check-imports/rules.ts` });
      continue;
    }
    for (const spec of importsOf(source)) {
      if (!spec.startsWith('.')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if ((from === 'core' || from.startsWith('core/')) && UI_PACKAGES.includes(pkg)) out.push({ file, message: `core imports ${spec}: core knows nothing of the UI` });
        continue;
      }
      const target = resolveIn(files, normalize(join(dirname(file), spec.split('?')[0])));
      if (!target.startsWith('src/')) {
        out.push({ file, message: `imports ${spec} from outside src/ (tools and tests are never part of the product)` });
        continue;
      }
      const to = folderOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      if (!rule.may.includes(to)) out.push({ file, message: `src/${from} may not import src/${to} (${spec}); it may import: ${rule.may.map((m) => `src/${m}`).join(', ') || 'nothing of src'}` });
    }
  }
  for (const cycle of cycles(edges)) out.push({ file: `src/${cycle[0]}`, message: `folder cycle: ${cycle.map((f) => `src/${f}`).join(' → ')}` });
  return out;
}

/** Every elementary cycle found by a depth-first walk (each reported once, from its smallest folder). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) {
        const key = [...path].sort().join('|');
        if (!found.has(key)) found.set(key, [...path, start]);
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, start, [start]);
  return [...found.values()];
}
