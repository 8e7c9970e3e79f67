/**
 * The fuzzer's value oracle: a small NumPy in plain JavaScript, written for this purpose and
 * sharing no code with the engine (nothing here imports src/). Arrays are row-major
 * Float64Arrays with a shape. Every operation is the textbook algorithm, kept obvious rather
 * than fast: broadcasting by index arithmetic, Python slice semantics, Gaussian elimination,
 * Cholesky–Banachiewicz, modified Gram–Schmidt, cyclic Jacobi for symmetric eigenproblems.
 *
 * Piecewise operations record which branch they took in `Trail`, so that finite differences
 * can tell whether their samples stayed on one smooth piece.
 */

export interface Arr {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Branches taken by piecewise operations (abs, maximum, where, …), in evaluation order. */
export interface Trail {
  branches: number[];
  /** Smallest distance of a piecewise operation's argument to its switch point. */
  kinkDistance: number;
}

export const newTrail = (): Trail => ({ branches: [], kinkDistance: Infinity });

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function arr(shape: readonly number[], data?: ArrayLike<number>): Arr {
  const d = new Float64Array(size(shape));
  if (data) for (let i = 0; i < d.length; i++) d[i] = data[i]!;
  return { shape: [...shape], data: d };
}

export const scalar = (v: number): Arr => arr([], [v]);

/** Multi-index of flat position k in `shape`. */
function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = k % shape[a]!;
    k = Math.floor(k / shape[a]!);
  }
  return idx;
}

/** Calls fn(multi-index, flat position) for every element of `shape`, row-major. */
export function forEachIndex(shape: readonly number[], fn: (idx: number[], k: number) => void): void {
  const n = size(shape);
  for (let k = 0; k < n; k++) fn(unravel(k, shape), k);
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let a = 0; a < shape.length; a++) k = k * shape[a]! + idx[a]!;
  return k;
}

/** NumPy broadcast of several shapes; throws when they do not broadcast. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const n = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = i < n - s.length ? 1 : s[i - (n - s.length)]!;
      if (e !== 1) {
        if (d !== 1 && d !== e) throw new Error(`oracle: shapes ${JSON.stringify(shapes)} do not broadcast`);
        d = e;
      }
    }
    out.push(d);
  }
  return out;
}

/** The element of `a` that lands on multi-index `idx` of the broadcast shape. */
function bget(a: Arr, idx: readonly number[]): number {
  const pad = idx.length - a.shape.length;
  let k = 0;
  for (let i = 0; i < a.shape.length; i++) k = k * a.shape[i]! + (a.shape[i] === 1 ? 0 : idx[i + pad]!);
  return a.data[k]!;
}

export function broadcastTo(a: Arr, shape: readonly number[]): Arr {
  const out = arr(shape);
  for (let k = 0; k < out.data.length; k++) out.data[k] = bget(a, unravel(k, shape));
  return out;
}

/** Elementwise function of any number of broadcast arrays. */
export function zip(args: readonly Arr[], f: (...v: number[]) => number): Arr {
  const shape = broadcastShape(...args.map((a) => a.shape));
  const out = arr(shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unravel(k, shape);
    out.data[k] = f(...args.map((a) => bget(a, idx)));
  }
  return out;
}

// ------------------------------------------------------------------ scalar functions

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * erf: the alternating Maclaurin series Σ (−1)ⁿx^{2n+1}/(n!(2n+1)) for |x| ≤ 2 (terms at
 * most e^{x²} ≈ 55 times the result), else 1 − erfc from its Laplace continued fraction.
 */
function erf(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax <= 2) {
    let term = ax;
    let s = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      s += add;
      if (Math.abs(add) < 1e-18 * Math.abs(s)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * s;
  } else if (ax >= 6.5) {
    r = 1;
  } else {
    // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
    let cf = ax;
    for (let k = 120; k >= 1; k--) cf = ax + k / 2 / cf;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / cf;
  }
  return x < 0 ? -r : r;
}

