/**
 * The README stays true to what ships: every TypeScript block runs as written against the
 * built package (imported as 'tayopt'), and its numbers are checked where the README states
 * them.
 */
import { execFileSync } from 'node:child_process';
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
  writeFileSync(file, `${code}\nconsole.log(JSON.stringify({ status: r.status, x: Array.from(r.x), lambda: r.multipliers!.constraints[0] }));\n`);
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!);
  expect(out.status).toBe('converged');
  expect(out.x[0]).toBeCloseTo(0.7864, 4);
  expect(out.x[1]).toBeCloseTo(0.6177, 4);
  expect(out.lambda).toBeCloseTo(0.1215, 4);
});
