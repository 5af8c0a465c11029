/**
 * Ingest tokens: `pn_` + 32 random bytes in base64url. Only their sha256 is
 * stored, so a leaked database does not leak a usable token; 256 random bits
 * make a plain hash (no salt, no slow KDF) sufficient.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './contentHash';

/** Every podnet token starts with this, so secret scanners and humans recognise one. */
export const TOKEN_PREFIX = 'pn_';
const TOKEN_PATTERN = /^pn_[A-Za-z0-9_-]{43}$/;

/** A new plain token and its stored form. */
export function generateToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** The stored form of a plain token. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

/** Whether a string can be a podnet token at all; checked before any database lookup. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** Compares two hex hashes in time independent of where they first differ. */
export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
