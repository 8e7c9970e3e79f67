/**
 * leastSquares() and curveFit() against independent truths: closed-form linear least
 * squares (normal equations solved by ml-matrix), NIST's certified parameters and standard
 * deviations, the published MGH minima, the box at every point evaluated; the robust losses
 * on data with gross outliers; the registry entries of lm and trf; every bad input of
 * issue 10 ends in a clear error or status.
 */
import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { TayoptError } from '../../src/errors.js';
import { LEAST_SQUARES_METHOD_NAMES, type ResidualFunctions, curveFit, leastSquares, methodSpec, minimize } from '../../optimizers/index.js';
import { lre, minLre, nistProblems } from '../../bench/problems/nist.js';
import { mghProblem, reaches } from '../../bench/problems/mgh.js';

const METHODS = LEAST_SQUARES_METHOD_NAMES;

// a linear model y = X·β + noise, 12 observations, 3 parameters
const X = Array.from({ length: 12 }, (_, i) => [1, i / 4, Math.cos(i)]);
const noise = Array.from({ length: 12 }, (_, i) => 0.05 * Math.sin(7 * i + 1));
const y = X.map((row, i) => 0.5 + 2 * row[1]! - 1.5 * row[2]! + noise[i]!);

describe('linear least squares: the closed form', () => {
  for (const method of METHODS) {
    it(`${method}: β = (XᵀX)⁻¹Xᵀy and covariance = s²(XᵀX)⁻¹, s² = RSS/(m − n)`, () => {
      const res = leastSquares((b) => t.sub(t.matmul(X, b), y), [0, 0, 0], { method });
      const Xm = new Matrix(X);
      const XtXinv = inverse(Xm.transpose().mmul(Xm));
      const beta = XtXinv.mmul(Xm.transpose()).mmul(Matrix.columnVector(y)).to1DArray();
      let rss = 0;
      for (let i = 0; i < 12; i++) rss += (X[i]!.reduce((s, v, j) => s + v * beta[j]!, 0) - y[i]!) ** 2;
      const s2 = rss / (12 - 3);
      expect(res.success).toBe(true);
      for (let j = 0; j < 3; j++) expect(res.x[j]).toBeCloseTo(beta[j]!, 10);
      expect(res.fun).toBeCloseTo(rss, 12);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) expect(Math.abs(res.covariance![i]![j]! - s2 * XtXinv.get(i, j))).toBeLessThan(1e-10 * s2 * Math.abs(XtXinv.get(i, i)));
        expect(res.stderr![i]).toBeCloseTo(Math.sqrt(s2 * XtXinv.get(i, i)), 12);
        expect(res.correlation![i]![i]).toBeCloseTo(1, 14);
      }
      expect(res.rankDeficient).toBe(false);
      expect(res.rank).toBe(3);
      expect(res.dof).toBe(9);
      // the gradient reported is ∇Σr² = 2Jᵀr, zero at the solution; residuals and Jacobian at x
      for (let j = 0; j < 3; j++) expect(Math.abs(res.grad[j]!)).toBeLessThan(1e-10);
      expect(res.jacobian).toEqual(X);
      for (let i = 0; i < 12; i++) expect(res.residuals[i]).toBeCloseTo(X[i]!.reduce((s, v, j) => s + v * res.x[j]!, 0) - y[i]!, 12);
    });
  }

  it('curveFit with sigma: weighted least squares; absoluteSigma gives (XᵀWX)⁻¹ unscaled', () => {
    const sigma = X.map((_, i) => 0.5 + (i % 3));
    const model = (b: t.Tensor, x: t.Tensor) => t.matmul(x, b);
    const W = Matrix.diag(sigma.map((s) => 1 / (s * s)));
    const Xm = new Matrix(X);
    const XtWXinv = inverse(Xm.transpose().mmul(W).mmul(Xm));
    const beta = XtWXinv.mmul(Xm.transpose()).mmul(W).mmul(Matrix.columnVector(y)).to1DArray();
    let chi2 = 0;
    for (let i = 0; i < 12; i++) chi2 += ((X[i]!.reduce((s, v, j) => s + v * beta[j]!, 0) - y[i]!) / sigma[i]!) ** 2;
    // scipy's layout: the last dimension of xdata indexes the observations
    const xdata = [0, 1, 2].map((j) => X.map((row) => row[j]!));
    const rel = curveFit((b, x) => t.matmul(t.transpose(x), b), xdata, y, [0, 0, 0], { sigma });
    const abs = curveFit((b, x) => t.matmul(t.transpose(x), b), xdata, y, [0, 0, 0], { sigma, absoluteSigma: true });
    for (let j = 0; j < 3; j++) {
      expect(rel.params[j]).toBeCloseTo(beta[j]!, 10);
      expect(rel.stderr![j]).toBeCloseTo(Math.sqrt((chi2 / 9) * XtWXinv.get(j, j)), 10);
      expect(abs.stderr![j]).toBeCloseTo(Math.sqrt(XtWXinv.get(j, j)), 10);
    }
    expect(model).toBeTypeOf('function');
  });

  it('a rank-deficient Jacobian is flagged; the covariance is a finite pseudo-inverse, never NaN', () => {
    // two identical columns: only b0 + b1 is determined
    const Xd = X.map((row) => [row[0]!, row[0]!, row[1]!]);
    const res = leastSquares((b) => t.sub(t.matmul(Xd, b), y), [0, 0, 0]);
    expect(res.rankDeficient).toBe(true);
    expect(res.rank).toBe(2);
    expect(res.covariance!.flat().every(Number.isFinite)).toBe(true);
    // the determined combination is right: b0 + b1 and b2 of the full-rank fit of [1, x]
    const X2 = new Matrix(X.map((row) => [row[0]!, row[1]!]));
    const b2 = inverse(X2.transpose().mmul(X2)).mmul(X2.transpose()).mmul(Matrix.columnVector(y)).to1DArray();
    expect(res.x[0]! + res.x[1]!).toBeCloseTo(b2[0]!, 8);
    expect(res.x[2]).toBeCloseTo(b2[1]!, 8);
  });
});

