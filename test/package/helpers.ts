/**
 * Shared by the package and browser tests: child processes with npm's own environment
 * variables removed (so a nested npm works on the project it is started in, not on the
 * repository that `npm test` runs in), and the full build (tsc + browser bundle).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** process.env without `npm_*` variables, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** Runs a command to completion; never rejects (a spawn failure is code null and its message). */
export function run(cmd: string, args: readonly string[], cwd: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env: options.env ?? cleanEnv(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      done({ code: typeof code === 'number' ? code : null, stdout: String(stdout), stderr: String(stderr) || (err && typeof code !== 'number' ? err.message : '') });
    });
  });
}

const BUILT = ['dist/bin/tayopt.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/browser/tayopt.js'];

/** Runs `npm run build` unless its outputs exist (`npm test` has just built them). */
export function ensureFullBuild(): void {
  if (BUILT.every((f) => existsSync(join(ROOT, f)))) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, env: cleanEnv(), stdio: 'inherit' });
}

export const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  files: string[];
};
