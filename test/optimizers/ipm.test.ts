/**
 * General constraints through `minimize` and the interior-point method: solutions and
 * multipliers against closed forms and published values (hs071, Ipopt's tutorial problem),
 * KKT conditions checked with the engine's own gradient and Jacobian drivers, local
 * infeasibility, iterates inside the bounds, and every bad input.
 */
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it, test } from 'vitest';
import * as t from '../../src/index.js';
import { TayoptError } from '../../src/errors.js';
import { type Constraint, minimize } from '../../optimizers/index.js';
import { diagonalQuadratic } from './helpers.js';

/** ‖∇f + Jᵀλ − zL + zU‖∞ computed from the drivers (independent of the solver). */
function stationarity(f: (x: t.Tensor) => t.Tensor, cs: readonly Constraint[], x: Float64Array, lam: Float64Array, zL: Float64Array, zU: Float64Array): number {
  const g = Float64Array.from(t.grad(f)(x) as Float64Array);
  let k = 0;
  for (const c of cs) {
    const rows = t.jacobian(c.fun)(x);
    for (const row of rows) {
      row.forEach((v, j) => (g[j]! += lam[k]! * v));
      k++;
    }
  }
  return Math.max(...g.map((v, j) => Math.abs(v - zL[j]! + zU[j]!)));
}

describe('closed forms', () => {
  test('an equality-constrained QP: x and λ solve the KKT system [Q Aᵀ; A 0][x; λ] = [−c; b]', () => {
    const Q = [[4, 1, 0, 0], [1, 3, 1, 0], [0, 1, 5, 2], [0, 0, 2, 6]];
    const c = [1, -2, 0.5, 3];
    const A = [[1, 1, 1, 1], [1, -1, 2, 0]];
    const b = [1, 2];
    const f = (x: t.Tensor) => t.add(t.mul(0.5, t.dot(x, t.dot(Q, x))), t.dot(c, x));
    const cons: Constraint[] = [{ fun: (x) => t.dot(A, x), lower: b, upper: b }];
    const r = minimize(f, [0, 0, 0, 0], { constraints: cons });
    expect(r).toMatchObject({ status: 'converged', success: true, method: 'ipm' });
    const K = new Matrix(6, 6);
    Q.forEach((row, i) => row.forEach((v, j) => K.set(i, j, v)));
    A.forEach((row, i) => row.forEach((v, j) => (K.set(4 + i, j, v), K.set(j, 4 + i, v))));
    const sol = solve(K, Matrix.columnVector([...c.map((v) => -v), ...b])).to1DArray();
    for (let j = 0; j < 4; j++) expect(r.x[j]).toBeCloseTo(sol[j]!, 9);
    expect(r.multipliers!.constraints[0]).toBeCloseTo(sol[4]!, 8);
    expect(r.multipliers!.constraints[1]).toBeCloseTo(sol[5]!, 8);
    expect(Array.from(r.constraints!)).toEqual([expect.closeTo(1, 10), expect.closeTo(2, 10)]);
  });

  test('projection onto {x ≥ 0, Σx ≤ 1}: active sum and bound, with their multipliers', () => {
    // min Σ(xᵢ − tᵢ)², t = (0.9, 0.6, −0.2): x = (t − θ)₊ with θ = 0.25, so x = (0.65, 0.35, 0),
    // λ = 2θ = 0.5 on Σx ≤ 1 (≥ 0: an active upper bound), z_L3 = 2(0 − t₃) + λ = 0.9
    const target = [0.9, 0.6, -0.2];
    const f = (x: t.Tensor) => t.sum(t.square(t.sub(x, target)));
    const cons: Constraint[] = [{ fun: (x) => t.sum(x), upper: 1 }];
    const r = minimize(f, [0.2, 0.2, 0.2], { constraints: cons, bounds: { lower: 0 } });
    expect(r.status).toBe('converged');
    [0.65, 0.35, 0].forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 7));
    expect(r.multipliers!.constraints[0]).toBeCloseTo(0.5, 7);
    expect(r.multipliers!.lower[2]).toBeCloseTo(0.9, 7);
    expect(r.multipliers!.lower[0]).toBeCloseTo(0, 7);
    expect(r.kkt!.feasibility).toBeLessThanOrEqual(1e-8);
    expect(stationarity(f, cons, r.x, r.multipliers!.constraints, r.multipliers!.lower, r.multipliers!.upper)).toBeLessThan(1e-7);
  });

  test('a circle: min x₁ + x₂ on x₁² + x₂² = 2 is (−1, −1) with λ = ½ (an infeasible start)', () => {
    const f = (x: t.Tensor) => t.sum(x);
    const r = minimize(f, [3, 0.5], { constraints: [{ fun: (x) => t.sum(t.square(x)), lower: 2, upper: 2 }] });
    expect(r.status).toBe('converged');
    expect(r.x[0]).toBeCloseTo(-1, 8);
    expect(r.x[1]).toBeCloseTo(-1, 8);
    expect(r.multipliers!.constraints[0]).toBeCloseTo(0.5, 8);
  });

  test('a chain of 199 constraints (a sparse KKT system of 399 rows): x_{i+1} − x_i = c, min Σ(xᵢ − 1)²', () => {
    // closed form: x₁ = 1 − c(n − 1)/2, x_i = x₁ + (i − 1)c
    const n = 200;
    const c = 0.01;
    const f = (x: t.Tensor) => t.sum(t.square(t.sub(x, 1)));
    const r = minimize(f, new Float64Array(n), { constraints: [{ fun: (x) => t.sub(t.slice(x, [1, null]), t.slice(x, [0, -1])), lower: c, upper: c }] });
    expect(r.status).toBe('converged');
    const x1 = 1 - (c * (n - 1)) / 2;
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(x1 + i * c, 8);
  });
});

