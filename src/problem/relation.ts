/**
 * Constraints written as relations: `g <= h`, `g >= h`, `g == h` (`<` and `>` read as `<=`
 * and `>=`: the solvers cannot tell them apart), or two-sided with constant ends,
 * `lo <= g <= hi` / `hi >= g >= lo`. A relation becomes one expression of the variables and
 * constant bounds: with a constant side, that side is the bound (`x[1]^2 + x[2]^2 <= 1` is
 * x[1]^2 + x[2]^2 with upper bound 1); with both sides variable, their difference against 0.
 * Bounds may be numbers or arrays (one per element of an array-valued expression).
 */
import type { MathNode } from 'mathjs/number';
import { type Tensor, sub, tensor } from '../index.js';
import { type CompiledExpression, type Names, type Scope, compileParsed, parseExpression } from './expression.js';
import { ProblemError } from './source.js';

/** A constraint from a relation: expression and constant bounds (null: no bound on that side). */
export interface RelationParts {
  expr: CompiledExpression;
  lower: Tensor | null;
  upper: Tensor | null;
}

const DIRECTION: Record<string, 'le' | 'ge' | 'eq'> = { smaller: 'le', smallerEq: 'le', larger: 'ge', largerEq: 'ge', equal: 'eq' };

const CONSTANT_SCOPE = (): Scope => ({ vars: [], defs: new Map(), end: NaN });

const HOW = 'write one relation (g <= h, g >= h or g == h) or a two-sided one with constant ends (lo <= g <= hi)';

/** Whether the top of a syntax tree (inside parentheses) is a relation. */
export function isRelation(ast: MathNode): boolean {
  const top = unwrap(ast);
  return top.type === 'RelationalNode' || (top.type === 'OperatorNode' && (top as MathNode & { fn: string }).fn in DIRECTION) || (top.type === 'OperatorNode' && (top as MathNode & { fn: string }).fn === 'unequal');
}

function unwrap(ast: MathNode): MathNode {
  let a = ast;
  while (a.type === 'ParenthesisNode') a = (a as MathNode & { content: MathNode }).content;
  return a;
}

/**
 * Parses and compiles the relation `text`. `where` prefixes messages. Throws a ProblemError
 * for text that is not one readable relation, for a relation that does not depend on the
 * variables, and for two-sided relations whose ends are not constant.
 */
export function compileRelation(text: string, where: string, names: Names): RelationParts {
  const ast = unwrap(parseExpression(text, where));
  const fail = (why: string): never => {
    throw new ProblemError(`${where}: ${why}`);
  };
  const part = (node: MathNode): CompiledExpression => compileParsed(node, node.toString(), where, names);
  const constant = (c: CompiledExpression): Tensor => c.evaluate(CONSTANT_SCOPE());
  if (ast.type === 'OperatorNode') {
    const op = ast as MathNode & { fn: string; args: MathNode[] };
    if (op.fn === 'unequal') fail(`"${text}": != cannot be a constraint; ${HOW}`);
    const dir = DIRECTION[op.fn];
    if (dir && op.args.length === 2) {
      const a = part(op.args[0]!);
      const b = part(op.args[1]!);
      if (!a.dynamic && !b.dynamic) fail(`"${text}" does not depend on the variables`);
      if (!b.dynamic) {
        const v = constant(b);
        return { expr: a, lower: dir === 'le' ? null : v, upper: dir === 'ge' ? null : v };
      }
      if (!a.dynamic) {
        const v = constant(a);
        return { expr: b, lower: dir === 'ge' ? null : v, upper: dir === 'le' ? null : v };
      }
      const diff: CompiledExpression = {
        text,
        dynamic: true,
        uses: [...new Set([...a.uses, ...b.uses])],
        evaluate: (s) => sub(a.evaluate(s), b.evaluate(s)),
        evaluateOwn: (s) => sub(a.evaluateOwn(s), b.evaluateOwn(s)),
      };
      const zero = tensor(0);
      return { expr: diff, lower: dir === 'le' ? null : zero, upper: dir === 'ge' ? null : zero };
    }
  }
  if (ast.type === 'RelationalNode') {
    const rel = ast as MathNode & { conditionals: string[]; params: MathNode[] };
    const dirs = rel.conditionals.map((c) => DIRECTION[c]);
    if (rel.conditionals.length !== 2 || dirs[0] !== dirs[1] || dirs[0] === 'eq' || dirs[0] === undefined)
      fail(`cannot read the relation "${text}": ${HOW}`);
    const [lo, mid, hi] = rel.params.map(part) as [CompiledExpression, CompiledExpression, CompiledExpression];
    if (lo.dynamic || hi.dynamic || !mid.dynamic) fail(`cannot read the relation "${text}": in a two-sided relation the ends must be constants and the middle must depend on the variables; ${HOW}`);
    const a = constant(lo);
    const b = constant(hi);
    return dirs[0] === 'le' ? { expr: mid, lower: a, upper: b } : { expr: mid, lower: b, upper: a };
  }
  return fail(`"${text}" is not a relation; ${HOW}, or give an object { expr, lower, upper }`);
}
