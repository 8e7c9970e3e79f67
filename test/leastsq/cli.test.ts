/**
 * Problem files with `residuals` through the command line, against the library: the same fit
 * (parameters, standard errors) from `tayopt solve --json` and from `leastSquares()`, NIST's
 * certified values from a file's second start (`--start`), `derive --jacobian` against
 * central differences of the residuals, `compare` with lm/trf and minimize methods in one
 * table, and the bad inputs of the file format (residuals with objective, a scalar
 * residual, an unknown start, lm on a problem without residuals).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { leastSquares } from '../../optimizers/index.js';
import { withStart } from '../../src/problem/index.js';
import { loadProblem } from '../../src/problem/load.js';
import { lre } from '../../bench/problems/nist.js';
import { tayopt } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tayopt-lsq-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('tayopt solve on a residuals file', () => {
  it('gives the same fit as leastSquares() on the loaded problem, with standard errors by variable', async () => {
    const path = 'examples/nist/misra1a.yaml';
    const cli = await tayopt(['solve', path, '--json', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { method: string; x: Record<string, number>; stderr: Record<string, number>; fun: number; njev: number };
    const p = await loadProblem(path);
    const lib = leastSquares(p.residuals!, p.x0);
    expect(out.method).toBe(lib.method);
    expect(out.x['b1']).toBe(lib.x[0]);
    expect(out.x['b2']).toBe(lib.x[1]);
    expect(out.stderr['b1']).toBe(lib.stderr![0]);
    expect(out.stderr['b2']).toBe(lib.stderr![1]);
    expect(out.fun).toBe(lib.fun);
    expect(out.njev).toBe(lib.njev);
    // and NIST's certified values
    expect(lre(out.x['b1']!, p.solution.x![0]!)).toBeGreaterThanOrEqual(6);
    expect(lre(out.stderr['b2']!, p.solution.stderr![1]!)).toBeGreaterThanOrEqual(6);
  });

  it('--start start2 starts from the second start point; the summary ends with the parameter table', async () => {
    const path = 'examples/nist/rat43.yaml';
    const cli = await tayopt(['solve', path, '--start', 'start2', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/parameter\s+value\s+std\. error\s+relative/);
    const p = withStart(await loadProblem(path), 'start2');
    const lib = leastSquares(p.residuals!, p.x0);
    for (let i = 0; i < 4; i++) {
      const row = cli.stdout.split('\n').find((l) => l.trim().startsWith(`b${i + 1} `))!;
      const [, value, se] = row.trim().split(/\s+/);
      expect(Number(value)).toBeCloseTo(lib.x[i]!, 6);
      expect(Number(se)).toBeCloseTo(lib.stderr![i]!, 3);
      expect(lre(Number(value), p.solution.x![i]!)).toBeGreaterThanOrEqual(6);
    }
    expect(cli.stdout).toMatch(/15 residuals, 4 parameters, 11 degrees of freedom/);
  });

  it('--method trust-exact minimizes Σr² instead, and reaches the same minimum', async () => {
    const cli = await tayopt(['solve', 'examples/nist/misra1a.yaml', '--start', 'start2', '--method', 'trust-exact', '--gtol', '1e-8', '--json', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { method: string; fun: number; stderr?: unknown };
    expect(out.method).toBe('trust-exact');
    expect(out.stderr).toBeUndefined();
    expect(lre(out.fun, 1.2455138894e-1)).toBeGreaterThanOrEqual(6);
  });

  it('compare runs lm, trf and minimize methods in one table', async () => {
    const cli = await tayopt(['compare', 'examples/nist/misra1a.yaml', '--methods', 'lm,trf,lbfgs,trust-exact', '--gtol', '1e-7', '--quiet']);
    expect(cli.stdout, cli.stderr).toMatch(/^lm\s+(gtol|ftol|xtol)\s/m);
    expect(cli.stdout).toMatch(/^trf\s+(gtol|ftol|xtol)\s/m);
    expect(cli.stdout).toMatch(/^trust-exact\s+gtol\s/m);
  });
});

describe('tayopt derive --jacobian', () => {
  it('prints r and J at the point; J matches central differences of the residuals', async () => {
    const cli = await tayopt(['derive', 'examples/nist/danwood.yaml', '--jacobian', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { residuals: number[]; jacobian: number[][] };
    const p = await loadProblem('examples/nist/danwood.yaml');
    const r = (x: number[]) => p.residuals!(t.tensor(x)).toFloat64Array();
    const x0 = Array.from(p.x0);
    expect(out.residuals).toEqual(Array.from(r(x0)));
    for (let j = 0; j < 2; j++) {
      const h = 1e-4 * Math.abs(x0[j]!);
      const xp = x0.slice();
      const xm = x0.slice();
      xp[j]! += h;
      xm[j]! -= h;
      const a = r(xp);
      const b = r(xm);
      for (let i = 0; i < out.residuals.length; i++) expect(out.jacobian[i]![j]).toBeCloseTo((a[i]! - b[i]!) / (2 * h), 5);
    }
  });
});

describe('bad input in residuals files and flags', () => {
  it('residuals together with objective: exit 2, one line naming the field', async () => {
    const p = file('both.yaml', 'variables: { b: [1, 2] }\nobjective: sum(b.^2)\nresiduals: b - 1\n');
    const r = await tayopt(['solve', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/both\.yaml:3:1: residuals: a problem has either "objective" or "residuals", not both/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('residuals that are a single number', async () => {
    const p = file('scalar.yaml', 'variables: { b: [1, 2] }\nresiduals: sum(b)\n');
    const r = await tayopt(['solve', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/residuals: must be the vector of residuals .*single number/);
  });
  it('an unknown start name; a start of the wrong shape', async () => {
    const r = await tayopt(['solve', 'examples/nist/misra1a.yaml', '--start', 'strat2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--start: .* has no start point "strat2" \(did you mean "start2"\?\)/);
    const p = file('badstart.yaml', 'variables: { b: [1, 2] }\nresiduals: b - 1\nstarts: { s: { b: [1, 2, 3] } }\n');
    const q = await tayopt(['solve', p]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/starts\.s\.b: has shape \[3\], but variable b has shape \[2\]/);
  });
  it('lm on a problem with an objective; --jacobian without residuals', async () => {
    const r = await tayopt(['solve', 'examples/extended-rosenbrock.yaml', '--method', 'lm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/method "lm" solves least-squares problems/);
    const d = await tayopt(['derive', 'examples/extended-rosenbrock.yaml', '--jacobian']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--jacobian: .* gives an objective, not residuals/);
  });
});
