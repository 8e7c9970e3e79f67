/**
 * Truncated Taylor-series arithmetic on one scalar: `x[0..D-1]` are the coefficients of
 * x(s) = Σ x_d s^d. Each function writes y = f(x) truncated to degree D-1 into `y`.
 *
 * The recurrences follow Griewank & Walther, *Evaluating Derivatives*, ch. 13: for an
 * elementary function with f'(x) = g(x, y) known as a series w, y' = w·x' gives
 *     d·y_d = Σ_{k=1..d} k·x_k·w_{d-k}.
 * Rules that need intermediate series take them from the caller's {@link Workspace} (s1–s3,
 * as each says), so a call allocates nothing once the workspace is warm. None of these
 * functions validate their input (they run in kernels).
 */
import type { Workspace } from './workspace.js';


/** y_d = (1/d) Σ_{k=1..d} k x_k w_{d-k} for d ≥ 1: the series of ∫ w dx with y_0 given. */
function integrate(x: Float64Array, w: Float64Array, d: number): number {
  let s = 0;
  for (let k = 1; k <= d; k++) s += k * x[k]! * w[d - k]!;
  return s / d;
}

/** Series product c = a·b (c may not alias a or b). */
export function sMul(a: Float64Array, b: Float64Array, c: Float64Array, D: number): void {
  for (let d = 0; d < D; d++) {
    let s = 0;
    for (let k = 0; k <= d; k++) s += a[k]! * b[d - k]!;
    c[d] = s;
  }
}

/** Series quotient c = a / b (c may not alias a or b). */
export function sDiv(a: Float64Array, b: Float64Array, c: Float64Array, D: number): void {
  const b0 = b[0]!;
  for (let d = 0; d < D; d++) {
    let s = a[d]!;
    for (let k = 0; k < d; k++) s -= c[k]! * b[d - k]!;
    c[d] = s / b0;
  }
}

export function sExp(x: Float64Array, y: Float64Array, D: number): void {
  y[0] = Math.exp(x[0]!);
  for (let d = 1; d < D; d++) y[d] = integrate(x, y, d);
}

/** expm1: the series of exp with the constant term shifted by −1, accurate near 0. */
export function sExpm1(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const e = ws.s1;
  e[0] = Math.exp(x[0]!);
  y[0] = Math.expm1(x[0]!);
  for (let d = 1; d < D; d++) {
    e[d] = integrate(x, e, d);
    y[d] = e[d]!;
  }
}

/** log u where u = x (shift = 0) or u = 1 + x (log1p, shift = 1). */
function logSeries(x: Float64Array, y: Float64Array, D: number, shift: 0 | 1): void {
  const u0 = shift ? 1 + x[0]! : x[0]!;
  y[0] = shift ? Math.log1p(x[0]!) : Math.log(x[0]!);
  // u·y' = u'  ⇒  d·u_0·y_d = d·u_d − Σ_{k=1..d-1} k·y_k·u_{d-k}
  for (let d = 1; d < D; d++) {
    let s = d * x[d]!;
    for (let k = 1; k < d; k++) s -= k * y[k]! * x[d - k]!;
    y[d] = s / (d * u0);
  }
}

export function sLog(x: Float64Array, y: Float64Array, D: number): void {
  logSeries(x, y, D, 0);
}

export function sLog1p(x: Float64Array, y: Float64Array, D: number): void {
  logSeries(x, y, D, 1);
}

export function sSqrt(x: Float64Array, y: Float64Array, D: number): void {
  const y0 = Math.sqrt(x[0]!);
  y[0] = y0;
  // y² = x  ⇒  2·y_0·y_d = x_d − Σ_{k=1..d-1} y_k·y_{d-k}
  for (let d = 1; d < D; d++) {
    let s = x[d]!;
    for (let k = 1; k < d; k++) s -= y[k]! * y[d - k]!;
    y[d] = s / (2 * y0);
  }
}

export function sSquare(x: Float64Array, y: Float64Array, D: number): void {
  for (let d = 0; d < D; d++) {
    let s = 0;
    for (let k = 0; k <= d; k++) s += x[k]! * x[d - k]!;
    y[d] = s;
  }
}

