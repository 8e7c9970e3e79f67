/**
 * Scratch space of the Taylor rules, owned by whoever runs a rule — the interpreter per
 * evaluation, a compiled replay per program, the tracer per operation — so that no rule
 * keeps state between calls (they are reentrant) and a warm replay allocates nothing.
 * Buffers grow on demand; their contents mean nothing from one call to the next.
 */
export class Workspace {
  /** Intermediate series of the scalar Taylor rules (series.ts says which rule uses which). */
  s1 = EMPTY;
  s2 = EMPTY;
  s3 = EMPTY;
  /** One element's operand and result series (elementwise rules, products along reductions). */
  a = EMPTY;
  b = EMPTY;
  y = EMPTY;

  /** Makes every buffer hold at least n numbers. */
  reserve(n: number): void {
    if (this.s1.length >= n) return;
    const m = Math.max(n, 16);
    this.s1 = new Float64Array(m);
    this.s2 = new Float64Array(m);
    this.s3 = new Float64Array(m);
    this.a = new Float64Array(m);
    this.b = new Float64Array(m);
    this.y = new Float64Array(m);
  }
}

const EMPTY = new Float64Array(0);
