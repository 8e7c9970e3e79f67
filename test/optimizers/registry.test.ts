/**
 * The method registry (optimizers/methods/index.ts) tells the truth: every entry runs under
 * its name, honours bounds exactly when it says so (checked against the closed-form solution
 * of a box-constrained quadratic), takes the options of its family and rejects the others',
 * and is documented in the READMEs. (That each method evaluates exactly the oracles its
 * `needs` lists is checked in methods.test.ts, by the evaluation counts.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TayoptError } from '../../src/errors.js';
import {
  CONCRETE_METHOD_NAMES,
  FAMILY_OPTIONS,
  METHOD_NAMES,
  METHODS,
  SCALAR_METHOD_NAMES,
  type MethodFamily,
  autoText,
  chooseAuto,
  minimize,
  methodSpec,
} from '../../optimizers/index.js';
import { diagonalQuadratic } from './helpers.js';

// ½Σdᵢ(xᵢ − cᵢ)² on the box [0, 2]⁴: the minimizer is c clipped into the box.
const d = [1, 10, 100, 1000];
const c = [1, -2, 3, 0.5];
const box = { lower: [0, 0, 0, 0], upper: [2, 2, 2, 2] };
const clipped = [1, 0, 2, 0.5];

describe('the method registry', () => {
  it('lists every name minimize() accepts: auto, each method, each bounded alias right after its method', () => {
    const expected = ['auto'];
    for (const m of CONCRETE_METHOD_NAMES) {
      expected.push(m);
      const alias = methodSpec(m).boundedAs?.name;
      if (alias) expected.push(alias);
    }
    expect(METHOD_NAMES).toEqual(expected);
    expect(CONCRETE_METHOD_NAMES).toEqual(Object.keys(METHODS));
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
  });

  // (the least-squares methods' entries are checked in test/leastsq/least-squares.test.ts)
  for (const method of SCALAR_METHOD_NAMES) {
    const s = methodSpec(method);
    it(`${method}: runs under its name, and ${s.bounds ? 'honours' : 'refuses'} bounds as the registry says`, () => {
      const free = minimize(diagonalQuadratic(d, c), [0, 0, 0, 0], { method, gtol: 1e-10 });
      expect(free.method).toBe(method);
      for (let i = 0; i < 4; i++) expect(free.x[i]).toBeCloseTo(c[i]!, 8);
      const run = () => minimize(diagonalQuadratic(d, c), [1, 1, 1, 1], { method, bounds: box, gtol: 1e-10 });
      if (!s.bounds) {
        expect(run).toThrow(TayoptError);
        expect(run).toThrow(/cannot honour bounds/);
        return;
      }
      const r = run();
      expect(r.method).toBe(s.boundedAs?.name ?? method);
      for (let i = 0; i < 4; i++) expect(r.x[i]).toBeCloseTo(clipped[i]!, 8);
      if (s.boundedAs) {
        // The alias is the same method: it runs the bounded form with bounds, the plain one without.
        expect(minimize(diagonalQuadratic(d, c), [1, 1, 1, 1], { method: s.boundedAs.name as never, bounds: box }).method).toBe(s.boundedAs.name);
        expect(minimize(diagonalQuadratic(d, c), [0, 0, 0, 0], { method: s.boundedAs.name as never }).method).toBe(method);
      }
    });

    it(`${method}: takes the options of its family (${s.family}) and rejects the others'`, () => {
      const values: Record<string, unknown> = { lineSearch: 'backtracking', initialRadius: 2, maxRadius: 100, eta: 0.1, ctol: 1e-7 };
      for (const [family, keys] of Object.entries(FAMILY_OPTIONS) as [MethodFamily, readonly string[]][]) {
        for (const k of keys) {
          const run = () => minimize(diagonalQuadratic(d, c), [0, 0, 0, 0], { method, gtol: 1e-10, [k]: values[k] });
          if (family === s.family) for (let i = 0; i < 4; i++) expect(run().x[i]).toBeCloseTo(c[i]!, 8);
          else expect(run).toThrow(new RegExp(`options\\.${k} applies to ${family} methods, not '${method}'`));
        }
      }
    });
  }

  it("'auto' takes the first ranked method that fits: bounds, oracles supplied, dense size limit", () => {
    const all = new Set(['value', 'gradient', 'hvp', 'hessian'] as const);
    const first = new Set(['value', 'gradient'] as const);
    expect(chooseAuto({ problem: 'scalar', bounds: false, n: 200, has: all })).toBe('trust-exact');
    expect(chooseAuto({ problem: 'scalar', bounds: false, n: 201, has: all })).toBe('trust-ncg');
    expect(chooseAuto({ problem: 'scalar', bounds: true, n: 5, has: all })).toBe('trust-exact');
    expect(chooseAuto({ problem: 'scalar', bounds: true, n: 201, has: all })).toBe('trust-ncg');
    expect(chooseAuto({ problem: 'scalar', bounds: true, n: 5, has: first })).toBe('lbfgs');
    expect(chooseAuto({ problem: 'scalar', bounds: false, n: 5, has: first })).toBe('lbfgs');
    expect(chooseAuto({ problem: 'scalar', bounds: false, n: 500, has: new Set(['value', 'gradient', 'hessian'] as const)})).toBe('lbfgs');
    expect(chooseAuto({ problem: 'least-squares', bounds: false, n: 5, has: all })).toBeUndefined();
    expect(autoText()).toBe('trust-exact up to 200 unknowns, else trust-ncg, with or without bounds');
  });

  it('every method is documented: a row in the optimizers/README.md table with its derivatives, and named in README.md', () => {
    const folder = readFileSync(new URL('../../optimizers/README.md', import.meta.url), 'utf8');
    const top = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const derivative = { value: null, gradient: '∇f', hvp: '∇²f·v', hessian: '∇²f', jacobian: 'J', lagrangianHessian: '∇²L' } as const;
    for (const m of CONCRETE_METHOD_NAMES) {
      const row = folder.split('\n').find((l) => l.startsWith(`| \`${m}\` |`));
      expect(row, `optimizers/README.md row for ${m}`).toBeDefined();
      const cell = row!.split('|')[2]!.trim();
      const needs = methodSpec(m).needs;
      const strongest = (['lagrangianHessian', 'jacobian', 'hessian', 'hvp'] as const).find((o) => needs.includes(o)) ?? 'gradient';
      expect(cell, m).toBe(derivative[strongest]);
      expect(top, `README.md names ${m}`).toContain(`\`${m}\``);
    }
  });
});