export const UNARY_FN: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  square: (x) => x * x,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  abs: Math.abs,
  sigmoid,
  softplus,
  erf,
  sign: Math.sign,
};

export const BINARY_FN: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  atan2: Math.atan2,
  maximum: (a, b) => (a >= b ? a : b),
  minimum: (a, b) => (a <= b ? a : b),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

/** Where each piecewise scalar function switches, as (args) → signed distance. */
export const KINK: Record<string, (...v: number[]) => number> = {
  abs: (x) => x,
  sign: (x) => x,
  maximum: (a, b) => a - b,
  minimum: (a, b) => a - b,
  gt: (a, b) => a - b,
  ge: (a, b) => a - b,
  lt: (a, b) => a - b,
  le: (a, b) => a - b,
  eq: (a, b) => a - b,
  ne: (a, b) => a - b,
};

/** Elementwise op by name, noting the branch of piecewise ones in `trail`. */
export function elementwise(op: string, args: readonly Arr[], trail?: Trail): Arr {
  const kink = KINK[op];
  if (kink && trail) {
    zip(args, (...v) => {
      const d = kink(...v);
      trail.branches.push(d > 0 ? 1 : d < 0 ? -1 : 0);
      trail.kinkDistance = Math.min(trail.kinkDistance, Math.abs(d));
      return 0;
    });
  }
  if (op === 'where') return zip(args, (c, a, b) => (c !== 0 ? a : b));
  const u = UNARY_FN[op];
  if (u) return zip(args, u);
  const b = BINARY_FN[op];
  if (b) return zip(args, b);
  throw new Error(`oracle: unknown elementwise op ${op}`);
}

// ------------------------------------------------------------------ reductions and shapes

/** Normalized sorted axes (null: all). */
function axesOf(axis: number | number[] | null | undefined, nd: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: nd }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return list.map((a) => (a < 0 ? a + nd : a)).sort((a, b) => a - b);
}

export function reduce(a: Arr, axis: number | number[] | null | undefined, keepdims: boolean, kind: 'sum' | 'prod' | 'mean'): Arr {
  const axes = axesOf(axis, a.shape.length);
  const kept = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = arr(kept).data.fill(kind === 'prod' ? 1 : 0);
  for (let k = 0; k < a.data.length; k++) {
    const idx = unravel(k, a.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const o = ravel(idx, kept);
    out[o] = kind === 'prod' ? out[o]! * a.data[k]! : out[o]! + a.data[k]!;
  }
  if (kind === 'mean') {
    const count = axes.reduce((c, i) => c * a.shape[i]!, 1);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! / count;
  }
  const shape = keepdims ? kept : a.shape.filter((_, i) => !axes.includes(i));
  return { shape, data: out };
}

export function reshape(a: Arr, shape: readonly number[]): Arr {
  const free = shape.indexOf(-1);
  const s = [...shape];
  if (free >= 0) s[free] = size(a.shape) / size(shape.filter((d) => d !== -1));
  if (size(s) !== a.data.length) throw new Error(`oracle: cannot reshape ${a.shape} to ${shape}`);
  return { shape: s, data: a.data.slice() };
}

export function transpose(a: Arr, perm?: readonly number[]): Arr {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const shape = p.map((q) => a.shape[q]!);
  const out = arr(shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unravel(k, shape);
    const src = new Array<number>(idx.length);
    p.forEach((q, i) => (src[q] = idx[i]!));
    out.data[k] = a.data[ravel(src, a.shape)]!;
  }
  return out;
}

/** One index per axis as the engine's API takes them: number, [start, stop, step] or null. */
export type Spec = number | null | (number | null)[];

/** Python's slice.indices(n): the positions a slice selects. */
function sliceIndices(n: number, start: number | null, stop: number | null, step: number | null): number[] {
  const st = step ?? 1;
  const norm = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) v += n;
    return st > 0 ? Math.min(Math.max(v, 0), n) : Math.min(Math.max(v, -1), n - 1);
  };
  const b = norm(start, st > 0 ? 0 : n - 1);
  const e = norm(stop, st > 0 ? n : -1);
  const out: number[] = [];
  for (let i = b; st > 0 ? i < e : i > e; i += st) out.push(i);
  return out;
}

