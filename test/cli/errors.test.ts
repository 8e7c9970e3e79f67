/**
 * Bad input through the real command: each case must exit with code 2, print exactly one
 * line on stderr that names the problem (and, in files, the field and position), never a
 * stack trace, and leave no report file (or temporary file) behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, badInputShape, tayopt } from './helpers.js';

interface Case {
  name: string;
  /** Files to create in the case's directory: name → content. */
  files?: Record<string, string>;
  /** Arguments; `DIR` is replaced by the case's directory. */
  args: string[];
  pattern: RegExp;
}

const good = '{\n  "variables": {"x": [1, 2]},\n  "objective": "sum(x.^2)"\n}\n';

const CASES: Case[] = [
  {
    name: 'arguments after "--" (they used to be dropped, and --json with them)',
    args: ['solve', 'examples/rosenbrock.json', '--', '--json'],
    pattern: /^tayopt: unexpected argument "--json" after "--" \(flags go before it; a file whose name starts with "-" can be given as \.\/NAME\) \(see tayopt --help\)$/,
  },
  {
    name: '--xtol for a constrained problem (auto runs ipm), before any log line',
    args: ['solve', 'examples/hs/hs071.yaml', '--xtol', '1e-3'],
    pattern: /^tayopt: --xtol does not apply to ipm \(what auto runs on the constraints of examples\/hs\/hs071\.yaml\): it stops on its KKT test, whose tolerance is --gtol$/,
  },
  {
    name: '--ftol with ipm in compare',
    args: ['compare', 'examples/hs/hs071.yaml', '--methods', 'ipm', '--ftol', '1e-3'],
    pattern: /^tayopt: --ftol does not apply to ipm \(in --methods\): it stops on its KKT test, whose tolerance is --gtol$/,
  },
  {
    name: 'malformed JSON (line and column)',
    files: { 'p.json': '{\n  "variables": {"x": [1, 2]}\n  "objective": "sum(x.^2)"\n}\n' },
    args: ['solve', 'DIR/p.json'],
    pattern: /^tayopt: \S*p\.json:3:3: malformed JSON: expected ',' or '}' after a property value, got '"'$/,
  },
  {
    name: 'YAML syntax error (line and column)',
    files: { 'p.yaml': 'variables:\n  x: [1, 2\nobjective: sum(x.^2)\n' },
    args: ['solve', 'DIR/p.yaml'],
    pattern: /^tayopt: \S*p\.yaml:\d+:\d+: YAML syntax error: /,
  },
  {
    name: 'missing objective',
    files: { 'p.json': '{"variables": {"x": [1, 2]}}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:1: missing field "objective"/,
  },
  {
    name: 'missing variables',
    files: { 'p.yaml': 'objective: sum(x.^2)\n' },
    args: ['solve', 'DIR/p.yaml'],
    pattern: /p\.yaml:1:1: missing field "variables"/,
  },
  {
    name: 'unknown function (named)',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "sum(gamma(x))"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:43: objective: unknown function `gamma`/,
  },
  {
    name: 'unknown variable (named)',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "sum(x.^2) + y"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:43: objective: unknown variable `y`; known names are variables: x/,
  },
  {
    name: 'shape mismatch (shapes named)',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "parameters": {"A": [[1, 2, 3], [4, 5, 6]]}, "objective": "sum(A * x)"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /objective: in `A \* x`: \*: shapes \[2, 3\] and \[2\] do not align for the matrix product/,
  },
  {
    name: 'elementwise shape mismatch (shapes named)',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "sum(x .* [1, 2, 3])"}' },
    args: ['derive', 'DIR/p.json'],
    pattern: /objective: in `x \.\* \[1, 2, 3\]`: mul: shapes \[2\] and \[3\] do not broadcast/,
  },
  {
    name: 'index out of range',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "x[1]^2 + x[3]^2"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /objective: in `x\[3\]`: index 3 is out of range 1\.\.2 for dimension 1 of shape \[2\]/,
  },
  {
    name: 'NaN in x0 (JSON)',
    files: { 'p.json': '{"variables": {"x": [1, NaN]}, "objective": "sum(x.^2)"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:25: variables\.x: element 2 is NaN/,
  },
  {
    name: 'NaN in x0 (YAML)',
    files: { 'p.yaml': 'variables:\n  x: [[1, 2], [3, .nan]]\nobjective: sum(x.^2)\n' },
    args: ['solve', 'DIR/p.yaml'],
    pattern: /p\.yaml:2:\d+: variables\.x: row 2, column 2 is NaN/,
  },
  {
    name: 'NaN in x0 (module)',
    files: { 'p.mjs': 'export default { x0: [1, NaN], objective: (x) => x.square().sum() };\n' },
    args: ['solve', 'DIR/p.mjs'],
    pattern: /p\.mjs: default export: x0: element 2 is NaN; start values must be finite/,
  },
  {
    name: 'non-finite objective at x0 (NaN)',
    files: { 'p.json': '{"variables": {"x": [1, -2]}, "objective": "sum(log(x))"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:44: objective: not finite at the start point \(f = NaN\)/,
  },
  {
    name: 'non-finite objective at x0 (overflow)',
    files: { 'p.yaml': 'variables:\n  x: 1000\nobjective: exp(x)\n' },
    args: ['compare', 'DIR/p.yaml'],
    pattern: /p\.yaml:3:12: objective: not finite at the start point \(f = Infinity\)/,
  },
  {
    name: 'non-finite gradient at x0',
    files: { 'p.json': '{"variables": {"x": [0, 1]}, "objective": "sum(sqrt(x))"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /objective: the gradient is not finite at the start point \(∂f\/∂x\[1\] = Infinity\)/,
  },
  {
    name: 'unknown method',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--method', 'simplex'],
    pattern: /^tayopt: --method: unknown method "simplex"; the methods are auto, lbfgs/,
  },
  {
    name: 'unknown method in a list',
    files: { 'p.json': good },
    args: ['compare', 'DIR/p.json', '--methods', 'lbfgs,newtn'],
    pattern: /^tayopt: --methods: unknown method "newtn"/,
  },
  {
    name: 'unknown method in the file',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "sum(x.^2)", "options": {"method": "nelder-mead"}}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json: options\.method: unknown method "nelder-mead"/,
  },
  {
    name: 'bounds of the wrong length',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "sum(x.^2)", "bounds": {"x": {"lower": [0, 0, 0]}}}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /p\.json:1:82: bounds\.x\.lower: has shape \[3\] \(3 elements\), but variable x has shape \[2\] \(2 elements\)/,
  },
  {
    name: 'bounds of the wrong length (module)',
    files: { 'p.mjs': 'export default { x0: [1, 2], objective: (x) => x.square().sum(), bounds: { lower: [0, 0, 0] } };\n' },
    args: ['solve', 'DIR/p.mjs'],
    pattern: /p\.mjs: default export: bounds\.lower has 3 elements, but x0 has shape \[2\] \(2 elements\)/,
  },
  {
    name: 'lower > upper',
    files: { 'p.yaml': 'variables:\n  x: [1, 2]\nobjective: sum(x.^2)\nbounds:\n  x:\n    lower: [0, 3]\n    upper: [1, 2]\n' },
    args: ['solve', 'DIR/p.yaml'],
    pattern: /p\.yaml:6:5: bounds\.x: lower bound 3 > upper bound 2 at element 2/,
  },
  {
    name: 'missing file',
    args: ['solve', 'DIR/nowhere.json'],
    pattern: /^tayopt: cannot read problem file "\S*nowhere\.json": no such file$/,
  },
  {
    name: 'unreadable file (a directory)',
    files: { 'dir.json/keep': '' },
    args: ['solve', 'DIR/dir.json'],
    pattern: /^tayopt: cannot read problem file "\S*dir\.json": it is a directory$/,
  },
  {
    name: 'missing module',
    args: ['solve', 'DIR/nowhere.ts'],
    pattern: /^tayopt: cannot read problem module "\S*nowhere\.ts": no such file$/,
  },
  {
    name: 'unknown file type',
    files: { 'p.txt': good },
    args: ['solve', 'DIR/p.txt'],
    pattern: /cannot tell the kind of problem file "\S*p\.txt" \(extension "\.txt"\)/,
  },
  {
    name: 'a module with a syntax error',
    files: { 'p.ts': 'export default { x0: [1, 2], objective: (x => };\n' },
    args: ['solve', 'DIR/p.ts'],
    pattern: /p\.ts: cannot load the problem module: /,
  },
  {
    name: 'a module without a default export',
    files: { 'p.mjs': 'export const x0 = [1];\n' },
    args: ['solve', 'DIR/p.mjs'],
    pattern: /p\.mjs: the module has no default export/,
  },
  {
    name: 'a module whose objective throws',
    files: { 'p.mjs': "export default { x0: [1, 2], objective: () => { throw new TypeError('boom'); } };\n" },
    args: ['solve', 'DIR/p.mjs'],
    pattern: /p\.mjs: objective threw TypeError: boom/,
  },
  {
    name: 'a module whose objective returns a plain number',
    files: { 'p.mjs': 'export default { x0: [1, 2], objective: (x) => 3 };\n' },
    args: ['derive', 'DIR/p.mjs'],
    pattern: /p\.mjs: objective: must return a tayopt Tensor .*got a plain number/,
  },
  {
    name: 'an assignment in the objective',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "y = sum(x)"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /objective: in `y = sum\(x\)`: assignments \(a = …\) are not allowed/,
  },
  {
    name: 'a non-scalar objective',
    files: { 'p.json': '{"variables": {"x": [1, 2]}, "objective": "x.^2"}' },
    args: ['solve', 'DIR/p.json'],
    pattern: /objective: must be a single number, but it is an array of shape \[2\]/,
  },
  {
    name: 'a report with an unknown extension',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--report', 'DIR/report.pdf'],
    pattern: /^tayopt: --report: cannot tell the report format of "\S*report\.pdf"; use a name ending in \.png or \.html$/,
  },
  {
    name: 'a report path under a file',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--report', 'DIR/p.json/report.png'],
    pattern: /^tayopt: --report: cannot write "\S*p\.json\/report\.png": \S*p\.json is not a folder$/,
  },
  {
    name: 'an invalid option value',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--gtol', '-1'],
    pattern: /^tayopt: --gtol must be a positive number, got -1$/,
  },
  {
    name: 'an unknown flag',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--tolerance', '1'],
    pattern: /^tayopt: unknown flag --tolerance \(see tayopt --help\)$/,
  },
  {
    name: 'a misspelt flag: did you mean',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--maxiter', '3'],
    pattern: /^tayopt: unknown flag --maxiter \(did you mean --max-iter\?\)/,
  },
  {
    name: 'a misspelt method: did you mean',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--method', 'lbfsg'],
    pattern: /^tayopt: --method: unknown method "lbfsg" \(did you mean "lbfgs"\?\); the methods are auto, lbfgs/,
  },
  {
    name: 'a flag value that is not a number is quoted, not NaN',
    files: { 'p.json': good },
    args: ['solve', 'DIR/p.json', '--max-iter', 'abc'],
    pattern: /^tayopt: --max-iter must be a non-negative integer, got "abc"$/,
  },
  {
    name: 'no command',
    args: [],
    pattern: /^tayopt: missing a command: solve, derive, compare or check/,
  },
  {
    name: 'a --at point of the wrong shape',
    files: { 'p.json': good },
    args: ['derive', 'DIR/p.json', '--at', '{"x": [1, 2, 3]}'],
    pattern: /--at:1:7: --at\.x: has shape \[3\], but variable x has shape \[2\]/,
  },
  {
    name: 'a --at point naming an unknown variable',
    files: { 'p.json': good, 'at.yaml': 'y: 1\n' },
    args: ['derive', 'DIR/p.json', '--at', 'DIR/at.yaml'],
    pattern: /at\.yaml:1:1: --at: "y" is not a variable \(variables: x\)/,
  },
];

let root: string;
const results = new Map<string, { r: CliResult; dir: string }>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tayopt-cli-errors-'));
  await Promise.all(
    CASES.map(async (c, k) => {
      const dir = join(root, `case${k}`);
      mkdirSync(dir, { recursive: true });
      for (const [name, content] of Object.entries(c.files ?? {})) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      const args = c.args.map((a) => a.replace('DIR', dir));
      // every case also asks for a report, which must not appear
      const withReport = args.length > 1 && (args[0] === 'solve' || args[0] === 'compare') && !args.includes('--report') ? [...args, '--report', join(dir, 'out', 'report.png')] : args;
      results.set(c.name, { r: await tayopt(withReport), dir });
    }),
  );
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('bad input: exit code 2, one clear line on stderr, no stack trace, no report', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { r, dir } = results.get(c.name)!;
    const shape = badInputShape(r);
    expect(shape.why).toBe('');
    expect(r.stderr.trim()).toMatch(c.pattern);
    expect(r.stdout).toBe('');
    // no report, no temporary file
    const leftovers = readdirSync(dir, { recursive: true }).map(String).filter((f) => /report|\.tmp$/.test(f));
    expect(leftovers).toEqual([]);
  });
});
