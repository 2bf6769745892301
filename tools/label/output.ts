// The labels file: JSONL, one record per image hash, append-only. Each line is written whole and
// fsynced; a line torn by a crash is cut off on the next open, so that image is simply redone.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Answer } from './schema';
import type { Usage } from './client';

export interface LabelRecord {
  sha256: string;
  file: string | null;
  model: string;
  prompt: string;
  answer: Answer;
  usage: Usage;
  /** True when the first reply was invalid and the model was asked once more. */
  reasked: boolean;
  source: 'live' | 'batch';
  at: string;
}

export class LabelsFile {
  private readonly fd: number;
  private readonly done = new Set<string>();
  /** Bytes of a torn last line that were cut off when opening. */
  readonly repairedBytes: number;

  constructor(readonly path: string) {
    let repaired = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        repaired = Buffer.byteLength(text.slice(end));
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
        fsyncSync(fd);
        closeSync(fd);
      }
      for (const line of text.slice(0, end).split('\n')) {
        if (!line.trim()) continue;
        try {
          const sha = (JSON.parse(line) as { sha256?: unknown }).sha256;
          if (typeof sha === 'string') this.done.add(sha);
        } catch {
          // a complete but unreadable line: leave it, and redo its image
        }
      }
    }
    this.repairedBytes = repaired;
    this.fd = openSync(path, 'a');
  }

  has(sha256: string): boolean {
    return this.done.has(sha256);
  }

  get size(): number {
    return this.done.size;
  }

  /** Appends unless the hash is already there; returns whether it wrote. */
  append(record: LabelRecord): boolean {
    if (this.done.has(record.sha256)) return false;
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
    this.done.add(record.sha256);
    return true;
  }

  close() {
    closeSync(this.fd);
  }
}
