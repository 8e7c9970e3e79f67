/**
 * Random programs of the fuzzer: an expression DAG over one variable x, printed as runnable
 * tayopt code (which is also how the engine runs it: the printed source is compiled with
 * `new Function`, so a repro is exactly what failed) and evaluated independently by the
 * plain-JS oracle (oracle.ts). Each operation is one table entry: its code and its oracle.
 */
import * as O from './oracle.js';
import type { Arr, Spec, Trail } from './oracle.js';

export interface Expr {
  readonly id: number;
  /** 'x', 'const', or an entry of OPS. */
  readonly op: string;
  readonly args: readonly Expr[];
  readonly p: Params;
  readonly shape: readonly number[];
}

export interface Params {
  /** Print as a method call on the first argument. */
  method?: boolean;
  [k: string]: unknown;
}

/** How a constant is written: a number, nested arrays, a Float64Array, or t.tensor(nested). */
export type ConstForm = 'number' | 'nested' | 'f64' | 'tensor';

interface OpDef {
  code(a: string[], p: Params): string;
  oracle(a: Arr[], p: Params, trail: Trail): Arr;
}

/** A number as JavaScript source that reads back to the same double (−0 included). */
export function num(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function nested(a: Arr): string {
  const rec = (off: number, ax: number): string => {
    if (ax === a.shape.length) return num(a.data[off]!);
    const inner = O.size(a.shape.slice(ax + 1));
    const parts: string[] = [];
    for (let i = 0; i < a.shape[ax]!; i++) parts.push(rec(off + i * inner, ax + 1));
    return `[${parts.join(', ')}]`;
  };
  return rec(0, 0);
}

export function constCode(a: Arr, form: ConstForm): string {
  if (form === 'number') return num(a.data[0]!);
  if (form === 'f64') return `Float64Array.of(${Array.from(a.data, num).join(', ')})`;
  if (form === 'tensor') return `t.tensor(${nested(a)})`;
  return nested(a);
}

const fmtSpec = (s: Spec): string => (s === null ? 'null' : typeof s === 'number' ? num(s) : `[${s.map((v) => (v === null ? 'null' : num(v))).join(', ')}]`);
const json = (v: unknown): string => JSON.stringify(v);

/** `t.name(a…)` or `a0.name(a1…)`. */
function call(name: string, a: string[], p: Params, extra: string[] = []): string {
  const args = [...a, ...extra];
  return p.method ? `${args[0]}.${name}(${args.slice(1).join(', ')})` : `t.${name}(${args.join(', ')})`;
}

function elementwiseDef(name: string): OpDef {
  return { code: (a, p) => call(name, a, p), oracle: (a, _p, tr) => O.elementwise(name, a, tr) };
}

const ELEMENTWISE_NAMES = [
  'neg', 'square', 'sqrt', 'exp', 'log', 'log1p', 'expm1', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin', 'acos',
  'atan', 'abs', 'sigmoid', 'softplus', 'erf', 'sign', 'add', 'sub', 'mul', 'div', 'pow', 'atan2', 'maximum', 'minimum',
  'gt', 'ge', 'lt', 'le', 'eq', 'ne',
];

/** Reduction axis argument as written: undefined (all), a number or a list. */
const axisArg = (p: Params): string[] => {
  if (p.axis === undefined) return p.keepdims ? ['null', 'true'] : [];
  return p.keepdims ? [json(p.axis), 'true'] : [json(p.axis)];
};

function reduction(name: 'sum' | 'mean' | 'prod'): OpDef {
  return {
    code: (a, p) => call(name, a, p, axisArg(p)),
    oracle: ([x], p) => O.reduce(x!, p.axis as number | number[] | undefined, (p.keepdims as boolean) ?? false, name),
  };
}

export const OPS: Record<string, OpDef> = {
  ...Object.fromEntries(ELEMENTWISE_NAMES.map((n) => [n, elementwiseDef(n)])),
  where: { code: (a) => `t.where(${a.join(', ')})`, oracle: (a, _p, tr) => O.elementwise('where', a, tr) },
  sum: reduction('sum'),
  mean: reduction('mean'),
  prod: reduction('prod'),
  reshape: { code: (a, p) => call('reshape', a, p, [json(p.to)]), oracle: ([x], p) => O.reshape(x!, p.to as number[]) },
  flatten: { code: (a, p) => call('flatten', a, p), oracle: ([x]) => O.reshape(x!, [-1]) },
  transpose: {
    code: (a, p) => (p.perm ? call('transpose', a, p, [json(p.perm)]) : p.method ? `${a[0]}.T` : `t.transpose(${a[0]})`),
    oracle: ([x], p) => O.transpose(x!, p.perm as number[] | undefined),
  },
  broadcastTo: { code: (a, p) => call('broadcastTo', a, p, [json(p.to)]), oracle: ([x], p) => O.broadcastTo(x!, p.to as number[]) },
  slice: {
    code: (a, p) => call('slice', a, p, (p.specs as Spec[]).map(fmtSpec)),
    oracle: ([x], p) => O.index(x!, p.specs as Spec[]).out,
  },
  at: { code: (a, p) => call('at', a, p, (p.idx as number[]).map(num)), oracle: ([x], p) => O.index(x!, p.idx as number[]).out },
  set: {
    code: (a, p) => (p.method ? `${a[0]}.set(${`[${(p.specs as Spec[]).map(fmtSpec).join(', ')}]`}, ${a[1]})` : `t.set(${a[0]}, [${(p.specs as Spec[]).map(fmtSpec).join(', ')}], ${a[1]})`),
    oracle: ([x, v], p) => O.setIndex(x!, p.specs as Spec[], v!),
  },
  concatenate: {
    code: (a, p) => `t.concatenate([${a.join(', ')}]${p.axis === undefined ? '' : `, ${p.axis}`})`,
    oracle: (a, p) => O.concatenate(a, (p.axis as number | undefined) ?? 0),
  },
  stack: {
    code: (a, p) => `t.stack([${a.join(', ')}]${p.axis === undefined ? '' : `, ${p.axis}`})`,
    oracle: (a, p) => O.stack(a, (p.axis as number | undefined) ?? 0),
  },
  dot: { code: (a, p) => call('dot', a, p), oracle: ([x, y]) => O.dot(x!, y!) },
  matmul: { code: (a, p) => call('matmul', a, p), oracle: ([x, y]) => O.matmul(x!, y!) },
  outer: { code: (a, p) => call('outer', a, p), oracle: ([x, y]) => O.outer(x!, y!) },
  solve: { code: (a, p) => call('solve', a, p), oracle: ([A, b]) => O.solve(A!, b!) },
  solveTriangular: {
    code: (a, p) => call('solveTriangular', a, p, [json({ lower: p.lower, transpose: p.trans })]),
    oracle: ([A, b], p) => O.solveTriangular(A!, b!, p.lower as boolean, p.trans as boolean),
  },
  inv: { code: (a, p) => call('inv', a, p), oracle: ([A]) => O.inv(A!) },
  det: { code: (a, p) => call('det', a, p), oracle: ([A]) => O.scalar(O.det(A!)) },
  logabsdet: { code: (a, p) => `${call('slogdet', a, p)}.logabsdet`, oracle: ([A]) => O.scalar(O.slogdet(A!).logabsdet) },
  cholesky: { code: (a, p) => call('cholesky', a, p), oracle: ([A]) => O.cholesky(A!) },
  qrQ: { code: (a, p) => `${call('qr', a, p)}.Q`, oracle: ([A]) => O.qr(A!).Q },
  qrR: { code: (a, p) => `${call('qr', a, p)}.R`, oracle: ([A]) => O.qr(A!).R },
  eighValues: { code: (a, p) => `${call('eigh', a, p)}.values`, oracle: ([A]) => O.eigh(A!).values },
  eighVectors: { code: (a, p) => `${call('eigh', a, p)}.vectors`, oracle: ([A]) => O.eigh(A!).vectors },
  eigvalsh: { code: (a, p) => call('eigvalsh', a, p), oracle: ([A]) => O.eigh(A!).values },
  trace: { code: (a, p) => call('trace', a, p), oracle: ([A]) => O.scalar(O.trace(A!)) },
  norm: { code: (a, p) => call('norm', a, p), oracle: ([x]) => O.scalar(O.norm(x!)) },
  diag: { code: (a, p) => call('diag', a, p, p.k ? [num(p.k as number)] : []), oracle: ([x], p) => O.diag(x!, (p.k as number) ?? 0) },
  triu: { code: (a, p) => call('triu', a, p, p.k ? [num(p.k as number)] : []), oracle: ([x], p) => O.band(x!, (p.k as number) ?? 0, true) },
  tril: { code: (a, p) => call('tril', a, p, p.k ? [num(p.k as number)] : []), oracle: ([x], p) => O.band(x!, (p.k as number) ?? 0, false) },
  eye: { code: (_a, p) => `t.eye(${p.n})`, oracle: (_a, p) => O.eye(p.n as number) },
  /** Reads a traced value (so the function is traced again at every call) and branches on it. */
  branch: {
    code: (a) => `(${a[0]}.item() > 0 ? ${a[1]} : ${a[2]})`,
    oracle: ([c, a, b], _p, tr) => {
      const v = c!.data[0]!;
      tr.branches.push(v > 0 ? 1 : -1);
      tr.kinkDistance = Math.min(tr.kinkDistance, Math.abs(v));
      return v > 0 ? a! : b!;
    },
  },
};

/** Evaluates the DAG at x (values memoized per node). */
export function evaluate(root: Expr, x: Arr, trail: Trail = O.newTrail(), memo = new Map<number, Arr>()): Arr {
  const rec = (e: Expr): Arr => {
    const got = memo.get(e.id);
    if (got) return got;
    let v: Arr;
    if (e.op === 'x') v = x;
    else if (e.op === 'const') v = e.p.value as Arr;
    else v = OPS[e.op]!.oracle(e.args.map(rec), e.p, trail);
    memo.set(e.id, v);
    return v;
  };
  return rec(root);
}

/** Nodes of the DAG in dependency order (each once). */
export function topo(root: Expr): Expr[] {
  const seen = new Set<number>();
  const out: Expr[] = [];
  const rec = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    e.args.forEach(rec);
    out.push(e);
  };
  rec(root);
  return out;
}

