/**
 * Problem files and modules → problems for the solvers. See README.md in this folder for
 * the file format and the expression language.
 */
import type { NestedArray } from '../index.js';
import type { Problem, VariableInfo } from './types.js';

export type { Problem, ProblemOptions, VariableInfo } from './types.js';
export { ProblemError, type PNode, type Pos } from './source.js';
export { parseJson } from './json.js';
export { parseYaml } from './yaml.js';
export { problemFromTree, pointFromTree, elementLabel } from './file.js';
export { problemFromModule } from './module.js';
export { loadProblem, readText, parseTree, formatOf, ioReason, FILE_EXTENSIONS, MODULE_EXTENSIONS } from './load.js';
export { compileExpression, type CompiledExpression, type Names, type Scope } from './expression.js';
export { FUNCTIONS } from './functions.js';

/** Nested arrays of `shape` from row-major values (a number for shape []). */
export function nested(values: ArrayLike<number>, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0]!;
  const rec = (off: number, ax: number): NestedArray[] => {
    const n = shape[ax]!;
    const inner = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(ax + 1 === shape.length ? values[off + i]! : rec(off + i * inner, ax + 1));
    return out;
  };
  return rec(0, 0);
}

/** A flat vector split into the problem's variables, each in its shape: { x: [...], W: [[...]] }. */
export function byVariable(problem: Pick<Problem, 'variables'>, x: ArrayLike<number>): Record<string, NestedArray> {
  const out: Record<string, NestedArray> = {};
  for (const v of problem.variables) out[v.name] = nested(Array.prototype.slice.call(x, v.offset, v.offset + v.size) as number[], v.shape);
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
