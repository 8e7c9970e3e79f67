/** The positioned JSON reader: agrees with JSON.parse on valid input, and points at errors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PNode, parseJson, parseYaml } from '../../src/problem/index.js';
import { errorOf } from './helpers.js';

/** A positioned tree back to plain values. */
function plain(n: PNode): unknown {
  switch (n.kind) {
    case 'object':
      return Object.fromEntries([...n.entries].map(([k, e]) => [k, plain(e.value)]));
    case 'array':
      return n.items.map(plain);
    case 'null':
      return null;
    default:
      return n.value;
  }
}

describe('parseJson', () => {
  it('reads every valid JSON document exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined);
        // JSON.parse(-0 text) is -0 and JSON.stringify(-0) is "0": compare parsed forms
        expect(plain(parseJson(text, 'f.json'))).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('records the line and column of every value and key', () => {
    const text = '{\n  "a": [1,\n        2.5e3],\n  "b": {"c": "x\\u00e9"}\n}';
    const root = parseJson(text, 'f.json');
    expect(root.pos).toEqual({ line: 1, col: 1 });
    if (root.kind !== 'object') throw new Error('object expected');
    const a = root.entries.get('a')!;
    expect(a.keyPos).toEqual({ line: 2, col: 3 });
    expect(a.value.pos).toEqual({ line: 2, col: 8 });
    if (a.value.kind !== 'array') throw new Error('array expected');
    expect(a.value.items[1]!.pos).toEqual({ line: 3, col: 9 });
    expect(plain(a.value)).toEqual([1, 2500]);
    expect(plain(root.entries.get('b')!.value)).toEqual({ c: 'xé' });
  });

  it('accepts NaN, Infinity and -Infinity so that they can be reported as values', () => {
    expect(plain(parseJson('[NaN, Infinity, -Infinity, -1]', 'f.json'))).toEqual([NaN, Infinity, -Infinity, -1]);
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', /^f\.json:3:3: malformed JSON: expected ',' or '\}' after a property value, got '"'$/],
    ['[1, 2,]', /^f\.json:1:7: malformed JSON: trailing comma before '\]'$/],
    ['{"a": 1,}', /^f\.json:1:9: malformed JSON: trailing comma before '\}'$/],
    ['{"a": "x', /^f\.json:1:7: malformed JSON: unterminated string$/],
    ["{'a': 1}", /^f\.json:1:2: malformed JSON: .*double quotes/],
    ['{"a": 1} // note', /^f\.json:1:10: malformed JSON: JSON has no comments/],
    ['{"a": 1, "a": 2}', /^f\.json:1:10: malformed JSON: duplicate key "a"$/],
    ['', /^f\.json:1:1: malformed JSON: the file is empty$/],
    ['{"a": 1} x', /^f\.json:1:10: malformed JSON: unexpected 'x' after the end of the document$/],
    ['{"a": tru}', /^f\.json:1:7: malformed JSON: unexpected 't', expected a value$/],
    ['{"a": 01}', /^f\.json:1:7: malformed JSON: invalid number "01"$/],
    ['{"a": "\\q"}', /^f\.json:1:8: malformed JSON: invalid escape '\\q'/],
    ['{"a":\n\n   }', /^f\.json:3:4: malformed JSON: unexpected '\}', expected a value$/],
    ['['.repeat(100), /nesting deeper than 64 levels/],
  ])('%j → %s', (text, pattern) => {
    expect(errorOf(() => parseJson(text, 'f.json'))).toMatch(pattern);
  });
});

describe('parseYaml', () => {
  it('gives the same tree as JSON for the same document, with positions', () => {
    const root = parseYaml('name: r\nvariables:\n  x: [-1.2, 1]\nbounds:\n  x: {lower: .nan, upper: .inf}\n', 'f.yaml');
    expect(plain(root)).toEqual({ name: 'r', variables: { x: [-1.2, 1] }, bounds: { x: { lower: NaN, upper: Infinity } } });
    if (root.kind !== 'object') throw new Error('object expected');
    expect(root.entries.get('variables')!.keyPos).toEqual({ line: 2, col: 1 });
    const x = root.entries.get('variables')!.value;
    if (x.kind !== 'object') throw new Error('object expected');
    expect(x.entries.get('x')!.value.pos).toEqual({ line: 3, col: 6 });
  });

  it('follows anchors and aliases', () => {
    expect(plain(parseYaml('a: &v [1, 2]\nb: *v\n', 'f.yaml'))).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it.each([
    ['a: [1, 2\nb: 3\n', /^f\.yaml:2:\d+: YAML syntax error: /],
    ['a: 1\na: 2\n', /^f\.yaml:2:1: YAML syntax error: Map keys must be unique/],
    ['a:\n  - 1\n - 2\n', /^f\.yaml:3:\d+: YAML syntax error: /],
    ['', /^f\.yaml: the file is empty$/],
  ])('%j → %s', (text, pattern) => {
    expect(errorOf(() => parseYaml(text, 'f.yaml'))).toMatch(pattern);
  });
});
