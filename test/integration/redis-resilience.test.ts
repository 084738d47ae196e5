import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/app/redis.ts';
import { inspectRedisDurability, ReplicaConfirm } from '../../src/app/redis-durability.ts';
import { isRedisConnectionError, RedisHealth } from '../../src/app/redis-health.ts';
import { checkConfigFile } from '../../src/cli/check/index.ts';
import { redisSchema } from '../../src/config/schema.ts';
import { startDemoRedis, type DemoRedis } from '../../src/demo/redis.ts';
import { isHasfError } from '../../src/errors/index.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

// The connection layer against a real redis-server: killed -9 and started again on the
// same port and data, connections dropped, a replica stopped.
const cfgOf = (url: string, extra: Record<string, unknown> = {}) => redisSchema.parse({ url, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connectRedis + RedisHealth on a Redis that dies and comes back', () => {
  let redis: TestRedis;
  let conn: Redis | undefined;
  let health: RedisHealth | undefined;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    health?.close();
    conn?.disconnect();
    await redis?.stop();
  });

  it('commands issued during a kill -9 and restart wait and succeed; two lines, no stack traces', async () => {
    const lines: string[] = [];
    health = new RedisHealth((l) => lines.push(l), 'hasf:alive');
    conn = connectRedis(cfgOf(redis.url), { name: 't', health });
    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        await conn!.incr('hasf:n').then(() => ok++, (e: Error) => failures.push(e.message));
        await sleep(20);
      }
    })();
    await sleep(200);
    const ups: number[] = [];
    health.on('up', (ms: number) => ups.push(ms));
    await redis.process.kill('SIGKILL');
    await sleep(1500); // away longer than the grace
    await redis.restart();
    const end = Date.now() + 15_000;
    while (!ups.length && Date.now() < end) await sleep(50);
    await sleep(200);
    stop = true;
    await loop;
    assert.deepEqual(failures, []);
    // AOF with fsync always: every acknowledged INCR survived the kill.
    assert.equal(Number(await conn.get('hasf:n')), ok);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^\[redis\] connection lost \(.+\); commands wait and are retried until Redis is back$/);
    assert.match(lines[1]!, /^\[redis\] back after \d+\.\d s/);
    assert.equal(ups.length, 1);
  });

  it('a dropped connection that comes straight back is no outage: nothing is said', async () => {
    const lines: string[] = [];
    const h = new RedisHealth((l) => lines.push(l), 'hasf:alive');
    const c = connectRedis(cfgOf(redis.url), { name: 'hasf-drop-test', health: h });
    try {
      await c.ping();
      const admin = connectRedis(cfgOf(redis.url), { name: 'admin' });
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      admin.disconnect();
      assert.equal(await c.incr('hasf:drop'), 1);
      await sleep(800);
      assert.deepEqual(lines, []);
    } finally {
      h.close();
      c.disconnect();
    }
  });

  it('a Redis that stays away: commands fail after redis.outageTimeoutMs of reconnect attempts, as a connection error', async () => {
    const lines: string[] = [];
    const h = new RedisHealth((l) => lines.push(l), 'hasf:alive');
    const c = connectRedis(cfgOf(redis.url, { outageTimeoutMs: 1500 }), { name: 'gone', health: h });
    try {
      await c.ping();
      await redis.process.kill('SIGKILL');
      const t0 = Date.now();
      const err = await c.get('hasf:n').then(() => undefined, (e: Error) => e);
      assert.ok(err && isRedisConnectionError(err), String(err));
      assert.ok(Date.now() - t0 >= 1400, `failed after ${Date.now() - t0} ms`);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /connection lost/);
    } finally {
      h.close();
      c.disconnect();
      await redis.restart();
    }
  });
});

