/**
 * The 35 unconstrained test problems of J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing
 * unconstrained optimization software", ACM TOMS 7(1):17–41, 1981 — written once with tayopt
 * operations and shared by the tests and the benchmarks. Each is f(x) = Σ rᵢ(x)² (Brown and
 * Dennis is Σ of squares of sums of squares, as in the paper), with the paper's standard
 * starting point and the minima it reports (plus, for chebyquad-10, a lower local minimum
 * recorded in CUTEst, cited where it is listed; `MinimumValue.source` names the origin).
 *
 * Reported minima carry the precision they were published with: `paper('8.21487e-3')` is
 * 8.21487…·10⁻³, the paper's digits truncated. A run "reaches f*" when
 * |f − f*| ≤ max(1e-6·(1 + |f*|), one unit in the last printed digit) — the second term only
 * matters where six printed digits are coarser than 1e-6 relative (Freudenstein–Roth's local
 * minimum, Jennrich–Sampson, Bard's second minimum, Meyer, Brown–Dennis).
 * Exact values (0, closed forms) have no rounding allowance.
 */
import * as t from '../../src/index.js';

type Tensor = t.Tensor;

/** A reported minimum value with the rounding allowance of its published digits. */
export interface MinimumValue {
  value: number;
  /** One unit in the last published digit (0 for exact values). */
  rounding: number;
  /** Where the value comes from. */
  source: string;
}

/** One test problem. */
export interface TestProblem {
  /** Problem number in Moré–Garbow–Hillstrom (0 for problems from elsewhere). */
  id: number;
  /** Unique name, e.g. 'rosenbrock', 'extended-rosenbrock-100'. */
  name: string;
  n: number;
  /** Number of residuals. */
  m: number;
  x0: number[];
  /** Known local minima values; reaching any of them counts as solved. */
  fStar: MinimumValue[];
  /** f(x) written with tayopt operations; x is a vector of length n. */
  objective: (x: Tensor) => Tensor;
  /**
   * The residual vector r(x) with f = Σ rᵢ² (the paper's residuals, in its order except where
   * noted; linear-full-rank's m − n equal residuals are one entry scaled by √(m − n)).
   */
  residuals: (x: Tensor) => Tensor;
  /** Member of the paper's 18-problem unconstrained-minimization subset. */
  main18: boolean;
}

/**
 * A minimum as printed in the paper. The paper prints truncated digits ("f = 48.9842..."), so
 * the allowance is one unit in the last printed digit.
 */
export function paper(printed: string, source = 'MGH 1981'): MinimumValue {
  const value = Number(printed);
  const [mant, exp] = printed.toLowerCase().split('e');
  const decimals = mant!.includes('.') ? mant!.split('.')[1]!.length : 0;
  const rounding = 10 ** (-decimals + (exp ? Number(exp) : 0));
  return { value, rounding, source };
}

/** An exact minimum value (0 or a closed form). */
export function exact(value: number, source = 'MGH 1981'): MinimumValue {
  return { value, rounding: 0, source };
}

/** Whether f reaches the reported minimum v (see the module comment). */
export function reaches(f: number, v: MinimumValue): boolean {
  return Math.abs(f - v.value) <= Math.max(1e-6 * (1 + Math.abs(v.value)), v.rounding);
}

// ------------------------------------------------------------------ helpers

const sq = (r: t.TensorLike): Tensor => t.sum(t.square(r));
const x_ = (x: Tensor, i: number): Tensor => t.at(x, i);
/** 1, 2, …, m as a Float64Array. */
const range1 = (m: number): Float64Array => Float64Array.from({ length: m }, (_, i) => i + 1);
const map = (a: Float64Array, f: (v: number, i: number) => number): Float64Array => a.map((v, i) => f(v, i));

/** A problem; without an objective, f = Σ rᵢ² of its residuals (the same operations as writing it out). */
function problem(p: Omit<TestProblem, 'main18' | 'objective'> & { main18?: boolean; objective?: TestProblem['objective'] }): TestProblem {
  return { main18: false, objective: (x) => sq(p.residuals(x)), ...p };
}

// ------------------------------------------------------------------ the problems (MGH numbering)

