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
