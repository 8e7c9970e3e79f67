/**
 * Acceptance 1: every linear-algebra primitive's Taylor rule at D = 4 with P = 2 directions
 * (and at other D, P) against truths computed without it:
 *  - finite differences of the primal along each direction's polynomial curve
 *    x(s) = Σ_d x_d s^d (5-point stencils: first and second coefficients, relative 1e-7);
 *  - identities order by order in plain series arithmetic written here: A·X = B for solve,
 *    A·inv(A) = I, L·Lᵀ = A, Q·R = A and QᵀQ = I, A·V = V·Λ and VᵀV = I, det against the
 *    Leibniz permutation expansion in series arithmetic, logabsdet against its logarithm,
 *    linear maps applied block by block, norm² = Σx².
 */
import { describe, expect, test } from 'vitest';
import { UTPM } from '../../src/utpm/utpm.js';
import { CASES, build, expectClose, r } from './cases.js';
import { coef, curve, fd12, fwd, pointAt, primal, randomMatrix, relErr, series } from './util.js';

describe('Taylor rules against finite differences of the primal (D = 4, P = 2)', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const { ins, out } = build(c, 4, 2);
      const shapes = c.inputs.map((i) => i.shape);
      const at0 = primal(c.op, ins.map((u) => coef(u, 0, 0)), shapes, c.params);
      expect(relErr(coef(out, 0, 0), at0)).toBe(0);
      for (let p = 0; p < 2; p++) {
        const g = (s: number) => primal(c.op, ins.map((u) => (u.D > 1 ? pointAt(u, p, s) : u.data)), shapes, c.params);
        const [y1, y2] = fd12(g, 1e-3);
        expect(relErr(coef(out, 1, p), y1), `degree 1, direction ${p}`).toBeLessThan(1e-7);
        expect(relErr(coef(out, 2, p), y2), `degree 2, direction ${p}`).toBeLessThan(1e-7);
      }
    });
  }
});

describe('Taylor rules satisfy their defining identities order by order', () => {
  for (const [D, P] of [[4, 2], [7, 3], [2, 1]] as const) {
    for (const c of CASES) {
      test(`${c.name} (D = ${D}, P = ${P})`, () => {
        const { ins, out } = build(c, D, P);
        for (let p = 0; p < P; p++) {
          const pairs = c.identity(
            ins.map((u) => series(u, p, D)),
            series(out, p, D),
          );
          pairs.forEach(([got, want], k) => expectClose(got, want, 1e-11, `pair ${k}, direction ${p}`));
        }
      });
    }
  }
});

test('det_sign is a constant (nondiff) node with the sign of det', () => {
  const A = randomMatrix(r, 3, 3, 0.5);
  const u = curve([3, 3], A, 3, 2, r);
  const out = fwd('det_sign', [u], null, 3, 2);
  expect(out.D).toBe(1);
  const det = primal('det', [A], [[3, 3]], null)[0]!;
  expect(out.data[0]).toBe(Math.sign(det));
});

test('a primitive never reads the absent blocks of a constant input (mixed D)', () => {
  // solve(A, B) with A a curve and B constant equals solve with B's blocks given as zeros
  const n = 3;
  const A = curve([n, n], randomMatrix(r, n, n, 3), 4, 2, r);
  const B0 = randomMatrix(r, n, 2);
  const Bc = UTPM.constant([n, 2], B0);
  const Bz = new UTPM([n, 2], 4, 2);
  Bz.data.set(B0);
  expect(relErr(fwd('solve', [A, Bc], { trans: false }, 4, 2).data, fwd('solve', [A, Bz], { trans: false }, 4, 2).data)).toBe(0);
});