const rosenbrock = problem({
  id: 1,
  name: 'rosenbrock',
  n: 2,
  m: 2,
  x0: [-1.2, 1],
  fStar: [exact(0)],
  objective: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    return t.add(t.square(t.mul(10, t.sub(b, t.square(a)))), t.square(t.sub(1, a)));
  },
  residuals: (x) => t.stack([t.mul(10, t.sub(x_(x, 1), t.square(x_(x, 0)))), t.sub(1, x_(x, 0))]),
});

const freudensteinRoth = problem({
  id: 2,
  name: 'freudenstein-roth',
  n: 2,
  m: 2,
  x0: [0.5, -2],
  fStar: [exact(0), paper('48.9842')],
  objective: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    const r1 = t.add(-13, t.add(a, t.mul(t.sub(t.mul(t.sub(5, b), b), 2), b)));
    const r2 = t.add(-29, t.add(a, t.mul(t.sub(t.mul(t.add(b, 1), b), 14), b)));
    return t.add(t.square(r1), t.square(r2));
  },
  residuals: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    return t.stack([t.add(-13, t.add(a, t.mul(t.sub(t.mul(t.sub(5, b), b), 2), b))), t.add(-29, t.add(a, t.mul(t.sub(t.mul(t.add(b, 1), b), 14), b)))]);
  },
});

const powellBadlyScaled = problem({
  id: 3,
  name: 'powell-badly-scaled',
  n: 2,
  m: 2,
  x0: [0, 1],
  fStar: [exact(0)],
  main18: true,
  objective: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    const r1 = t.sub(t.mul(1e4, t.mul(a, b)), 1);
    const r2 = t.sub(t.add(t.exp(t.neg(a)), t.exp(t.neg(b))), 1.0001);
    return t.add(t.square(r1), t.square(r2));
  },
  residuals: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    return t.stack([t.sub(t.mul(1e4, t.mul(a, b)), 1), t.sub(t.add(t.exp(t.neg(a)), t.exp(t.neg(b))), 1.0001)]);
  },
});

const brownBadlyScaled = problem({
  id: 4,
  name: 'brown-badly-scaled',
  n: 2,
  m: 3,
  x0: [1, 1],
  fStar: [exact(0)],
  main18: true,
  objective: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    return t.add(t.add(t.square(t.sub(a, 1e6)), t.square(t.sub(b, 2e-6))), t.square(t.sub(t.mul(a, b), 2)));
  },
  residuals: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    return t.stack([t.sub(a, 1e6), t.sub(b, 2e-6), t.sub(t.mul(a, b), 2)]);
  },
});

const beale = problem({
  id: 5,
  name: 'beale',
  n: 2,
  m: 3,
  x0: [1, 1],
  fStar: [exact(0)],
  main18: true,
  residuals: (x) => {
    const [a, b] = [x_(x, 0), x_(x, 1)];
    const y = [1.5, 2.25, 2.625];
    return t.sub(y, t.mul(a, t.sub(1, t.pow(b, [1, 2, 3]))));
  },
});

const jennrichSampson = problem({
  id: 6,
  name: 'jennrich-sampson',
  n: 2,
  m: 10,
  x0: [0.3, 0.4],
  fStar: [paper('124.362')],
  residuals: (x) => {
    const i = range1(10);
    const r = t.sub(
      map(i, (v) => 2 + 2 * v),
      t.add(t.exp(t.mul(i, x_(x, 0))), t.exp(t.mul(i, x_(x, 1)))),
    );
    return r;
  },
});

const helicalValley = problem({
  id: 7,
  name: 'helical-valley',
  n: 3,
  m: 3,
  x0: [-1, 0, 0],
  fStar: [exact(0)],
  main18: true,
  objective: (x) => {
    const [a, b, c] = [x_(x, 0), x_(x, 1), x_(x, 2)];
    const base = t.div(t.atan(t.div(b, a)), 2 * Math.PI);
    const theta = t.where(t.gt(a, 0), base, t.add(base, 0.5));
    const r1 = t.mul(10, t.sub(c, t.mul(10, theta)));
    const r2 = t.mul(10, t.sub(t.sqrt(t.add(t.square(a), t.square(b))), 1));
    return t.add(t.add(t.square(r1), t.square(r2)), t.square(c));
  },
  residuals: (x) => {
    const [a, b, c] = [x_(x, 0), x_(x, 1), x_(x, 2)];
    const base = t.div(t.atan(t.div(b, a)), 2 * Math.PI);
    const theta = t.where(t.gt(a, 0), base, t.add(base, 0.5));
    return t.stack([t.mul(10, t.sub(c, t.mul(10, theta))), t.mul(10, t.sub(t.sqrt(t.add(t.square(a), t.square(b))), 1)), c]);
  },
});

