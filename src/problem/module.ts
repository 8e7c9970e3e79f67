/**
 * Problems written as JS/TS modules. The default export is either
 *
 *   { x0, objective, constraints?, bounds?, solution?, name?, options?, grad?, hess?, hvp? }
 *
 * with `objective(x: Tensor) => Tensor` written with tayopt's operations (and each
 * constraint `{ fun(x) => Tensor, lower?, upper? }` likewise, as for `minimize`) and x0 a number,
 * (nested) array or Float64Array, or a function `(t) => that object` (possibly async) that
 * receives the CLI's own tayopt module — which avoids any doubt about which copy of tayopt
 * the module imports. TypeScript modules are compiled on the fly by tsx. `grad`, `hess` and
 * `hvp` are hand-written derivatives of the objective on the flat x (plain functions, in the
 * forms `minimize` takes), for `tayopt check`; solving uses the engine's exact derivatives.
 */
import * as engine from '../index.js';
import { Tensor, TayoptError, reshape, tensor } from '../index.js';
import { ProblemError, unknownKey } from './source.js';
import { shown, suggestion } from '../text.js';
import type { Problem, ProblemConstraint, ProblemOptions } from './types.js';

const KEYS = ['x0', 'objective', 'constraints', 'bounds', 'solution', 'name', 'options', 'grad', 'hess', 'hvp'];

let tsxRegistered: Promise<void> | null = null;

/** Registers tsx's loader once, so `import()` of a .ts file works. */
async function enableTypeScript(): Promise<void> {
  tsxRegistered ??= (async () => {
    const api = (await import('tsx/esm/api')) as { register: (o?: object) => unknown };
    api.register();
  })();
  return tsxRegistered;
}

/**
 * A loader hook that makes Node read the problem module as ESM whatever the nearest
 * package.json says (`npm init` writes "type": "commonjs", under which a .js file with
 * `import` fails and tsx compiles a .ts file to CommonJS). It applies only to URLs carrying
 * the ESM_MARK query, i.e. to the problem module itself, not to what it imports.
 */
const ESM_MARK = 'tayopt-problem-module';
const ESM_HOOK = `export async function load(url, context, nextLoad) {
  if (!url.includes(${JSON.stringify(`?${ESM_MARK}`)})) return nextLoad(url, context);
  const r = await nextLoad(url, { ...context, format: 'module' });
  return { ...r, format: 'module' };
}`;

let esmHook: Promise<void> | null = null;

/** Registers the hook once (after tsx's, so that it runs first and tsx compiles to ESM). */
async function forceEsm(): Promise<void> {
  esmHook ??= (async () => {
    const { register } = await import('node:module');
    register(`data:text/javascript,${encodeURIComponent(ESM_HOOK)}`);
  })();
  return esmHook;
}

/** A different copy of tayopt's Tensor (the module imported another installation). */
function isForeignTensor(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && (v as object).constructor?.name === 'Tensor';
}

const FOREIGN =
  'it uses a different copy of tayopt than the CLI (import tayopt from the same installation the command runs from, or export a function (t) => ({ x0, objective }) that uses the t it is given)';

/**
 * Imports the module at `url` and validates its default export. `file` names it in
 * messages. Throws {@link ProblemError} when it cannot be imported or its export is wrong.
 */
