/**
 * The ill-conditioned quadratic family of issue 13: f(x) = Σ dᵢxᵢ², dᵢ = 10^(c·i/(n−1)),
 * i = 0 … n−1, from x0 = (1, …, 1); condition number 10^c, minimum f* = 0 at x = 0. The issue
 * measured BFGS on n = 50 with c = 2, and on n = 100 and 200 with c = 6.
 */
import * as t from '../../src/index.js';
import { exact, type MinimumValue } from './mgh.js';

export interface QuadraticProblem {
  name: string;
  n: number;
  x0: number[];
  objective: (x: t.Tensor) => t.Tensor;
  fStar: MinimumValue[];
}

/** One member: n variables, condition number 10^c. */
export function diagonalQuadratic(n: number, c: number): QuadraticProblem {
  const d = Float64Array.from({ length: n }, (_, i) => 10 ** ((c * i) / (n - 1)));
  return {
    name: `quadratic-${n}-cond1e${c}`,
    n,
    x0: new Array<number>(n).fill(1),
    objective: (x) => t.sum(t.mul(d, t.square(x))),
    fStar: [exact(0, 'closed form')],
  };
}

/** The three members the issue measured. */
export const QUADRATIC_PROBLEMS: readonly QuadraticProblem[] = [diagonalQuadratic(50, 2), diagonalQuadratic(100, 6), diagonalQuadratic(200, 6)];
