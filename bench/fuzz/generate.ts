/**
 * Random cases for the fuzzer: a variable shape and point structure, a program built from
 * every kind of operation, and the points it is traced and replayed at.
 *
 * Programs are grown node by node. Each candidate node is evaluated by the oracle at every
 * point of the case before it is kept, and kept only where the function is smooth with a
 * margin: arguments of log/sqrt/asin/… inside their domain, piecewise operations (abs,
 * maximum, comparisons, where, a branch on a read value) away from their switch points,
 * matrices well conditioned, eigenvalues apart, values finite and of moderate size. An
 * argument outside a domain is first mapped into it by a smooth function (x² + c,
 * 0.9·tanh x, …); what still fails is dropped. So every case is a valid program with finite
 * derivatives, and finite differences around its points stay on one smooth piece.
 */
import { rng } from '../problems/rng.js';
import { type ConstForm, type Expr, OPS, type Params, topo } from './expr.js';
import * as O from './oracle.js';
import type { Arr, Spec } from './oracle.js';

/** How the point is handed to the drivers. */
export type Structure = 'number' | 'array' | 'f64' | 'nested' | 'nd' | 'ndT' | 'ndNeg' | 'ndOff';

export interface Case {
  readonly seed: number;
  readonly xShape: readonly number[];
  readonly structure: Structure;
  /** The program (any output shape): Jacobians, jvp, vjp, taylor. */
  readonly vec: Expr;
  /** A one-element program: gradients, Hessians, objective. */
  readonly scal: Expr;
  /** Trace point, replay point. */
  readonly points: readonly Arr[];
  /** A direction (shape of x) and a cotangent (shape of vec). */
  readonly v: Arr;
  readonly u: Arr;
}

/** Domain and switch-point margin. */
const MARGIN = 0.05;
/** Largest magnitude of any value of a kept node. */
const BIG = 1e4;
/** Largest element count of any node. */
const MAX_SIZE = 48;

const UNARY = ['neg', 'square', 'sqrt', 'exp', 'log', 'log1p', 'expm1', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin', 'acos', 'atan', 'abs', 'sigmoid', 'softplus', 'erf', 'sign'];
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'atan2', 'maximum', 'minimum', 'gt', 'ge', 'lt', 'le', 'eq', 'ne'];
const COMPARE = ['gt', 'ge', 'lt', 'le'];
const VIEWS = new Set(['reshape', 'flatten', 'transpose', 'broadcastTo', 'slice', 'at']);

/** Per-element domain of each function's (first) argument, with the repair that maps into it. */
const DOMAIN: Record<string, { ok: (v: number) => boolean; repair: string }> = {
  sqrt: { ok: (v) => v >= MARGIN, repair: 'positive' },
  log: { ok: (v) => v >= MARGIN, repair: 'positive' },
  log1p: { ok: (v) => v >= -1 + MARGIN * 4, repair: 'aboveMinusOne' },
  asin: { ok: (v) => Math.abs(v) <= 1 - MARGIN, repair: 'unit' },
  acos: { ok: (v) => Math.abs(v) <= 1 - MARGIN, repair: 'unit' },
  tan: { ok: (v) => Math.abs(v) <= 1.3, repair: 'unit' },
  exp: { ok: (v) => Math.abs(v) <= 6, repair: 'bounded' },
  expm1: { ok: (v) => Math.abs(v) <= 6, repair: 'bounded' },
  sinh: { ok: (v) => Math.abs(v) <= 6, repair: 'bounded' },
  cosh: { ok: (v) => Math.abs(v) <= 6, repair: 'bounded' },
};

export class Generator {
  readonly r: () => number;
  private nextId = 0;
  readonly pool: Expr[] = [];
  /** Oracle values of each node at each point. */
  private readonly vals = new Map<number, Arr[]>();
  readonly x: Expr;
  /** How often an operand is x itself or a view of it. */
  viewBias = 0.25;

  constructor(
    seed: number,
    readonly xShape: readonly number[],
    readonly points: readonly Arr[],
  ) {
    this.r = rng(seed);
    this.x = { id: this.nextId++, op: 'x', args: [], p: {}, shape: xShape };
    this.vals.set(this.x.id, [...points]);
    this.pool.push(this.x);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.r();
  }

