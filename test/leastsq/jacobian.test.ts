/**
 * The residual Jacobian of src/ad/residual.ts against central differences with one
 * Richardson step (error O(h⁴)), on a battery of models — forward mode (n ≤ m), reverse mode
 * (n > m, and forced), matrix-shaped residuals, linear algebra inside, a value-dependent
 * function (traced again at every call) — at several points, reusing the compiled replays.
 * The value-only replay must give the same r as the Jacobian replay.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { residualFunctions } from '../../src/ad/residual.js';
import { TayoptError } from '../../src/errors.js';

type Model = { name: string; f: (x: t.Tensor) => t.Tensor; x0: number[]; points: number[][] };

const xs = Float64Array.from({ length: 30 }, (_, i) => i / 6);
const ys = xs.map((v) => 2 * Math.exp(-0.7 * v) + 0.1 * Math.sin(3 * v));
const A = [
  [4, 1, 0],
  [1, 3, 1],
  [0, 1, 2],
];

const MODELS: Model[] = [
  {
    name: 'exponential decay, m = 30, n = 2',
    f: (b) => t.sub(ys, t.mul(b.at(0), t.exp(t.mul(t.neg(b.at(1)), xs)))),
    x0: [1, 0.5],
    points: [[2.1, 0.6], [0.3, 1.7]],
  },
  {
    name: 'rational (Thurber-like), n = 5',
    f: (b) => {
      const num = t.add(b.at(0), t.mul(b.at(1), xs));
      const den = t.add(1, t.add(t.mul(b.at(2), xs), t.mul(b.at(3), t.square(xs))));
      return t.sub(t.div(num, den), t.mul(b.at(4), ys));
    },
    x0: [1, 0.5, 0.1, 0.05, 1],
    points: [[0.3, -0.2, 0.4, 0.02, 2]],
  },
  {
    name: 'two Gaussian peaks, n = 6',
    f: (b) => {
      const g = (a: number, c: number, w: number) => t.mul(b.at(a), t.exp(t.neg(t.div(t.square(t.sub(xs, b.at(c))), t.square(b.at(w))))));
      return t.sub(t.add(g(0, 1, 2), g(3, 4, 5)), ys);
    },
    x0: [1, 1, 0.5, 0.5, 3, 1],
    points: [[0.8, 1.3, 0.7, 0.4, 2.5, 1.4]],
  },
  {
    name: 'matrix-shaped residual (3×2 from a vector of 2)',
    f: (b) => t.sub(t.outer([1, 2, 3], t.sin(b)), [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
    x0: [0.3, -0.4],
    points: [[1.1, 0.2]],
  },
  {
    name: 'more variables than residuals (reverse mode), n = 5, m = 3',
    f: (x) => t.stack([t.sum(t.square(x)), t.prod(t.add(x, 2)), t.sum(t.mul([1, -1, 2, -2, 3], t.tanh(x)))]),
    x0: [0.1, 0.2, 0.3, 0.4, 0.5],
    points: [[-0.3, 0.7, 1.2, -0.9, 0.05]],
  },
  {
    name: 'linear algebra inside: solve(A + diag(x), b)',
    f: (x) => t.solve(t.add(A, t.diag(x)), [1, 2, 3]),
    x0: [0.5, 0.5, 0.5],
    points: [[1, 0.2, 0.3]],
  },
  {
    name: 'value-dependent (reads a traced value: retraced at every call)',
    f: (x) => (x.at(0).item() > 0 ? t.mul(x, t.exp(x)) : t.sin(t.mul(x, 3))),
    x0: [0.5, -0.2, 0.1],
    points: [[-0.4, 0.3, 0.2], [0.2, 0.2, 0.2]],
  },
];

/** Central differences with one Richardson step, h_j = 1e-3·max(|x_j|, 0.1). */
function numericJacobian(f: (x: t.Tensor) => t.Tensor, x: number[]): number[][] {
  const val = (p: number[]) => f(t.tensor(p)).toFloat64Array();
  const m = val(x).length;
  const J = Array.from({ length: m }, () => new Array<number>(x.length).fill(0));
  for (let j = 0; j < x.length; j++) {
    const h = 1e-3 * Math.max(Math.abs(x[j]!), 0.1);
    const d = (hh: number) => {
      const xp = x.slice();
      const xm = x.slice();
      xp[j]! += hh;
      xm[j]! -= hh;
      const a = val(xp);
      const b = val(xm);
      return Array.from(a, (v, i) => (v - b[i]!) / (2 * hh));
    };
    const d1 = d(h);
    const d2 = d(h / 2);
    for (let i = 0; i < m; i++) J[i]![j] = (4 * d2[i]! - d1[i]!) / 3;
  }
  return J;
}

describe('residual Jacobians from one replay', () => {
  for (const model of MODELS) {
    for (const mode of [undefined, 'forward', 'reverse'] as const) {
      it(`${model.name}${mode ? ` (${mode} forced)` : ''}: matches central differences at every point`, () => {
        const R = residualFunctions('test', model.f, model.x0, { mode });
        const r = new Float64Array(R.m);
        const rv = new Float64Array(R.m);
        const J = new Float64Array(R.m * R.n);
        if (!mode) expect(R.mode).toBe(R.n <= R.m ? 'forward' : 'reverse');
        for (const p of [model.x0, ...model.points]) {
          const x = Float64Array.from(p);
          R.jacobian(x, r, J);
          R.residuals(x, rv);
          const ref = t.tensor(model.f(t.tensor(p)).toFloat64Array());
          const rRef = ref.toFloat64Array();
          for (let i = 0; i < R.m; i++) {
            expect(r[i]).toBeCloseTo(rRef[i]!, 12);
            expect(rv[i]).toBeCloseTo(rRef[i]!, 12);
          }
          const N = numericJacobian(model.f, p);
          for (let i = 0; i < R.m; i++)
            for (let j = 0; j < R.n; j++) {
              const v = J[i * R.n + j]!;
              expect(Math.abs(v - N[i]![j]!)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(N[i]![j]!)));
            }
        }
      });
    }
  }

  it('refuses a residual function that returns a single number, with a message that says what to return', () => {
    const f = (x: t.Tensor) => t.sum(t.square(x));
    expect(() => residualFunctions('leastSquares', f, [1, 2])).toThrow(TayoptError);
    expect(() => residualFunctions('leastSquares', f, [1, 2])).toThrow(/leastSquares: the residual function must return a vector .*not their sum of squares/);
  });
});