const bard = problem({
  id: 8,
  name: 'bard',
  n: 3,
  m: 15,
  x0: [1, 1, 1],
  fStar: [paper('8.21487e-3'), paper('17.4286')],
  residuals: (x) => {
    const y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39];
    const u = range1(15);
    const v = map(u, (i) => 16 - i);
    const w = map(u, (i) => Math.min(i, 16 - i));
    const model = t.add(x_(x, 0), t.div(u, t.add(t.mul(v, x_(x, 1)), t.mul(w, x_(x, 2)))));
    return t.sub(y, model);
  },
});

const gaussian = problem({
  id: 9,
  name: 'gaussian',
  n: 3,
  m: 15,
  x0: [0.4, 1, 0],
  fStar: [paper('1.12793e-8')],
  main18: true,
  residuals: (x) => {
    const y = [0.0009, 0.0044, 0.0175, 0.054, 0.1295, 0.242, 0.3521, 0.3989, 0.3521, 0.242, 0.1295, 0.054, 0.0175, 0.0044, 0.0009];
    const ti = map(range1(15), (i) => (8 - i) / 2);
    const d = t.sub(ti, x_(x, 2));
    const model = t.mul(x_(x, 0), t.exp(t.mul(-0.5, t.mul(x_(x, 1), t.square(d)))));
    return t.sub(model, y);
  },
});

const meyer = problem({
  id: 10,
  name: 'meyer',
  n: 3,
  m: 16,
  x0: [0.02, 4000, 250],
  fStar: [paper('87.9458')],
  residuals: (x) => {
    const y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];
    const ti = map(range1(16), (i) => 45 + 5 * i);
    const model = t.mul(x_(x, 0), t.exp(t.div(x_(x, 1), t.add(ti, x_(x, 2)))));
    return t.sub(model, y);
  },
});

const gulf = problem({
  id: 11,
  name: 'gulf',
  n: 3,
  m: 99,
  x0: [5, 2.5, 0.15],
  fStar: [exact(0)],
  main18: true,
  residuals: (x) => {
    const ti = map(range1(99), (i) => i / 100);
    const yi = map(ti, (v) => 25 + (-50 * Math.log(v)) ** (2 / 3));
    const p = t.pow(t.abs(t.sub(yi, x_(x, 1))), x_(x, 2));
    return t.sub(t.exp(t.neg(t.div(p, x_(x, 0)))), ti);
  },
});

const box3d = problem({
  id: 12,
  name: 'box-3d',
  n: 3,
  m: 10,
  x0: [0, 10, 20],
  fStar: [exact(0)],
  main18: true,
  residuals: (x) => {
    const ti = map(range1(10), (i) => 0.1 * i);
    const c = map(ti, (v) => Math.exp(-v) - Math.exp(-10 * v));
    const r = t.sub(t.sub(t.exp(t.mul(t.neg(ti), x_(x, 0))), t.exp(t.mul(t.neg(ti), x_(x, 1)))), t.mul(x_(x, 2), c));
    return r;
  },
});

/** Powell's four residuals (blocks of them, for the extended function), concatenated by kind. */
function powellSingularResiduals(a: Tensor, b: Tensor, c: Tensor, d: Tensor): Tensor[] {
  return [t.add(a, t.mul(10, b)), t.mul(Math.sqrt(5), t.sub(c, d)), t.square(t.sub(b, t.mul(2, c))), t.mul(Math.sqrt(10), t.square(t.sub(a, d)))];
}

function powellSingularBlocks(a: Tensor, b: Tensor, c: Tensor, d: Tensor): Tensor {
  const [r1, r2, r3, r4] = powellSingularResiduals(a, b, c, d);
  return t.add(t.add(sq(r1!), sq(r2!)), t.add(sq(r3!), sq(r4!)));
}

