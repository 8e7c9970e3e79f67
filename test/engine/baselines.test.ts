/** The benchmark's hand-written baselines compute what they claim (against the engine and finite differences). */
import { expect, test } from 'vitest';
import * as t from '../../src/index.js';
import {
  extendedRosenbrock,
  extendedRosenbrockGradient,
  extendedRosenbrockValue,
  rosenbrockStart,
  seedProblem,
  tanhNetwork,
} from '../../bench/problems/engine.js';
import { fdGradient, relErr } from '../helpers.js';

test('seed problem: plain value and hand gradient', () => {
  for (const s of [5, 12]) {
    const p = seedProblem(s);
    const g = new Float64Array(p.n);
    const v = p.gradient(p.W0, g);
    expect(v).toBeCloseTo(p.f(t.tensor(p.W0)).item(), 10);
    expect(p.value(p.W0)).toBeCloseTo(v, 10);
    expect(relErr(g, t.grad(p.f)(p.W0) as Float64Array)).toBeLessThan(1e-12);
  }
});

test('tanh network: plain value and hand gradient', () => {
  const net = tanhNetwork();
  const g = new Float64Array(net.n);
  expect(net.gradient(net.p0, g)).toBeCloseTo(net.value(net.p0), 14);
  expect(net.value(net.p0)).toBeCloseTo(net.f(t.tensor(net.p0)).item(), 12);
  expect(relErr(g, t.grad(net.f)(net.p0) as Float64Array)).toBeLessThan(1e-12);
  expect(relErr(g, fdGradient(net.value, net.p0))).toBeLessThan(1e-7);
});

test('extended Rosenbrock: plain value and hand gradient', () => {
  const x = rosenbrockStart(50).map((v, i) => v + 0.01 * i);
  const g = new Float64Array(50);
  expect(extendedRosenbrockGradient(x, g)).toBeCloseTo(extendedRosenbrockValue(x), 10);
  expect(extendedRosenbrockValue(x)).toBeCloseTo(extendedRosenbrock(t.tensor(x)).item(), 10);
  expect(relErr(g, t.grad(extendedRosenbrock)(x) as Float64Array)).toBeLessThan(1e-13);
});
