/**
 * Regressions found by differential testing (issue 14): silently wrong replays, compiler
 * crashes on valid programs, NaN where the derivative is finite, accuracy lost to
 * cancellation, and API points. Every truth here is a closed form (or, for tanh′ and
 * sigmoid′, 60-digit decimal arithmetic from mathjs' BigNumber), never the engine's output.
 */
import { all, create } from 'mathjs';
import ndarray from 'ndarray';
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import { relErr } from '../helpers.js';

/** The numbers of an array-like, with −0 read as 0 (a derivative's sign of zero is not part of its value). */
const arr = (v: unknown): number[] => Array.from(v as ArrayLike<number>, (x) => x + 0);
const rows = (m: number[][]): number[][] => m.map((r) => arr(r));

describe('a replay whose output is the input, or a view of it, returns its value', () => {
  test('identity: valueAndGrad, grad, objective', () => {
    const vg = t.valueAndGrad((x) => x);
    expect(vg(0.5)).toEqual({ value: 0.5, grad: 1 });
    for (const x of [0.7, -3, 11]) expect(vg(x)).toEqual({ value: x, grad: 1 });
    const obj = t.objective((x) => t.reshape(x, []), [0.25]);
    const g = new Float64Array(1);
    for (const x of [0.5, 2, -1]) {
      expect(obj.valueAndGrad(Float64Array.of(x), g)).toBe(x);
      expect(g[0]).toBe(1);
      expect(obj.value(Float64Array.of(x))).toBe(x);
    }
  });
  test('a reshape of a slice of a broadcast of the input', () => {
    // x[0] broadcast to [2,3,2], then the element [-2, -3, -2] … of it, as a scalar
    const f = (x: t.Tensor) => t.reshape(t.slice(t.broadcastTo(x, [2, 3, 2]), [null, null, -2], [-3, -6, -1], [null, -2, -1]), []);
    const vg = t.valueAndGrad(f);
    expect(vg([0.5]).value).toBe(0.5);
    expect(vg([0.6035]).value).toBe(0.6035);
    expect(arr(vg([0.6035]).grad)).toEqual([1]);
  });
  test('vector outputs that are views of the input: jacobian, jvp, vjp replay', () => {
    const f = (x: t.Tensor) => t.slice(x, [null, null, -1]);
    const jvp = t.jvp(f);
    jvp([1, 2, 3], [1, 0, 0]);
    expect(arr(jvp([4, 5, 6], [1, 2, 3]))).toEqual([3, 2, 1]);
    const J = t.jacobian(f, { mode: 'reverse' });
    J([1, 2, 3]);
    expect(J([4, 5, 6])).toEqual([[0, 0, 1], [0, 1, 0], [1, 0, 0]]);
  });
});

describe('valid programs compile', () => {
  // exp(x₀) + x₀² through slices and reshapes read by one adjoint accumulation
  const f = (x: t.Tensor) =>
    t.add(t.sum(t.exp(t.reshape(t.slice(x, [0, 1]), [1, 1]))), t.sum(t.mul(t.slice(x, [0, 1]), t.reshape(t.slice(x, [0, 1]), [1, 1]))));
  const x0 = [0.3, 0.4];
  const g0 = Math.exp(0.3) + 0.6;
  const h00 = Math.exp(0.3) + 2;
  test('grad, valueAndGrad, hessian, hvp, vjp, reverse jacobian (first call and replay)', () => {
    for (let k = 0; k < 2; k++) {
      expect(relErr(t.grad(f)(x0) as Float64Array, [g0, 0])).toBeLessThan(1e-15);
      expect(relErr(t.valueAndGrad(f)(x0).grad as Float64Array, [g0, 0])).toBeLessThan(1e-15);
      expect(relErr(t.hessian(f)(x0).flat(), [h00, 0, 0, 0])).toBeLessThan(1e-15);
      expect(relErr(t.hvp(f)(x0, [1, 1]) as Float64Array, [h00, 0])).toBeLessThan(1e-15);
      expect(relErr(t.vjp(f)(x0, 2) as Float64Array, [2 * g0, 0])).toBeLessThan(1e-15);
      expect(relErr(t.jacobian(f, { mode: 'reverse' })(x0).flat(), [g0, 0])).toBeLessThan(1e-15);
    }
  });
  test('a negative-zero constant in long straight-line code (element access)', () => {
    // Σ_i atan2(−0, x₀ + i) = 0 for x₀ > 0: 360 scalar nodes, compiled into chunks of statements
    const g = (x: t.Tensor) => {
      let s: t.Tensor = t.tensor(0);
      for (let i = 0; i < 120; i++) s = t.add(s, t.atan2(-0, t.add(x.at(0), i)));
      return s;
    };
    expect(arr(t.grad(g, { mode: 'forward' })([1, 2]))).toEqual([0, 0]);
    expect(t.jvp(g)([1, 2], [1, 1]) as number + 0).toBe(0);
    expect(arr(t.hvp(g)([1, 2], [1, 1]))).toEqual([0, 0]);
  });
});

