/**
 * Hand-written objectives with analytic derivatives, independent of the AD engine, and small
 * utilities shared by the solver tests.
 */
import type { ObjectiveFunctions } from '../../optimizers/types.js';
import { normals, rng } from '../../bench/problems/rng.js';

/** Rosenbrock's function with analytic gradient, Hessian and Hessian-vector product. */
export function rosenbrock(): ObjectiveFunctions {
  return {
    n: 2,
    value: (x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2,
    valueAndGrad(x, g) {
      const a = x[1]! - x[0]! ** 2;
      g[0] = -400 * x[0]! * a - 2 * (1 - x[0]!);
      g[1] = 200 * a;
      return 100 * a * a + (1 - x[0]!) ** 2;
    },
    hessian(x, H) {
      H[0] = 1200 * x[0]! ** 2 - 400 * x[1]! + 2;
      H[1] = H[2] = -400 * x[0]!;
      H[3] = 200;
    },
    hvp(x, v, out) {
      const h00 = 1200 * x[0]! ** 2 - 400 * x[1]! + 2;
      const h01 = -400 * x[0]!;
      out[0] = h00 * v[0]! + h01 * v[1]!;
      out[1] = h01 * v[0]! + 200 * v[1]!;
    },
  };
}

/** f(x) = ½ Σ dᵢ(xᵢ − cᵢ)²: a separable quadratic with minimizer c. */
export function diagonalQuadratic(d: number[], c: number[]): ObjectiveFunctions {
  const n = d.length;
  return {
    n,
    value: (x) => d.reduce((s, di, i) => s + 0.5 * di * (x[i]! - c[i]!) ** 2, 0),
    valueAndGrad(x, g) {
      let f = 0;
      for (let i = 0; i < n; i++) {
        g[i] = d[i]! * (x[i]! - c[i]!);
        f += 0.5 * d[i]! * (x[i]! - c[i]!) ** 2;
      }
      return f;
    },
    hessian(_x, H) {
      H.fill(0);
      for (let i = 0; i < n; i++) H[i * n + i] = d[i]!;
    },
    hvp(_x, v, out) {
      for (let i = 0; i < n; i++) out[i] = d[i]! * v[i]!;
    },
  };
}

/**
 * f = ½xᵀAx − bᵀx on the box [0, 1]ⁿ, A = BᵀB/n + ½I (B standard normal from `seed`), with a
 * KKT point known by construction: x* has a third of its variables at the lower bound 0, a
 * third at the upper bound 1, a third inside, and b = A·x* − v with v > 0 on the lower-active
 * set and v < 0 on the upper-active one, so that ∇f(x*) = v — the bound multipliers, of the
 * right signs (0 on the free variables). Analytic gradient, Hessian and Hessian-vector products.
 */
export function boxQp(n: number, seed: number): { fns: ObjectiveFunctions; xStar: number[]; multipliers: number[] } {
  const randn = normals(rng(seed));
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => randn()));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += B[k]![i]! * B[k]![j]!;
      A[i * n + j] = s / n;
    }
  const xStar = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 0.2 + 0.02 * i));
  const multipliers = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.5 + 0.1 * (i % 5) : i % 3 === 1 ? -0.3 - 0.1 * (i % 4) : 0));
  const b = xStar.map((_, i) => xStar.reduce((s, xj, j) => s + A[i * n + j]! * xj, 0) - multipliers[i]!);
  const Ax = (x: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
      out[i] = s;
    }
  };
  const fns: ObjectiveFunctions = {
    n,
    value(x) {
      const ax = new Float64Array(n);
      Ax(x, ax);
      let f = 0;
      for (let i = 0; i < n; i++) f += 0.5 * x[i]! * ax[i]! - b[i]! * x[i]!;
      return f;
    },
    valueAndGrad(x, g) {
      Ax(x, g);
      let f = 0;
      for (let i = 0; i < n; i++) {
        f += 0.5 * x[i]! * g[i]! - b[i]! * x[i]!;
        g[i]! -= b[i]!;
      }
      return f;
    },
    hessian: (_x, H) => H.set(A),
    hvp: (_x, w, out) => Ax(w, out),
  };
  return { fns, xStar, multipliers };
}

/** Only the first-order oracles of `fns` (second-order ones removed). */
export function firstOrder(fns: ObjectiveFunctions): ObjectiveFunctions {
  return { n: fns.n, value: fns.value.bind(fns), valueAndGrad: fns.valueAndGrad.bind(fns) };
}

/** Every method of the registry (a new method joins every test that loops over this list). */
/** The methods for min f(x) (the least-squares methods have their own tests, test/leastsq/). */
export { SCALAR_METHOD_NAMES as ALL_METHODS, type ScalarMethodName as TestMethod } from '../../optimizers/index.js';
