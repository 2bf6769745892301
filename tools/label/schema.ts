// The answer we demand from the model, checked by hand: every aspect, in range, nothing extra.
import { ASPECTS, type AspectId } from '../../src/core/aspects';

export const VERDICTS = ['fine', 'mild', 'strong'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface AspectAnswer {
  verdict: Verdict;
  severity: number;
  rationale: string;
}

export interface Answer {
  aspects: Record<AspectId, AspectAnswer>;
  overall_score: 1 | 2 | 3 | 4 | 5;
  overall_rationale: string;
}

export type Checked = { ok: true; answer: Answer } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, path: string, max: number, errors: string[]) {
  if (typeof v !== 'string' || !v.trim()) errors.push(`${path} must be a non-empty string`);
  else if (v.length > max) errors.push(`${path} must be at most ${max} characters, got ${v.length}`);
}

function exactKeys(o: Record<string, unknown>, keys: readonly string[], path: string, errors: string[]) {
  for (const k of keys) if (!(k in o)) errors.push(`${path}.${k} is missing`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) errors.push(`${path}.${k} is not allowed (expected ${keys.join(', ')})`);
}

export function validateAnswer(value: unknown): Checked {
  const errors: string[] = [];
  if (!isObject(value)) return { ok: false, errors: ['answer must be a JSON object'] };
  exactKeys(value, ['aspects', 'overall_score', 'overall_rationale'], '$', errors);
  if (!isObject(value.aspects)) errors.push('$.aspects must be an object');
  else {
    exactKeys(value.aspects, ASPECTS, '$.aspects', errors);
    for (const id of ASPECTS) {
      const a = value.aspects[id];
      const path = `$.aspects.${id}`;
      if (a === undefined) continue;
      if (!isObject(a)) {
        errors.push(`${path} must be an object`);
        continue;
      }
      exactKeys(a, ['verdict', 'severity', 'rationale'], path, errors);
      if (!VERDICTS.includes(a.verdict as Verdict)) errors.push(`${path}.verdict must be one of ${VERDICTS.join(', ')}`);
      if (typeof a.severity !== 'number' || !Number.isFinite(a.severity) || a.severity < 0 || a.severity > 1) {
        errors.push(`${path}.severity must be a number from 0 to 1`);
      }
      text(a.rationale, `${path}.rationale`, 300, errors);
    }
  }
  if (!Number.isInteger(value.overall_score) || (value.overall_score as number) < 1 || (value.overall_score as number) > 5) {
    errors.push('$.overall_score must be an integer from 1 to 5');
  }
  text(value.overall_rationale, '$.overall_rationale', 600, errors);
  return errors.length ? { ok: false, errors } : { ok: true, answer: value as unknown as Answer };
}

/** Parses a model's reply: strict JSON, though a single surrounding code fence is forgiven. */
export function parseAnswer(content: string | null | undefined): Checked {
  if (!content) return { ok: false, errors: ['the reply was empty'] };
  const body = content.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { ok: false, errors: [`the reply is not valid JSON (${(e as Error).message})`] };
  }
  return validateAnswer(value);
}
