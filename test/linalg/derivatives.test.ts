/**
 * Acceptance 2: gradients and Hessians through the linear-algebra operations agree between
 * forward mode (n Taylor directions; Hessian by degree-2 Taylor interpolation, no reverse
 * sweep) and reverse mode (gradient; Hessian by forward-over-reverse) to 1e-10, and the
 * gradient agrees with central differences of the function value (an independent truth).
 * A second point is evaluated through the cached, compiled replay and compared with a fresh
 * trace there.
 */
import { describe, expect, test } from 'vitest';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { fdGradient, flat, mm, randomMatrix, randomSymmetric, relErr, rng, toRows, uniform } from './util.js';

interface Fn {
  name: string;
  f: (x: Tensor) => Tensor;
  x0: Float64Array;
  /** A second point for the replay check. */
  x1: Float64Array;
}

const r = rng(7);
const FNS: Fn[] = [];
/** A fixed symmetric 4×4 matrix with well-separated eigenvalues. */
const SYM4 = randomSymmetric(rng(99), 4);
const near = (x: Float64Array, s = 0.05) => Float64Array.from(x, (v) => v + s * (2 * r() - 1));

// Gaussian negative log-likelihood 0.5·(log|S| + (y−μ)ᵀ S⁻¹ (y−μ)), S = M·Mᵀ + I/2 from parameters
{
  const d = 3;
  const y = t.tensor(uniform(r, d));
  const half = t.mul(0.5, t.eye(d));
  const f = (x: Tensor) => {
    const mu = t.slice(x, [0, d]);
    const M = t.reshape(t.slice(x, [d, d + d * d]), [d, d]);
    const S = t.add(t.dot(M, t.transpose(M)), half);
    const res = t.sub(y, mu);
    return t.mul(0.5, t.add(t.slogdet(S).logabsdet, t.dot(res, t.solve(S, res))));
  };
  const x0 = uniform(r, d + d * d);
  FNS.push({ name: 'Gaussian NLL 0.5·(slogdet(S) + (y−μ)ᵀS⁻¹(y−μ))', f, x0, x1: near(x0) });
}

// smallest eigenvalue of A + diag(x), by eigvalsh and by eigh
{
  const n = 5;
  const A = t.tensor(toRows(randomSymmetric(r, n), n, n));
  const x0 = uniform(r, n, -0.3, 0.3);
  FNS.push({ name: 'λ_min(A + diag(x)) by eigvalsh', f: (x) => t.at(t.eigvalsh(t.add(A, t.diag(x))), 0), x0, x1: near(x0) });
  FNS.push({ name: 'λ_min(A + diag(x)) by eigh', f: (x) => t.at(t.eigh(t.add(A, t.diag(x))).values, 0), x0, x1: near(x0) });
}

// sum(solve(A(x), b))
{
  const n = 4;
  const A0 = t.tensor(toRows(randomMatrix(r, n, n, 3), n, n));
  const b = t.tensor(uniform(r, n));
  const f = (x: Tensor) => t.sum(t.solve(t.add(A0, t.mul(t.reshape(x, [n, n]), t.cos(t.reshape(x, [n, n])))), b));
  const x0 = uniform(r, n * n, -0.5, 0.5);
  FNS.push({ name: 'sum(solve(A(x), b))', f, x0, x1: near(x0) });
}

// det of a 6×6 matrix built from 36 parameters
{
  const n = 6;
  const A0 = t.tensor(toRows(randomMatrix(r, n, n, 1.5), n, n));
  const f = (x: Tensor) => t.det(t.add(A0, t.reshape(x, [n, n])));
  const x0 = uniform(r, n * n, -0.3, 0.3);
  FNS.push({ name: 'det(A0 + X), X 6×6', f, x0, x1: near(x0) });
}

