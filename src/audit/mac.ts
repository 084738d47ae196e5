import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { AuditRecordBody } from './types.ts';

/** The `prev` of the first record. */
export const GENESIS = '0'.repeat(64);

/** HMAC-SHA256(key, prev + canonicalJson(body)) as hex; `body` must not carry `mac`. */
export function computeMac(key: Buffer, body: AuditRecordBody): string {
  return createHmac('sha256', key).update(body.prev).update(canonicalJson(body)).digest('hex');
}

/** The body of a record: every field but `mac` and `streamId`, in the shape the MAC covers. */
export function bodyOf(r: AuditRecordBody & { mac?: unknown; streamId?: unknown }): AuditRecordBody {
  const { mac: _mac, streamId: _sid, ...body } = r;
  return body;
}