/**
 * The program as source: `(x) => { const v3 = …; return v7; }`. Nodes used more than once
 * get a name; the others are written inline.
 */
export function code(root: Expr): string {
  const order = topo(root);
  const uses = new Map<number, number>();
  for (const e of order) for (const a of e.args) uses.set(a.id, (uses.get(a.id) ?? 0) + 1);
  const text = new Map<number, string>();
  const lines: string[] = [];
  for (const e of order) {
    let s: string;
    if (e.op === 'x') s = 'x';
    else if (e.op === 'const') s = constCode(e.p.value as Arr, e.p.form as ConstForm);
    else s = OPS[e.op]!.code(e.args.map((a) => text.get(a.id)!), e.p);
    if (e !== root && e.op !== 'x' && e.op !== 'const' && (uses.get(e.id) ?? 0) > 1) {
      lines.push(`  const v${e.id} = ${s};`);
      s = `v${e.id}`;
    }
    text.set(e.id, s);
  }
  return `(x) => {\n${lines.join('\n')}${lines.length ? '\n' : ''}  return ${text.get(root.id)};\n}`;
}

/** Number of operation nodes (not x or constants). */
export function opCount(root: Expr): number {
  return topo(root).filter((e) => e.op !== 'x' && e.op !== 'const').length;
}
