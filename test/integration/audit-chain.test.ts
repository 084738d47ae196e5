import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import type { HasfError } from '../../src/errors/index.ts';
import { AuditLog, type AuditRecord } from '../../src/audit/index.ts';

const KEY = 'test-audit-key-0123456789abcdef';

describe('audit chain and tamper detection (real redis, real file sink)', () => {
  let srv: TestRedis;
  let redis: Redis;
  let dir: string;
  let n = 0;
  let stream: string;
  let file: string;
  let log: AuditLog;

  before(async () => {
    srv = await startRedis();
    redis = new Redis(srv.url);
    dir = mkdtempSync(join(tmpdir(), 'hasf-audit-'));
  });
  after(async () => {
    await log?.close();
    redis.disconnect();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await log?.close();
    n++;
    stream = `audit:t${n}`;
    file = join(dir, `t${n}.jsonl`);
    log = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: file });
  });

  async function appendMany(count: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for (let i = 0; i < count; i++) {
      out.push(
        await log.append({
          actor: `user${i % 3}`,
          channel: 'rest',
          jobId: `job-${i % 4}`,
          event: 'job.state',
          details: { i, to: 'running' },
        }),
      );
    }
    return out;
  }

  /** Rebuild the stream from its entries after `edit` changed them, keeping the ids. */
  async function rebuild(
    edit: (entries: Array<[string, Record<string, unknown>]>) => void,
  ): Promise<void> {
    const raw = await redis.xrange(stream, '-', '+');
    const entries = raw.map(
      ([id, f]) =>
        [id, JSON.parse(f[1]!) as Record<string, unknown>] as [string, Record<string, unknown>],
    );
    edit(entries);
    const m = redis.multi().del(stream);
    for (const [id, rec] of entries) m.xadd(stream, id, 'r', JSON.stringify(rec));
    await m.exec();
  }

  it('an untouched chain verifies, and the records are linked and stored in both sinks', async () => {
    const recs = await appendMany(20);
    assert.deepEqual(
      recs.map((r) => r.seq),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (let i = 1; i < recs.length; i++) assert.equal(recs[i]!.prev, recs[i - 1]!.mac);
    const report = await log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.count, 20);
    assert.deepEqual(report.head, { seq: 20, mac: recs[19]!.mac, streamId: recs[19]!.streamId });
    assert.deepEqual(report.fileHead, { seq: 20, mac: recs[19]!.mac });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    assert.deepEqual(lines, recs);
    // The key is not in Redis in any form.
    const dump =
      JSON.stringify(await redis.xrange(stream, '-', '+')) + (await redis.get(`${stream}:head`));
    assert.ok(!dump.includes(KEY) && !dump.includes(Buffer.from(KEY).toString('hex')));
  });

  it('a wrong key fails every record', async () => {
    await appendMany(3);
    const other = new AuditLog({ redis, key: 'another-key-0123456789', streamKey: stream });
    const report = await other.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => p.kind),
      ['edited', 'edited', 'edited'],
    );
  });

  it('names an edited record', async () => {
    const recs = await appendMany(10);
    await rebuild((e) => {
      (e[4]![1].details as Record<string, unknown>).to = 'failed';
    });
    const report = await log.verify();
    assert.equal(report.ok, false);
    assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
    assert.equal(report.problems[0]!.kind, 'edited');
    assert.equal(report.problems[0]!.seq, 5);
    assert.equal(report.problems[0]!.streamId, recs[4]!.streamId);
  });

  it('names an edited record whose MAC was recomputed without the key (actor changed, mac kept)', async () => {
    await appendMany(5);
    await rebuild((e) => {
      e[2]![1].actor = 'someone-else';
    });
    const report = await log.verify();
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [['edited', 3]],
    );
  });

  it('names a removed middle record', async () => {
    const recs = await appendMany(10);
    await redis.xdel(stream, recs[5]!.streamId);
    const report = await log.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [['removed', 6]],
    );
    assert.equal(report.count, 9);
  });

  it('names the newest record deleted, through the file sink and the head pointer', async () => {
    const recs = await appendMany(10);
    await redis.xdel(stream, recs[9]!.streamId);
    const report = await log.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [['head-missing', 10]],
    );
    assert.match(report.problems[0]!.message, /file sink/);
  });

  it('names the newest records deleted even when the attacker also rewinds the head pointer', async () => {
    const recs = await appendMany(10);
    await redis.xdel(stream, recs[8]!.streamId, recs[9]!.streamId);
    await redis.set(`${stream}:head`, `8:${recs[7]!.mac}`);
    const report = await log.verify();
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [['head-missing', 9]],
    );
    // Without the file sink the rewind would go unseen: the second witness is what finds it.
    const noFile = await new AuditLog({ redis, key: KEY, streamKey: stream }).verify();
    assert.equal(noFile.ok, true);
  });

  it('names two swapped records', async () => {
    await appendMany(10);
    await rebuild((e) => {
      const a = e[3]![1];
      e[3]![1] = e[4]![1];
      e[4]![1] = a;
    });
    const report = await log.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [['reordered', 4]],
    );
  });

  it('names a record copied over another one: a duplicate seq and the gap it leaves', async () => {
    await appendMany(6);
    await rebuild((e) => {
      // Record 3 copied over record 4's slot: a duplicate seq and a gap where 4 was.
      e[3]![1] = { ...e[2]![1] };
    });
    const report = await log.verify();
    const kinds = report.problems.map((p) => [p.kind, p.seq]);
    assert.deepEqual(kinds, [
      ['duplicate', 3],
      ['removed', 4],
    ]);
  });

  it('names a record spliced in from another chain under the same key (relinked)', async () => {
    await appendMany(6);
    const otherStream = `${stream}:other`;
    const other = new AuditLog({ redis, key: KEY, streamKey: otherStream });
    for (let i = 0; i < 6; i++)
      await other.append({ actor: 'x', channel: 'rest', event: 'job.created', details: { i } });
    const foreign = JSON.parse((await redis.xrange(otherStream, '-', '+'))[3]![1][1]!) as Record<
      string,
      unknown
    >;
    await rebuild((e) => {
      e[3]![1] = foreign;
    });
    const report = await log.verify();
    // Its own MAC is genuine, but it does not follow record 3, and record 5 does not follow it.
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [
        ['relinked', 4],
        ['relinked', 5],
      ],
    );
  });

  it('accepts a genuine record stored in another key order, and rejects a mac moved into details', async () => {
    await appendMany(4);
    await rebuild((e) => {
      const r = e[1]![1];
      e[1]![1] = Object.fromEntries(Object.entries(r).reverse());
    });
    assert.equal((await log.verify()).ok, true);
    await rebuild((e) => {
      const r = e[2]![1];
      (r.details as Record<string, unknown>).mac = r.mac;
      delete r.mac;
    });
    const report = await log.verify();
    // Without a top-level mac the entry is no record at all, so seq 3 is also missing.
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.seq]),
      [
        ['malformed', 3],
        ['removed', 3],
      ],
    );
  });

  it('survives a line torn by a crash in the file sink', async () => {
    await appendMany(3);
    appendFileSync(
      file,
      '{"actor":"user0","channel":"rest","details":{"i":3},"event":"job.state","jobId":"job-3","mac":"ab',
    );
    const again = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: file });
    await again.append({ actor: 'a', channel: 'cli', event: 'job.created' });
    await again.close();
    const report = await log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.fileHead?.seq, 4);
    assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 5);
  });

  it('keeps appending after verify, and the chain still verifies', async () => {
    await appendMany(3);
    assert.equal((await log.verify()).ok, true);
    const again = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: file });
    const r = await again.append({
      actor: 'a',
      channel: 'cli',
      event: 'token.created',
      details: { tokenId: 't1' },
    });
    await again.close();
    assert.equal(r.seq, 4);
    assert.equal((await log.verify()).ok, true);
  });

  it('redacts secrets before writing them, in Redis and in the file', async () => {
    const r = await log.append({
      actor: 'U1',
      channel: 'worker',
      jobId: 'j1',
      event: 'command.result',
      details: {
        host: 'node1',
        argv: ['curl', '-H', 'Authorization: Bearer abcdefghijklmnop'],
        output: 'password=hunter2 ok',
        slackToken: 'xoxb-123-456-abc',
      },
    });
    const stored =
      JSON.stringify(await redis.xrange(stream, '-', '+')) + readFileSync(file, 'utf8');
    for (const secret of ['abcdefghijklmnop', 'hunter2', 'xoxb-123'])
      assert.ok(!stored.includes(secret), secret);
    assert.equal((r.details as { output: string }).output, 'password=[REDACTED] ok');
    assert.equal((await log.verify()).ok, true);
  });

  it('refuses an unknown event and a short key', async () => {
    await assert.rejects(
      log.append({ actor: 'a', channel: 'c', event: 'job.teleported' as never }),
      { code: 'INVALID_INPUT' },
    );
    assert.throws(() => new AuditLog({ redis, key: 'short' }), { code: 'CONFIG_INVALID' });
  });

  it('refuses to append onto a stream whose head pointer was deleted', async () => {
    await appendMany(2);
    await redis.del(`${stream}:head`);
    const fresh = new AuditLog({ redis, key: KEY, streamKey: stream });
    await assert.rejects(fresh.append({ actor: 'a', channel: 'c', event: 'job.created' }), (e: HasfError) => e.code === 'AUDIT_UNAVAILABLE' && e.details.reason === 'head-missing');
  });

  it('newest records dropped and the head moved back: the writer refuses (fail closed), and a fresh writer too', async () => {
    const recs = await appendMany(10);
    await redis.xdel(stream, recs[8]!.streamId, recs[9]!.streamId);
    await redis.set(`${stream}:head`, `8:${recs[7]!.mac}`);
    const next = { actor: 'a', channel: 'worker', event: 'command.start' as const, details: { argv: ['stonith_admin', '--reboot', 'node2'] } };
    await assert.rejects(log.append(next), (e: HasfError) => e.code === 'AUDIT_UNAVAILABLE' && e.details.reason === 'head-moved-back' && e.details.known === 10 && e.details.head === 8);
    // A process started afterwards knows from the file sink.
    const fresh = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: file });
    await assert.rejects(fresh.append(next), (e: HasfError) => e.code === 'AUDIT_UNAVAILABLE' && /record 10 was written/.test(e.message));
    await fresh.close();
    assert.equal(await redis.xlen(stream), 8, 'nothing appended on the shortened chain');
    assert.equal(await redis.get(`${stream}:head`), `8:${recs[7]!.mac}`);
  });

  it('the whole stream deleted: the writer does not start a new chain at genesis', async () => {
    await appendMany(3);
    await redis.del(stream, `${stream}:head`);
    await assert.rejects(log.append({ actor: 'a', channel: 'c', event: 'job.created' }), (e: HasfError) => e.code === 'AUDIT_UNAVAILABLE' && e.details.reason === 'head-moved-back');
    assert.equal(await redis.exists(stream), 0);
  });

  it('shared anchors: a writer with its own file refuses a head moved back below another writer\'s records, and its verify names them', async () => {
    const anchorDir = join(dir, `anchors-${n}`);
    const a = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: join(dir, `a-${n}.jsonl`), anchorDir, writerId: 'worker-a' });
    const b = new AuditLog({ redis, key: KEY, streamKey: stream, fileSink: join(dir, `b-${n}.jsonl`), anchorDir, writerId: 'api-b' });
    await b.append({ actor: 'b', channel: 'rest', event: 'job.created' });
    const fromA: AuditRecord[] = [];
    for (let i = 0; i < 5; i++) fromA.push(await a.append({ actor: 'a', channel: 'worker', event: 'command.start', details: { i } }));
    // Records 5 and 6 (worker-a's newest) dropped, the head moved back to 4.
    await redis.xdel(stream, fromA[3]!.streamId, fromA[4]!.streamId);
    await redis.set(`${stream}:head`, `4:${fromA[2]!.mac}`);
    await assert.rejects(b.append({ actor: 'b', channel: 'rest', event: 'job.created' }), (e: HasfError) => e.code === 'AUDIT_UNAVAILABLE' && /anchor of writer worker-a/.test(e.message));
    const report = await b.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.map((p) => [p.kind, p.seq]), [['head-missing', 5]]);
    assert.match(report.problems[0]!.message, /anchor of writer worker-a names record 6/);
    assert.deepEqual(report.anchor, { seq: 6, mac: fromA[4]!.mac, writer: 'worker-a' });
    // b's own file alone knew only record 1: without the anchors it would have seen nothing.
    assert.equal(report.fileHead?.seq, 1);
    await a.close();
    await b.close();
  });
});