// least-squares fit: ‖β‖ with β = R⁻¹·Qᵀ·y, Q, R = qr(X(x))
{
  const m = 7;
  const n = 3;
  const X0 = t.tensor(toRows(randomMatrix(r, m, n, 1), m, n));
  const y = t.tensor(uniform(r, m));
  const f = (x: Tensor) => {
    const { Q, R } = t.qr(t.add(X0, t.mul(0.5, t.reshape(x, [m, n]))));
    return t.norm(t.solve(R, t.dot(t.transpose(Q), y)));
  };
  const x0 = uniform(r, m * n, -0.5, 0.5);
  FNS.push({ name: 'least squares ‖solve(R, Qᵀy)‖, X(x) 7×3', f, x0, x1: near(x0) });
}

// further coverage: cholesky + solveTriangular, inv + trace, eigenvectors, structure ops, Q and R
{
  const n = 4;
  const B = t.tensor(toRows(randomMatrix(r, n, n), n, n));
  const c = t.tensor(uniform(r, n));
  const C = t.tensor(toRows(randomMatrix(r, n, n), n, n));
  const spd = (x: Tensor) => {
    const M = t.add(B, t.reshape(x, [n, n]));
    return t.add(t.dot(M, M.T), t.eye(n));
  };
  const x0 = uniform(r, n * n, -0.3, 0.3);
  FNS.push({
    name: 'cholesky: Σ log diag(L) + ‖L⁻¹c‖² + ‖L⁻ᵀc‖²',
    f: (x) => {
      const L = t.cholesky(spd(x));
      const z = t.solveTriangular(L, c);
      const w = L.solveTriangular(c, { transpose: true });
      return t.sum(t.log(t.diag(L))).add(t.sum(t.square(z))).add(t.sum(t.square(w)));
    },
    x0,
    x1: near(x0),
  });
  FNS.push({
    name: 'upper solveTriangular on triu(M(x))',
    f: (x) => {
      const U = t.add(t.triu(t.reshape(x, [n, n])), t.mul(3, t.eye(n)));
      return t.sum(t.mul(t.solveTriangular(U, C, { lower: false }), C)).add(t.sum(U.solveTriangular(c, { lower: false, transpose: true })));
    },
    x0,
    x1: near(x0),
  });
  FNS.push({ name: 'trace(inv(S(x))·C)', f: (x) => t.trace(t.dot(t.inv(spd(x)), C)), x0, x1: near(x0) });
  FNS.push({
    name: 'eigenvectors: Σ V∘C + Σ λ²',
    f: (x) => {
      const { values, vectors } = t.eigh(t.add(t.tensor(toRows(SYM4, n, n)), t.mul(0.1, t.add(t.reshape(x, [n, n]), t.reshape(x, [n, n]).T))));
      return t.sum(t.mul(vectors, C)).add(t.sum(t.square(values)));
    },
    x0,
    x1: near(x0),
  });
  FNS.push({
    name: 'structure: norm(triu(M,1)) + Σ tril(M)∘C + trace(M) + Σ diag(diag(M,−1))',
    f: (x) => {
      const M = t.reshape(t.sin(x), [n, n]);
      return t.norm(t.triu(M, 1)).add(t.sum(t.mul(t.tril(M), C))).add(M.trace()).add(t.sum(t.mul(t.diag(M.diag(-1), 1), t.slice(C, [0, 4], [0, 4]))));
    },
    x0,
    x1: near(x0),
  });
  FNS.push({
    name: 'slogdet with negative det, and det method',
    f: (x) => {
      const M = t.sub(t.reshape(x, [n, n]), t.mul(2, t.eye(n)));
      const { sign, logabsdet } = M.slogdet();
      return t.mul(sign, logabsdet).add(t.mul(0.1, M.det())).add(t.sum(t.mul(M.inv(), C)));
    },
    x0,
    x1: near(x0),
  });
  const m = 6;
  const D6 = t.tensor(toRows(randomMatrix(r, m, n), m, n));
  const X0 = t.tensor(toRows(randomMatrix(r, m, n, 1), m, n));
  const x0q = uniform(r, m * n, -0.3, 0.3);
  FNS.push({
    name: 'qr 6×4: Σ Q∘D + Σ R∘C',
    f: (x) => {
      const { Q, R } = t.add(X0, t.reshape(x, [m, n])).qr();
      return t.sum(t.mul(Q, D6)).add(t.sum(t.mul(R, C)));
    },
    x0: x0q,
    x1: near(x0q),
  });
}

