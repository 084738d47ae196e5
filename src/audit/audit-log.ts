import { HasfError } from '../errors/index.ts';
import { canonicalJson } from './canonical-json.ts';
import { Committer } from './committer.ts';
import { isAuditEvent } from './events.ts';
import { csvHeader, csvLine, jsonlLine } from './export.ts';
import { AnchorDir } from './anchors.ts';
import { FileSink } from './file-sink.ts';
import { checkFilter, queryPage } from './query.ts';
import { redact } from './redact.ts';
import type {
  AuditEntry,
  AuditFilter,
  AuditOptions,
  AuditPage,
  AuditRecord,
  VerifyReport,
} from './types.ts';
import { verifyChain } from './verify.ts';

/**
 * The tamper-evident audit log: an HMAC chain in a Redis stream plus a JSONL file sink.
 * One instance per process; it may be shared by every module of that process, and
 * concurrent appends are committed together (group commit).
 *
 * @example
 * const audit = new AuditLog({ redis, key: cfg.auditKey, fileSink: '/var/lib/hasf/audit.jsonl' });
 * await audit.append({ actor: 'U123', channel: 'slack', jobId, event: 'command.start', details: { host, argv } });
 * // only now run the command; if append threw, do not run it.
 */
export class AuditLog {
  private readonly key: Buffer;
  private readonly streamKey: string;
  private readonly headKey: string;
  private readonly clock: () => Date;
  private readonly clockSkewMs: number;
  private readonly sink: FileSink | null;
  private readonly anchors: AnchorDir | null;
  private readonly committer: Committer;
  private closed = false;

  constructor(private readonly opts: AuditOptions) {
    const bad = (field: string, why: string) =>
      new HasfError('CONFIG_INVALID', `The audit option ${field} ${why}.`, { field });
    if (!opts.redis) throw bad('redis', 'is required (an ioredis connection)');
    this.key =
      typeof opts.key === 'string'
        ? Buffer.from(opts.key, 'utf8')
        : Buffer.isBuffer(opts.key)
          ? opts.key
          : Buffer.alloc(0);
    if (this.key.length < 16)
      throw bad('key', 'must be at least 16 bytes; generate one with `openssl rand -hex 32`');
    this.streamKey = opts.streamKey ?? 'hasf:audit';
    if (!this.streamKey) throw bad('streamKey', 'must not be empty');
    this.headKey = `${this.streamKey}:head`;
    this.clock = opts.clock ?? (() => new Date());
    this.clockSkewMs = opts.clockSkewMs ?? 300_000;
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw bad('timeoutMs', 'must be a positive number of milliseconds');
    const maxBatch = opts.maxBatch ?? 256;
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw bad('maxBatch', 'must be a positive integer');
    this.sink = opts.fileSink ? new FileSink(opts.fileSink) : null;
    this.anchors = opts.anchorDir ? new AnchorDir(opts.anchorDir, this.streamKey, opts.writerId) : null;
    this.committer = new Committer({
      redis: opts.redis,
      key: this.key,
      streamKey: this.streamKey,
      headKey: this.headKey,
      fileSink: this.sink,
      anchors: this.anchors,
      timeoutMs,
      maxBatch,
      confirm: opts.confirm,
    });
  }

  /**
   * Write one record durably to Redis and to the file sink, then resolve with it (seq,
   * mac, streamId filled in, details redacted). Throws AUDIT_UNAVAILABLE when either
   * sink cannot take it: the caller must then not run what it was about to run.
   */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed)
      throw new HasfError(
        'AUDIT_UNAVAILABLE',
        'The audit log was closed; create a new AuditLog before appending.',
        {},
      );
    const bad = (field: string, why: string) =>
      new HasfError('INVALID_INPUT', `The audit entry field ${field} ${why}.`, { field });
    if (!entry || typeof entry !== 'object') throw bad('entry', 'must be an object');
    if (typeof entry.actor !== 'string' || !entry.actor)
      throw bad('actor', 'must be a non-empty string');
    if (typeof entry.channel !== 'string' || !entry.channel)
      throw bad('channel', 'must be a non-empty string');
    if (entry.jobId !== undefined && (typeof entry.jobId !== 'string' || !entry.jobId))
      throw bad('jobId', 'must be a non-empty string when given');
    if (!isAuditEvent(entry.event))
      throw bad('event', `is not a known audit event (${String(entry.event)})`);
    const now = this.clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime()))
      throw bad('clock', 'returned an invalid date');
    // Round-trip through canonical JSON so the returned record is exactly what is stored.
    const details: unknown = JSON.parse(canonicalJson(redact(entry.details ?? null)));
    return this.committer.submit({
      time: now.toISOString(),
      actor: redact(entry.actor),
      channel: entry.channel,
      jobId: entry.jobId ?? null,
      event: entry.event,
      details,
    });
  }

  /**
   * Walk the whole chain and compare its head with the head pointer, the file sink and
   * the shared anchors (the head every writer copies out of Redis): records removed from
   * the end are found whichever process wrote them.
   */
  verify(): Promise<VerifyReport> {
    return verifyChain({
      redis: this.opts.redis,
      key: this.key,
      streamKey: this.streamKey,
      headKey: this.headKey,
      fileSink: this.opts.fileSink ?? null,
      anchors: this.anchors,
    });
  }

  /** One page of records matching `filter`, oldest first; follow `nextCursor` for more. */
  async query(filter: AuditFilter = {}): Promise<AuditPage> {
    return queryPage(this.opts.redis, this.streamKey, checkFilter(filter), this.clockSkewMs);
  }

  /**
   * Every record matching `filter` (cursor and limit ignored) as JSONL lines or as CSV
   * (a header line first, details as JSON in one column), streamed page by page.
   */
  async *export(
    format: 'jsonl' | 'csv',
    filter: Omit<AuditFilter, 'cursor' | 'limit'> = {},
  ): AsyncIterable<string> {
    if (format !== 'jsonl' && format !== 'csv') {
      throw new HasfError(
        'INVALID_INPUT',
        `The audit export format must be 'jsonl' or 'csv', not ${JSON.stringify(format)}.`,
        { field: 'format' },
      );
    }
    const f = checkFilter({ ...filter, limit: 1000 });
    if (format === 'csv') yield csvHeader();
    for (;;) {
      const page = await queryPage(this.opts.redis, this.streamKey, f, this.clockSkewMs);
      for (const r of page.records) yield format === 'csv' ? csvLine(r) : jsonlLine(r);
      if (!page.nextCursor) return;
      f.cursor = page.nextCursor;
    }
  }

  /** This process's append counters: batches committed, records, races lost to other writers. */
  get stats(): Readonly<{ batches: number; records: number; conflicts: number }> {
    return { ...this.committer.stats };
  }

  /** Let queued appends finish, then close the file sink (the Redis connection is the caller's). */
  async close(): Promise<void> {
    this.closed = true;
    await this.committer.idle();
    this.committer.detach();
    await this.sink?.close();
  }
}
