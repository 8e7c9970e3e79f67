/**
 * Running the built CLI (`node dist/bin/tayopt.js …`) as a user would: a separate process,
 * its exit code, stdout and stderr. `npm test` builds dist/ first; when it is missing the
 * first call builds it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'dist/bin/tayopt.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let built = false;

/** Makes sure dist/bin/tayopt.js exists (building once if not). */
export function ensureBuilt(): void {
  if (built || existsSync(BIN)) {
    built = true;
    return;
  }
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  built = true;
}

// Each run is a Node process that spends most of a second starting up: run a few at a time.
const MAX_PARALLEL = 3;
let active = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  active++;
  try {
    return await fn();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** Runs `tayopt args…` in `cwd` (default: the repository root). Never rejects. */
export function tayopt(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  ensureBuilt();
  return slot(
    () =>
      new Promise<CliResult>((done) => {
        execFile(
          process.execPath,
          [BIN, ...args],
          { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20, env: { ...process.env, ...options.env } },
          (err, stdout, stderr) => {
            const code = err ? ((err as { code?: number | string }).code ?? null) : 0;
            done({ code: typeof code === 'number' ? code : null, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      }),
  );
}

/** Asserts the shape of a bad-input failure: exit 2, exactly one line on stderr, no stack trace. */
export function badInputShape(r: CliResult): { ok: boolean; why: string } {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (r.code !== 2) return { ok: false, why: `exit code ${r.code}, stderr: ${r.stderr}` };
  if (lines.length !== 1) return { ok: false, why: `${lines.length} lines on stderr: ${r.stderr}` };
  if (/^\s+at\s/m.test(r.stderr) || /\.(ts|js):\d+:\d+\)?$/m.test(r.stderr)) return { ok: false, why: `stack trace: ${r.stderr}` };
  if (!lines[0]!.startsWith('tayopt: ')) return { ok: false, why: `not a tayopt message: ${r.stderr}` };
  return { ok: true, why: '' };
}
