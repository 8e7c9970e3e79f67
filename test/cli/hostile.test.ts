/**
 * Hostile input at the command line (issue 15): the seeded mutation fuzzer's fast subset
 * (bench/fuzz/cli.ts — mutated example files and flags, plus the special files: /dev/zero, a
 * FIFO, a folder, a 65 MiB file, an alias bomb, deep nesting, …), and the CLI's checks before
 * solving, each run as a user would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, badInputShape, ensureBuilt, tayopt } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tayopt-hostile-'));
const ROSENBROCK = join(ROOT, 'examples/rosenbrock.json');

describe('the CLI fuzzer, fast subset', () => {
  it('80 mutants and the special files: exit 0/1/2 only, one short escaped line for exit 2, no stack trace, no hang, bounded memory, no lost variable', async () => {
    ensureBuilt();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done) => {
      execFile(process.execPath, [join(ROOT, 'dist/bench/fuzz/cli.js'), '--count', '80', '--seed', '1', '--quiet'], { cwd: ROOT, timeout: 400_000, maxBuffer: 16 << 20 }, (err, out) =>
        done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout: String(out) }),
      );
    });
    const summary = stdout.trim().split('\n').pop() ?? '';
    // the failures, if any, are printed above the summary with their seeds and command lines
    expect(stdout.includes('\nseed ') || stdout.startsWith('seed ') ? stdout : '', 'fuzz failures').toBe('');
    expect(summary).toMatch(/^fuzz-cli: \d+ cases \(80 mutants from seed 1 \+ the special files\): .*; 0 failures;/);
    const total = Number(/^fuzz-cli: (\d+) cases/.exec(summary)![1]);
    expect(total).toBeGreaterThan(80); // the special files ran too
    expect(code).toBe(0);
  }, 420_000);
});

describe('the CLI checks before it solves', () => {
  it('a flag that needs a value without one is exit 2, one line', async () => {
    for (const args of [['solve', ROSENBROCK, '--gtol'], ['solve', ROSENBROCK, '--gtol', '--json'], ['derive', ROSENBROCK, '--at'], ['compare', ROSENBROCK, '--methods']]) {
      const r = await tayopt(args);
      expect(badInputShape(r), args.join(' ')).toEqual({ ok: true, why: '' });
      expect(r.stderr).toMatch(/Not enough arguments following: (gtol|at|methods)/);
      expect(r.stdout).toBe('');
    }
  });

  it('--report naming a folder is refused before the solve: nothing on stdout', async () => {
    const folder = join(dir, 'report.html');
    mkdirSync(folder);
    const r = await tayopt(['solve', ROSENBROCK, '--report', folder]);
    expect(badInputShape(r)).toEqual({ ok: true, why: '' });
    expect(r.stderr).toMatch(/--report: cannot write ".*report\.html": it is a folder/);
    expect(r.stdout).toBe('');
  });

  it('terminal escapes in the name are escaped in the summary and the log; x is still solved (3, 3)', async () => {
    const file = join(dir, 'escape.json');
    writeFileSync(file, '{"name":"\\u001b]0;pwned\\u0007\\u001b[2J","variables":{"x":[1,2]},"objective":"sum((x-3).^2)"}');
    const r = await tayopt(['solve', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\\x1b\]0;pwned\\x07\\x1b\[2J: converged/);
    expect(r.stderr).toContain('solving "\\x1b]0;pwned\\x07\\x1b[2J"');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.stdout).toMatch(/x = \[3, 3\]/);
  });

  it('a variable named __proto__ is refused (it used to print "x": {} with success)', async () => {
    const file = join(dir, 'proto.json');
    writeFileSync(file, '{"variables":{"__proto__":[1,2]},"objective":"sum((__proto__-3).^2)"}');
    const r = await tayopt(['solve', file, '--json']);
    expect(badInputShape(r)).toEqual({ ok: true, why: '' });
    expect(r.stderr).toMatch(/proto\.json:1:15: variables: the name "__proto__" is taken by the internals of JavaScript objects/);
  });

  it('a dense method asked for above 200 unknowns warns in one line; beyond the size limit it is refused before the run', async () => {
    const file = join(dir, 'n300.json');
    writeFileSync(file, '{"variables":{"x":"ones(300)"},"objective":"sum((x-2).^2)"}');
    const r = await tayopt(['solve', file, '--method', 'trust-exact', '-q', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toMatch(/^tayopt: warning: trust-exact factorizes the dense 300×300 Hessian every iteration \(O\(n³\) work\); above 200 unknowns a Hessian-free method such as trust-ncg or newton-cg is usually far faster$/);
    expect((JSON.parse(r.stdout) as { x: { x: number[] } }).x.x.every((v) => Math.abs(v - 2) < 1e-8)).toBe(true);
    const big = await tayopt(['solve', file, '--method', 'trust-exact', '-q'], { env: { TAYOPT_MAX_BYTES: '1M' } });
    expect(badInputShape(big)).toEqual({ ok: true, why: '' });
    expect(big.stderr).toMatch(/method 'trust-exact' on n = 300 unknowns \(3 dense n×n matrices\) needs 2\.06 MiB, more than the size limit of 1 MiB .*; use a Hessian-free method/);
  });
});
