/**
 * The linear-algebra primitives' test cases: inputs (shapes, values, symmetric or constant)
 * and the identity each Taylor rule must satisfy order by order in plain series arithmetic
 * written here (A·X = B for solve, A·inv(A) = I, L·Lᵀ = A, Q·R = A and QᵀQ = I, A·V = V·Λ,
 * det against the Leibniz expansion, …). taylor.test.ts runs them; the coverage test
 * (test/engine/coverage.test.ts) requires one per linear-algebra primitive.
 */
import { UTPM } from '../../src/utpm/utpm.js';
import { coef, curve, fwd, identity, primal, randomMatrix, randomSPD, randomSymmetric, rng, seriesMatmul } from './util.js';

export interface Input {
  shape: number[];
  x0: Float64Array;
  /** Symmetric coefficient blocks (inputs of cholesky, eigh). */
  symmetric?: boolean;
  /** A constant (D = 1) input. */
  constant?: boolean;
}

/** Pairs [got, want] to compare, from the series (per direction) of the inputs and the output. */
export type Identity = (ins: Float64Array[][], out: Float64Array[]) => [Float64Array, Float64Array][];

export interface Case {
  name: string;
  op: string;
  params: unknown;
  inputs: Input[];
  identity: Identity;
}

export const r = rng(20240611);

/** max|got − want| ≤ tol · max(1, max|want|). */
export function expectClose(got: Float64Array, want: Float64Array, tol: number, what: string): void {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  if (!(err <= tol * scale)) throw new Error(`${what}: error ${err.toExponential(2)} > ${tol} × ${scale.toExponential(2)}`);
}

const zerosLike = (n: number) => new Float64Array(n);

/** Series of I (n×n) to D terms. */
const iSeries = (n: number, D: number) => Array.from({ length: D }, (_, d) => (d === 0 ? identity(n) : zerosLike(n * n)));

function lowerPart(A: Float64Array, n: number, lower: boolean): Float64Array {
  const T = A.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (lower ? j > i : j < i) T[i * n + j] = 0;
  return T;
}

// ---------------------------------------------------------------- scalar series helpers

function sMul(a: number[], b: number[]): number[] {
  return a.map((_, d) => {
    let s = 0;
    for (let k = 0; k <= d; k++) s += a[k]! * b[d - k]!;
    return s;
  });
}

function sLog(x: number[]): number[] {
  const y = [Math.log(x[0]!)];
  for (let d = 1; d < x.length; d++) {
    let s = x[d]!;
    for (let k = 1; k < d; k++) s -= (k / d) * y[k]! * x[d - k]!;
    y.push(s / x[0]!);
  }
  return y;
}

function permutations(n: number): { perm: number[]; sign: number }[] {
  const out: { perm: number[]; sign: number }[] = [];
  const rec = (prefix: number[], rest: number[], sign: number) => {
    if (rest.length === 0) out.push({ perm: prefix, sign });
    rest.forEach((v, i) => rec([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)], i % 2 ? -sign : sign));
  };
  rec([], Array.from({ length: n }, (_, i) => i), 1);
  return out;
}

/** det of a matrix series by the Leibniz formula Σ_σ sign(σ) Π_i a_{i,σ(i)} in series arithmetic. */
function leibnizDet(A: Float64Array[], n: number): number[] {
  const D = A.length;
  const total = new Array<number>(D).fill(0);
  for (const { perm, sign } of permutations(n)) {
    let term = [1, ...new Array<number>(D - 1).fill(0)];
    for (let i = 0; i < n; i++) term = sMul(term, A.map((c) => c[i * n + perm[i]!]!));
    for (let d = 0; d < D; d++) total[d] += sign * term[d]!;
  }
  return total;
}

// ---------------------------------------------------------------- cases

function linearIdentity(op: string, params: unknown, shape: number[]): Identity {
  return ([x], out) => x!.map((c, d) => [out[d]!, primal(op, [c], [shape], params)]);
}

