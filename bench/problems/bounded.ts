/**
 * Bound-constrained test problems whose bounds are active at the solution, each with a
 * solution known independently of any solver: published (Hock & Schittkowski, "Test examples
 * for nonlinear programming codes", 1981) and/or in closed form (reduced to a 1-D equation or
 * a linear least-squares problem in the free variables, solved here by elementary means).
 */
import * as t from '../../src/index.js';
import { exact, mghProblem, type MinimumValue } from './mgh.js';

export interface BoundedProblem {
  name: string;
  n: number;
  x0: number[];
  lower: number[];
  upper: number[];
  objective: (x: t.Tensor) => t.Tensor;
  /** Known local minima values (reaching any counts as solved). */
  fStar: MinimumValue[];
  /** The corresponding minimizers. */
  xStar: number[][];
}

/** Root of a continuous function on [a, b] with a sign change, by bisection to machine precision. */
function bisect(f: (x: number) => number, a: number, b: number): number {
  let fa = f(a);
  for (let k = 0; k < 200; k++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    const fm = f(m);
    if (Math.sign(fm) === Math.sign(fa)) {
      a = m;
      fa = fm;
    } else b = m;
  }
  return 0.5 * (a + b);
}

const rosen2 = (a: number, b: number): number => 100 * (b - a * a) ** 2 + (1 - a) ** 2;

/**
 * HS2: Rosenbrock with x2 ≥ 1.5. On x2 = 1.5, ∂f/∂x1 = 400x1³ − 598x1 − 2 = 0, whose outer
 * roots are two local minima: the global one HS report (x1 ≈ 1.2244, f ≈ 0.0504) and one at
 * x1 ≈ −1.2210 (f ≈ 4.941), both with ∂f/∂x2 > 0 so that the bound is active.
 */
function hs2(): BoundedProblem {
  const cubic = (v: number): number => 400 * v ** 3 - 598 * v - 2;
  const x1 = bisect(cubic, 1, 2);
  const x1b = bisect(cubic, -2, -1);
  return {
    name: 'hs2-rosenbrock',
    n: 2,
    x0: [-2, 1],
    lower: [-Infinity, 1.5],
    upper: [Infinity, Infinity],
    objective: mghProblem('rosenbrock').objective,
    fStar: [exact(rosen2(x1, 1.5), 'closed form; HS 1981 #2 reports 0.0504261879'), exact(rosen2(x1b, 1.5), 'closed form')],
    xStar: [
      [x1, 1.5],
      [x1b, 1.5],
    ],
  };
}

/** HS3: f = x2 + 1e-5(x2 − x1)², x2 ≥ 0; minimum 0 at the origin. */
function hs3(): BoundedProblem {
  return {
    name: 'hs3',
    n: 2,
    x0: [10, 1],
    lower: [-Infinity, 0],
    upper: [Infinity, Infinity],
    objective: (x) => t.add(t.at(x, 1), t.mul(1e-5, t.square(t.sub(t.at(x, 1), t.at(x, 0))))),
    fStar: [exact(0, 'HS 1981 #3')],
    xStar: [[0, 0]],
  };
}

/** HS4: f = (x1 + 1)³/3 + x2, x1 ≥ 1, x2 ≥ 0; minimum 8/3 at (1, 0). */
function hs4(): BoundedProblem {
  return {
    name: 'hs4',
    n: 2,
    x0: [1.125, 0.125],
    lower: [1, 0],
    upper: [Infinity, Infinity],
    objective: (x) => t.add(t.div(t.pow(t.add(t.at(x, 0), 1), 3), 3), t.at(x, 1)),
    fStar: [exact(8 / 3, 'HS 1981 #4')],
    xStar: [[1, 0]],
  };
}

/** HS45: f = 2 − x1x2x3x4x5/120, 0 ≤ xᵢ ≤ i; minimum 1 at the upper corner (1, 2, 3, 4, 5). */
function hs45(): BoundedProblem {
  return {
    name: 'hs45',
    n: 5,
    x0: [2, 2, 2, 2, 2],
    lower: [0, 0, 0, 0, 0],
    upper: [1, 2, 3, 4, 5],
    objective: (x) => t.sub(2, t.div(t.prod(x), 120)),
    fStar: [exact(1, 'HS 1981 #45')],
    xStar: [[1, 2, 3, 4, 5]],
  };
}

/**
 * Extended Rosenbrock (MGH 21, n = 100) with the odd-numbered variables bounded above by 0.5:
 * each pair then minimizes (1 − x₁)² at x₁ = 0.5, x₂ = x₁² = 0.25, so f* = 50·0.25 = 12.5.
 */
function boundedExtendedRosenbrock(): BoundedProblem {
  const n = 100;
  const p = mghProblem('extended-rosenbrock-100');
  return {
    name: 'extended-rosenbrock-100-bounded',
    n,
    x0: p.x0,
    lower: new Array(n).fill(-Infinity),
    upper: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0.5 : Infinity)),
    objective: p.objective,
    fStar: [exact(12.5, 'closed form')],
    xStar: [Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0.5 : 0.25))],
  };
}

/**
 * Beale (MGH 5) with x2 ≤ 0.4. On x2 = 0.4 the problem is linear least squares in x1:
 * rᵢ = yᵢ − x1·cᵢ with cᵢ = 1 − 0.4ⁱ, so x1 = Σyᵢcᵢ / Σcᵢ² and f = Σyᵢ² − (Σyᵢcᵢ)²/Σcᵢ².
 */
function boundedBeale(): BoundedProblem {
  const y = [1.5, 2.25, 2.625];
  const c = [1, 2, 3].map((i) => 1 - 0.4 ** i);
  const yc = y.reduce((s, v, i) => s + v * c[i]!, 0);
  const cc = c.reduce((s, v) => s + v * v, 0);
  const yy = y.reduce((s, v) => s + v * v, 0);
  return {
    name: 'beale-bounded',
    n: 2,
    x0: [1, 1],
    lower: [-Infinity, -Infinity],
    upper: [Infinity, 0.4],
    objective: mghProblem('beale').objective,
    fStar: [exact(yy - (yc * yc) / cc, 'closed form')],
    xStar: [[yc / cc, 0.4]],
  };
}

export const BOUNDED_PROBLEMS: readonly BoundedProblem[] = [hs2(), hs3(), hs4(), hs45(), boundedExtendedRosenbrock(), boundedBeale()];
