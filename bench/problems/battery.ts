/**
 * The engine battery: scalar functions exercising every family of primitives, each with a
 * start point. Tests check reverse against forward mode, Hessians, and compiled replays on
 * these; the benchmark reuses some.
 */
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { extendedRosenbrock, seedProblem, tanhNetwork } from './engine.js';
import { normal, rng, toRows, uniform } from './rng.js';

export interface BatteryFunction {
  name: string;
  f: (x: Tensor) => Tensor;
  x0: number | number[] | number[][] | Float64Array;
}

/** Rosenbrock written with element access, n ≥ 2. */
export function rosenbrockAt(x: Tensor): Tensor {
  const n = x.shape[0]!;
  let s: Tensor = t.tensor(0);
  for (let i = 0; i + 1 < n; i++) {
    const xi = x.at(i);
    s = s.add(t.mul(100, t.square(x.at(i + 1).sub(xi.square())))).add(t.square(t.sub(1, xi)));
  }
  return s;
}

function build(): BatteryFunction[] {
  const r = rng(42);
  const list: BatteryFunction[] = [];

  list.push({ name: 'rosenbrock n=2 (element access)', f: rosenbrockAt, x0: [-1.2, 1] });
  list.push({
    name: 'rosenbrock n=100 (element access)',
    f: rosenbrockAt,
    x0: Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1.2) + 0.01 * i),
  });

  // the seed: sum(exp(X·W)) with W a 5×5 matrix variable
  const sp = seedProblem(5);
  const X5 = t.tensor(toRows(sp.X, 5, 5));
  list.push({ name: 'seed sum(exp(X·W)), W 5×5', f: (W) => t.sum(t.exp(t.dot(X5, W))), x0: toRows(sp.W0, 5, 5) });

  const net = tanhNetwork();
  list.push({ name: `tanh network MSE (${net.n} parameters)`, f: net.f, x0: net.p0 });

  // logistic regression with L2 penalty
  {
    const m = 30;
    const d = 8;
    const A = t.tensor(toRows(normal(r, m * d), m, d));
    const labels = Float64Array.from({ length: m }, () => (r() < 0.5 ? -1 : 1));
    const yl = t.tensor(labels);
    list.push({
      name: 'logistic regression (softplus loss + L2)',
      f: (w) => t.mean(t.softplus(t.neg(t.mul(yl, t.dot(A, w))))).add(t.mul(0.01, t.sum(t.square(w)))),
      x0: uniform(r, d, -0.5, 0.5),
    });
  }

  list.push({
    name: 'slicing and concatenation (rotate, strided prod)',
    f: (x) => {
      const rot = t.concatenate([t.slice(x, [1, null]), t.slice(x, [0, 1])]);
      const evens = t.slice(x, [0, null, 2]);
      const back = t.slice(x, [null, null, -1]);
      return t.sum(t.square(t.sub(rot, x))).add(t.prod(evens)).add(t.dot(back, t.sin(x)));
    },
    x0: uniform(r, 7, 0.5, 1.5),
  });

  list.push({ name: 'extended Rosenbrock n=10 (slices)', f: extendedRosenbrock, x0: uniform(r, 10, -1, 1) });

  list.push({
    name: 'matrix from pieces (stack, transpose, set)',
    f: (x) => {
      const M = t.stack([t.slice(x, [0, 3]), t.slice(x, [3, 6]), t.slice(x, [6, 9])]);
      const G = t.dot(M, M.T);
      const M2 = t.set(M, [1, 1], t.mul(x.at(0), x.at(8)));
      return t.sum(t.mul(G, G)).mul(0.1).add(t.sum(t.exp(t.mul(0.3, M2))));
    },
    x0: uniform(r, 9, -1, 1),
  });

  {
    const C = t.tensor(toRows(normal(r, 4 * 5), 4, 5));
    list.push({
      name: 'softmax cross-entropy',
      f: (x) => {
        const z = t.dot(C, x);
        return t.log(t.sum(t.exp(z))).sub(z.at(2)).add(t.mul(0.05, t.sum(t.square(x))));
      },
      x0: uniform(r, 5, -1, 1),
    });
  }

  list.push({
    name: 'atan2, sqrt, hypot',
    f: (x) =>
      t.sum(t.atan2(t.slice(x, [0, -1]), t.add(t.slice(x, [1, null]), 3))).add(t.sqrt(t.add(t.sum(t.square(x)), 1))),
    x0: uniform(r, 6, -1, 1),
  });

  list.push({
    name: 'powers (constant and variable exponents)',
    f: (x) => {
      const a = t.sum(t.pow(t.add(t.abs(x), 1), 2.5));
      const b = t.pow(t.add(t.square(x.at(0)), 1), x.at(1));
      const c = t.sum(t.pow(x, 3));
      return a.add(b).add(c);
    },
    x0: uniform(r, 4, 0.2, 1),
  });

  list.push({
    name: 'maximum, minimum, abs (away from kinks)',
    f: (x) => t.sum(t.maximum(x, t.mul(0.3, x))).add(t.sum(t.minimum(t.square(x), 0.5))).add(t.sum(t.abs(t.sub(x, 0.05)))),
    x0: Float64Array.of(0.4, -0.8, 1.1, -0.3, 0.9),
  });

  list.push({
    name: 'erf, log1p, expm1, sigmoid, softplus',
    f: (x) =>
      t.sum(t.erf(x)).add(t.sum(t.log1p(t.square(x)))).add(t.sum(t.expm1(t.mul(0.5, x)))).add(t.sum(t.mul(t.sigmoid(x), t.softplus(x)))),
    x0: uniform(r, 5, -1, 1),
  });

  list.push({
    name: 'matrix variable: prod and mean along axes',
    f: (X) => t.sum(t.prod(X, 1)).add(t.sum(t.square(t.mean(X, 0)))).add(t.sum(t.mul(t.mean(X, 1, true), X))),
    x0: toRows(uniform(r, 12, 0.5, 1.5), 3, 4),
  });

  list.push({
    name: 'trigonometric and hyperbolic',
    f: (x) =>
      t.sum(
        t.add(
          t.add(t.mul(t.sin(x), t.cos(t.mul(2, x))), t.tan(t.div(x, 3))),
          t.add(t.add(t.asin(t.div(x, 4)), t.acos(t.div(x, 5))), t.atan(x)),
        ),
      ).add(t.sum(t.div(t.sinh(x), t.cosh(x)))).add(t.sum(t.tanh(t.mul(x, x)))),
    x0: uniform(r, 6, -1, 1),
  });

  {
    const Q = t.tensor(toRows(normal(r, 36), 6, 6));
    list.push({
      name: 'outer product quadratic form',
      f: (x) => t.sum(t.mul(t.outer(x, t.exp(x)).T, Q)),
      x0: uniform(r, 6, -1, 1),
    });
  }

  list.push({
    name: 'piecewise with where (branch per element)',
    f: (x) => t.sum(t.where(t.gt(x, 0), t.square(x), t.mul(-1, t.pow(x, 3)))),
    x0: Float64Array.of(0.5, -0.7, 1.2, -1.5, 0.3),
  });

  {
    // Watson-style polynomial fit: residuals of Σ_j x_j t_i^j against data
    const ts = Float64Array.from({ length: 12 }, (_, i) => (i + 1) / 13);
    const V = t.tensor(Array.from(ts, (ti) => Array.from({ length: 6 }, (_, j) => ti ** j)));
    const data = t.tensor(ts.map((ti) => Math.exp(ti)));
    list.push({
      name: 'polynomial least squares (Vandermonde matrix)',
      f: (x) => t.sum(t.square(t.sub(t.dot(V, x), data))).add(t.square(t.sub(t.square(x.at(0)), x.at(1)))),
      x0: uniform(r, 6, -1, 1),
    });
  }
  return list;
}

/** The battery (built once; data from fixed seeds). */
export const BATTERY: readonly BatteryFunction[] = build();