function solveCase(name: string, trans: boolean, n: number, k: number, constA = false, constB = false): Case {
  return {
    name,
    op: 'solve',
    params: { trans },
    inputs: [
      { shape: [n, n], x0: randomMatrix(r, n, n, n), constant: constA },
      { shape: [n, k], x0: randomMatrix(r, n, k), constant: constB },
    ],
    identity: ([A, B], X) => seriesMatmul(A!, X, n, n, k, trans, false).map((c, d) => [c, B![d]!]),
  };
}

function trisolveCase(lower: boolean, trans: boolean): Case {
  const n = 4;
  const k = 3;
  return {
    name: `trisolve lower=${lower} trans=${trans} (other triangle holds garbage)`,
    op: 'trisolve',
    params: { lower, trans },
    inputs: [
      { shape: [n, n], x0: randomMatrix(r, n, n, 3) },
      { shape: [n, k], x0: randomMatrix(r, n, k) },
    ],
    identity: ([T, B], X) => {
      const tri = T!.map((c) => lowerPart(c, n, lower));
      return seriesMatmul(tri, X, n, n, k, trans, false).map((c, d) => [c, B![d]!]);
    },
  };
}

function qrCase(m: number, n: number): Case {
  return {
    name: `qr ${m}×${n}: Q·R = A, QᵀQ = I, R upper`,
    op: 'qr',
    params: null,
    inputs: [{ shape: [m, n], x0: randomMatrix(r, m, n, 1) }],
    identity: ([A], out) => {
      const Q = out.map((c) => c.slice(0, m * n));
      const R = out.map((c) => c.slice(m * n));
      const D = out.length;
      return [
        ...seriesMatmul(Q, R, m, n, n).map((c, d): [Float64Array, Float64Array] => [c, A![d]!]),
        ...seriesMatmul(Q, Q, n, m, n, true, false).map((c, d): [Float64Array, Float64Array] => [c, iSeries(n, D)[d]!]),
        ...R.map((c): [Float64Array, Float64Array] => [c, lowerPart(c, n, false)]),
      ];
    },
  };
}