/**
 * x^r for a constant real r. Non-negative integer r uses binary powering (repeated
 * multiplication), so that x_0 = 0 is exact; otherwise the recurrence x·y' = r·y·x', which
 * divides by x_0 — at x_0 = 0 see {@link sPowZeroBase}.
 */
export function sPowConst(x: Float64Array, r: number, y: Float64Array, D: number, ws: Workspace): void {
  if (Number.isInteger(r) && r >= 0) {
    ws.reserve(D);
    // binary powering: acc = 1, base = x
    const acc = ws.s1;
    const base = ws.s2;
    const tmp = ws.s3;
    acc.fill(0, 0, D);
    acc[0] = 1;
    for (let d = 0; d < D; d++) base[d] = x[d]!;
    let e = r;
    while (e > 0) {
      if (e % 2 === 1) {
        sMul(acc, base, tmp, D);
        for (let d = 0; d < D; d++) acc[d] = tmp[d]!;
      }
      e = Math.floor(e / 2);
      if (e > 0) {
        sMul(base, base, tmp, D);
        for (let d = 0; d < D; d++) base[d] = tmp[d]!;
      }
    }
    for (let d = 0; d < D; d++) y[d] = acc[d]!;
    return;
  }
  const x0 = x[0]!;
  y[0] = Math.pow(x0, r);
  if (x0 === 0) {
    sPowZeroBase(x, r, y, D);
    return;
  }
  // d·x_0·y_d = Σ_{k=1..d} (r·k − (d−k))·x_k·y_{d−k}
  for (let d = 1; d < D; d++) {
    let s = 0;
    for (let k = 1; k <= d; k++) s += (r * k - (d - k)) * x[k]! * y[d - k]!;
    y[d] = s / (d * x0);
  }
}

/**
 * Coefficients d ≥ 1 of x^r at x_0 = 0 for a non-integer r. With x(s) = x_m·s^m + … (x_m the
 * first non-zero coefficient), x(s)^r = O(s^{m·r}): the coefficients of degree below m·r are
 * 0, and from degree m·r on x^r is not smooth along the curve (NaN). A curve that stays at 0
 * gives 0.
 */
function sPowZeroBase(x: Float64Array, r: number, y: Float64Array, D: number): void {
  let m = 1;
  while (m < D && x[m] === 0) m++;
  for (let d = 1; d < D; d++) y[d] = m === D || d < m * r ? 0 : NaN;
}

/** sin and cos together: s' = c·x', c' = −s·x'. Either output may be null. */
export function sSinCos(x: Float64Array, sOut: Float64Array | null, cOut: Float64Array | null, D: number, ws: Workspace): void {
  ws.reserve(D);
  const s = ws.s1;
  const c = ws.s2;
  s[0] = Math.sin(x[0]!);
  c[0] = Math.cos(x[0]!);
  for (let d = 1; d < D; d++) {
    s[d] = integrate(x, c, d);
    c[d] = -integrate(x, s, d);
  }
  if (sOut) for (let d = 0; d < D; d++) sOut[d] = s[d]!;
  if (cOut) for (let d = 0; d < D; d++) cOut[d] = c[d]!;
}

/** sinh and cosh together: s' = c·x', c' = s·x'. */
export function sSinhCosh(x: Float64Array, sOut: Float64Array | null, cOut: Float64Array | null, D: number, ws: Workspace): void {
  ws.reserve(D);
  const s = ws.s1;
  const c = ws.s2;
  s[0] = Math.sinh(x[0]!);
  c[0] = Math.cosh(x[0]!);
  for (let d = 1; d < D; d++) {
    s[d] = integrate(x, c, d);
    c[d] = integrate(x, s, d);
  }
  if (sOut) for (let d = 0; d < D; d++) sOut[d] = s[d]!;
  if (cOut) for (let d = 0; d < D; d++) cOut[d] = c[d]!;
}