describe('the other forms a problem may take', () => {
  const target = [0.9, 0.6, -0.2];
  const f = (x: t.Tensor) => t.sum(t.square(t.sub(x, target)));

  test('a fixed variable (lower == upper): its row multiplier is reported as a bound multiplier', () => {
    // x₃ = 0.1 leaves 0.9 for x₁ + x₂: x = (0.6, 0.3, 0.1), λ = 0.6, z_L3 = 2(0.1 + 0.2) + 0.6 = 1.2
    const r = minimize(f, [0.2, 0.2, 0.2], { constraints: [{ fun: (x) => t.sum(x), upper: 1 }], bounds: { lower: [0, 0, 0.1], upper: [Infinity, Infinity, 0.1] } });
    expect(r.status).toBe('converged');
    [0.6, 0.3, 0.1].forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 8));
    expect(r.multipliers!.constraints[0]).toBeCloseTo(0.6, 7);
    expect(r.multipliers!.lower[2]).toBeCloseTo(1.2, 7);
    expect(r.multipliers!.upper[2]).toBe(0);
  });

  test('a two-sided constraint, and an element with no bound at all', () => {
    // 0.2 ≤ x₁ − x₂ ≤ 0.25 is active at its upper end; x₃ ≥ 0 (element 3 of a vector constraint) at its bound
    const r = minimize(f, [0, 0, 0], {
      constraints: [
        { fun: (x) => t.sub(t.at(x, 0), t.at(x, 1)), lower: 0.2, upper: 0.25 },
        { fun: (x) => x, lower: [null, null, 0] },
      ],
    });
    expect(r.status).toBe('converged');
    // min (x₁−0.9)² + (x₂−0.6)² with x₁ − x₂ = 0.25: x₁ = 0.875, x₂ = 0.625, λ = 0.05 (an
    // interior point stays about μ/λ inside a weakly active bound: 6 digits here)
    [0.875, 0.625, 0].forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 6));
    expect(r.multipliers!.constraints[0]).toBeCloseTo(0.05, 6);
    expect(Array.from(r.multipliers!.constraints.subarray(1))).toEqual([0, 0, expect.closeTo(-0.4, 7)]);
  });

  test('a plain objective with hand-written derivatives: the constraints alone in the program, the same solution', () => {
    const plain = (x: Float64Array) => x[0]! + x[1]!;
    const cons: Constraint[] = [{ fun: (x) => t.sum(t.square(x)), lower: 2, upper: 2 }];
    const withHess = minimize(plain, [3, 0.5], { grad: (_x, g) => g.fill(1), hess: (_x, H) => H.fill(0), constraints: cons });
    const gradOnly = minimize(plain, [3, 0.5], { grad: (_x, g) => g.fill(1), constraints: cons });
    for (const r of [withHess, gradOnly]) {
      expect(r.status).toBe('converged');
      expect(r.x[0]).toBeCloseTo(-1, 8);
      expect(r.multipliers!.constraints[0]).toBeCloseTo(0.5, 8);
    }
  });
});