describe('x^c for integer c ≥ 0 at x = 0 is finite and right in every mode', () => {
  // d/dx x^c = c·x^(c−1), d²/dx² = c(c−1)·x^(c−2): at 0 these are [c = 1] and 2·[c = 2]
  for (const c of [0, 1, 2, 3, 5, 70]) {
    test(`c = ${c}`, () => {
      const f = (x: t.Tensor) => t.sum(t.pow(x, c));
      const x0 = [0, 1];
      const g1 = c; // derivative at x = 1
      const h1 = c * (c - 1);
      for (let k = 0; k < 2; k++) {
        expect(arr(t.grad(f)(x0))).toEqual([c === 1 ? 1 : 0, g1]);
        expect(arr(t.grad(f, { mode: 'forward' })(x0))).toEqual([c === 1 ? 1 : 0, g1]);
        expect(rows(t.hessian(f)(x0))).toEqual([[c === 2 ? 2 : 0, 0], [0, h1 + 0]]);
        expect(rows(t.hessian(f, { mode: 'forward' })(x0))).toEqual([[c === 2 ? 2 : 0, 0], [0, h1 + 0]]);
        expect(arr(t.hvp(f)(x0, [1, 0]))).toEqual([c === 2 ? 2 : 0, 0]);
        const p = (x: t.Tensor) => t.pow(x, c);
        expect(rows(t.jacobian(p, { mode: 'reverse' })(x0))).toEqual([[c === 1 ? 1 : 0, 0], [0, g1]]);
        expect(rows(t.jacobian(p, { mode: 'forward' })(x0))).toEqual([[c === 1 ? 1 : 0, 0], [0, g1]]);
        // (0 + s)^c: the coefficient of s^c is 1, every other is 0
        const tc = t.taylor((x) => t.pow(x, c), 0, 1, 6) as number[];
        expect(arr(tc)).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => (d === c ? 1 : 0)));
      }
    });
  }
  test('a traced exponent through 0 keeps its mixed second derivative', () => {
    // f = a^z with a = x₀ + 2, z = x₁, at (1, 0): ∇f = (z·a^(z−1), a^z·log a) = (0, log 3),
    // ∂²f/∂a∂z = a^(z−1)·(1 + z·log a) = 1/3, ∂²f/∂a² = 0, ∂²f/∂z² = log² 3
    const f = (x: t.Tensor) => t.pow(t.add(x.at(0), 2), x.at(1));
    const L = Math.log(3);
    for (const H of [t.hessian(f)([1, 0]), t.hessian(f, { mode: 'forward' })([1, 0])]) {
      expect(relErr(H.flat(), [0, 1 / 3, 1 / 3, L * L])).toBeLessThan(1e-15);
    }
    expect(relErr(t.grad(f)([1, 0]) as Float64Array, [0, L])).toBeLessThan(1e-15);
  });
  test('x·x and x² agree at 0 in every mode', () => {
    const a = (x: t.Tensor) => t.sum(t.mul(t.mul(x, x), 3));
    const b = (x: t.Tensor) => t.sum(t.mul(t.pow(x, 2), 3));
    for (const f of [a, b]) {
      expect(arr(t.grad(f)([0, 2]))).toEqual([0, 12]);
      expect(t.hessian(f)([0, 2])).toEqual([[6, 0], [0, 6]]);
      expect(t.taylor(f, [0, 2], [1, 1], 3)).toEqual([12, 12, 6, 0]);
    }
  });
  test('sqrt composed away from 0: sqrt(x² + 1) at x = 0', () => {
    const f = (x: t.Tensor) => t.sqrt(t.add(t.square(x), 1));
    expect(t.grad(f)(0)).toBe(0);
    expect(t.hessian((x) => t.sum(f(x)))([0])).toEqual([[1]]);
    expect(t.taylor(f, 0, 1, 4)).toEqual([1, 0, 0.5, 0, -0.125]);
  });
});

