import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.ts';
import { AuditLog } from '../../src/audit/index.ts';

const KEY = 'test-audit-key-0123456789abcdef';
const entry = {
  actor: 'U1',
  channel: 'worker',
  jobId: 'j1',
  event: 'command.start',
  details: { host: 'node1', argv: ['crm_mon'] },
} as const;

describe('audit fails closed (real redis, real files)', () => {
  let srv: TestRedis;
  let redis: Redis;
  let dir: string;

  before(async () => {
    srv = await startRedis();
    // Fail fast while Redis is away instead of queueing commands offline.
    redis = new Redis(srv.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    dir = mkdtempSync(join(tmpdir(), 'hasf-audit-'));
  });
  after(async () => {
    redis.disconnect();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('throws AUDIT_UNAVAILABLE while Redis is read-only (a replica), and resumes the same chain afterwards', async () => {
    const log = new AuditLog({
      redis,
      key: KEY,
      streamKey: 'ro',
      fileSink: join(dir, 'ro.jsonl'),
      timeoutMs: 2000,
    });
    await log.append(entry);
    await redis.replicaof('127.0.0.1', await freePort());
    try {
      await assert.rejects(log.append(entry), { code: 'AUDIT_UNAVAILABLE' });
    } finally {
      await redis.replicaof('NO', 'ONE');
    }
    // Nothing of the refused record reached either sink.
    assert.equal(readFileSync(join(dir, 'ro.jsonl'), 'utf8').trim().split('\n').length, 1);
    const r = await log.append(entry);
    assert.equal(r.seq, 2);
    assert.equal((await log.verify()).ok, true);
    await log.close();
  });

  it('throws AUDIT_UNAVAILABLE when Redis refuses writes for lack of replicas (min-replicas-to-write)', async () => {
    const log = new AuditLog({ redis, key: KEY, streamKey: 'norepl', timeoutMs: 2000 });
    await redis.config('SET', 'min-replicas-to-write', '1');
    try {
      await assert.rejects(
        log.append(entry),
        (err: { code?: string; details?: { reason?: string } }) => {
          assert.equal(err.code, 'AUDIT_UNAVAILABLE');
          assert.match(String(err.details?.reason), /NOREPLICAS/);
          return true;
        },
      );
    } finally {
      await redis.config('SET', 'min-replicas-to-write', '0');
    }
    assert.equal(await redis.exists('norepl', 'norepl:head'), 0);
  });

  it('throws AUDIT_UNAVAILABLE when the file sink path is a directory, and when it is under /proc', async () => {
    const asDir = join(dir, 'is-a-dir');
    mkdirSync(asDir);
    const a = new AuditLog({ redis, key: KEY, streamKey: 'fdir', fileSink: asDir });
    await assert.rejects(a.append(entry), (err: { code?: string; details?: { sink?: string } }) => {
      assert.equal(err.code, 'AUDIT_UNAVAILABLE');
      assert.equal(err.details?.sink, 'file');
      return true;
    });
    const b = new AuditLog({
      redis,
      key: KEY,
      streamKey: 'fproc',
      fileSink: '/proc/hasf-audit.jsonl',
    });
    await assert.rejects(b.append(entry), { code: 'AUDIT_UNAVAILABLE' });
    // The file sink is read before the first append (it holds the newest record this
    // process knows of), so an unreadable one stops it before Redis got anything.
    await assert.rejects(a.verify(), { code: 'AUDIT_UNAVAILABLE' });
    assert.equal(await redis.exists('fdir'), 0);
    // Under /proc the file can't be written: Redis got the record first (see
    // committer.ts), the file is behind, which verify does not call tampering.
    const report = await new AuditLog({
      redis,
      key: KEY,
      streamKey: 'fproc',
      fileSink: join(dir, 'fresh.jsonl'),
    }).verify();
    assert.equal(report.count, 1);
    assert.equal(report.fileHead, null);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    await a.close();
    await b.close();
  });

  it('throws AUDIT_UNAVAILABLE while Redis is down, within the timeout, and works again after a restart', async () => {
    const file = join(dir, 'down.jsonl');
    const log = new AuditLog({
      redis,
      key: KEY,
      streamKey: 'down',
      fileSink: file,
      timeoutMs: 1500,
    });
    const first = await log.append(entry);
    // SIGTERM, not SIGKILL: helpers/redis.ts restart() checks only exitCode, which a
    // signal death leaves null, and would then wait forever for a second exit.
    const exited = new Promise((r) => srv.process.once('exit', r));
    srv.process.kill('SIGTERM');
    await exited;
    const t0 = Date.now();
    await assert.rejects(log.append(entry), { code: 'AUDIT_UNAVAILABLE' });
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    await srv.restart();
    // AOF (appendfsync always) kept the record; the chain goes on from it.
    let r;
    for (let i = 0; ; i++) {
      try {
        r = await log.append(entry);
        break;
      } catch (err) {
        if (i > 40) throw err;
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    assert.equal(r.seq, 2);
    assert.equal(r.prev, first.mac);
    const report = await log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.fileHead?.seq, 2);
    await log.close();
  });
});