describe('hs071 (Ipopt\'s tutorial problem, Hock & Schittkowski no. 71)', () => {
  const f = (x: t.Tensor) => t.add(t.mul(t.mul(t.at(x, 0), t.at(x, 3)), t.sum(t.slice(x, [0, 3]))), t.at(x, 2));
  const cons: Constraint[] = [
    { fun: (x) => t.prod(x), lower: 25 },
    { fun: (x) => t.sum(t.square(x)), lower: 40, upper: 40 },
  ];
  const inside: boolean[] = [];
  const r = minimize(f, [1, 5, 5, 1], {
    constraints: cons,
    bounds: { lower: 1, upper: 5 },
    callback: (s) => void inside.push(s.x.every((v) => v >= 1 && v <= 5)),
  });

  it('reaches the published solution', () => {
    expect(r).toMatchObject({ status: 'converged', success: true });
    // Schittkowski's 12-digit solution; Ipopt's documentation prints the same
    [1, 4.74299963, 3.82114998, 1.37940829].forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 6));
    expect(r.fun).toBeCloseTo(17.0140172895, 7);
  });

  it("has Ipopt's multipliers: λ = (−0.552294, 0.161469), z_L₁ = 1.08787, the other bound multipliers 0", () => {
    const m = r.multipliers!;
    expect(m.constraints[0]).toBeCloseTo(-0.55229366, 6);
    expect(m.constraints[1]).toBeCloseTo(0.16146857, 6);
    expect(m.lower[0]).toBeCloseTo(1.08787121, 6);
    for (let j = 1; j < 4; j++) expect(m.lower[j]).toBeCloseTo(0, 6);
    for (let j = 0; j < 4; j++) expect(m.upper[j]).toBeCloseTo(0, 6);
  });

  it('satisfies the KKT conditions by the drivers, and reports the same residuals', () => {
    const m = r.multipliers!;
    const s = stationarity(f, cons, r.x, m.constraints, m.lower, m.upper);
    expect(s).toBeLessThan(1e-8);
    expect(r.kkt!.stationarity).toBeLessThan(1e-8);
    const c = [r.x.reduce((a, b) => a * b, 1), r.x.reduce((a, b) => a + b * b, 0)];
    expect(Array.from(r.constraints!)).toEqual([expect.closeTo(c[0]!, 12), expect.closeTo(c[1]!, 12)]);
    expect(r.kkt!.feasibility).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(c[1]! - 40)).toBeLessThanOrEqual(1e-8);
  });

  it('keeps every iterate inside the bounds, and counts one Lagrangian Hessian per iteration', () => {
    expect(inside.length).toBe(r.nit + 1);
    expect(inside.every(Boolean)).toBe(true);
    expect(r.nhev).toBe(r.nit);
    expect(r.history.every((h) => h.constraintViolation !== undefined && h.mu! > 0)).toBe(true);
  });

  it('never reports success while a constraint is violated: stopped early it is maxIter', () => {
    const early = minimize(f, [1, 5, 5, 1], { constraints: cons, bounds: { lower: 1, upper: 5 }, maxIter: 2 });
    expect(early).toMatchObject({ status: 'maxIter', success: false });
    expect(early.kkt!.feasibility).toBeGreaterThan(1e-8);
  });
});

describe('local infeasibility', () => {
  it('a disk and a half-plane that do not meet: locallyInfeasible, at the least infeasible point', () => {
    // x₁² + x₂² ≤ 1 and x₁ + x₂ ≥ 3: the violation is smallest near the diagonal
    const r = minimize((x: t.Tensor) => t.sum(t.square(x)), [0.5, -0.2], {
      constraints: [
        { fun: (x) => t.sum(t.square(x)), upper: 1 },
        { fun: (x) => t.sum(x), lower: 3 },
      ],
    });
    expect(r.status).toBe('locallyInfeasible');
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/local infeasibility/);
    expect(r.x[0]).toBeCloseTo(r.x[1]!, 3);
    expect(r.kkt!.feasibility).toBeGreaterThan(0.1);
  });

  it('an equality with no real solution: x² + 1 = 0', () => {
    const r = minimize((x: t.Tensor) => t.sum(x), [2], { constraints: [{ fun: (x) => t.add(t.square(x), 1), lower: 0, upper: 0 }] });
    expect(r).toMatchObject({ status: 'locallyInfeasible', success: false });
  });
});

