/** Test helpers: a seeded PRNG, finite differences, relative comparisons. */

export { rng, uniform, normal } from '../bench/problems/rng.js';

/** max |a−b| / max(scale, max|b|): a relative error over the whole array. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = floor;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  if (Number.isNaN(num)) return Infinity;
  return num / den;
}

/** Central-difference gradient of a flat function, with step h·max(1,|x_i|). */
export function fdGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const xp = x.slice();
  for (let i = 0; i < x.length; i++) {
    const hi = h * Math.max(1, Math.abs(x[i]!));
    xp[i] = x[i]! + hi;
    const fp = f(xp);
    xp[i] = x[i]! - hi;
    const fm = f(xp);
    xp[i] = x[i]!;
    g[i] = (fp - fm) / (2 * hi);
  }
  return g;
}

/** Flatten number[][] rows. */
export function flat(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flat());
}
