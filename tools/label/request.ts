// Chat-completions requests: the versioned prompt, the photo as a data URL, and the re-ask.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Prompt {
  /** "v1" for prompt.v1.md; recorded with every label so answers stay comparable. */
  version: string;
  text: string;
}

export const DEFAULT_PROMPT = join(dirname(fileURLToPath(import.meta.url)), 'prompt.v1.md');

export function loadPrompt(path = DEFAULT_PROMPT): Prompt {
  const version = /\.(v\d+)\.md$/.exec(basename(path))?.[1];
  if (!version) throw new Error(`prompt file name must carry its version, like prompt.v1.md: ${path}`);
  return { version, text: readFileSync(path, 'utf8') };
}

export type Message =
  | { role: 'system' | 'assistant'; content: string }
  | { role: 'user'; content: string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } })[] };

export interface ChatBody {
  model: string;
  messages: Message[];
  temperature: number;
  response_format: { type: 'json_object' };
  max_tokens: number;
}

export interface ImageInput {
  bytes: Uint8Array;
  mime: string;
}

export function chatBody(model: string, prompt: Prompt, image: ImageInput, detail: string): ChatBody {
  const url = `data:${image.mime};base64,${Buffer.from(image.bytes).toString('base64')}`;
  return {
    model,
    temperature: 0,
    response_format: { type: 'json_object' },
    max_tokens: 1200,
    messages: [
      { role: 'system', content: prompt.text },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Assess this listing photo, aspect by aspect, and answer with the JSON object only.' },
          { type: 'image_url', image_url: { url, detail } },
        ],
      },
    ],
  };
}

/** The same conversation plus the invalid reply and what was wrong with it. */
export function reaskBody(body: ChatBody, reply: string, errors: string[]): ChatBody {
  return {
    ...body,
    messages: [
      ...body.messages,
      { role: 'assistant', content: reply },
      {
        role: 'user',
        content: `Your answer did not match the required format: ${errors.slice(0, 8).join('; ')}. Reply again with only the corrected JSON object, with exactly the keys asked for.`,
      },
    ],
  };
}

/** The body with each image's base64 cut short, for printing. */
export function truncateImages(body: ChatBody, keep = 48): ChatBody {
  return JSON.parse(
    JSON.stringify(body).replace(/(data:[^;"]+;base64,)([A-Za-z0-9+/=]+)/g, (_m, head: string, b64: string) =>
      b64.length <= keep ? head + b64 : `${head}${b64.slice(0, keep)}…(${b64.length} chars)`,
    ),
  );
}
