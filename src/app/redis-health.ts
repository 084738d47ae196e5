import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { isRedisConnectionError } from '../util/redis-errors.ts';

// Lives in util/ so that lower layers (the audit committer) can tell a Redis outage too.
export { isRedisConnectionError };

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);

/**
 * One process's view of Redis, for the operator: one line when Redis goes away, one when
 * it is back (with how long it was away), nothing in between — no stack traces, no
 * "[ioredis] Unhandled error event" per reconnect attempt. Emits 'down' and 'up'
 * (workers reconcile their queues on 'up').
 *
 * Back means a probe on the main connection answered: the command waits through the
 * reconnects (and, on Redis Cluster, until a replica serves HASF's slot), so it answers
 * exactly when HASF can work again.
 */
export class RedisHealth extends EventEmitter {
  /** When the first sign of trouble came (0: none); an outage only once the probe stays unanswered for `graceMs`. */
  private suspectSince = 0;
  private outageSince = 0;
  private graceTimer?: NodeJS.Timeout;
  private reason = '';
  private probing = false;
  private closed = false;
  private main?: Redis;
  private readonly reported = new Set<string>();

  /**
   * @param log where the two lines go (default: stderr)
   * @param probeKey a key in HASF's keyspace (its hash slot on Redis Cluster) that the probe reads
   */
  constructor(
    private readonly log: (line: string) => void = (l) => console.error(l),
    private readonly probeKey = 'hasf:alive',
    /**
     * How long the probe may take before Redis counts as gone. A Redis Cluster keeps
     * reporting a dead node's refused connections after a replica took its slots, and a
     * single connection may drop and come back at once: neither is an outage for HASF.
     */
    private readonly graceMs = 500,
  ) {
    super();
    // 'down'/'up' are notifications; nobody listening must not throw.
    this.on('error', () => undefined);
  }

  /** True while Redis is known to be away. */
  get isDown(): boolean {
    return this.outageSince > 0;
  }

  /** Follow a connection's events; the first watched one (services.redis) is probed for recovery. */
  watch(conn: Redis, name: string): void {
    this.main ??= conn;
    conn.on('error', (err: Error) => this.noteError(err, name));
    // Redis Cluster: a node (a master of some slot) failed; the cluster object stays up.
    conn.on('node error', (err: Error) => this.noteError(err, name));
    conn.on('close', () => {
      if (!this.closed && conn.status !== 'end') this.noteDown('connection closed');
    });
  }

  /**
   * A background error (BullMQ's 'error' events, a failed reconnect): connection errors
   * start or extend the outage quietly; anything else is logged once per distinct message.
   */
  noteError(err: unknown, source = 'redis'): void {
    if (this.closed) return;
    if (isRedisConnectionError(err)) return this.noteDown(reasonOf(err));
    const line = `[${source}] ${reasonOf(err)}`;
    if (this.reported.has(line)) return;
    this.reported.add(line);
    this.log(line);
  }

  /** A sign Redis may be away: probe it; an outage is declared (one line) if the probe stays unanswered. */
  noteDown(reason: string): void {
    if (this.closed) return;
    if (reason && (reason !== 'connection closed' || !this.reason)) this.reason = reason;
    if (!this.suspectSince) {
      this.suspectSince = Date.now();
      this.graceTimer = setTimeout(() => this.declare(), this.graceMs);
      this.graceTimer.unref();
    }
    void this.probe();
  }

  private declare(): void {
    if (this.closed || !this.suspectSince || this.outageSince) return;
    this.outageSince = this.suspectSince;
    this.log(`[redis] connection lost (${this.reason}); commands wait and are retried until Redis is back`);
    this.emit('down');
  }

  private async probe(): Promise<void> {
    if (this.probing || !this.main || this.closed) return;
    this.probing = true;
    try {
      while (this.suspectSince && !this.closed) {
        try {
          await this.main.exists(this.probeKey);
          clearTimeout(this.graceTimer);
          const ms = Date.now() - this.suspectSince;
          const wasOut = this.outageSince > 0;
          this.suspectSince = this.outageSince = 0;
          if (wasOut) {
            this.reported.clear();
            this.log(`[redis] back after ${(ms / 1000).toFixed(1)} s${this.reason ? ` (was: ${this.reason})` : ''}`);
            this.emit('up', ms);
          }
          this.reason = '';
        } catch (err) {
          // The outage budget of the probe's connection ran out: still away; keep looking.
          if (!isRedisConnectionError(err)) this.noteError(err);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      this.probing = false;
    }
  }

  /** Stop reporting (the process is closing its connections on purpose). */
  close(): void {
    this.closed = true;
    clearTimeout(this.graceTimer);
  }
}
