/**
 * Hostile problem files (issue 15), loaded in-process: names that collide with object
 * internals, echoed text escaped and shortened, long definition chains and sums evaluated
 * without stack overflow (values checked against closed forms), oversized arrays refused by
 * the size policy with the size named, YAML alias bombs and deep nesting refused.
 */
import { describe, expect, it } from 'vitest';
import { objective } from '../../src/index.js';
import { ProblemError } from '../../src/problem/index.js';
import { problemFromJson, problemFromYaml, problemOf, valueAt } from './helpers.js';

/** The message of the ProblemError `fn` throws (fails the test when it throws something else or nothing). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return (e as Error).message;
  }
  throw new Error('expected a ProblemError');
}

describe('names that collide with object internals', () => {
  for (const name of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
    it(`refuses "${name}" as a variable, a parameter and a definition`, () => {
      const asVariable = `{"variables": {"${name}": [1, 2]}, "objective": "sum((${name} - 3).^2)"}`;
      expect(messageOf(() => problemFromJson(asVariable))).toMatch(new RegExp(`^test\\.json:1:16: variables: the name "${name}" is taken by the internals of JavaScript objects`));
      const asParameter = `{"parameters": {"${name}": 2}, "variables": {"x": [1, 2]}, "objective": "sum(x.^2)"}`;
      expect(messageOf(() => problemFromJson(asParameter))).toMatch(/parameters: the name .* is taken by the internals/);
      const asDefinition = `{"variables": {"x": [1, 2]}, "definitions": {"${name}": "x.^2"}, "objective": "sum(x)"}`;
      expect(messageOf(() => problemFromJson(asDefinition))).toMatch(/definitions: the name .* is taken by the internals/);
    });
  }
});

describe('echoed input is escaped and shortened', () => {
  it('an unknown field with terminal escapes shows them as \\x1b, not raw', () => {
    const msg = messageOf(() => problemFromJson('{"\\u001b[2Jbad": 1, "variables": {"x": [1]}, "objective": "x^2"}'));
    expect(msg).toContain('unknown field "\\x1b[2Jbad"');
    // eslint-disable-next-line no-control-regex
    expect(msg).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a 100 000-character identifier is shown as 60 characters and …', () => {
    const msg = messageOf(() => problemOf({ variables: { x: [1, 2] }, objective: `sum(x) + ${'a'.repeat(100_000)}` }));
    expect(msg).toContain(`unknown variable \`${'a'.repeat(60)}…\``);
    expect(msg.length).toBeLessThan(300);
  });

  it('a NUL byte in an expression is escaped in the syntax error', () => {
    const msg = messageOf(() => problemOf({ variables: { x: [1, 2] }, objective: 'sum(x) + a\u0000b' }));
    expect(msg).toContain('\\x00');
    expect(msg).not.toContain('\u0000');
  });

  it('an index that is not an integer names the file and the field', () => {
    expect(messageOf(() => problemOf({ variables: { x: [1, 2] }, objective: 'sum(x[[1.5]])' }))).toMatch(/^test\.json:\d+:\d+: objective: in `x\[\[1\.5\]\]`: index 1\.5 is not an integer$/);
  });
});

describe('long chains without stack depth, in linear memory', () => {
  it('6000 chained definitions d_k = d_{k-1} + 1 (5000 overflowed the stack before): f = (x1 + 6000)² and its gradient', () => {
    const defs: Record<string, string> = { d0: 'x[1]' };
    for (let k = 1; k <= 6000; k++) defs[`d${k}`] = `d${k - 1} + 1`;
    const p = problemOf({ variables: { x: [0.5, 2] }, definitions: defs, objective: 'd6000^2 + x[2]^2' });
    expect(valueAt(p)).toBe((0.5 + 6000) ** 2 + 4);
    const g = new Float64Array(2);
    objective(p.f, p.x0).valueAndGrad(p.x0, g);
    expect(Array.from(g)).toEqual([2 * (0.5 + 6000), 4]);
  });

  it('a flat sum of 3000 terms: 3000·(x1 − 1)² + x2²', () => {
    const p = problemOf({ variables: { x: [3, 1] }, objective: `${Array.from({ length: 3000 }, () => '(x[1] - 1)^2').join(' + ')} - x[2]^2 + 2*x[2]^2` });
    expect(valueAt(p)).toBe(3000 * 4 + 1);
  });

  it('an index chain 3000 deep is a ProblemError naming the objective (too deep, or indexing a number), not a crash', () => {
    expect(messageOf(() => problemOf({ variables: { x: [1, 2] }, objective: `x${'[1]'.repeat(3000)}` }))).toMatch(
      /^test\.json:\d+:\d+: objective: (the expression is nested too deeply|in `x\[1\]\[1\]`: 1 index for a single number)$/,
    );
  });
});

describe('the size policy at the loader', () => {
  it('identity(1e5), ones(10000, 10000) and diag(x, 1e5) are refused naming the size', () => {
    const cases: [string, RegExp][] = [
      ['sum(sum(identity(1e5)))', /an array of shape \[100000, 100000\] needs 74\.5 GiB, more than the size limit of 64 MiB/],
      ['sum(sum(ones(10000, 10000) .* x[1]))', /an array of shape \[10000, 10000\] needs 763 MiB/],
      ['sum(sum(diag(x, 1e5)))', /an array of shape \[100002, 100002\] needs/],
    ];
    for (const [expr, pattern] of cases) expect(messageOf(() => problemOf({ variables: { x: [1, 2] }, objective: expr }))).toMatch(pattern);
  });
});

describe('YAML limits', () => {
  it('an alias bomb (9^12 values from 13 lines) is refused', () => {
    let bomb = 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n';
    for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]\n`;
    expect(messageOf(() => problemFromYaml(`${bomb}variables:\n  x: [1, 2]\nobjective: sum(x.^2)\n`))).toMatch(/aliases expand to more than 100000 values/);
  });

  it('a few aliases of a small anchor are fine: x0 = [1, 2, 1, 2]', () => {
    const p = problemFromYaml('parameters:\n  a: &v [1, 2]\n  b: *v\nvariables:\n  x: [1, 2]\nobjective: sum((x - a).^2) + sum((x - b).^2)\n');
    expect(valueAt(p, [0, 0])).toBe(2 * (1 + 4));
  });

  it('nesting 5000 deep is a one-line YAML error, not a stack overflow', () => {
    const msg = messageOf(() => problemFromYaml(`variables:\n  x: [1, 2]\nobjective: sum(x)\ndescription: ${'['.repeat(5000)}${']'.repeat(5000)}\n`));
    expect(msg).toMatch(/nest/);
    expect(msg).not.toMatch(/call stack/);
  });
});
