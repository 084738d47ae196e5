import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of one delivery. */
export interface SignedHeaders {
  'X-HASF-Timestamp': string;
  'X-HASF-Signature': string;
  'X-HASF-Event': string;
  'X-HASF-Delivery': string;
}

/** HMAC-SHA256 over `${timestamp}.${body}`, as `v1=<hex>`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers for delivering `body` now. */
export function signDelivery(secret: string, body: string, event: string, delivery: string, nowMs = Date.now()): SignedHeaders {
  const ts = String(Math.floor(nowMs / 1000));
  return { 'X-HASF-Timestamp': ts, 'X-HASF-Signature': signature(secret, ts, body), 'X-HASF-Event': event, 'X-HASF-Delivery': delivery };
}

/**
 * What a receiver does (and what the tests do): recompute, compare in constant time,
 * refuse stale timestamps. Returns true when the delivery is authentic.
 */
export function verifySignature(secret: string, timestamp: string, body: string, header: string, opts: { toleranceS?: number; nowMs?: number } = {}): boolean {
  const age = Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (!Number.isFinite(age) || age > (opts.toleranceS ?? 300)) return false;
  const want = Buffer.from(signature(secret, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
