/**
 * Objective expressions: math.js syntax in, tayopt operations out.
 *
 * The text is parsed with math.js's `parse` (and nothing else from math.js: no evaluate, no
 * compile). The resulting AST is walked once, here, against a whitelist of node types, and
 * turned into a tree of closures over tayopt operations. Evaluating that tree on traced
 * tensors records the objective on the engine's tape; the AST is never looked at again.
 * Assignments, function definitions, blocks, objects, property access and every function
 * or operator not in the table are rejected with a message naming the construct, so a
 * problem file can never run code.
 *
 * Semantics (where math.js and NumPy differ, written down in src/problem/README.md):
 * indices are 1-based and inclusive (`x[2:end]`, `x[1:2:end]`, `X[:, 1]`); an integer index
 * drops its axis; `*` is the matrix product (scalar·anything elementwise; an error between two
 * vectors, where math.js would take the dot product), `.*` `./` `.^`
 * elementwise with broadcasting; `^` is the power of a number or of a square matrix;
 * functions of one number act elementwise; `c ? a : b` branches on a single-number
 * condition (only the branch taken is evaluated and differentiated) and selects elementwise
 * on an array condition.
 */
// math.js's number build: the same parser as the full build, loaded in about half the time
import { type MathNode, parse } from 'mathjs/number';
import * as t from '../index.js';
import { type Tensor, TayoptError, tensor } from '../index.js';
import { type Arg, FUNCTIONS, constInt, constScalar, divideOp, multiplyOp, powerOp, transposeOp } from './functions.js';
import { shapeText } from './linalg.js';
import { ProblemError } from './source.js';
import { shown, suggestion } from '../text.js';

/** What names in an expression can refer to. */
export interface Names {
  /** Variable name → slot in {@link Scope.vars}. */
  readonly variables: ReadonlyMap<string, number>;
  /** Parameter name → its constant value. */
  readonly parameters: ReadonlyMap<string, Tensor>;
  /** Definition name → its compiled expression (earlier definitions only). */
  readonly definitions: ReadonlyMap<string, CompiledExpression>;
}

/** Per-evaluation state: the variables' tensors, memoized definitions, the current `end`. */
export interface Scope {
  readonly vars: readonly Tensor[];
  readonly defs: Map<CompiledExpression, Tensor>;
  end: number;
}

/** A compiled expression. */
export interface CompiledExpression {
  readonly text: string;
  /** Whether the value depends on the variables. */
  readonly dynamic: boolean;
  /** The definitions it names directly. */
  readonly uses: readonly CompiledExpression[];
  /**
   * Its value in `scope`. The definitions it depends on (directly or not) are evaluated
   * first, in dependency order, so a chain of thousands of definitions costs no stack depth.
   */
  evaluate(scope: Scope): Tensor;
  /** Its value when the definitions it uses are already evaluated in `scope` (or constant). */
  evaluateOwn(scope: Scope): Tensor;
}

/** Constants every expression knows. */
export const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['PI', Math.PI],
  ['e', Math.E],
  ['E', Math.E],
  ['Infinity', Infinity],
]);

/** Names that cannot be used for variables, parameters or definitions. */
export function reservedName(name: string): string | null {
  if (CONSTANTS.has(name)) return `the constant ${name}`;
  if (FUNCTIONS.has(name)) return `the function ${name}`;
  if (RESERVED.has(name)) return `a keyword of the expression language`;
  if (OBJECT_INTERNALS.has(name)) return 'the internals of JavaScript objects (results keyed by it would be lost)';
  return null;
}

/**
 * Names a result object keyed by variable name cannot hold as an own field: `__proto__`
 * (assigning it replaces the prototype), `constructor`, `prototype`, `toString`, … — every
 * property JavaScript objects inherit.
 */
const OBJECT_INTERNALS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype', '__proto__']);