describe('NIST StRD (a fast subset, both starts): certified parameters and standard deviations', () => {
  const subset = ['misra1a', 'chwirut2', 'danwood', 'misra1b', 'kirby2', 'boxbod', 'rat42', 'rat43', 'eckerle4', 'roszman1'];
  for (const p of nistProblems().filter((q) => subset.includes(q.key))) {
    it(`${p.name}: defaults reach every parameter to ≥ 6 digits, and the standard errors to ≥ 5, from both starts`, () => {
      for (const s of ['start1', 'start2'] as const) {
        const r = leastSquares(p.residuals, p.starts[s]);
        expect(r.success, `${p.name} ${s}: ${r.message}`).toBe(true);
        expect(minLre(r.x, p.certified.x), `${p.name} ${s}`).toBeGreaterThanOrEqual(6);
        expect(minLre(r.stderr!, p.certified.stderr), `${p.name} ${s} stderr`).toBeGreaterThanOrEqual(5);
        expect(lre(r.fun, p.certified.rss)).toBeGreaterThanOrEqual(6);
      }
    });
  }

  it('lm stops on the plateau of BoxBOD start 1 without claiming success', () => {
    const p = nistProblems().find((q) => q.key === 'boxbod')!;
    const r = leastSquares(p.residuals, p.starts.start1, { method: 'lm' });
    if (minLre(r.x, p.certified.x) < 4) {
      expect(r.success).toBe(false);
      expect(r.message).toMatch(/plateau/);
    }
  });
});

describe('lm and trf on MGH problems in residual form reach the published minima', () => {
  for (const name of ['rosenbrock', 'powell-badly-scaled', 'brown-badly-scaled', 'helical-valley', 'bard', 'meyer', 'osborne-1', 'watson-6', 'powell-singular', 'penalty-1-4']) {
    it(name, () => {
      const p = mghProblem(name);
      for (const method of METHODS) {
        const r = leastSquares(p.residuals, p.x0, { method });
        expect(r.success, `${method}: ${r.message}`).toBe(true);
        expect(p.fStar.some((v) => reaches(r.fun, v)), `${method}: f = ${r.fun}`).toBe(true);
      }
    });
  }
});

