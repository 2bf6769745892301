import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIQ_DIR } from '../../tools/model/dataset';
import { bySubset } from '../../tools/model/fix-evidence';
import { LABELS_FILE } from '../../tools/model/labels';

// npm run fix-evidence on a handful of labelled photos: it runs end to end and reports every
// figure the fixes are judged by (the real figures: tools/model/README.md, "Fixes").

const REPO = join(import.meta.dirname, '../..');
const missing = [join(BIQ_DIR, 'images'), LABELS_FILE].filter((p) => !existsSync(p));
const run = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'tools/model/fix-evidence.ts', ...args], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

describe('npm run fix-evidence', () => {
  it('answers --help', () => {
    expect(run(['--help'])).toMatch(/Tune on --split train/);
  });

  it.skipIf(missing.length > 0)(`reports each fix's figures on a few train photos${missing.length ? ` (skipped: ${missing.join(', ')} missing; set PHOTO_COACH_DATA)` : ''}`, () => {
    const out = run(['--split', 'train', '--limit', '12', '--turned', '2']);
    for (const line of [
      /^colour \(color_cast labelled/m,
      /^exposure \(underexposure labelled/m,
      /^straighten \(tilt labelled/m,
      /^crop \(framing labelled/m,
      /^ {4}by subset: ss0\d [\d.]+ % \(\d+\/\d+\)/m,
      /of those cropped, mean share of the photo kept/,
      /comes back upright \(the shipped rule\): [\d.]+ % \(\d+\/2\)/,
      /offered on photos whose labels do not flag it: /,
      // straighten and crop are measured, but the coach does not offer them: no offer rate is claimed
      /^straighten[\s\S]*?\n {2}not offered by the coach \(src\/core\/fixes\.ts AVAILABLE_FIXES\); tilt raised as a reason/m,
      /^crop[\s\S]*?\n {2}not offered by the coach \(src\/core\/fixes\.ts AVAILABLE_FIXES\); framing raised as a reason/m,
    ])
      expect(out).toMatch(line);
  });

  it.skipIf(missing.length > 0)(
    `judges a photo stored turned as stored, and checks the turn against its EXIF orientation${missing.length ? ` (skipped: ${missing.join(', ')} missing; set PHOTO_COACH_DATA)` : ''}`,
    () => {
      // labelled sideways, and stored with EXIF orientation 6: upright as shown
      const out = run(['--split', 'train', '--images', 'ss01 (1724).jpg', '--only', 'turn', '--turned', '0']);
      expect(out).toMatch(/^turn \(labelled sideways: 1 photos\)/m);
      expect(out).toMatch(/stored turned \(scored as stored, as labelled\): turned the way the file's EXIF orientation turns it: [\d.]+ % \(\d\/1\)/);
      expect(out).toMatch(/shown upright \(EXIF applied, as browsers show them\): turn offered [\d.]+ % \(\d\/1\)/);
      expect(() => run(['--split', 'train', '--images', 'not-a-photo.jpg'])).toThrow();
    },
  );
});

describe('fix-evidence by subset', () => {
  it('gives each subset its own share, in order, with its counts', () => {
    const rows = ['ss02 (1).jpg', 'ss01 (5).jpg', 'ss01 (7).jpg', 'ss02 (9).jpg', 'ss01 (2).jpg'].map((image, i) => ({ image, ok: i % 2 === 0 }));
    expect(bySubset(rows, (r) => r.ok)).toBe('ss01 66.7 % (2/3), ss02 50.0 % (1/2)');
    expect(bySubset([], () => true)).toBe('');
  });
});
