import type { Redis } from 'ioredis';
import type { AuditEvent } from './events.ts';

/** Options of an AuditLog; resolved by the caller (configuration, environment). */
export interface AuditOptions {
  /** The Redis connection (injected; the AuditLog never closes it). */
  redis: Redis;
  /**
   * The HMAC-SHA256 key. Never written to Redis or to the file sink: whoever can write
   * Redis still cannot forge a record. At least 16 bytes.
   */
  key: string | Buffer;
  /**
   * The stream key; default 'hasf:audit'. The head pointer lives at `${streamKey}:head`;
   * on Redis Cluster use a hash tag (e.g. '{hasf:audit}') so both share a slot.
   */
  streamKey?: string;
  /**
   * Path of the JSONL file sink; every record is appended and fsync'ed there after Redis
   * accepted it. Optional, but without it deletion of the newest records is only seen
   * through the Redis head pointer, which whoever deletes them can also rewrite.
   */
  fileSink?: string;
  /**
   * A directory every process of the deployment shares (all API replicas and workers,
   * e.g. one ReadWriteMany volume): each writer copies the chain head there after each
   * commit. Writers refuse to append on a Redis head behind it and verify checks the
   * stream reaches it, so the newest records can't be dropped unseen by someone who can
   * write Redis, whichever process wrote them. Optional; strongly advised with several
   * processes (a file sink only knows its own process's records).
   */
  anchorDir?: string;
  /** This writer's name in the anchor directory; default `<hostname>.<pid>`. */
  writerId?: string;
  /** Time source for the `time` field; default `() => new Date()`. */
  clock?: () => Date;
  /**
   * How long one append may wait for Redis (including conflicts with other writers)
   * before it fails with AUDIT_UNAVAILABLE; default 5000 ms. ioredis would otherwise
   * queue commands while disconnected, and a caller waiting to run a command must not
   * hang.
   */
  timeoutMs?: number;
  /** Most records committed in one Redis call and one fsync (group commit); default 256. */
  maxBatch?: number;
  /**
   * Called after each batch is in Redis and before the file sink: e.g. WAIT for replicas,
   * so a failover can't lose a record the caller goes on to act upon. A throw fails the
   * append (a HasfError passes through with its code; the file sink is left behind Redis).
   */
  confirm?: () => Promise<void>;
  /**
   * Allowance for writer clocks behind Redis stream ids when querying by time; default
   * 300000 ms (records are found by stream id first, then filtered on `time`).
   */
  clockSkewMs?: number;
}

/** What a caller appends. */
export interface AuditEntry {
  /** Who: a Slack user id, a token id, 'system', a worker id. */
  actor: string;
  /** Through which door: 'slack', 'rest', 'worker', 'cli', 'system'. */
  channel: string;
  /** The HASF job id, when the record is about a job. */
  jobId?: string;
  /** What happened. */
  event: AuditEvent;
  /** Free-form JSON; secrets are redacted before it is written. */
  details?: unknown;
}

/** A record as covered by the MAC (everything except `mac` itself). */
export interface AuditRecordBody {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** ISO-8601 time from the writer's clock. */
  time: string;
  actor: string;
  channel: string;
  jobId: string | null;
  event: AuditEvent;
  details: unknown;
  /** The previous record's `mac` (GENESIS for seq 1). */
  prev: string;
}

/** A stored record: the body, its MAC, and where it sits in the stream. */
export interface AuditRecord extends AuditRecordBody {
  /** HMAC-SHA256(key, prev + canonicalJson(body)), hex. */
  mac: string;
  /** The Redis stream entry id (not covered by the MAC; Redis assigns it). */
  streamId: string;
}

/** What verify found wrong, about one record (or one range of records). */
export interface VerifyProblem {
  /** The seq concerned (the first one of a removed range). */
  seq: number;
  /** The stream entry id, when the record exists in Redis. */
  streamId?: string;
  kind: VerifyProblemKind;
  /** One sentence for the auditor. */
  message: string;
}

/**
 * - edited: the record's MAC does not match its content.
 * - removed: seqs missing from the middle of the chain.
 * - reordered: a record sits after a record with a higher seq.
 * - duplicate: two records carry the same seq (a forked chain).
 * - relinked: a record's `prev` is not its predecessor's MAC.
 * - malformed: an entry that is not a record at all.
 * - head-missing: the newest records are gone (the head pointer or the file sink
 *   knows a higher seq than the stream holds).
 * - head-mismatch: the head pointer or the file sink names a different record at that seq.
 */
export type VerifyProblemKind =
  | 'edited'
  | 'removed'
  | 'reordered'
  | 'duplicate'
  | 'relinked'
  | 'malformed'
  | 'head-missing'
  | 'head-mismatch';

/** The outcome of AuditLog.verify(). */
export interface VerifyReport {
  ok: boolean;
  /** Stream entries examined. */
  count: number;
  /** The newest record of the stream, or null when it is empty. */
  head: { seq: number; mac: string; streamId: string } | null;
  /** The newest record of the file sink, when there is one. */
  fileHead?: { seq: number; mac: string } | null;
  /** The highest shared anchor (the newest record any writer committed), when anchors are configured. */
  anchor?: { seq: number; mac: string; writer: string } | null;
  /** Sorted by seq; at most 1000. */
  problems: VerifyProblem[];
  /** Wall time of the walk. */
  ms: number;
}

/** A query over the stream; every field narrows it. */
export interface AuditFilter {
  jobId?: string;
  actor?: string;
  event?: AuditEvent | AuditEvent[];
  /** Inclusive lower bound on `time`. */
  from?: Date;
  /** Inclusive upper bound on `time`. */
  to?: Date;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size, 1..1000, default 100. */
  limit?: number;
}

/** One page of query results. */
export interface AuditPage {
  records: AuditRecord[];
  /** Present when more records may follow; pass it back as `cursor`. */
  nextCursor?: string;
}
