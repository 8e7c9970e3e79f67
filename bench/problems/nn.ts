/**
 * The seed thread's problem, made concrete: least-squares training of a small neural network
 * (50 samples × 10 features, 15 tanh hidden units, linear output, mean squared error) —
 * 10·15 + 15 + 15 + 1 = 181 parameters. Data, a "teacher" network that makes the targets, the
 * noise and the starting point all come from one seeded PRNG, so the problem is the same on
 * every machine.
 *
 * Parameter layout (flat, length 181): W1 (10×15, row-major) | b1 (15) | w2 (15) | b2 (1).
 */
import * as t from '../../src/index.js';
import { normals, rng } from './rng.js';

export interface NetworkProblem {
  name: string;
  n: number;
  x0: number[];
  /** Mean squared error of the network with parameters x. */
  objective: (x: t.Tensor) => t.Tensor;
  /** The data: samples×features, row-major, and the targets. */
  X: Float64Array;
  y: Float64Array;
  samples: number;
  features: number;
  hidden: number;
}

/** Builds the network least-squares problem (defaults: the seed's sizes, seed 2013). */
export function networkProblem(options: { samples?: number; features?: number; hidden?: number; seed?: number; noise?: number } = {}): NetworkProblem {
  const N = options.samples ?? 50;
  const d = options.features ?? 10;
  const h = options.hidden ?? 15;
  const noise = options.noise ?? 0.01;
  const randn = normals(rng(options.seed ?? 2013));
  const matrix = (r: number, c: number, scale: number): number[][] =>
    Array.from({ length: r }, () => Array.from({ length: c }, () => scale * randn()));
  const vector = (k: number, scale: number): number[] => Array.from({ length: k }, () => scale * randn());

  const X = matrix(N, d, 1);
  // Teacher: weights scaled so that the hidden units are neither saturated nor linear.
  const W1t = matrix(d, h, 1 / Math.sqrt(d));
  const b1t = vector(h, 0.5);
  const w2t = vector(h, 1 / Math.sqrt(h));
  const b2t = 0.5 * randn();
  const y = X.map((row) => {
    let out = b2t;
    for (let j = 0; j < h; j++) {
      let a = b1t[j]!;
      for (let i = 0; i < d; i++) a += row[i]! * W1t[i]![j]!;
      out += Math.tanh(a) * w2t[j]!;
    }
    return out + noise * randn();
  });
  const n = d * h + h + h + 1;
  const x0 = vector(n, 0.1);
  const Xc = t.tensor(X);
  const yc = t.tensor(y);

  return {
    name: `network-${N}x${d}-${h}`,
    n,
    x0,
    X: Float64Array.from(X.flat()),
    y: Float64Array.from(y),
    samples: N,
    features: d,
    hidden: h,
    objective: (x) => {
      const W1 = t.reshape(t.slice(x, [0, d * h]), [d, h]);
      const b1 = t.slice(x, [d * h, d * h + h]);
      const w2 = t.slice(x, [d * h + h, d * h + 2 * h]);
      const b2 = t.at(x, n - 1);
      const hidden = t.tanh(t.add(t.matmul(Xc, W1), b1));
      const out = t.add(t.matmul(hidden, w2), b2);
      return t.mean(t.square(t.sub(out, yc)));
    },
  };
}
