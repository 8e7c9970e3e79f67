/**
 * Problems written as modules, outside the repository: the function form `(t) => ({ x0,
 * objective })` works anywhere (it uses the CLI's own tayopt), matrix-shaped x0 keeps its
 * shape in the result, and a module that brings its own copy of tayopt is told so.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, badInputShape, tayopt } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tayopt-modules-'));
  // f(X) = Σ (X − 1)², X 2×2; minimum 0 at X = ones
  const fn = "export default (t) => ({ name: 'function form', x0: [[1, 2], [3, 4]], objective: (X) => t.sum(t.square(t.sub(X, 1))), bounds: { lower: 0 }, solution: { f: 0 } });\n";
  writeFileSync(join(dir, 'fn.mjs'), fn);
  writeFileSync(join(dir, 'fn.mts'), fn.replace('(t) =>', '(t: any) =>').replace('(X) =>', '(X: any) =>'));
  // the engine compiled from source by tsx: a second copy of the Tensor class
  const src = JSON.stringify(join(ROOT, 'src/index.ts'));
  writeFileSync(join(dir, 'foreign.mts'), `import * as t from ${src};\nexport default { x0: [1, 2], objective: (x: t.Tensor) => t.sum(t.square(t.tensor([1, 2]))) };\n`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('modules in a CommonJS project ("type": "commonjs", as npm init writes) load as ESM', () => {
  let cjs: string;
  beforeAll(() => {
    cjs = join(dir, 'cjs-project');
    mkdirSync(join(cjs, 'node_modules'), { recursive: true });
    writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-project', version: '1.0.0', type: 'commonjs' }));
    symlinkSync(ROOT, join(cjs, 'node_modules', 'tayopt'), 'dir'); // the CLI's own installation
    // f(x) = Σ (x − c)², minimum 0 at x = (c, c)
    writeFileSync(join(cjs, 'named.ts'), "import * as t from 'tayopt';\nconst c: number = 2;\nexport default { x0: [0, 1], objective: (x: t.Tensor) => t.sum(t.square(t.sub(x, c))) };\n");
    writeFileSync(join(cjs, 'named.js'), "import * as t from 'tayopt';\nexport default { x0: [0, 1], objective: (x) => t.sum(t.square(t.sub(x, 3))) };\n");
    writeFileSync(join(cjs, 'fn.ts'), 'export default (t: any) => ({ x0: [0, 1], objective: (x: any) => t.sum(t.square(t.sub(x, 4))) });\n');
  });
  it.each([
    ['named.ts', 2],
    ['named.js', 3],
    ['fn.ts', 4],
  ])('%s', async (file, c) => {
    const r = await tayopt(['solve', join(cjs, file), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { x: { x: number[] }; fun: number };
    out.x.x.forEach((v) => expect(v).toBeCloseTo(c, 8));
    expect(out.fun).toBeLessThan(1e-14);
  });
});

describe('problem modules', () => {
  it.each(['fn.mjs', 'fn.mts'])('%s: the function form solves anywhere, with bounds, and keeps the matrix shape', async (file) => {
    const r = await tayopt(['solve', join(dir, file), '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { x: { x: number[][] }; fun: number; method: string; problem: string };
    expect(out.problem).toBe('function form');
    expect(out.method).toBe('trust-exact');
    expect(out.fun).toBeLessThan(1e-12);
    expect(out.x.x.length).toBe(2);
    out.x.x.flat().forEach((v) => expect(v).toBeCloseTo(1, 6));
  });

  it('a misspelled field of the default export gets a did-you-mean', async () => {
    writeFileSync(join(dir, 'typo.mjs'), 'export default { x0: [1, 2], objectiv: () => 0 };\n');
    const r = await tayopt(['solve', join(dir, 'typo.mjs')]);
    expect(badInputShape(r).why).toBe('');
    expect(r.stderr).toMatch(/typo\.mjs: default export: unknown field "objectiv" \(did you mean "objective"\?\); the fields are x0, objective/);
    writeFileSync(join(dir, 'typo2.mjs'), 'export default (t) => ({ x0: [1, 2], objective: (x) => t.sum(x), constraints: [{ fnu: (x) => t.sum(x), upper: 1 }] });\n');
    const r2 = await tayopt(['solve', join(dir, 'typo2.mjs')]);
    expect(badInputShape(r2).why).toBe('');
    expect(r2.stderr).toMatch(/constraints\[0\]: unknown field "fnu" \(did you mean "fun"\?\); expected fun, lower and\/or upper/);
  });

  it('a module using another copy of tayopt gets a clear message', async () => {
    const r = await tayopt(['solve', join(dir, 'foreign.mts')]);
    expect(badInputShape(r).why).toBe('');
    expect(r.stderr).toMatch(/foreign\.mts: objective: returned a Tensor, but it uses a different copy of tayopt than the CLI/);
  });

  it('derive works on modules: the gradient of Σ(X − 1)² is 2(X − 1), in X\'s shape', async () => {
    const r = await tayopt(['derive', join(dir, 'fn.mjs'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { gradient: unknown }).gradient).toEqual({ x: [[0, 2], [4, 6]] });
  });
});
