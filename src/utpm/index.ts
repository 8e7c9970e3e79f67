export { UTPM, sizeOf, stridesOf, fmtShape, broadcastShapes } from './utpm.js';
export { primitive, primitiveNames, register } from './table.js';
export type { Primitive, Region, Builder, Contribution } from './primitive.js';
export { Ops } from './primitive.js';