  valuesOf(e: Expr): Arr[] {
    return this.vals.get(e.id)!;
  }

  /**
   * A pool node: x itself or a view of it a quarter of the time (programs that read the input
   * in several places, as adjoint accumulation must handle), else recent ones more likely
   * (deeper programs).
   */
  operand(filter: (e: Expr) => boolean = () => true): Expr | null {
    const cands = this.pool.filter(filter);
    if (cands.length === 0) return null;
    if (this.chance(this.viewBias)) {
      const near = cands.filter((e) => e === this.x || (VIEWS.has(e.op) && e.args[0] === this.x));
      if (near.length > 0) return this.pick(near);
    }
    const k = Math.floor(cands.length * (1 - this.r() ** 2));
    return cands[Math.min(k, cands.length - 1)]!;
  }

  constant(shape: readonly number[], lo = -1.5, hi = 1.5, form?: ConstForm, values?: Arr): Expr {
    const value = values ?? O.arr(shape, Array.from({ length: O.size(shape) }, () => Math.round(this.uniform(lo, hi) * 1e3) / 1e3));
    const f: ConstForm = form ?? (shape.length === 0 ? this.pick(['number', 'number', 'tensor']) : shape.length === 1 ? this.pick(['nested', 'f64', 'tensor']) : this.pick(['nested', 'tensor']));
    const e: Expr = { id: this.nextId++, op: 'const', args: [], p: { value, form: f }, shape: [...shape] };
    this.vals.set(e.id, this.points.map(() => value));
    return e;
  }

  /**
   * The node op(args) if the oracle evaluates it at every point, its values are finite and
   * moderate, and its piecewise parts stay `MARGIN` away from their switch points; else null.
   * Kept nodes join the pool.
   */
  node(op: string, args: Expr[], p: Params = {}, keep = true): Expr | null {
    const out: Arr[] = [];
    for (let k = 0; k < this.points.length; k++) {
      const trail = O.newTrail();
      let v: Arr;
      try {
        v = OPS[op]!.oracle(args.map((a) => this.vals.get(a.id)![k]!), p, trail);
      } catch {
        return null;
      }
      if (trail.kinkDistance < MARGIN) return null;
      if (v.data.length > MAX_SIZE || v.data.length === 0) return null;
      for (const y of v.data) if (!(Math.abs(y) <= BIG)) return null;
      if (k > 0 && v.shape.join() !== out[0]!.shape.join()) return null;
      out.push(v);
    }
    if (p.method === undefined && args.length > 0 && args[0]!.op !== 'const' && this.chance(0.3)) p = { ...p, method: true };
    const e: Expr = { id: this.nextId++, op, args, p, shape: out[0]!.shape };
    this.vals.set(e.id, out);
    if (keep) this.pool.push(e);
    return e;
  }

  private everyValue(e: Expr, ok: (v: number) => boolean): boolean {
    return this.vals.get(e.id)!.every((a) => a.data.every(ok));
  }

