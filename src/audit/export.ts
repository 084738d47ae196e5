import { canonicalJson } from './canonical-json.ts';
import type { AuditRecord } from './types.ts';

/** The CSV columns, in order. `details` is one column holding canonical JSON. */
export const CSV_COLUMNS = [
  'seq',
  'time',
  'actor',
  'channel',
  'jobId',
  'event',
  'details',
  'prev',
  'mac',
  'streamId',
] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes
 * doubled. A text cell starting with = + - @ or a tab is prefixed with ' so a
 * spreadsheet does not run it as a formula (actor names and details come from users).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : canonicalJson(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** The CSV header line, CRLF-terminated. */
export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/** One record as a CSV line, CRLF-terminated. */
export function csvLine(r: AuditRecord): string {
  return (
    CSV_COLUMNS.map((c) =>
      c === 'details' ? csvCell(canonicalJson(r.details ?? null)) : csvCell(r[c]),
    ).join(',') + '\r\n'
  );
}

/** One record as a JSONL line (canonical JSON, streamId included), LF-terminated. */
export function jsonlLine(r: AuditRecord): string {
  return canonicalJson(r) + '\n';
}
