import type { ErrorCode } from '../../core/errors';
import { en, type MessageKey, type Messages } from './en';
import { ja } from './ja';

export type Locale = 'en' | 'ja';
export type { MessageKey, Messages };

export const MESSAGES: Record<Locale, Messages> = { en, ja };

export function isLocale(v: unknown): v is Locale {
  return v === 'en' || v === 'ja';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const m = MESSAGES[locale];
  return (key, vars = {}) => m[key].replace(/%\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));
}

export const errorKey = (code: ErrorCode): MessageKey => `error_${code}`;