describe('reverse-mode Jacobians carry no zero tangents on the point', () => {
  test('pow(square(x), 0.5) at 1e-150 (where x^−1.5 overflows) and pow(x, 1) at 0', () => {
    // |x| has derivative 1 at 1e-150 > 0; the vjp of the same graph is finite
    const f = (x: t.Tensor) => t.pow(t.square(x), 0.5);
    expect(t.jacobian(f, { mode: 'reverse' })([1e-150, 1])).toEqual([[1, 0], [0, 1]]);
    expect(arr(t.vjp(f)([1e-150, 1], [1, 1]))).toEqual([1, 1]);
    expect(t.jacobian((x) => t.pow(x, 1), { mode: 'reverse' })([0, 1])).toEqual([[1, 0], [0, 1]]);
  });
});

describe('derivatives without cancellation', () => {
  const M = create(all, { precision: 60 });
  const big = (x: number) => M.bignumber(x);
  /** sech²(x) and its derivative −2·tanh(x)·sech²(x) in 60-digit arithmetic. */
  const sech2 = (x: number) => M.divide(1, M.pow(M.cosh(big(x)), 2)) as ReturnType<typeof big>;
  const tanhD1 = (x: number) => Number(sech2(x));
  const tanhD2 = (x: number) => Number(M.multiply(-2, M.multiply(M.tanh(big(x)), sech2(x))));
  const sig = (x: number) => M.divide(1, M.add(1, M.exp(big(-x)))) as ReturnType<typeof big>;
  const sigD1 = (x: number) => Number(M.multiply(sig(x), sig(-x)));
  /**
   * Relative error 1e-14 where the truth is a normal double; below that (|x| ≳ 354) doubles
   * have fewer digits, and a few steps of the smallest subnormal are the resolution.
   */
  const close = (got: number, want: number, what: string) => {
    const err = Math.abs(got - want);
    const ok = Math.abs(want) >= 2.2250738585072014e-308 ? err <= 1e-14 * Math.abs(want) : err <= 8 * Number.MIN_VALUE;
    if (!ok) throw new Error(`${what}: got ${got}, want ${want} (error ${err})`);
  };

  test('tanh′ and tanh″ to 1e-14 relative up to |x| = 700, in every mode', () => {
    const xs = [0.3, 1, 5, 11.8, 20, 37, 100, 300, 354, 360, 371, 380, 500, 700];
    for (const x0 of [...xs, ...xs.map((x) => -x)]) {
      const d1 = tanhD1(x0);
      const d2 = tanhD2(x0);
      const sumTanh = (x: t.Tensor) => t.sum(t.tanh(x));
      close(t.grad(t.tanh)(x0) as number, d1, `grad at ${x0}`);
      close(t.grad(t.tanh, { mode: 'forward' })(x0) as number, d1, `forward grad at ${x0}`);
      close((t.grad(sumTanh)([0.1, x0]) as Float64Array)[1]!, d1, `replayed grad at ${x0}`);
      const tc = t.taylor(t.tanh, x0, 1, 3) as number[];
      close(tc[1]!, d1, `taylor c1 at ${x0}`);
      close(2 * tc[2]!, d2, `taylor c2 at ${x0}`);
      close(t.hessian(sumTanh)([x0])[0]![0]!, d2, `hessian at ${x0}`);
      close((t.hvp(sumTanh)([0.2, x0], [0, 1]) as Float64Array)[1]!, d2, `replayed hvp at ${x0}`);
      close(t.hessian(sumTanh)([0.2, x0])[1]![1]!, d2, `replayed hessian at ${x0}`);
    }
  });
  test('sigmoid′ to 1e-14 relative, in every mode', () => {
    for (const x0 of [0.5, 5, 30, 100, 700, -30, -700]) {
      const d1 = sigD1(x0);
      const sumSig = (x: t.Tensor) => t.sum(t.sigmoid(x));
      close(t.grad(t.sigmoid)(x0) as number, d1, `grad at ${x0}`);
      close(t.grad(t.sigmoid, { mode: 'forward' })(x0) as number, d1, `forward grad at ${x0}`);
      close((t.grad(sumSig)([0.1, x0]) as Float64Array)[1]!, d1, `replayed grad at ${x0}`);
      close((t.taylor(t.sigmoid, x0, 1, 2) as number[])[1]!, d1, `taylor c1 at ${x0}`);
      close(t.grad((x) => t.softplus(x))(x0) as number, Number(sig(x0)), `softplus′ at ${x0}`);
    }
  });
  test('det Taylor coefficients of badly scaled matrices to 1e-14', () => {
    // det(diag(x + s)) = (a+s)(b+s)(c+s): coefficients abc, ab+ac+bc, a+b+c, 1
    for (const [a, b, c] of [[1e4, 1e-4, 2], [1e6, 1e-6, 2], [1e150, 1e-150, 3]] as const) {
      const want = [a * b * c, a * b + a * c + b * c, a + b + c, 1];
      const got = t.taylor((x) => t.det(t.diag(x)), [a, b, c], [1, 1, 1], 3) as number[];
      expect(relErr(got, want)).toBeLessThan(1e-14);
      got.forEach((g, k) => expect(Math.abs(g - want[k]!)).toBeLessThanOrEqual(1e-14 * Math.abs(want[k]!)));
      if (a > 1e100) continue; // log|det|'s c3 = Σ 1/(3·x_i³) overflows
      // log|det| = Σ log(x_i + s): coefficients Σ (−1)^(k+1)/(k·x_i^k)
      const lg = t.taylor((x) => t.slogdet(t.diag(x)).logabsdet, [a, b, c], [1, 1, 1], 3) as number[];
      for (let k = 1; k <= 3; k++) {
        const w = [a, b, c].reduce((s, v) => s + (k % 2 ? 1 : -1) / (k * v ** k), 0);
        expect(Math.abs(lg[k]! - w)).toBeLessThanOrEqual(1e-14 * Math.abs(w));
      }
    }
  });
  test('det of a singular diagonal matrix: its Taylor coefficients are finite', () => {
    // (0 + s)(1 + s)(2 + s) = 2s + 3s² + s³
    expect(t.taylor((x) => t.det(t.diag(x)), [1, 2, 0], [1, 1, 1], 3)).toEqual([0, 2, 3, 1]);
  });
});

