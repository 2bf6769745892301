// Small helpers shared by the Node tools: argument parsing, help text and a progress line.

export interface ParsedArgs {
  flags: Record<string, string | boolean>;
  positional: string[];
}

/** `--name value`, `--name=value` and bare `--flag`; everything else is positional. */
export function parseArgs(argv: string[], booleans: string[] = []): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (inline !== undefined) flags[name] = inline;
    else if (booleans.includes(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) flags[name] = true;
    else flags[name] = argv[++i];
  }
  return { flags, positional };
}

export function flagNumber(flags: ParsedArgs['flags'], name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined || v === true) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
  return n;
}

/** A single self-overwriting progress line on stderr with rate and ETA. */
export function progress(label: string, total: number) {
  const start = Date.now();
  let last = 0;
  return {
    tick(done: number) {
      const now = Date.now();
      if (now - last < 500 && done < total) return;
      last = now;
      const s = (now - start) / 1000;
      const rate = done / Math.max(s, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : 0;
      const line = `${label} ${done}/${total} ${rate.toFixed(2)}/s eta ${Math.round(eta)}s`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
      else if (done === total || now - start > 0) process.stderr.write(`${line}\n`);
    },
    done() {
      if (process.stderr.isTTY) process.stderr.write('\n');
      return (Date.now() - start) / 1000;
    },
  };
}
