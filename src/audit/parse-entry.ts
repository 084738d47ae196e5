import type { AuditRecord } from './types.ts';

/** The stored JSON of a stream entry (field 'r'), or undefined when it has none. */
export function entryJson(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'r') return fields[i + 1];
  return undefined;
}

/**
 * Parse a stream entry into a record, or return a reason why it is not one. Only the
 * shape is checked here; the MAC is verify's business.
 */
export function parseEntry(id: string, fields: string[]): AuditRecord | string {
  const json = entryJson(fields);
  if (json === undefined) return 'the entry has no record field';
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return 'the entry is not valid JSON';
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r))
    return 'the entry is not a JSON object';
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'the entry has no valid seq';
  for (const f of ['mac', 'prev', 'time', 'actor', 'channel', 'event'] as const) {
    if (typeof r[f] !== 'string') return `the entry has no valid ${f}`;
  }
  if (r.jobId !== null && typeof r.jobId !== 'string') return 'the entry has no valid jobId';
  return { ...(r as unknown as AuditRecord), streamId: id };
}
