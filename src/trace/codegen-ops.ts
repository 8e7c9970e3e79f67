/**
 * Expression templates for fused elementwise loops: for each elementwise primitive, the
 * JavaScript expression of its value and of its degree-1 Taylor coefficient (the tangent
 * along one direction), given the operands' value and tangent variables. A null tangent
 * means "identically zero" (a constant operand). Values must match the primitive's own
 * degree-0 function (src/utpm/elementwise.ts) exactly; the helpers SIG, SP, ERF and SECH2
 * are that module's sigmoid, softplus, erf and sech².
 */

export interface ElementwiseCode {
  value(a: string[]): string;
  /** Tangent of the result, from operand values `a`, tangents `t` and the result `y`. */
  tangent(a: string[], t: (string | null)[], y: string): string | null;
  /**
   * Unary functions: f′ from the operand `a` and the result `y`. The tangent is f′·t; a loop
   * over directions computes f′ once per element.
   */
  deriv?(a: string, y: string): string;
}

/** f with derivative f'(x) = d(a, y): tangent d·t. */
function chain(value: (a: string) => string, d: (a: string, y: string) => string): ElementwiseCode {
  return {
    value: ([a]) => value(a!),
    tangent: ([a], [t], y) => (t === null ? null : `(${d(a!, y)}) * ${t}`),
    deriv: d,
  };
}

function sum(terms: (string | null)[]): string | null {
  const ts = terms.filter((x): x is string => x !== null);
  return ts.length === 0 ? null : ts.join(' + ');
}

const COMPARE: Record<string, string> = { gt: '>', ge: '>=', lt: '<', le: '<=', eq: '===', ne: '!==' };

export const ELEMENTWISE_CODE: Record<string, ElementwiseCode> = {
  neg: { value: ([a]) => `(-${a})`, tangent: (_a, [t]) => (t === null ? null : `(-${t})`) },
  square: chain((a) => `(${a} * ${a})`, (a) => `2 * ${a}`),
  sqrt: chain((a) => `Math.sqrt(${a})`, (_a, y) => `0.5 / ${y}`),
  exp: chain((a) => `Math.exp(${a})`, (_a, y) => y),
  log: chain((a) => `Math.log(${a})`, (a) => `1 / ${a}`),
  log1p: chain((a) => `Math.log1p(${a})`, (a) => `1 / (1 + ${a})`),
  expm1: chain((a) => `Math.expm1(${a})`, (_a, y) => `${y} + 1`),
  sin: chain((a) => `Math.sin(${a})`, (a) => `Math.cos(${a})`),
  cos: chain((a) => `Math.cos(${a})`, (a) => `-Math.sin(${a})`),
  tan: chain((a) => `Math.tan(${a})`, (_a, y) => `1 + ${y} * ${y}`),
  sinh: chain((a) => `Math.sinh(${a})`, (a) => `Math.cosh(${a})`),
  cosh: chain((a) => `Math.cosh(${a})`, (a) => `Math.sinh(${a})`),
  tanh: chain((a) => `Math.tanh(${a})`, (a) => `SECH2(${a})`),
  sech2: chain((a) => `SECH2(${a})`, (a, y) => `-2 * Math.tanh(${a}) * ${y}`),
  asin: chain((a) => `Math.asin(${a})`, (a) => `1 / Math.sqrt(1 - ${a} * ${a})`),
  acos: chain((a) => `Math.acos(${a})`, (a) => `-1 / Math.sqrt(1 - ${a} * ${a})`),
  atan: chain((a) => `Math.atan(${a})`, (a) => `1 / (1 + ${a} * ${a})`),
  abs: chain((a) => `Math.abs(${a})`, (a) => `${a} >= 0 ? 1 : -1`),
  sigmoid: chain((a) => `SIG(${a})`, (a, y) => `${y} * SIG(-${a})`),
  softplus: chain((a) => `SP(${a})`, (a) => `SIG(${a})`),
  erf: chain((a) => `ERF(${a})`, (a) => `1.1283791670955126 * Math.exp(-(${a} * ${a}))`),
  sign: { value: ([a]) => `Math.sign(${a})`, tangent: () => null },
  add: { value: ([a, b]) => `(${a} + ${b})`, tangent: (_a, [ta, tb]) => sum([ta, tb]) },
  sub: {
    value: ([a, b]) => `(${a} - ${b})`,
    tangent: (_a, [ta, tb]) => (tb === null ? ta : ta === null ? `(-${tb})` : `${ta} - ${tb}`),
  },
  mul: {
    value: ([a, b]) => `(${a} * ${b})`,
    tangent: ([a, b], [ta, tb]) => sum([ta === null ? null : `${ta} * ${b}`, tb === null ? null : `${a} * ${tb}`]),
  },
  div: {
    value: ([a, b]) => `(${a} / ${b})`,
    tangent: (_x, [ta, tb], y) => {
      const b = _x[1]!;
      if (ta === null && tb === null) return null;
      if (tb === null) return `${ta} / ${b}`;
      return `(${ta ?? 0} - ${y} * ${tb}) / ${b}`;
    },
  },
  pow: {
    value: ([a, b]) => `Math.pow(${a}, ${b})`,
    tangent: ([a, b], [ta, tb], y) =>
      sum([
        // the derivative of x⁰ is 0 also at x = 0 (where x^−1 is infinite)
        ta === null ? null : `(${b} === 0 ? 0 : ${b} * Math.pow(${a}, ${b} - 1)) * ${ta}`,
        tb === null ? null : `${y} * Math.log(${a}) * ${tb}`,
      ]),
  },
  atan2: {
    value: ([a, b]) => `Math.atan2(${a}, ${b})`,
    tangent: ([a, b], [ta, tb]) => {
      const num = sum([ta === null ? null : `${b} * ${ta}`, tb === null ? null : `-${a} * ${tb}`]);
      return num === null ? null : `(${num}) / (${a} * ${a} + ${b} * ${b})`;
    },
  },
  maximum: {
    value: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})`,
    tangent: ([a, b], [ta, tb]) => (ta === null && tb === null ? null : `(${a} >= ${b} ? ${ta ?? 0} : ${tb ?? 0})`),
  },
  minimum: {
    value: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})`,
    tangent: ([a, b], [ta, tb]) => (ta === null && tb === null ? null : `(${a} <= ${b} ? ${ta ?? 0} : ${tb ?? 0})`),
  },
  where: {
    value: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
    tangent: ([c], [, ta, tb]) => (ta === null && tb === null ? null : `(${c} !== 0 ? ${ta ?? 0} : ${tb ?? 0})`),
  },
  ...Object.fromEntries(
    Object.entries(COMPARE).map(([op, js]) => [
      op,
      { value: ([a, b]: string[]) => `(${a} ${js} ${b} ? 1 : 0)`, tangent: () => null } as ElementwiseCode,
    ]),
  ),
};
