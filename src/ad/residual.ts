/**
 * Residual vectors and their Jacobians for least squares, on flat Float64Arrays, from one
 * traced graph:
 *  - the Jacobian with r itself comes from ONE compiled replay: forward mode at D = 2 with
 *    P = n directions (the identity; degree 0 is r, the degree-1 block of direction p is
 *    column p of J) when n ≤ m, else reverse mode — the vjp program swept with P = m
 *    cotangent directions e_i (the degree-1 block of the adjoint in direction i is row i of J)
 *    with r from the same replay;
 *  - trial points get a value-only (D = 1) replay that reads x and writes r in place.
 * Replays write into the caller's buffers; no call allocates (beyond the first, which traces
 * and compiles). A residual function that reads a traced value is traced again at every call
 * and evaluated by the reference interpreter, like every other driver does.
 */
import { TayoptError } from '../errors.js';
import type { Replay } from '../trace/compile/index.js';
import { type PointLike, readPoint } from './convert.js';
import { type Program, type TensorFunction, block, directionBlock, evaluate, program } from './program.js';

/** Residuals r(x) (m entries) and their Jacobian on flat vectors (x row-major in x0's shape). */
export interface FlatResiduals {
  /** Number of variables. */
  readonly n: number;
  /** Number of residuals (elements of r(x)). */
  readonly m: number;
  /** Shape of the variable (x0's shape). */
  readonly shape: readonly number[];
  /** Shape of r(x) as the function returns it. */
  readonly outShape: readonly number[];
  /** How the Jacobian is computed: n forward directions (n ≤ m) or m reverse sweeps in one replay. */
  readonly mode: 'forward' | 'reverse';
  /** Writes r(x) into `r` (length m). */
  residuals(x: Float64Array, r: Float64Array): void;
  /** Writes r(x) into `r` and J(x) row-major (m×n, J[i·n + j] = ∂rᵢ/∂xⱼ) into `J`. */
  jacobian(x: Float64Array, r: Float64Array, J: Float64Array): void;
}

/**
 * Wraps a residual function for the least-squares solvers. `name` prefixes messages.
 * Throws a TayoptError when r(x0) is a single number (a residual function returns the
 * residuals, not their sum of squares) or has no elements.
 */
