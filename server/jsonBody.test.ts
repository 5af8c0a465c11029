import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonBody, jsonParts } from './http';

describe('jsonBody', () => {
  it('writes the same text as JSON.stringify, large arrays included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { minLength: 0, maxLength: 1200 }), (a, big) => {
        const body = { a, nested: { big, small: [1, undefined, 2] }, gone: undefined };
        expect([...jsonParts(body)].join('')).toBe(JSON.stringify(body));
      }),
      { numRuns: 60 },
    );
  });

  it('streams bodies holding large arrays and answers small ones as one string', async () => {
    expect(typeof jsonBody({ x: [1, 2, 3] })).toBe('string');
    const big = { topology: { interfaces: Array.from({ length: 5000 }, (_, i) => ({ id: `n/host/veth${i}` })) } };
    const body = jsonBody(big);
    expect(body).toBeInstanceOf(ReadableStream);
    const text = await new Response(body as ReadableStream<Uint8Array>).text();
    expect(text).toBe(JSON.stringify(big));
  });
});
