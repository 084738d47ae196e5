/**
 * The tamper-evident audit log: records chained by HMAC-SHA256 in a Redis stream, a
 * JSONL file sink as the second witness, verify, query and export.
 *
 * - Write the record of a step BEFORE doing the step; if `append` throws
 *   (AUDIT_UNAVAILABLE), do not do it.
 * - Redis is written first, then the file (see committer.ts for why). So the file can be
 *   behind Redis (a failure between the two, or other processes writing other files),
 *   which verify accepts; a file record Redis lacks means Redis lost its newest records
 *   (`head-missing`).
 * - The stream key holds entries with one field `r` (canonical JSON of the record with
 *   its mac); `${streamKey}:head` holds 'seq:mac' of the newest record and is the
 *   compare-and-append point for writers in many processes.
 */
export { AuditLog } from './audit-log.ts';
export { AUDIT_EVENTS, isAuditEvent, type AuditEvent } from './events.ts';
export { canonicalJson } from './canonical-json.ts';
export { redact, redactString, isSecretKey, isSecretName, REDACTED } from './redact.ts';
export { keptOutput, excerpt, isCibDocument, KEPT_OUTPUT_CHARS } from './command-output.ts';
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
