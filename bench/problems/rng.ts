/** Deterministic data for test problems and benchmarks: a seeded PRNG and samplers. */

import { rng } from '../../src/random.js';

/** Mulberry32 (src/random.ts): a small deterministic PRNG returning floats in [0, 1). */
export { rng };

/** n uniform floats in [lo, hi). */
export function uniform(r: () => number, n: number, lo = -1, hi = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * r();
  return v;
}

/** A generator of standard normal deviates (Box–Muller, both halves used) over `uniform`. */
export function normals(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** n standard normal samples. */
export function normal(r: () => number, n: number): Float64Array {
  const g = normals(r);
  return Float64Array.from({ length: n }, g);
}

/** Rows of a row-major m×n buffer. */
export function toRows(v: Float64Array, m: number, n: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from(v.subarray(i * n, (i + 1) * n)));
}