const flat = (parts: Tensor[]): Tensor => t.concatenate(parts.map((r) => t.reshape(r, [-1])));

const powellSingular = problem({
  id: 13,
  name: 'powell-singular',
  n: 4,
  m: 4,
  x0: [3, -1, 0, 1],
  fStar: [exact(0)],
  objective: (x) => powellSingularBlocks(x_(x, 0), x_(x, 1), x_(x, 2), x_(x, 3)),
  residuals: (x) => flat(powellSingularResiduals(x_(x, 0), x_(x, 1), x_(x, 2), x_(x, 3))),
});

const wood = problem({
  id: 14,
  name: 'wood',
  n: 4,
  m: 6,
  x0: [-3, -1, -3, -1],
  fStar: [exact(0)],
  main18: true,
  residuals: (x) => {
    const [a, b, c, d] = [x_(x, 0), x_(x, 1), x_(x, 2), x_(x, 3)];
    const r = [
      t.mul(10, t.sub(b, t.square(a))),
      t.sub(1, a),
      t.mul(Math.sqrt(90), t.sub(d, t.square(c))),
      t.sub(1, c),
      t.mul(Math.sqrt(10), t.sub(t.add(b, d), 2)),
      t.div(t.sub(b, d), Math.sqrt(10)),
    ];
    return t.stack(r);
  },
});

const kowalikOsborne = problem({
  id: 15,
  name: 'kowalik-osborne',
  n: 4,
  m: 11,
  x0: [0.25, 0.39, 0.415, 0.39],
  fStar: [paper('3.07505e-4'), paper('1.02734e-3')],
  residuals: (x) => {
    const y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
    const u = Float64Array.of(4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625);
    const u2 = map(u, (v) => v * v);
    const num = t.add(u2, t.mul(u, x_(x, 1)));
    const den = t.add(t.add(u2, t.mul(u, x_(x, 2))), x_(x, 3));
    return t.sub(y, t.div(t.mul(x_(x, 0), num), den));
  },
});

const brownDennis = problem({
  id: 16,
  name: 'brown-dennis',
  n: 4,
  m: 20,
  x0: [25, 5, -5, -1],
  fStar: [paper('85822.2')],
  main18: true,
  residuals: (x) => {
    const ti = map(range1(20), (i) => i / 5);
    const a = t.sub(t.add(x_(x, 0), t.mul(ti, x_(x, 1))), map(ti, Math.exp));
    const b = t.sub(t.add(x_(x, 2), t.mul(map(ti, Math.sin), x_(x, 3))), map(ti, Math.cos));
    return t.add(t.square(a), t.square(b));
  },
});

const osborne1 = problem({
  id: 17,
  name: 'osborne-1',
  n: 5,
  m: 33,
  x0: [0.5, 1.5, -1, 0.01, 0.02],
  fStar: [paper('5.46489e-5')],
  residuals: (x) => {
    const y = [
      0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.85, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.58,
      0.558, 0.538, 0.522, 0.506, 0.49, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.42, 0.414, 0.411, 0.406,
    ];
    const ti = map(range1(33), (i) => 10 * (i - 1));
    const nt = t.neg(ti);
    const model = t.add(
      x_(x, 0),
      t.add(t.mul(x_(x, 1), t.exp(t.mul(nt, x_(x, 3)))), t.mul(x_(x, 2), t.exp(t.mul(nt, x_(x, 4))))),
    );
    return t.sub(y, model);
  },
});

const biggsExp6 = problem({
  id: 18,
  name: 'biggs-exp6',
  n: 6,
  m: 13,
  x0: [1, 2, 1, 1, 1, 1],
  fStar: [exact(0), paper('5.65565e-3')],
  main18: true,
  residuals: (x) => {
    const ti = map(range1(13), (i) => 0.1 * i);
    const y = map(ti, (v) => Math.exp(-v) - 5 * Math.exp(-10 * v) + 3 * Math.exp(-4 * v));
    const nt = t.neg(ti);
    const e = (k: number, j: number): Tensor => t.mul(x_(x, k), t.exp(t.mul(nt, x_(x, j))));
    return t.sub(t.add(t.sub(e(2, 0), e(3, 1)), e(5, 4)), y);
  },
});

