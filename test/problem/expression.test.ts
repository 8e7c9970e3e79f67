/**
 * The expression language: math.js syntax mapped onto tayopt operations. Values are checked
 * against hand-computed results (closed forms), gradients against central differences.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { centralDiff, errorOf, evaluate, gradAt, problemOf, valueAt } from './helpers.js';

const x5 = { x: [10, 20, 30, 40, 50] };
const A = { A: [[1, 2, 3], [4, 5, 6]] };

describe('indexing and ranges (1-based, inclusive, as in math.js)', () => {
  it.each([
    ['x[1]', 10],
    ['x[end]', 50],
    ['x[end-1]', 40],
    ['x[2:4]', [20, 30, 40]],
    ['x[2:end]', [20, 30, 40, 50]],
    ['x[1:end-1]', [10, 20, 30, 40]],
    ['x[1:2:end]', [10, 30, 50]],
    ['x[2:2:end]', [20, 40]],
    ['x[end:-1:1]', [50, 40, 30, 20, 10]],
    ['x[end:-2:1]', [50, 30, 10]],
    ['x[[1, 3, 3]]', [10, 30, 30]],
    ['x[:]', [10, 20, 30, 40, 50]],
    ['sum(x[3:2])', 0],
    ['x[min(2, end)]', 20],
  ])('%s', (expr, want) => {
    expect(evaluate(expr, x5)).toEqual(want);
  });

  it.each([
    ['A[2, 3]', 6],
    ['A[1, :]', [1, 2, 3]],
    ['A[:, 2]', [2, 5]],
    ['A[2]', [4, 5, 6]],
    ['A[:, 2:end]', [[2, 3], [5, 6]]],
    ['A[end, end]', 6],
    ['A[:, [3, 1]]', [[3, 1], [6, 4]]],
    ["A'", [[1, 4], [2, 5], [3, 6]]],
    ['(A * 2)[1, 2]', 4],
  ])('%s', (expr, want) => {
    expect(evaluate(expr, A)).toEqual(want);
  });

  it('ranges outside an index are constant vectors (start:step:end)', () => {
    expect(evaluate('1:5')).toEqual([1, 2, 3, 4, 5]);
    expect(evaluate('0:0.5:2')).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(evaluate('5:-2:1')).toEqual([5, 3, 1]);
    expect(evaluate('sum(1:100)')).toBe(5050);
  });

  it('out-of-range and non-integer indices are errors naming the expression and the shape', () => {
    expect(errorOf(() => evaluate('x[6]', x5))).toMatch(/in `x\[6\]`: index 6 is out of range 1\.\.5 for dimension 1 of shape \[5\]/);
    expect(errorOf(() => evaluate('x[0]', x5))).toMatch(/index 0 is out of range 1\.\.5/);
    expect(errorOf(() => evaluate('x[end+1]', x5))).toMatch(/index 6 is out of range/);
    expect(errorOf(() => evaluate('x[2:7]', x5))).toMatch(/index 7 is out of range 1\.\.5/);
    expect(errorOf(() => evaluate('A[3, 1]', A))).toMatch(/index 3 is out of range 1\.\.2 for dimension 1 of shape \[2, 3\]/);
    expect(errorOf(() => evaluate('A[1, 4]', A))).toMatch(/index 4 is out of range 1\.\.3 for dimension 2/);
    expect(errorOf(() => evaluate('x[1.5]', x5))).toMatch(/an index must be an integer, got 1\.5/);
    expect(errorOf(() => evaluate('A[1, 1, 1]', A))).toMatch(/3 indices for an array of shape \[2, 3\]/);
    expect(errorOf(() => evaluate('x[1:0:3]', x5))).toMatch(/step of a range must not be 0/);
  });

  it('an index may not depend on the variables', () => {
    const m = errorOf(() => problemOf({ variables: { x: [1, 2] }, objective: 'x[x[1]]' }));
    expect(m).toMatch(/an index may not depend on the variables/);
  });

  it('end outside an index is an error', () => {
    expect(errorOf(() => evaluate('end + 1', x5))).toMatch(/`end` is only meaningful inside an index/);
  });
});

describe('operators', () => {
  const v = { x: [1, 2, 3], A: [[1, 2, 3], [4, 5, 6]], B: [[2, 1], [1, 3]], B2: [[1, 0, 0], [0, 2, 0], [0, 0, 3]] };
  it.each([
    ['A * x', [14, 32]],
    ["x' * x", 14],
    ["x' * B2 * x", 1 * 1 + 2 * 2 * 2 + 3 * 3 * 3],
    ['dot(x, x)', 14],
    ['2 * A', [[2, 4, 6], [8, 10, 12]]],
    ['A .* A', [[1, 4, 9], [16, 25, 36]]],
    ['A ./ 2', [[0.5, 1, 1.5], [2, 2.5, 3]]],
    ['A / 2', [[0.5, 1, 1.5], [2, 2.5, 3]]],
    ['x .^ 2', [1, 4, 9]],
    ['2 .^ x', [2, 4, 8]],
    ['A + x', [[2, 4, 6], [5, 7, 9]]],
    ['A - 1', [[0, 1, 2], [3, 4, 5]]],
    ['2^3', 8],
    ['2^-1', 0.5],
    ['-2^2', -4],
    ['2^3^2', 512],
    ['B^2', [[5, 5], [5, 10]]],
    ['B^0', [[1, 0], [0, 1]]],
    ['B^3', [[15, 20], [20, 35]]],
    ['3x[2]', 6],
    ['+x[1]', 1],
    ['x > 2', [0, 0, 1]],
    ['x >= 2', [0, 1, 1]],
    ['x < 2', [1, 0, 0]],
    ['x <= 2', [1, 1, 0]],
    ['x == 2', [0, 1, 0]],
    ['x != 2', [1, 0, 1]],
    ['1 < 2 < 3', 1],
    ['1 < 3 < 2', 0],
    ['1 and 0', 0],
    ['1 or 0', 1],
    ['not 0', 1],
    ['1 xor 1', 0],
    ['7 mod 3', 1],
    ['-7 % 3', 2],
    ['true + 1', 2],
    ['pi', Math.PI],
    ['e', Math.E],
  ])('%s', (expr, want) => {
    const got = evaluate(expr, v);
    if (typeof want === 'number' && !Number.isInteger(want)) expect(got as number).toBeCloseTo(want, 14);
    else expect(got).toEqual(want);
  });

  it('A / B multiplies by the inverse of a square matrix (math.js)', () => {
    const got = evaluate('B / B', v) as number[][];
    expect(got[0]![0]).toBeCloseTo(1, 14);
    expect(got[0]![1]).toBeCloseTo(0, 14);
    expect(got[1]![1]).toBeCloseTo(1, 14);
  });

  it('^ on a vector is an error that points to .^; mismatched products name the shapes', () => {
    expect(errorOf(() => evaluate('x^2', v))).toMatch(/in `x \^ 2`: \^: shapes \[3\] and \[\]: .*write \.\^/);
    expect(errorOf(() => evaluate('A^2', v))).toMatch(/shapes \[2, 3\] and \[\]/);
    expect(errorOf(() => evaluate('B^0.5', v))).toMatch(/constant integer exponent/);
    expect(errorOf(() => evaluate('A * A', v))).toMatch(/shapes \[2, 3\] and \[2, 3\] do not align for the matrix product \(3 ≠ 2\)/);
    expect(errorOf(() => evaluate('x + [1, 2]', v))).toMatch(/in `x \+ \[1, 2\]`: add: shapes \[3\] and \[2\] do not broadcast/);
    expect(errorOf(() => evaluate('[x, [1, 2]]', v))).toMatch(/the elements have different shapes \[3\] and \[2\]/);
    expect(errorOf(() => evaluate('x / x', v))).toMatch(/cannot divide by an array of shape \[3\]/);
  });

  it('* between two vectors is an error that points to .* and dot(a, b) (math.js would take the dot product)', () => {
    const msg = /in `x \* x`: \*: both sides are vectors \(shapes \[3\] and \[3\]\): for the elementwise product write \.\*, for the dot product dot\(a, b\)/;
    expect(errorOf(() => evaluate('x * x', v))).toMatch(msg);
    // the residual footgun: b*x*x with x a data vector
    expect(errorOf(() => evaluate('2 * x * x', v))).toMatch(/both sides are vectors/);
    expect(errorOf(() => evaluate("x * x'", v))).toMatch(/both sides are vectors/);
    expect(errorOf(() => evaluate("(A * x) * (A * x)", v))).toMatch(/both sides are vectors/);
    expect(evaluate('x .* x', v)).toEqual([1, 4, 9]);
  });

  it('matrix literals stack their elements like math.js', () => {
    expect(evaluate('[1, 2; 3, 4]')).toEqual([[1, 2], [3, 4]]);
    expect(evaluate('[[1, 2], [3, 4]]')).toEqual([[1, 2], [3, 4]]);
    expect(evaluate('[1; 2]')).toEqual([[1], [2]]);
    expect(evaluate('[x, 2 * x]', { x: [1, 2] })).toEqual([[1, 2], [2, 4]]);
  });
});

describe('functions', () => {
  const v = { x: [3, -4], A: [[1, 2, 3], [4, 5, 6]], S: [[4, 1], [1, 3]] };
  it.each([
    ['exp([0, 1])', [1, Math.E]],
    ['log(e^2)', 2],
    ['log(8, 2)', 3],
    ['log2(8)', 3],
    ['log10(1000)', 3],
    ['sqrt([4, 9])', [2, 3]],
    ['abs(x)', [3, 4]],
    ['sign(x)', [1, -1]],
    ['square(x)', [9, 16]],
    ['cube(2)', 8],
    ['cbrt(-8)', -2],
    ['hypot(3, 4)', 5],
    ['hypot(x)', 5],
    ['atan2(1, 1)', Math.PI / 4],
    ['sin(pi/2)', 1],
    ['sum(A)', 21],
    ['sum(A, 1)', [5, 7, 9]],
    ['sum(A, 2)', [6, 15]],
    ['sum(1, 2, 3)', 6],
    ['prod([1, 2, 3, 4])', 24],
    ['prod(A, 2)', [6, 120]],
    ['mean(A)', 3.5],
    ['mean(A, 1)', [2.5, 3.5, 4.5]],
    ['mean(1, 2, 6)', 3],
    ['max(A)', 6],
    ['max(A, 1)', [4, 5, 6]],
    ['max(A, 2)', [3, 6]],
    ['min(x)', -4],
    ['min(3, 1, 2)', 1],
    ['max([5, 1, 9, 2, 7, 3, 8])', 9],
    ['norm(x)', 5],
    ['norm(x, 1)', 7],
    ['norm(x, Infinity)', 4],
    ['norm(x, 3)', Math.cbrt(27 + 64)],
    ["norm(A, 'fro')", Math.sqrt(91)],
    ['norm(A, 1)', 9],
    ['norm(A, Infinity)', 15],
    ['trace(S)', 7],
    ['det(S)', 11],
    ['inv(S)', [[3 / 11, -1 / 11], [-1 / 11, 4 / 11]]],
    ['lusolve(S, [5, 4])', [1, 1]],
    ['diag(S)', [4, 3]],
    ['diag([1, 2])', [[1, 0], [0, 2]]],
    ['identity(2)', [[1, 0], [0, 1]]],
    ['identity(2, 3)', [[1, 0, 0], [0, 1, 0]]],
    ['zeros(2, 3)', [[0, 0, 0], [0, 0, 0]]],
    ['ones(2)', [1, 1]],
    ['zeros([1, 2])', [[0, 0]]],
    ['size(A)', [2, 3]],
    ['count(A)', 6],
    ['reshape(A, [3, 2])', [[1, 2], [3, 4], [5, 6]]],
    ['reshape(A, [-1])', [1, 2, 3, 4, 5, 6]],
    ['flatten(A)', [1, 2, 3, 4, 5, 6]],
    ['concat(x, x)', [3, -4, 3, -4]],
    ['concat(A, A, 1)', [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]],
    ['concat(A, [[7], [8]])', [[1, 2, 3, 7], [4, 5, 6, 8]]],
    ['mod([7, -7], 3)', [1, 2]],
    ['floor(2.7)', 2],
    ['ceil(2.1)', 3],
    ['round(-2.5)', -3],
    ['fix(-2.7)', -2],
    ['transpose(A)', [[1, 4], [2, 5], [3, 6]]],
    ['multiply(S, [1, 1])', [5, 4]],
    ['dotPow(x, 2)', [9, 16]],
    ['sigmoid(0)', 0.5],
    ['softplus(0)', Math.LN2],
  ])('%s', (expr, want) => {
    const got = evaluate(expr, v);
    const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
    expect(JSON.stringify(shapeOf(got))).toBe(JSON.stringify(shapeOf(want)));
    const g = flat(got);
    flat(want).forEach((w, i) => expect(g[i]).toBeCloseTo(w, 12));
  });

  it('the matrix 2-norm is the largest singular value', () => {
    // [[3, 0], [4, 5]] has singular values √45 and √5
    expect(evaluate('norm([3, 0; 4, 5])') as number).toBeCloseTo(Math.sqrt(45), 12);
  });

  it('unknown functions, wrong argument counts and misused names are errors that name them', () => {
    expect(errorOf(() => evaluate('foo(1)'))).toMatch(/unknown function `foo`/);
    expect(errorOf(() => evaluate('ecp(1)'))).toMatch(/unknown function `ecp` \(did you mean exp\?\)/);
    expect(errorOf(() => evaluate('exp(1, 2)'))).toMatch(/exp takes 1 argument, got 2/);
    expect(errorOf(() => evaluate('atan2(1)'))).toMatch(/atan2 takes 2 arguments, got 1/);
    expect(errorOf(() => evaluate('exp + 1'))).toMatch(/`exp` is a function; call it as exp\(…\)/);
    expect(errorOf(() => evaluate('x(1)', { x: [1, 2] }))).toMatch(/`x` is not a function; index it with square brackets/);
    expect(errorOf(() => evaluate('y + 1', { x: [1, 2] }))).toMatch(/unknown variable `y`; known names are variables: x/);
    expect(errorOf(() => evaluate('sum(x, 3)', { x: [[1]] }))).toMatch(/sum: dimension 3 is out of range for shape \[1, 1\]/);
    expect(errorOf(() => evaluate("norm(x, 'max')", { x: [1] }))).toMatch(/unknown norm 'max'/);
    expect(errorOf(() => evaluate("exp('a')"))).toMatch(/argument 1 of exp cannot be text/);
    expect(errorOf(() => evaluate('det([1, 2])'))).toMatch(/det: expects a square matrix, got shape \[2\]/);
    expect(errorOf(() => evaluate('inv([1, 2; 2, 4])'))).toMatch(/inv: matrix is singular/);
  });

  it('constant-only functions reject the variables', () => {
    const m = errorOf(() => problemOf({ variables: { x: [1.5] }, objective: 'sum(floor(x))' }));
    expect(m).toMatch(/floor: argument 1 depends on the variables/);
  });
});

describe('what a problem file may not do', () => {
  it.each([
    ['a = 2', /assignments \(a = …\) are not allowed/],
    ['x[1] = 2', /assignments \(a = …\) are not allowed/],
    ['f(x) = x^2', /function definitions \(f\(x\) = …\) are not allowed/],
    ['1; 2', /several statements/],
    ['1\n2', /several statements/],
    ['{a: 1}', /objects \(\{…\}\) are not allowed/],
    ['x.a', /property access \(a\.b\) is not allowed/],
    ['x.map(exp)', /only named functions can be called/],
    ['evaluate("1+1")', /unknown function `evaluate`/],
    ['import("fs")', /unknown function `import`/],
    ['parse("1")', /unknown function `parse`/],
    ['compile("1")', /unknown function `compile`/],
    ['createUnit("foo")', /unknown function `createUnit`/],
    ['"text"', /text \("text"\) is not a value here/],
    ['1 to 2', /the operator to is not supported/],
    ['3!', /the operator ! is not supported/],
    ['1 | 2', /the operator \| is not supported/],
    ['x ?? 1', /the operator \?\? is not supported/],
    ['constructor(1)', /unknown function `constructor`/],
    ['__proto__ + 1', /unknown variable `__proto__`/],
    ['toString(x)', /unknown function `toString`/],
    ['x[1', /syntax error at character 4 of the expression: Parenthesis \] expected/],
  ])('%s', (expr, pattern) => {
    expect(errorOf(() => evaluate(expr, { x: [1, 2] }))).toMatch(pattern);
  });
});

describe('conditionals', () => {
  it('a single-number condition takes one branch and differentiates along it', () => {
    const p = problemOf({ variables: { x: [2] }, objective: 'x[1] > 0 ? x[1]^3 : -x[1]' });
    expect(valueAt(p, [2])).toBe(8);
    expect(valueAt(p, [-2])).toBe(2);
    expect(gradAt(p, [2])[0]).toBe(12);
    expect(gradAt(p, [-2])[0]).toBe(-1);
  });

  it('one objective evaluated on both sides of the branch follows each side (no stale replay)', () => {
    const p = problemOf({ variables: { x: [2] }, objective: 'x[1] > 0 ? x[1]^3 : -x[1]' });
    const obj = t.objective(p.f, p.x0);
    const g = new Float64Array(1);
    const seq: number[][] = [];
    for (const x of [2, -2, 3, -0.5, 2]) {
      const f = obj.valueAndGrad(Float64Array.of(x), g);
      seq.push([f, g[0]!]);
    }
    expect(seq).toEqual([[8, 12], [2, -1], [27, 27], [0.5, -1], [8, 12]]);
    const hv = new Float64Array(1);
    obj.hvp(Float64Array.of(2), Float64Array.of(1), hv);
    expect(hv[0]).toBe(12);
    obj.hvp(Float64Array.of(-2), Float64Array.of(1), hv);
    expect(hv[0]).toBe(0);
  });

  it('the branch not taken is not evaluated, so its NaN cannot poison the gradient', () => {
    const p = problemOf({ variables: { x: [-1] }, objective: 'x[1] > 0 ? sqrt(x[1]) : x[1]^2' });
    expect(valueAt(p)).toBe(1);
    expect(Array.from(gradAt(p))).toEqual([-2]);
  });

  it('an array condition selects elementwise', () => {
    expect(evaluate('x > 2 ? x : 0', { x: [1, 2, 3, 4] })).toEqual([0, 0, 3, 4]);
    const p = problemOf({ variables: { x: [1, 3] }, objective: 'sum(x > 2 ? x.^2 : 5 * x)' });
    expect(valueAt(p)).toBe(5 + 9);
    expect(Array.from(gradAt(p))).toEqual([5, 6]);
  });
});

describe('gradients of problem-file objectives equal central differences', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['elementwise functions and reductions', { x: [0.3, -0.7, 1.1] }, {}, 'sum(exp(x) .* sin(x)) + prod(x)^2 + norm(x) + log(1 + x.^2)[2] + max(x)^2 + mean(tanh(x))'],
    ['slices and stepped slices', { x: [0.5, 1.5, -0.5, 2, 0.1, -1] }, {}, 'sum((x[2:end] - x[1:end-1].^2).^2) + sum(x[1:2:end] .* x[2:2:end]) + x[end:-1:1]\' * (1:6)\''],
    ['matrix variables, products, transpose and linear algebra', { X: [[2, 0.5], [0.3, 1.5]], v: [1, -2] }, { S: [[4, 1], [1, 3]] }, "trace(S * X * X') - log(det(X * X')) + v' * inv(X) * v + sum((X * v).^2) + norm(X, 'fro')"],
    ['powers and divisions', { x: [1.3, 0.7] }, {}, 'x[1]^x[2] + x[2]^3 / x[1] + sqrt(x[1]) * cbrt(x[2]) + atan2(x[2], x[1])'],
    ['data fit with definitions', { b: [2, 0.3] }, { t: [0, 1, 2, 3], y: [2.1, 1.5, 1.1, 0.8] }, 'sum(r.^2)'],
  ];
  it.each(cases)('%s', (_name, variables, parameters, objective) => {
    const spec: Record<string, unknown> = { variables, parameters, objective };
    if (objective === 'sum(r.^2)') spec['definitions'] = { r: 'y - b[1] * exp(-b[2] * t)' };
    const p = problemOf(spec);
    const g = gradAt(p);
    const fd = centralDiff((x) => valueAt(p, x), p.x0, 1e-6);
    for (let i = 0; i < p.n; i++) expect(Math.abs(g[i]! - fd[i]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd[i]!)));
  });

  it('constant sub-expressions are computed once but variable ones at every point', () => {
    const p = problemOf({ variables: { x: [1, 2] }, parameters: { c: [3, 4] }, objective: 'sum((x - c .* (1:2)).^2)' });
    expect(valueAt(p, [1, 2])).toBe(4 + 36);
    expect(valueAt(p, [3, 8])).toBe(0);
    expect(valueAt(p, [1, 2])).toBe(40);
  });
});

function shapeOf(a: unknown): number[] {
  return Array.isArray(a) ? [a.length, ...shapeOf(a[0])] : [];
}
