import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ASPECTS } from '../../src/core/aspects';
import { TEMPLATES } from '../../src/core/explain';
import { loadShared, mine } from '../../tools/templates/mine';
import { TOPIC_BY_ID } from '../../tools/templates/lexicon';

const DATA = resolve(__dirname, '../../../shared/data/rationales');

describe.skipIf(!existsSync(DATA))('provenance of the shipped templates', () => {
  it('points at clusters the miner finds today, with their support and a topic of the same aspect', () => {
    const clusters = new Map(mine(loadShared(DATA)).clusters.map((c) => [c.id, c]));
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
