/**
 * checkDerivatives: right derivatives pass; a wrong gradient, one with a flipped sign in one
 * component, one wrong only for x < 0, a Hessian with one wrong entry and a Hessian-vector
 * product wrong in one component are caught, and the component reported is the one that was
 * made wrong. The hand-written derivatives are first checked against the AD engine, so the
 * "right" cases are right by an independent truth.
 */
import { describe, expect, it } from 'vitest';
import * as t from '../../src/index.js';
import { TayoptError } from '../../src/errors.js';
import { checkDerivatives } from '../../optimizers/index.js';

/** f(x) = Σᵢ [100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²] + Σᵢ sin(xᵢ)·e^{xᵢ/4}: coupled and not polynomial. */
const n = 5;
const f = (x: Float64Array): number => {
  let s = 0;
  for (let i = 0; i + 1 < n; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  for (let i = 0; i < n; i++) s += Math.sin(x[i]!) * Math.exp(x[i]! / 4);
  return s;
};
const fTensor = (x: t.Tensor): t.Tensor => {
  const a = t.slice(x, [0, n - 1]);
  const b = t.slice(x, [1, n]);
  return t.add(t.sum(t.add(t.mul(100, t.square(t.sub(b, t.square(a)))), t.square(t.sub(1, a)))), t.sum(t.mul(t.sin(x), t.exp(t.mul(0.25, x)))));
};
const grad = (x: Float64Array): Float64Array => {
  const g = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) {
    const r = x[i + 1]! - x[i]! ** 2;
    g[i] += -400 * x[i]! * r - 2 * (1 - x[i]!);
    g[i + 1] += 200 * r;
  }
  for (let i = 0; i < n; i++) g[i] += Math.exp(x[i]! / 4) * (Math.cos(x[i]!) + 0.25 * Math.sin(x[i]!));
  return g;
};
const hess = (x: Float64Array): Float64Array => {
  const H = new Float64Array(n * n);
  for (let i = 0; i + 1 < n; i++) {
    H[i * n + i] += 1200 * x[i]! ** 2 - 400 * x[i + 1]! + 2;
    H[i * n + i + 1] += -400 * x[i]!;
    H[(i + 1) * n + i] += -400 * x[i]!;
    H[(i + 1) * n + i + 1] += 200;
  }
  for (let i = 0; i < n; i++) H[i * n + i] += Math.exp(x[i]! / 4) * (-Math.sin(x[i]!) + 0.5 * Math.cos(x[i]!) + 0.0625 * Math.sin(x[i]!));
  return H;
};
const hvp = (x: Float64Array, v: Float64Array): Float64Array => {
  const H = hess(x);
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += H[i * n + j]! * v[j]!;
    return s;
  });
};

const x0 = new Float64Array([-1.2, 1, 0.5, 2, 1.5]);
const positive = new Float64Array([1.2, 0.8, 0.5, 2, 1.5]);

describe('the hand-written derivatives agree with the AD engine (the premise of the tests)', () => {
  it('at x0 and at a positive point', () => {
    for (const x of [x0, positive]) {
      const obj = t.objective(fTensor, Array.from(x));
      const g = new Float64Array(n);
      expect(obj.valueAndGrad(x, g)).toBeCloseTo(f(x), 10);
      const mine = grad(x);
      for (let i = 0; i < n; i++) expect(mine[i]).toBeCloseTo(g[i]!, 9);
      const H = t.hessian(fTensor)(Array.from(x)).flat();
      const h = hess(x);
      for (let k = 0; k < n * n; k++) expect(h[k]).toBeCloseTo(H[k]!, 8);
    }
  });
});

describe('right derivatives pass', () => {
  it('grad, hess and hvp at x0: orders 2, 4, 4 and small relative errors', () => {
    const r = checkDerivatives(f, x0, { grad: (x) => grad(x), hess: (x) => hess(x), hvp: (x, v) => hvp(x, v) });
    expect(r.ok).toBe(true);
    const [g, H, Hv] = r.checks;
    expect(g!.derivative).toBe('grad');
    expect(g!.order).toBeGreaterThan(1.8);
    expect(g!.order).toBeLessThan(2.2);
    expect(H!.order).toBeGreaterThan(3.6);
    expect(Hv!.order).toBeGreaterThan(3.6);
    for (const c of r.checks) {
      expect(c.ok).toBe(true);
      expect(c.relativeError).toBeLessThan(1e-7);
      expect(c.worst.every((w) => !w.wrong)).toBe(true);
    }
  });

  it('a Hessian without a gradient (reference from second differences of f)', () => {
    const r = checkDerivatives(f, positive, { hess: (x) => hess(x) });
    expect(r.ok).toBe(true);
    expect(r.checks[0]!.relativeError).toBeLessThan(1e-5);
  });

  it('a quadratic: the gradient remainder is exact, the Hessian remainder at rounding level', () => {
    // f = ½xᵀAx with A = [[3, 1], [1, 2]]: ∇f = Ax, ∇²f = A; vᵀAv is exact, so the symmetric remainder is rounding only.
    const q = (x: Float64Array): number => 1.5 * x[0]! ** 2 + x[0]! * x[1]! + x[1]! ** 2;
    const r = checkDerivatives(q, [0.3, -0.7], { grad: (x) => [3 * x[0]! + x[1]!, x[0]! + 2 * x[1]!], hess: () => [3, 1, 1, 2] });
    expect(r.ok).toBe(true);
    expect(r.checks[1]!.order).toBeNull();
  });
});