const RESERVED = new Set(['end', 'and', 'or', 'not', 'xor', 'mod', 'to', 'in', 'true', 'false', 'null', 'undefined', 'NaN']);

/**
 * Parses and compiles `text`. `where` prefixes every message (e.g. `p.json:5:16: objective`).
 * Throws {@link ProblemError} for syntax errors, disallowed constructs, unknown names or
 * functions and wrong argument counts; shape errors surface when the result is evaluated
 * (also as ProblemError, naming the sub-expression and the shapes).
 */
export function compileExpression(text: string, where: string, names: Names): CompiledExpression {
  return compileParsed(parseExpression(text, where), text, where, names);
}

/** math.js's syntax tree of `text`; a ProblemError prefixed with `where` for a syntax error. */
export function parseExpression(text: string, where: string): MathNode {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof RangeError) throw new ProblemError(`${where}: the expression is nested too deeply`);
    const err = e as Error & { char?: number };
    const msg = shown(String(err.message ?? e).replace(/\s*\(char \d+\)\s*$/, ''), 120);
    const char = typeof err.char === 'number' ? ` at character ${err.char}` : '';
    throw new ProblemError(`${where}: syntax error${char ? `${char} of the expression` : ''}: ${msg}`);
  }
}

/** Compiles a syntax tree (from {@link parseExpression}, or a part of one); `text` is what it reports as its source. */
export function compileParsed(ast: MathNode, text: string, where: string, names: Names): CompiledExpression {
  let c: C;
  const compiler = new Compiler(where, names);
  try {
    c = compiler.node(ast, false);
  } catch (e) {
    if (e instanceof RangeError) throw new ProblemError(`${where}: the expression is nested too deeply`);
    throw e;
  }
  const fn = c.fn;
  const evaluateOwn = (scope: Scope): Tensor => {
    try {
      return fn(scope);
    } catch (e) {
      if (e instanceof ExpressionError) throw e;
      if (e instanceof TayoptError) throw new ExpressionError(`${where}: ${e.message}`);
      if (e instanceof RangeError) {
        // the engine's own limits come first (src/size.ts); these are the JavaScript engine's
        if (/call stack/i.test(e.message)) throw new ExpressionError(`${where}: the expression is nested too deeply`);
        if (/array (buffer )?(length|allocation)/i.test(e.message)) throw new ExpressionError(`${where}: needs more memory than is available (${e.message})`);
      }
      throw e;
    }
  };
  let order: CompiledExpression[] | undefined;
  const self: CompiledExpression = {
    text,
    dynamic: c.dyn,
    uses: [...compiler.uses],
    evaluateOwn,
    evaluate: (scope) => {
      order ??= dependencyOrder(self);
      for (const d of order) {
        if (!d.dynamic) d.evaluateOwn(scope); // memoized: computed once
        else if (!scope.defs.has(d)) scope.defs.set(d, d.evaluateOwn(scope));
      }
      return evaluateOwn(scope);
    },
  };
  return self;
}

/** The definitions `top` depends on, each after the ones it uses (an iterative depth-first search). */
function dependencyOrder(top: CompiledExpression): CompiledExpression[] {
  const out: CompiledExpression[] = [];
  const seen = new Set<CompiledExpression>([top]);
  const stack: { e: CompiledExpression; next: number }[] = [{ e: top, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.e.uses.length) {
      const d = frame.e.uses[frame.next++]!;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push({ e: d, next: 0 });
      }
    } else {
      stack.pop();
      if (frame.e !== top) out.push(frame.e);
    }
  }
  return out;
}

type Fn = (s: Scope) => Tensor;

/** A ProblemError that already names its expression (and its place in the file). */
class ExpressionError extends ProblemError {}

/** A compiled node: its closure, whether it depends on the variables, whether it reads `end`. */
interface C {
  fn: Fn;
  dyn: boolean;
  end: boolean;
}

