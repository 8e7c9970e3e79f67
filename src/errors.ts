/**
 * The error tayopt throws for misuse it can name: wrong shapes, unknown operations,
 * malformed input. The CLI prints its message alone (no stack trace); anything else that
 * escapes is a bug.
 */
export class TayoptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TayoptError';
  }
}

/**
 * A TayoptError about the values rather than the program: a singular matrix, a matrix that
 * is not positive definite. Met at a solver's trial point it is numerical trouble — the
 * solvers treat it like NaN (a rejected step) instead of stopping with an exception.
 */
export class NumericalError extends TayoptError {
  constructor(message: string) {
    super(message);
    this.name = 'NumericalError';
  }
}
