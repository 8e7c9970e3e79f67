/**
 * Moré–Thuente line search (J. J. Moré and D. J. Thuente, "Line search algorithms with
 * guaranteed sufficient decrease", ACM TOMS 20(3), 1994), written from the paper.
 *
 * It finds α with the strong Wolfe conditions
 *   φ(α) ≤ φ(0) + c1·α·φ'(0)   and   |φ'(α)| ≤ c2·|φ'(0)|.
 * A bracketing phase extrapolates until the interval of uncertainty holds a point satisfying
 * them; interpolation (cubic, quadratic, secant, with the paper's safeguards and a bisection
 * fall-back) then shrinks it. While no trial has satisfied ψ(α) ≤ 0 ≤ ψ'(α) for the auxiliary
 * ψ(α) = φ(α) − φ(0) − c1·α·φ'(0), the interpolation works on ψ (the paper's first stage).
 *
 * Beyond the paper: a trial with a non-finite φ or φ' (e.g. the log of a negative number after
 * a long step) caps the step below that trial and halves it toward the best point, so a search
 * recovers from such regions; it only reports `nonFinite` if no finite decrease is found. And
 * near a minimizer, where f changes at the level of its rounding error, steps are also
 * accepted by Hager and Zhang's approximate Wolfe conditions, which lean on the (exact)
 * slopes instead of f differences — this is what lets a run reach a tight gtol.
 */
import type { LineFunction, LineSearch, LineSearchResult } from './types.js';

export interface MoreThuenteOptions {
  /** Sufficient-decrease parameter c1 (default 1e-4). */
  c1?: number;
  /** Curvature parameter c2 (default 0.9; use ≈0.1 for conjugate-gradient-like methods). */
  c2?: number;
  /** Relative width of the interval of uncertainty below which the search stops (default 1e-12). */
  xtol?: number;
  /** Maximum number of φ evaluations (default 30). */
  maxEval?: number;
  /**
   * Relative noise level ε of f below which the approximate Wolfe conditions may accept a
   * step: φ(α) ≤ φ(0) + ε|φ(0)| with the slope conditions (default 1e-12; 0 disables).
   */
  approxTol?: number;
}

/**
 * Minimizer of the cubic through (a, fa, da) and (b, fb, db) (Nocedal & Wright eq. 3.59).
 * Returns NaN when the cubic has no local minimizer.
 */
export function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const s = Math.max(Math.abs(d1), Math.abs(da), Math.abs(db));
  if (s === 0) return NaN;
  const rad = (d1 / s) * (d1 / s) - (da / s) * (db / s);
  if (rad < 0) return NaN;
  const d2 = Math.sign(b - a) * s * Math.sqrt(rad);
  const den = db - da + 2 * d2;
  if (den === 0) return NaN;
  return b - ((b - a) * (db + d2 - d1)) / den;
}

/** Minimizer of the quadratic with value fa and slope da at a, and value fb at b. */
function quadraticMinimizer(a: number, fa: number, da: number, b: number, fb: number): number {
  const h = b - a;
  const curv = (fb - fa - da * h) / (h * h);
  return a - da / (2 * curv);
}

/** Zero of the secant of φ' through (a, da) and (b, db). */
function secantZero(a: number, da: number, b: number, db: number): number {
  return b + (db / (db - da)) * (a - b);
}

/**
 * The interval end points with values and slopes: x is the best step so far (lowest value),
 * y the other end point. `t` is the current trial; lo/hi bound the next trial step.
 */
interface Interval {
  x: number;
  fx: number;
  dx: number;
  y: number;
  fy: number;
  dy: number;
  bracketed: boolean;
}

/**
 * One safeguarded step (the paper's four cases): given the trial (t, ft, dt), updates the
 * interval and returns the next trial step.
 */