describe('without general constraints', () => {
  it("'ipm' solves a box-constrained problem, and auto does not pick it", () => {
    const r = minimize(diagonalQuadratic([1, 10, 100, 1000], [1, -2, 3, 0.5]), [1, 1, 1, 1], { method: 'ipm', bounds: { lower: 0, upper: 2 } });
    [1, 0, 2, 0.5].forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 8));
    expect(minimize(diagonalQuadratic([1, 2], [1, 1]), [0, 0]).method).not.toBe('ipm');
    expect(minimize(diagonalQuadratic([1, 2], [1, 1]), [0, 0], { constraints: [] }).method).not.toBe('ipm');
  });
});

describe('bad input names the constraint', () => {
  const f = (x: t.Tensor) => t.sum(t.square(x));
  const bad = (constraints: unknown, extra: object = {}) => () => minimize(f, [1, 2, 3], { constraints: constraints as Constraint[], ...extra });
  test.each([
    ['a bound of the wrong shape', [{ fun: (x: t.Tensor) => t.mul(x, 2), lower: [0, 0] }], /constraints\[0\]\.lower has 2 entries, but the constraint function returns 3 values/],
    ['lower > upper', [{ fun: (x: t.Tensor) => t.sum(x), lower: 2, upper: 1 }], /constraints\[0\]: lower 2 > upper 1/],
    ['lower > upper in a named vector constraint', [{ name: 'caps', fun: (x: t.Tensor) => x, lower: [0, 5, 0], upper: [1, 1, 1] }], /caps: lower 5 > upper 1 at element 1/],
    ['no bound at all', [{ fun: (x: t.Tensor) => t.sum(x) }], /constraints\[0\] has neither lower nor upper/],
    ['fun not a function', [{ fun: 3, lower: 0 }], /constraints\[0\]\.fun must be a function/],
    ['fun not returning a tayopt array', [{ fun: () => [1, 2], lower: 0 }], /constraints\[0\]: the function returned a plain array/],
    ['not a list', { fun: (x: t.Tensor) => x, lower: 0 }, /options\.constraints must be an array/],
    ['NaN bounds', [{ fun: (x: t.Tensor) => t.sum(x), lower: NaN }], /constraints\[0\]\.lower is NaN/],
  ])('%s', (_name, constraints, message) => {
    expect(bad(constraints)).toThrow(TayoptError);
    expect(bad(constraints)).toThrow(message);
  });

  test('a method that cannot take general constraints: the message names the ones that can', () => {
    const run = bad([{ fun: (x: t.Tensor) => t.sum(x), lower: 0 }], { method: 'trust-exact' });
    expect(run).toThrow(/method 'trust-exact' cannot take general constraints; use 'ipm' or 'auto'/);
  });

  test('options of other methods are refused, and ipm options elsewhere', () => {
    expect(bad([{ fun: (x: t.Tensor) => t.sum(x), lower: 0 }], { ftol: 1e-9 })).toThrow(/options\.ftol does not apply to 'ipm'/);
    expect(() => minimize(f, [1], { ctol: 1e-6 })).toThrow(/options\.ctol applies to interior-point methods/);
  });

  test('NaN in a constraint at x0 is a status that names the constraint', () => {
    const r = minimize(f, [-1, 2, 3], { constraints: [{ name: 'logbarrier', fun: (x: t.Tensor) => t.log(t.at(x, 0)), lower: -1 }] });
    expect(r).toMatchObject({ status: 'nonFinite', success: false, nit: 0 });
    expect(r.message).toMatch(/constraint logbarrier is NaN at the starting point/);
    expect(Array.from(r.x)).toEqual([-1, 2, 3]);
  });
});
