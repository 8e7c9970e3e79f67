/**
 * Per-driver reading of points without per-call allocation. A driver closure
 * (`t.grad(f)`) is usually called many times with points of one shape; a PointReader keeps
 * the flat copy of the point and the scratch result between calls, so a call allocates
 * only what it hands to the caller. Every result the caller gets owns its memory (a fresh
 * Float64Array or fresh arrays): nothing shared that a transfer or a later call could change.
 */
import { isNdArray } from '../trace/tensor.js';
import { type Point, readPoint } from './convert.js';

export class PointReader {
  /** Flat values of the last point (valid until the next read). */
  private values = new Float64Array(0);
  /** Scratch for results that are copied out anyway (numbers, nested arrays). */
  private scratch = new Float64Array(0);
  /** The last shape: reused (never mutated) while points keep that shape. */
  private shape: number[] = [];

  /**
   * The point x; its values may be this reader's buffer, valid until the next read, or the
   * caller's own Float64Array (never written). Plain vectors, rectangular number[][] and 2-d
   * ndarrays are read directly; anything else (and any malformed input, for the error
   * message) goes through readPoint.
   */
  read(x: unknown, what: string): Point {
    if (x instanceof Float64Array) return { shape: this.shapeOf(1, x.length, 0), values: x, kind: 'vector' };
    if (Array.isArray(x)) {
      const p = this.readArray(x);
      if (p) return p;
    } else if (isNdArray(x) && x.shape.length === 2) {
      const [m, n] = x.shape as [number, number];
      const [s0, s1] = x.stride as [number, number];
      const d = x.data;
      // a row-major ndarray over a whole Float64Array is its flat values: used as is (never written)
      if (d instanceof Float64Array && x.offset === 0 && s1 === 1 && s0 === n && d.length === m * n) {
        return { shape: this.shapeOf(2, m, n), values: d, kind: 'ndarray' };
      }
      const v = this.buffer(m * n);
      let k = 0;
      for (let i = 0; i < m; i++) {
        const row = x.offset + i * s0;
        for (let j = 0; j < n; j++) v[k++] = d[row + j * s1]!;
      }
      return { shape: this.shapeOf(2, m, n), values: v, kind: 'ndarray' };
    }
    return readPoint(x, what);
  }

  /**
   * A buffer of n for a result shaped like p: a fresh one when it is handed over as is
   * (Float64Array and ndarray points), else this reader's scratch (copied out by shapeLike).
   */
  result(p: Point, n: number): Float64Array {
    if (p.kind === 'vector' || p.kind === 'ndarray') return new Float64Array(n);
    if (this.scratch.length !== n) this.scratch = new Float64Array(n);
    return this.scratch;
  }

  private buffer(n: number): Float64Array {
    if (this.values.length !== n) this.values = new Float64Array(n);
    return this.values;
  }

  private shapeOf(dims: 1 | 2, m: number, n: number): number[] {
    const s = this.shape;
    if (s.length === dims && s[0] === m && (dims === 1 || s[1] === n)) return s;
    return (this.shape = dims === 1 ? [m] : [m, n]);
  }

  /** number[] and rectangular number[][]; null for anything else. */
  private readArray(x: readonly unknown[]): Point | null {
    const m = x.length;
    if (m === 0) return null;
    const first = x[0];
    if (typeof first === 'number') {
      const v = this.buffer(m);
      for (let i = 0; i < m; i++) {
        const a = x[i];
        if (typeof a !== 'number') return null;
        v[i] = a;
      }
      return { shape: this.shapeOf(1, m, 0), values: v, kind: 'vector' };
    }
    if (!Array.isArray(first) || first.length === 0 || typeof first[0] !== 'number') return null;
    const n = first.length;
    const v = this.buffer(m * n);
    let k = 0;
    for (let i = 0; i < m; i++) {
      const row = x[i] as unknown;
      if (!Array.isArray(row) || row.length !== n) return null;
      for (let j = 0; j < n; j++) {
        const a = row[j] as unknown;
        if (typeof a !== 'number') return null;
        v[k++] = a;
      }
    }
    return { shape: this.shapeOf(2, m, n), values: v, kind: 'nested' };
  }
}