function safeguardedStep(I: Interval, t: number, ft: number, dt: number, lo: number, hi: number): number {
  const sameSign = dt * Math.sign(I.dx) > 0;
  let next: number;
  if (ft > I.fx) {
    // Case 1: higher value — a minimizer lies between x and t.
    const c = cubicMinimizer(I.x, I.fx, I.dx, t, ft, dt);
    const q = quadraticMinimizer(I.x, I.fx, I.dx, t, ft);
    if (!Number.isFinite(c)) next = Number.isFinite(q) ? q : 0.5 * (I.x + t);
    else if (Math.abs(c - I.x) < Math.abs(q - I.x) || !Number.isFinite(q)) next = c;
    else next = c + 0.5 * (q - c);
    I.bracketed = true;
  } else if (!sameSign) {
    // Case 2: lower value, slopes of opposite sign — bracketed; take the step farther from t.
    const c = cubicMinimizer(I.x, I.fx, I.dx, t, ft, dt);
    const s = secantZero(I.x, I.dx, t, dt);
    if (Number.isFinite(c) && Math.abs(c - t) > Math.abs(s - t)) next = c;
    else next = s;
    I.bracketed = true;
  } else if (Math.abs(dt) < Math.abs(I.dx)) {
    // Case 3: lower value, same sign, slope magnitude decreases. The cubic step is used only if
    // the cubic tends to infinity in the direction of the step (otherwise its minimizer lies
    // behind t); if not, extrapolate to the bound in that direction.
    let c = cubicMinimizer(I.x, I.fx, I.dx, t, ft, dt);
    const beyond = Number.isFinite(c) && (t > I.x ? c > t : c < t);
    if (!beyond) c = t > I.x ? hi : lo;
    const s = secantZero(I.x, I.dx, t, dt);
    if (I.bracketed) {
      next = Math.abs(c - t) < Math.abs(s - t) ? c : s;
      if (!Number.isFinite(next)) next = c;
      next = t > I.x ? Math.min(t + 0.66 * (I.y - t), next) : Math.max(t + 0.66 * (I.y - t), next);
    } else {
      next = Math.abs(c - t) > Math.abs(s - t) || !Number.isFinite(s) ? c : s;
      next = Math.min(hi, Math.max(lo, next));
    }
  } else {
    // Case 4: lower value, same sign, slope magnitude does not decrease.
    if (I.bracketed) {
      const c = cubicMinimizer(I.y, I.fy, I.dy, t, ft, dt);
      next = Number.isFinite(c) ? c : 0.5 * (t + I.y);
    } else next = t > I.x ? hi : lo;
  }
  if (ft > I.fx) {
    I.y = t;
    I.fy = ft;
    I.dy = dt;
  } else {
    if (!sameSign) {
      I.y = I.x;
      I.fy = I.fx;
      I.dy = I.dx;
    }
    I.x = t;
    I.fx = ft;
    I.dx = dt;
  }
  return next;
}