/** x[specs]: integer specs drop their axis; missing trailing axes are whole. */
export function index(a: Arr, specs: readonly Spec[]): { out: Arr; flat: number[] } {
  const per: number[][] = [];
  const keep: boolean[] = [];
  a.shape.forEach((n, ax) => {
    const s = ax < specs.length ? specs[ax] : null;
    if (s === null || s === undefined) {
      per.push(Array.from({ length: n }, (_, i) => i));
      keep.push(true);
    } else if (typeof s === 'number') {
      per.push([s < 0 ? s + n : s]);
      keep.push(false);
    } else {
      per.push(sliceIndices(n, s[0] ?? null, s[1] ?? null, s[2] ?? null));
      keep.push(true);
    }
  });
  const counts = per.map((p) => p.length);
  const flat: number[] = [];
  for (let k = 0; k < size(counts); k++) {
    const idx = unravel(k, counts);
    flat.push(ravel(idx.map((i, ax) => per[ax]![i]!), a.shape));
  }
  const shape = counts.filter((_, ax) => keep[ax]);
  return { out: arr(shape, flat.map((f) => a.data[f]!)), flat };
}

/** A copy of a with a[specs] = value (value broadcast to the part, leading unit axes dropped). */
export function setIndex(a: Arr, specs: readonly Spec[], value: Arr): Arr {
  const { out: part, flat } = index(a, specs);
  let v = value;
  while (v.shape.length > part.shape.length && v.shape[0] === 1) v = { shape: v.shape.slice(1), data: v.data };
  const b = broadcastTo(v, part.shape);
  const res = arr(a.shape, a.data);
  flat.forEach((f, k) => (res.data[f] = b.data[k]!));
  return res;
}

export function concatenate(list: readonly Arr[], axis: number): Arr {
  const nd = list[0]!.shape.length;
  const ax = axis < 0 ? axis + nd : axis;
  const shape = [...list[0]!.shape];
  shape[ax] = list.reduce((s, a) => s + a.shape[ax]!, 0);
  const out = arr(shape);
  let at = 0;
  for (const a of list) {
    for (let k = 0; k < a.data.length; k++) {
      const idx = unravel(k, a.shape);
      idx[ax] = idx[ax]! + at;
      out.data[ravel(idx, shape)] = a.data[k]!;
    }
    at += a.shape[ax]!;
  }
  return out;
}

export function stack(list: readonly Arr[], axis: number): Arr {
  const nd = list[0]!.shape.length + 1;
  const ax = axis < 0 ? axis + nd : axis;
  return concatenate(list.map((a) => reshape(a, [...a.shape.slice(0, ax), 1, ...a.shape.slice(ax)])), ax);
}

// ------------------------------------------------------------------ products

/** NumPy dot: contraction of a's last axis with b's second-to-last (b's only, for a vector). */
export function dot(a: Arr, b: Arr): Arr {
  if (a.shape.length === 0 || b.shape.length === 0) return zip([a, b], (x, y) => x * y);
  const k = a.shape[a.shape.length - 1]!;
  const bk = b.shape.length === 1 ? 0 : b.shape.length - 2;
  const aOut = a.shape.slice(0, -1);
  const bOut = b.shape.filter((_, i) => i !== bk);
  const shape = [...aOut, ...bOut];
  const out = arr(shape);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unravel(o, shape);
    const ia = idx.slice(0, aOut.length);
    const ib = idx.slice(aOut.length);
    let s = 0;
    for (let l = 0; l < k; l++) {
      const bi = [...ib];
      bi.splice(bk, 0, l);
      s += a.data[ravel([...ia, l], a.shape)]! * b.data[ravel(bi, b.shape)]!;
    }
    out.data[o] = s;
  }
  return out;
}

