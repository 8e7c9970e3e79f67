/** Helpers for problem-file tests: build problems from objects or text, evaluate them. */
import * as t from '../../src/index.js';
import { type Problem, compileExpression, parseJson, parseYaml, problemFromTree } from '../../src/problem/index.js';

/** A problem from a JSON-able object (written out as pretty JSON, so positions are real). */
export function problemOf(spec: unknown, file = 'test.json'): Problem {
  return problemFromTree(parseJson(JSON.stringify(spec, null, 2), file), file);
}

/** A problem from JSON text. */
export function problemFromJson(text: string, file = 'test.json'): Problem {
  return problemFromTree(parseJson(text, file), file);
}

/** A problem from YAML text. */
export function problemFromYaml(text: string, file = 'test.yaml'): Problem {
  return problemFromTree(parseYaml(text, file), file);
}

/** f at a flat point (default: the start). */
export function valueAt(p: Problem, x: ArrayLike<number> = p.x0): number {
  return p.f(t.tensor(Float64Array.from(x))).item();
}

/** ∇f at a flat point from the engine (reverse mode). */
export function gradAt(p: Problem, x: ArrayLike<number> = p.x0): Float64Array {
  const g = new Float64Array(p.n);
  t.objective(p.f, p.x0).valueAndGrad(Float64Array.from(x), g);
  return g;
}

/**
 * The value of an expression (any shape) as nested arrays, with variables and parameters
 * given as plain values. Throws what the compiler or the evaluation throws.
 */
export function evaluate(expr: string, variables: Record<string, t.TensorLike> = {}, parameters: Record<string, t.TensorLike> = {}): unknown {
  const params = new Map(Object.entries(parameters).map(([k, v]) => [k, t.tensor(v)]));
  const vars = Object.entries(variables);
  const slots = new Map(vars.map(([k], i) => [k, i]));
  const c = compileExpression(expr, 'expr', { variables: slots, parameters: params, definitions: new Map() });
  return c.evaluate({ vars: vars.map(([, v]) => t.tensor(v)), defs: new Map(), end: NaN }).toArray();
}

/** Central differences of a flat function, step h·max(1, |x_i|). */
export function centralDiff(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6): Float64Array {
  const x0 = Float64Array.from(x);
  const g = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const hi = h * Math.max(1, Math.abs(x0[i]!));
    const xp = x0.slice();
    xp[i] = x0[i]! + hi;
    const xm = x0.slice();
    xm[i] = x0[i]! - hi;
    g[i] = (f(xp) - f(xm)) / (2 * hi);
  }
  return g;
}

/** Expects a thrown error whose message matches every pattern. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}
