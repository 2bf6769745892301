import { ErrorCodes } from '../../src/core/errors';
import { errorKey, MESSAGES, translator } from '../../src/ui/i18n';

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
