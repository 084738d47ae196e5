import type { Redis } from 'ioredis';
import { HasfError, isHasfError } from '../errors/index.ts';
import { isRedisConnectionError } from '../util/redis-errors.ts';
import { canonicalJson } from './canonical-json.ts';
import type { AnchorDir } from './anchors.ts';
import { readFileHead, type FileSink } from './file-sink.ts';
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
  /** The head copied to a directory every process shares (see anchors.ts); null when not configured. */
  anchors: AnchorDir | null;
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
  /**
   * The newest record this process knows was written (its own commits, heads seen ahead
   * of it, the file sink's and the shared anchors' heads): the chain may never be behind it.
   */
  private known: (Head & { source: string }) | null = null;
  private seeded = false;
  /** Counters for metrics: batches committed, records in them, lost races with other writers. */
  readonly stats = { batches: 0, records: 0, conflicts: 0 };

  /** Connections to Redis closed so far (a re-sent append is only possible across one). */
  private connectionDrops = 0;

  private readonly onClose = () => this.connectionDrops++;

  constructor(private readonly o: CommitterOptions) {
    o.redis.on('close', this.onClose);
  }

  /** Stop watching the connection (the AuditLog is closed; the client is the caller's). */
  detach(): void {
    this.o.redis.off('close', this.onClose);
  }

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
    // The head a lost race returned: what the next attempt builds on, once checked.
    let seen: Head | null = null;
    // An append sent when the connection dropped (a failover): it may have been applied.
    let unsure: { built: ReturnType<Committer['build']>; newHead: string } | null = null;
    let lastError: unknown;
    const dropsBefore = this.connectionDrops;
    for (let attempt = 0; !committed; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) {
        if (lastError) throw unavailable('redis', lastError, { attempts: attempt });
        throw unavailable('redis', new Error(`lost the race for the chain head ${attempt} times`), {
          attempts: attempt,
        });
      }
      try {
        if (unsure) {
          // The stream says whether it was (never append it twice): our records at the top,
          // or under the few other writers appended since.
          const now = await withTimeout(this.readHead(), left, 'reading the audit head');
          const ids = await withTimeout(this.findOurs(unsure.built, now), deadline - Date.now(), 'reading the audit stream');
          if (ids) {
            if (this.o.confirm) await this.o.confirm();
            committed = this.adopt(unsure.built, ids);
            if (`${now.seq}:${now.mac}` !== unsure.newHead) this.head = null; // others wrote on top
            break;
          }
          unsure = null;
        }
        // Our own last commit needs no check (the compare-and-append proves it is still
        // the head); any other head may have been moved back: checked against what is known.
        const head = this.head ?? (await withTimeout(this.checkedHead(seen), left, 'reading the audit head'));
        seen = null;
        const built = this.build(bodies, head);
        const last = built.records.length - 1;
        const newHead = `${built.records[last]!.seq}:${built.macs[last]}`;
        unsure = { built, newHead };
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
          committed = this.adopt(built, res.slice(1) as string[]);
        } else if (res[0] === 0) {
          // A lost race — or, when the connection dropped during this commit, our own append
          // met again: ioredis re-sends a command whose connection dropped, and the first
          // sending may have been applied. Only then is the stream searched (races are common).
          const other = parseHead(res[1] ?? '');
          const dropped = lastError !== undefined || this.connectionDrops !== dropsBefore;
          const ids = dropped ? await withTimeout(this.findOurs(built, other), deadline - Date.now(), 'reading the audit stream') : null;
          if (ids) {
            if (this.o.confirm) await this.o.confirm();
            committed = this.adopt(built, ids);
            if (`${other.seq}:${other.mac}` !== newHead) this.head = null;
            break;
          }
          unsure = null;
          this.head = null;
          seen = other;
          this.stats.conflicts++;
          // Several writers racing: a little jitter lets one of them win outright.
          if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 10));
        } else {
          throw new HasfError(
            'AUDIT_UNAVAILABLE',
            `The audit stream ${streamKey} holds records but its head pointer ${headKey} is gone; nothing was appended and nothing runs. Run the audit verification and restore Redis (or the head) before appending.`,
            { sink: 'redis', reason: 'head-missing', streamKey, headKey },
          );
        }
      } catch (err) {
        this.head = null;
        // Redis away for a moment (a Sentinel or Cluster failover): try again until the
        // deadline — ioredis holds the retry until a primary serves the key again.
        // `unsure` stays as it is: set only once an append was sent, cleared once its fate is known.
        if (!isHasfError(err) && isRedisConnectionError(err) && Date.now() < deadline) {
          lastError = err;
          await sleep(50);
          continue;
        }
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
    if (this.o.anchors) {
      const top = records[records.length - 1]!;
      try {
        await this.o.anchors.write({ seq: top.seq, mac: top.mac });
      } catch (err) {
        throw unavailable('file', err, { path: this.o.anchors.dir, committedToRedis: records.map((r) => r.seq) });
      }
    }
    return records;
  }

  /**
   * The head to build on when it is not our own last commit: `seen` (what a lost race
   * returned) or Redis' head, refused (AUDIT_UNAVAILABLE, fail closed) when it is behind
   * a record known to exist or names another record at that seq — the newest records
   * were removed and the pointer moved back, or the chain replaced. Without this a
   * writer would silently continue the shortened chain (or restart it at genesis).
   *
   * What is known is always read BEFORE the head it is compared with: Redis is written
   * first, then the file sink, then the anchor, so at any instant they are at most as
   * new as Redis, and only a real loss can put Redis behind them.
   */
  private async checkedHead(seen: Head | null): Promise<Head> {
    if (!this.seeded) {
      // Once per process: what the file sink says was written.
      if (this.o.fileSink) {
        const path = this.o.fileSink.path;
        const f = await readFileHead(path).catch((err: unknown) => {
          throw unavailable('file', err, { path });
        });
        if (f.head) this.learn({ seq: f.head.seq, mac: f.head.mac }, `the file sink ${path} holds it`);
      }
      this.seeded = true;
      seen = null;
      void this.o.anchors?.prune().catch(() => undefined);
    }
    if (this.o.anchors) {
      const dir = this.o.anchors.dir;
      const a = await this.o.anchors.max().catch((err: unknown) => {
        throw unavailable('file', err, { path: dir });
      });
      if (a) this.learn(a, `the anchor of writer ${a.writer} in ${dir} names it`);
    }
    // A head seen before those reads is only trusted when it is not behind them.
    let head = seen;
    if (head === null || (this.known && head.seq < this.known.seq)) head = await this.readHead();
    const k = this.known;
    if (k && (head.seq < k.seq || (head.seq === k.seq && head.mac !== k.mac))) {
      throw new HasfError(
        'AUDIT_UNAVAILABLE',
        `The audit chain in Redis ends at record ${head.seq}, but record ${k.seq} was written (${k.source}): the newest records were removed or the head pointer ${this.o.headKey} moved back. Nothing was appended and nothing runs; restore Redis from a backup and run \`hasf audit verify\`.`,
        { sink: 'redis', reason: 'head-moved-back', head: head.seq, known: k.seq, source: k.source },
      );
    }
    // A head ahead of what we knew is other writers' work.
    this.learn(head, 'it was the head of the chain');
    return head;
  }

  private learn(h: Head, source: string): void {
    if (!this.known || h.seq > this.known.seq) this.known = { seq: h.seq, mac: h.mac, source };
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

  /** Take a batch Redis holds as ours: the new head, what this process knows, the counters. */
  private adopt(built: ReturnType<Committer['build']>, ids: string[]) {
    const last = built.records.length - 1;
    this.head = { seq: built.records[last]!.seq, mac: built.macs[last]! };
    this.known = { ...this.head, source: 'this process wrote it' };
    this.stats.batches++;
    this.stats.records += built.records.length;
    return { ...built, ids };
  }

  /**
   * The stream ids of `built`'s records when Redis holds them (an append whose answer was
   * lost), else null. They can only be among the newest `head.seq - first + 1` entries.
   */
  private async findOurs(built: ReturnType<Committer['build']>, head: Head): Promise<string[] | null> {
    const first = built.records[0]!.seq;
    const last = built.records[built.records.length - 1]!.seq;
    if (head.seq < last) return null;
    const rows = (await this.o.redis.xrevrange(this.o.streamKey, '+', '-', 'COUNT', Math.min(head.seq - first + 1, 10_000))).reverse();
    const json = (fields: string[]) => fields[fields.indexOf('r') + 1];
    const at = rows.findIndex(([, f]) => json(f) === built.jsons[0]);
    if (at < 0) return null;
    const mine = rows.slice(at, at + built.jsons.length);
    return mine.length === built.jsons.length && mine.every(([, f], i) => json(f) === built.jsons[i]) ? mine.map(([id]) => id) : null;
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
