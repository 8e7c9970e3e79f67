/**
 * Sparse symmetric indefinite LDLᵀ in profile (envelope, "skyline") storage, for large KKT
 * systems with few nonzeros per row:
 *
 * - Ordering: reverse Cuthill–McKee on the graph of the matrix (George & Liu's pseudo-
 *   peripheral start node) for a narrow profile; then every constraint row is moved to
 *   just after the last of its variables, so that its pivot comes after they are eliminated
 *   (its diagonal is −δc ≈ 0 before that). A dense constraint row goes to the end.
 * - Factorization: row-by-row LDLᵀ with 1×1 pivots inside the envelope (Jennings), whose fill
 *   stays in the envelope. No pivoting: a pivot whose magnitude is below τ = ε_piv times the
 *   magnitudes that cancelled in it (the diagonal entry and every update) is replaced by ±τ
 *   (static pivoting, as PARDISO does, with a local rather than a global scale because barrier
 *   terms spread the diagonal over many orders of magnitude; the sign of the pivot, or for a
 *   zero pivot that of its row's kind: + for variables, − for constraints), counted in
 *   `perturbed`, and the caller refines the solution against the true matrix.
 * - The inertia is read off D (Sylvester's law holds for any congruence, so it is the
 *   inertia of the factored matrix: exact when nothing was perturbed).
 */
import type { Inertia } from './bunch-kaufman.js';
import type { Triplets } from './triplets.js';

/** Size, relative to the magnitudes that cancelled in it, below which a pivot is replaced (static pivoting). */
const EPS_PIVOT = 1e-13;

export class ProfileLdl {
  /** New position of each original index, and the inverse. */
  private pos = new Int32Array(0);
  private order = new Int32Array(0);
  /** First column of each (new) row's envelope, and where the row starts in `env`. */
  private first = new Int32Array(0);
  private start = new Int32Array(0);
  private env = new Float64Array(0);
  private d = new Float64Array(0);
  private work = new Float64Array(0);
  private rowmax = new Float64Array(0);
  /** Pivots replaced by ±τ in the last factorization. */
  perturbed = 0;
  /** Entries in the envelope (lower triangle, diagonal included). */
  size = 0;

  constructor(
    readonly n: number,
    /** Whether an index is a constraint row (its zero pivot gets a negative sign). */
    private readonly isDual: (i: number) => boolean,
  ) {}

