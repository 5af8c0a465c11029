import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './contentHash';

/** The same value with every object's keys rotated by `seed` places (and reversed when it is odd). */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const cut = entries.length === 0 ? 0 : seed % entries.length;
    const rotated = [...entries.slice(cut), ...entries.slice(0, cut)];
    if (seed % 2 === 1) rotated.reverse();
    return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 0, y: 1 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":1,"z":0}]},"b":1}',
    );
  });

  it('puts integer-like keys first in numeric order, as JS objects hold them', () => {
    expect(canonicalJson({ b: 0, '10': 1, a: 2, '2': 3 })).toBe('{"2":3,"10":1,"a":2,"b":0}');
  });

  it('drops undefined members as JSON does but keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [2, 1, undefined] })).toBe('{"b":[2,1,null]}');
  });

  it('keeps a "__proto__" key as data', () => {
    const v = JSON.parse('[{"__proto__":null,"a":1}]') as unknown;
    expect(canonicalJson(v)).toBe('[{"__proto__":null,"a":1}]');
  });

  it('writes a Date as JSON.stringify does, and objects that share a first key by their own keys', () => {
    const when = new Date(Date.UTC(2025, 0, 15));
    expect(canonicalJson({ at: when, list: [{ a: 1, c: 2 }, { a: 1, b: 2 }, { a: 1, c: 2, b: 3 }] })).toBe(
      `{"at":${JSON.stringify(when)},"list":[{"a":1,"c":2},{"a":1,"b":2},{"a":1,"b":3,"c":2}]}`,
    );
  });

  it('parses back to a value JSON.stringify-equal to the input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('does not depend on the order in which keys were inserted', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(100), (v, seed) => {
        expect(canonicalJson(shuffleKeys(v, seed))).toBe(canonicalJson(v));
      }),
    );
  });
});

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes of a string', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