describe('what HASF needs from Redis: WAIT for replicas, durability findings', () => {
  let base: string;
  let primary: DemoRedis;
  let replica: DemoRedis;
  let conn: Redis;
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'hasf-durability-'));
    primary = await startDemoRedis({ dir: join(base, 'p'), extraArgs: ['--repl-diskless-sync', 'no'] });
    replica = await startDemoRedis({ dir: join(base, 'r'), extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
    conn = connectRedis(cfgOf(primary.url), { name: 'durability' });
    for (let i = 0; i < 100 && !/slave0:.*state=online/.test(await conn.info('replication')); i++) await sleep(100);
  });
  after(async () => {
    conn?.disconnect();
    if (replica) {
      replica.child.kill('SIGCONT');
      await replica.kill();
    }
    await primary?.kill();
    rmSync(base, { recursive: true, force: true });
  });

  it('confirm() returns once the replica holds the write; a replica that stops answering makes it refuse (REDIS_UNAVAILABLE)', async () => {
    const logs: string[] = [];
    const rc = new ReplicaConfirm(conn, { replicas: 1, timeoutMs: 500, key: 'hasf:alive', log: (l) => logs.push(l) });
    await conn.set('hasf:w', '1');
    await rc.confirm();
    const replicaConn = connectRedis(cfgOf(replica.url), { name: 'replica' });
    assert.equal(await replicaConn.get('hasf:w'), '1');
    replicaConn.disconnect();
    // Frozen, not gone: still "online" to the primary, but it acknowledges nothing.
    replica.child.kill('SIGSTOP');
    try {
      await conn.set('hasf:w', '2');
      const err = await rc.confirm().then(() => undefined, (e: unknown) => e);
      assert.ok(isHasfError(err, 'REDIS_UNAVAILABLE'), String(err));
      assert.match((err as Error).message, /only 0 of 1 replica\(s\) confirmed within 500 ms/);
    } finally {
      replica.child.kill('SIGCONT');
    }
    await rc.confirm();
    assert.deepEqual(logs, []);
  });

  it('asks for no more replicas than are online, and says so once when there are none', async () => {
    const logs: string[] = [];
    const rc = new ReplicaConfirm(conn, { replicas: 2, timeoutMs: 500, key: 'hasf:alive', log: (l) => logs.push(l) });
    await conn.set('hasf:w', '3');
    await rc.confirm(); // 2 wanted, 1 online: WAIT 1
    const d = await inspectRedisDurability(conn, cfgOf(primary.url, { replicas: 2 }));
    assert.equal(d.replicasOnline, 1);
    assert.ok(d.findings.some((f) => f.key === 'redis.replicas' && /1 replica\(s\) online, 2 wanted/.test(f.problem)), JSON.stringify(d.findings));
    await replica.kill();
    for (let i = 0; i < 50 && /slave0:/.test(await conn.info('replication')); i++) await sleep(100);
    const rc0 = new ReplicaConfirm(conn, { replicas: 1, timeoutMs: 500, key: 'hasf:alive', log: (l) => logs.push(l) });
    const t0 = Date.now();
    await rc0.confirm();
    await rc0.confirm();
    assert.ok(Date.now() - t0 < 400, 'no WAIT timeout when no replica is there to wait for');
    assert.deepEqual(logs, ['[redis] no replica online: writes are durable on the primary only (AOF) until one is back']);
  });

  it('a Redis without AOF and with eviction is reported by inspectRedisDurability and by hasf config check', async () => {
    const weak = await startDemoRedis({ dir: join(base, 'weak'), extraArgs: ['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'] });
    const c = connectRedis(cfgOf(weak.url), { name: 'weak' });
    try {
      const d = await inspectRedisDurability(c, cfgOf(weak.url));
      assert.equal(d.aof, false);
      const warnings = d.findings.filter((f) => f.severity === 'warning').map((f) => f.problem);
      assert.ok(warnings.some((p) => /without AOF/.test(p)) && warnings.some((p) => /allkeys-lru/.test(p)), warnings.join('\n'));
      const file = join(base, 'weak.yaml');
      writeFileSync(file, `redis: { url: "${weak.url}" }\naudit: { key: test-audit-key-0123456789 }\npeople: [{ name: ada, roles: [admin] }]\n`);
      const r = await checkConfigFile(file, { env: {}, timeoutMs: 3000 });
      const found = r.problems.filter((p) => p.severity === 'warning' && p.key === 'redis.url').map((p) => p.problem);
      assert.ok(found.some((p) => /without AOF/.test(p)), JSON.stringify(r.problems));
      assert.ok(found.some((p) => /one Redis without failover/.test(p)), JSON.stringify(r.problems));
      assert.ok(r.passed.some((p) => p.what === 'redis' && /AOF off/.test(p.detail)), JSON.stringify(r.passed));
    } finally {
      c.disconnect();
      await weak.kill();
    }
  });

  it('the production settings (deploy/redis.conf: AOF, fsync always, noeviction) give no warning', async () => {
    const d = await inspectRedisDurability(conn, cfgOf(primary.url));
    assert.equal(d.fsync, 'always');
    assert.deepEqual(d.findings.filter((f) => f.severity === 'warning'), []);
  });
});