const asFlat = (v: unknown) => (typeof v === 'number' ? Float64Array.of(v) : (v as Float64Array));

describe('forward and reverse mode agree through linear algebra', () => {
  for (const fn of FNS) {
    describe(fn.name, () => {
      test('gradient: reverse = forward (1e-10) ≈ central differences (1e-6)', () => {
        const gr = asFlat(t.grad(fn.f)(fn.x0));
        const gf = asFlat(t.grad(fn.f, { mode: 'forward' })(fn.x0));
        expect(gr.every(Number.isFinite)).toBe(true);
        expect(relErr(gr, gf)).toBeLessThan(1e-10);
        const value = (v: Float64Array) => fn.f(t.tensor(v)).item();
        expect(relErr(gr, fdGradient(value, fn.x0, 1e-6))).toBeLessThan(1e-6);
      });

      test('Hessian: forward-over-reverse = forward Taylor (1e-10), symmetric, hvp = H·v', () => {
        const H = t.hessian(fn.f)(fn.x0);
        const Hf = t.hessian(fn.f, { mode: 'forward' })(fn.x0);
        const n = H.length;
        expect(flat(H).every(Number.isFinite)).toBe(true);
        expect(relErr(flat(H), flat(Hf))).toBeLessThan(1e-10);
        let asym = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) asym = Math.max(asym, Math.abs(H[i]![j]! - H[j]![i]!));
        expect(asym).toBeLessThan(1e-10 * Math.max(1, ...flat(H).map(Math.abs)));
        const v = uniform(rng(3), n);
        const hv = asFlat(t.hvp(fn.f)(fn.x0, v));
        expect(relErr(hv, mm(flat(H), v, n, n, 1))).toBeLessThan(1e-10);
        // the Hessian is the derivative of the gradient: central differences of the reverse gradient
        const gfun = t.grad(fn.f);
        const h = 1e-5;
        const col = new Float64Array(n);
        const xp = fn.x0.slice();
        const k = 0;
        xp[k] = fn.x0[k]! + h;
        const gp = asFlat(gfun(xp)).slice();
        xp[k] = fn.x0[k]! - h;
        const gm = asFlat(gfun(xp)).slice();
        for (let i = 0; i < n; i++) col[i] = (gp[i]! - gm[i]!) / (2 * h);
        expect(relErr(col, Float64Array.from(H, (row) => row[k]!))).toBeLessThan(1e-6);
      });

      test('a second point through the cached replay = a fresh trace there', () => {
        const g = t.grad(fn.f);
        g(fn.x0);
        const fresh = (x: Tensor) => fn.f(x);
        expect(relErr(asFlat(g(fn.x1)), asFlat(t.grad(fresh)(fn.x1)))).toBeLessThan(1e-12);
        const H = t.hessian(fn.f);
        H(fn.x0);
        expect(relErr(flat(H(fn.x1)), flat(t.hessian((x: Tensor) => fn.f(x))(fn.x1)))).toBeLessThan(1e-12);
      });
    });
  }
});

