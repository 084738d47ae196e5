import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { AuditLog, type AuditRecord } from '../../src/audit/index.ts';

const KEY = 'test-audit-key-0123456789abcdef';
const CHILD = fileURLToPath(new URL('./audit-writer.child.ts', import.meta.url));

let srv: TestRedis;
let redis: Redis;
let dir: string;
before(async () => {
  srv = await startRedis();
  redis = new Redis(srv.url);
  dir = mkdtempSync(join(tmpdir(), 'hasf-audit-'));
});
after(async () => {
  redis.disconnect();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

it(
  '4 processes appending 1,000 records each at once make one valid chain of 4,000',
  { timeout: 120_000 },
  async (t) => {
    const file = join(dir, 'shared.jsonl');
    const children = ['w1', 'w2', 'w3', 'w4'].map((name) => {
      const c = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, srv.url, 'conc', file, '1000', '8', name],
        {
          stdio: ['pipe', 'inherit', 'inherit'],
        },
      );
      c.stdin.end(KEY);
      return c;
    });
    t.after(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
    const codes = await Promise.all(
      children.map(async (c) => (await once(c, 'exit'))[0] as number),
    );
    assert.deepEqual(codes, [0, 0, 0, 0]);

    const log = new AuditLog({ redis, key: KEY, streamKey: 'conc', fileSink: file });
    const report = await log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems.slice(0, 5)));
    assert.equal(report.count, 4000);
    assert.equal(report.head?.seq, 4000);
    assert.equal(report.fileHead?.seq, 4000);
    // Every writer's 1,000 records are there, each once, and the shared file holds all 4,000.
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    assert.equal(lines.length, 4000);
    assert.equal(new Set(lines.map((r) => r.seq)).size, 4000);
    for (const w of ['w1', 'w2', 'w3', 'w4']) {
      const mine = lines
        .filter((r) => r.actor === w)
        .map((r) => (r.details as { i: number }).i)
        .sort((a, b) => a - b);
      assert.deepEqual(
        mine,
        Array.from({ length: 1000 }, (_, i) => i),
      );
    }
    // The writers really interleaved (the chain is not four runs one after the other).
    const stream = await redis.xrange('conc', '-', '+');
    let switches = 0;
    for (let i = 1; i < stream.length; i++)
      if (JSON.parse(stream[i]![1][1]!).actor !== JSON.parse(stream[i - 1]![1][1]!).actor)
        switches++;
    assert.ok(switches > 3, `only ${switches} writer switches`);
    await log.close();
  },
);

it('commits concurrent appends of one process together (group commit), in call order', async () => {
  const log = new AuditLog({
    redis,
    key: KEY,
    streamKey: 'group',
    fileSink: join(dir, 'group.jsonl'),
  });
  const recs = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      log.append({ actor: 'a', channel: 'worker', event: 'job.step', details: { i } }),
    ),
  );
  assert.deepEqual(
    recs.map((r) => r.seq),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.ok(log.stats.batches <= 4, `${log.stats.batches} batches for 200 concurrent appends`);
  assert.equal(log.stats.records, 200);
  assert.equal((await log.verify()).ok, true);
  await log.close();
});
