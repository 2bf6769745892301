import { ErrorCodes } from '../../src/core/errors';
import { errorKey, MESSAGES, translator } from '../../src/ui/i18n';
import { TEMPLATES } from '../../src/core/explain';
import { FORM_STRINGS } from '../../src/host-demo/strings';

const placeholders = (s: string) => [...s.matchAll(/%\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('UI strings', () => {
  it.each(Object.values(ErrorCodes))('%s has a message in every locale', (code) => {
    for (const m of Object.values(MESSAGES)) expect(m[errorKey(code)].length).toBeGreaterThan(5);
  });

  it('Japanese has every key, with the same placeholders', () => {
    for (const key of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]) {
      expect(MESSAGES.ja[key], key).toBeTruthy();
      expect(placeholders(MESSAGES.ja[key]), key).toEqual(placeholders(MESSAGES.en[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('en');
    expect(t('change', { before: 62, after: 81 })).toBe('62 → 81');
    expect(t('change', { before: 62 })).toBe('62 → %{after}');
  });
});

describe('Japanese copy', () => {
  // every Japanese string the coach or the demo form can show
  const strings = (): [string, string][] => {
    const out: [string, string][] = Object.entries(MESSAGES.ja);
    const walk = (prefix: string, v: unknown) => {
      if (typeof v === 'string') out.push([prefix, v]);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'provenance') walk(`${prefix}.${k}`, x);
    };
    walk('templates', TEMPLATES.ja);
    for (const [k, v] of Object.entries(FORM_STRINGS.ja)) out.push([`form.${k}`, typeof v === 'function' ? (v as (...a: unknown[]) => string)(2, 3) : v]);
    return out;
  };

  it('puts no ASCII space next to Japanese punctuation', () => {
    const bad = strings().filter(([, s]) => / [。、：！？」）』・…]|[。、：！？「（『・] /.test(s));
    expect(bad).toEqual([]);
  });

  it('names the coach button for what it does: use the photos, not list the item', () => {
    expect(MESSAGES.ja.confirm).toBe('この写真を使う');
    expect(MESSAGES.ja.confirm).not.toMatch(/出品/);
  });
});