describe('wrong derivatives are caught and located', () => {
  it('a gradient missing a term (the sin·exp part): order 1, the first component wrong', () => {
    const r = checkDerivatives(f, x0, {
      grad: (x) => {
        const g = grad(x);
        g[0] = g[0]! - Math.exp(x[0]! / 4) * Math.cos(x[0]!);
        return g;
      },
    });
    const c = r.checks[0]!;
    expect(r.ok).toBe(false);
    expect(c.ok).toBe(false);
    expect(c.order).toBeGreaterThan(0.8);
    expect(c.order).toBeLessThan(1.2);
    expect(c.worst[0]!.index).toEqual([0]);
    expect(c.worst.filter((w) => w.wrong).map((w) => w.index[0])).toEqual([0]);
    expect(c.message).toMatch(/WRONG/);
  });

  it.each([0, 2, 4])('a flipped sign in component %i: that component, and only it', (k) => {
    const r = checkDerivatives(f, x0, {
      grad: (x) => {
        const g = grad(x);
        g[k] = -g[k]!;
        return g;
      },
    });
    const c = r.checks[0]!;
    expect(c.ok).toBe(false);
    expect(c.order).toBeLessThan(1.2);
    expect(c.worst[0]!.index).toEqual([k]);
    expect(c.worst[0]!.supplied).toBeCloseTo(-grad(c.at)[k]!, 8);
    expect(c.worst[0]!.estimate).toBeCloseTo(grad(c.at)[k]!, 4);
    expect(c.worst.filter((w) => w.wrong)).toHaveLength(1);
  });

  it('a gradient wrong only for x < 0 is caught from a start where every x is positive, and located', () => {
    // ∂f/∂x₃ doubled where x₃ < 0: right at `positive`, wrong at the mirrored point the check adds.
    const buggy = (x: Float64Array): Float64Array => {
      const g = grad(x);
      if (x[3]! < 0) g[3] = 2 * g[3]!;
      return g;
    };
    expect(checkDerivatives(f, positive, { grad: buggy, points: 0 }).ok).toBe(true);
    const r = checkDerivatives(f, positive, { grad: buggy });
    const c = r.checks[0]!;
    expect(c.ok).toBe(false);
    expect(c.at[3]).toBeLessThan(0);
    expect(c.worst[0]!.index).toEqual([3]);
    expect(c.worst.filter((w) => w.wrong)).toHaveLength(1);
    expect(c.worst[0]!.estimate).toBeCloseTo(grad(c.at)[3]!, 4);
    // and directly at a point where it is wrong
    const at = checkDerivatives(f, [1.2, 0.8, 0.5, -0.7, 1.5], { grad: buggy, points: 0 }).checks[0]!;
    expect(at.ok).toBe(false);
    expect(at.worst[0]!.index).toEqual([3]);
  });

  it('a Hessian with one wrong pair of entries: order 2, entries (1, 2) and (2, 1)', () => {
    const r = checkDerivatives(f, x0, {
      grad: (x) => grad(x),
      hess: (x) => {
        const H = hess(x);
        H[1 * n + 2] = H[1 * n + 2]! + 3;
        H[2 * n + 1] = H[2 * n + 1]! + 3;
        return H;
      },
    });
    const [g, H] = r.checks;
    expect(g!.ok).toBe(true);
    expect(H!.ok).toBe(false);
    expect(H!.order).toBeLessThan(2.3);
    const wrong = H!.worst.filter((w) => w.wrong).map((w) => w.index.join());
    expect(wrong.sort()).toEqual(['1,2', '2,1']);
  });

  it('a Hessian-vector product wrong in component 4 (given as rows of the Hessian form too)', () => {
    const r = checkDerivatives(f, x0, {
      grad: (x) => grad(x),
      hvp: (x, v) => {
        const out = hvp(x, v);
        out[4] = 0.9 * out[4]!;
        return out;
      },
    });
    const c = r.checks[1]!;
    expect(c.derivative).toBe('hvp');
    expect(c.ok).toBe(false);
    expect(c.worst.filter((w) => w.wrong).map((w) => w.index[0])).toEqual([4]);
  });
});

describe('bad input', () => {
  it('throws a TayoptError that names the problem', () => {
    expect(() => checkDerivatives(f, x0, {})).toThrow(/give at least one of options.grad/);
    expect(() => checkDerivatives(f, [1, NaN], { grad: () => [0, 0] })).toThrow(/x\[1\] is NaN/);
    expect(() => checkDerivatives(f, x0, { grad: () => [1, 2] })).toThrow(/options.grad returned 2 entries, expected 5/);
    expect(() => checkDerivatives(() => NaN, x0, { grad: (x) => grad(x) })).toThrow(TayoptError);
    expect(() => checkDerivatives(f, x0, { grad: (x) => grad(x), directions: 0 })).toThrow(/directions must be an integer ≥ 1/);
  });
});
