/**
 * The engine's reference problems, shared by tests and benchmarks: the seed thread's
 * sum(exp(X·W)), the ≈180-parameter tanh network's mean squared error, and extended
 * Rosenbrock written with slices — each as a tayopt function and as hand-written plain JS
 * (value and gradient) for the benchmarks' baselines.
 */
import * as t from '../../src/index.js';
import { networkProblem } from './nn.js';
import { normal, rng } from './rng.js';

// ---------------------------------------------------------------- the seed: sum(exp(X·W))

/** The seed benchmark at size s: X (s×s data), W0 (s×s start), f(W) = Σ exp(X·W). */
export function seedProblem(s: number, seed = 1) {
  const r = rng(seed * 7919 + s);
  const X = normal(r, s * s).map((v) => v / Math.sqrt(s));
  const W0 = normal(r, s * s).map((v) => v / Math.sqrt(s));
  const Xt = t.tensor(t.reshape(X, [s, s]));
  /** f as a tayopt function of the flat s·s vector W. */
  const f = (w: t.Tensor) => t.sum(t.exp(t.dot(Xt, t.reshape(w, [s, s]))));
  // plain JS, written the fast way: X·W a row at a time with a contiguous inner loop
  const Z = new Float64Array(s);
  /** Plain-JS value. */
  const value = (w: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < s; i++) {
      Z.fill(0);
      for (let k = 0; k < s; k++) {
        const x = X[i * s + k]!;
        for (let j = 0; j < s; j++) Z[j] += x * w[k * s + j]!;
      }
      for (let j = 0; j < s; j++) sum += Math.exp(Z[j]!);
    }
    return sum;
  };
  /** Hand-written gradient: G = Xᵀ·exp(X·W). */
  const E = new Float64Array(s * s);
  const gradient = (w: Float64Array, g: Float64Array): number => {
    let sum = 0;
    E.fill(0);
    for (let i = 0; i < s; i++) {
      for (let k = 0; k < s; k++) {
        const x = X[i * s + k]!;
        for (let j = 0; j < s; j++) E[i * s + j] += x * w[k * s + j]!;
      }
      for (let j = 0; j < s; j++) {
        const e = Math.exp(E[i * s + j]!);
        E[i * s + j] = e;
        sum += e;
      }
    }
    g.fill(0);
    for (let i = 0; i < s; i++) {
      for (let k = 0; k < s; k++) {
        const x = X[i * s + k]!;
        for (let j = 0; j < s; j++) g[k * s + j] += x * E[i * s + j]!;
      }
    }
    return sum;
  };
  return { n: s * s, X, W0, f, value, gradient };
}

// ---------------------------------------------------------------- the tanh network

/**
 * The seed's network (see nn.ts for the problem: 50 samples × 10 features, 15 tanh hidden
 * units, linear output, MSE, 181 parameters) with a plain-JS value and a hand-written
 * gradient for the benchmarks.
 */
export function tanhNetwork() {
  const prob = networkProblem();
  const { X, y, n } = prob;
  const m = prob.samples;
  const d = prob.features;
  const h = prob.hidden;
  const a = new Float64Array(m * h);
  const predict = (p: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      let o = p[n - 1]!;
      for (let j = 0; j < h; j++) {
        let s = p[d * h + j]!;
        for (let k = 0; k < d; k++) s += X[i * d + k]! * p[k * h + j]!;
        const t_ = Math.tanh(s);
        a[i * h + j] = t_;
        o += t_ * p[d * h + h + j]!;
      }
      out[i] = o;
    }
  };
  const pred = new Float64Array(m);
  /** Plain-JS value. */
  const value = (p: Float64Array): number => {
    predict(p, pred);
    let s = 0;
    for (let i = 0; i < m; i++) s += (pred[i]! - y[i]!) ** 2;
    return s / m;
  };
  /** Hand-written gradient (backpropagation). */
  const gradient = (p: Float64Array, g: Float64Array): number => {
    predict(p, pred);
    g.fill(0);
    let s = 0;
    for (let i = 0; i < m; i++) {
      const r_ = pred[i]! - y[i]!;
      s += r_ * r_;
      const go = (2 * r_) / m;
      g[n - 1] += go;
      for (let j = 0; j < h; j++) {
        const aj = a[i * h + j]!;
        g[d * h + h + j] += go * aj;
        const gz = go * p[d * h + h + j]! * (1 - aj * aj);
        g[d * h + j] += gz;
        for (let k = 0; k < d; k++) g[k * h + j] += gz * X[i * d + k]!;
      }
    }
    return s / m;
  };
  return { n, X, y, p0: Float64Array.from(prob.x0), f: prob.objective, value, gradient };
}

// ---------------------------------------------------------------- extended Rosenbrock

/** f(x) = Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², i = 0..n−2, written with slices. */
export function extendedRosenbrock(x: t.Tensor): t.Tensor {
  const head = t.slice(x, [0, -1]);
  const tail = t.slice(x, [1, null]);
  return t.sum(t.add(t.mul(100, t.square(t.sub(tail, t.square(head)))), t.square(t.sub(1, head))));
}

/** Plain-JS extended Rosenbrock value. */
export function extendedRosenbrockValue(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

/** Hand-written extended Rosenbrock gradient. */
export function extendedRosenbrockGradient(x: Float64Array, g: Float64Array): number {
  g.fill(0);
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
    g[i] += -400 * a * x[i]! - 2 * b;
    g[i + 1] += 200 * a;
  }
  return s;
}

/** The standard start −1.2, 1, −1.2, 1, … */
export function rosenbrockStart(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}
