import { describe, expect, it } from 'vitest';
import { generateToken, hashesEqual, hashToken, isWellFormedToken } from './tokens';

describe('ingest tokens', () => {
  it('are pn_ plus 43 base64url characters (32 random bytes), different every time', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).toMatch(/^pn_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token.slice(3), 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
  });

  it('are stored as the sha256 of the whole token, never the token itself', () => {
    const { token, hash } = generateToken();
    expect(hash).toBe(hashToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token.slice(3));
  });

  it('recognise malformed input before any lookup', () => {
    expect(isWellFormedToken(generateToken().token)).toBe(true);
    expect(isWellFormedToken('')).toBe(false);
    expect(isWellFormedToken('pn_abc')).toBe(false);
    expect(isWellFormedToken(`xx_${'a'.repeat(43)}`)).toBe(false);
    expect(isWellFormedToken(`pn_${'a'.repeat(42)}=`)).toBe(false);
  });

  it('compare hashes exactly, including different lengths', () => {
    const h = hashToken('pn_x');
    expect(hashesEqual(h, h)).toBe(true);
    expect(hashesEqual(h, `${h.slice(0, -1)}0`)).toBe(h.endsWith('0'));
    expect(hashesEqual(h, h.slice(1))).toBe(false);
  });
});
