/**
 * Coverage of the primitive table: every differentiable primitive has a closed-form test
 * entry (closed-forms.ts, or test/linalg/cases.ts), a way to compile (an elementwise code
 * template, a lowering entry, or a kernel by design), and a compiled replay equal to the
 * reference interpreter at D = 2 with P ∈ {1, 3} on its test entry's inputs. Adding a
 * primitive without these fails here, naming it.
 */
import { describe, expect, test } from 'vitest';
import { type Replay, compile } from '../../src/trace/compile/index.js';
import { LOWERED_OPS } from '../../src/trace/compile/lowering.js';
import { interpret } from '../../src/trace/interpret.js';
import { Tape, Tensor, record } from '../../src/trace/tensor.js';
import { BINARY_OPS, COMPARISON_OPS, NONDIFF_UNARY_OPS, UNARY_OPS, elementwiseCode } from '../../src/utpm/elementwise.js';
import { primitive, primitiveNames } from '../../src/utpm/table.js';
import type { UTPM } from '../../src/utpm/utpm.js';
import { relErr, rng } from '../helpers.js';
import { CASES as LINALG_CASES, build } from '../linalg/cases.js';
import { PRIMITIVE_CASES } from './closed-forms.js';

const DIFFERENTIABLE = primitiveNames().filter((n) => !primitive(n).nondiff);
const ELEMENTWISE_OPS = [...Object.keys(UNARY_OPS), ...Object.keys(BINARY_OPS), ...Object.keys(COMPARISON_OPS), ...Object.keys(NONDIFF_UNARY_OPS), 'where'];

/**
 * Compiled as a call of the primitive's Taylor rule by design: products along reduction
 * groups (prefix/suffix products per group), and dense linear algebra (factorizations).
 */
const KERNELS = new Set(['prod', 'prod_others', 'solve', 'trisolve', 'inv', 'det', 'logabsdet', 'cholesky', 'qr', 'eigh', 'eigvalsh', 'trace', 'diag', 'diag_part', 'tril', 'triu', 'norm']);

/** Test-entry inputs of `op` at D = 2 with P directions: from closed-forms.ts or the linear-algebra cases. */
function sampleOf(op: string, P: number, seed: number): { ins: UTPM[]; params: unknown } | null {
  const c = PRIMITIVE_CASES[op];
  if (c) return c.sample(2, P, rng(seed));
  const l = LINALG_CASES.find((k) => k.op === op);
  return l ? { ins: build(l, 2, P).ins, params: l.params } : null;
}

/** The graph input → op → output on a tape, its compiled replay at (2, P), and the interpreter's values. */
function compiledAndInterpreted(op: string, ins: UTPM[], params: unknown, P: number): { replay: Replay; want: UTPM } {
  const tape = new Tape();
  const inputs = new Map<number, UTPM>();
  const tensors = ins.map((u) => {
    if (u.D === 1) return new Tensor(u.shape, u.data, null, -1); // a constant operand
    const x = tape.input(u.shape, u.data.slice(0, u.size));
    inputs.set(x._id, u);
    return x;
  });
  const y = record(op, tensors, params);
  const ids = [...inputs.keys()];
  const replay = compile(tape.nodes, ids, [y._id], 2, P);
  ids.forEach((id, k) => replay.inputs[k]!.data.set(inputs.get(id)!.data));
  replay.run();
  return { replay, want: interpret(tape.nodes, [y._id], inputs, 2, P)[0]! };
}

describe('coverage of the primitive table', () => {
  test('every differentiable primitive has a closed-form test entry', () => {
    const covered = new Set([...Object.keys(PRIMITIVE_CASES), ...LINALG_CASES.map((c) => c.op)]);
    expect(DIFFERENTIABLE.filter((n) => !covered.has(n))).toEqual([]);
  });

  test('every elementwise primitive has a code template, and a compiled loop fuses it', () => {
    expect(ELEMENTWISE_OPS.filter((op) => !elementwiseCode(op))).toEqual([]);
    for (const op of ELEMENTWISE_OPS.filter((o) => DIFFERENTIABLE.includes(o))) {
      const s = sampleOf(op, 1, 1)!;
      const { replay } = compiledAndInterpreted(op, s.ins, s.params, 1);
      expect(replay.source, op).not.toContain(`// ${op} node`); // what a kernel call is marked with
    }
  });

  test('every other differentiable primitive has a lowering entry, or is a kernel by design', () => {
    const rest = DIFFERENTIABLE.filter((n) => !elementwiseCode(n));
    expect(rest.filter((n) => !LOWERED_OPS.has(n) && !KERNELS.has(n))).toEqual([]);
  });

  for (const P of [1, 3]) {
    test(`compiled replay = interpreter at D = 2, P = ${P} for every differentiable primitive`, () => {
      const failed: string[] = [];
      for (const op of DIFFERENTIABLE) {
        const s = sampleOf(op, P, op.length * 31 + P);
        if (!s) {
          failed.push(`${op}: no test entry`);
          continue;
        }
        const { replay, want } = compiledAndInterpreted(op, s.ins, s.params, P);
        const got = replay.outputs[0]!;
        const e = got.D === want.D ? relErr(got.data, want.data, 1) : Infinity;
        if (!(e <= 1e-13)) failed.push(`${op}: relative difference ${e}`);
      }
      expect(failed).toEqual([]);
    });
  }
});
