import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { checkImports, importsOf } from '../../tools/check-imports/check';

const REPO = join(import.meta.dirname, '../..');
const check = (files: Record<string, string>) => checkImports(new Map(Object.entries(files))).map((v) => `${v.file}: ${v.message}`);

describe('import rules (npm run check:imports)', () => {
  it('reads static, dynamic, side-effect and worker-URL imports', () => {
    const src = `import a from './a';\nimport { b } from "../b";\nexport * from './c';\nimport './d.css';\nconst e = import('./e');\nnew Worker(new URL('./f.worker.ts', import.meta.url));`;
    expect(importsOf(src)).toEqual(['./a', '../b', './c', './d.css', './e', './f.worker.ts']);
  });

  it('lets each layer import the ones below it', () => {
    expect(check({ 'src/core/model/a.ts': "import { x } from '../image/views';", 'src/core/image/views.ts': "import { y } from '../errors';", 'src/core/errors.ts': '' })).toEqual([]);
  });

  it('refuses an import upwards, and says what the folder may import', () => {
    expect(check({ 'src/core/image/views.ts': "import { m } from '../model/scorer';", 'src/core/model/scorer.ts': '' })).toEqual([
      'src/core/image/views.ts: src/core/image may not import src/core/model (../model/scorer); it may import: src/core',
    ]);
  });

  it('keeps core free of React, zustand and the UI, engine and store', () => {
    const out = check({
      'src/core/explain/a.ts': "import { useState } from 'react';\nimport { create } from 'zustand/vanilla';\nimport { s } from '../../store';",
      'src/store/index.ts': '',
    });
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/core imports react/);
    expect(out[1]).toMatch(/core imports zustand\/vanilla/);
    expect(out[2]).toMatch(/src\/core\/explain may not import src\/store/);
  });

  it('refuses src importing tools or tests', () => {
    expect(check({ 'src/ui/a.tsx': "import { b } from '../../tools/bench/page/backend-choice';" })[0]).toMatch(/outside src\//);
  });

  it('names a folder that has no rule, and a cycle between folders', () => {
    expect(check({ 'src/widgets/a.ts': '' })[0]).toMatch(/src\/widgets has no place/);
    // embed and store may import each other only if a rule allowed it: the cycle is reported too
    const out = check({ 'src/store/a.ts': "import { b } from '../embed/b';", 'src/embed/b.ts': "import { a } from '../store/a';" });
    expect(out.some((v) => /folder cycle: src\/embed → src\/store → src\/embed/.test(v))).toBe(true);
  });

  it('passes on this repository', () => {
    expect(execFileSync(process.execPath, ['--import', 'tsx', 'tools/check-imports/main.ts'], { cwd: REPO, encoding: 'utf8' })).toMatch(/imports ok/);
  });
});
