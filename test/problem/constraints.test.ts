/**
 * The `constraints` field of problem files: relations (one-sided, equalities, two-sided with
 * constant ends, both sides variable, array-valued) and `{ expr, lower, upper }` objects,
 * their values against direct evaluation, and the errors that name the constraint.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import type { Problem } from '../../src/problem/index.js';
import { problemFromYaml } from './helpers.js';

function values(p: Problem, k: number, x: number[]): number[] {
  return Array.from(p.constraints![k]!.fun(t.tensor(Float64Array.from(x))).toFloat64Array());
}

const yaml = (constraints: string, extra = ''): string =>
  `variables:\n  x: [1, 2, 3]\n  w: [0.5, 0.5]\nparameters:\n  a: 2\n${extra}objective: sum(x.^2) + sum(w)\nconstraints:\n${constraints}`;

describe('relations', () => {
  const p = problemFromYaml(
    yaml(`  - x[1]^2 + x[2]^2 <= 1
  - sum(w) == 1
  - 0 <= a*x[1]*x[2] <= 5
  - 5 >= x[3] >= -1
  - 1 <= x[3]
  - x[1] >= x[2]
  - x .^ 2 <= [4, 9, 16]
  - "(x[1] > 0) * x[2] < 3"
  - { expr: "x[2:3] - w", lower: [0, null], upper: 1 }
`),
  );
  const x = [0.3, -0.7, 1.9, 0.25, 0.6];
  const c = p.constraints!;

  it('turn a constant side into the bound and keep the other as the expression', () => {
    expect(c.length).toBe(9);
    expect(values(p, 0, x)).toEqual([0.3 ** 2 + 0.7 ** 2]);
    expect([c[0]!.lower[0], c[0]!.upper[0]]).toEqual([-Infinity, 1]);
    expect(values(p, 1, x)).toEqual([0.85]);
    expect([c[1]!.lower[0], c[1]!.upper[0]]).toEqual([1, 1]);
  });

  it('read two-sided relations in either direction, and a constant left side', () => {
    expect(values(p, 2, x)[0]).toBeCloseTo(2 * 0.3 * -0.7, 15);
    expect([c[2]!.lower[0], c[2]!.upper[0]]).toEqual([0, 5]);
    expect([c[3]!.lower[0], c[3]!.upper[0]]).toEqual([-1, 5]);
    expect(values(p, 3, x)).toEqual([1.9]);
    expect([c[4]!.lower[0], c[4]!.upper[0]]).toEqual([1, Infinity]);
  });

  it('compare two variable sides by their difference against 0', () => {
    expect(values(p, 5, x)).toEqual([0.3 - -0.7]);
    expect([c[5]!.lower[0], c[5]!.upper[0]]).toEqual([0, Infinity]);
  });

  it('take arrays: one constraint per element, bounds per element or one for all', () => {
    expect(values(p, 6, x)).toEqual([0.09, 0.49, 1.9 ** 2].map((v) => expect.closeTo(v, 15)));
    expect(Array.from(c[6]!.upper)).toEqual([4, 9, 16]);
    expect(values(p, 8, x)).toEqual([-0.7 - 0.25, 1.9 - 0.6].map((v) => expect.closeTo(v, 15)));
    expect(Array.from(c[8]!.lower)).toEqual([0, -Infinity]);
    expect(Array.from(c[8]!.upper)).toEqual([1, 1]);
  });

  it('keep comparisons inside an expression as 0/1 values; < reads as <=', () => {
    expect(values(p, 7, x)).toEqual([-0.7]);
    expect(c[7]!.upper[0]).toBe(3);
  });

  it('name each constraint by its place and text', () => {
    expect(c[0]!.name).toBe('constraints[1] "x[1]^2 + x[2]^2 <= 1"');
    expect(c[2]!.where).toMatch(/^test\.yaml:\d+:\d+: constraints\[3\]$/);
  });

  it('use definitions', () => {
    const q = problemFromYaml(yaml('  - r <= 2\n', 'definitions:\n  r: sqrt(sum(x.^2))\n'));
    expect(values(q, 0, [1, 2, 2, 0, 0])).toEqual([3]);
  });
});

describe('errors name the constraint, its place and what is wrong', () => {
  const bad = (constraints: string) => () => problemFromYaml(yaml(constraints));
  it.each([
    ['a chain the parser cannot read', '  - x[1] < 1 < x[2] > 2\n', /test\.yaml:\d+:\d+: constraints\[1\]: cannot read the relation "x\[1\] < 1 < x\[2\] > 2"/],
    ['lower > upper', '  - sum(w) <= 1\n  - 1 <= x[1] <= 0\n', /constraints\[2\]: lower bound 1 > upper bound 0 in "1 <= x\[1\] <= 0"/],
    ['a bound of the wrong shape', '  - x <= [1, 2]\n', /constraints\[1\]: the upper bound has 2 values, but "x <= \[1, 2\]" has 3/],
    ['object bounds of the wrong shape', '  - { expr: "x", lower: [1, 2] }\n', /constraints\[1\]: the lower bound has 2 values, but "x" has 3/],
    ['no relation', '  - x[1] + 1\n', /constraints\[1\]: "x\[1\] \+ 1" is not a relation/],
    ['!=', '  - x[1] != 1\n', /constraints\[1\]: "x\[1\] != 1": != cannot be a constraint/],
    ['a relation without variables', '  - 1 <= 2\n', /constraints\[1\]: "1 <= 2" does not depend on the variables/],
    ['variable ends of a two-sided relation', '  - x[1] <= x[2] <= 3\n', /in a two-sided relation the ends must be constants/],
    ['a relation in an object', '  - { expr: "x[1] <= 2", upper: 1 }\n', /constraints\[1\]\.expr: "x\[1\] <= 2" is a relation/],
    ['an object without bounds', '  - { expr: "x[1]" }\n', /constraints\[1\]: give lower, upper or both/],
    ['an unknown field', '  - { expr: "x[1]", upper: 1, uper: 2 }\n', /constraints\[1\]: unknown field "uper"/],
    ['an unknown name', '  - y[1] <= 1\n', /constraints\[1\]: unknown variable `y`/],
    ['not a list', '  x[1] <= 1\n', /constraints: expected a list of relations/],
  ])('%s', (_name, text, message) => {
    expect(bad(text)).toThrow(message);
  });
});