describe('bounds (trf)', () => {
  it('hold at every point evaluated, and the bounded minimizer is found', () => {
    // Rosenbrock's residuals on 0.5 ≤ x ≤ 0.8, y ≤ 0.5: the minimizer is on the boundary (x = 0.5·… ), known by 1-D minimization
    const lower = [0.5, -Infinity];
    const upper = [0.8, 0.5];
    const seen: number[][] = [];
    const res: ResidualFunctions = {
      n: 2,
      m: 2,
      residuals(x, r) {
        seen.push(Array.from(x));
        r[0] = 10 * (x[1]! - x[0]! ** 2);
        r[1] = 1 - x[0]!;
      },
      jacobian(x, r, J) {
        this.residuals(x, r);
        J[0] = -20 * x[0]!;
        J[1] = 10;
        J[2] = -1;
        J[3] = 0;
      },
    };
    const rows: number[][] = [];
    const r = leastSquares(res, [0.6, -1], { bounds: { lower, upper }, callback: (s) => void rows.push(Array.from(s.x)) });
    expect(r.method).toBe('trf');
    expect(r.success).toBe(true);
    for (const x of [...seen, ...rows]) {
      expect(x[0]).toBeGreaterThanOrEqual(0.5);
      expect(x[0]).toBeLessThanOrEqual(0.8);
      expect(x[1]).toBeLessThanOrEqual(0.5);
    }
    // on y = 0.5 the problem is min 100(0.5 − x²)² + (1 − x)²: its stationary point by bisection on the derivative
    const d = (x: number) => -400 * x * (0.5 - x * x) - 2 * (1 - x);
    let a = 0.5;
    let b = 0.8;
    for (let k = 0; k < 200; k++) {
      const c = 0.5 * (a + b);
      if (d(a) * d(c) <= 0) b = c;
      else a = c;
    }
    expect(r.x[1]).toBeCloseTo(0.5, 8);
    expect(r.x[0]).toBeCloseTo(0.5 * (a + b), 6);
  });

  it('lm refuses bounds; trf with bounds is what auto picks', () => {
    const f = (b: t.Tensor) => t.sub(t.matmul(X, b), y);
    expect(() => leastSquares(f, [0, 0, 0], { method: 'lm', bounds: { lower: [0, 0, 0] } })).toThrow(/method 'lm' cannot honour bounds/);
    expect(leastSquares(f, [1, 1, 1], { bounds: { lower: [0, 0, 0] } }).method).toBe('trf');
  });
});

describe('robust losses', () => {
  // a line y = 1 + 2x with small noise and 3 gross outliers
  const xl = Array.from({ length: 30 }, (_, i) => i / 3);
  const yl = xl.map((v, i) => 1 + 2 * v + 0.05 * Math.sin(5 * i));
  for (const k of [4, 15, 25]) yl[k]! += 40;
  const line = (b: t.Tensor) => t.sub(t.add(b.at(0), t.mul(b.at(1), xl)), yl);
  for (const loss of ['soft_l1', 'huber', 'cauchy', 'arctan'] as const) {
    it(`${loss} recovers the line (intercept 1, slope 2) where linear does not`, () => {
      const lin = leastSquares(line, [0, 0]);
      const rob = leastSquares(line, [0, 0], { loss, fScale: 0.1 });
      expect(rob.success, rob.message).toBe(true);
      expect(Math.abs(lin.x[0]! - 1) + Math.abs(lin.x[1]! - 2)).toBeGreaterThan(1);
      expect(rob.x[0]).toBeCloseTo(1, 1);
      expect(rob.x[1]).toBeCloseTo(2, 1);
      // the same minimizer of the robust objective as a run started at the true line, with lm
      const near = leastSquares(line, [1, 2], { loss, fScale: 0.1, method: 'lm' });
      expect(Math.abs(near.x[0]! - rob.x[0]!) + Math.abs(near.x[1]! - rob.x[1]!)).toBeLessThan(1e-6);
      // fun is the loss sum C²Σρ((r/C)²) of the residuals
      const c2 = 0.01;
      const rho = { soft_l1: (z: number) => 2 * (Math.sqrt(1 + z) - 1), huber: (z: number) => (z <= 1 ? z : 2 * Math.sqrt(z) - 1), cauchy: Math.log1p, arctan: Math.atan }[loss];
      const fun = Array.from(rob.residuals).reduce((s, r) => s + c2 * rho((r * r) / c2), 0);
      expect(rob.fun).toBeCloseTo(fun, 12);
    });
  }
});

describe('history, callback and statuses as minimize', () => {
  it('row 0 is the start point, counts never decrease, nfev/njev agree with the result, the callback can stop', () => {
    const p = nistProblems().find((q) => q.key === 'misra1a')!;
    const rows: number[] = [];
    const r = leastSquares(p.residuals, p.starts.start1, { callback: (s) => void rows.push(s.iter) });
    expect(r.history[0]!.iter).toBe(0);
    expect(rows).toEqual(r.history.map((h) => h.iter));
    for (let k = 1; k < r.history.length; k++) {
      expect(r.history[k]!.nfev).toBeGreaterThanOrEqual(r.history[k - 1]!.nfev);
      expect(r.history[k]!.f).toBeLessThanOrEqual(r.history[k - 1]!.f);
    }
    expect(r.njev).toBe(r.ngev);
    expect(r.history[r.history.length - 1]!.f).toBe(r.fun);
    const stopped = leastSquares(p.residuals, p.starts.start1, { callback: (s) => s.iter === 2 });
    expect(stopped.status).toBe('callbackStop');
    expect(stopped.nit).toBe(2);
  });
});

