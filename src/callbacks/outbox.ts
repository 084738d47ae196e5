import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { JobState } from '../jobs/types.ts';

/** One state change owed to a job's callback, as the job store wrote it with the change. */
export interface OwedChange {
  /** Stream entry id (acknowledged once the delivery is queued). */
  id: string;
  jobId: string;
  state: JobState;
  from?: JobState;
  at: string;
}

/** Options of {@link OutboxConsumer}. */
export interface OutboxOptions {
  /** The consumer group every notifier replica shares. Default 'notifiers'. */
  group?: string;
  /** This consumer's name; default `<hostname>.<pid>`. */
  consumer?: string;
  /** How long one read waits for new entries, ms. Default 1000. */
  blockMs?: number;
  /** Entries another consumer took but never acknowledged for this long are taken over (it died). Default 30 000 ms. */
  claimIdleMs?: number;
  /** Entries per read. Default 50. */
  count?: number;
}

type Entry = [id: string, fields: string[]];

function parse([id, fields]: Entry): OwedChange | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  try {
    const jobId = JSON.parse(f.job ?? 'null') as string;
    const state = JSON.parse(f.to ?? 'null') as JobState;
    if (typeof jobId !== 'string' || typeof state !== 'string') return undefined;
    return { id, jobId, state, ...(f.from ? { from: JSON.parse(f.from) as JobState } : {}), at: JSON.parse(f.at ?? 'null') as string };
  } catch {
    return undefined;
  }
}

/**
 * Reads the callback outbox (a Redis stream the job store appends to in the same step
 * as each state change) through a consumer group: every change is handed to one notifier
 * replica, and stays owed until that replica acknowledges it — so a change made while no
 * notifier ran is delivered when one starts, and one that a notifier died holding is taken
 * over by another after `claimIdleMs`. Acknowledged entries are deleted (the stream holds
 * only what is still owed).
 */
export class OutboxConsumer {
  private readonly group: string;
  private readonly consumer: string;
  private readonly o: Required<Omit<OutboxOptions, 'group' | 'consumer'>>;
  private ready = false;
  private backlog = true;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    opts: OutboxOptions = {},
  ) {
    this.group = opts.group ?? 'notifiers';
    this.consumer = opts.consumer ?? `${hostname()}.${process.pid}`;
    this.o = { blockMs: opts.blockMs ?? 1000, claimIdleMs: opts.claimIdleMs ?? 30_000, count: opts.count ?? 50 };
  }

  private async ensureGroup(): Promise<void> {
    if (this.ready) return;
    try {
      // From the start of the stream: whatever is in it is owed.
      await this.redis.xgroup('CREATE', this.key, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.ready = true;
  }

  /**
   * The next owed changes: this consumer's own unacknowledged ones first (after a
   * restart or an error), then ones dead consumers left, then new ones (waiting up to
   * blockMs). Empty when there is nothing.
   */
  async next(): Promise<OwedChange[]> {
    await this.ensureGroup();
    const entries: Entry[] = [];
    if (this.backlog) {
      const mine = (await this.redis.xreadgroup('GROUP', this.group, this.consumer, 'COUNT', this.o.count, 'STREAMS', this.key, '0')) as [string, Entry[]][] | null;
      const own = mine?.[0]?.[1] ?? [];
      if (own.length < this.o.count) this.backlog = false;
      entries.push(...own);
    }
    if (entries.length === 0) {
      const claimed = (await this.redis.xautoclaim(this.key, this.group, this.consumer, this.o.claimIdleMs, '0', 'COUNT', this.o.count)) as [string, Entry[], string[]?];
      entries.push(...(claimed[1] ?? []).filter((e): e is Entry => Array.isArray(e) && Array.isArray(e[1])));
    }
    if (entries.length === 0) {
      const fresh = (await this.redis.xreadgroup('GROUP', this.group, this.consumer, 'COUNT', this.o.count, 'BLOCK', this.o.blockMs, 'STREAMS', this.key, '>')) as [string, Entry[]][] | null;
      entries.push(...(fresh?.[0]?.[1] ?? []));
    }
    const out: OwedChange[] = [];
    const junk: string[] = [];
    for (const e of entries) {
      const c = parse(e);
      if (c) out.push(c);
      else junk.push(e[0]);
    }
    if (junk.length) await this.ack(junk);
    return out;
  }

  /** The changes are queued for delivery: no longer owed. */
  async ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.multi().xack(this.key, this.group, ...ids).xdel(this.key, ...ids).exec();
  }

  /** After a failure, read this consumer's unacknowledged entries again first. */
  retryOwn(): void {
    this.backlog = true;
  }
}
