import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonSyntaxError, lineOfPath } from './jsonLocation';

describe('jsonSyntaxError', () => {
  it('finds nothing in valid JSON and something in anything JSON.parse refuses', () => {
    const valid = (t: string) => {
      try {
        JSON.parse(t);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)))), (t) => {
        expect(jsonSyntaxError(t) === undefined).toBe(valid(t));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on JSON mangled at random', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.string({ maxLength: 3 }), (text, cut, junk) => {
        const at = Math.min(cut, text.length);
        const mangled = text.slice(0, at) + junk + text.slice(at);
        let valid = true;
        try {
          JSON.parse(mangled);
        } catch {
          valid = false;
        }
        expect(jsonSyntaxError(mangled) === undefined).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });

  it('names the line where a document breaks', () => {
    expect(jsonSyntaxError('{\n  "a": 1,\n  "b": \n}')?.line).toBe(4);
    expect(jsonSyntaxError('{"a": [1, 2,\n\n')?.line).toBe(3);
    expect(jsonSyntaxError('{\n "routes": [ oops ]\n}')?.line).toBe(2);
    expect(jsonSyntaxError('\uFEFF{"a": 1}')).toBeUndefined();
  });
});

describe('lineOfPath', () => {
  const text = ['{', '  "namespaces": [', '    {', '      "routes": [', '        { "dst": "x" },', '        {', '          "dst": "10.0.0.0/xx"', '        }', '      ]', '    }', '  ]', '}'].join('\n');

  it('finds the line of a field named by a validation path', () => {
    expect(lineOfPath(text, 'namespaces[0].routes[1].dst')).toBe(7);
    expect(lineOfPath(text, 'namespaces[0].routes[0]')).toBe(5);
  });

  it('falls back to the nearest existing ancestor of a missing field', () => {
    expect(lineOfPath(text, 'namespaces[0].routes[1].gateway')).toBe(6);
    expect(lineOfPath(text, '(document)')).toBe(1);
  });
});
