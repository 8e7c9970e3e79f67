/**
 * Acceptance 3: bad input to the linear-algebra functions fails at the edge with a
 * TayoptError whose message names the function and the problem; at a replay the same
 * trouble propagates non-finite values instead (solvers handle those).
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { TayoptError } from '../../src/index.js';

function fails(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a TayoptError').toBeInstanceOf(TayoptError);
  expect((err as Error).message).toMatch(message);
}

const singular2 = [[1, 2], [2, 4]];
/** Singular in exact arithmetic; its last LU pivot is rounding noise (~1e-16), not 0. */
const singular3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

describe('shapes', () => {
  test('non-square matrix to inv, det, slogdet, solve, cholesky, eigh, eigvalsh', () => {
    const A = [[1, 2, 3], [4, 5, 6]];
    fails(() => t.inv(A), /^inv: needs a square matrix, got shape \[2,3\]$/);
    fails(() => t.det(A), /^det: needs a square matrix, got shape \[2,3\]$/);
    fails(() => t.slogdet(A), /^slogdet: needs a square matrix, got shape \[2,3\]$/);
    fails(() => t.solve(A, [1, 2]), /^solve: needs a square matrix, got shape \[2,3\]$/);
    fails(() => t.cholesky(A), /^cholesky: needs a square matrix/);
    fails(() => t.eigh(A), /^eigh: needs a square matrix/);
    fails(() => t.eigvalsh(A), /^eigvalsh: needs a square matrix/);
    fails(() => t.det([1, 2, 3]), /^det: needs a square matrix, got shape \[3\]$/);
    fails(() => t.inv([[]]), /^inv: needs a square matrix, got shape \[1,0\]$/);
  });

  test('mismatched right-hand side, wide qr, bad diag/triu/eye arguments', () => {
    fails(() => t.solve([[2, 0], [0, 3]], [1, 2, 3]), /^solve: matrix of shape \[2,2\] and right-hand side of shape \[3\] do not match/);
    fails(() => t.solve([[2, 0], [0, 3]], [[[1]]]), /^solve: matrix of shape \[2,2\] and right-hand side of shape \[1,1,1\]/);
    fails(() => t.solveTriangular([[2, 0], [0, 3]], [[1, 2]]), /^solveTriangular: matrix of shape \[2,2\] and right-hand side of shape \[1,2\]/);
    fails(() => t.qr([[1, 2, 3], [4, 5, 6]]), /^qr: needs a non-empty matrix with at least as many rows as columns, got shape \[2,3\]$/);
    fails(() => t.qr([1, 2]), /^qr: needs a matrix \(2-D\), got shape \[2\]$/);
    fails(() => t.diag([[[1]]]), /^diag: needs a vector or a matrix, got shape \[1,1,1\]$/);
    fails(() => t.diag([1, 2], 0.5), /^diag: diagonal offset k must be an integer/);
    fails(() => t.triu([1, 2]), /^triu: needs a matrix \(2-D\), got shape \[2\]$/);
    fails(() => t.tril([[1]], 1.5), /^tril: diagonal offset k must be an integer/);
    fails(() => t.trace([1, 2]), /^trace: needs a matrix/);
    fails(() => t.eye(-1), /^eye: dimensions must be non-negative integers/);
  });
});

describe('singular matrices', () => {
  test('solve and inv name themselves and say singular (exactly and numerically singular)', () => {
    fails(() => t.solve(singular2, [1, 1]), /^solve: matrix is singular/);
    fails(() => t.solve(singular3, [[1], [1], [1]]), /^solve: matrix is singular/);
    fails(() => t.inv(singular2), /^inv: matrix is singular/);
    fails(() => t.inv(singular3), /^inv: matrix is singular/);
    fails(() => t.inv([[0, 0], [0, 0]]), /^inv: matrix is singular/);
    fails(() => t.solveTriangular([[1, 0], [5, 0]], [1, 1]), /^solveTriangular: matrix is singular \(diagonal entry 1 is 0\.00\)$/);
  });

  test('a well-conditioned but badly scaled matrix is not called singular', () => {
    expect(t.solve([[1e-12, 0], [0, 1]], [1, 1]).toArray()).toEqual([1e12, 1]);
    expect(t.inv([[1e20, 1], [0, 1e20]]).toFloat64Array().every(Number.isFinite)).toBe(true);
  });

  test('det and slogdet of a singular matrix do not throw: 0, and sign 0 with log|det| = −∞', () => {
    expect(t.det(singular2).item()).toBe(0);
    const s = t.slogdet(singular2);
    expect(s.sign.item()).toBe(0);
    expect(s.logabsdet.item()).toBe(-Infinity);
  });

  test('while tracing a function for derivatives, the error surfaces with its message', () => {
    const f = (x: t.Tensor) => t.sum(t.solve(t.mul(x, t.tensor(singular2)), [1, 1]));
    fails(() => t.grad(f)(1), /^solve: matrix is singular/);
    fails(() => t.hessian((x) => t.sum(t.inv(t.mul(x.at(0), t.tensor(singular3))))) ([1, 2]), /^inv: matrix is singular/);
  });

  test('a replay at a singular point propagates non-finite values instead of throwing', () => {
    const A0 = t.tensor([[2, 1], [1, 2]]);
    const f = (x: t.Tensor) => t.sum(t.solve(t.add(A0, t.diag(x)), [1, 2]));
    const g = t.grad(f);
    expect((g([0.1, 0.2]) as Float64Array).every(Number.isFinite)).toBe(true);
    // A0 + diag(−1, −1) = [[1,1],[1,1]] is singular
    let out: Float64Array | undefined;
    expect(() => (out = g([-1, -1]) as Float64Array)).not.toThrow();
    expect(out!.every(Number.isFinite)).toBe(false);
  });

  test('non-finite input is not "singular": NaN propagates', () => {
    expect(Number.isNaN(t.solve([[NaN, 0], [0, 1]], [1, 1]).toFloat64Array()[0]!)).toBe(true);
    expect(t.cholesky([[NaN, 0], [0, 1]]).toFloat64Array().some(Number.isNaN)).toBe(true);
  });
});

describe('cholesky, eigh, eigvalsh: symmetry and definiteness', () => {
  test('a non-symmetric matrix is rejected, naming the entries', () => {
    const A = [[4, 1], [0.5, 3]];
    fails(() => t.cholesky(A), /^cholesky: matrix is not symmetric \(A\[1,0\] = 0\.500 but A\[0,1\] = 1\.00\)$/);
    fails(() => t.eigh(A), /^eigh: matrix is not symmetric/);
    fails(() => t.eigvalsh(A), /^eigvalsh: matrix is not symmetric/);
  });

  test('rounding-level asymmetry is accepted (the symmetric part is used)', () => {
    const A = [[4, 1 + 1e-14], [1, 3]];
    expect(t.cholesky(A).toFloat64Array().every(Number.isFinite)).toBe(true);
  });

  test('a symmetric matrix that is not positive definite is rejected', () => {
    fails(() => t.cholesky([[1, 2], [2, 1]]), /^cholesky: matrix is not positive definite \(its leading 2×2 block is not\)$/);
    fails(() => t.cholesky([[-1, 0], [0, 1]]), /^cholesky: matrix is not positive definite \(its leading 1×1 block is not\)$/);
    fails(() => t.cholesky([[1, 0, 0], [0, 1, 0], [0, 0, 0]]), /^cholesky: matrix is not positive definite/);
  });
});
