/**
 * Property-based: on random well-posed matrices (fast-check), compositions of the
 * linear-algebra operations have gradients equal to central differences and Hessians that
 * agree between forward-over-reverse and pure forward Taylor mode.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { fdGradient, flat, relErr } from './util.js';

const n = 3;

/** Scalar functions of a 3×3 matrix variable X (as 9 numbers), each well posed near the draws. */
const FNS: ((X: Tensor) => Tensor)[] = [
  (X) => t.sum(t.solve(t.add(X, t.mul(4, t.eye(n))), [1, -1, 2])),
  (X) => t.trace(t.inv(t.add(X, t.mul(4, t.eye(n))))),
  (X) => t.det(t.add(X, t.mul(3, t.eye(n)))),
  (X) => t.slogdet(t.add(t.dot(X, X.T), t.eye(n))).logabsdet,
  (X) => t.sum(t.mul(t.cholesky(t.add(t.dot(X, X.T), t.eye(n))), [[1, 0, 0], [2, 3, 0], [-1, 0.5, 2]])),
  (X) => t.sum(t.square(t.qr(t.add(X, t.mul(3, t.eye(n)))).R)),
  (X) => t.dot(t.eigvalsh(t.add(X, X.T)), [1, 2, 3]),
  (X) => t.norm(t.add(t.tril(t.dot(X, t.triu(X))), t.eye(n))), // away from norm's kink at 0
];

test('random matrices: gradient = central differences, forward-over-reverse Hessian = forward Hessian', () => {
  fc.assert(
    fc.property(
      fc.nat(FNS.length - 1),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }),
      (k, entries) => {
        const f = (x: Tensor) => FNS[k]!(t.reshape(x, [n, n]));
        const x = Float64Array.from(entries);
        if (k === 6) {
          // eigvalsh needs distinct eigenvalues: skip draws whose spectrum is nearly repeated
          const lam = t.eigvalsh(t.add(t.reshape(x, [n, n]), t.reshape(x, [n, n]).T)).toFloat64Array();
          fc.pre(lam[1]! - lam[0]! > 1e-2 && lam[2]! - lam[1]! > 1e-2);
        }
        const g = t.grad(f)(x) as Float64Array;
        const fd = fdGradient((v) => f(t.tensor(v)).item(), x, 1e-6);
        // errors relative to max(1, |·|): the functions are O(1), their gradients may vanish
        expect(relErr(g, fd, 1)).toBeLessThan(1e-6);
        const H = flat(t.hessian(f)(x));
        const Hf = flat(t.hessian(f, { mode: 'forward' })(x));
        expect(relErr(H, Hf, 1)).toBeLessThan(1e-10);
      },
    ),
    { numRuns: 80, seed: 31415 },
  );
});