/**
 * y with y' = w·x', w = 1 + b·y²: tan (b = 1) and tanh (b = −1), with w_0 given (for tanh
 * sech²(x_0), computed without the cancellation of 1 − y_0²). The series w is written into
 * `w` alongside y; w_d = b·Σ y_k·y_{d−k} for d ≥ 1.
 */
function riccati(x: Float64Array, y: Float64Array, w: Float64Array, D: number, y0: number, w0: number, b: number): void {
  y[0] = y0;
  w[0] = w0;
  for (let d = 1; d < D; d++) {
    y[d] = integrate(x, w, d);
    let sq = 0;
    for (let k = 0; k <= d; k++) sq += y[k]! * y[d - k]!;
    w[d] = b * sq;
  }
}

export function sTan(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const t0 = Math.tan(x[0]!);
  riccati(x, y, ws.s1, D, t0, 1 + t0 * t0, 1);
}

export function sTanh(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const t0 = Math.tanh(x[0]!);
  riccati(x, y, ws.s1, D, t0, sechSqFromTanh(x[0]!, t0), -1);
}

/** sech²(x) = tanh′(x), given t = tanh(x_0): the w series of tanh's Riccati equation (uses s1). */
export function sSechSq(x: Float64Array, t0: number, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  riccati(x, ws.s1, y, D, t0, sechSqFromTanh(x[0]!, t0), -1);
}

/**
 * sech²(x) = 1 − tanh²(x) = 4e/(1 + e)² with e = exp(−2|x|) ∈ (0, 1]: no cancellation, a
 * few ulps wherever the result is a normal number (|x| ≲ 354); 0 once it underflows.
 */
