/** Problem files: fields, flattening, bounds, solutions, and errors that name file:line:col and field. */
import { describe, expect, it } from 'vitest';
import { byVariable, elementName } from '../../src/problem/index.js';
import { errorOf, gradAt, problemFromJson, problemFromYaml, problemOf, valueAt } from './helpers.js';

const ISSUE_EXAMPLE = `{
  "name": "rosenbrock",
  "variables": { "x": [-1.2, 1] },
  "parameters": { "c": 100 },
  "objective": "c*(x[2]-x[1]^2)^2 + (1-x[1])^2",
  "bounds": { "x": { "lower": [-2, -2], "upper": [2, 2] } },
  "solution": { "f": 0 }
}`;

describe('reading a problem file', () => {
  it("reads the issue's example: value and gradient at x0 are Rosenbrock's closed forms", () => {
    const p = problemFromJson(ISSUE_EXAMPLE, 'rosenbrock.json');
    expect(p.name).toBe('rosenbrock');
    expect(Array.from(p.x0)).toEqual([-1.2, 1]);
    // f = 100(1 - 1.44)^2 + 2.2^2 = 19.36 + 4.84; ∇f = (-400 x1 (x2 - x1²) - 2(1 - x1), 200 (x2 - x1²))
    expect(valueAt(p)).toBeCloseTo(24.2, 12);
    const g = gradAt(p);
    expect(g[0]).toBeCloseTo(-400 * -1.2 * (1 - 1.44) - 2 * 2.2, 10);
    expect(g[1]).toBeCloseTo(200 * (1 - 1.44), 10);
    expect(Array.from(p.bounds!.lower)).toEqual([-2, -2]);
    expect(Array.from(p.bounds!.upper)).toEqual([2, 2]);
    expect(p.solution).toEqual({ f: 0 });
    expect(p.where).toBe('rosenbrock.json:5:16: objective');
  });

  it('YAML with the same fields gives the same problem', () => {
    const p = problemFromYaml(
      'name: rosenbrock\nvariables:\n  x: [-1.2, 1]\nparameters:\n  c: 100\nobjective: c*(x[2]-x[1]^2)^2 + (1-x[1])^2\nbounds:\n  x: {lower: [-2, -2], upper: [2, 2]}\nsolution: {f: 0}\n',
    );
    const q = problemFromJson(ISSUE_EXAMPLE);
    expect(valueAt(p)).toBe(valueAt(q));
    expect(Array.from(gradAt(p))).toEqual(Array.from(gradAt(q)));
    expect(p.bounds).toEqual(q.bounds);
  });

  it('flattens several variables in their listed order, each row-major, and splits results back by name', () => {
    const p = problemOf({ variables: { a: 1.5, W: [[1, 2, 3], [4, 5, 6]], v: [7, 8] }, objective: 'a * sum(W * [1; 1; 1]) + dot(v, v)' });
    expect(p.n).toBe(9);
    expect(Array.from(p.x0)).toEqual([1.5, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(p.variables.map((v) => [v.name, v.shape, v.offset, v.size])).toEqual([
      ['a', [], 0, 1],
      ['W', [2, 3], 1, 6],
      ['v', [2], 7, 2],
    ]);
    expect(byVariable(p, p.x0)).toEqual({ a: 1.5, W: [[1, 2, 3], [4, 5, 6]], v: [7, 8] });
    expect([0, 1, 3, 4, 8].map((i) => elementName(p.variables, i))).toEqual(['a', 'W[1,1]', 'W[1,3]', 'W[2,1]', 'v[2]']);
    // f = a·(6 + 15) + 113; ∂f/∂a = 21, ∂f/∂W = a (every entry), ∂f/∂v = 2v
    expect(valueAt(p)).toBe(1.5 * 21 + 113);
    expect(Array.from(gradAt(p))).toEqual([21, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 14, 16]);
  });

  it('start values and parameters may be constant expressions; definitions are named sub-expressions', () => {
    const p = problemOf({
      parameters: { n: 6, t: '(1:n) / n', T: 'reshape(t, [2, 3])' },
      variables: { x: 'mod(1:n, 2) == 1 ? -1.2 : 1', y: 'zeros(2)' },
      definitions: { r: 'x[2:end] - x[1:end-1].^2', s: 'sum(r.^2)' },
      objective: '100 * s + sum((1 - x[1:end-1]).^2) + sum(T) * sum(y)',
    });
    expect(Array.from(p.x0)).toEqual([-1.2, 1, -1.2, 1, -1.2, 1, 0, 0]);
    expect(valueAt(p, [1, 1, 1, 1, 1, 1, 0, 0])).toBe(0);
    expect(gradAt(p, [1, 1, 1, 1, 1, 1, 1, 1]).slice(6)).toEqual(Float64Array.of(3.5, 3.5));
  });

  it('bounds: one number for all elements, arrays of the variable shape, null and ±Infinity for none', () => {
    const p = problemFromJson(
      '{"variables": {"x": [0, 0, 0], "M": [[1, 2], [3, 4]]}, "objective": "sum(x.^2) + sum(M)", "bounds": {"x": {"lower": [null, -1, -Infinity], "upper": 5}, "M": {"lower": [[0, 0], [0, null]]}}}',
    );
    expect(Array.from(p.bounds!.lower)).toEqual([-Infinity, -1, -Infinity, 0, 0, 0, -Infinity]);
    expect(Array.from(p.bounds!.upper)).toEqual([5, 5, 5, Infinity, Infinity, Infinity, Infinity]);
  });

  it('solution.x by variable name, or the value for a single variable; options', () => {
    const p = problemOf({ variables: { x: [0, 0], y: 1 }, objective: 'sum(x.^2) + y^2', solution: { f: 0, x: { x: [0, 0], y: 0 } }, options: { method: 'newton', gtol: 1e-9, maxIter: 50 } });
    expect(Array.from(p.solution.x!)).toEqual([0, 0, 0]);
    expect(p.options).toEqual({ method: 'newton', gtol: 1e-9, maxIter: 50 });
    const q = problemOf({ variables: { x: [0, 0] }, objective: 'sum(x.^2)', solution: { x: [1, 2] } });
    expect(Array.from(q.solution.x!)).toEqual([1, 2]);
  });
});

describe('errors name the file, line, column and field', () => {
  const j = (text: string) => errorOf(() => problemFromJson(text, 'p.json'));
  it.each([
    ['[1, 2]', /^p\.json:1:1: a problem file must be an object/],
    ['{"objective": "x"}', /^p\.json:1:1: missing field "variables"/],
    ['{"variables": {"x": 1}}', /^p\.json:1:1: missing field "objective"/],
    ['{"variables": {"x": 1}, "objectve": "x"}', /^p\.json:1:25: unknown field "objectve" \(did you mean "objective"\?\)/],
    ['{"variables": {}, "objective": "1"}', /^p\.json:1:15: variables: at least one variable is needed/],
    ['{"variables": [1, 2], "objective": "1"}', /^p\.json:1:15: variables: expected an object of named values, got an array/],
    ['{"variables": {"x": [1, 2]},\n "objective": 3}', /^p\.json:2:15: objective: expected an expression as text, got the number 3/],
    ['{"variables": {"x": [1, 2]}, "objective": "  "}', /^p\.json:1:43: objective: the expression is empty/],
    ['{"variables": {"x": [1, NaN]}, "objective": "sum(x)"}', /^p\.json:1:25: variables\.x: element 2 is NaN/],
    ['{"variables": {"x": [1, Infinity]}, "objective": "sum(x)"}', /^p\.json:1:25: variables\.x: element 2 is Infinity; values must be finite/],
    ['{"variables": {"x": [[1, 2], [3]]}, "objective": "sum(x)"}', /^p\.json:1:30: variables\.x: ragged array: element 2 has 1 elements, expected an array of 2/],
    ['{"variables": {"x": [1, "2"]}, "objective": "sum(x)"}', /^p\.json:1:25: variables\.x: element 2 must be a number, got the string "2"/],
    ['{"variables": {"x": []}, "objective": "sum(x)"}', /^p\.json:1:21: variables\.x: empty arrays are not allowed/],
    ['{"variables": {"x": "y + 1"}, "objective": "x"}', /^p\.json:1:21: variables\.x: unknown variable `y`/],
    ['{"variables": {"pi": 1}, "objective": "pi"}', /^p\.json:1:16: variables: the name "pi" is taken by the constant pi/],
    ['{"variables": {"exp": 1}, "objective": "exp"}', /^p\.json:1:16: variables: the name "exp" is taken by the function exp/],
    ['{"variables": {"end": 1}, "objective": "1"}', /variables: the name "end" is taken by a keyword/],
    ['{"variables": {"2x": 1}, "objective": "1"}', /variables: "2x" is not a valid name/],
    ['{"parameters": {"c": 1}, "variables": {"c": 1}, "objective": "c"}', /variables: the name "c" is already a parameter/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(y)"}', /^p\.json:1:43: objective: unknown variable `y`/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(foo(x))"}', /^p\.json:1:43: objective: unknown function `foo`/],
    ['{"variables": {"x": [1, 2]}, "objective": "x"}', /^p\.json:1:43: objective: must be a single number, but it is an array of shape \[2\]/],
    ['{"variables": {"x": [1, 2], "A": [[1, 2, 3]]}, "objective": "sum(A * x)"}', /objective: in `A \* x`: \*: shapes \[1, 3\] and \[2\] do not align/],
    ['{"variables": {"x": [1, 2]}, "objective": "x[3]"}', /objective: in `x\[3\]`: index 3 is out of range 1\.\.2/],
    ['{"variables": {"x": [1, 2]}, "definitions": {"r": "x - [1, 2, 3]"}, "objective": "sum(r)"}', /^p\.json:1:51: definitions\.r: in `x - \[1, 2, 3\]`: sub: shapes \[2\] and \[3\] do not broadcast$/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"lower": [0, 0, 0]}}}', /^p\.json:1:79: bounds\.x\.lower: has shape \[3\] \(3 elements\), but variable x has shape \[2\] \(2 elements\)/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"lower": [0, 3], "upper": [1, 2]}}}', /^p\.json:1:69: bounds\.x: lower bound 3 > upper bound 2 at element 2/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"y": {"lower": 0}}}', /bounds: "y" is not a variable \(variables: x\)/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"low": 0}}}', /bounds\.x: unknown field "low"; expected lower and\/or upper/],
    // nested fields get the did-you-mean the top level has
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"uper": 0}}}', /bounds\.x: unknown field "uper" \(did you mean "upper"\?\); expected lower and\/or upper/],
    ['{"variables": {"x": 1}, "objective": "x^2", "options": {"maxiter": 3}}', /options: unknown option "maxiter" \(did you mean "maxIter"\?\); expected method, gtol and\/or maxIter$/],
    ['{"variables": {"x": 1}, "objective": "x^2", "constraints": [{"exp": "x", "upper": 1}]}', /constraints\[1\]: unknown field "exp" \(did you mean "expr"\?\); expected expr, lower and\/or upper/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"lower": [0, NaN]}}}', /bounds\.x\.lower: element 2 is NaN/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "bounds": {"x": {"lower": Infinity}}}', /bounds\.x\.lower: a lower bound of \+Infinity leaves no feasible point/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "solution": {"f": "0"}}', /solution\.f: expected a finite number, got the string "0"/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "solution": {"x": {"x": [1]}}}', /solution\.x\.x: has shape \[1\], but variable x has shape \[2\]/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "options": {"gtol": -1}}', /options\.gtol: expected a positive number, got the number -1/],
    ['{"variables": {"x": [1, 2]}, "objective": "sum(x)", "options": {"tol": 1}}', /options: unknown option "tol"/],
  ])('%s', (text, pattern) => {
    expect(j(text)).toMatch(pattern);
  });

  it('syntax errors in the objective say where in the expression', () => {
    expect(j('{"variables": {"x": 1},\n "objective": "x +* 2"}')).toMatch(/^p\.json:2:15: objective: syntax error at character 4 of the expression: Value expected$/);
  });
});
