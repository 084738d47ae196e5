import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';
import { canonicalJson } from './canonical-json.ts';
import type { FileSink } from './file-sink.ts';
import { computeMac, GENESIS } from './mac.ts';
import { runAppendScript } from './redis-script.ts';
import type { AuditRecord, AuditRecordBody } from './types.ts';
import { unavailable, withTimeout } from './unavailable.ts';

/** A record waiting for its seq, prev and mac. */
export type PendingBody = Omit<AuditRecordBody, 'seq' | 'prev'>;

interface Pending {
  body: PendingBody;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

interface Head {
  seq: number;
  mac: string;
}

/** Settings of a Committer (see AuditOptions for their meaning). */
export interface CommitterOptions {
  redis: Redis;
  key: Buffer;
  streamKey: string;
  headKey: string;
  fileSink: FileSink | null;
  timeoutMs: number;
  maxBatch: number;
  confirm?: () => Promise<void>;
}

/**
 * Group commit for one process. Appends that arrive while a batch is being written
 * wait and go together in the next one: one Lua call (one AOF fsync in Redis) and one
 * fdatasync of the file sink for the whole batch.
 *
 * Order of the two sinks: Redis first, then the file. Redis decides the chain (seq and
 * prev are only final once the compare-and-append succeeded, and the stream id is only
 * known then), and a failure between the two leaves the file BEHIND Redis, which verify
 * treats as normal (several processes write several files, each a subset). The other
 * order would leave records in the file that Redis never accepted — lost races and
 * Redis failures — and verify could not tell those from deleted records. Either way the
 * append throws and the caller runs nothing; a record that reached Redis but not the
 * file reads as "about to run X", which is what a crash right after appending it leaves
 * as well.
 */
export class Committer {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private head: Head | null = null;
  /** Counters for metrics: batches committed, records in them, lost races with other writers. */
  readonly stats = { batches: 0, records: 0, conflicts: 0 };

  constructor(private readonly o: CommitterOptions) {}

  /** Queue one record; resolves once it is durable in Redis and in the file sink. */
  submit(body: PendingBody): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.queue.push({ body, resolve, reject });
      if (!this.running) {
        // Start on the next turn of the event loop, so appends made in this one (all the
        // callers woken by the previous batch) go in the same batch.
        this.running = new Promise<void>((done) =>
          setImmediate(() => void this.drain().then(done)),
        );
      }
    });
  }

  /** Resolves when every queued record has been written or has failed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      // Checked and cleared in the same synchronous step as the loop exit, so a submit
      // can never find `running` set by a drain that has already stopped looking.
      if (!this.queue.length) {
        this.running = null;
        return;
      }
      const batch = this.queue.splice(0, this.o.maxBatch);
      try {
        const records = await this.commit(batch.map((p) => p.body));
        batch.forEach((p, i) => p.resolve(records[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
      // Let the callers just resolved append their next records before the next batch.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private async commit(bodies: PendingBody[]): Promise<AuditRecord[]> {
    const deadline = Date.now() + this.o.timeoutMs;
    const { redis, streamKey, headKey } = this.o;
    let committed: {
      records: AuditRecordBody[];
      macs: string[];
      jsons: string[];
      ids: string[];
    } | null = null;
    for (let attempt = 0; !committed; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw unavailable('redis', new Error(`lost the race for the chain head ${attempt} times`), {
          attempts: attempt,
        });
      }
      try {
        const head =
          this.head ?? (await withTimeout(this.readHead(), left, 'reading the audit head'));
        const built = this.build(bodies, head);
        const last = built.records.length - 1;
        const newHead = `${built.records[last]!.seq}:${built.macs[last]}`;
        const args = [
          head.seq === 0 ? '' : `${head.seq}:${head.mac}`,
          newHead,
          String(bodies.length),
        ];
        for (let i = 0; i < built.records.length; i++)
          args.push(String(Date.parse(built.records[i]!.time) || 0), built.jsons[i]!);
        const res = (await withTimeout(
          runAppendScript(redis, [streamKey, headKey], args),
          deadline - Date.now(),
          'appending to the audit stream',
        )) as [number, ...string[]];
        if (res[0] === 1) {
          if (this.o.confirm) await this.o.confirm();
          this.head = { seq: built.records[last]!.seq, mac: built.macs[last]! };
          this.stats.batches++;
          this.stats.records += bodies.length;
          committed = { ...built, ids: res.slice(1) as string[] };
        } else if (res[0] === 0) {
          this.head = parseHead(res[1] ?? '');
          this.stats.conflicts++;
          // Several writers racing: a little jitter lets one of them win outright.
          if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 10));
        } else {
          throw new HasfError(
            'AUDIT_TAMPERED',
            `The audit stream ${streamKey} holds records but its head pointer ${headKey} is gone; run the audit verification and restore the head before appending.`,
            { streamKey, headKey },
          );
        }
      } catch (err) {
        this.head = null;
        throw unavailable('redis', err);
      }
    }
    const records: AuditRecord[] = committed.records.map((r, i) => ({
      ...r,
      mac: committed!.macs[i]!,
      streamId: committed!.ids[i]!,
    }));
    if (this.o.fileSink) {
      let lines = '';
      for (const r of records) lines += canonicalJson(r) + '\n';
      try {
        await this.o.fileSink.append(lines);
      } catch (err) {
        throw unavailable('file', err, {
          path: this.o.fileSink.path,
          committedToRedis: records.map((r) => r.seq),
        });
      }
    }
    return records;
  }

  private build(bodies: PendingBody[], head: Head) {
    const records: AuditRecordBody[] = [];
    const macs: string[] = [];
    const jsons: string[] = [];
    let prev = head.seq === 0 ? GENESIS : head.mac;
    let seq = head.seq;
    for (const b of bodies) {
      const rec: AuditRecordBody = { ...b, seq: ++seq, prev };
      const mac = computeMac(this.o.key, rec);
      records.push(rec);
      macs.push(mac);
      jsons.push(canonicalJson({ ...rec, mac }));
      prev = mac;
    }
    return { records, macs, jsons };
  }

  private async readHead(): Promise<Head> {
    return parseHead((await this.o.redis.get(this.o.headKey)) ?? '');
  }
}

/** Parse a head pointer 'seq:mac' ('' is the empty chain). */
export function parseHead(s: string): Head {
  if (!s) return { seq: 0, mac: GENESIS };
  const i = s.indexOf(':');
  return { seq: Number(s.slice(0, i)), mac: s.slice(i + 1) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
