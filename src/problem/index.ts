/**
 * Problem files and modules → problems for the solvers. See README.md in this folder for
 * the file format and the expression language.
 */
import type { NestedArray } from '../index.js';
import { nest } from '../trace/tensor.js';
import type { Problem, VariableInfo } from './types.js';
import { ProblemError } from './source.js';
import { shown, suggestion } from '../text.js';

export type { Problem, ProblemConstraint, ProblemOptions, VariableInfo } from './types.js';
export { ProblemError, type PNode, type Pos } from './source.js';
export { parseJson } from './json.js';
export { parseYaml } from './yaml.js';
export { problemFromTree, pointFromTree, elementLabel } from './file.js';
export { problemFromModule } from './module.js';
export { loadProblem, readText, parseTree, formatOf, ioReason, FILE_EXTENSIONS, MODULE_EXTENSIONS } from './load.js';
export { compileExpression, type CompiledExpression, type Names, type Scope } from './expression.js';
export { FUNCTIONS } from './functions.js';

/**
 * The problem started from another point: `name` is one of its `starts` ('x0', or the name of
 * the first start, gives the problem as it is). Throws a ProblemError naming `where` and the
 * known starts for an unknown name.
 */
export function withStart(problem: Problem, name: string, where = 'start'): Problem {
  if (name === 'x0') return problem;
  const x = problem.starts?.get(name);
  if (!x) {
    const names = [...(problem.starts?.keys() ?? [])];
    throw new ProblemError(
      `${where}: ${problem.file} has no start point "${shown(name)}"${suggestion(name, names, '"')}; ${names.length ? `its starts are x0 (the variables' values), ${names.join(', ')}` : 'it gives only x0 (no "starts" field)'}`,
    );
  }
  return { ...problem, x0: x.slice() };
}

/** A flat vector split into the problem's variables, each in its shape: { x: [...], W: [[...]] }. */
export function byVariable(problem: Pick<Problem, 'variables'>, x: ArrayLike<number>): Record<string, NestedArray> {
  const out: Record<string, NestedArray> = {};
  const flat = x instanceof Float64Array ? x : Float64Array.from(x);
  for (const v of problem.variables) out[v.name] = nest(flat, v.shape, v.offset);
  return out;
}

/** `x[3]`, `W[2,1]`, or `x` for a scalar: the name of flat element i, 1-based as in expressions. */
export function elementName(variables: readonly VariableInfo[], i: number): string {
  const v = variables.find((w) => i >= w.offset && i < w.offset + w.size)!;
  const k = i - v.offset;
  if (v.shape.length === 0) return v.name;
  const idx: number[] = [];
  let r = k;
  for (let a = v.shape.length - 1; a >= 0; a--) {
    idx.unshift((r % v.shape[a]!) + 1);
    r = Math.floor(r / v.shape[a]!);
  }
  return `${v.name}[${idx.join(',')}]`;
}