export async function problemFromModule(url: string, file: string): Promise<Problem> {
  if (/\.(m|c)?ts$/i.test(file)) await enableTypeScript();
  const esm = /\.(js|ts)$/i.test(file); // .mjs / .mts are ESM already
  if (esm) await forceEsm();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(esm ? `${url}?${ESM_MARK}` : url)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    const first = String(err?.message ?? e).split('\n')[0];
    throw new ProblemError(`${file}: cannot load the problem module: ${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${first}`);
  }
  let spec = mod['default'];
  if (spec === undefined) throw new ProblemError(`${file}: the module has no default export (export default { x0, objective })`);
  if (typeof spec === 'function') {
    try {
      spec = await (spec as (t: typeof engine) => unknown)(engine);
    } catch (e) {
      throw userError(file, 'the default export (a function)', e);
    }
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new ProblemError(`${file}: the default export must be an object { x0, objective }, got ${spec === null ? 'null' : typeof spec}`);
  }
  const obj = spec as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!KEYS.includes(k)) throw new ProblemError(`${file}: default export: unknown field "${shown(k)}"${suggestion(k, KEYS, '"')}; the fields are ${KEYS.join(', ')}`);
  }

  // x0
  if (obj['x0'] === undefined) throw new ProblemError(`${file}: default export: missing x0 (the start point)`);
  if (isForeignTensor(obj['x0'])) throw new ProblemError(`${file}: default export: x0 is a Tensor, but ${FOREIGN}`);
  let start: Tensor;
  try {
    start = tensor(obj['x0'] as engine.TensorLike);
  } catch (e) {
    throw new ProblemError(`${file}: default export: x0: ${e instanceof TayoptError ? e.message : String(e)}`);
  }
  if (start.isTraced) throw new ProblemError(`${file}: default export: x0 must be numbers`);
  const shape = [...start.shape];
  const x0 = start.toFloat64Array();
  if (x0.length === 0) throw new ProblemError(`${file}: default export: x0 is empty`);
  const bad = x0.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ProblemError(`${file}: default export: x0: element ${bad + 1} is ${x0[bad]}; start values must be finite`);
  const n = x0.length;

  // objective
  const user = obj['objective'];
  if (typeof user !== 'function') throw new ProblemError(`${file}: default export: objective must be a function (x) => Tensor, got ${typeof user}`);
  const where = `${file}: objective`;
  const f = (x: Tensor): Tensor => {
    let y: unknown;
    try {
      y = (user as (x: Tensor) => unknown)(shape.length === 1 ? x : reshape(x, shape));
    } catch (e) {
      throw userError(file, 'objective', e);
    }
    if (!(y instanceof Tensor)) {
      if (isForeignTensor(y)) throw new ProblemError(`${where}: returned a Tensor, but ${FOREIGN}`);
      throw new ProblemError(`${where}: must return a tayopt Tensor (computed from x with tayopt operations), got ${typeof y === 'number' ? 'a plain number' : typeof y}`);
    }
    if (y.size !== 1) throw new ProblemError(`${where}: must return a single number, got an array of shape [${y.shape.join(', ')}]`);
    return y.ndim === 0 ? y : reshape(y, []);
  };
  f(tensor(x0)); // shape and type errors now, not in the middle of a solve

  const derivatives: NonNullable<Problem['derivatives']> = {};
  for (const k of ['grad', 'hess', 'hvp'] as const) {
    if (obj[k] === undefined) continue;
    if (typeof obj[k] !== 'function') throw new ProblemError(`${file}: default export: ${k} must be a function of the flat x, got ${typeof obj[k]}`);
    const user = obj[k] as (...a: unknown[]) => unknown;
    (derivatives as Record<string, unknown>)[k] = (...a: unknown[]) => {
      try {
        return user(...a);
      } catch (e) {
        throw userError(file, k, e);
      }
    };
  }

  const name = obj['name'] === undefined ? file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') : obj['name'];
  if (typeof name !== 'string') throw new ProblemError(`${file}: default export: name must be text`);
  return {
    name,
    file,
    variables: [{ name: 'x', shape, offset: 0, size: n }],
    n,
    x0,
    f,
    ...readConstraints(obj['constraints'], shape, x0, file),
    bounds: readBounds(obj['bounds'], shape, n, file),
    solution: readSolution(obj['solution'], n, file),
    options: readOptions(obj['options'], file),
    where,
    ...(Object.keys(derivatives).length ? { derivatives } : {}),
  };
}

/** The `constraints` list: `{ fun, lower?, upper? }` each, fun of x in x0's shape; checked at x0. */
function readConstraints(list: unknown, shape: readonly number[], x0: Float64Array, file: string): { constraints?: ProblemConstraint[] } {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new ProblemError(`${file}: default export: constraints must be an array of { fun, lower, upper }`);
  const out = (list as unknown[]).map((c, k): ProblemConstraint => {
    const field = `constraints[${k}]`;
    const where = `${file}: ${field}`;
    if (typeof c !== 'object' || c === null) throw new ProblemError(`${where}: must be an object { fun, lower, upper }`);
    const o = c as Record<string, unknown>;
    for (const key of Object.keys(o)) if (!['fun', 'lower', 'upper'].includes(key)) throw new ProblemError(`${where}: ${unknownKey(key, ['fun', 'lower', 'upper'])}`);
    const user = o['fun'];
    if (typeof user !== 'function') throw new ProblemError(`${where}: fun must be a function (x) => Tensor, got ${typeof user}`);
    const fun = (x: Tensor): Tensor => {
      let y: unknown;
      try {
        y = (user as (x: Tensor) => unknown)(shape.length === 1 ? x : reshape(x, shape));
      } catch (e) {
        throw userError(file, field, e);
      }
      if (!(y instanceof Tensor)) {
        if (isForeignTensor(y)) throw new ProblemError(`${where}: returned a Tensor, but ${FOREIGN}`);
        throw new ProblemError(`${where}: must return a tayopt Tensor (computed from x with tayopt operations), got ${typeof y === 'number' ? 'a plain number' : typeof y}`);
      }
      return y;
    };
    const size = fun(tensor(x0)).size;
    if (o['lower'] === undefined && o['upper'] === undefined) throw new ProblemError(`${where}: give lower, upper or both (lower == upper for an equality)`);
    const side = (v: unknown, name: string, none: number): Float64Array => {
      if (v === undefined) return new Float64Array(size).fill(none);
      const len = v instanceof Float64Array ? v.length : Array.isArray(v) ? (v as unknown[]).flat(Infinity).length : 1;
      if (len !== 1 && len !== size) throw new ProblemError(`${where}: ${name} has ${len} values, but fun returns ${size}; give one number for all or one per value`);
      const b = len === 1 && (Array.isArray(v) || v instanceof Float64Array) ? (v as ArrayLike<unknown>)[0] : v;
      return values(len === 1 ? b : v, size, [size], `${field}.${name}`, file, true).map((u) => (Number.isNaN(u) ? none : u));
    };
    const lower = side(o['lower'], 'lower', -Infinity);
    const upper = side(o['upper'], 'upper', Infinity);
    for (let i = 0; i < size; i++) if (lower[i]! > upper[i]!) throw new ProblemError(`${where}: lower bound ${lower[i]} > upper bound ${upper[i]}${size === 1 ? '' : ` at element ${i + 1}`}`);
    return { fun, lower, upper, name: field, where };
  });
  return out.length ? { constraints: out } : {};
}

