/**
 * Bound-constrained problems of growing size, for choosing `auto`'s method under bounds
 * (bench/bounded-auto.ts): two grid problems in the style of MINPACK-2 (B. M. Averick,
 * R. G. Carter, J. J. Moré and G.-L. Xue, "The MINPACK-2 test problem collection", 1992; the
 * test set of Lin & Moré's TRON paper) and the bounded extended Rosenbrock function of
 * bounded.ts at larger n. Their solutions are not known in closed form: a run counts as
 * solved when it meets the projected-gradient test and its f matches the best f of all runs.
 */
import * as t from '../../src/index.js';
import { MGH_PROBLEMS, mghProblem } from './mgh.js';
import type { BoundedProblem } from './bounded.js';

/** A bounded problem without a known solution. */
export type ScalingProblem = Omit<BoundedProblem, 'fStar' | 'xStar'>;

/** v (flat, m×m interior values) padded with the zero boundary: an (m+2)×(m+2) tensor. */
function padded(v: t.Tensor, m: number): t.Tensor {
  const g = t.reshape(v, [m, m]);
  const zr = t.zeros([1, m]);
  const rows = t.concatenate([zr, g, zr], 0);
  const zc = t.zeros([m + 2, 1]);
  return t.concatenate([zc, rows, zc], 1);
}

/** Forward differences of the padded grid along each axis. */
function differences(p: t.Tensor, m: number): { dx: t.Tensor; dy: t.Tensor } {
  const dx = t.sub(t.slice(p, [1, m + 2], [0, m + 1]), t.slice(p, [0, m + 1], [0, m + 1]));
  const dy = t.sub(t.slice(p, [0, m + 1], [1, m + 2]), t.slice(p, [0, m + 1], [0, m + 1]));
  return { dx, dy };
}

/**
 * Elastic-plastic torsion (MINPACK-2 "dept"), forward-difference form on an m×m grid of the
 * unit square: min ½Σ(Δv)² − c·h²·Σv with |v| ≤ dist(·, ∂D), c = 5. A convex quadratic whose
 * plastic region (bounds active) covers much of the square. Start: v = dist (all at a bound).
 */
export function torsion(m: number): ScalingProblem {
  const h = 1 / (m + 1);
  const c = 5;
  const dist: number[] = [];
  for (let i = 1; i <= m; i++) for (let j = 1; j <= m; j++) dist.push(h * Math.min(i, m + 1 - i, j, m + 1 - j));
  return {
    name: `torsion-${m}x${m}`,
    n: m * m,
    x0: dist.slice(),
    lower: dist.map((v) => -v),
    upper: dist,
    objective: (v) => {
      const { dx, dy } = differences(padded(v, m), m);
      return t.sub(t.mul(0.5, t.add(t.sum(t.square(dx)), t.sum(t.square(dy)))), t.mul(c * h * h, t.sum(v)));
    },
  };
}

/**
 * Minimal surface over a square plate: min h²·Σ√(1 + (Δₓv/h)² + (Δ_yv/h)²) on an m×m grid with
 * zero boundary values and v ≥ 1 over the middle quarter [¼, ¾]² (an obstacle the membrane
 * drapes over). Convex, not quadratic; the bounds are active on the plate.
 */
export function plateObstacle(m: number): ScalingProblem {
  const h = 1 / (m + 1);
  const lower: number[] = [];
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= m; j++) lower.push(Math.abs(i * h - 0.5) <= 0.25 && Math.abs(j * h - 0.5) <= 0.25 ? 1 : -Infinity);
  return {
    name: `plate-obstacle-${m}x${m}`,
    n: m * m,
    x0: lower.map((v) => (v > 0 ? v : 0)),
    lower,
    upper: lower.map(() => Infinity),
    objective: (v) => {
      const { dx, dy } = differences(padded(v, m), m);
      return t.mul(h * h, t.sum(t.sqrt(t.add(1, t.div(t.add(t.square(dx), t.square(dy)), h * h)))));
    },
  };
}

/** Extended Rosenbrock (MGH 21) with the odd-numbered variables ≤ 0.5 (f* = n/8, see bounded.ts). */
export function boundedRosenbrock(n: number): ScalingProblem {
  const p = mghProblem(`extended-rosenbrock-${n}`);
  return {
    name: `extended-rosenbrock-${n}-bounded`,
    n,
    x0: p.x0,
    lower: new Array(n).fill(-Infinity),
    upper: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0.5 : Infinity)),
    objective: p.objective,
  };
}

/** The set at the sizes `auto` chooses between: about 100 and about 1000 unknowns. */
export function scalingProblems(): ScalingProblem[] {
  return [torsion(10), plateObstacle(10), boundedRosenbrock(100), torsion(32), plateObstacle(32), boundedRosenbrock(1000)];
}

/**
 * The MGH problems (n ≤ maxN) with a bound that cuts off each even-indexed variable's
 * unconstrained minimizer x_u: uᵢ = x_u,ᵢ − 0.1·(1 + |x_u,ᵢ|). x_u is found by trust-exact here
 * (the unconstrained run is part of the setup, not of the measurement). A broad robustness
 * test under bounds: 35 problems of every kind, the bounds active at the solution.
 */
export function mghBoxed(maxN: number, solve: (objective: (x: t.Tensor) => t.Tensor, x0: number[]) => Float64Array | null): ScalingProblem[] {
  const out: ScalingProblem[] = [];
  for (const p of MGH_PROBLEMS) {
    if (p.n > maxN) continue;
    const xu = solve(p.objective, p.x0);
    if (!xu) continue;
    out.push({
      name: `${p.name}-boxed`,
      n: p.n,
      x0: p.x0,
      lower: new Array(p.n).fill(-Infinity),
      upper: Array.from(xu, (v, i) => (i % 2 === 0 ? v - 0.1 * (1 + Math.abs(v)) : Infinity)),
      objective: p.objective,
    });
  }
  return out;
}
