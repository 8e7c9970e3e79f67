/**
 * The README stays true to what ships: every TypeScript block runs as written against the
 * built package (imported as 'tayopt'), and its numbers are checked where the README states
 * them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('the README has its TypeScript examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(2);
});

blocks.forEach((code, k) => {
  test(`README TypeScript block ${k + 1} runs`, () => {
    // inside the package, so that 'tayopt' resolves to this build (package self-reference)
    const dir = join(root, 'out', 'readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `block-${k + 1}.mts`);
    writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ ok: true }));\n`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n').pop()).toBe('{"ok":true}');
  });
});

test('every README TypeScript block type-checks under strict, as a user file importing tayopt', () => {
  // the blocks are written as users write them: no annotations the overloads can infer, and
  // no casts (a constrained result's multipliers are typed as present)
  const dir = join(root, 'out', 'readme-types');
  mkdirSync(dir, { recursive: true });
  blocks.forEach((code, k) => writeFileSync(join(dir, `block-${k + 1}.mts`), code));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, noUnusedLocals: false }, include: ['*.mts'] }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('the README curveFit example prints the lines it shows', () => {
  const code = blocks.find((b) => b.includes('curveFit('))!;
  const lines = code.split('\n');
  const at = lines.findIndex((l) => l.includes('console.log'));
  // the comment lines right after the print are its output; "// (" starts the commentary
  const shown: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('// ') || l.startsWith('// (')) break;
    shown.push(l.slice(3));
  }
  expect(shown.length).toBe(2);
  const dir = join(root, 'out', 'readme');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'curve-fit.mts');
  writeFileSync(file, code);
  const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
  expect(out.trim().split('\n')).toEqual(shown);
  // and what it shows agrees with NIST's certified values to 7 digits (Misra1a, start 1)
  const [b1, b2] = shown.map((l) => Number(l.split(' = ')[1]!.split(' ± ')[0]));
  expect(Math.abs(b1! - 238.94212918) / 238.94212918).toBeLessThan(1e-7);
  expect(Math.abs(b2! - 5.5015643181e-4) / 5.5015643181e-4).toBeLessThan(1e-7);
});

test('the README minimize example converges', () => {
  const code = blocks.find((b) => b.includes('minimize('))!;
  const dir = join(root, 'out', 'readme');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'minimize.mts');
  writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ fun: res.fun, success: res.success, x: Array.from(res.x) }));\n`);
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!);
  expect(out.success).toBe(true);
  expect(out.fun).toBeLessThan(1e-10); // the chained Rosenbrock function's minimum is 0 at x = 1
  for (const v of out.x) expect(v).toBeCloseTo(1, 5);
});

test('the README constraints example reaches the point and multiplier it states', () => {
  const code = blocks.find((b) => b.includes('constraints: [{'))!;
  const dir = join(root, 'out', 'readme');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'constraints.mts');
  writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ status: r.status, x: Array.from(r.x), lambda: r.multipliers.constraints[0] }));\n`);
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!);
  expect(out.status).toBe('converged');
  expect(out.x[0]).toBeCloseTo(0.7864, 4);
  expect(out.x[1]).toBeCloseTo(0.6177, 4);
  expect(out.lambda).toBeCloseTo(0.1215, 4);
});