/** NumPy matmul: products of the last two axes, batch axes broadcast; vectors promoted. */
export function matmul(a: Arr, b: Arr): Arr {
  const A = a.shape.length === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const B = b.shape.length === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const [m, k] = A.shape.slice(-2) as [number, number];
  const n = B.shape[B.shape.length - 1]!;
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const full = [...batch, m, n];
  const out = arr(full);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unravel(o, full);
    const bi = idx.slice(0, batch.length);
    const [i, j] = idx.slice(-2) as [number, number];
    let s = 0;
    for (let l = 0; l < k; l++) s += bget(A, [...bi, i, l]) * bget(B, [...bi, l, j]);
    out.data[o] = s;
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { shape, data: out.data };
}

export function outer(a: Arr, b: Arr): Arr {
  const out = arr([a.data.length, b.data.length]);
  for (let i = 0; i < a.data.length; i++) for (let j = 0; j < b.data.length; j++) out.data[i * b.data.length + j] = a.data[i]! * b.data[j]!;
  return out;
}

// ------------------------------------------------------------------ linear algebra

const at2 = (a: Arr, i: number, j: number): number => a.data[i * a.shape[1]! + j]!;

/** Solves A·X = B by Gaussian elimination with partial pivoting (B: vector or matrix). */
export function solve(A: Arr, B: Arr, transposeA = false): Arr {
  const n = A.shape[0]!;
  const M = transposeA ? transpose(A) : A;
  const k = B.shape.length === 1 ? 1 : B.shape[1]!;
  const aug: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(at2(M, i, j));
    for (let c = 0; c < k; c++) row.push(B.data[i * k + c]!);
    aug.push(row);
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(aug[i]![c]!) > Math.abs(aug[p]![c]!)) p = i;
    [aug[c], aug[p]] = [aug[p]!, aug[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = aug[i]![c]! / aug[c]![c]!;
      for (let j = c; j < n + k; j++) aug[i]![j] = aug[i]![j]! - f * aug[c]![j]!;
    }
  }
  const X = arr(B.shape);
  for (let c = 0; c < k; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = aug[i]![n + c]!;
      for (let j = i + 1; j < n; j++) s -= aug[i]![j]! * X.data[j * k + c]!;
      X.data[i * k + c] = s / aug[i]![i]!;
    }
  }
  return X;
}

export function eye(n: number): Arr {
  const I = arr([n, n]);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

export const inv = (A: Arr): Arr => solve(A, eye(A.shape[0]!));

/** sign and log|det| by Gaussian elimination with partial pivoting. */
export function slogdet(A: Arr): { sign: number; logabsdet: number } {
  const n = A.shape[0]!;
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => at2(A, i, j)));
  let sign = 1;
  let logabs = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[p]![c]!)) p = i;
    if (p !== c) {
      [m[c], m[p]] = [m[p]!, m[c]!];
      sign = -sign;
    }
    const piv = m[c]![c]!;
    if (piv === 0) return { sign: 0, logabsdet: -Infinity };
    if (piv < 0) sign = -sign;
    logabs += Math.log(Math.abs(piv));
    for (let i = c + 1; i < n; i++) {
      const f = m[i]![c]! / piv;
      for (let j = c; j < n; j++) m[i]![j] = m[i]![j]! - f * m[c]![j]!;
    }
  }
  return { sign, logabsdet: logabs };
}

export function det(A: Arr): number {
  const { sign, logabsdet } = slogdet(A);
  return sign * Math.exp(logabsdet);
}

/** Lower L with L·Lᵀ = (A + Aᵀ)/2 (Cholesky–Banachiewicz). */
export function cholesky(A: Arr): Arr {
  const n = A.shape[0]!;
  const L = arr([n, n]);
  const s = (i: number, j: number) => (at2(A, i, j) + at2(A, j, i)) / 2;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = s(i, j);
      for (let k = 0; k < j; k++) v -= L.data[i * n + k]! * L.data[j * n + k]!;
      L.data[i * n + j] = i === j ? Math.sqrt(v) : v / L.data[j * n + j]!;
    }
  }
  return L;
}

