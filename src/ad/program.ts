/**
 * Traced programs and their compiled replays, cached per function and input shape.
 *
 * The first call of a driver for a function and an input shape traces the function (and,
 * for derivatives, its reverse sweep) at that point; the result of that call comes from the
 * trace's own values. The graph is kept, and every later call replays code compiled for it
 * at the (D, P) the driver needs. Two exceptions keep replays honest:
 * - a function that read a traced value (`x.item()`, `x > 0`, …) is traced again at every
 *   call — its graph may hold only for the branch it took;
 * - values the function closes over are captured when it is first traced. Call
 *   `clearCache(f)` after changing them (or `clearCache()` for all functions).
 */
import { TayoptError } from '../errors.js';
import { type Replay, compile } from '../trace/compile/index.js';
import { interpret } from '../trace/interpret.js';
import { Tape, Tensor } from '../trace/tensor.js';
import { UTPM, fmtShape, sameShape, sizeOf } from '../utpm/utpm.js';
import { backward } from './reverse.js';

/** A function written with tayopt operations. */
export type TensorFunction = (x: Tensor) => Tensor;

export type ProgramKind = 'value' | 'grad' | 'vjp';

/**
 * A traced graph with its inputs (x first; then the seed for 'grad' and the cotangent for
 * 'vjp') and outputs (y, then the adjoint of x for 'grad' and 'vjp').
 */
export class Program {
  readonly replays = new Map<string, Replay>();
  /** The D = 1 replay of (value, gradient) with output positions (−1: a constant output). */
  gradReplay: { r: Replay; ky: number; ka: number } | null = null;
  /** The D = 2, P = 1 replay of the adjoint (Hessian-vector products). */
  hvpReplay: Replay | null = null;
  constructor(
    readonly kind: ProgramKind,
    readonly tape: Tape,
    readonly x: Tensor,
    readonly y: Tensor,
    /** Adjoint of x ('grad', 'vjp'), else null. */
    readonly adjoint: Tensor | null,
    /** The seed (grad) or cotangent (vjp) input, else null. */
    readonly seed: Tensor | null,
  ) {}

  /** Whether the tape may be replayed at other points. */
  get replayable(): boolean {
    return !this.tape.readsValue;
  }

  /** Ids of the graph inputs in replay order. */
  get inputIds(): number[] {
    return this.seed ? [this.x._id, this.seed._id] : [this.x._id];
  }

  /** Whether output `t` depends on an input at all (otherwise it is a constant). */
  traced(t: Tensor): boolean {
    return t._tape === this.tape;
  }

  /** Compiles the (value, adjoint) replay at D = 1 if the program is replayable and traced. */
  prepareGradReplay(): void {
    if (this.gradReplay || !this.replayable || !this.adjoint) return;
    const outs = [this.y, this.adjoint].filter((o) => this.traced(o));
    if (outs.length === 0) return;
    this.gradReplay = { r: this.replay(outs, 1, 1), ky: outs.indexOf(this.y), ka: outs.indexOf(this.adjoint) };
  }

  /**
   * The compiled replay of `outputs` at (D, P), compiled on first request. With
   * `seedConstant` (default) the seed of a gradient program is the constant 1 (no Taylor
   * directions) and is compiled in as such; a vjp program's cotangent always stays an input.
   * With `xConstant` the point carries no Taylor directions (reverse-mode Jacobians).
   */
  replay(outputs: readonly Tensor[], D: number, P: number, flags: { seedConstant?: boolean; xConstant?: boolean } = {}): Replay {
    const fixSeed = (flags.seedConstant ?? true) && this.kind === 'grad' && this.seed !== null;
    const xConstant = D > 1 && (flags.xConstant ?? false);
    const key = `${D}|${P}|${fixSeed ? 1 : 0}|${xConstant ? 1 : 0}|${outputs.map((o) => o._id).join(',')}`;
    let r = this.replays.get(key);
    if (!r) {
      r = compile(this.tape.nodes, this.inputIds, outputs.map((o) => o._id), D, P, {
        fixed: new Map<number, Float64Array>(fixSeed ? [[this.seed!._id, Float64Array.of(1)]] : []),
        constant: new Set(xConstant ? [this.x._id] : []),
      });
      this.replays.set(key, r);
    }
    return r;
  }

  /** Evaluates `outputs` with the reference interpreter (inputs given as UTPM values). */
  interpret(outputs: readonly Tensor[], inputs: readonly UTPM[], D: number, P: number): UTPM[] {
    const ids = this.inputIds;
    return interpret(this.tape.nodes, outputs.map((o) => o._id), new Map(ids.map((id, k) => [id, inputs[k]!])), D, P);
  }
}

/** Programs of one function by `kind:shape`, and the last one used (checked first: drivers are called again and again at one shape). */
interface CacheEntry {
  readonly byKey: Map<string, Program>;
  last: Program | null;
}

let CACHE = new WeakMap<object, CacheEntry>();

/** Forgets the traced graphs of `f` (or of every function): the next call traces again. */
export function clearCache(f?: TensorFunction): void {
  if (f) CACHE.delete(f);
  else CACHE = new WeakMap();
}

function describe(v: unknown): string {
  if (typeof v === 'number') return `the plain number ${v}`;
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : typeof v;
}

// a number usually means a plain JS function (x[0] on a Tensor is undefined, so NaN)
const PLAIN_HINT =
  '; or, for a plain JS function (x: Float64Array) => number, give minimize its gradient: minimize(f, x0, { grad: (x, out) => { out[0] = …; } })';