const osborne2 = problem({
  id: 19,
  name: 'osborne-2',
  n: 11,
  m: 65,
  x0: [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5],
  fStar: [paper('4.01377e-2')],
  residuals: (x) => {
    const y = [
      1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602,
      0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.5, 0.423, 0.395, 0.375,
      0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591,
      0.559, 0.597, 0.625, 0.739, 0.71, 0.729, 0.72, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
    ];
    const ti = map(range1(65), (i) => (i - 1) / 10);
    const bump = (k: number, w: number, c: number): Tensor =>
      t.mul(x_(x, k), t.exp(t.neg(t.mul(t.square(t.sub(ti, x_(x, c))), x_(x, w)))));
    const model = t.add(t.add(t.mul(x_(x, 0), t.exp(t.mul(t.neg(ti), x_(x, 4)))), bump(1, 5, 8)), t.add(bump(2, 6, 9), bump(3, 7, 10)));
    return t.sub(y, model);
  },
});

function watson(n: number, fStar: MinimumValue[]): TestProblem {
  // r_i = Σ_{j≥2} (j−1) x_j t^{j−2} − (Σ_j x_j t^{j−1})² − 1 at t_i = i/29, i = 1…29.
  const A = new Float64Array(29 * n);
  const B = new Float64Array(29 * n);
  for (let i = 0; i < 29; i++) {
    const ti = (i + 1) / 29;
    for (let j = 0; j < n; j++) {
      B[i * n + j] = ti ** j;
      if (j >= 1) A[i * n + j] = j * ti ** (j - 1);
    }
  }
  const rows = (M: Float64Array): number[][] => Array.from({ length: 29 }, (_, i) => Array.from(M.subarray(i * n, (i + 1) * n)));
  const Am = rows(A);
  const Bm = rows(B);
  return problem({
    id: 20,
    name: `watson-${n}`,
    n,
    m: 31,
    x0: new Array(n).fill(0),
    fStar,
    main18: true,
    objective: (x) => {
      const r = t.sub(t.sub(t.matmul(Am, x), t.square(t.matmul(Bm, x))), 1);
      const a = x_(x, 0);
      return t.add(sq(r), t.add(t.square(a), t.square(t.sub(t.sub(x_(x, 1), t.square(a)), 1))));
    },
    residuals: (x) => {
      const a = x_(x, 0);
      return flat([t.sub(t.sub(t.matmul(Am, x), t.square(t.matmul(Bm, x))), 1), a, t.sub(t.sub(x_(x, 1), t.square(a)), 1)]);
    },
  });
}

function extendedRosenbrock(n: number): TestProblem {
  return problem({
    id: 21,
    name: `extended-rosenbrock-${n}`,
    n,
    m: n,
    x0: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    fStar: [exact(0)],
    main18: true,
    objective: (x) => {
      const odd = t.slice(x, [0, null, 2]);
      const even = t.slice(x, [1, null, 2]);
      return t.add(sq(t.mul(10, t.sub(even, t.square(odd)))), sq(t.sub(1, odd)));
    },
    // all 10(x₂ᵢ − x₂ᵢ₋₁²) first, then all 1 − x₂ᵢ₋₁
    residuals: (x) => {
      const odd = t.slice(x, [0, null, 2]);
      return flat([t.mul(10, t.sub(t.slice(x, [1, null, 2]), t.square(odd))), t.sub(1, odd)]);
    },
  });
}

function extendedPowell(n: number): TestProblem {
  return problem({
    id: 22,
    name: `extended-powell-${n}`,
    n,
    m: n,
    x0: Array.from({ length: n }, (_, i) => [3, -1, 0, 1][i % 4]!),
    fStar: [exact(0)],
    main18: true,
    objective: (x) =>
      powellSingularBlocks(t.slice(x, [0, null, 4]), t.slice(x, [1, null, 4]), t.slice(x, [2, null, 4]), t.slice(x, [3, null, 4])),
    residuals: (x) =>
      flat(powellSingularResiduals(t.slice(x, [0, null, 4]), t.slice(x, [1, null, 4]), t.slice(x, [2, null, 4]), t.slice(x, [3, null, 4]))),
  });
}

