/**
 * The face of the box a bounded method works on: the variables left free (the others are
 * fixed at a bound), the quadratic model restricted to them, and the projection onto the
 * box. Shared by the bounded trust-region method (tron.ts) and the projected Newton-type
 * line-search methods (projected-newton.ts), whose inner solvers — Cholesky, truncated CG,
 * Moré–Sorensen, dogleg, GLTR — then run unchanged on nf ≤ n free variables.
 */

/** The free variables of a face: `idx[0..size)` in increasing order, and gather/scatter between R^n and R^nf. */
export class FreeSet {
  readonly n: number;
  /** Indices of the free variables; only the first `size` entries are meaningful. */
  readonly idx: Int32Array;
  size = 0;
  // Full-length scratch for reduced Hessian-vector products.
  private readonly vFull: Float64Array;
  private readonly outFull: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.idx = new Int32Array(n);
    this.vFull = new Float64Array(n);
    this.outFull = new Float64Array(n);
  }

  /** Adds variable i (call in increasing i after {@link clear}). */
  push(i: number): void {
    this.idx[this.size++] = i;
  }

  clear(): void {
    this.size = 0;
  }

  /** out[k] ← v[idx[k]] for the free variables (out has length ≥ size). */
  gather(v: Float64Array, out: Float64Array): void {
    for (let k = 0; k < this.size; k++) out[k] = v[this.idx[k]!]!;
  }

  /** out ← v on the free variables, 0 on the fixed ones (out has length n). */
  scatter(v: Float64Array, out: Float64Array): void {
    out.fill(0);
    for (let k = 0; k < this.size; k++) out[this.idx[k]!] = v[k]!;
  }

  /** out ← the nf×nf principal submatrix of the dense row-major n×n matrix A on the free variables. */
  gatherMatrix(A: Float64Array, out: Float64Array): void {
    principalSubmatrix(A, this.n, this.idx, this.size, out);
  }

  /** Writes the fixed variables (those not in the set), in increasing order, into out; returns their number n − size. */
  complement(out: Int32Array): number {
    let a = 0;
    for (let k = 0, i = 0; i < this.n; i++) {
      if (k < this.size && this.idx[k] === i) k++;
      else out[a++] = i;
    }
    return a;
  }

  /** out ← (B·v̂) on the free variables, where v̂ is v scattered into R^n and `apply` is B's product in R^n. */
  reducedProduct(apply: (v: Float64Array, out: Float64Array) => void, v: Float64Array, out: Float64Array): void {
    this.scatter(v, this.vFull);
    apply(this.vFull, this.outFull);
    this.gather(this.outFull, out);
  }
}

/** out ← the m×m principal submatrix A[idx, idx] of the dense row-major n×n matrix A (idx[0..m)). */
export function principalSubmatrix(A: Float64Array, n: number, idx: Int32Array, m: number, out: Float64Array): void {
  for (let k = 0; k < m; k++) {
    const row = idx[k]! * n;
    for (let l = 0; l < m; l++) out[k * m + l] = A[row + idx[l]!]!;
  }
}

/**
 * ‖P(x₀ − g₀) − x₀‖₂ for the box [lower, upper], or 1 when that is 0 or not finite: the scale
 * of the inner solvers' forcing terms (the unbounded methods use ‖g₀‖₂).
 */
export function forcingScale(x0: Float64Array, g0: Float64Array, lower: Float64Array, upper: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < x0.length; i++) {
    const v = x0[i]! - g0[i]!;
    const p = v < lower[i]! ? lower[i]! : v > upper[i]! ? upper[i]! : v;
    ss += (p - x0[i]!) ** 2;
  }
  const pn = Math.sqrt(ss);
  return pn > 0 && Number.isFinite(pn) ? pn : 1;
}

/**
 * Keeps a cache of solvers built for a given dimension (subproblem solvers and CG work
 * allocate for a fixed size, and the number of free variables changes as bounds become
 * active): the `capacity` most recently used sizes are kept.
 */
export class BySize<T> {
  private readonly made = new Map<number, T>();
  constructor(
    private readonly make: (n: number) => T,
    private readonly capacity = 4,
  ) {}

  get(n: number): T {
    let v = this.made.get(n);
    if (v !== undefined) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.made.delete(n);
      this.made.set(n, v);
      return v;
    }
    v = this.make(n);
    this.made.set(n, v);
    if (this.made.size > this.capacity) this.made.delete(this.made.keys().next().value!);
    return v;
  }
}
