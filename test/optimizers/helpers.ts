/**
 * Hand-written objectives with analytic derivatives, independent of the AD engine, and small
 * utilities shared by the solver tests.
 */
import type { ObjectiveFunctions } from '../../optimizers/types.js';

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

/** Only the first-order oracles of `fns` (second-order ones removed). */
export function firstOrder(fns: ObjectiveFunctions): ObjectiveFunctions {
  return { n: fns.n, value: fns.value.bind(fns), valueAndGrad: fns.valueAndGrad.bind(fns) };
}

/** Every method of the registry (a new method joins every test that loops over this list). */
/** The methods for min f(x) (the least-squares methods have their own tests, test/leastsq/). */
export { SCALAR_METHOD_NAMES as ALL_METHODS, type ScalarMethodName as TestMethod } from '../../optimizers/index.js';