export function sechSq0(x: number): number {
  const e = Math.exp(-2 * Math.abs(x));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

/**
 * sech²(x) given t = tanh(x): 1 − t² where that does not cancel (|t| < 0.7, so 1 − t² > 0.51:
 * a few ulps, one multiplication), else {@link sechSq0}.
 */
export function sechSqFromTanh(x: number, t: number): number {
  return Math.abs(t) < 0.7 ? 1 - t * t : sechSq0(x);
}

/**
 * y with y' = x' / w where w is a given series (w_0 ≠ 0):
 * d·w_0·y_d = d·x_d − Σ_{k=1..d-1} k·y_k·w_{d-k}.
 */
function divIntegrate(x: Float64Array, w: Float64Array, y: Float64Array, D: number): void {
  const w0 = w[0]!;
  for (let d = 1; d < D; d++) {
    let s = d * x[d]!;
    for (let k = 1; k < d; k++) s -= k * y[k]! * w[d - k]!;
    y[d] = s / (d * w0);
  }
}

/** atan: y' = x' / (1 + x²). */
export function sAtan(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const w = ws.s3;
  sSquare(x, w, D);
  w[0] = w[0]! + 1;
  y[0] = Math.atan(x[0]!);
  divIntegrate(x, w, y, D);
}

/** asin (sign = 1) and acos (sign = −1): y' = ±x' / √(1 − x²). */
function arcSeries(x: Float64Array, y: Float64Array, D: number, sign: 1 | -1, ws: Workspace): void {
  ws.reserve(D);
  const u = ws.s3;
  sSquare(x, u, D);
  for (let d = 0; d < D; d++) u[d] = -u[d]!;
  u[0] = u[0]! + 1;
  const w = ws.s2;
  sSqrt(u, w, D);
  y[0] = sign === 1 ? Math.asin(x[0]!) : Math.acos(x[0]!);
  divIntegrate(x, w, y, D);
  if (sign === -1) for (let d = 1; d < D; d++) y[d] = -y[d]!;
}

export function sAsin(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  arcSeries(x, y, D, 1, ws);
}

export function sAcos(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  arcSeries(x, y, D, -1, ws);
}

/** Numerically stable logistic function 1/(1+e^−x). */
export function sigmoid0(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Numerically stable log(1 + e^x). */
export function softplus0(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * σ′(x) = σ(x)·σ(−x) given y = σ(x): σ(−x) is 1 − y where that does not cancel (y ≤ 0.5:
 * relative error ≤ ε), else computed from x.
 */
export function sigmoidDerivFromValue(x: number, y: number): number {
  return y * (y <= 0.5 ? 1 - y : sigmoid0(-x));
}

/** y = σ(x) and w = σ′(x) as series: y' = w·x', w = y − y² (w_0 without the cancellation of y_0 − y_0²). */
function sigmoidSeries(x: Float64Array, y: Float64Array, w: Float64Array, D: number, y0: number): void {
  y[0] = y0;
  w[0] = sigmoidDerivFromValue(x[0]!, y0);
  for (let d = 1; d < D; d++) {
    y[d] = integrate(x, w, d);
    let sq = 0;
    for (let k = 0; k <= d; k++) sq += y[k]! * y[d - k]!;
    w[d] = y[d]! - sq;
  }
}

/** sigmoid (uses s1). */
export function sSigmoid(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  sigmoidSeries(x, y, ws.s1, D, sigmoid0(x[0]!));
}

/** σ′(x), given y_0 = σ(x_0) (uses s1). */
export function sSigmoidDeriv(x: Float64Array, y0: number, w: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  sigmoidSeries(x, ws.s1, w, D, y0);
}

/** softplus: y' = sigmoid(x)·x'. */
export function sSoftplus(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const sg = ws.s3; // sSigmoid only uses s1, and its reserve(D) will not reallocate now
  sSigmoid(x, sg, D, ws);
  y[0] = softplus0(x[0]!);
  for (let d = 1; d < D; d++) y[d] = integrate(x, sg, d);
}

/**
 * erf(x). For |x| < 3 the series erf x = (2/√π)·e^{−x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)), whose
 * terms are all positive (no cancellation); beyond, 1 − erfc x with erfc from its continued
 * fraction, where erfc < 3e-5 so its truncation error is far below an ulp of erf.
 */
export function erf0(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 300; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  } else if (ax > 6) {
    r = 1;
  } else {
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

/** erf: y' = (2/√π)·e^{−x²}·x'. */
export function sErf(x: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const u = ws.s3;
  sSquare(x, u, D);
  for (let d = 0; d < D; d++) u[d] = -u[d]!;
  const g = ws.s2;
  // exp of u into g (s1 is free here)
  g[0] = Math.exp(u[0]!);
  for (let d = 1; d < D; d++) g[d] = integrate(u, g, d);
  const c = 2 / Math.sqrt(Math.PI);
  for (let d = 0; d < D; d++) g[d] = c * g[d]!;
  y[0] = erf0(x[0]!);
  for (let d = 1; d < D; d++) y[d] = integrate(x, g, d);
}

/**
 * atan2(a, b) for series a (the "y" argument) and b (the "x" argument):
 * z' = (b·a' − a·b') / (a² + b²).
 */
export function sAtan2(a: Float64Array, b: Float64Array, z: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const w = ws.s1;
  for (let d = 0; d < D; d++) {
    let s = 0;
    for (let k = 0; k <= d; k++) s += a[k]! * a[d - k]! + b[k]! * b[d - k]!;
    w[d] = s;
  }
  z[0] = Math.atan2(a[0]!, b[0]!);
  const w0 = w[0]!;
  for (let d = 1; d < D; d++) {
    let s = 0;
    for (let k = 1; k <= d; k++) s += k * (a[k]! * b[d - k]! - b[k]! * a[d - k]!);
    for (let k = 1; k < d; k++) s -= k * z[k]! * w[d - k]!;
    z[d] = s / (d * w0);
  }
}

/** a^b for series a (a_0 > 0) and b: exp(b·log a). */
export function sPow(a: Float64Array, b: Float64Array, y: Float64Array, D: number, ws: Workspace): void {
  ws.reserve(D);
  const la = ws.s3;
  logSeries(a, la, D, 0);
  const t = ws.s2;
  sMul(b, la, t, D);
  // exp of t into y
  y[0] = Math.pow(a[0]!, b[0]!);
  for (let d = 1; d < D; d++) y[d] = integrate(t, y, d);
}
