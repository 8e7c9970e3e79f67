/**
 * The linear-algebra family of primitives: linear systems, determinants, factorizations,
 * the symmetric eigendecomposition and structural matrix operations. Each module holds its
 * primitives' Taylor rules and pullbacks side by side; the dense kernels are in kernels.ts.
 */
import type { Primitive } from '../primitive.js';
import { det, detSign, logabsdet } from './det.js';
import { eigh, eigvalsh } from './eigh.js';
import { cholesky, qr } from './factor.js';
import { inv, solve, trisolve } from './solve.js';
import { diag, diagPart, norm, trace, tril, triu } from './structure.js';

export const LINALG: Primitive[] = [
  solve, trisolve, inv,
  det, logabsdet, detSign,
  cholesky, qr,
  eigh, eigvalsh,
  trace, diag, diagPart, tril, triu, norm,
];
