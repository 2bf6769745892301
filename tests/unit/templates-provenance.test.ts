// Golden files: src/core/explain/templates.{en,ja}.json, written from the candidates that
// `npm run templates` mines from ../shared/data/rationales (tools/templates/README.md).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ASPECTS } from '../../src/core/aspects';
import { TEMPLATES } from '../../src/core/explain';
import { loadBiqLabels, loadShared, mine } from '../../tools/templates/mine';
import { TOPIC_BY_ID } from '../../tools/templates/lexicon';
import { DATA_DIR } from '../../tools/model/dataset';
import { LABELS_FILE } from '../../tools/model/labels';

// Regenerate the clusters the templates cite with `npm run templates` (tools/templates/README.md).
const DATA = join(DATA_DIR, 'rationales');
const missing = [DATA, LABELS_FILE].filter((p) => !existsSync(p));

describe.skipIf(missing.length > 0)(`provenance of the shipped templates${missing.length ? ` (skipped: ${missing.join(', ')} missing; set PHOTO_COACH_DATA)` : ''}`, () => {
  it('points at clusters the miner finds today, with their support and a topic of the same aspect', () => {
    const clusters = new Map(mine([...loadShared(DATA), ...loadBiqLabels(LABELS_FILE)]).clusters.map((c) => [c.id, c]));
    for (const a of ASPECTS) {
      for (const band of ['mild', 'strong'] as const) {
        const p = TEMPLATES.en[a][band].provenance;
        const c = clusters.get(p.cluster);
        expect(c, p.cluster).toBeDefined();
        expect({ corpus: c!.corpus, support: c!.support }).toEqual({ corpus: p.corpus, support: p.support });
        expect(TOPIC_BY_ID.get(c!.topic)!.aspect).toBe(a);
        expect(c!.band === band || p.note !== undefined, p.cluster).toBe(true);
      }
    }
  });
});
