/**
 * Problem files (JSON or YAML, same fields) → {@link Problem}. Every field is checked here,
 * at the edge, and each message names the file, the line and column, and the field.
 *
 *   name         string (default: the file name)
 *   description  string (ignored)
 *   variables    { name: start }   start = number | vector | matrix (array of rows) | constant expression
 *   parameters   { name: value }   value = number | vector | matrix | constant expression (may use earlier parameters)
 *   definitions  { name: expression }  named sub-expressions (may use variables, parameters, earlier definitions)
 *   objective    expression (math.js syntax) → one number
 *   residuals    expression → the residual vector of a least-squares problem (instead of objective; f = Σ rᵢ²)
 *   starts       { name: { variable: value } }  further start points
 *   constraints  [ relation | { expr, lower?, upper? } ]  "g <= h", "g == h", "lo <= g <= hi" (relation.ts)
 *   bounds       { variable: { lower?, upper? } }  number (all elements) or array of the variable's shape; null / ±Infinity = none
 *   solution     { f?: number, x?: { variable: value }, stderr?: { variable: value } }
 *   options      { method?, gtol?, maxIter? }  defaults for the CLI
 */
import { basename, extname } from 'node:path';
import { type Tensor, reshape, slice, square, sum, tensor } from '../index.js';
import { type CompiledExpression, type Names, type Scope, compileExpression, compileParsed, parseExpression, reservedName } from './expression.js';
import { compileRelation, isRelation } from './relation.js';
import { type PEntry, type PNode, type Pos, ProblemError, at, describeNode, unknownKey } from './source.js';
import type { Problem, ProblemConstraint, ProblemOptions, VariableInfo } from './types.js';
import { shown, suggestion } from '../text.js';

