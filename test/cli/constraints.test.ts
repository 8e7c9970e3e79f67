/**
 * Problem files with constraints through the real command: `solve` picks the interior-point
 * method and reaches the known solution, the log has the interior-point columns, `derive`
 * prints the constraint values and Jacobian, reports get the feasibility panel, infeasible
 * problems exit 1, and bad constraints exit 2 with one line naming the constraint.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { badInputShape, tayopt } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tayopt-constraints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('solve', () => {
  it('examples/disk-rosenbrock.yaml: ipm, the known solution on the circle, KKT multipliers', async () => {
    const r = await tayopt(['solve', 'examples/disk-rosenbrock.yaml', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      method: string;
      status: string;
      x: { x: number[] };
      fun: number;
      constraints: number[];
      multipliers: { constraints: number[] };
      kkt: { stationarity: number; feasibility: number };
    };
    expect(out).toMatchObject({ method: 'ipm', status: 'converged' });
    const [x1, x2] = out.x.x;
    // fmincon's documented solution, to its 4 digits
    expect(x1).toBeCloseTo(0.7864, 4);
    expect(x2).toBeCloseTo(0.6177, 4);
    expect(out.fun).toBeCloseTo(0.04567, 5);
    expect(out.constraints[0]).toBeCloseTo(x1! ** 2 + x2! ** 2, 12);
    // stationarity by hand: ∇f + λ·(2x₁, 2x₂) = 0 with λ ≥ 0 at the upper bound
    const lam = out.multipliers.constraints[0]!;
    expect(lam).toBeGreaterThan(0);
    const g1 = -400 * x1! * (x2! - x1! ** 2) - 2 * (1 - x1!);
    const g2 = 200 * (x2! - x1! ** 2);
    expect(Math.abs(g1 + 2 * lam * x1!)).toBeLessThan(1e-7);
    expect(Math.abs(g2 + 2 * lam * x2!)).toBeLessThan(1e-7);
  });

  it('examples/hs/hs071.yaml (Ipopt\'s tutorial problem): the published solution', async () => {
    const r = await tayopt(['solve', 'examples/hs/hs071.yaml', '--json', '-q']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; fun: number; x: { x: number[] }; multipliers: { constraints: number[] } };
    expect(out.status).toBe('converged');
    expect(out.fun).toBeCloseTo(17.0140172895, 7);
    [1, 4.74299963, 3.82114998, 1.37940829].forEach((v, j) => expect(out.x.x[j]).toBeCloseTo(v, 6));
    expect(out.multipliers.constraints[0]).toBeCloseTo(-0.55229366, 6);
    expect(out.multipliers.constraints[1]).toBeCloseTo(0.16146857, 6);
  });

  it('logs the interior-point columns and draws the feasibility panel', async () => {
    const report = join(dir, 'disk.html');
    const r = await tayopt(['solve', 'examples/disk-rosenbrock.yaml', '--report', report]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/method auto \(ipm: general constraints\)/);
    expect(r.stderr).toMatch(/^iter\s+objective\s+inf_pr\s+inf_du\s+mu\s+alpha_du\s+alpha_pr/m);
    expect(r.stdout).toMatch(/converged \(converged\) with ipm/);
    expect(r.stdout).toMatch(/constraints\[1\] "x\[1\]\^2 \+ x\[2\]\^2 <= 1": value 0\.99999\d+, multiplier 0\.12\d+/);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('"id":"feasibility"');
  });

  it('an infeasible problem exits 1 as locally infeasible', async () => {
    const p = file('infeasible.yaml', 'variables:\n  x: [0.5, -0.2]\nobjective: sum(x.^2)\nconstraints:\n  - sum(x.^2) <= 1\n  - sum(x) >= 3\n');
    const r = await tayopt(['solve', p, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'locallyInfeasible', success: false });
  });

  it('a JS module may give constraints too: { fun, lower, upper }', async () => {
    const rosen = '(x) => t.add(t.square(t.sub(1, t.at(x, 0))), t.mul(100, t.square(t.sub(t.at(x, 1), t.square(t.at(x, 0))))))';
    const good = file('disk.mjs', `export default (t) => ({ x0: [-1.9, 2], objective: ${rosen}, constraints: [{ fun: (x) => t.sum(t.square(x)), upper: 1 }] });\n`);
    const r = await tayopt(['solve', good, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { method: string; x: { x: number[] } };
    expect(out.method).toBe('ipm');
    expect(out.x.x[0]).toBeCloseTo(0.7864, 4);
    const bad = file('bad.mjs', `export default (t) => ({ x0: [1, 2], objective: (x) => t.sum(x), constraints: [{ fun: (x) => x, lower: [0, 0, 0] }] });\n`);
    const b = await tayopt(['solve', bad]);
    expect(badInputShape(b).ok).toBe(true);
    expect(b.stderr).toMatch(/bad\.mjs: constraints\[0\]: lower has 3 values, but fun returns 2/);
  });

  it('compare runs the methods that take constraints', async () => {
    const r = await tayopt(['compare', 'examples/disk-rosenbrock.yaml', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { runs: { method: string }[] }).runs.map((q) => q.method)).toEqual(['ipm']);
  });
});

describe('derive', () => {
  it('prints the constraint values and Jacobian at the start point (closed form 2x)', async () => {
    const r = await tayopt(['derive', 'examples/disk-rosenbrock.yaml', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { constraints: { name: string; value: number[]; upper: number[]; jacobian: number[][] }[] };
    expect(out.constraints).toEqual([{ name: 'constraints[1] "x[1]^2 + x[2]^2 <= 1"', value: [expect.closeTo(7.61, 14)], lower: [null], upper: [1], jacobian: [[-3.8, 4]] }]);
    const text = await tayopt(['derive', 'examples/disk-rosenbrock.yaml', '--at', '{"x": [0.5, 0.25]}']);
    expect(text.stdout).toMatch(/constraints\[1\] "x\[1\]\^2 \+ x\[2\]\^2 <= 1": c = 0\.3125 \(in \[-Infinity, 1\]\); ∂c\/∂x = \[1, 0\.5\]/);
  });
});

describe('bad constraints: exit 2, one line naming the constraint', () => {
  const base = 'variables:\n  x: [1, 2]\nobjective: sum(x.^2)\nconstraints:\n';
  it.each([
    ['an unreadable relation', `${base}  - x[1] < 1 < x[2] > 2\n`, [], /p\d+\.yaml:5:5: constraints\[1\]: cannot read the relation "x\[1\] < 1 < x\[2\] > 2"/],
    ['lower > upper', `${base}  - sum(x) >= 0\n  - 3 <= x[1] <= 2\n`, [], /constraints\[2\]: lower bound 3 > upper bound 2/],
    ['a bound of the wrong shape', `${base}  - { expr: "x", lower: [0, 0, 0] }\n`, [], /constraints\[1\]: the lower bound has 3 values, but "x" has 2/],
    ['NaN at the start point', `${base}  - log(x[1] - 2) >= 0\n`, [], /constraints\[1\]: not finite at the start point \(its value is NaN\)/],
    ['a method that cannot take constraints', `${base}  - sum(x) >= 0\n`, ['--method', 'lbfgs'], /--method: method "lbfgs" cannot take the constraints of \S+; use ipm or auto/],
  ])('%s', async (_name, text, extra, pattern) => {
    const p = file(`p${Math.random().toString().slice(2, 8)}.yaml`, text);
    const r = await tayopt(['solve', p, ...extra]);
    const shape = badInputShape(r);
    expect(shape.ok, shape.why).toBe(true);
    expect(r.stderr).toMatch(pattern);
  });
});
