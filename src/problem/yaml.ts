/**
 * YAML problem files: parsed with the `yaml` package (YAML 1.2 core schema) and converted
 * into the same positioned tree as JSON, so validation and its messages are shared.
 */
import { type Node as YNode, type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { type PEntry, type PNode, type Pos, ProblemError, at } from './source.js';

/** Anchors and aliases are followed; this caps the nodes visited (an alias bomb is an error). */
const MAX_NODES = 5_000_000;
/** Values reached through aliases: a few aliases of a large anchor are fine, a billion-laughs chain is not. */
const MAX_ALIASED_NODES = 100_000;

/**
 * Parses `text` as one YAML document into a positioned tree. Throws {@link ProblemError}
 * `file:line:col: YAML syntax error: …` for the first error the parser reports.
 */
export function parseYaml(text: string, file: string): PNode {
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    if (e instanceof RangeError) throw new ProblemError(`${file}: YAML nested too deeply (at most 64 levels)`);
    throw e;
  }
  const err = doc.errors[0];
  if (err) {
    let message = err.message.split('\n')[0]!.replace(/\s+at line \d+, column \d+.*$/, '');
    // the parser reports its own stack overflow on deep nesting as an error of the document
    if (/call stack/i.test(message)) message = 'nested too deeply (at most 64 levels)';
    throw new ProblemError(`${at(file, lines.linePos(err.pos[0]))}YAML syntax error: ${message}`);
  }
  if (doc.contents === null) throw new ProblemError(`${file}: the file is empty`);
  const conv = new Converter(doc, lines, file);
  return conv.node(doc.contents as YNode, { line: 1, col: 1 }, 0);
}

class Converter {
  private count = 0;
  private aliased = 0;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  private pos(n: { range?: readonly number[] | null } | null | undefined, fallback: Pos): Pos {
    const r = n?.range;
    return r ? this.lines.linePos(r[0]!) : fallback;
  }

  node(n: YNode | null | undefined, fallback: Pos, depth: number, viaAlias = false): PNode {
    if (++this.count > MAX_NODES) throw new ProblemError(`${this.file}: the document has more than ${MAX_NODES} values (aliases expanding too far?)`);
    if (viaAlias && ++this.aliased > MAX_ALIASED_NODES)
      throw new ProblemError(`${at(this.file, this.pos(n, fallback))}aliases expand to more than ${MAX_ALIASED_NODES} values; write the values out or use fewer aliases`);
    if (depth > 64) throw new ProblemError(`${at(this.file, this.pos(n, fallback))}nesting deeper than 64 levels`);
    const pos = this.pos(n, fallback);
    if (n === null || n === undefined) return { kind: 'null', pos };
    if (isAlias(n)) {
      const target = n.resolve(this.doc);
      if (!target) throw new ProblemError(`${at(this.file, pos)}unresolved alias *${n.source}`);
      const resolved = this.node(target as YNode, pos, depth + 1, true);
      return { ...resolved, pos };
    }
    if (isMap(n)) {
      const entries = new Map<string, PEntry>();
      for (const pair of n.items) {
        const k = pair.key as YNode | null;
        const keyPos = this.pos(k, pos);
        if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number')) {
          throw new ProblemError(`${at(this.file, keyPos)}keys must be plain names`);
        }
        const key = String(k.value);
        entries.set(key, { keyPos, value: this.node(pair.value as YNode | null, keyPos, depth + 1, viaAlias) });
      }
      return { kind: 'object', pos, entries };
    }
    if (isSeq(n)) {
      return { kind: 'array', pos, items: n.items.map((it) => this.node(it as YNode | null, pos, depth + 1, viaAlias)) };
    }
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'number') return { kind: 'number', pos, value: v };
      if (typeof v === 'bigint') return { kind: 'number', pos, value: Number(v) };
      if (typeof v === 'string') return { kind: 'string', pos, value: v };
      if (typeof v === 'boolean') return { kind: 'boolean', pos, value: v };
      if (v === null || v === undefined) return { kind: 'null', pos };
      throw new ProblemError(`${at(this.file, pos)}unsupported YAML value`);
    }
    throw new ProblemError(`${at(this.file, pos)}unsupported YAML node`);
  }
}
