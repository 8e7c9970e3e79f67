/**
 * The seed thread's network fit as a problem module: 50 samples × 10 features, one hidden
 * layer of 15 tanh units, a linear output, mean squared error — 181 parameters
 * (W1 10×15, b1 15, w2 15, b2 1), packed into one vector p.
 *
 *   npx tayopt solve examples/neural-network.ts --method lbfgs --report out/nn.png
 *
 * The data are synthetic and deterministic: inputs from a seeded generator, targets from a
 * "teacher" network of the same shape plus a little noise.
 */
import * as t from 'tayopt';

const SAMPLES = 50;
const FEATURES = 10;
const HIDDEN = 15;
const N = FEATURES * HIDDEN + HIDDEN + HIDDEN + 1; // 181

/** xorshift32: a tiny deterministic generator of floats in [0, 1). */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Standard normal samples (Box–Muller). */
function normals(next: () => number, count: number, scale = 1): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(scale * r * Math.cos(2 * Math.PI * v), scale * r * Math.sin(2 * Math.PI * v));
  }
  return out.slice(0, count);
}

const next = generator(2013);
const X = t.reshape(normals(next, SAMPLES * FEATURES), [SAMPLES, FEATURES]);

/** The network's predictions for parameters p (flat, length 181). */
function predict(p: t.Tensor): t.Tensor {
  const W1 = t.reshape(t.slice(p, [0, FEATURES * HIDDEN]), [FEATURES, HIDDEN]);
  const b1 = t.slice(p, [FEATURES * HIDDEN, FEATURES * HIDDEN + HIDDEN]);
  const w2 = t.slice(p, [FEATURES * HIDDEN + HIDDEN, N - 1]);
  const b2 = t.at(p, N - 1);
  return t.add(t.dot(t.tanh(t.add(t.dot(X, W1), b1)), w2), b2);
}

const teacher = t.tensor(normals(next, N, 0.5));
const noise = t.tensor(normals(next, SAMPLES, 0.05));
const y = t.tensor(t.add(predict(teacher), noise).toFloat64Array());

export default {
  name: 'tanh network (181 parameters)',
  x0: normals(next, N, 0.3),
  objective: (p: t.Tensor) => t.mean(t.square(t.sub(predict(p), y))),
};
