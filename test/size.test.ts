/**
 * The size policy (src/size.ts) and the text escaping (src/text.ts) at the engine's edges:
 * limits parsed and applied, requests beyond them refused before any allocation with the
 * size and the alternative named; within them, the results match closed forms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as t from '../src/index.js';
import { minimize } from '../optimizers/index.js';
import { DEFAULT_MAX_BYTES, SizeError, checkBytes, formatBytes, maxBytes, parseBytes } from '../src/size.js';
import { escapeControl, shown } from '../src/text.js';

const saved = process.env['TAYOPT_MAX_BYTES'];
afterEach(() => {
  if (saved === undefined) delete process.env['TAYOPT_MAX_BYTES'];
  else process.env['TAYOPT_MAX_BYTES'] = saved;
});

describe('limits', () => {
  it('parses sizes with binary suffixes', () => {
    expect(parseBytes('1024')).toBe(1024);
    expect(parseBytes('512M')).toBe(512 * 2 ** 20);
    expect(parseBytes('2GiB')).toBe(2 * 2 ** 30);
    expect(parseBytes('64k')).toBe(65536);
    expect(parseBytes('lots')).toBeNaN();
    expect(parseBytes('-5')).toBeNaN();
  });

  it('the option beats TAYOPT_MAX_BYTES, which beats the default of 64 MiB', () => {
    delete process.env['TAYOPT_MAX_BYTES'];
    expect(maxBytes()).toBe(DEFAULT_MAX_BYTES);
    expect(DEFAULT_MAX_BYTES).toBe(67_108_864);
    process.env['TAYOPT_MAX_BYTES'] = '1M';
    expect(maxBytes()).toBe(2 ** 20);
    expect(maxBytes(4096)).toBe(4096);
    process.env['TAYOPT_MAX_BYTES'] = 'plenty';
    expect(() => maxBytes()).toThrow(/TAYOPT_MAX_BYTES must be a size/);
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(3 * 2 ** 30)).toBe('3 GiB');
    expect(formatBytes(256 * 2 ** 20)).toBe('256 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 bytes');
  });

  it('checkBytes names the request, the size, the limit and the alternative', () => {
    expect(() => checkBytes(3.2e9, 'the Hessian of n = 20000', 'use hvp', 2 ** 28)).toThrow(
      'the Hessian of n = 20000 needs 2.98 GiB, more than the size limit of 256 MiB (set TAYOPT_MAX_BYTES or the maxBytes option to raise it); use hvp',
    );
    expect(() => checkBytes(2 ** 28, 'exactly the limit', undefined, 2 ** 28)).not.toThrow();
  });
});

describe('the engine and the drivers refuse before allocating', () => {
  const f = (x: t.Tensor) => t.sum(t.square(x));

  it('an array beyond the limit: t.ones([1e5, 1e5]) and t.eye(1e5)', () => {
    expect(() => t.ones([1e5, 1e5])).toThrow(SizeError);
    expect(() => t.eye(1e5)).toThrow(/an array of shape \[100000, 100000\] needs 74\.5 GiB/);
  });

  it('the Hessian at n = 20000 is refused naming hvp; at n = 3 it is 2·I', () => {
    expect(() => t.hessian(f)(new Float64Array(20_000))).toThrow(/hessian: the Hessian of n = 20000 unknowns needs .* GiB.*; use hvp/);
    expect(t.hessian(f)([1, 2, 3])).toEqual([
      [2, 0, 0],
      [0, 2, 0],
      [0, 0, 2],
    ]);
  });

  it('the maxBytes option lowers the limit for one call', () => {
    expect(() => t.hessian(f, { maxBytes: 1000 })([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])).toThrow(/needs 2\.25 KiB, more than the size limit of 1000 bytes/);
    const J = t.jacobian((x: t.Tensor) => t.mul(x, 2), { maxBytes: 1e6 })([1, 2]);
    expect(J).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(() => t.jacobian((x: t.Tensor) => t.mul(x, 2), { maxBytes: 100 })(new Float64Array(10))).toThrow(/Jacobian of 10 outputs × 10 unknowns.*use jvp or vjp/);
  });

  it('taylor of degree 1e9 is refused; degree 3 of exp along 1 is 1, 1, 1/2, 1/6', () => {
    expect(() => t.taylor((x: t.Tensor) => t.exp(x), [0, 0], [1, 1], 1e9)).toThrow(/taylor: degree 1000000000 on n = 2 unknowns needs 14\.9 GiB.*use a lower degree/);
    const c = t.taylor((x: t.Tensor) => t.sum(t.exp(x)), [0], [1], 3) as number[];
    expect(c.map((v) => Number(v.toPrecision(12)))).toEqual([1, 1, 0.5, Number((1 / 6).toPrecision(12))]);
  });

  it('minimize refuses a dense method whose matrices exceed the limit, naming the Hessian-free ones', () => {
    const x0 = new Float64Array(100).fill(1);
    expect(() => minimize(f, x0, { method: 'trust-exact', maxBytes: 100_000 })).toThrow(
      "method 'trust-exact' on n = 100 unknowns (3 dense n×n matrices) needs 234 KiB, more than the size limit of 97.7 KiB (set TAYOPT_MAX_BYTES or the maxBytes option to raise it); use a Hessian-free method such as trust-ncg, newton-cg or lbfgs",
    );
    const r = minimize(f, x0, { method: 'trust-ncg', maxBytes: 100_000 });
    expect(r.success).toBe(true);
    expect(Math.max(...r.x.map(Math.abs))).toBeLessThan(1e-6);
  });
});

describe('escaping echoed text', () => {
  it('escapes C0/C1 controls, DEL, line separators and bidi overrides; keeps other text', () => {
    expect(escapeControl('a\u001b]0;pwned\u0007\u001b[2Jb')).toBe('a\\x1b]0;pwned\\x07\\x1b[2Jb');
    expect(escapeControl('\u0000\n\r\t\u007f\u009b\u2028\u202e')).toBe('\\x00\\n\\r\\t\\x7f\\x9b\\u2028\\u202e');
    expect(escapeControl('‖∇f‖∞ = 1e-5, x² — ok')).toBe('‖∇f‖∞ = 1e-5, x² — ok');
  });

  it('shortens to max characters and …', () => {
    expect(shown('a'.repeat(100))).toBe(`${'a'.repeat(60)}…`);
    expect(shown('short')).toBe('short');
    expect(shown('\u001b'.repeat(3), 2)).toBe('\\x1b\\x1b…');
  });
});

describe('the library guards itself', () => {
  it('a plain grad returning text entries is named as such (it said "returned 2 entries, expected 2")', () => {
    const f = (x: Float64Array) => x[0]! ** 2 + x[1]! ** 2;
    expect(() => minimize(f, [1, 2], { grad: () => ['a', 'b'] as unknown as number[] })).toThrow('minimize: options.grad returned 2 entries, but they are not numbers (the first is a string)');
  });

  it('overwriting x and g in the callback leaves the run unchanged', () => {
    const quad = (x: t.Tensor) => t.sum(t.square(t.sub(x, [1, 2, 3])));
    const clean = minimize(quad, [0, 0, 0], { method: 'lbfgs' });
    const hostile = minimize(quad, [0, 0, 0], {
      method: 'lbfgs',
      callback: ({ x, g }) => {
        x.fill(NaN);
        g.fill(1e300);
      },
    });
    expect(hostile.success).toBe(true);
    expect(Array.from(hostile.x)).toEqual(Array.from(clean.x));
    expect(Math.max(...[1, 2, 3].map((v, i) => Math.abs(hostile.x[i]! - v)))).toBeLessThan(1e-6);
  });
});