describe('bad input ends in a clear error or status', () => {
  const f = (b: t.Tensor) => t.sub(t.matmul(X, b), y);
  it('a residual function that returns a scalar', () => {
    expect(() => leastSquares((b) => t.sum(t.square(b)), [1, 2])).toThrow(/leastSquares: the residual function must return a vector/);
  });
  it('lm with m < n names the method and the counts', () => {
    expect(() => leastSquares((b) => t.stack([t.sum(b), t.prod(b)]), [1, 2, 3], { method: 'lm' })).toThrow(/method 'lm' needs at least as many residuals as variables, got m = 2 residuals for n = 3 variables/);
    // trf takes it
    expect(leastSquares((b) => t.stack([t.sub(t.sum(b), 6), t.sub(t.prod(b), 6)]), [1, 2, 3]).success).toBe(true);
  });
  it('NaN in the residuals at x0: status nonFinite, x0 returned', () => {
    for (const method of METHODS) {
      const r = leastSquares((b) => t.sub(t.sqrt(b), 1), [-1, 4], { method });
      expect(r.status).toBe('nonFinite');
      expect(r.success).toBe(false);
      expect(Array.from(r.x)).toEqual([-1, 4]);
    }
  });
  it('curveFit: xdata and ydata of different lengths', () => {
    expect(() => curveFit((p, x) => t.mul(p.at(0), x), [1, 2, 3], [1, 2], [1])).toThrow(/curveFit: xdata has 3 observations but ydata has 2/);
  });
  it('curveFit: sigma with a zero or a negative entry', () => {
    expect(() => curveFit((p, x) => t.mul(p.at(0), x), [1, 2, 3], [1, 2, 3], [1], { sigma: [1, 0, 1] })).toThrow(/options\.sigma\[1\] is 0; standard deviations must be positive/);
    expect(() => curveFit((p, x) => t.mul(p.at(0), x), [1, 2, 3], [1, 2, 3], [1], { sigma: [1, 1, -2] })).toThrow(/options\.sigma\[2\] is -2/);
  });
  it('options: unknown method or loss, a minimize method, bad tolerances and scales', () => {
    expect(() => leastSquares(f, [0, 0, 0], { method: 'trust-exact' as never })).toThrow(/method 'trust-exact' minimizes a scalar f/);
    expect(() => leastSquares(f, [0, 0, 0], { method: 'tfr' as never })).toThrow(/unknown method 'tfr' \(did you mean 'trf'\?\); expected auto, lm, trf$/);
    expect(() => leastSquares(f, [0, 0, 0], { loss: 'l2' as never })).toThrow(/unknown loss 'l2'/);
    expect(() => leastSquares(f, [0, 0, 0], { ftol: -1 })).toThrow(/options\.ftol must be a non-negative number/);
    expect(() => leastSquares(f, [0, 0, 0], { xScale: [1, 0, 1] })).toThrow(/options\.xScale\[1\] must be a positive finite number/);
    expect(() => leastSquares(f, [0, NaN, 0])).toThrow(TayoptError);
  });
});

describe('the registry entries of lm and trf', () => {
  it('solve least-squares problems with residuals and Jacobian; minimize refuses them', () => {
    for (const m of METHODS) {
      const s = methodSpec(m);
      expect(s.problem).toBe('least-squares');
      expect([...s.needs]).toEqual(['residuals', 'jacobian']);
      expect(() => minimize((x: t.Tensor) => t.sum(t.square(x)), [1, 2], { method: m })).toThrow(/solves least-squares problems/);
    }
    expect(methodSpec('trf').bounds).toBe(true);
    expect(methodSpec('lm').bounds).toBe(false);
  });
  it('fixed xScale gives the same solution', () => {
    const r = leastSquares((b) => t.sub(t.matmul(X, b), y), [0, 0, 0], { xScale: [1, 2, 3], method: 'lm' });
    const q = leastSquares((b) => t.sub(t.matmul(X, b), y), [0, 0, 0]);
    for (let j = 0; j < 3; j++) expect(r.x[j]).toBeCloseTo(q.x[j]!, 9);
  });
});
