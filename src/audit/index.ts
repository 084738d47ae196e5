/**
 * The tamper-evident audit log: records chained by HMAC-SHA256 in a Redis stream, a
 * JSONL file sink as the second witness, verify, query and export.
 */
export { AuditLog } from './audit-log.ts';
export { AUDIT_EVENTS, isAuditEvent, type AuditEvent } from './events.ts';
export { canonicalJson } from './canonical-json.ts';
export { redact, redactString, isSecretKey, REDACTED } from './redact.ts';
export { computeMac, GENESIS } from './mac.ts';
export { csvCell, csvHeader, csvLine, jsonlLine, CSV_COLUMNS } from './export.ts';
export type {
  AuditOptions,
  AuditEntry,
  AuditRecord,
  AuditRecordBody,
  AuditFilter,
  AuditPage,
  VerifyReport,
  VerifyProblem,
  VerifyProblemKind,
} from './types.ts';
