/**
 * The Moré–Garbow–Hillstrom test set as problem files (examples/mgh/): each is solved
 * through the command line to the minimum published in Moré, Garbow & Hillstrom, "Testing
 * unconstrained optimization software", ACM TOMS 7 (1981) — which also checks the data in
 * the files, since a wrong digit moves the minimum. The engine's gradient of each file's
 * objective at x0 is checked against finite differences too.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { loadProblem } from '../../src/problem/load.js';
import type { Problem } from '../../src/problem/types.js';
import { type CliResult, ROOT, tayopt } from './helpers.js';

const DIR = join(ROOT, 'examples/mgh');
const FILES = readdirSync(DIR).filter((f) => /\.(json|ya?ml)$/.test(f)).sort();

const runs = new Map<string, CliResult>();
const problems = new Map<string, Problem>();

beforeAll(async () => {
  await Promise.all(
    FILES.map(async (f) => {
      problems.set(f, await loadProblem(join(DIR, f)));
      runs.set(f, await tayopt(['solve', join('examples/mgh', f), '--json', '--quiet']));
    }),
  );
}, 300_000);

describe('examples/mgh', () => {
  it('holds at least 15 problems, among them the required kinds', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(15);
    for (const required of ['bard', 'meyer', 'osborne-1', 'watson', 'helical-valley', 'extended-rosenbrock']) {
      expect(FILES.some((f) => f.includes(required)), required).toBe(true);
    }
    const ext = problems.get(FILES.find((f) => f.includes('extended-rosenbrock'))!)!;
    expect(ext.n).toBe(1000);
  });
});

describe.each(FILES)('%s', (file) => {
  it("solves through the CLI to the paper's minimum", () => {
    const r = runs.get(file)!;
    expect(r.code, r.stderr || r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { fun: number; success: boolean; x: Record<string, unknown> };
    const p = problems.get(file)!;
    const fStar = p.solution.f!;
    expect(fStar).toBeDefined();
    if (fStar === 0) {
      expect(out.fun).toBeGreaterThanOrEqual(0);
      expect(out.fun).toBeLessThan(1e-9);
    } else {
      // the paper gives 6 significant digits
      expect(Math.abs(out.fun - fStar) / Math.abs(fStar), `f = ${out.fun}, f* = ${fStar}`).toBeLessThanOrEqual(5e-6);
    }
    if (p.solution.x) {
      const x = p.variables.flatMap((v) => [out.x[v.name]].flat(3) as number[]);
      p.solution.x.forEach((w, i) => {
        const tol = w === 0 ? 2e-3 : 1e-4 * Math.abs(w);
        expect(Math.abs(x[i]! - w), `x[${i + 1}] = ${x[i]}, x* = ${w}`).toBeLessThanOrEqual(tol);
      });
    }
  });

  it('has an exact gradient at x0 (central differences with one Richardson step)', () => {
    const p = problems.get(file)!;
    const f = (x: Float64Array) => p.f(t.tensor(x)).item();
    const g = new Float64Array(p.n);
    t.objective(p.f, p.x0).valueAndGrad(p.x0, g);
    const D = (i: number, h: number) => {
      const xp = p.x0.slice();
      xp[i] += h;
      const xm = p.x0.slice();
      xm[i] -= h;
      return (f(xp) - f(xm)) / (2 * h);
    };
    // large problems: every 7th coordinate (the objectives are translation-invariant in structure)
    const step = p.n > 100 ? 7 : 1;
    const f0 = Math.abs(f(p.x0));
    for (let i = 0; i < p.n; i += step) {
      const h = 1e-3 * Math.max(Math.abs(p.x0[i]!), 1e-2);
      const fd = (4 * D(i, h / 2) - D(i, h)) / 3;
      // 1e-7 relative, plus what rounding in f alone can do to a difference quotient
      // (Brown badly scaled has f(x0) ≈ 1e12)
      const tol = 1e-7 * Math.max(1, Math.abs(g[i]!)) + (100 * Number.EPSILON * f0) / h;
      expect(Math.abs(g[i]! - fd), `∂f/∂x[${i + 1}]: ${g[i]} vs ${fd}`).toBeLessThan(tol);
    }
  });
});