export function residualFunctions(name: string, f: TensorFunction, x0: PointLike, options: { mode?: 'forward' | 'reverse' } = {}): FlatResiduals {
  if (typeof f !== 'function') throw new TayoptError(`${name}: the residual function must be a function, got ${f === null ? 'null' : typeof f}`);
  const p0 = readPoint(x0, `${name}: x0`);
  const shape = p0.shape;
  const n = p0.values.length;
  const first = program(name, 'value', f, shape, p0.values).prog;
  const outShape = first.y.shape;
  const m = first.y.size;
  if (outShape.length === 0)
    throw new TayoptError(
      `${name}: the residual function must return a vector (one entry per observation), got a single number; return the residuals r, not their sum of squares`,
    );
  if (m === 0) throw new TayoptError(`${name}: the residual function returned an empty array`);
  const mode = options.mode ?? (n <= m ? 'forward' : 'reverse');

  // A replayable program is kept for the wrapper's lifetime (no cache lookup per call: for
  // small fits that lookup costs as much as the replay); make a new wrapper after clearCache(f).
  const kept: { value: Program | null; vjp: Program | null } = { value: first.replayable ? first : null, vjp: null };
  const lookup = (kind: 'value' | 'vjp', x: Float64Array): { prog: Program; fresh: boolean } => {
    const k = kept[kind];
    if (k) return { prog: k, fresh: false };
    const got = program(name, kind, f, shape, x);
    if (got.prog.replayable) kept[kind] = got.prog;
    return got;
  };

  const check = (x: Float64Array, r: Float64Array): void => {
    if (x.length !== n) throw new TayoptError(`${name}: x has ${x.length} elements, expected ${n}`);
    if (r.length !== m) throw new TayoptError(`${name}: the residual buffer has ${r.length} elements, expected ${m}`);
  };

  // Compiled replays, made on first use, for the program they were compiled from (a clearCache
  // makes a new program, and with it new replays).
  let valueReplay: { prog: Program; r: Replay } | null = null;
  let jacReplay: { prog: Program; r: Replay; B: number; ky: number; ka: number } | null = null;

  const residuals = (x: Float64Array, r: Float64Array): void => {
    check(x, r);
    const { prog, fresh } = lookup('value', x);
    if (!prog.traced(prog.y)) return void r.set(prog.y._v);
    if (fresh || !prog.replayable) return void r.set(fresh ? prog.y._v : evaluate(prog, [prog.y], 1, 1, { x })[0]!.data.subarray(0, m));
    if (valueReplay?.prog !== prog) valueReplay = { prog, r: prog.replay([prog.y], 1, 1) };
    const rep = valueReplay.r;
    rep.bindInput(0, x);
    const bound = rep.bindOutput(0, r);
    rep.run();
    if (!bound) r.set(rep.outputs[0]!.data.subarray(0, m));
    rep.unbind();
  };

  const forward = (prog: Program, x: Float64Array, r: Float64Array, J: Float64Array): void => {
    if (!prog.replayable) {
      const [y] = evaluate(prog, [prog.y], 2, n, { x, xDir: (p, d) => (d[p] = 1) });
      r.set(y!.data.subarray(0, m));
      for (let p = 0; p < n; p++) {
        const col = block(y!, 1, p);
        for (let i = 0; i < m; i++) J[i * n + p] = col[i]!;
      }
      return;
    }
    if (jacReplay?.prog !== prog) {
      const B = directionBlock(prog, 2, n);
      jacReplay = { prog, r: prog.replay([prog.y], 2, B), B, ky: 0, ka: -1 };
    }
    const { r: rep, B } = jacReplay;
    const xin = rep.inputs[0]!.data;
    for (let p0 = 0; p0 < n; p0 += B) {
      const pc = Math.min(B, n - p0);
      xin.set(x);
      xin.fill(0, n);
      for (let p = 0; p < pc; p++) xin[(1 + p) * n + p0 + p] = 1;
      rep.run();
      const y = rep.outputs[0]!;
      if (p0 === 0) r.set(y.data.subarray(0, m));
      if (y.D < 2) {
        for (let i = 0; i < m; i++) for (let p = 0; p < pc; p++) J[i * n + p0 + p] = 0;
        continue;
      }
      const d = y.data;
      for (let p = 0; p < pc; p++) {
        const off = (1 + p) * m;
        for (let i = 0; i < m; i++) J[i * n + p0 + p] = d[off + i]!;
      }
    }
  };

  const reverse = (x: Float64Array, r: Float64Array, J: Float64Array): void => {
    const { prog } = lookup('vjp', x);
    const adj = prog.adjoint!;
    if (!prog.traced(adj)) J.fill(0);
    if (!prog.replayable) {
      const zero = new Float64Array(m);
      const [y, a] = evaluate(prog, [prog.y, adj], 2, m, { x, seed: zero, seedDir: (p, d) => (d[p] = 1) });
      r.set(y!.data.subarray(0, m));
      if (prog.traced(adj)) for (let p = 0; p < m; p++) J.set(block(a!, 1, p), p * n);
      return;
    }
    if (!prog.traced(adj)) return void residuals(x, r);
    if (jacReplay?.prog !== prog) {
      const B = directionBlock(prog, 2, m);
      const outs = [prog.y, adj].filter((o) => prog.traced(o));
      jacReplay = { prog, r: prog.replay(outs, 2, B, { seedConstant: false }), B, ky: outs.indexOf(prog.y), ka: outs.indexOf(adj) };
    }
    const { r: rep, B, ky, ka } = jacReplay;
    const xin = rep.inputs[0]!.data;
    const sin = rep.inputs[1]!.data;
    for (let p0 = 0; p0 < m; p0 += B) {
      const pc = Math.min(B, m - p0);
      xin.set(x);
      xin.fill(0, n);
      sin.fill(0);
      for (let p = 0; p < pc; p++) sin[(1 + p) * m + p0 + p] = 1;
      rep.run();
      if (p0 === 0) {
        if (ky >= 0) r.set(rep.outputs[ky]!.data.subarray(0, m));
        else r.set(prog.y._v);
      }
      const a = rep.outputs[ka]!;
      for (let p = 0; p < pc; p++) {
        if (a.D < 2) J.fill(0, (p0 + p) * n, (p0 + p + 1) * n);
        else J.set(a.data.subarray((1 + p) * n, (2 + p) * n), (p0 + p) * n);
      }
    }
  };

  return {
    n,
    m,
    shape,
    outShape,
    mode,
    residuals,
    jacobian(x, r, J) {
      check(x, r);
      if (J.length !== m * n) throw new TayoptError(`${name}: the Jacobian buffer has ${J.length} elements, expected ${m * n}`);
      if (mode === 'reverse') return reverse(x, r, J);
      const { prog } = lookup('value', x);
      if (!prog.traced(prog.y)) {
        r.set(prog.y._v);
        J.fill(0);
        return;
      }
      forward(prog, x, r, J);
    },
  };
}
