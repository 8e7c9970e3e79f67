/**
 * The limit of double precision: when a run can make no further progress, is the point as
 * good as the arithmetic allows (status `precision`, a success), or is it stuck somewhere the
 * gradient says is not stationary (a failure)?
 *
 * The test compares the gradient with its own rounding level, measured rather than guessed:
 * ∇f is evaluated at x ± Δₖ (k = 1, 2), where Δₖ moves every coordinate by a few units in its
 * last place, and νᵢ = maxₖ ½(|∂ᵢf(x + Δₖ) + ∂ᵢf(x − Δₖ) − 2∂ᵢf(x)| + |∂ᵢf(x + Δₖ) − ∂ᵢf(x − Δₖ)|)
 * is what the gradient can tell apart at x: its evaluation noise (the second difference, in
 * which ∇²f·Δ cancels), plus the change ∇²f·Δ that the finite resolution of x itself forces
 * (the first difference). A gradient within a small multiple of ν in every component is rounding:
 * nothing in double precision can reduce it reliably. A gradient far above ν is meaningful,
 * and the point is not stationary even though f cannot resolve the decrease (e.g.
 * f = 10¹⁶ + (x − 1)², whose changes near x = 0 are below the rounding of f while
 * f'(0) = −2 is exact). Scale-free: it does not depend on the units of f or of x.
 * Coordinates that are exactly 0 are not moved, and a gradient computed exactly can have
 * ν = 0; so ν is never taken below {@link ZERO_GRADIENT}·‖∇f(x₀)‖∞.
 */
import type { Objective } from './objective.js';
import type { Box } from './bounds.js';

/** A gradient component counts as rounding when |gᵢ| ≤ NOISE_FACTOR·νᵢ. */
export const NOISE_FACTOR = 10;

/**
 * A gradient this many times smaller than at the start (ε², about 5e-32) is zero for every
 * practical purpose; the loop stops there ('precision') even while it keeps shrinking.
 * (ε alone would not do: along the path of some problems ‖∇f‖ falls by 15 orders of
 * magnitude before the minimizer comes near — variably-dimensioned at n = 1000 starts at
 * 3e20.)
 */
export const ZERO_GRADIENT = Number.EPSILON * Number.EPSILON;

/** Relative size of the perturbations: this many units of ε·|xᵢ| per coordinate. */
const PERTURBATION_ULPS = 4;

/**
 * The rounding level of a value f: changes of f smaller than this are not told apart from the
 * error of computing it. 10 units of ε|f| allow for sums of many terms; the floor of 10ε for
 * |f| < 1 is there because a small f is usually computed from terms of order one (a sum of
 * squared residuals y − model(x) of data of order one errs by about ε·|y| in each residual,
 * not by ε·|f|). The trust-region ratio's guard (Conn, Gould & Toint §17.4) is this level too.
 */
export function roundingLevel(f: number): number {
  return 10 * Number.EPSILON * Math.max(1, Math.abs(f));
}

/** The outcome of {@link stationaryToPrecision}. */
export interface NoiseCheck {
  /** True when every component of the (projected) gradient is within its rounding level (or ≤ gtol). */
  stationary: boolean;
  /** ‖ν‖∞, the gradient's rounding level at x. */
  noise: number;
  /** The component whose gradient stands farthest above its rounding level, and by how much (|gᵢ|/νᵢ; Infinity when νᵢ = 0). */
  worst: { index: number; ratio: number };
}

/**
 * Measures the rounding level of the gradient at x (two gradient evaluations, counted by
 * `obj`) and decides whether the gradient g there is rounding. `g0` is ‖∇f‖∞ at the start
 * of the run (it sets the floor of ν). Under bounds the projected
 * gradient is tested and the perturbed points stay in the box. Never throws for numerical
 * trouble: a non-finite gradient at a perturbed point makes the check fail.
 */
export function stationaryToPrecision(
  obj: Objective,
  x: Float64Array,
  g: Float64Array,
  gtol: number,
  box: Box | null,
  g0: number,
): NoiseCheck {
  const floor = ZERO_GRADIENT * g0;
  const n = x.length;
  const xp = new Float64Array(n);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  const nu = new Float64Array(n);
  for (let k = 0; k < 2; k++) {
    // Two sign patterns, + − + − … and + + − − …; each a symmetric pair x ± Δ, whose second
    // difference g(x + Δ) + g(x − Δ) − 2g(x) cancels the change ∇²f·Δ and leaves the
    // rounding noise (Moré & Wild's difference-table idea, "Estimating computational noise",
    // SIAM J. Sci. Comput. 33(3), 2011, at its lowest order).
    for (const [sgn, out] of [[1, gp], [-1, gm]] as const) {
      for (let i = 0; i < n; i++) {
        const sign = (k === 0 ? i : i >> 1) % 2 === 0 ? sgn : -sgn;
        let v = x[i]! + sign * PERTURBATION_ULPS * Number.EPSILON * Math.abs(x[i]!);
        if (box) v = Math.min(box.upper[i]!, Math.max(box.lower[i]!, v));
        xp[i] = v;
      }
      obj.valueAndGrad(xp, out);
    }
    for (let i = 0; i < n; i++) {
      // The rounding noise (second difference) plus the change over the perturbation (first
      // difference): what the finite resolution of x alone lets the gradient be.
      const d = 0.5 * (Math.abs(gp[i]! + gm[i]! - 2 * g[i]!) + Math.abs(gp[i]! - gm[i]!));
      nu[i] = d > nu[i]! || d !== d ? d : nu[i]!;
    }
  }
  for (let i = 0; i < n; i++) if (nu[i]! < floor) nu[i] = floor;
  let noise = 0;
  let worst = { index: -1, ratio: 0 };
  let stationary = true;
  for (let i = 0; i < n; i++) {
    const nui = nu[i]!;
    if (!Number.isFinite(nui)) return { stationary: false, noise: NaN, worst: { index: i, ratio: NaN } };
    noise = Math.max(noise, nui);
    // Under bounds only the part of the gradient that can move x counts (the projected gradient).
    let gi = g[i]!;
    if (box) gi = Math.min(box.upper[i]!, Math.max(box.lower[i]!, x[i]! - gi)) - x[i]!;
    const a = Math.abs(gi);
    const ratio = a === 0 ? 0 : a / nui;
    if (ratio > worst.ratio) worst = { index: i, ratio };
    if (a > gtol && a > NOISE_FACTOR * nui) stationary = false;
  }
  return { stationary, noise, worst };
}
