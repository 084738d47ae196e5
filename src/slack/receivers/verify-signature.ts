import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from our clock, either way (Slack's rule: 5 minutes). */
export const MAX_SKEW_SECONDS = 300;

/** The inputs of one check; all from the raw request. */
export interface SignedRequest {
  signingSecret: string;
  /** The raw body exactly as received (before any parsing). */
  rawBody: string;
  /** X-Slack-Request-Timestamp. */
  timestamp: string | undefined;
  /** X-Slack-Signature: v0=<hex HMAC-SHA256 of `v0:${timestamp}:${rawBody}`>. */
  signature: string | undefined;
  /** Our clock, seconds since the epoch. */
  nowSeconds: number;
}

/** The result: ok, or why not (for the log; the caller answers 401 either way). */
export type Verdict = { ok: true } | { ok: false; reason: string };

/** The signature Slack would send for this body at this time. */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Verify a Slack request signature. Refuses timestamps more than 5 minutes off in
 * either direction (Bolt only checks the past; a future timestamp would let a captured
 * request be replayed later). Constant-time comparison. Pure.
 */
export function verifySlackSignature(r: SignedRequest): Verdict {
  if (!r.signingSecret) return { ok: false, reason: 'no signing secret configured' };
  if (!r.timestamp || !r.signature) return { ok: false, reason: 'missing X-Slack-Request-Timestamp or X-Slack-Signature' };
  if (!/^\d{1,12}$/.test(r.timestamp)) return { ok: false, reason: 'malformed timestamp' };
  const skew = Math.abs(r.nowSeconds - Number(r.timestamp));
  if (skew > MAX_SKEW_SECONDS) return { ok: false, reason: `timestamp ${skew} s away from our clock (more than ${MAX_SKEW_SECONDS} s)` };
  const want = Buffer.from(signSlackRequest(r.signingSecret, r.timestamp, r.rawBody));
  const got = Buffer.from(r.signature);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