const FIELDS = ['name', 'description', 'variables', 'parameters', 'definitions', 'objective', 'residuals', 'constraints', 'starts', 'bounds', 'solution', 'options'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A numeric array read from a file: row-major values and shape. */
interface NumArray {
  shape: number[];
  values: Float64Array;
}

/**
 * Builds a problem from a parsed file. `file` is used in messages. Throws
 * {@link ProblemError} for any invalid field, any unknown name or function in an
 * expression, and shape errors found by evaluating the objective once at the start point.
 */
export function problemFromTree(root: PNode, file: string): Problem {
  return new FileReader(file).read(root);
}

/**
 * Reads a point for `problem` from a parsed tree: `{ variable: value, … }` or, for a single
 * variable, the value itself. Variables not given keep their value in `base` (when given;
 * otherwise all are required). Returns the flat point. `file` is used in messages.
 */
export function pointFromTree(node: PNode, problem: Pick<Problem, 'variables' | 'n'>, file: string, field: string, base?: Float64Array): Float64Array {
  return new FileReader(file).point(node, problem.variables, problem.n, field, base);
}

class FileReader {
  constructor(private readonly file: string) {}

  private fail(pos: Pos | null, field: string, what: string): never {
    throw new ProblemError(`${at(this.file, pos)}${field ? `${field}: ` : ''}${what}`);
  }

  read(root: PNode): Problem {
    if (root.kind !== 'object') this.fail(root.pos, '', `a problem file must be an object with the fields variables and objective, got ${describeNode(root)}`);
    const top = root.entries;
    for (const [key, e] of top) {
      if (!FIELDS.includes(key)) {
        this.fail(e.keyPos, '', `unknown field "${shown(key)}"${suggestion(key, FIELDS, '"', 1)}; the fields are ${FIELDS.join(', ')}`);
      }
    }
    const name = this.optionalString(top.get('name'), 'name') ?? basename(this.file, extname(this.file));
    this.optionalString(top.get('description'), 'description');

    // parameters (constants), in order; each may use the ones before it
    const parameters = new Map<string, Tensor>();
    const paramNode = top.get('parameters');
    if (paramNode) {
      for (const [pname, e] of this.objectEntries(paramNode.value, 'parameters')) {
        this.checkName(pname, e.keyPos, 'parameters', parameters, null);
        const field = `parameters.${pname}`;
        const names: Names = { variables: new Map(), parameters, definitions: new Map() };
        const v = this.numericOrExpression(e.value, field, names, 'a parameter');
        parameters.set(pname, v);
      }
    }

    // variables: start values, flattened in declared order
    const varsEntry = top.get('variables');
    if (!varsEntry) this.fail(root.pos, '', 'missing field "variables" (the unknowns and their start values, e.g. "variables": { "x": [-1.2, 1] })');
    const variables: VariableInfo[] = [];
    const starts: Float64Array[] = [];
    const varPos = new Map<string, Pos>();
    let offset = 0;
    const vmap = this.objectEntries(varsEntry.value, 'variables');
    if (vmap.size === 0) this.fail(varsEntry.value.pos, 'variables', 'at least one variable is needed');
    for (const [vname, e] of vmap) {
      this.checkName(vname, e.keyPos, 'variables', parameters, null);
      const field = `variables.${vname}`;
      const names: Names = { variables: new Map(), parameters, definitions: new Map() };
      const v = this.numericOrExpression(e.value, field, names, 'a start value');
      if (v.size === 0) this.fail(e.value.pos, field, 'a variable must have at least one element');
      const values = v.toFloat64Array();
      variables.push({ name: vname, shape: [...v.shape], offset, size: values.length });
      starts.push(values);
      varPos.set(vname, e.value.pos);
      offset += values.length;
    }
    const n = offset;
    const x0 = new Float64Array(n);
    variables.forEach((v, k) => x0.set(starts[k]!, v.offset));

    const slots = new Map(variables.map((v, k) => [v.name, k]));

    // definitions, in order
    const definitions = new Map<string, CompiledExpression>();
    const defNode = top.get('definitions');
    if (defNode) {
      for (const [dname, e] of this.objectEntries(defNode.value, 'definitions')) {
        this.checkName(dname, e.keyPos, 'definitions', parameters, slots);
        if (definitions.has(dname)) this.fail(e.keyPos, 'definitions', `"${shown(dname)}" is defined twice`);
        const text = this.expressionText(e.value, `definitions.${dname}`);
        definitions.set(dname, compileExpression(text, `${at(this.file, e.value.pos)}definitions.${dname}`, { variables: slots, parameters, definitions }));
      }
    }

    // the objective, or the residuals of a least-squares problem
    const objEntry = top.get('objective');
    const resEntry = top.get('residuals');
    if (objEntry && resEntry)
      this.fail(resEntry.keyPos, 'residuals', 'a problem has either "objective" or "residuals", not both (with residuals the objective is their sum of squares)');
    if (!objEntry && !resEntry)
      this.fail(root.pos, '', 'missing field "objective" (one expression in math.js syntax, e.g. "objective": "sum(x.^2)") or "residuals" (the residual vector of a least-squares fit)');
    const entry = (objEntry ?? resEntry)!;
    const field = objEntry ? 'objective' : 'residuals';
    const text = this.expressionText(entry.value, field);
    const where = `${at(this.file, entry.value.pos)}${field}`;
    const compiled = compileExpression(text, where, { variables: slots, parameters, definitions });

    let f: (x: Tensor) => Tensor;
    let residuals: ((x: Tensor) => Tensor) | undefined;
    let m: number | undefined;
    if (objEntry) {
      f = objectiveOf(compiled, variables, where);
      checkScalarAt(f, x0);
    } else {
      const rf = residualsOf(compiled, variables, where);
      m = rf(tensor(x0)).size;
      residuals = rf;
      f = (x: Tensor): Tensor => sum(square(rf(x)));
    }

    const constraints = this.constraints(top.get('constraints'), { variables: slots, parameters, definitions }, variables, x0);
    const startPoints = this.starts(top.get('starts'), variables, n, x0);
    const bounds = this.bounds(top.get('bounds'), variables, n);
    const solution = this.solution(top.get('solution'), variables, n);
    const options = this.options(top.get('options'));
    return {
      name,
      file: this.file,
      variables,
      n,
      x0,
      f,
      ...(residuals ? { residuals, m } : {}),
      ...(startPoints ? { starts: startPoints } : {}),
      bounds,
      solution,
      options,
      where,
      ...(constraints.length ? { constraints } : {}),
    };
  }

  /**
   * The `constraints` list: relations (relation.ts) or `{ expr, lower, upper }` objects. Each
   * is evaluated at x0 (shape errors now, not during a solve); bounds must have one value or
   * one per element, and lower ≤ upper.
   */
  private constraints(e: PEntry | undefined, names: Names, variables: readonly VariableInfo[], x0: Float64Array): ProblemConstraint[] {
    if (!e) return [];
    const list = e.value;
    if (list.kind !== 'array') this.fail(list.pos, 'constraints', `expected a list of relations such as "x[1]^2 + x[2]^2 <= 1" or objects { expr, lower, upper }, got ${describeNode(list)}`);
    return list.items.map((item, k) => {
      const field = `constraints[${k + 1}]`;
      const where = `${at(this.file, item.pos)}${field}`;
      let expr: CompiledExpression;
      let lower: Float64Array | null = null;
      let upper: Float64Array | null = null;
      let text: string;
      const constValues = (t: Tensor | null): Float64Array | null => (t ? t.toFloat64Array() : null);
      if (item.kind === 'string') {
        text = this.expressionText(item, field);
        const rel = compileRelation(text, where, names);
        expr = rel.expr;
        lower = constValues(rel.lower);
        upper = constValues(rel.upper);
      } else if (item.kind === 'object') {
        const exprEntry = item.entries.get('expr');
        for (const [key, ke] of item.entries)
          if (key !== 'expr' && key !== 'lower' && key !== 'upper') this.fail(ke.keyPos, field, unknownKey(key, ['expr', 'lower', 'upper']));
        if (!exprEntry) this.fail(item.pos, field, 'missing "expr" (an expression of the variables)');
        text = this.expressionText(exprEntry.value, `${field}.expr`);
        const ast = parseExpression(text, `${where}.expr`);
        if (isRelation(ast)) this.fail(exprEntry.value.pos, `${field}.expr`, `"${text}" is a relation; give the expression alone and its bounds in lower/upper, or write the relation as a text item`);
        expr = compileParsed(ast, text, `${where}.expr`, names);
        if (!expr.dynamic) this.fail(exprEntry.value.pos, `${field}.expr`, `"${text}" does not depend on the variables`);
        for (const side of ['lower', 'upper'] as const) {
          const se = item.entries.get(side);
          if (!se) continue;
          const a = this.numArray(se.value, `${field}.${side}`, 'bound');
          const v = a.values.map((b) => (Number.isNaN(b) ? (side === 'lower' ? -Infinity : Infinity) : b));
          if (side === 'lower') lower = v;
          else upper = v;
        }
        if (!lower && !upper) this.fail(item.pos, field, 'give lower, upper or both (lower == upper for an equality)');
      } else {
        this.fail(item.pos, field, `expected a relation as text ("g(x) <= 0") or an object { expr, lower, upper }, got ${describeNode(item)}`);
      }
      const fun = expressionOf(expr, variables);
      const size = fun(tensor(x0)).size;
      const fit = (v: Float64Array | null, fill: number, side: string): Float64Array => {
        if (!v) return new Float64Array(size).fill(fill);
        if (v.length === 1) return new Float64Array(size).fill(v[0]!);
        if (v.length !== size)
          this.fail(item.pos, field, `the ${side} bound has ${v.length} values, but "${text}" has ${size}; give one number for all elements or one per element`);
        return v;
      };
      const lo = fit(lower, -Infinity, 'lower');
      const hi = fit(upper, Infinity, 'upper');
      for (let i = 0; i < size; i++) {
        const which = size === 1 ? '' : ` at element ${i + 1}`;
        if (lo[i]! > hi[i]!) this.fail(item.pos, field, `lower bound ${lo[i]} > upper bound ${hi[i]}${which} in "${text}"`);
        if (lo[i] === Infinity || hi[i] === -Infinity) this.fail(item.pos, field, `the bound ${lo[i] === Infinity ? 'lower = Infinity' : 'upper = -Infinity'}${which} leaves no feasible value`);
        if (Number.isNaN(lo[i]!) || Number.isNaN(hi[i]!)) this.fail(item.pos, field, `a bound is NaN${which}`);
      }
      return { fun, lower: lo, upper: hi, name: `${field} "${text}"`, where };
    });
  }

  // ---------------------------------------------------------------- field readers

  private optionalString(e: PEntry | undefined, field: string): string | undefined {
    if (!e) return undefined;
    if (e.value.kind !== 'string') this.fail(e.value.pos, field, `expected text, got ${describeNode(e.value)}`);
    return e.value.value;
  }

  private objectEntries(node: PNode, field: string): ReadonlyMap<string, PEntry> {
    if (node.kind !== 'object') this.fail(node.pos, field, `expected an object of named values, got ${describeNode(node)}`);
    return node.entries;
  }

  private checkName(name: string, pos: Pos, field: string, parameters: ReadonlyMap<string, unknown>, variables: ReadonlyMap<string, unknown> | null): void {
    if (!IDENT.test(name)) this.fail(pos, field, `"${shown(name)}" is not a valid name (letters, digits and _, not starting with a digit)`);
    const r = reservedName(name);
    if (r) this.fail(pos, field, `the name "${name}" is taken by ${r}; choose another`);
    if (parameters.has(name)) this.fail(pos, field, `the name "${name}" is already a parameter`);
    if (variables?.has(name)) this.fail(pos, field, `the name "${name}" is already a variable`);
  }

  private expressionText(node: PNode, field: string): string {
    if (node.kind !== 'string') this.fail(node.pos, field, `expected an expression as text, got ${describeNode(node)}`);
    if (node.value.trim() === '') this.fail(node.pos, field, 'the expression is empty');
    return node.value;
  }

  /** A number / nested array, or a constant expression; finite values only. */
  private numericOrExpression(node: PNode, field: string, names: Names, what: string): Tensor {
    if (node.kind === 'string') {
      const c = compileExpression(node.value, `${at(this.file, node.pos)}${field}`, names);
      const v = c.evaluate({ vars: [], defs: new Map(), end: NaN });
      const vals = v.toFloat64Array();
      const bad = vals.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) this.fail(node.pos, field, `element ${bad + 1} of the value is ${vals[bad]}; ${what} must be finite`);
      return v;
    }
    const a = this.numArray(node, field, 'finite');
    return reshape(tensor(a.values), a.shape);
  }

  /**
   * A rectangular nested array of numbers (or one number). `mode` says what else elements
   * may be: 'finite' → only finite numbers; 'bound' → also null and ±Infinity.
   */
  private numArray(node: PNode, field: string, mode: 'finite' | 'bound'): NumArray {
    const shape: number[] = [];
    let cur: PNode = node;
    while (cur.kind === 'array') {
      shape.push(cur.items.length);
      if (cur.items.length === 0) this.fail(cur.pos, field, 'empty arrays are not allowed');
      cur = cur.items[0]!;
    }
    const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
    let k = 0;
    const label = (idx: number[]) =>
      idx.length === 0 ? 'the value' : idx.length === 1 ? `element ${idx[0]}` : idx.length === 2 ? `row ${idx[0]}, column ${idx[1]}` : `element [${idx.join(', ')}]`;
    const walk = (nd: PNode, depth: number, idx: number[]): void => {
      if (depth === shape.length) {
        if (nd.kind === 'number') {
          if (Number.isNaN(nd.value)) this.fail(nd.pos, field, `${label(idx)} is NaN`);
          if (mode === 'finite' && !Number.isFinite(nd.value)) this.fail(nd.pos, field, `${label(idx)} is ${nd.value}; values must be finite`);
          values[k++] = nd.value;
          return;
        }
        if (mode === 'bound' && nd.kind === 'null') {
          values[k++] = NaN; // "no bound", resolved by the caller
          return;
        }
        if (nd.kind === 'array') this.fail(nd.pos, field, `ragged array: ${label(idx)} is an array, but earlier elements at this depth are numbers`);
        this.fail(nd.pos, field, `${label(idx)} must be a number, got ${describeNode(nd)}`);
      }
      if (nd.kind !== 'array' || nd.items.length !== shape[depth]) {
        this.fail(
          nd.pos,
          field,
          `ragged array: ${label(idx)} ${nd.kind === 'array' ? `has ${nd.items.length} elements` : `is ${describeNode(nd)}`}, expected an array of ${shape[depth]} (every row must have the same length)`,
        );
      }
      nd.items.forEach((it, i) => walk(it, depth + 1, [...idx, i + 1]));
    };
    walk(node, 0, []);
    return { shape, values };
  }

  private bounds(e: PEntry | undefined, variables: readonly VariableInfo[], n: number): Problem['bounds'] {
    if (!e) return null;
    const lower = new Float64Array(n).fill(-Infinity);
    const upper = new Float64Array(n).fill(Infinity);
    const byName = new Map(variables.map((v) => [v.name, v]));
    for (const [vname, be] of this.objectEntries(e.value, 'bounds')) {
      const v = byName.get(vname);
      if (!v) this.fail(be.keyPos, 'bounds', `"${shown(vname)}" is not a variable (variables: ${variables.map((x) => x.name).join(', ')})`);
      const spec = this.objectEntries(be.value, `bounds.${vname}`);
      for (const [k, side] of spec) {
        if (k !== 'lower' && k !== 'upper') this.fail(side.keyPos, `bounds.${vname}`, unknownKey(k, ['lower', 'upper']));
        const field = `bounds.${vname}.${k}`;
        const a = this.numArray(side.value, field, 'bound');
        const target = k === 'lower' ? lower : upper;
        if (a.shape.length === 0) {
          const b = Number.isNaN(a.values[0]!) ? (k === 'lower' ? -Infinity : Infinity) : a.values[0]!;
          target.fill(b, v.offset, v.offset + v.size);
        } else {
          if (a.values.length !== v.size || (a.shape.length > 1 && a.shape.join() !== v.shape.join())) {
            this.fail(
              side.value.pos,
              field,
              `has shape [${a.shape.join(', ')}] (${a.values.length} element${a.values.length === 1 ? '' : 's'}), but variable ${vname} has shape [${v.shape.join(', ')}] (${v.size} element${v.size === 1 ? '' : 's'}); give one number for all elements or one per element`,
            );
          }
          for (let i = 0; i < v.size; i++) {
            const b = a.values[i]!;
            target[v.offset + i] = Number.isNaN(b) ? (k === 'lower' ? -Infinity : Infinity) : b;
          }
        }
        if (k === 'lower' && lower.subarray(v.offset, v.offset + v.size).some((b) => b === Infinity)) {
          this.fail(side.value.pos, field, 'a lower bound of +Infinity leaves no feasible point');
        }
        if (k === 'upper' && upper.subarray(v.offset, v.offset + v.size).some((b) => b === -Infinity)) {
          this.fail(side.value.pos, field, 'an upper bound of -Infinity leaves no feasible point');
        }
      }
      for (let i = 0; i < v.size; i++) {
        const lo = lower[v.offset + i]!;
        const hi = upper[v.offset + i]!;
        if (lo > hi) {
          const which = v.size === 1 ? '' : ` at ${elementLabel(v.shape, i)}`;
          this.fail(be.value.pos, `bounds.${vname}`, `lower bound ${lo} > upper bound ${hi}${which}`);
        }
      }
    }
    return { lower, upper };
  }

  /** `starts`: name → a point by variable (variables left out keep their value in x0). */
  private starts(e: PEntry | undefined, variables: readonly VariableInfo[], n: number, x0: Float64Array): Map<string, Float64Array> | undefined {
    if (!e) return undefined;
    const out = new Map<string, Float64Array>();
    for (const [sname, se] of this.objectEntries(e.value, 'starts')) {
      if (!IDENT.test(sname)) this.fail(se.keyPos, 'starts', `"${shown(sname)}" is not a valid name (letters, digits and _, not starting with a digit)`);
      out.set(sname, this.point(se.value, variables, n, `starts.${sname}`, x0));
    }
    return out;
  }

  private solution(e: PEntry | undefined, variables: readonly VariableInfo[], n: number): Problem['solution'] {
    if (!e) return {};
    const out: { f?: number; x?: Float64Array; stderr?: Float64Array } = {};
    for (const [k, se] of this.objectEntries(e.value, 'solution')) {
      if (k === 'f') {
        if (se.value.kind !== 'number' || !Number.isFinite(se.value.value)) this.fail(se.value.pos, 'solution.f', `expected a finite number, got ${describeNode(se.value)}`);
        out.f = se.value.value;
      } else if (k === 'x') {
        out.x = this.point(se.value, variables, n, 'solution.x');
      } else if (k === 'stderr') {
        out.stderr = this.point(se.value, variables, n, 'solution.stderr');
      } else {
        this.fail(se.keyPos, 'solution', unknownKey(k, ['f', 'x', 'stderr']));
      }
    }
    return out;
  }

  /**
   * A point: `{ variable: value, … }` (all variables), or for a single variable its value
   * directly. Returns it flat.
   */
  point(node: PNode, variables: readonly VariableInfo[], n: number, field: string, base?: Float64Array): Float64Array {
    const x = base ? base.slice() : new Float64Array(n);
    if (node.kind !== 'object') {
      if (variables.length !== 1) this.fail(node.pos, field, `expected an object with a value for each variable (${variables.map((v) => v.name).join(', ')})`);
      this.setVariable(x, variables[0]!, node, field);
      return x;
    }
    const seen = new Set<string>();
    for (const [vname, e] of node.entries) {
      const v = variables.find((w) => w.name === vname);
      if (!v) this.fail(e.keyPos, field, `"${shown(vname)}" is not a variable (variables: ${variables.map((w) => w.name).join(', ')})`);
      this.setVariable(x, v, e.value, `${field}.${vname}`);
      seen.add(vname);
    }
    if (!base) {
      const missing = variables.filter((v) => !seen.has(v.name));
      if (missing.length) this.fail(node.pos, field, `missing a value for ${missing.map((v) => v.name).join(', ')}`);
    }
    return x;
  }

  private setVariable(x: Float64Array, v: VariableInfo, node: PNode, field: string): void {
    const a = this.numArray(node, field, 'finite');
    if (a.values.length !== v.size || a.shape.join() !== v.shape.join()) {
      this.fail(node.pos, field, `has shape [${a.shape.join(', ')}], but variable ${v.name} has shape [${v.shape.join(', ')}]`);
    }
    x.set(a.values, v.offset);
  }

  private options(e: PEntry | undefined): ProblemOptions {
    if (!e) return {};
    const out: ProblemOptions = {};
    for (const [k, oe] of this.objectEntries(e.value, 'options')) {
      const field = `options.${k}`;
      const node = oe.value;
      if (k === 'method') {
        if (node.kind !== 'string') this.fail(node.pos, field, `expected a method name, got ${describeNode(node)}`);
        out.method = node.value;
      } else if (k === 'gtol') {
        if (node.kind !== 'number' || !(node.value > 0) || !Number.isFinite(node.value)) this.fail(node.pos, field, `expected a positive number, got ${describeNode(node)}`);
        out.gtol = node.value;
      } else if (k === 'maxIter') {
        if (node.kind !== 'number' || !Number.isInteger(node.value) || node.value < 0) this.fail(node.pos, field, `expected a non-negative integer, got ${describeNode(node)}`);
        out.maxIter = node.value;
      } else {
        this.fail(oe.keyPos, 'options', unknownKey(k, ['method', 'gtol', 'maxIter'], 'option'));
      }
    }
    return out;
  }
}