/** Reduced QR by modified Gram–Schmidt, diag(R) ≥ 0. */
export function qr(A: Arr): { Q: Arr; R: Arr } {
  const [m, n] = A.shape as [number, number];
  const Q = arr([m, n], A.data);
  const R = arr([n, n]);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      let d = 0;
      for (let r = 0; r < m; r++) d += Q.data[r * n + i]! * Q.data[r * n + j]!;
      R.data[i * n + j] = d;
      for (let r = 0; r < m; r++) Q.data[r * n + j] -= d * Q.data[r * n + i]!;
    }
    let nrm = 0;
    for (let r = 0; r < m; r++) nrm += Q.data[r * n + j]! ** 2;
    nrm = Math.sqrt(nrm);
    R.data[j * n + j] = nrm;
    for (let r = 0; r < m; r++) Q.data[r * n + j] /= nrm;
  }
  // a second Gram–Schmidt pass on Q alone would only polish orthogonality; diag(R) ≥ 0 already
  return { Q, R };
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns; each one's largest-magnitude entry
 * positive) of (A + Aᵀ)/2 by cyclic Jacobi rotations.
 */
export function eigh(A: Arr): { values: Arr; vectors: Arr } {
  const n = A.shape[0]!;
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (at2(A, i, j) + at2(A, j, i)) / 2));
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-40) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i]![i]! - a[j]![j]!);
  const values = arr([n], order.map((i) => a[i]![i]!));
  const vectors = arr([n, n]);
  order.forEach((src, col) => {
    let big = 0;
    for (let r = 0; r < n; r++) if (Math.abs(v[r]![src]!) > Math.abs(v[big]![src]!)) big = r;
    const sg = v[big]![src]! < 0 ? -1 : 1;
    for (let r = 0; r < n; r++) vectors.data[r * n + col] = sg * v[r]![src]!;
  });
  return { values, vectors };
}

export function trace(A: Arr): number {
  let s = 0;
  for (let i = 0; i < Math.min(A.shape[0]!, A.shape[1]!); i++) s += at2(A, i, i);
  return s;
}

export function norm(a: Arr): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  return Math.sqrt(s);
}

/** NumPy diag: vector → matrix with it on diagonal k; matrix → its diagonal k. */
export function diag(a: Arr, k: number): Arr {
  if (a.shape.length === 1) {
    const n = a.shape[0]! + Math.abs(k);
    const M = arr([n, n]);
    for (let i = 0; i < a.shape[0]!; i++) {
      const r = k >= 0 ? i : i - k;
      const c = k >= 0 ? i + k : i;
      M.data[r * n + c] = a.data[i]!;
    }
    return M;
  }
  const [m, n] = a.shape as [number, number];
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    const j = i + k;
    if (j >= 0 && j < n) out.push(at2(a, i, j));
  }
  return arr([out.length], out);
}

export function band(a: Arr, k: number, upper: boolean): Arr {
  const [m, n] = a.shape as [number, number];
  const out = arr([m, n]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (upper ? j - i >= k : j - i <= k) out.data[i * n + j] = at2(a, i, j);
  return out;
}

/** Solves T·X = B (or Tᵀ·X = B) with T the lower (or upper) triangle of A, by substitution. */
export function solveTriangular(A: Arr, B: Arr, lower: boolean, trans: boolean): Arr {
  const n = A.shape[0]!;
  const T = band(A, 0, !lower);
  const M = trans ? transpose(T) : T;
  const low = lower !== trans; // the triangle M actually has
  const k = B.shape.length === 1 ? 1 : B.shape[1]!;
  const X = arr(B.shape);
  for (let c = 0; c < k; c++) {
    for (let s = 0; s < n; s++) {
      const i = low ? s : n - 1 - s;
      let v = B.data[i * k + c]!;
      for (let j = 0; j < n; j++) if (j !== i && (low ? j < i : j > i)) v -= at2(M, i, j) * X.data[j * k + c]!;
      X.data[i * k + c] = v / at2(M, i, i);
    }
  }
  return X;
}