describe('vector-valued functions and high-degree Taylor coefficients', () => {
  const n = 3;
  const A0 = randomMatrix(rng(21), n, n, 2);
  const S0 = randomSymmetric(rng(22), n);
  const V = randomMatrix(rng(23), n, n);
  const G: [string, (x: Tensor) => Tensor][] = [
    ['solve(A0 + diag(x), 1)', (x) => t.solve(t.add(toRows(A0, n, n), t.diag(x)), [1, 1, 1])],
    ['eigvalsh(S0 + diag(x))', (x) => t.eigvalsh(t.add(toRows(S0, n, n), t.diag(x)))],
    ['flatten(cholesky(S(x)))', (x) => t.flatten(t.cholesky(t.add(t.mul(4, t.eye(n)), t.outer(x, x))))],
    ['flatten(qr(X(x)).Q)', (x) => t.flatten(t.qr(t.add(toRows(A0, n, n), t.outer(x, [1, 2, 3]))).Q)],
    ['flatten(eigh(S0 + diag(x)).vectors)', (x) => t.flatten(t.eigh(t.add(toRows(S0, n, n), t.diag(x))).vectors)],
  ];
  const x0 = Float64Array.of(0.1, -0.2, 0.3);
  for (const [name, g] of G) {
    test(`jacobian of ${name}: forward = reverse (1e-12) ≈ central differences`, () => {
      const Jf = flat(t.jacobian(g, { mode: 'forward' })(x0));
      const Jr = flat(t.jacobian(g, { mode: 'reverse' })(x0));
      expect(relErr(Jr, Jf)).toBeLessThan(1e-12);
      const m = Jf.length / n;
      for (let i = 0; i < m; i++) {
        const gi = (v: Float64Array) => g(t.tensor(v)).toFloat64Array()[i]!;
        expect(relErr(Jf.subarray(i * n, (i + 1) * n), fdGradient(gi, x0, 1e-6))).toBeLessThan(1e-6);
      }
    });
  }

  test('taylor(det(A0 + s·V), degree 6): a polynomial of degree 3 whose coefficients sum to det(A0 + V)', () => {
    const cs = t.taylor((s) => t.det(t.add(toRows(A0, n, n), t.mul(s, toRows(V, n, n)))), 0, 1, 6) as number[];
    expect(cs.slice(4).every((c) => Math.abs(c) < 1e-12)).toBe(true);
    const sum = cs.reduce((a, b) => a + b, 0);
    const A1 = Float64Array.from(A0, (a, i) => a + V[i]!);
    expect(Math.abs(sum - t.det(toRows(A1, n, n)).item())).toBeLessThan(1e-12 * Math.abs(sum));
  });

  test('taylor(inv(A0 + s·V), degree 5) is the Neumann series (−A0⁻¹V)^k·A0⁻¹', () => {
    const cs = t.taylor((s) => t.inv(t.add(toRows(A0, n, n), t.mul(s, toRows(V, n, n)))), 0, 1, 5) as number[][][];
    const Ainv = t.inv(toRows(A0, n, n)).toFloat64Array();
    const step = Float64Array.from(mm(Ainv, V, n, n, n), (v) => -v);
    let term = Ainv;
    for (let k = 0; k <= 5; k++) {
      expect(relErr(flat(cs[k]!), term)).toBeLessThan(1e-12);
      term = mm(step, term, n, n, n);
    }
  });

  test('taylor(logabsdet(A0 + s·I)) = Σ_i log|λ_i + s| coefficients for symmetric A0', () => {
    const lam = t.eigvalsh(toRows(S0, n, n)).toFloat64Array();
    const cs = t.taylor((s) => t.slogdet(t.add(toRows(S0, n, n), t.mul(s, t.eye(n)))).logabsdet, 0, 1, 6) as number[];
    // log(λ + s) = log λ + Σ_k (−1)^{k+1} s^k / (k λ^k)
    const want = [0, 1, 2, 3, 4, 5, 6].map((k) =>
      Array.from(lam).reduce((acc, l) => acc + (k === 0 ? Math.log(Math.abs(l)) : ((-1) ** (k + 1)) / (k * l ** k)), 0),
    );
    expect(relErr(Float64Array.from(cs), Float64Array.from(want))).toBeLessThan(1e-11);
  });
});
