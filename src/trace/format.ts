/**
 * How a Tensor prints (toString, template strings, console.log / util.inspect): its shape and
 * its values, NumPy-style, with long axes summarized as the first and last three entries.
 */

const EDGE = 3;

function num(v: number): string {
  if (!Number.isFinite(v) || v === 0) return Object.is(v, -0) ? '-0' : String(v);
  return String(Number(v.toPrecision(6)));
}

/** Row-major values of `shape` as nested brackets, axes longer than 2·EDGE summarized. */
export function formatValues(v: Float64Array, shape: readonly number[]): string {
  const strides: number[] = new Array(shape.length);
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a]!;
  }
  const walk = (off: number, ax: number): string => {
    if (ax === shape.length) return num(v[off]!);
    const n = shape[ax]!;
    const parts: string[] = [];
    const push = (i: number) => parts.push(walk(off + i * strides[ax]!, ax + 1));
    if (n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) push(i);
      parts.push('…');
      for (let i = n - EDGE; i < n; i++) push(i);
    } else for (let i = 0; i < n; i++) push(i);
    return `[${parts.join(', ')}]`;
  };
  return walk(0, 0);
}
