/**
 * Property-based: random compositions of at least ten primitives, gradient against central
 * differences.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { fdGradient } from '../helpers.js';

type Step = { op: number; a: number; b: number };

const C = t.tensor([0.7, -1.1, 0.4, 1.3]);
/** Each op maps one or two earlier values (all vectors of length 4) to a new one, keeping values tame. */
const OPS: ((a: Tensor, b: Tensor) => Tensor)[] = [
  (a) => t.sin(a),
  (a) => t.cos(a),
  (a) => t.tanh(a),
  (a) => t.atan(a),
  (a) => t.sigmoid(a),
  (a) => t.softplus(a),
  (a) => t.erf(a),
  (a) => t.exp(t.tanh(a)),
  (a) => t.log1p(t.square(a)),
  (a) => t.sqrt(t.add(1, t.square(a))),
  (a, b) => t.add(a, b),
  (a, b) => t.sub(a, b),
  (a, b) => t.mul(a, t.tanh(b)),
  (a, b) => t.div(a, t.add(1, t.square(b))),
  (a, b) => t.atan2(a, t.add(2, t.sigmoid(b))),
  (a) => t.mul(t.sum(a), C),
  (a, b) => t.mul(t.mul(t.dot(a, b), 0.1), C),
  (a) => t.concatenate([t.slice(a, [2, null]), t.slice(a, [0, 2])]),
  (a) => t.mul(t.prod(t.slice(a, [0, null, 2])), C),
  (a, b) => t.stack([t.slice(a, [0, 2]), t.slice(b, [2, 4])]).reshape([4]),
  (a) => t.set(a, [1], t.mean(a)),
  (a) => t.pow(t.add(t.square(a), 0.5), 1.5),
  (a, b) => t.dot(t.reshape(t.outer(a, b), [4, 4]), C).mul(0.2),
];

function compose(steps: Step[]) {
  return (x: Tensor): Tensor => {
    const vals: Tensor[] = [x];
    for (const s of steps) {
      const a = vals[s.a % vals.length]!;
      const b = vals[s.b % vals.length]!;
      vals.push(OPS[s.op % OPS.length]!(a, b));
    }
    return t.sum(vals[vals.length - 1]!).add(t.mul(0.01, t.sum(t.square(x))));
  };
}

test('random compositions of ≥ 10 primitives: gradient = central differences', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat() }), { minLength: 10, maxLength: 20 }),
      fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      (steps, x0) => {
        const f = compose(steps);
        const x = Float64Array.from(x0);
        const g = t.grad(f)(x) as Float64Array;
        const value = (v: Float64Array) => f(t.tensor(v)).item();
        const fd = fdGradient(value, x, 1e-5);
        const scale = Math.max(1, ...Array.from(fd, Math.abs));
        for (let i = 0; i < 4; i++) expect(Math.abs(g[i]! - fd[i]!)).toBeLessThan(1e-6 * scale);
      },
    ),
    { numRuns: 200, seed: 20130313 },
  );
});