  /**
   * Orders the matrix whose lower triangle is in `t` and lays out the envelope. Returns the
   * envelope size (entries of the lower triangle it stores), a measure of the work.
   */
  analyze(t: Triplets): number {
    const n = this.n;
    const adj = adjacency(n, t);
    const rcm = reverseCuthillMcKee(n, adj);
    // variables in RCM order; each constraint right after the last of its variables
    const remaining = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!this.isDual(i)) continue;
      for (let e = adj.ptr[i]!; e < adj.ptr[i + 1]!; e++) if (!this.isDual(adj.idx[e]!)) remaining[i]!++;
    }
    const order = new Int32Array(n);
    let k = 0;
    const lonely: number[] = [];
    for (const i of rcm) {
      if (this.isDual(i)) {
        if (remaining[i] === 0) lonely.push(i);
        continue;
      }
      order[k++] = i;
      for (let e = adj.ptr[i]!; e < adj.ptr[i + 1]!; e++) {
        const j = adj.idx[e]!;
        if (this.isDual(j) && --remaining[j]! === 0) order[k++] = j;
      }
    }
    for (const i of lonely) order[k++] = i;
    const pos = new Int32Array(n);
    for (let r = 0; r < n; r++) pos[order[r]!] = r;
    const first = new Int32Array(n);
    for (let r = 0; r < n; r++) first[r] = r;
    for (let e = 0; e < t.nnz; e++) {
      const a = pos[t.rows[e]!]!;
      const b = pos[t.cols[e]!]!;
      const r = Math.max(a, b);
      const c = Math.min(a, b);
      if (c < first[r]!) first[r] = c;
    }
    const start = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) start[r + 1] = start[r]! + (r - first[r]! + 1);
    this.pos = pos;
    this.order = order;
    this.first = first;
    this.start = start;
    this.size = start[n]!;
    if (this.env.length < this.size) this.env = new Float64Array(this.size);
    if (this.d.length < n) {
      this.d = new Float64Array(n);
      this.work = new Float64Array(n);
      this.rowmax = new Float64Array(n);
    }
    return this.size;
  }

  /** Work of a factorization: Σ over rows of (envelope row length)², roughly. */
  flops(): number {
    let s = 0;
    for (let r = 0; r < this.n; r++) {
      const len = r - this.first[r]!;
      s += len * len;
    }
    return s;
  }

  /**
   * Factors the matrix whose lower triangle is `t` plus `diag` (length n, added to the
   * diagonal). Its pattern must be within the analyzed one. Returns the inertia of the
   * factored (possibly perturbed) matrix.
   */
  factor(t: Triplets, diag: Float64Array): Inertia {
    const { n, pos, first, start, env, d } = this;
    env.fill(0, 0, this.size);
    for (let e = 0; e < t.nnz; e++) {
      const a = pos[t.rows[e]!]!;
      const b = pos[t.cols[e]!]!;
      const r = Math.max(a, b);
      const c = Math.min(a, b);
      env[start[r]! + c - first[r]!]! += t.vals[e]!;
    }
    for (let i = 0; i < n; i++) {
      const r = pos[i]!;
      env[start[r + 1]! - 1]! += diag[i]!;
    }
    // the largest entry of each row (lower part; the column part is covered by later rows)
    const rowmax = this.rowmax;
    rowmax.fill(0, 0, n);
    for (let r = 0; r < n; r++) {
      for (let e = start[r]!; e < start[r + 1]!; e++) {
        const v = Math.abs(env[e]!);
        const c = first[r]! + e - start[r]!;
        if (v > rowmax[r]!) rowmax[r] = v;
        if (v > rowmax[c]!) rowmax[c] = v;
      }
    }
    const inertia: Inertia = { pos: 0, neg: 0, zero: 0 };
    this.perturbed = 0;
    for (let r = 0; r < n; r++) {
      const fr = first[r]!;
      const br = start[r]! - fr; // env[br + c] = row r, column c
      // entries of row r become g_c = l_rc·d_c, left to right
      for (let c = fr; c < r; c++) {
        const fc = first[c]!;
        const bc = start[c]! - fc;
        let s = env[br + c]!;
        for (let k = Math.max(fr, fc); k < c; k++) s -= env[br + k]! * env[bc + k]!;
        env[br + c] = s;
      }
      let dr = env[br + r]!;
      // magnitudes that cancel in the pivot: a pivot tiny against them is numerically zero
      let mag = Math.abs(dr);
      for (let c = fr; c < r; c++) {
        const g = env[br + c]!;
        const l = g / d[c]!;
        dr -= g * l;
        mag += Math.abs(g * l);
        env[br + c] = l;
      }
      const tau = EPS_PIVOT * (mag > 0 ? mag : rowmax[r]! > 0 ? rowmax[r]! : 1);
      if (!(Math.abs(dr) > tau)) {
        // tiny, zero or NaN: static pivot
        const sign = dr > 0 ? 1 : dr < 0 ? -1 : this.isDual(this.order[r]!) ? -1 : 1;
        dr = sign * tau;
        this.perturbed++;
      }
      d[r] = dr;
      env[br + r] = dr;
      if (dr > 0) inertia.pos++;
      else inertia.neg++;
    }
    return inertia;
  }

  /** Solves with the factors: x = (L·D·Lᵀ)⁻¹·b in original ordering (x may be b). */
  solve(b: Float64Array, x: Float64Array): void {
    const { n, pos, first, start, env, d, work: y } = this;
    for (let i = 0; i < n; i++) y[pos[i]!] = b[i]!;
    for (let r = 0; r < n; r++) {
      const fr = first[r]!;
      const br = start[r]! - fr;
      let s = y[r]!;
      for (let k = fr; k < r; k++) s -= env[br + k]! * y[k]!;
      y[r] = s;
    }
    for (let r = 0; r < n; r++) y[r]! /= d[r]!;
    for (let r = n - 1; r >= 0; r--) {
      const fr = first[r]!;
      const br = start[r]! - fr;
      const xr = y[r]!;
      if (xr !== 0) for (let k = fr; k < r; k++) y[k]! -= env[br + k]! * xr;
    }
    for (let i = 0; i < n; i++) x[i] = y[pos[i]!]!;
  }
}