function penalty1(n: number, fStar: MinimumValue[]): TestProblem {
  return problem({
    id: 23,
    name: `penalty-1-${n}`,
    n,
    m: n + 1,
    x0: Array.from({ length: n }, (_, i) => i + 1),
    fStar,
    main18: true,
    objective: (x) => t.add(t.mul(1e-5, sq(t.sub(x, 1))), t.square(t.sub(sq(x), 0.25))),
    residuals: (x) => flat([t.mul(Math.sqrt(1e-5), t.sub(x, 1)), t.sub(sq(x), 0.25)]),
  });
}

function penalty2(n: number, fStar: MinimumValue[]): TestProblem {
  const a = 1e-5;
  const y = Float64Array.from({ length: n - 1 }, (_, k) => Math.exp((k + 2) / 10) + Math.exp((k + 1) / 10));
  const weights = Float64Array.from({ length: n }, (_, j) => n - j);
  return problem({
    id: 24,
    name: `penalty-2-${n}`,
    n,
    m: 2 * n,
    x0: new Array(n).fill(0.5),
    fStar,
    main18: true,
    objective: (x) => {
      const e = t.exp(t.div(x, 10));
      const tail = t.slice(e, [1, null]);
      const r2 = t.sub(t.add(tail, t.slice(e, [0, -1])), y);
      const r3 = t.sub(tail, Math.exp(-0.1));
      const last = t.sub(t.sum(t.mul(weights, t.square(x))), 1);
      return t.add(t.add(t.square(t.sub(x_(x, 0), 0.2)), t.mul(a, t.add(sq(r2), sq(r3)))), t.square(last));
    },
    residuals: (x) => {
      const e = t.exp(t.div(x, 10));
      const tail = t.slice(e, [1, null]);
      const ra = Math.sqrt(a);
      const r2 = t.mul(ra, t.sub(t.add(tail, t.slice(e, [0, -1])), y));
      const r3 = t.mul(ra, t.sub(tail, Math.exp(-0.1)));
      return flat([t.sub(x_(x, 0), 0.2), r2, r3, t.sub(t.sum(t.mul(weights, t.square(x))), 1)]);
    },
  });
}

function variablyDimensioned(n: number): TestProblem {
  const j = range1(n);
  return problem({
    id: 25,
    name: `variably-dimensioned-${n}`,
    n,
    m: n + 2,
    x0: Array.from({ length: n }, (_, i) => 1 - (i + 1) / n),
    fStar: [exact(0)],
    main18: true,
    objective: (x) => {
      const d = t.sub(x, 1);
      const s = t.sum(t.mul(j, d));
      return t.add(t.add(sq(d), t.square(s)), t.square(t.square(s)));
    },
    residuals: (x) => {
      const d = t.sub(x, 1);
      const s = t.sum(t.mul(j, d));
      return flat([d, s, t.square(s)]);
    },
  });
}

function trigonometric(n: number): TestProblem {
  const j = range1(n);
  return problem({
    id: 26,
    name: `trigonometric-${n}`,
    n,
    m: n,
    x0: new Array(n).fill(1 / n),
    fStar: [exact(0)],
    main18: true,
    residuals: (x) => {
      const c = t.cos(x);
      const r = t.sub(t.add(t.sub(n, t.sum(c)), t.mul(j, t.sub(1, c))), t.sin(x));
      return r;
    },
  });
}

function brownAlmostLinear(n: number): TestProblem {
  return problem({
    id: 27,
    name: `brown-almost-linear-${n}`,
    n,
    m: n,
    x0: new Array(n).fill(0.5),
    fStar: [exact(0), exact(1)],
    objective: (x) => {
      const r = t.sub(t.add(t.slice(x, [0, -1]), t.sum(x)), n + 1);
      return t.add(sq(r), t.square(t.sub(t.prod(x), 1)));
    },
    residuals: (x) => flat([t.sub(t.add(t.slice(x, [0, -1]), t.sum(x)), n + 1), t.sub(t.prod(x), 1)]),
  });
}