/** Wraps what user code threw: tayopt's own errors keep their message; others name the exception. */
function userError(file: string, what: string, e: unknown): ProblemError {
  if (e instanceof ProblemError) return e;
  if (e instanceof TayoptError) return new ProblemError(`${file}: ${what}: ${e.message}`);
  const err = e as Error;
  return new ProblemError(`${file}: ${what} threw ${err?.name ?? 'an exception'}: ${String(err?.message ?? e).split('\n')[0]}`);
}

function values(v: unknown, n: number, shape: readonly number[], field: string, file: string, allowNull: boolean): Float64Array {
  if (typeof v === 'number' || (allowNull && v === null)) return new Float64Array(n).fill(v === null ? NaN : (v as number));
  let flat: unknown[];
  if (v instanceof Float64Array) flat = Array.from(v);
  else if (Array.isArray(v)) flat = (v as unknown[]).flat(Infinity);
  else throw new ProblemError(`${file}: default export: ${field} must be a number or an array, got ${v === null ? 'null' : typeof v}`);
  if (flat.length !== n) {
    throw new ProblemError(`${file}: default export: ${field} has ${flat.length} elements, but x0 has shape [${shape.join(', ')}] (${n} elements)`);
  }
  return Float64Array.from(flat, (b, i) => {
    if (allowNull && b === null) return NaN;
    if (typeof b !== 'number' || Number.isNaN(b)) throw new ProblemError(`${file}: default export: ${field}: element ${i + 1} must be a number, got ${String(b)}`);
    return b;
  });
}

function readBounds(b: unknown, shape: readonly number[], n: number, file: string): Problem['bounds'] {
  if (b === undefined || b === null) return null;
  if (typeof b !== 'object') throw new ProblemError(`${file}: default export: bounds must be { lower, upper }`);
  const o = b as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'lower' && k !== 'upper') throw new ProblemError(`${file}: default export: bounds: ${unknownKey(k, ['lower', 'upper'])}`);
  const lower = o['lower'] === undefined ? new Float64Array(n).fill(-Infinity) : values(o['lower'], n, shape, 'bounds.lower', file, true).map((v) => (Number.isNaN(v) ? -Infinity : v));
  const upper = o['upper'] === undefined ? new Float64Array(n).fill(Infinity) : values(o['upper'], n, shape, 'bounds.upper', file, true).map((v) => (Number.isNaN(v) ? Infinity : v));
  for (let i = 0; i < n; i++) {
    if (lower[i]! > upper[i]!) throw new ProblemError(`${file}: default export: bounds: lower bound ${lower[i]} > upper bound ${upper[i]} at element ${i + 1}`);
  }
  return { lower, upper };
}

function readSolution(s: unknown, n: number, file: string): Problem['solution'] {
  if (s === undefined || s === null) return {};
  if (typeof s !== 'object') throw new ProblemError(`${file}: default export: solution must be { f?, x? }`);
  const o = s as Record<string, unknown>;
  const out: { f?: number; x?: Float64Array } = {};
  for (const k of Object.keys(o)) {
    if (k === 'f') {
      if (typeof o['f'] !== 'number' || !Number.isFinite(o['f'])) throw new ProblemError(`${file}: default export: solution.f must be a finite number`);
      out.f = o['f'];
    } else if (k === 'x') {
      out.x = values(o['x'], n, [n], 'solution.x', file, false);
    } else throw new ProblemError(`${file}: default export: solution: ${unknownKey(k, ['f', 'x'])}`);
  }
  return out;
}

function readOptions(o: unknown, file: string): ProblemOptions {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object') throw new ProblemError(`${file}: default export: options must be an object`);
  const out: ProblemOptions = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (k === 'method' && typeof v === 'string') out.method = v;
    else if (k === 'gtol' && typeof v === 'number' && v > 0) out.gtol = v;
    else if (k === 'maxIter' && typeof v === 'number' && Number.isInteger(v) && v >= 0) out.maxIter = v;
    else throw new ProblemError(`${file}: default export: options.${k}: invalid (expected method: text, gtol: positive number, maxIter: integer ≥ 0)`);
  }
  return out;
}