/** Creates a Moré–Thuente strong-Wolfe line search. */
export function moreThuente(options: MoreThuenteOptions = {}): LineSearch {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const xtol = options.xtol ?? 1e-12;
  const maxEval = options.maxEval ?? 30;
  const approx = options.approxTol ?? 1e-12;
  const xtrapLower = 1.1;
  const xtrapUpper = 4;

  function search(fn: LineFunction, phi0: number, slope0: number, alpha0: number, alphaMax: number): LineSearchResult {
    if (!(slope0 < 0)) return { status: 'notDescent', alpha: 0, phi: phi0, slope: slope0, evals: 0 };
    const gtest = c1 * slope0;
    const noise = approx * Math.abs(phi0);
    const I: Interval = { x: 0, fx: phi0, dx: slope0, y: 0, fy: phi0, dy: slope0, bracketed: false };
    const J: Interval = { ...I };
    let stage1 = true;
    let capMax = alphaMax; // lowered by non-finite trials
    let t = Math.min(Math.max(alpha0, 0), capMax);
    if (!(t > 0)) t = Math.min(1, capMax);
    let lo = 0;
    let hi = t + xtrapUpper * t;
    let width = capMax;
    let width1 = 2 * width;
    let evals = 0;
    let sawNonFinite = false;

    const finish = (status: LineSearchResult['status'], alpha: number, phi: number, slope: number): LineSearchResult => ({
      status,
      alpha,
      phi,
      slope,
      evals,
    });

    while (evals < maxEval) {
      const ft = fn.valueAndSlope(t);
      const dt = fn.slope;
      evals++;
      if (!Number.isFinite(ft) || !Number.isFinite(dt)) {
        sawNonFinite = true;
        capMax = t;
        const next = I.x + 0.5 * (t - I.x);
        if (!(next > I.x) || next - I.x <= 1e-16 * Math.max(1, I.x)) break;
        t = next;
        continue;
      }
      const ftest = phi0 + t * gtest;
      if (ft <= ftest && Math.abs(dt) <= -c2 * slope0) return finish('converged', t, ft, dt);
      // Approximate Wolfe (Hager & Zhang 2005): where f differences drown in rounding, exact
      // slopes still tell a good step — the curvature condition plus φ'(α) ≤ (1 − 2c1)|φ'(0)|
      // is sufficient decrease for a quadratic φ — so accept it when both the change of f and
      // the change the slope predicts (α|φ'(0)|) are at the noise level of f.
      if (Math.abs(ft - phi0) <= noise && -t * slope0 <= 10 * noise && Math.abs(dt) <= -c2 * slope0 && dt <= (2 * c1 - 1) * slope0)
        return finish('converged', t, ft, dt);
      // A step at the cap that still decreases steeply: the cap is the best we may do.
      if (t === capMax && ft <= ftest && dt <= gtest) return finish('armijo', t, ft, dt);
      if (stage1 && ft <= ftest && dt >= Math.min(c1, c2) * slope0) stage1 = false;

      if (stage1 && ft <= I.fx && ft > ftest) {
        // Interpolate the auxiliary function ψ, whose values/slopes are shifted by the linear term.
        J.x = I.x;
        J.fx = I.fx - I.x * gtest;
        J.dx = I.dx - gtest;
        J.y = I.y;
        J.fy = I.fy - I.y * gtest;
        J.dy = I.dy - gtest;
        J.bracketed = I.bracketed;
        const next = safeguardedStep(J, t, ft - t * gtest, dt - gtest, lo, hi);
        I.x = J.x;
        I.fx = J.fx + J.x * gtest;
        I.dx = J.dx + gtest;
        I.y = J.y;
        I.fy = J.fy + J.y * gtest;
        I.dy = J.dy + gtest;
        I.bracketed = J.bracketed;
        t = next;
      } else {
        t = safeguardedStep(I, t, ft, dt, lo, hi);
      }

      if (I.bracketed) {
        // Force sufficient shrinkage of the interval; bisect otherwise.
        if (Math.abs(I.y - I.x) >= 0.66 * width1) t = I.x + 0.5 * (I.y - I.x);
        width1 = width;
        width = Math.abs(I.y - I.x);
        lo = Math.min(I.x, I.y);
        hi = Math.max(I.x, I.y);
      } else {
        lo = t + xtrapLower * (t - I.x);
        hi = t + xtrapUpper * (t - I.x);
      }
      t = Math.min(Math.max(t, 0), capMax);
      if (!Number.isFinite(t)) t = I.x + 0.5 * (capMax - I.x);
      // No further progress possible: rounding, or the interval has collapsed.
      if (
        (I.bracketed && (t <= lo || t >= hi)) ||
        (I.bracketed && hi - lo <= xtol * hi) ||
        (!I.bracketed && I.x >= capMax)
      )
        break;
    }
    // Out of budget or progress: fall back on the best point if it decreases sufficiently.
    if (I.x > 0 && I.fx <= phi0 + I.x * gtest) return finish('armijo', I.x, I.fx, I.dx);
    if (sawNonFinite) return finish('nonFinite', 0, phi0, slope0);
    return finish('noDecrease', 0, phi0, slope0);
  }

  return { name: 'more-thuente', usesSlope: true, search };
}
