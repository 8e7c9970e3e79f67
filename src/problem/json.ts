/**
 * A strict JSON reader that remembers the line and column of every value, so problem-file
 * errors can point at the field. Standard JSON (RFC 8259) plus one extension: the bare
 * tokens `NaN`, `Infinity` and `-Infinity`, so that "x0 contains NaN" and infinite bounds
 * are reported as what they are instead of as syntax errors. Duplicate keys are an error.
 */
import { LineIndex, type PEntry, type PNode, type Pos, ProblemError, at } from './source.js';

const MAX_DEPTH = 64;
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * Parses `text` as JSON into a positioned tree. Throws {@link ProblemError}
 * `file:line:col: malformed JSON: …` on the first syntax error.
 */
export function parseJson(text: string, file: string): PNode {
  return new JsonReader(text, file).document();
}

class JsonReader {
  private i = 0;
  private depth = 0;
  private readonly lines: LineIndex;

  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {
    this.lines = new LineIndex(s);
  }

  document(): PNode {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1; // byte-order mark
    this.ws();
    if (this.i >= this.s.length) this.fail('the file is empty');
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected ${this.shown()} after the end of the document`);
    return v;
  }

  private pos(offset = this.i): Pos {
    return this.lines.pos(offset);
  }

  private fail(what: string, offset = this.i): never {
    throw new ProblemError(`${at(this.file, this.pos(offset))}malformed JSON: ${what}`);
  }

  /** The character at the cursor, for messages. */
  private shown(): string {
    if (this.i >= this.s.length) return 'end of file';
    const c = this.s[this.i]!;
    return c === '\n' ? 'a line break' : `'${c}'`;
  }

  private ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 47 && (this.s[this.i + 1] === '/' || this.s[this.i + 1] === '*')) {
        this.fail('JSON has no comments (write the problem in YAML to use # comments)');
      } else return;
    }
  }

  private value(): PNode {
    const pos = this.pos();
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object(pos);
      case '[':
        return this.array(pos);
      case '"':
        return { kind: 'string', pos, value: this.string() };
      case 't':
        return this.word('true', { kind: 'boolean', pos, value: true });
      case 'f':
        return this.word('false', { kind: 'boolean', pos, value: false });
      case 'n':
        return this.word('null', { kind: 'null', pos });
      case 'N':
        return this.word('NaN', { kind: 'number', pos, value: NaN });
      case 'I':
        return this.word('Infinity', { kind: 'number', pos, value: Infinity });
      default:
        if (c === '-' && this.s.startsWith('-Infinity', this.i)) {
          this.i += 9;
          return { kind: 'number', pos, value: -Infinity };
        }
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return { kind: 'number', pos, value: this.number() };
        if (c === "'") this.fail("strings must be in double quotes (\"...\"), not single quotes");
        if (c === undefined) this.fail('unexpected end of file, expected a value');
        this.fail(`unexpected ${this.shown()}, expected a value`);
    }
  }

  private word(w: string, node: PNode): PNode {
    if (!this.s.startsWith(w, this.i)) this.fail(`unexpected ${this.shown()}, expected a value`);
    this.i += w.length;
    const c = this.s[this.i];
    if (c !== undefined && /[A-Za-z0-9_]/.test(c)) this.fail(`unexpected ${this.shown()}, expected a value`, this.i - w.length);
    return node;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private object(pos: Pos): PNode {
    this.enter();
    this.i++;
    const entries = new Map<string, PEntry>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      this.depth--;
      return { kind: 'object', pos, entries };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') {
        if (this.s[this.i] === '}') this.fail("trailing comma before '}'");
        this.fail(`expected a property name in double quotes, got ${this.shown()}`);
      }
      const keyOffset = this.i;
      const keyPos = this.pos();
      const key = this.string();
      if (entries.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyOffset);
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected ':' after the property name ${JSON.stringify(key)}, got ${this.shown()}`);
      this.i++;
      this.ws();
      entries.set(key, { keyPos, value: this.value() });
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        this.depth--;
        return { kind: 'object', pos, entries };
      }
      this.fail(`expected ',' or '}' after a property value, got ${this.shown()}`);
    }
  }

  private array(pos: Pos): PNode {
    this.enter();
    this.i++;
    const items: PNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      this.depth--;
      return { kind: 'array', pos, items };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') this.fail("trailing comma before ']'");
      items.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        this.depth--;
        return { kind: 'array', pos, items };
      }
      this.fail(`expected ',' or ']' after an array element, got ${this.shown()}`);
    }
  }

  private string(): string {
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string', start);
      const c = this.s.charCodeAt(this.i);
      if (c === 34) {
        out += this.s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(c === 10 ? 'line break inside a string (write \\n)' : 'control character inside a string');
      if (c === 92) {
        out += this.s.slice(run, this.i);
        const e = this.s[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u') {
          const hex = this.s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape (expected 4 hex digits)');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          this.fail(`invalid escape '\\${e ?? ''}' in a string`);
        }
        run = this.i;
        continue;
      }
      this.i++;
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail(`invalid number starting with ${this.shown()}`);
    const next = this.s[this.i + m[0].length];
    if (next !== undefined && /[0-9A-Za-z_.]/.test(next)) {
      this.fail(`invalid number ${JSON.stringify(this.s.slice(this.i, this.i + m[0].length + 1))}`);
    }
    this.i += m[0].length;
    return Number(m[0]);
  }
}
