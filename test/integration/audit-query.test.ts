import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { AuditLog, type AuditEvent, type AuditRecord } from '../../src/audit/index.ts';

const KEY = 'test-audit-key-0123456789abcdef';
const BASE = Date.parse('2024-05-01T00:00:00.000Z');
const EVENTS: AuditEvent[] = [
  'job.created',
  'approval.granted',
  'command.start',
  'command.result',
  'job.state',
];

describe('audit query and export (real redis)', () => {
  let srv: TestRedis;
  let redis: Redis;
  let log: AuditLog;
  const all: AuditRecord[] = [];

  before(async () => {
    srv = await startRedis();
    redis = new Redis(srv.url);
    let minute = 0;
    // One record a minute from BASE, so time ranges are easy to reason about.
    log = new AuditLog({
      redis,
      key: KEY,
      streamKey: 'q',
      clock: () => new Date(BASE + minute++ * 60_000),
    });
    for (let i = 0; i < 40; i++) {
      all.push(
        await log.append({
          actor: i % 2 ? 'bob' : 'alice',
          channel: 'rest',
          jobId: `j${i % 3}`,
          event: EVENTS[i % 5]!,
          details: { i, note: i === 7 ? 'a,b "c"\nd' : 'x' },
        }),
      );
    }
  });
  after(async () => {
    await log.close();
    redis.disconnect();
    await srv.stop();
  });

  it('filters by job, actor and event', async () => {
    const j1 = await log.query({ jobId: 'j1' });
    assert.deepEqual(
      j1.records,
      all.filter((r) => r.jobId === 'j1'),
    );
    assert.equal(j1.nextCursor, undefined);
    const bobResults = await log.query({ actor: 'bob', event: 'command.result' });
    assert.deepEqual(
      bobResults.records.map((r) => r.seq),
      all.filter((r) => r.actor === 'bob' && r.event === 'command.result').map((r) => r.seq),
    );
    assert.ok(bobResults.records.length > 0);
    const two = await log.query({ event: ['job.created', 'job.state'], limit: 1000 });
    assert.equal(two.records.length, 16);
  });

  it('filters by time range, bounds inclusive', async () => {
    const from = new Date(BASE + 10 * 60_000);
    const to = new Date(BASE + 14 * 60_000);
    const page = await log.query({ from, to });
    assert.deepEqual(
      page.records.map((r) => r.seq),
      [11, 12, 13, 14, 15],
    );
    assert.deepEqual(
      (await log.query({ from, to, jobId: 'j0' })).records.map((r) => r.seq),
      [13],
    );
    assert.deepEqual((await log.query({ to: new Date(BASE - 1) })).records, []);
  });

  it('pages with a cursor: every record once, in order, and the last page says so', async () => {
    for (const filter of [
      {},
      { actor: 'alice' },
      { jobId: 'j2', from: new Date(BASE + 5 * 60_000) },
    ]) {
      const expected = (await log.query({ ...filter, limit: 1000 })).records;
      const got: AuditRecord[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await log.query({ ...filter, limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(page.records.length <= 3);
        got.push(...page.records);
        cursor = page.nextCursor;
        assert.ok(++pages < 100);
      } while (cursor);
      assert.deepEqual(got, expected);
      assert.ok(pages >= Math.ceil(expected.length / 3));
    }
  });

  it('refuses a bad cursor, limit or event with INVALID_INPUT', async () => {
    await assert.rejects(log.query({ cursor: 'nope' }), { code: 'INVALID_INPUT' });
    await assert.rejects(log.query({ limit: 0 }), { code: 'INVALID_INPUT' });
    await assert.rejects(log.query({ limit: 5000 }), { code: 'INVALID_INPUT' });
    await assert.rejects(log.query({ event: 'job.nope' as AuditEvent }), { code: 'INVALID_INPUT' });
    await assert.rejects(log.query({ from: new Date('garbage') }), { code: 'INVALID_INPUT' });
  });

  it('exports JSONL: one line per record, equal to the records', async () => {
    const lines: string[] = [];
    for await (const l of log.export('jsonl')) lines.push(l);
    assert.equal(lines.length, 40);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      all,
    );
  });

  it('exports CSV with a header, filtered, the awkward note escaped in one cell', async () => {
    let text = '';
    for await (const l of log.export('csv', { jobId: 'j1' })) text += l;
    const lines = text.split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'seq,time,actor,channel,jobId,event,details,prev,mac,streamId');
    // seq 8 (i = 7) carries the note with a comma, quotes and a newline.
    assert.ok(text.includes('"{""i"":7,""note"":""a,b \\""c\\""\\nd""}"'), text.slice(0, 400));
    // 13 j1 records + header; the note's newline is escaped inside JSON, so lines stay whole.
    assert.equal(lines.length, 14);
  });

  it('finds by time a record whose writer clock was behind the stream', async () => {
    let t = Date.now();
    const skewed = new AuditLog({ redis, key: KEY, streamKey: 'skew', clock: () => new Date(t) });
    await skewed.append({ actor: 'a', channel: 'c', event: 'job.created' });
    t -= 30_000; // this writer's clock jumps back 30 s
    const late = await skewed.append({ actor: 'a', channel: 'c', event: 'job.state' });
    const page = await skewed.query({ from: new Date(t - 1), to: new Date(t + 1) });
    assert.deepEqual(
      page.records.map((r) => r.seq),
      [late.seq],
    );
    assert.equal((await skewed.verify()).ok, true);
    await skewed.close();
  });
});