function discreteBoundaryValue(n: number): TestProblem {
  const h = 1 / (n + 1);
  const ti = map(range1(n), (i) => i * h);
  return problem({
    id: 28,
    name: `discrete-boundary-value-${n}`,
    n,
    m: n,
    x0: Array.from(ti, (v) => v * (v - 1)),
    fStar: [exact(0)],
    residuals: (x) => {
      const padded = t.concatenate([[0], x, [0]]);
      const lap = t.sub(t.sub(t.mul(2, x), t.slice(padded, [0, -2])), t.slice(padded, [2, null]));
      return t.add(lap, t.mul((h * h) / 2, t.pow(t.add(t.add(x, ti), 1), 3)));
    },
  });
}

function discreteIntegralEquation(n: number): TestProblem {
  const h = 1 / (n + 1);
  const ti = map(range1(n), (i) => i * h);
  // r_i = x_i + (h/2)[(1 − t_i) Σ_{j≤i} t_j u_j + t_i Σ_{j>i} (1 − t_j) u_j],  u_j = (x_j + t_j + 1)³.
  const K: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (h / 2) * (j <= i ? (1 - ti[i]!) * ti[j]! : ti[i]! * (1 - ti[j]!))),
  );
  return problem({
    id: 29,
    name: `discrete-integral-equation-${n}`,
    n,
    m: n,
    x0: Array.from(ti, (v) => v * (v - 1)),
    fStar: [exact(0)],
    residuals: (x) => t.add(x, t.matmul(K, t.pow(t.add(t.add(x, ti), 1), 3))),
  });
}

function broydenTridiagonal(n: number): TestProblem {
  return problem({
    id: 30,
    name: `broyden-tridiagonal-${n}`,
    n,
    m: n,
    x0: new Array(n).fill(-1),
    fStar: [exact(0)],
    residuals: (x) => {
      const padded = t.concatenate([[0], x, [0]]);
      const r = t.add(t.sub(t.sub(t.mul(t.sub(3, t.mul(2, x)), x), t.slice(padded, [0, -2])), t.mul(2, t.slice(padded, [2, null]))), 1);
      return r;
    },
  });
}

function broydenBanded(n: number): TestProblem {
  const ml = 5;
  const mu = 1;
  const band: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (j !== i && j >= i - ml && j <= i + mu ? 1 : 0)),
  );
  return problem({
    id: 31,
    name: `broyden-banded-${n}`,
    n,
    m: n,
    x0: new Array(n).fill(-1),
    fStar: [exact(0)],
    residuals: (x) => {
      const r = t.sub(t.add(t.mul(x, t.add(2, t.mul(5, t.square(x)))), 1), t.matmul(band, t.mul(x, t.add(1, x))));
      return r;
    },
  });
}

function linearFullRank(n: number, m: number): TestProblem {
  return problem({
    id: 32,
    name: `linear-full-rank-${n}`,
    n,
    m,
    x0: new Array(n).fill(1),
    fStar: [exact(m - n)],
    objective: (x) => {
      const c = t.add(t.mul(2 / m, t.sum(x)), 1);
      return t.add(sq(t.sub(x, c)), t.mul(m - n, t.square(c)));
    },
    residuals: (x) => {
      const c = t.add(t.mul(2 / m, t.sum(x)), 1);
      return flat([t.sub(x, c), t.mul(-Math.sqrt(m - n), c)]);
    },
  });
}

function linearRank1(n: number, m: number): TestProblem {
  const j = range1(n);
  const i = range1(m);
  return problem({
    id: 33,
    name: `linear-rank-1-${n}`,
    n,
    m,
    x0: new Array(n).fill(1),
    fStar: [exact((m * (m - 1)) / (2 * (2 * m + 1)))],
    residuals: (x) => t.sub(t.mul(i, t.sum(t.mul(j, x))), 1),
  });
}

function linearRank1ZeroColumns(n: number, m: number): TestProblem {
  const j = Float64Array.from({ length: n }, (_, k) => (k === 0 || k === n - 1 ? 0 : k + 1));
  const i = Float64Array.from({ length: m - 2 }, (_, k) => k + 1); // (i − 1) for i = 2 … m−1
  return problem({
    id: 34,
    name: `linear-rank-1-zero-${n}`,
    n,
    m,
    x0: new Array(n).fill(1),
    fStar: [exact((m * m + 3 * m - 6) / (2 * (2 * m - 3)))],
    objective: (x) => t.add(sq(t.sub(t.mul(i, t.sum(t.mul(j, x))), 1)), 2),
    residuals: (x) => flat([[-1], t.sub(t.mul(i, t.sum(t.mul(j, x))), 1), [-1]].map((r) => t.tensor(r as t.TensorLike))),
  });
}

