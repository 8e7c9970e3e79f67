/**
 * Values of the public linear-algebra functions against ml-matrix (a second implementation)
 * and closed forms; shapes of results; Tensor methods; behaviour at the documented edges
 * (repeated eigenvalues, norm at 0, overflow).
 */
import { CholeskyDecomposition, EigenvalueDecomposition, determinant, Matrix, QrDecomposition, inverse, solve as mlSolve } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { primitive } from '../../src/utpm/table.js';
import { UTPM } from '../../src/utpm/utpm.js';
import { Workspace } from '../../src/utpm/workspace.js';
import { flat, mm, randomMatrix, randomSPD, randomSymmetric, relErr, rng, toRows } from './util.js';

const r = rng(11);
const A4 = toRows(randomMatrix(r, 4, 4, 2), 4, 4);
const S4 = toRows(randomSPD(r, 4), 4, 4);
const values = (x: t.Tensor) => x.toFloat64Array();

describe('values against ml-matrix and closed forms', () => {
  test('solve: vector and matrix right-hand sides', () => {
    const b = [1, -2, 0.5, 3];
    const x = t.solve(A4, b);
    expect(x.shape).toEqual([4]);
    expect(relErr(values(x), Float64Array.from(mlSolve(new Matrix(A4), Matrix.columnVector(b)).to1DArray()))).toBeLessThan(1e-13);
    const B = toRows(randomMatrix(r, 4, 2), 4, 2);
    const X = t.solve(A4, B);
    expect(X.shape).toEqual([4, 2]);
    expect(relErr(values(X), Float64Array.from(mlSolve(new Matrix(A4), new Matrix(B)).to1DArray()))).toBeLessThan(1e-13);
  });

  test('inv, det, slogdet', () => {
    expect(relErr(values(t.inv(A4)), Float64Array.from(inverse(new Matrix(A4)).to1DArray()))).toBeLessThan(1e-13);
    expect(t.det([[1, 2], [3, 4]]).item()).toBeCloseTo(-2, 14);
    expect(t.det([[2, 0, 0], [0, 3, 0], [0, 0, 4]]).item()).toBe(24);
    expect(t.det(t.eye(5)).item()).toBe(1);
    const s = t.slogdet([[1, 2], [3, 4]]);
    expect(s.sign.item()).toBe(-1);
    expect(s.logabsdet.item()).toBeCloseTo(Math.log(2), 14);
    expect(t.det(A4).item()).toBeCloseTo(determinant(new Matrix(A4)), 12);
  });

  test('slogdet is stable where det overflows', () => {
    const n = 120;
    const big = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1e3 : 0) + (j === n - 1 - i ? 1 : 0)));
    expect(t.det(big).item()).toBe(Infinity);
    const s = t.slogdet(big);
    expect(s.sign.item()).toBe(1);
    // block-diagonal 2×2 blocks [[1e3, 1], [1, 1e3]] (plus the centre entry when n is odd): (1e6 − 1)^(n/2)
    expect(s.logabsdet.item()).toBeCloseTo((n / 2) * Math.log(1e6 - 1), 9);
  });

  test('cholesky', () => {
    const L = t.cholesky(S4);
    expect(relErr(values(L), Float64Array.from(new CholeskyDecomposition(new Matrix(S4)).lowerTriangularMatrix.to1DArray()))).toBeLessThan(1e-13);
  });

  test('qr: square and tall, Q orthonormal, R upper with diag ≥ 0, magnitudes as ml-matrix', () => {
    for (const [m, n] of [[4, 4], [7, 3]] as const) {
      const A = randomMatrix(r, m, n);
      const { Q, R } = t.qr(toRows(A, m, n));
      expect(Q.shape).toEqual([m, n]);
      expect(R.shape).toEqual([n, n]);
      const q = values(Q);
      const rr = values(R);
      expect(relErr(mm(q, rr, m, n, n), A)).toBeLessThan(1e-14);
      expect(relErr(mm(q, q, n, m, n, true, false), flat(t.eye(n).toArray() as number[][]))).toBeLessThan(1e-14);
      for (let i = 0; i < n; i++) {
        expect(rr[i * n + i]!).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(rr[i * n + j]).toBe(0);
      }
      const mlR = new QrDecomposition(new Matrix(toRows(A, m, n))).upperTriangularMatrix.to1DArray().map(Math.abs);
      expect(relErr(rr.map(Math.abs), Float64Array.from(mlR))).toBeLessThan(1e-13);
    }
  });

  test('eigh and eigvalsh: ascending, A·V = V·Λ, V orthonormal, as ml-matrix', () => {
    const n = 5;
    const A = randomSymmetric(r, n);
    const { values: w, vectors: V } = t.eigh(toRows(A, n, n));
    const lam = values(w);
    for (let i = 1; i < n; i++) expect(lam[i]!).toBeGreaterThan(lam[i - 1]!);
    const v = values(V);
    const lamM = new Float64Array(n * n);
    lam.forEach((l, i) => (lamM[i * n + i] = l));
    expect(relErr(mm(A, v, n, n, n), mm(v, lamM, n, n, n))).toBeLessThan(1e-13);
    expect(relErr(mm(v, v, n, n, n, true, false), flat(t.eye(n).toArray() as number[][]))).toBeLessThan(1e-13);
    const ml = new EigenvalueDecomposition(new Matrix(toRows(A, n, n)), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
    expect(relErr(lam, Float64Array.from(ml))).toBeLessThan(1e-13);
    expect(relErr(values(t.eigvalsh(toRows(A, n, n))), lam)).toBe(0);
    // each eigenvector's largest-magnitude entry is positive
    for (let c = 0; c < n; c++) {
      let big = 0;
      for (let i = 0; i < n; i++) if (Math.abs(v[i * n + c]!) > Math.abs(big)) big = v[i * n + c]!;
      expect(big).toBeGreaterThan(0);
    }
    expect(relErr(values(t.eigvalsh([[2, 1], [1, 2]])), Float64Array.of(1, 3))).toBeLessThan(1e-15);
  });

  test('trace, norm, diag, eye, triu, tril', () => {
    expect(t.trace([[1, 2, 3], [4, 5, 6]]).item()).toBe(6);
    expect(t.norm([3, 4]).item()).toBe(5);
    expect(t.norm([[1, 2], [2, 4]]).item()).toBe(5);
    expect(t.norm([1e200, 1e200]).item()).toBeCloseTo(Math.SQRT2 * 1e200, -186);
    expect(t.norm([3e-200, 4e-200]).item() / 5e-200).toBeCloseTo(1, 14);
    expect(t.norm([0, 0]).item()).toBe(0);
    expect(t.diag([1, 2]).toArray()).toEqual([[1, 0], [0, 2]]);
    expect(t.diag([1, 2], 1).toArray()).toEqual([[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
    expect(t.diag([1, 2], -1).toArray()).toEqual([[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
    expect(t.diag([[1, 2, 3], [4, 5, 6]]).toArray()).toEqual([1, 5]);
    expect(t.diag([[1, 2, 3], [4, 5, 6]], 1).toArray()).toEqual([2, 6]);
    expect(t.diag([[1, 2, 3], [4, 5, 6]], -1).toArray()).toEqual([4]);
    expect(t.diag([[1, 2, 3], [4, 5, 6]], 5).toArray()).toEqual([]);
    expect(t.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    const M = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    expect(t.triu(M).toArray()).toEqual([[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
    expect(t.triu(M, 1).toArray()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(t.tril(M).toArray()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(t.tril(M, -1).toArray()).toEqual([[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    expect(t.solveTriangular(M, [1, 2, 3], { lower: false }).toArray()).toEqual(t.solve(t.triu(M), [1, 2, 3]).toArray());
  });

  test('Tensor methods mirror the free functions; constant inputs fold to constants', () => {
    const A = t.tensor(A4);
    const S = t.tensor(S4);
    expect(A.solve([1, 2, 3, 4]).toArray()).toEqual(t.solve(A4, [1, 2, 3, 4]).toArray());
    expect(A.inv().toArray()).toEqual(t.inv(A4).toArray());
    expect(A.det().item()).toBe(t.det(A4).item());
    expect(A.slogdet().logabsdet.item()).toBe(t.slogdet(A4).logabsdet.item());
    expect(S.cholesky().toArray()).toEqual(t.cholesky(S4).toArray());
    expect(A.qr().R.toArray()).toEqual(t.qr(A4).R.toArray());
    expect(S.eigh().values.toArray()).toEqual(t.eigh(S4).values.toArray());
    expect(S.eigvalsh().toArray()).toEqual(t.eigvalsh(S4).toArray());
    expect(A.trace().item()).toBe(t.trace(A4).item());
    expect(A.norm().item()).toBe(t.norm(A4).item());
    expect(A.diag().toArray()).toEqual(t.diag(A4).toArray());
    expect(A.triu(1).toArray()).toEqual(t.triu(A4, 1).toArray());
    expect(A.tril(-1).toArray()).toEqual(t.tril(A4, -1).toArray());
    expect(t.cholesky(S4).solveTriangular([1, 2, 3, 4]).toArray()).toEqual(t.solveTriangular(t.cholesky(S4), [1, 2, 3, 4]).toArray());
    for (const v of [A.solve([1, 2, 3, 4]), A.det(), S.eigh().vectors, A.qr().Q]) expect(v.isTraced).toBe(false);
  });
});

describe('documented edge behaviour', () => {
  test('repeated eigenvalues: eigvalsh gradient finite (a valid one-sided derivative); eigenvector Taylor coefficients not', () => {
    // λ_min(I + diag(x)) at x = 0: all three eigenvalues equal
    const f = (x: t.Tensor) => t.at(t.eigvalsh(t.add(t.eye(3), t.diag(x))), 0);
    const g = t.grad(f)([0, 0, 0]) as Float64Array;
    expect(g.every(Number.isFinite)).toBe(true);
    // the gradient is the squared entries of a unit eigenvector: non-negative, summing to 1
    expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(g.every((v) => v >= 0)).toBe(true);
    // Taylor rule of eigh at A = diag(1, 1, 2): eigenvalue degree-1 finite, eigenvector blocks not
    const u = new UTPM([3, 3], 2, 1);
    u.data.set([1, 0, 0, 0, 1, 0, 0, 0, 2]);
    u.data.set([0.1, 0.2, 0, 0.2, -0.1, 0, 0, 0, 0.3], 9);
    const out = new UTPM([4, 3], 2, 1);
    primitive('eigh').forward(out, [u], null, new Workspace());
    const lam1 = out.data.subarray(12, 15);
    const V1 = out.data.subarray(15, 24);
    expect(lam1.every(Number.isFinite)).toBe(true);
    expect(V1.every(Number.isFinite)).toBe(false);
  });

  test('distinct but close eigenvalues stay finite', () => {
    const f = (x: t.Tensor) => t.sum(t.eigh(t.add(t.diag([1, 1 + 1e-6, 2]), t.mul(1e-3, t.diag(x)))).vectors);
    expect(flat(t.hessian(f)([0, 0, 0])).every(Number.isFinite)).toBe(true);
  });

  test('norm at 0: the zero subgradient in reverse and forward mode alike', () => {
    expect(t.grad((x) => t.norm(x))([0, 0])).toEqual(Float64Array.of(0, 0));
    expect(t.grad((x) => t.norm(x), { mode: 'forward' })([0, 0])).toEqual(Float64Array.of(0, 0));
    expect(relErr(t.grad((x) => t.norm(x))([3, 4]) as Float64Array, Float64Array.of(0.6, 0.8))).toBeLessThan(1e-15);
  });

  test('norm of tiny (subnormal) values: finite derivatives, forward = reverse', () => {
    // found by the property test: x·ȳ/y overflowed (ȳ/y = Inf) and the Taylor rule scaled by
    // max|x_0| overflowed; the gradient is the unit vector x/‖x‖
    for (const x of [[5e-324, 0], [3e-320, -4e-320], [1e-170, 1e-170]]) {
      const gr = t.grad((v) => t.norm(v))(x) as Float64Array;
      const gf = t.grad((v) => t.norm(v), { mode: 'forward' })(x) as Float64Array;
      expect(gr.every(Number.isFinite)).toBe(true);
      expect(relErr(gr, gf)).toBeLessThan(1e-15);
      expect(Math.hypot(gr[0]!, gr[1]!)).toBeCloseTo(1, 2);
    }
  });

  test('det of a singular matrix: value 0, gradient NaN (computed through A⁻¹)', () => {
    const f = (x: t.Tensor) => t.det(t.mul(x, t.tensor([[1, 2], [2, 4]])));
    expect(t.grad(f)(1)).toBeNaN();
  });
});
