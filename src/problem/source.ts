/**
 * Parsed problem files keep where each value came from, so every error can name the file,
 * the line and column, and the field ("bounds.x.lower[3]"). JSON and YAML both parse into
 * the same positioned tree ({@link PNode}); validation reads only that tree.
 */
import { TayoptError } from '../errors.js';
import { shown, suggestion } from '../text.js';

/** A 1-based line and column in a source file. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** A parsed value with its position. Objects keep key order (variables are flattened in it). */
export type PNode =
  | { readonly kind: 'object'; readonly pos: Pos; readonly entries: ReadonlyMap<string, PEntry> }
  | { readonly kind: 'array'; readonly pos: Pos; readonly items: readonly PNode[] }
  | { readonly kind: 'number'; readonly pos: Pos; readonly value: number }
  | { readonly kind: 'string'; readonly pos: Pos; readonly value: string }
  | { readonly kind: 'boolean'; readonly pos: Pos; readonly value: boolean }
  | { readonly kind: 'null'; readonly pos: Pos };

/** One key of an object: where the key is written, and its value. */
export interface PEntry {
  readonly keyPos: Pos;
  readonly value: PNode;
}

/**
 * Misuse in a problem file or module: the message says which file, where, and which field.
 * It is a {@link TayoptError}, so the CLI prints its message alone and exits with code 2.
 */
export class ProblemError extends TayoptError {
  constructor(message: string) {
    super(message);
    this.name = 'ProblemError';
  }
}

/** `file:line:col: ` (or `file: ` without a position), the prefix of positioned messages. */
/**
 * 'unknown field "uper" (did you mean "upper"?); expected lower and/or upper' for a key of a
 * nested object that takes only `known` (`what`: "field" or "option").
 */
export function unknownKey(key: string, known: readonly string[], what = 'field'): string {
  const list = known.length > 1 ? `${known.slice(0, -1).join(', ')} and/or ${known[known.length - 1]}` : known.join('');
  return `unknown ${what} "${shown(key)}"${suggestion(key, known, '"')}; expected ${list}`;
}

export function at(file: string, pos?: Pos | null): string {
  return pos ? `${file}:${pos.line}:${pos.col}: ` : `${file}: `;
}

/** Maps character offsets of one text to 1-based line and column (binary search). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** Line and column (1-based) of character offset `offset`. */
  pos(offset: number): Pos {
    const o = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - this.starts[lo]! + 1 };
  }
}

/** The kind of a node in words, for "expected a number, got a string". */
export function describeNode(n: PNode): string {
  switch (n.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'number':
      return `the number ${n.value}`;
    case 'string':
      return `the string "${shown(n.value, 40)}"`;
    case 'boolean':
      return String(n.value);
    default:
      return 'null';
  }
}