/** Records f at a point on a fresh tape: x → y (and the reverse sweep for 'grad' / 'vjp'). */
export function traceProgram(name: string, kind: ProgramKind, f: TensorFunction, shape: readonly number[], values: Float64Array): Program {
  const tape = new Tape();
  const x = tape.input(shape, values);
  const y = f(x) as unknown;
  if (!(y instanceof Tensor)) {
    throw new TayoptError(
      `${name}: the function returned ${describe(y)}, not a tayopt Tensor — compute the result from the argument with tayopt operations (t.sum, t.mul, …)${typeof y === 'number' ? PLAIN_HINT : ''}`,
    );
  }
  if (kind === 'value') return new Program(kind, tape, x, y, null, null);
  if (kind === 'grad' && y.size !== 1) {
    throw new TayoptError(`${name}: the function must return a scalar, got shape ${fmtShape(y.shape)}`);
  }
  // the seed is an input (1 for a gradient, the cotangent for vjp), so nothing folds it away
  const seedValue = kind === 'grad' ? Float64Array.of(1) : new Float64Array(y.size);
  const seed = tape.input(y.shape, seedValue);
  const [adj] = backward(tape, y, seed, [x]);
  return new Program(kind, tape, x, y, adj!, seed);
}

/**
 * The program of `f` for this kind and shape: cached when replayable. `fresh` tells whether
 * it was traced at this very point (its values are then this point's results).
 */
export function program(
  name: string,
  kind: ProgramKind,
  f: TensorFunction,
  shape: readonly number[],
  values: Float64Array,
): { prog: Program; fresh: boolean } {
  let entry = CACHE.get(f);
  if (!entry) {
    entry = { byKey: new Map(), last: null };
    CACHE.set(f, entry);
  }
  const last = entry.last;
  if (last !== null && last.kind === kind && sameShape(last.x.shape, shape)) return { prog: last, fresh: false };
  const key = `${kind}:${shape.join(',')}`;
  const cached = entry.byKey.get(key);
  if (cached) {
    entry.last = cached;
    return { prog: cached, fresh: false };
  }
  const prog = traceProgram(name, kind, f, shape, values);
  if (prog.replayable) {
    entry.byKey.set(key, prog);
    entry.last = prog;
  }
  return { prog, fresh: true };
}

/** What to feed a program's inputs: x, the seed, and optional Taylor directions of each. */
export interface Feed {
  x: Float64Array;
  /** Writes direction p (0-based within this sweep) of x into `dir`, which starts zeroed. */
  xDir?: (p: number, dir: Float64Array) => void;
  seed?: Float64Array;
  seedDir?: (p: number, dir: Float64Array) => void;
}

function fillInput(u: UTPM, values: Float64Array, dir: ((p: number, d: Float64Array) => void) | undefined): void {
  u.data.set(values);
  if (u.D < 2) return;
  u.data.fill(0, u.size);
  if (!dir) return;
  for (let p = 0; p < u.P; p++) dir(p, u.data.subarray(u.off(1, p), u.off(1, p) + u.size));
}

/**
 * Evaluates `outputs` of a program at degree D with P directions: by its compiled replay
 * (replayable programs) or the reference interpreter (value-dependent ones, traced at this
 * very point). Constant outputs come back as D = 1 values. The returned values may be the
 * replay's own buffers: copy what you keep.
 */
export function evaluate(prog: Program, outputs: readonly Tensor[], D: number, P: number, feed: Feed): UTPM[] {
  const traced = outputs.filter((o) => prog.traced(o));
  let vals: UTPM[] = [];
  if (traced.length > 0) {
    if (prog.replayable) {
      const r = prog.replay(traced, D, P, { seedConstant: !feed.seedDir, xConstant: !feed.xDir });
      fillInput(r.inputs[0]!, feed.x, feed.xDir);
      if (r.inputs[1]) fillInput(r.inputs[1], feed.seed!, feed.seedDir);
      r.run();
      vals = [...r.outputs];
    } else {
      const mk = (shape: readonly number[], values: Float64Array, dir?: (p: number, d: Float64Array) => void, constant = false) => {
        const u = new UTPM(shape, constant ? 1 : D, P);
        fillInput(u, values, dir);
        return u;
      };
      const ins = [mk(prog.x.shape, feed.x, feed.xDir, !feed.xDir)];
      if (prog.seed) ins.push(mk(prog.seed.shape, feed.seed!, feed.seedDir, !feed.seedDir));
      vals = prog.interpret(traced, ins, D, P);
    }
  }
  let k = 0;
  return outputs.map((o) => (prog.traced(o) ? vals[k++]! : UTPM.constant(o.shape, o._v)));
}

/** Block (d, p) of a UTPM value, or zeros when it is a constant. */
export function block(u: UTPM, d: number, p: number): Float64Array {
  return d < u.D ? u.data.subarray(u.off(d, p), u.off(d, p) + u.size) : new Float64Array(u.size);
}

/**
 * A direction count per sweep that keeps a P-direction replay under ~256 MB (`budget`
 * Taylor-coefficient elements; smaller for sweeps that must be short).
 */
export function directionBlock(prog: Program, D: number, count: number, budget = 32e6): number {
  let total = 0;
  for (const n of prog.tape.nodes) total += sizeOf(n.shape);
  return Math.max(1, Math.min(count, Math.floor(budget / Math.max(1, total * (D - 1))) - 1));
}
