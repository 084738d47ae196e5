import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { AuditLog } from '../../src/audit/index.ts';

const KEY = 'test-audit-key-0123456789abcdef';
const entry = { actor: 'U1', channel: 'worker', jobId: 'j1', event: 'command.start', details: { host: 'node1', argv: ['crm_mon'] } } as const;

/**
 * A TCP proxy in front of Redis that, when armed, drops the connection at the next
 * EVAL/EVALSHA as a failover does: 'after' passes the script on and drops the connection
 * before Redis' answer comes back (it ran), 'before' drops it unsent (it never ran).
 */
class DroppingProxy {
  armed: 'after' | 'before' | null = null;
  drops = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: number) {
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      let dropping = false;
      client.on('data', (chunk: Buffer) => {
        if (this.armed && /\r\neval(sha)?\r\n/i.test(chunk.toString('latin1'))) {
          const mode = this.armed;
          this.armed = null;
          this.drops++;
          dropping = true;
          if (mode === 'before') {
            client.destroy();
            upstream.destroy();
            return;
          }
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (dropping) {
          // The script ran; its answer never arrives.
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('an audit append whose connection drops (real redis behind a dropping proxy)', () => {
  let srv: TestRedis;
  let proxy: DroppingProxy;
  let direct: Redis;
  before(async () => {
    srv = await startRedis();
    proxy = new DroppingProxy(srv.port);
    await proxy.start();
    direct = new Redis(srv.url);
  });
  after(async () => {
    direct.disconnect();
    await proxy.stop();
    await srv.stop();
  });

  // ioredis on one Redis or under Sentinel re-sends a command whose connection dropped
  // (autoResendUnfulfilledCommands, on by default): the script may run twice.
  for (const mode of ['after', 'before'] as const) {
    it(`connection dropped ${mode} Redis ran the append, ioredis re-sends it: appended exactly once, the chain verifies`, async () => {
      const streamKey = `lost-${mode}`;
      const redis = new Redis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: 3, retryStrategy: () => 20 });
      redis.on('error', () => undefined);
      await expectOnce(redis, streamKey, () => {
        proxy.armed = mode;
        const drops = proxy.drops;
        return () => assert.equal(proxy.drops, drops + 1, 'the connection was dropped at the append');
      });
    });
  }

  // Redis Cluster rejects a command in flight when its master's connection closes ("Command
  // aborted due to connection close"): the append may or may not have run. Injected here on
  // one real client: the next script call runs (or not) and then fails as Cluster reports it.
  for (const ran of [true, false]) {
    it(`aborted as Redis Cluster reports a failover, ${ran ? 'after the append ran' : 'before it was sent'}: appended exactly once, the chain verifies`, async () => {
      const redis = new Redis(srv.url);
      const real = redis.evalsha.bind(redis) as (...a: unknown[]) => Promise<unknown>;
      let armed = false;
      let aborted = 0;
      (redis as unknown as { evalsha: (...a: unknown[]) => Promise<unknown> }).evalsha = async (...a: unknown[]) => {
        if (!armed) return real(...a);
        armed = false;
        aborted++;
        if (ran) await real(...a);
        throw new Error('Command aborted due to connection close');
      };
      await expectOnce(redis, `aborted-${ran}`, () => {
        armed = true;
        return () => assert.equal(aborted, 1);
      });
    });
  }

  /** One record, then one appended across the fault `arm` sets up, then one more: each once in Redis. */
  async function expectOnce(redis: Redis, streamKey: string, arm: () => () => void): Promise<void> {
    const log = new AuditLog({ redis, key: KEY, streamKey, timeoutMs: 5000 });
    try {
      await log.append(entry);
      const check = arm();
      const r = await log.append({ ...entry, jobId: 'j2' });
      check();
      assert.equal(r.seq, 2);
      assert.equal((await log.append({ ...entry, jobId: 'j3' })).seq, 3);
      // What Redis holds, read past the proxy: each record once, in order.
      const rows = await direct.xrange(streamKey, '-', '+');
      assert.deepEqual(rows.map(([, f]) => (JSON.parse(f[1]!) as { jobId: string }).jobId), ['j1', 'j2', 'j3']);
      assert.equal(rows[1]![0], r.streamId);
      assert.equal((await log.verify()).ok, true);
    } finally {
      await log.close();
      redis.disconnect();
    }
  }
});