  /** Maps `a` smoothly into a domain (not added to the pool). */
  private repair(a: Expr, kind: string): Expr | null {
    const c = (v: number) => this.constant([], v, v, 'number');
    switch (kind) {
      case 'positive': {
        const sq = this.node('square', [a], {}, false);
        return sq && this.node('add', [sq, c(this.pick([0.1, 0.3, 1]))], {}, false);
      }
      case 'aboveMinusOne': {
        const s = this.node('sigmoid', [a], {}, false);
        return s && this.node('sub', [s, c(0.5)], {}, false);
      }
      case 'unit': {
        const th = this.node('tanh', [a], {}, false);
        return th && this.node('mul', [th, c(0.9)], {}, false);
      }
      case 'bounded': {
        const th = this.node('tanh', [a], {}, false);
        return th && this.node('mul', [th, c(3)], {}, false);
      }
      case 'nonzero': {
        const sq = this.node('square', [a], {}, false);
        return sq && this.node(this.pick(['add', 'sub']), this.chance(0.5) ? [sq, c(0.3)] : [c(-0.3), sq], {}, false);
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ families

  unary(): Expr | null {
    const op = this.pick(UNARY);
    let a = this.operand();
    if (!a) return null;
    const dom = DOMAIN[op];
    if (dom && !this.everyValue(a, dom.ok)) {
      a = this.repair(a, dom.repair);
      if (!a || !this.everyValue(a, dom.ok)) return null;
    }
    return this.node(op, [a]);
  }

  /** A second operand that broadcasts with `a`: a pool node or a constant. */
  private partner(a: Expr): Expr {
    if (this.chance(0.55)) {
      const b = this.operand((e) => {
        try {
          return O.size(O.broadcastShape(a.shape, e.shape)) <= MAX_SIZE;
        } catch {
          return false;
        }
      });
      if (b) return b;
    }
    const s = a.shape;
    const shape = this.pick([[], [...s], s.slice(this.int(0, s.length)), s.map((d) => (this.chance(0.5) ? 1 : d))]);
    return this.constant(shape);
  }

  binary(): Expr | null {
    const op = this.pick(BINARY);
    const a0 = this.operand();
    if (!a0) return null;
    let a = a0;
    let b = this.partner(a);
    if (this.chance(0.5)) [a, b] = [b, a];
    if (a.op === 'const' && b.op === 'const') return null;
    if (op === 'div' && !this.everyValue(b, (v) => Math.abs(v) >= MARGIN * 2)) {
      const fixed = this.repair(b, 'nonzero');
      if (!fixed) return null;
      b = fixed;
    }
    if (op === 'pow') return this.power(a);
    if (op === 'atan2') {
      const va = this.valuesOf(a);
      const vb = this.valuesOf(b);
      try {
        for (let k = 0; k < va.length; k++) {
          const ok = O.zip([va[k]!, vb[k]!], (y, x) => (x * x + y * y >= 4 * MARGIN * MARGIN && !(x < 0 && Math.abs(y) < MARGIN) ? 1 : 0));
          if (ok.data.some((v) => v === 0)) return null;
        }
      } catch {
        return null;
      }
    }
    return this.node(op, [a, b]);
  }

  /** pow with an integer, a real, or a traced exponent. */
  private power(a0: Expr): Expr | null {
    let a = a0;
    const kind = this.pick(['int', 'int', 'real', 'traced']);
    if (kind === 'int') {
      const c = this.int(0, 4);
      return this.node('pow', [a, this.constant([], c, c, 'number')]);
    }
    if (!this.everyValue(a, (v) => v >= MARGIN)) {
      const fixed = this.repair(a, 'positive');
      if (!fixed) return null;
      a = fixed;
    }
    if (kind === 'real') return this.node('pow', [a, this.constant([], -1.5, 2.5, 'number')]);
    const e = this.operand((x) => x !== a && x.op !== 'const');
    if (!e) return null;
    const th = this.node('tanh', [e], {}, false);
    return th && this.node('pow', [a, th]);
  }

  where(): Expr | null {
    const c1 = this.operand();
    if (!c1) return null;
    const cond = this.node(this.pick(COMPARE), [c1, this.partner(c1)], {}, false);
    if (!cond) return null;
    const a = this.partner(cond);
    const b = this.partner(cond);
    if (a.op === 'const' && b.op === 'const') return null;
    return this.node('where', [cond, a, b]);
  }

  reduction(): Expr | null {
    const a = this.operand((e) => e.shape.length > 0);
    if (!a) return null;
    const op = this.pick(['sum', 'sum', 'mean', 'prod']);
    const nd = a.shape.length;
    const p: Params = {};
    if (this.chance(0.6)) {
      const axes = Array.from({ length: nd }, (_, i) => i).filter(() => this.chance(0.5));
      if (axes.length === 0) axes.push(this.int(0, nd - 1));
      const written = axes.map((ax) => (this.chance(0.3) ? ax - nd : ax));
      p.axis = written.length === 1 && this.chance(0.5) ? written[0] : written;
    }
    if (this.chance(0.3)) p.keepdims = true;
    if (op === 'prod' && O.size(a.shape) > 8) return null;
    return this.node(op, [a], p);
  }

  view(): Expr | null {
    const a = this.operand();
    if (!a) return null;
    const kind = this.pick(['reshape', 'reshape', 'flatten', 'transpose', 'broadcastTo', 'slice', 'slice', 'at']);
    const n = O.size(a.shape);
    switch (kind) {
      case 'reshape': {
        const to = this.factor(n);
        if (this.chance(0.25) && to.length > 0) to[this.int(0, to.length - 1)] = -1;
        return this.node('reshape', [a], { to });
      }
      case 'flatten':
        return this.node('flatten', [a]);
      case 'transpose': {
        if (a.shape.length < 2) return null;
        if (this.chance(0.4)) return this.node('transpose', [a]);
        const perm = a.shape.map((_, i) => i).sort(() => this.r() - 0.5);
        return this.node('transpose', [a], { perm });
      }
      case 'broadcastTo': {
        const to = [...a.shape].map((d) => (d === 1 && this.chance(0.5) ? this.int(2, 3) : d));
        if (this.chance(0.5)) to.unshift(this.int(1, 3));
        if (O.size(to) > MAX_SIZE) return null;
        return this.node('broadcastTo', [a], { to });
      }
      case 'slice': {
        if (a.shape.length === 0) return null;
        const specs: Spec[] = a.shape.map((d) => this.sliceSpec(d));
        while (specs.length > 0 && this.chance(0.3)) specs.pop();
        return this.node('slice', [a], { specs });
      }
      case 'at': {
        if (a.shape.length === 0) return null;
        const k = this.int(1, a.shape.length);
        const idx = a.shape.slice(0, k).map((d) => (this.chance(0.3) ? this.int(-d, -1) : this.int(0, d - 1)));
        return this.node('at', [a], { idx });
      }
    }
    return null;
  }

  /** A slice spec for an axis of length d: an index, null, or [start, stop, step] (steps may be negative). */
  private sliceSpec(d: number): Spec {
    const r = this.r();
    if (r < 0.15) return null;
    if (r < 0.3) return this.int(-d, d - 1);
    const step = this.pick([1, 1, 2, -1, -2, null]);
    const bound = () => (this.chance(0.3) ? null : this.int(-d - 1, d + 1));
    const start = bound();
    const stop = bound();
    // keep the slice non-empty
    const st = step ?? 1;
    const idx = [];
    const norm = (v: number | null, dflt: number) => (v === null ? dflt : Math.min(Math.max(v < 0 ? v + d : v, st > 0 ? 0 : -1), st > 0 ? d : d - 1));
    for (let i = norm(start, st > 0 ? 0 : d - 1); st > 0 ? i < norm(stop, d) : i > norm(stop, -1); i += st) idx.push(i);
    if (idx.length === 0) return [null, null, step];
    return [start, stop, step];
  }

  /** A random shape with n elements. */
  factor(n: number): number[] {
    const out: number[] = [];
    let rest = n;
    while (rest > 1 && out.length < 3) {
      const divs = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0 && d > 1);
      const d = this.chance(0.3) ? rest : this.pick(divs);
      out.push(d);
      rest /= d;
    }
    if (this.chance(0.3)) out.splice(this.int(0, out.length), 0, 1);
    return out;
  }

  join(): Expr | null {
    const a = this.operand((e) => e.shape.length > 0);
    if (!a) return null;
    const kind = this.pick(['concatenate', 'stack', 'set']);
    const same = (e: Expr) => e.shape.join() === a.shape.join();
    const other = () => (this.chance(0.5) ? this.operand(same) : null) ?? this.constant(a.shape);
    if (kind === 'stack') {
      const list = [a, other()];
      if (this.chance(0.3)) list.push(other());
      const axis = this.chance(0.5) ? undefined : this.int(-a.shape.length - 1, a.shape.length);
      return this.node('stack', list, axis === undefined ? {} : { axis });
    }
    if (kind === 'concatenate') {
      const nd = a.shape.length;
      const ax = this.int(0, nd - 1);
      const b = this.operand((e) => e.shape.length === nd && e.shape.every((d, i) => i === ax || d === a.shape[i])) ?? this.constant(a.shape.map((d, i) => (i === ax ? this.int(1, 2) : d)));
      const axis = ax === 0 && this.chance(0.5) ? undefined : this.chance(0.3) ? ax - nd : ax;
      return this.node('concatenate', this.chance(0.5) ? [a, b] : [b, a], axis === undefined ? {} : { axis });
    }
    const specs: Spec[] = a.shape.map((d) => this.sliceSpec(d));
    let part: Arr;
    try {
      part = O.index(this.valuesOf(a)[0]!, specs).out;
    } catch {
      return null;
    }
    const vShape = this.chance(0.3) ? [] : this.chance(0.2) ? [1, ...part.shape] : part.shape;
    const v = this.chance(0.5) ? this.operand((e) => e.shape.join() === vShape.join()) ?? this.constant(vShape) : this.constant(vShape);
    return this.node('set', [a, v], { specs });
  }

  product(): Expr | null {
    const a = this.operand((e) => e.shape.length > 0);
    if (!a) return null;
    const kind = this.pick(['dot', 'dot', 'matmul', 'outer']);
    const k = a.shape[a.shape.length - 1]!;
    if (kind === 'outer') return this.node('outer', [a, this.partnerOfShape([this.int(1, 4)])]);
    // the second factor: [k], [k, n], or (matmul) batched [b, k, n]
    const n = this.int(1, 3);
    const shapes: number[][] = [[k], [k, n]];
    if (kind === 'matmul' && a.shape.length >= 2) shapes.push([...a.shape.slice(0, -2).map((d) => (this.chance(0.3) ? 1 : d)), k, n]);
    if (kind === 'dot' && a.shape.length >= 1) shapes.push([this.int(1, 2), k, n]);
    const b = this.partnerOfShape(this.pick(shapes));
    return this.chance(0.2) && kind === 'dot' && b.shape.length === 1 && a.shape.length === 1 ? this.node(kind, [b, a]) : this.node(kind, [a, b]);
  }

  private partnerOfShape(shape: number[]): Expr {
    return (this.chance(0.5) ? this.operand((e) => e.shape.join() === shape.join()) : null) ?? this.constant(shape);
  }

  /** A k×k matrix made from pool values: a view of them, scaled, plus a constant. */
  private matrix(k: number, m = k, dominant = true): Expr | null {
    const src = this.operand((e) => O.size(e.shape) >= k * m && e.op !== 'const');
    if (!src) return null;
    let flat = src.shape.length === 1 ? src : this.node('flatten', [src], {}, false);
    if (!flat) return null;
    if (O.size(src.shape) > k * m) flat = this.node('slice', [flat], { specs: [[0, k * m, null]] }, false);
    if (!flat) return null;
    const M0 = this.node('reshape', [flat], { to: [k, m] }, false);
    // bounded by 1, scaled, plus a constant with a large diagonal: well conditioned
    const bounded = M0 && this.node(this.pick(['tanh', 'sin']), [M0], {}, false);
    if (!bounded) return null;
    const scaled = this.node('mul', [bounded, this.constant([], -0.5, 0.5, 'number')], {}, false);
    if (!scaled) return null;
    const C = O.arr([k, m]);
    for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) C.data[i * m + j] = i === j ? this.pick([-1, 1]) * this.uniform(2.5, 4) : this.uniform(-0.4, 0.4);
    const Cc = this.constant([k, m], 0, 0, undefined, C);
    const M = this.node('add', [scaled, Cc], {}, false);
    if (!M || !dominant) return M;
    // well conditioned: strictly diagonally dominant with a margin, at every point
    const okAll = this.valuesOf(M).every((A) => {
      for (let i = 0; i < k; i++) {
        let off = 0;
        for (let j = 0; j < k; j++) if (j !== i) off += Math.abs(A.data[i * k + j]!);
        if (Math.abs(A.data[i * k + i]!) < 1.2 * off + 0.3) return false;
      }
      return true;
    });
    return okAll ? M : null;
  }

  /** A symmetric positive definite k×k matrix M·Mᵀ + c·I. */
  private spd(k: number): Expr | null {
    const M = this.matrix(k, k, false);
    if (!M) return null;
    const MT = this.node('transpose', [M], {}, false);
    const MM = MT && this.node('matmul', [M, MT], {}, false);
    const I = this.node('mul', [this.eye(k), this.constant([], 0.5, 2, 'number')], {}, false);
    return MM && I && this.node('add', [MM, I], {}, false);
  }

  private eye(n: number): Expr {
    const e: Expr = { id: this.nextId++, op: 'eye', args: [], p: { n }, shape: [n, n] };
    this.vals.set(e.id, this.points.map(() => O.eye(n)));
    return e;
  }

  linalg(): Expr | null {
    const k = this.int(1, 3);
    const kind = this.pick(['solve', 'solve', 'solveTriangular', 'inv', 'det', 'logabsdet', 'cholesky', 'qr', 'eigh', 'eigvalsh', 'trace', 'norm', 'diag', 'band']);
    switch (kind) {
      case 'solve':
      case 'solveTriangular': {
        const A = this.matrix(k);
        if (!A) return null;
        const b = this.partnerOfShape(this.chance(0.5) ? [k] : [k, this.int(1, 2)]);
        const p = kind === 'solve' ? {} : { lower: this.chance(0.5), trans: this.chance(0.3) };
        return this.node(kind, [A, b], p);
      }
      case 'inv':
      case 'det':
      case 'logabsdet': {
        const A = this.matrix(k);
        return A && this.node(kind, [A]);
      }
      case 'cholesky': {
        const S = this.spd(k);
        return S && this.node('cholesky', [S]);
      }
      case 'qr': {
        const m = k + this.int(0, 2);
        const A = this.matrix(m, k, false);
        if (!A) return null;
        // full column rank with a margin: R's diagonal away from 0 everywhere
        const okAll = this.valuesOf(A).every((v) => {
          const R = O.qr(v).R;
          for (let i = 0; i < k; i++) if (R.data[i * k + i]! < 0.3) return false;
          return true;
        });
        return okAll ? this.node(this.pick(['qrQ', 'qrR']), [A]) : null;
      }
      case 'eigh':
      case 'eigvalsh': {
        const S = this.spd(k);
        if (!S) return null;
        const apart = this.valuesOf(S).every((v) => {
          const l = O.eigh(v).values.data;
          for (let i = 1; i < l.length; i++) if (l[i]! - l[i - 1]! < 0.1) return false;
          return true;
        });
        if (!apart) return null;
        return this.node(kind === 'eigvalsh' ? 'eigvalsh' : this.pick(['eighValues', 'eighVectors']), [S]);
      }
      case 'trace': {
        const A = this.operand((e) => e.shape.length === 2);
        return A && this.node('trace', [A]);
      }
      case 'norm': {
        const a = this.operand((e) => e.op !== 'const');
        if (!a || !this.valuesOf(a).every((v) => O.norm(v) >= 0.2)) return null;
        return this.node('norm', [a]);
      }
      case 'diag': {
        const a = this.operand((e) => e.shape.length === 1 || e.shape.length === 2);
        if (!a) return null;
        const kk = this.pick([0, 0, 1, -1]);
        return this.node('diag', [a], kk ? { k: kk } : {});
      }
      case 'band': {
        const a = this.operand((e) => e.shape.length === 2);
        if (!a) return null;
        const kk = this.pick([0, 0, 1, -1]);
        return this.node(this.pick(['triu', 'tril']), [a], kk ? { k: kk } : {});
      }
    }
    return null;
  }

  /** A branch on a read value: the function is traced again at every call. */
  branch(): Expr | null {
    const c0 = this.operand((e) => e.op !== 'const');
    if (!c0) return null;
    const c = O.size(c0.shape) === 1 ? c0 : this.node('sum', [c0], {}, false);
    if (!c) return null;
    // both sides tensors (a constant as t.tensor): the result is used like any tensor
    const a = this.operand((e) => e.op !== 'const');
    if (!a) return null;
    const b = this.operand((e) => e.shape.join() === a.shape.join() && e !== a && e.op !== 'const') ?? this.constant(a.shape, -1.5, 1.5, 'tensor');
    return this.node('branch', [c, a, b]);
  }
}

/** Family weights: elementwise math dominates, every family appears. */
const FAMILIES: [keyof Generator & string, number][] = [
  ['unary', 26],
  ['binary', 24],
  ['where', 4],
  ['reduction', 9],
  ['view', 16],
  ['join', 6],
  ['product', 6],
  ['linalg', 10],
  ['branch', 1.5],
];

/**
 * The 'views' profile: programs mostly of views of x combined elementwise with broadcasting,
 * where the adjoint accumulates many region contributions of different ranks into x.
 */
const VIEW_FAMILIES: [keyof Generator & string, number][] = [
  ['unary', 12],
  ['binary', 30],
  ['reduction', 12],
  ['view', 40],
  ['join', 6],
];

function pickFamily(g: Generator, families: [keyof Generator & string, number][]): string {
  const total = families.reduce((s, [, w]) => s + w, 0);
  let r = g.r() * total;
  for (const [name, w] of families) {
    r -= w;
    if (r < 0) return name;
  }
  return 'unary';
}

function randomShape(g: Generator): number[] {
  const r = g.r();
  if (r < 0.15) return [];
  if (r < 0.55) return [g.int(1, 6)];
  if (r < 0.9) return [g.int(1, 4), g.int(1, 4)];
  return [g.int(1, 3), g.int(1, 3), g.int(1, 3)];
}

function structureFor(g: Generator, shape: readonly number[]): Structure {
  if (shape.length === 0) return 'number';
  if (shape.length === 1) return g.pick(['array', 'f64', 'f64', 'nd']);
  return g.pick(['nested', 'nested', 'nd', 'ndT', 'ndNeg', 'ndOff']);
}

function randomPoint(g: Generator, shape: readonly number[], zeros: boolean): Arr {
  const a = O.arr(shape, Array.from({ length: O.size(shape) }, () => g.uniform(-1.2, 1.2)));
  if (zeros) for (let i = 0; i < a.data.length; i++) if (g.chance(0.3)) a.data[i] = 0;
  return a;
}

/**
 * One random case for `seed`: grows a program of 1–12 operations (sometimes just a view of
 * x, so that outputs alias the input), then picks the outputs, a direction and a cotangent.
 */
export function generateCase(seed: number): Case {
  const pre = new Generator(seed, [], []);
  const xShape = randomShape(pre);
  const structure = structureFor(pre, xShape);
  const points = [randomPoint(pre, xShape, false), randomPoint(pre, xShape, pre.chance(0.15))];
  const g = new Generator(seed + 1_000_003, xShape, points);
  const aliasing = g.chance(0.08);
  const views = !aliasing && g.chance(0.3);
  if (views) g.viewBias = 0.6;
  const steps = aliasing ? g.int(0, 3) : g.int(1, 12);
  let made = 0;
  for (let attempt = 0; made < steps && attempt < steps * 12; attempt++) {
    const fam = aliasing ? 'view' : pickFamily(g, views ? VIEW_FAMILIES : FAMILIES);
    const e = (g[fam as keyof Generator] as () => Expr | null).call(g);
    if (e) made++;
  }
  const vec = g.pool[g.pool.length - 1]!;
  let scal: Expr | null = null as Expr | null;
  if (O.size(vec.shape) === 1 && g.chance(0.6)) scal = vec;
  for (let k = 0; !scal && k < 5; k++) {
    const kind = g.pick(['weighted', 'weighted', 'sum', 'dot']);
    if (kind === 'sum') scal = g.node('sum', [vec], {}, false);
    else if (kind === 'dot') {
      const f = g.node('flatten', [vec], {}, false);
      scal = f && g.node('dot', [f, g.constant([O.size(vec.shape)])], {}, false);
    } else {
      const w = g.node('mul', [vec, g.constant(vec.shape)], {}, false);
      scal = w && g.node('sum', [w], {}, false);
    }
  }
  // the scalar program also reads (weighted sums of) up to 3 pool nodes the vector program does not use
  if (scal && scal !== vec) {
    const live = new Set(topo(vec).map((e) => e.id));
    const dead = g.pool.filter((e) => !live.has(e.id) && e.op !== 'x').slice(-3);
    for (const e of dead) {
      const w = g.node('mul', [e, g.constant(e.shape)], {}, false);
      const s = w && g.node('sum', [w], {}, false);
      const next: Expr | null = s && g.node('add', [scal, s], {}, false);
      if (next) scal = next;
    }
  }
  const v = O.arr(xShape, Array.from({ length: O.size(xShape) }, () => g.uniform(-1, 1)));
  const u = O.arr(vec.shape, Array.from({ length: O.size(vec.shape) }, () => g.uniform(-1, 1)));
  return { seed, xShape, structure, vec, scal: scal ?? vec, points, v, u };
}
