/**
 * `npx tayopt` must run this package's own command, never download anything: npm's exec
 * finds a bin of the same name in the project's own package.json before it would look at the
 * registry. Checked with the registry pointed at a closed port, so any download attempt
 * fails the test. The full fresh-clone check (git clone, npm ci, npx) is slow and needs the
 * npm cache, so it runs only with TAYOPT_TEST_CLONE=1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, ensureBuilt } from './helpers.js';

function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { cwd, timeout, env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_yes: 'false', npm_config_update_notifier: 'false' } },
      (err, stdout, stderr) => done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the tayopt command', () => {
  it('is an executable script with a node shebang', () => {
    ensureBuilt();
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    // executable after every build (the build script sets the mode; tsc writes 0644)
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
  });

  it('runs through npx from the repository and from a sub-folder without the registry', async () => {
    ensureBuilt();
    const v = await sh('npx', ['--no-install', 'tayopt', '--version'], join(ROOT, 'examples'));
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const r = await sh('npx', ['--no-install', 'tayopt', 'solve', 'examples/rosenbrock.json', '--json', '-q'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { success: boolean }).success).toBe(true);
  });

  it.runIf(process.env['TAYOPT_TEST_CLONE'] === '1')(
    'runs on a fresh clone after npm ci (TAYOPT_TEST_CLONE=1)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tayopt-clone-'));
      try {
        expect((await sh('git', ['clone', '--quiet', ROOT, join(dir, 'repo')], dir)).code).toBe(0);
        const repo = join(dir, 'repo');
        const env = { ...process.env };
        const ci = await new Promise<number | null>((done) =>
          execFile('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: repo, env, timeout: 300_000 }, (err) => done(err ? 1 : 0)),
        );
        expect(ci).toBe(0);
        const r = await sh('npx', ['--no-install', 'tayopt', 'solve', 'examples/rosenbrock.json', '--json', '-q'], repo);
        expect(r.code, r.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    400_000,
  );
});
