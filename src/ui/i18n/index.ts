import type { ErrorCode } from '../../core/errors';
import type { Locale } from '../../core/locale';
import { en, type MessageKey, type Messages } from './en';
import { ja } from './ja';

export { isLocale } from '../../core/locale';
export type { MessageKey, Messages };

export const MESSAGES: Record<Locale, Messages> = { en, ja };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const m = MESSAGES[locale];
  return (key, vars = {}) => m[key].replace(/%\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));
}

export const errorKey = (code: ErrorCode): MessageKey => `error_${code}`;
