/** The one "did you mean" helper (src/text.ts): edit distances worked out by hand, and its choices. */
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestion } from '../src/text.js';

describe('editDistance (optimal string alignment)', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps', () => {
    const cases: [string, string, number][] = [
      ['', '', 0],
      ['', 'abc', 3], // three insertions
      ['abc', '', 3],
      ['kitten', 'sitting', 3], // k→s, e→i, +g
      ['flaw', 'lawn', 2], // −f, +n
      ['lgo', 'log', 1], // one swap
      ['objectve', 'objective', 1], // one insertion
      ['ab', 'ba', 1],
      ['ca', 'abc', 3], // no substring edited twice: not 2 as with unrestricted transpositions
      ['Exp', 'exp', 1], // case-sensitive
    ];
    for (const [a, b, d] of cases) {
      expect(editDistance(a, b), `${a} → ${b}`).toBe(d);
      expect(editDistance(b, a), `${b} → ${a}`).toBe(d);
    }
  });
});

describe('suggestion', () => {
  it('words the closest candidate in the given quotes, or gives nothing', () => {
    expect(suggestion('maxiter', ['maxIter', 'gtol'])).toBe(" (did you mean 'maxIter'?)");
    expect(suggestion('grd', ['x0', 'grad'], '"')).toBe(' (did you mean "grad"?)');
    expect(suggestion('ecp', ['exp'], '')).toBe(' (did you mean exp?)');
    expect(suggestion('zzzzzz', ['exp'])).toBe('');
    expect(suggestion('objectve', ['objective'], '"', 0)).toBe('');
  });
});

describe('didYouMean', () => {
  const functions = ['exp', 'expm1', 'log', 'log1p', 'sqrt', 'sum'];
  it('suggests the closest candidate within a third of the name length (at least 1), case ignored', () => {
    expect(didYouMean('ecp', functions)).toBe('exp');
    expect(didYouMean('lgo', functions)).toBe('log');
    expect(didYouMean('SQRT', functions)).toBe('sqrt');
    expect(didYouMean('sqrrt', functions)).toBe('sqrt');
    expect(didYouMean('logarithm', functions)).toBeUndefined();
    expect(didYouMean('expm2', functions)).toBe('expm1');
  });

  it('takes names of one or two characters only up to case, and never suggests the name itself', () => {
    expect(didYouMean('X', ['x', 'y'])).toBe('x');
    expect(didYouMean('z', ['x', 'y'])).toBeUndefined();
    expect(didYouMean('exp', functions)).toBeUndefined();
  });

  it('honours an explicit limit, and gives ties to the first candidate', () => {
    expect(didYouMean('objectve', ['options', 'objective'], 1)).toBe('objective');
    expect(didYouMean('varables', ['variables'], 0)).toBeUndefined();
    expect(didYouMean('bat', ['cat', 'hat'])).toBe('cat');
  });
});
