/**
 * The caching, counting objective wrapper: what is counted, what is served from the cache,
 * and the documented fallbacks (finite-difference Hessian-vector products, Hessians assembled
 * from products), checked against analytic derivatives.
 */
import { describe, expect, it } from 'vitest';
import { Objective } from '../../optimizers/objective.js';
import { firstOrder, rosenbrock } from './helpers.js';

const x = Float64Array.of(-1.2, 1);
const y = Float64Array.of(0.5, 0.3);

describe('Objective counting and caching', () => {
  it('counts each kind of evaluation once per point', () => {
    const o = new Objective(rosenbrock());
    const g = new Float64Array(2);
    o.value(x);
    o.value(x);
    expect([o.nfev, o.ngev]).toEqual([1, 0]);
    // The value at x is known: a gradient there costs a gradient, not another value.
    o.valueAndGrad(x, g);
    expect([o.nfev, o.ngev]).toEqual([1, 1]);
    o.valueAndGrad(x, g);
    o.value(x);
    expect([o.nfev, o.ngev]).toEqual([1, 1]);
    o.valueAndGrad(y, g);
    expect([o.nfev, o.ngev]).toEqual([2, 2]);
    // Going back to x evaluates again (the cache holds the last point only).
    o.value(x);
    expect(o.nfev).toBe(3);
  });

  it('returns cached values equal to fresh ones', () => {
    const fns = rosenbrock();
    const o = new Objective(fns);
    const g1 = new Float64Array(2);
    const g2 = new Float64Array(2);
    const f1 = o.valueAndGrad(y, g1);
    const f2 = o.valueAndGrad(y, g2);
    expect(f2).toBe(f1);
    expect(Array.from(g2)).toEqual(Array.from(g1));
    expect(f1).toBe(fns.value(y));
  });

  it('caches the Hessian at the last point it was asked for', () => {
    const o = new Objective(rosenbrock());
    const H1 = Float64Array.from(o.hessian(x));
    o.hessian(x);
    expect(o.nhev).toBe(1);
    o.hessian(y);
    expect(o.nhev).toBe(2);
    // Analytic Hessian at x = (−1.2, 1): [[1330, 480], [480, 200]].
    expect(Array.from(H1)).toEqual([1330, 480, 480, 200]);
  });

  it('counts exact Hessian-vector products', () => {
    const o = new Objective(rosenbrock());
    const out = new Float64Array(2);
    o.hvp(x, Float64Array.of(1, 0), out);
    expect(o.nhvp).toBe(1);
    expect(Array.from(out)).toEqual([1330, 480]);
  });
});

describe('Objective fallbacks', () => {
  it('forms Hessian-vector products by forward differences of gradients, one gradient each', () => {
    const exact = rosenbrock();
    const o = new Objective(firstOrder(exact));
    expect(o.exactHvp).toBe(false);
    const v = Float64Array.of(0.3, -0.7);
    const out = new Float64Array(2);
    const ref = new Float64Array(2);
    exact.hvp!(y, v, ref);
    o.hvp(y, v, out);
    // One gradient at y (cached from then on) and one at y + hv.
    expect(o.ngev).toBe(2);
    o.hvp(y, v, out);
    expect(o.ngev).toBe(3);
    for (let i = 0; i < 2; i++) expect(Math.abs(out[i]! - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!)));
    // The solver's gradient at y is still served from the cache.
    o.valueAndGrad(y, new Float64Array(2));
    expect(o.ngev).toBe(3);
  });

  it('assembles a symmetric Hessian from n products when no Hessian oracle exists', () => {
    const exact = rosenbrock();
    const { hessian: _drop, ...withHvp } = exact;
    const o = new Objective(withHvp);
    const H = o.hessian(y);
    expect(o.nhvp).toBe(2);
    expect(o.nhev).toBe(0);
    const ref = new Float64Array(4);
    exact.hessian!(y, ref);
    for (let i = 0; i < 4; i++) expect(H[i]).toBeCloseTo(ref[i]!, 12);
    expect(H[1]).toBe(H[2]);
  });

  it('assembles the Hessian from gradients alone (n + 1 gradients)', () => {
    const exact = rosenbrock();
    const o = new Objective(firstOrder(exact));
    const H = o.hessian(y);
    const ref = new Float64Array(4);
    exact.hessian!(y, ref);
    for (let i = 0; i < 4; i++) expect(Math.abs(H[i]! - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!)));
    expect(o.ngev).toBe(3);
  });
});