/** `element 3` / `row 2, column 1` for flat index i of a variable of `shape`. */
export function elementLabel(shape: readonly number[], i: number): string {
  if (shape.length <= 1) return `element ${i + 1}`;
  if (shape.length === 2) return `row ${Math.floor(i / shape[1]!) + 1}, column ${(i % shape[1]!) + 1}`;
  const idx: number[] = [];
  let r = i;
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift((r % shape[a]!) + 1);
    r = Math.floor(r / shape[a]!);
  }
  return `element [${idx.join(', ')}]`;
}

/** The compiled expression as a function of the flat vector, sliced into the variables in their shapes. */
function expressionOf(compiled: CompiledExpression, variables: readonly VariableInfo[]): (x: Tensor) => Tensor {
  const single = variables.length === 1;
  return (x: Tensor): Tensor => {
    const vars = single
      ? [reshape(x, variables[0]!.shape)]
      : variables.map((v) => reshape(slice(x, [v.offset, v.offset + v.size]), v.shape));
    const scope: Scope = { vars, defs: new Map(), end: NaN };
    return compiled.evaluate(scope);
  };
}

/**
 * The objective as a function of the flat vector: slices it into the variables (in their
 * shapes) and evaluates the compiled expression.
 */
export function objectiveOf(compiled: CompiledExpression, variables: readonly VariableInfo[], where: string): (x: Tensor) => Tensor {
  const value = expressionOf(compiled, variables);
  return (x: Tensor): Tensor => {
    const y = value(x);
    if (y.size !== 1) {
      throw new ProblemError(
        `${where}: must be a single number, but it is an array of shape [${y.shape.join(', ')}]${y.ndim === 1 ? ' (sum(...) or a dot product makes a number)' : ''}`,
      );
    }
    return y.ndim === 0 ? y : reshape(y, []);
  };
}

/**
 * The residuals as a function of the flat vector: like {@link objectiveOf}, but the value
 * must be an array (one entry per residual, any shape); a single number is an error.
 */
export function residualsOf(compiled: CompiledExpression, variables: readonly VariableInfo[], where: string): (x: Tensor) => Tensor {
  const value = expressionOf(compiled, variables);
  return (x: Tensor): Tensor => {
    const y = value(x);
    if (y.ndim === 0)
      throw new ProblemError(`${where}: must be the vector of residuals (one entry per observation), but it is a single number; give the residuals, not their sum of squares`);
    return y;
  };
}

/** Evaluates f at x0 without recording (a constant argument), so shape errors show up at load time. */
export function checkScalarAt(f: (x: Tensor) => Tensor, x0: Float64Array): void {
  f(tensor(x0));
}