describe('API points', () => {
  test('det and slogdet of the 0×0 matrix', () => {
    expect(t.det(t.zeros([0, 0])).item()).toBe(1);
    const s = t.slogdet(t.zeros([0, 0]));
    expect([s.sign.item(), s.logabsdet.item()]).toEqual([1, 0]);
  });
  test('set broadcasts like NumPy assignment (leading unit axes of the value dropped)', () => {
    expect(t.set([1, 2, 3], [null], [[4, 5, 6]]).toArray()).toEqual([4, 5, 6]);
    expect(t.set([[1, 2], [3, 4]], [0], [[[7, 8]]]).toArray()).toEqual([[7, 8], [3, 4]]);
    expect(() => t.set([1, 2, 3], [null], [[4, 5, 6], [1, 2, 3]])).toThrow('set: value of shape [2,3] does not fit the indexed part of shape [3]');
  });
  test('errors name the axis as given', () => {
    expect(() => t.concatenate([[1, 2], [3]], -3)).toThrow('concatenate: axis -3 is out of range for arrays of 1 dimensions');
    expect(() => t.stack([[1, 2], [3, 4]], 3)).toThrow('stack: axis 3 is out of range for 2 dimensions');
  });
  test('duplicate axes are refused, as in NumPy', () => {
    expect(() => t.sum([[1, 2], [3, 4]], [0, 0])).toThrow('sum: duplicate axis in [0,0] for shape [2,2]');
    expect(() => t.prod([[1, 2], [3, 4]], [1, -1])).toThrow('prod: duplicate axis in [1,-1] for shape [2,2]');
    expect(() => t.mean([[1, 2], [3, 4]], [0, -2])).toThrow('mean: duplicate axis');
  });
  test('directions may be flat for a nested or ndarray point', () => {
    const f = (X: t.Tensor) => t.sum(t.pow(X, 3));
    const X = [[1, 2], [3, 4]];
    expect(t.hvp(f)(X, Float64Array.of(1, 0, 0, 1))).toEqual([[6, 0], [0, 24]]);
    expect(t.hvp(f)(X, [[1, 0], [0, 1]])).toEqual([[6, 0], [0, 24]]);
    expect(t.jvp(f)(X, [1, 1, 1, 1])).toBe(3 + 12 + 27 + 48);
    const u = t.vjp((Y) => t.mul(Y, 2))(ndarray(Float64Array.of(1, 2, 3, 4), [2, 2]), Float64Array.of(1, 2, 3, 4)) as ndarray.NdArray;
    expect([u.get(0, 0), u.get(0, 1), u.get(1, 0), u.get(1, 1)]).toEqual([2, 4, 6, 8]);
    expect(t.taylor(f, X, [0, 0, 0, 1], 1)).toEqual([100, 48]);
    expect(() => t.hvp(f)(X, [1, 2, 3])).toThrow('hvp: direction: shape [3] does not match [2,2]');
    expect(() => t.hvp(f)(X, [[1, 2, 3, 4]])).toThrow('hvp: direction: shape [1,4] does not match [2,2]');
  });
  test('solve and solveTriangular accept well-posed, badly scaled matrices', () => {
    const A = t.diag([1e150, 1e-150, 2]);
    expect(t.solve(A, [1, 1, 1]).toArray()).toEqual([1e-150, 1e150, 0.5]);
    expect(t.solveTriangular(A, [1, 1, 1]).toArray()).toEqual([1e-150, 1e150, 0.5]);
    expect(t.inv(A).toArray()).toEqual([[1e-150, 0, 0], [0, 1e150, 0], [0, 0, 0.5]]);
    expect(() => t.solve([[1, 2], [2, 4]], [1, 1])).toThrow(/^solve: matrix is singular/);
    expect(() => t.solve([[1e150, 2e150], [1e-150, 2e-150]], [1, 1])).toThrow(/^solve: matrix is singular/);
  });
  test('dot and matmul beyond two dimensions follow NumPy', () => {
    const A = Array.from({ length: 2 }, (_, b) => Array.from({ length: 3 }, (_, i) => Array.from({ length: 4 }, (_, k) => b + 2 * i - k)));
    const B = Array.from({ length: 4 }, (_, k) => Array.from({ length: 5 }, (_, j) => k * j - 1));
    const C = Array.from({ length: 2 }, (_, b) => Array.from({ length: 4 }, (_, k) => Array.from({ length: 5 }, (_, j) => b - k + j)));
    // dot(A, B)[b,i,j] = Σ_k A[b,i,k]·B[k,j]; matmul the same for a 2-D B
    const AB = A.map((M) => M.map((row) => B[0]!.map((_, j) => row.reduce((s, a, k) => s + a * B[k]![j]!, 0))));
    expect(t.dot(A, B).toArray()).toEqual(AB);
    expect(t.matmul(A, B).toArray()).toEqual(AB);
    // matmul(A, C)[b,i,j] = Σ_k A[b,i,k]·C[b,k,j]
    const AC = A.map((M, b) => M.map((row) => C[b]![0]!.map((_, j) => row.reduce((s, a, k) => s + a * C[b]![k]![j]!, 0))));
    expect(t.matmul(A, C).toArray()).toEqual(AC);
    // dot(A, C)[b,i,c,j] = Σ_k A[b,i,k]·C[c,k,j]
    const AdC = A.map((M) => M.map((row) => C.map((Cc) => Cc[0]!.map((_, j) => row.reduce((s, a, k) => s + a * Cc[k]![j]!, 0)))));
    expect(t.dot(A, C).toArray()).toEqual(AdC);
    // a vector on either side, and batch broadcasting
    const v = [1, -1, 2, 0.5];
    expect(t.matmul(A, v).toArray()).toEqual(A.map((M) => M.map((row) => row.reduce((s, a, k) => s + a * v[k]!, 0))));
    expect(t.matmul(v, C).toArray()).toEqual(C.map((M) => M[0]!.map((_, j) => M.reduce((s, row, k) => s + v[k]! * row[j]!, 0))));
    expect(t.matmul([A[0]!], C).shape).toEqual([2, 3, 5]);
    expect(() => t.matmul(A, [C[0]!, C[1]!, C[0]!])).toThrow('matmul: the batch dimensions of shapes [2,3,4] and [3,4,5] do not broadcast');
    expect(() => t.dot(A, C[0]![0]!)).toThrow('dot: shapes [2,3,4] and [5] do not align');
    // derivatives through the N-D product: d/dA Σ matmul(A, C) = Σ_j C[b,k,j]
    const g = t.grad((X) => t.sum(t.matmul(X, C)))(A) as number[][][];
    expect(g).toEqual(A.map((M, b) => M.map(() => C[b]!.map((row) => row.reduce((s, c) => s + c, 0)))));
  });
});