/** Compressed adjacency lists of the (undirected, loop-free, duplicate-free) graph of a symmetric pattern. */
interface Adjacency {
  ptr: Int32Array;
  idx: Int32Array;
}

function adjacency(n: number, t: Triplets): Adjacency {
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < t.nnz; e++) {
    const i = t.rows[e]!;
    const j = t.cols[e]!;
    if (i === j) continue;
    deg[i]!++;
    deg[j]!++;
  }
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i]! + deg[i]!;
  const fill = ptr.slice(0, n);
  const raw = new Int32Array(ptr[n]!);
  for (let e = 0; e < t.nnz; e++) {
    const i = t.rows[e]!;
    const j = t.cols[e]!;
    if (i === j) continue;
    raw[fill[i]!++] = j;
    raw[fill[j]!++] = i;
  }
  // drop duplicates (entries given twice)
  const mark = new Int32Array(n).fill(-1);
  const out = new Int32Array(raw.length);
  const optr = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let e = ptr[i]!; e < ptr[i + 1]!; e++) {
      const j = raw[e]!;
      if (mark[j] === i) continue;
      mark[j] = i;
      out[k++] = j;
    }
    optr[i + 1] = k;
  }
  return { ptr: optr, idx: out.subarray(0, k) };
}

/** Breadth-first levels from `s` within unvisited nodes: the visit order and the last level's start. */
function bfs(s: number, adj: Adjacency, done: Uint8Array, seen: Int32Array, stamp: number, out: Int32Array, deg: Int32Array, sorted: boolean): { count: number; lastLevel: number; depth: number } {
  let head = 0;
  let tail = 0;
  out[tail++] = s;
  seen[s] = stamp;
  let levelStart = 0;
  let levelEnd = 1;
  let depth = 0;
  let lastLevel = 0;
  while (head < tail) {
    const i = out[head++]!;
    const from = tail;
    for (let e = adj.ptr[i]!; e < adj.ptr[i + 1]!; e++) {
      const j = adj.idx[e]!;
      if (done[j] || seen[j] === stamp) continue;
      seen[j] = stamp;
      out[tail++] = j;
    }
    if (sorted && tail - from > 1) {
      // Cuthill–McKee: neighbours by increasing degree
      const part = Array.from(out.subarray(from, tail)).sort((a, b) => deg[a]! - deg[b]! || a - b);
      out.set(part, from);
    }
    if (head === levelEnd && head < tail) {
      levelStart = levelEnd;
      levelEnd = tail;
      depth++;
      lastLevel = levelStart;
    }
  }
  return { count: tail, lastLevel, depth };
}

/** Reverse Cuthill–McKee order of all nodes (component by component). */
export function reverseCuthillMcKee(n: number, adj: Adjacency): Int32Array {
  const deg = new Int32Array(n);
  for (let i = 0; i < n; i++) deg[i] = adj.ptr[i + 1]! - adj.ptr[i]!;
  const done = new Uint8Array(n);
  const seen = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  let stamp = 0;
  let k = 0;
  for (let s0 = 0; s0 < n; s0++) {
    if (done[s0]) continue;
    // the component's lowest-degree node, then George–Liu: restart from a lowest-degree
    // node of the last BFS level while the depth grows
    let s = s0;
    let best = bfs(s, adj, done, seen, stamp++, scratch, deg, false);
    for (let e = 0; e < best.count; e++) if (deg[scratch[e]!]! < deg[s]!) s = scratch[e]!;
    best = bfs(s, adj, done, seen, stamp++, scratch, deg, false);
    for (let tries = 0; tries < 8; tries++) {
      let cand = scratch[best.lastLevel]!;
      for (let e = best.lastLevel; e < best.count; e++) if (deg[scratch[e]!]! < deg[cand]!) cand = scratch[e]!;
      const next = bfs(cand, adj, done, seen, stamp++, scratch, deg, false);
      if (next.depth <= best.depth) break;
      s = cand;
      best = next;
    }
    const r = bfs(s, adj, done, seen, stamp++, scratch, deg, true);
    for (let e = 0; e < r.count; e++) {
      const i = scratch[e]!;
      done[i] = 1;
      order[k++] = i;
    }
  }
  order.reverse();
  return order;
}