const BINARY: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: (a, b) => t.add(a, b),
  subtract: (a, b) => t.sub(a, b),
  multiply: multiplyOp,
  divide: divideOp,
  dotMultiply: (a, b) => t.mul(a, b),
  dotDivide: (a, b) => t.div(a, b),
  pow: (a, b) => powerOp(a, b),
  dotPow: (a, b) => t.pow(a, b),
  larger: (a, b) => t.gt(a, b),
  largerEq: (a, b) => t.ge(a, b),
  smaller: (a, b) => t.lt(a, b),
  smallerEq: (a, b) => t.le(a, b),
  equal: (a, b) => t.eq(a, b),
  unequal: (a, b) => t.ne(a, b),
  and: (a, b) => t.mul(t.ne(a, 0), t.ne(b, 0)),
  or: (a, b) => t.maximum(t.ne(a, 0), t.ne(b, 0)),
  xor: (a, b) => t.ne(t.ne(a, 0), t.ne(b, 0)),
  mod: (a, b) => FUNCTIONS.get('mod')!.apply([a, b]),
};

const UNARY: Record<string, (a: Tensor) => Tensor> = {
  unaryMinus: (a) => t.neg(a),
  unaryPlus: (a) => a,
  not: (a) => t.eq(a, 0),
  ctranspose: transposeOp,
  transpose: transposeOp,
};

const FORBIDDEN: Record<string, string> = {
  AssignmentNode: 'assignments (a = …) are not allowed: the objective is one expression (put intermediate results under "definitions")',
  FunctionAssignmentNode: 'function definitions (f(x) = …) are not allowed',
  BlockNode: 'several statements (separated by ";" or a line break) are not allowed: the objective is one expression (put intermediate results under "definitions")',
  ObjectNode: 'objects ({…}) are not allowed',
};

/** Longest expression excerpt shown in messages. */
function excerpt(node: MathNode): string {
  let s: string;
  try {
    s = node.toString();
  } catch {
    s = node.type;
  }
  return shown(s);
}

/** At most five names of a listing, then how many more. */
function nameList(names: Iterable<string>): string {
  const all = [...names];
  return all.length <= 5 ? all.join(', ') : `${all.slice(0, 5).join(', ')} and ${all.length - 5} more`;
}

/** A memoized closure: a constant sub-expression is computed once, at its first use. */
function once(fn: Fn): Fn {
  let value: Tensor | null = null;
  return (s) => (value ??= fn(s));
}

class Compiler {
  /** The definitions the expression names. */
  readonly uses = new Set<CompiledExpression>();

  constructor(
    private readonly where: string,
    private readonly names: Names,
  ) {}

