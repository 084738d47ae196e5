import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';
import { isAuditEvent } from './events.ts';
import { parseEntry } from './parse-entry.ts';
import type { AuditFilter, AuditPage, AuditRecord } from './types.ts';

const STREAM_ID = /^\d+-\d+$/;

/** A filter checked once: bounds resolved, events as a set. */
export interface CheckedFilter {
  jobId?: string;
  actor?: string;
  events?: ReadonlySet<string>;
  fromMs?: number;
  toMs?: number;
  cursor?: string;
  limit: number;
}

/** Validate a filter; INVALID_INPUT names the bad field. */
export function checkFilter(f: AuditFilter = {}): CheckedFilter {
  const bad = (field: string, why: string) =>
    new HasfError('INVALID_INPUT', `The audit query field ${field} ${why}.`, { field });
  const out: CheckedFilter = { limit: f.limit ?? 100 };
  if (!Number.isInteger(out.limit) || out.limit < 1 || out.limit > 1000)
    throw bad('limit', 'must be an integer from 1 to 1000');
  if (f.jobId !== undefined) out.jobId = f.jobId;
  if (f.actor !== undefined) out.actor = f.actor;
  if (f.event !== undefined) {
    const list = Array.isArray(f.event) ? f.event : [f.event];
    for (const e of list)
      if (!isAuditEvent(e)) throw bad('event', `names an unknown event ${JSON.stringify(e)}`);
    out.events = new Set(list);
  }
  for (const k of ['from', 'to'] as const) {
    const d = f[k];
    if (d === undefined) continue;
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw bad(k, 'must be a valid date');
    out[k === 'from' ? 'fromMs' : 'toMs'] = d.getTime();
  }
  if (f.cursor !== undefined) {
    if (typeof f.cursor !== 'string' || !STREAM_ID.test(f.cursor))
      throw bad('cursor', 'is not a cursor this API returned');
    out.cursor = f.cursor;
  }
  return out;
}

/** True when the record passes the filter's field tests. */
export function matches(r: AuditRecord, f: CheckedFilter): boolean {
  if (f.jobId !== undefined && r.jobId !== f.jobId) return false;
  if (f.actor !== undefined && r.actor !== f.actor) return false;
  if (f.events && !f.events.has(r.event)) return false;
  if (f.fromMs !== undefined || f.toMs !== undefined) {
    const t = Date.parse(r.time);
    if (f.fromMs !== undefined && !(t >= f.fromMs)) return false;
    if (f.toMs !== undefined && !(t <= f.toMs)) return false;
  }
  return true;
}

/**
 * One page of records matching the filter, oldest first. The stream is read in id
 * order from the cursor (or from `from`: a record's stream id is never earlier than its
 * time) up to `to` plus the clock-skew allowance, and filtered in Node.
 */
export async function queryPage(
  redis: Redis,
  streamKey: string,
  f: CheckedFilter,
  clockSkewMs: number,
): Promise<AuditPage> {
  let start = f.cursor
    ? '(' + f.cursor
    : f.fromMs !== undefined
      ? String(Math.max(0, f.fromMs))
      : '-';
  if (f.cursor && f.fromMs !== undefined && Number(f.cursor.split('-')[0]) < f.fromMs)
    start = String(f.fromMs);
  const end = f.toMs !== undefined ? String(f.toMs + clockSkewMs) : '+';
  const records: AuditRecord[] = [];
  // Read more than asked when filtering, so a sparse filter needs fewer round trips.
  const page = Math.min(2000, Math.max(f.limit, f.jobId || f.actor || f.events ? 1000 : f.limit));
  for (;;) {
    const entries = await redis.xrange(streamKey, start, end, 'COUNT', page);
    for (let i = 0; i < entries.length; i++) {
      const [id, fields] = entries[i]!;
      const r = parseEntry(id, fields);
      if (typeof r === 'string' || !matches(r, f)) continue;
      records.push(r);
      if (records.length === f.limit) {
        const more = i < entries.length - 1 || entries.length === page;
        return more ? { records, nextCursor: id } : { records };
      }
    }
    if (entries.length < page) return { records };
    start = '(' + entries[entries.length - 1]![0];
  }
}
