import { createHash, randomBytes } from 'node:crypto';

const TOKEN_RE = /^hasf_[A-Za-z0-9_-]{43}$/;

/** A new plain API token: `hasf_` and the base64url of 32 random bytes. */
export function generateToken(): string {
  return `hasf_${randomBytes(32).toString('base64url')}`;
}

/** True when `s` looks like a HASF token (cheap check before any lookup). */
export function isTokenFormat(s: string): boolean {
  return TOKEN_RE.test(s);
}

/**
 * `sha256:<hex>` of a plain token: what Redis and configuration hold. A plain SHA-256 is
 * enough here (no salt, no slow KDF) because tokens carry 256 random bits: there is
 * nothing to guess, and a lookup by hash needs a deterministic hash.
 */
export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}