const n4 = 4;
export const CASES: Case[] = [
  solveCase('solve A·X = B (4×4, 4×2)', false, 4, 2),
  solveCase('solve Aᵀ·X = B', true, 4, 3),
  solveCase('solve with constant A', false, 3, 2, true, false),
  solveCase('solve with constant B', false, 3, 2, false, true),
  trisolveCase(true, false),
  trisolveCase(true, true),
  trisolveCase(false, false),
  trisolveCase(false, true),
  {
    name: 'inv: A·inv(A) = I',
    op: 'inv',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomMatrix(r, n4, n4, 3) }],
    identity: ([A], Y) => seriesMatmul(A!, Y, n4, n4, n4).map((c, d) => [c, iSeries(n4, Y.length)[d]!]),
  },
  {
    name: 'det against the Leibniz expansion in series arithmetic',
    op: 'det',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomMatrix(r, n4, n4, 1) }],
    identity: ([A], y) => [[Float64Array.from(y.map((c) => c[0]!)), Float64Array.from(leibnizDet(A!, n4))]],
  },
  {
    name: 'logabsdet = log|Leibniz det| in series arithmetic',
    op: 'logabsdet',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomMatrix(r, n4, n4, -2) }],
    identity: ([A], y) => {
      const dt = leibnizDet(A!, n4);
      const s = Math.sign(dt[0]!);
      return [[Float64Array.from(y.map((c) => c[0]!)), Float64Array.from(sLog(dt.map((c) => s * c)))]];
    },
  },
  {
    name: 'cholesky: L·Lᵀ = A, L lower',
    op: 'cholesky',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomSPD(r, n4), symmetric: true }],
    identity: ([A], L) => [
      ...seriesMatmul(L, L, n4, n4, n4, false, true).map((c, d): [Float64Array, Float64Array] => [c, A![d]!]),
      ...L.map((c): [Float64Array, Float64Array] => [c, lowerPart(c, n4, true)]),
    ],
  },
  qrCase(4, 4),
  qrCase(6, 3),
  {
    name: 'eigh: A·V = V·Λ, VᵀV = I',
    op: 'eigh',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomSymmetric(r, n4), symmetric: true }],
    identity: ([A], out) => {
      const n = n4;
      const lam = out.map((c) => c.slice(0, n));
      const V = out.map((c) => c.slice(n));
      const Lam = lam.map((l) => {
        const M = new Float64Array(n * n);
        for (let i = 0; i < n; i++) M[i * n + i] = l[i]!;
        return M;
      });
      const AV = seriesMatmul(A!, V, n, n, n);
      const VL = seriesMatmul(V, Lam, n, n, n);
      return [
        ...AV.map((c, d): [Float64Array, Float64Array] => [c, VL[d]!]),
        ...seriesMatmul(V, V, n, n, n, true, false).map((c, d): [Float64Array, Float64Array] => [c, iSeries(n, out.length)[d]!]),
      ];
    },
  },
  {
    name: 'eigvalsh = the eigenvalue row of eigh',
    op: 'eigvalsh',
    params: null,
    inputs: [{ shape: [n4, n4], x0: randomSymmetric(r, n4), symmetric: true }],
    identity: ([A], lam) => {
      const D = lam.length;
      const u = new UTPM([n4, n4], D, 1);
      A!.forEach((c, d) => u.data.set(c, u.off(d, 0)));
      const full = fwd('eigh', [u], null, D, 1);
      return lam.map((c, d) => [c, coef(full, d, 0).slice(0, n4)]);
    },
  },
  { name: 'trace 3×4', op: 'trace', params: null, inputs: [{ shape: [3, 4], x0: randomMatrix(r, 3, 4) }], identity: linearIdentity('trace', null, [3, 4]) },
  ...[0, 1, -2].map((k): Case => ({
    name: `diag (vector → matrix), k=${k}`,
    op: 'diag',
    params: { k, rows: 3 + Math.abs(k), cols: 3 + Math.abs(k) },
    inputs: [{ shape: [3], x0: randomMatrix(r, 1, 3) }],
    identity: linearIdentity('diag', { k, rows: 3 + Math.abs(k), cols: 3 + Math.abs(k) }, [3]),
  })),
  ...[0, 1, -1].map((k): Case => ({
    name: `diag_part of 3×4, k=${k}`,
    op: 'diag_part',
    params: { k },
    inputs: [{ shape: [3, 4], x0: randomMatrix(r, 3, 4) }],
    identity: linearIdentity('diag_part', { k }, [3, 4]),
  })),
  ...(['tril', 'triu'] as const).flatMap((op) =>
    [0, 1, -1].map((k): Case => ({
      name: `${op} k=${k}`,
      op,
      params: { k },
      inputs: [{ shape: [3, 4], x0: randomMatrix(r, 3, 4) }],
      identity: linearIdentity(op, { k }, [3, 4]),
    })),
  ),
  ...[[5], [3, 2]].map((shape): Case => ({
    name: `norm of shape [${shape}]: norm² = Σx²`,
    op: 'norm',
    params: null,
    inputs: [{ shape, x0: randomMatrix(r, 1, shape.reduce((a, b) => a * b, 1)) }],
    identity: ([x], y) => {
      const D = y.length;
      const yy = sMul(y.map((c) => c[0]!), y.map((c) => c[0]!));
      const ss = new Array<number>(D).fill(0);
      for (let i = 0; i < x![0]!.length; i++) {
        const xi = x!.map((c) => c[i]!);
        sMul(xi, xi).forEach((v, d) => (ss[d] += v));
      }
      return [[Float64Array.from(yy), Float64Array.from(ss)]];
    },
  })),
];

/** A case's inputs as curves of degree D in P directions (constants stay constant), and the primitive's output. */
export function build(c: Case, D: number, P: number): { ins: UTPM[]; out: UTPM } {
  const ins = c.inputs.map((i) => (i.constant ? UTPM.constant(i.shape, i.x0) : curve(i.shape, i.x0, D, P, r, 0.3, i.symmetric)));
  return { ins, out: fwd(c.op, ins, c.params, D, P) };
}