  private fail(node: MathNode | null, what: string): never {
    throw new ExpressionError(`${this.where}: ${node ? `in \`${excerpt(node)}\`: ` : ''}${what}`);
  }

  /** Wraps a closure so engine errors name this sub-expression. */
  private guard(node: MathNode, fn: Fn): Fn {
    return (s) => {
      try {
        return fn(s);
      } catch (e) {
        if (e instanceof ExpressionError) throw e;
        if (e instanceof TayoptError) this.fail(node, e.message);
        throw e;
      }
    };
  }

  /** Builds a C; constant sub-trees are memoized. */
  private make(node: MathNode, fn: Fn, parts: readonly C[], extra: { dyn?: boolean; end?: boolean } = {}): C {
    const dyn = (extra.dyn ?? false) || parts.some((p) => p.dyn);
    const end = (extra.end ?? false) || parts.some((p) => p.end);
    const guarded = this.guard(node, fn);
    return { fn: !dyn && !end ? once(guarded) : guarded, dyn, end };
  }

  node(node: MathNode, inIndex: boolean): C {
    switch (node.type) {
      case 'ConstantNode':
        return this.constant(node as unknown as { value: unknown } & MathNode);
      case 'SymbolNode':
        return this.symbol(node as MathNode & { name: string }, inIndex);
      case 'ParenthesisNode':
        return this.node((node as MathNode & { content: MathNode }).content, inIndex);
      case 'OperatorNode':
        return this.operator(node as MathNode & { fn: string; op: string; args: MathNode[] }, inIndex);
      case 'RelationalNode':
        return this.relational(node as MathNode & { conditionals: string[]; params: MathNode[] }, inIndex);
      case 'ConditionalNode':
        return this.conditional(node as MathNode & { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode }, inIndex);
      case 'FunctionNode':
        return this.call(node as MathNode & { fn: MathNode; args: MathNode[] }, inIndex);
      case 'AccessorNode':
        return this.accessor(node as MathNode & { object: MathNode; index: MathNode & { dimensions: MathNode[]; dotNotation: boolean } }, inIndex);
      case 'ArrayNode':
        return this.array(node as MathNode & { items: MathNode[] }, inIndex);
      case 'RangeNode':
        return this.rangeValue(node as RangeLike, inIndex);
      default: {
        const why = Object.hasOwn(FORBIDDEN, node.type) ? FORBIDDEN[node.type] : `${node.type.replace(/Node$/, '')} expressions are not allowed`;
        this.fail(node, why);
      }
    }
  }

  private constant(node: MathNode & { value: unknown }): C {
    const v = node.value;
    if (typeof v === 'number') {
      const c = tensor(v);
      return { fn: () => c, dyn: false, end: false };
    }
    if (typeof v === 'boolean') {
      const c = tensor(v ? 1 : 0);
      return { fn: () => c, dyn: false, end: false };
    }
    if (typeof v === 'string') this.fail(node, `text ("${shown(v)}") is not a value here`);
    this.fail(node, `unsupported constant`);
  }

  private symbol(node: MathNode & { name: string }, inIndex: boolean): C {
    const name = node.name;
    const { variables, parameters, definitions } = this.names;
    const slot = variables.get(name);
    if (slot !== undefined) return { fn: (s) => s.vars[slot]!, dyn: true, end: false };
    const p = parameters.get(name);
    if (p !== undefined) return { fn: () => p, dyn: false, end: false };
    const d = definitions.get(name);
    if (d !== undefined) {
      this.uses.add(d);
      if (!d.dynamic) {
        return { fn: once((s) => d.evaluateOwn(s)), dyn: false, end: false };
      }
      return {
        fn: (s) => {
          let v = s.defs.get(d);
          if (v === undefined) {
            v = d.evaluateOwn(s);
            s.defs.set(d, v);
          }
          return v;
        },
        dyn: true,
        end: false,
      };
    }
    const k = CONSTANTS.get(name);
    if (k !== undefined) {
      const c = tensor(k);
      return { fn: () => c, dyn: false, end: false };
    }
    if (name === 'end') {
      if (!inIndex) this.fail(null, '`end` is only meaningful inside an index, as in x[2:end]');
      return { fn: (s) => tensor(s.end), dyn: false, end: true };
    }
    if (FUNCTIONS.has(name)) this.fail(null, `\`${name}\` is a function; call it as ${name}(…)`);
    const known = [...variables.keys(), ...parameters.keys(), ...definitions.keys()];
    const listing = [
      variables.size ? `variables: ${nameList(variables.keys())}` : '',
      parameters.size ? `parameters: ${nameList(parameters.keys())}` : '',
      definitions.size ? `definitions: ${nameList(definitions.keys())}` : '',
    ].filter(Boolean);
    this.fail(null, `unknown variable \`${shown(name)}\`${name.length <= 60 ? suggestion(name, [...known, ...CONSTANTS.keys()], '') : ''}${listing.length ? `; known names are ${listing.join('; ')}` : ''}`);
  }

  private operator(node: MathNode & { fn: string; op: string; args: MathNode[] }, inIndex: boolean): C {
    if (isSum(node) && isSum(node.args[0]!)) return this.sumChain(node, inIndex);
    const args = node.args.map((a) => this.node(a, inIndex));
    if (args.length === 1) {
      const f = Object.hasOwn(UNARY, node.fn) ? UNARY[node.fn] : undefined;
      if (!f) this.fail(node, `the operator ${node.op} is not supported`);
      const a = args[0]!.fn;
      return this.make(node, (s) => f(a(s)), args);
    }
    const f = Object.hasOwn(BINARY, node.fn) ? BINARY[node.fn] : undefined;
    if (!f || args.length !== 2) this.fail(node, `the operator ${node.op} is not supported`);
    if (node.fn === 'mod' && args.some((a) => a.dyn)) this.fail(node, 'mod depends on the variables; it has no useful derivative and may only be applied to constants');
    const a = args[0]!.fn;
    const b = args[1]!.fn;
    return this.make(node, (s) => f(a(s), b(s)), args);
  }

  /**
   * `a + b - c + …`: math.js nests a long sum to the left, one level per term; it is compiled
   * and evaluated as a loop over the terms, so a sum of thousands of terms costs no stack depth.
   */
  private sumChain(node: MathNode & { fn: string; args: MathNode[] }, inIndex: boolean): C {
    const ops: ((a: Tensor, b: Tensor) => Tensor)[] = [];
    const rights: MathNode[] = [];
    let cur: MathNode = node;
    while (isSum(cur)) {
      ops.push(BINARY[cur.fn]!);
      rights.push(cur.args[1]!);
      cur = cur.args[0]!;
    }
    ops.reverse();
    const first = this.node(cur, inIndex);
    const terms = rights.reverse().map((r) => this.node(r, inIndex));
    const f0 = first.fn;
    const fns = terms.map((t) => t.fn);
    return this.make(
      node,
      (s) => {
        let acc = f0(s);
        for (let i = 0; i < fns.length; i++) acc = ops[i]!(acc, fns[i]!(s));
        return acc;
      },
      [first, ...terms],
    );
  }

  private relational(node: MathNode & { conditionals: string[]; params: MathNode[] }, inIndex: boolean): C {
    const ps = node.params.map((p) => this.node(p, inIndex));
    const ops = node.conditionals.map((c) => {
      const f = Object.hasOwn(BINARY, c) ? BINARY[c] : undefined;
      if (!f) this.fail(node, `the comparison ${c} is not supported`);
      return f;
    });
    const fns = ps.map((p) => p.fn);
    return this.make(
      node,
      (s) => {
        const v = fns.map((f) => f(s));
        let acc = ops[0]!(v[0]!, v[1]!);
        for (let i = 1; i < ops.length; i++) acc = t.mul(acc, ops[i]!(v[i]!, v[i + 1]!));
        return acc;
      },
      ps,
    );
  }

  private conditional(node: MathNode & { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode }, inIndex: boolean): C {
    const c = this.node(node.condition, inIndex);
    const a = this.node(node.trueExpr, inIndex);
    const b = this.node(node.falseExpr, inIndex);
    const cf = c.fn;
    const af = a.fn;
    const bf = b.fn;
    return this.make(
      node,
      (s) => {
        const cond = cf(s);
        // one number: take the branch (reading a traced value tells the engine to retrace)
        if (cond.size === 1) return cond.item() !== 0 ? af(s) : bf(s);
        return t.where(cond, af(s), bf(s));
      },
      [c, a, b],
    );
  }

  private call(node: MathNode & { fn: MathNode; args: MathNode[] }, inIndex: boolean): C {
    if (node.fn.type !== 'SymbolNode') this.fail(node, 'only named functions can be called (no method calls or computed functions)');
    const name = (node.fn as MathNode & { name: string }).name;
    const spec = FUNCTIONS.get(name);
    if (!spec) {
      if (this.names.variables.has(name) || this.names.parameters.has(name) || this.names.definitions.has(name)) {
        this.fail(node, `\`${name}\` is not a function; index it with square brackets, as in ${name}[1]`);
      }
      this.fail(null, `unknown function \`${shown(name)}\`${name.length <= 60 ? suggestion(name, FUNCTIONS.keys(), '') : ''}`);
    }
    const n = node.args.length;
    if (n < spec.min || n > spec.max) {
      const want = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
      this.fail(node, `${name} takes ${want} argument${want === '1' ? '' : 's'}, got ${n}`);
    }
    const strings = spec.strings ?? [];
    const parts: (C | string)[] = node.args.map((a, i) => {
      if (a.type === 'ConstantNode' && typeof (a as unknown as { value: unknown }).value === 'string') {
        if (!strings.includes(i)) this.fail(node, `argument ${i + 1} of ${name} cannot be text`);
        return (a as unknown as { value: string }).value;
      }
      return this.node(a, inIndex);
    });
    if (spec.constantOnly) {
      const k = parts.findIndex((p) => typeof p !== 'string' && p.dyn);
      if (k >= 0) this.fail(node, `${name}: argument ${k + 1} depends on the variables; ${name} has no useful derivative and may only be applied to constants`);
    }
    const fns = parts.map((p) => (typeof p === 'string' ? () => p : p.fn));
    return this.make(
      node,
      (s) => {
        const args: Arg[] = new Array(fns.length);
        for (let i = 0; i < fns.length; i++) args[i] = fns[i]!(s);
        return spec.apply(args);
      },
      parts.filter((p): p is C => typeof p !== 'string'),
    );
  }

  private array(node: MathNode & { items: MathNode[] }, inIndex: boolean): C {
    if (node.items.length === 0) this.fail(node, 'empty arrays are not allowed');
    const items = node.items.map((i) => this.node(i, inIndex));
    const fns = items.map((i) => i.fn);
    return this.make(
      node,
      (s) => {
        const vals = fns.map((f) => f(s));
        const s0 = vals[0]!.shape;
        const bad = vals.find((v) => v.shape.length !== s0.length || v.shape.some((d, i) => d !== s0[i]));
        if (bad) {
          throw new ProblemError(`the elements have different shapes ${shapeText(s0)} and ${shapeText(bad.shape)}`);
        }
        return t.stack(vals, 0);
      },
      items,
    );
  }

  // ---------------------------------------------------------------- ranges and indexing

  /** A range outside an index: the constant vector start, start+step, …, ≤ end (inclusive). */
  private rangeValue(node: RangeLike, inIndex: boolean): C {
    const r = this.range(node, inIndex, false);
    return this.make(
      node,
      (s) => {
        const { start, step, count } = r.resolve(s);
        if (count > 1e8) throw new ProblemError(`the range has ${count} elements, too many`);
        const v = new Float64Array(count);
        for (let i = 0; i < count; i++) v[i] = start + i * step;
        return tensor(v);
      },
      r.parts,
    );
  }

  private range(node: RangeLike, inIndex: boolean, integer: boolean) {
    const start = this.node(node.start, inIndex);
    const end = this.node(node.end, inIndex);
    const step = node.step ? this.node(node.step, inIndex) : null;
    const parts = step ? [start, end, step] : [start, end];
    if (parts.some((p) => p.dyn)) this.fail(node, 'a range may not depend on the variables');
    const read = integer ? constInt : constScalar;
    const resolve = (s: Scope) => {
      const a = read(start.fn(s), 'the start of a range');
      const b = read(end.fn(s), 'the end of a range');
      const st = step ? read(step.fn(s), 'the step of a range') : 1;
      if (st === 0) throw new ProblemError('the step of a range must not be 0');
      if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(st)) throw new ProblemError('a range needs finite start, step and end');
      // a little slack so that 0:0.1:1 ends at 1 despite rounding
      const count = Math.max(0, Math.floor((b - a) / st + 1e-10) + 1);
      return { start: a, step: st, count };
    };
    return { parts, resolve };
  }

  private accessor(
    node: MathNode & { object: MathNode; index: MathNode & { dimensions: MathNode[]; dotNotation: boolean } },
    inIndex: boolean,
  ): C {
    if (node.index.dotNotation) this.fail(node, 'property access (a.b) is not allowed');
    const obj = this.node(node.object, inIndex);
    type Dim = { kind: 'range'; resolve: (s: Scope) => { start: number; step: number; count: number } } | { kind: 'value'; fn: Fn };
    const parts: C[] = [obj];
    const dims: Dim[] = node.index.dimensions.map((d) => {
      if (d.type === 'RangeNode') {
        const r = this.range(d as RangeLike, true, true);
        parts.push(...r.parts.map((p) => ({ ...p, end: false })));
        return { kind: 'range', resolve: r.resolve };
      }
      const c = this.node(d, true);
      if (c.dyn) this.fail(node, 'an index may not depend on the variables');
      parts.push({ ...c, end: false });
      return { kind: 'value', fn: c.fn };
    });
    const objFn = obj.fn;
    return this.make(
      node,
      (s) => {
        const x = objFn(s);
        if (dims.length > x.ndim) {
          throw new ProblemError(
            `${dims.length} ${dims.length === 1 ? 'index' : 'indices'} for ${x.ndim === 0 ? 'a single number' : `an array of shape ${shapeText(x.shape)}`}`,
          );
        }
        const saved = s.end;
        const specs: t.IndexSpec[] = [];
        const gathers: { axis: number; list: number[] }[] = [];
        let outAxis = 0;
        try {
          dims.forEach((d, ax) => {
            const n = x.shape[ax]!;
            s.end = n;
            const check = (i: number) => {
              if (i < 1 || i > n) {
                throw new ProblemError(
                  `index ${i} is out of range 1..${n} for dimension ${ax + 1} of shape ${shapeText(x.shape)}`,
                );
              }
            };
            if (d.kind === 'range') {
              const { start, step, count } = d.resolve(s);
              if (count > 0) {
                check(start);
                check(start + (count - 1) * step);
                const b0 = start - 1;
                const stop = b0 + count * step;
                specs.push([b0, stop < 0 ? null : Math.min(stop, n), step]);
              } else {
                specs.push([0, 0, 1]);
              }
              outAxis++;
              return;
            }
            const v = d.fn(s);
            if (v.ndim === 0) {
              const i = constInt(v, 'an index');
              check(i);
              specs.push(i - 1);
              return;
            }
            if (v.ndim === 1) {
              const list = Array.from(v.toFloat64Array(), (i) => {
                if (!Number.isInteger(i)) throw new ProblemError(`index ${i} is not an integer`);
                check(i);
                return i - 1;
              });
              specs.push(null);
              gathers.push({ axis: outAxis, list });
              outAxis++;
              return;
            }
            throw new ProblemError(`an index must be a number, a range or a vector of numbers, got shape ${shapeText(v.shape)}`);
          });
        } finally {
          s.end = saved;
        }
        let r = t.slice(x, ...specs);
        for (const g of gathers) {
          const spec = (i: number): t.IndexSpec[] => r.shape.map((_, a) => (a === g.axis ? [i, i + 1] : null));
          r = g.list.length === 0 ? t.slice(r, ...spec(0).map((sp, a) => (a === g.axis ? [0, 0] : sp))) : t.concatenate(g.list.map((i) => t.slice(r, ...spec(i))), g.axis);
        }
        return r;
      },
      parts,
    );
  }
}

/** A binary + or − (math.js's OperatorNode `add` / `subtract`). */
function isSum(node: MathNode): node is MathNode & { fn: string; args: MathNode[] } {
  const n = node as MathNode & { fn?: unknown; args?: MathNode[] };
  return node.type === 'OperatorNode' && (n.fn === 'add' || n.fn === 'subtract') && n.args?.length === 2;
}

type RangeLike = MathNode & { start: MathNode; end: MathNode; step: MathNode | null };