function chebyquad(n: number, fStar: MinimumValue[]): TestProblem {
  const m = n;
  const target = Float64Array.from({ length: m }, (_, k) => ((k + 1) % 2 === 0 ? -1 / ((k + 1) ** 2 - 1) : 0));
  return problem({
    id: 35,
    name: `chebyquad-${n}`,
    n,
    m,
    x0: Array.from({ length: n }, (_, j) => (j + 1) / (n + 1)),
    fStar,
    main18: true,
    residuals: (x) => {
      // Shifted Chebyshev polynomials T_i(2x − 1) by the three-term recurrence.
      const y = t.sub(t.mul(2, x), 1);
      let prev: Tensor = t.ones([n]);
      let cur: Tensor = y;
      const means: Tensor[] = [t.mean(cur)];
      for (let k = 2; k <= m; k++) {
        const next = t.sub(t.mul(t.mul(2, y), cur), prev);
        prev = cur;
        cur = next;
        means.push(t.mean(cur));
      }
      return t.sub(t.stack(means), target);
    },
  });
}

/** Every problem at the dimensions used by the tests and benchmarks. */
export const MGH_PROBLEMS: readonly TestProblem[] = [
  rosenbrock,
  freudensteinRoth,
  powellBadlyScaled,
  brownBadlyScaled,
  beale,
  jennrichSampson,
  helicalValley,
  bard,
  gaussian,
  meyer,
  gulf,
  box3d,
  powellSingular,
  wood,
  kowalikOsborne,
  brownDennis,
  osborne1,
  biggsExp6,
  osborne2,
  watson(6, [paper('2.28767e-3')]),
  watson(9, [paper('1.39976e-6')]),
  watson(12, [paper('4.72238e-10')]),
  extendedRosenbrock(10),
  extendedRosenbrock(100),
  extendedRosenbrock(1000),
  extendedPowell(12),
  extendedPowell(100),
  extendedPowell(1000),
  penalty1(4, [paper('2.24997e-5')]),
  penalty1(10, [paper('7.08765e-5')]),
  penalty2(4, [paper('9.37629e-6')]),
  penalty2(10, [paper('2.93660e-4')]),
  variablyDimensioned(10),
  variablyDimensioned(100),
  variablyDimensioned(1000),
  trigonometric(10),
  trigonometric(100),
  trigonometric(1000),
  brownAlmostLinear(10),
  discreteBoundaryValue(10),
  discreteIntegralEquation(10),
  broydenTridiagonal(10),
  broydenBanded(10),
  linearFullRank(10, 20),
  linearRank1(10, 20),
  linearRank1ZeroColumns(10, 20),
  chebyquad(8, [paper('3.51687e-3')]),
  chebyquad(9, [exact(0)]),
  // n = 10 has a second, lower local minimum f = 4.772713e-3 (at x ≈ 0.0747, 0.1715, 0.2864,
  // 0.3596, 0.4708, 0.6167, 0.6167, 0.7998, 0.8449, 0.9670, inside the unit box, not symmetric
  // about ½ unlike the paper's). Source: the CUTE/CUTEst SIF file CHEBYQAD.SIF (SIF input
  // N. Gould, March 1990; "Source: problem 35 in Moré, Garbow and Hillstrom"), OBJECT BOUND
  // section: "SOLTN(10) 4.772713D-3". That file poses the problem on 0 ≤ x ≤ 1, a box this
  // minimizer lies strictly inside, so it is also an unconstrained local minimum.
  chebyquad(10, [paper('6.50395e-3'), paper('4.772713e-3', 'CUTEst CHEBYQAD.SIF, SOLTN(10) (N. Gould, 1990)')]),
];

/** Looks a problem up by name; throws for unknown names. */
export function mghProblem(name: string): TestProblem {
  const p = MGH_PROBLEMS.find((q) => q.name === name);
  if (!p) throw new Error(`unknown MGH problem '${name}'`);
  return p;
}
