import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPort, startDemoRedis, type DemoRedis } from '../../src/demo/redis.ts';

// Real replicated Redis on loopback for failover tests: a Sentinel set (primary, replica,
// three sentinels) and a Redis Cluster (three masters, three replicas). Timings from
// shared/LAB-NOTES.md: no diskless-sync delay, down-after 1 s, cluster-node-timeout 2 s.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value (not undefined) or `ms` pass. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}

/** One short-lived plain connection (no retries: a dead node answers at once). */
async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const info = (port: number, section: string) => ask(port, (r) => r.info(section));
const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();

/** A Redis node of a set: its port, data dir and process. */
export interface HaNode {
  port: number;
  dir: string;
  redis: DemoRedis;
}

async function startNode(base: string, name: string, extraArgs: string[]): Promise<HaNode> {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  // Full syncs right away: the default diskless sync waits 5 s for more replicas.
  const redis = await startDemoRedis({ dir, extraArgs: ['--repl-diskless-sync', 'no', ...extraArgs] });
  return { port: redis.port, dir, redis };
}

/** A primary, a replica and three sentinels watching them as `name`. */
export interface SentinelSet {
  name: string;
  /** host:port of each sentinel, as `redis.sentinel.sentinels` takes them. */
  sentinels: string[];
  nodes: HaNode[];
  /** Port of the node the sentinels call the primary now. */
  primaryPort(): Promise<number>;
  /** kill -9 the current primary; resolves with its port (the sentinels then promote the replica). */
  killPrimary(): Promise<number>;
  /** Resolves once the sentinels name a primary other than `oldPort`, with how long that took from the call. */
  waitForNewPrimary(oldPort: number, ms?: number): Promise<{ port: number; ms: number }>;
  stop(): Promise<void>;
}

/** Start a Sentinel set on loopback and wait until the sentinels know the replica and each other. */
export async function startSentinelSet(name = 'hasf'): Promise<SentinelSet> {
  const base = mkdtempSync(join(tmpdir(), 'hasf-sentinel-'));
  const nodes: HaNode[] = [];
  const sentinels: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const stop = async () => {
    for (const s of sentinels) {
      if (s.exitCode === null && s.signalCode === null) {
        const gone = once(s, 'exit');
        s.kill('SIGKILL');
        await gone;
      }
    }
    for (const n of nodes) await n.redis.kill();
    rmSync(base, { recursive: true, force: true });
  };
  try {
    nodes.push(await startNode(base, 'a', []));
    nodes.push(await startNode(base, 'b', ['--replicaof', '127.0.0.1', String(nodes[0]!.port)]));
    await until('the replica to sync', 30_000, async () => (field(await info(nodes[1]!.port, 'replication'), 'master_link_status') === 'up' ? true : undefined));
    for (let i = 0; i < 3; i++) {
      const port = await freeLoopbackPort();
      const conf = join(base, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${base}`,
          `sentinel monitor ${name} 127.0.0.1 ${nodes[0]!.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'ignore'] });
      sentinels.push(child);
      sentinelPorts.push(port);
    }
    for (const p of sentinelPorts) {
      await until(`sentinel ${p} to know the replica and the other sentinels`, 30_000, async () => {
        const replicas = (await ask(p, (r) => r.call('SENTINEL', 'REPLICAS', name))) as unknown[];
        const peers = (await ask(p, (r) => r.call('SENTINEL', 'SENTINELS', name))) as unknown[];
        return replicas.length >= 1 && peers.length >= 2 ? true : undefined;
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const primaryPort = async () => {
    for (const p of sentinelPorts) {
      try {
        const addr = (await ask(p, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name))) as [string, string];
        return Number(addr[1]);
      } catch {
        // that sentinel is not answering; ask the next
      }
    }
    throw new Error('no sentinel answers');
  };
  return {
    name,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`),
    nodes,
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      await nodes.find((n) => n.port === port)!.redis.kill();
      return port;
    },
    async waitForNewPrimary(oldPort, ms = 30_000) {
      const t0 = Date.now();
      const port = await until('the sentinels to promote a new primary', ms, async () => {
        const p = await primaryPort();
        if (p === oldPort) return undefined;
        // Promoted means it answers as a master, not only that the sentinels say so.
        return field(await info(p, 'replication'), 'role') === 'master' ? p : undefined;
      });
      return { port, ms: Date.now() - t0 };
    },
    stop,
  };
}

/** Three masters with one replica each, in cluster mode. */
export interface RedisClusterSet {
  /** host:port of every node, as `redis.cluster` takes seeds. */
  seeds: string[];
  nodes: HaNode[];
  /** Port of the master serving the hash slot of `key` now. */
  masterOf(key: string): Promise<number>;
  /** kill -9 a node. */
  kill(port: number): Promise<void>;
  /** Resolves once a master other than `oldPort` serves the slot of `key` and the cluster is ok. */
  waitForNewMaster(key: string, oldPort: number, ms?: number): Promise<{ port: number; ms: number }>;
  stop(): Promise<void>;
}

/** Start a Redis Cluster (3 masters + 3 replicas) on loopback and wait until it is ok with every replica in sync. */
export async function startRedisCluster(): Promise<RedisClusterSet> {
  const base = mkdtempSync(join(tmpdir(), 'hasf-rcluster-'));
  const nodes: HaNode[] = [];
  const stop = async () => {
    for (const n of nodes) await n.redis.kill();
    rmSync(base, { recursive: true, force: true });
  };
  const alive = new Set<number>();
  try {
    for (let i = 0; i < 6; i++) {
      const n = await startNode(base, `n${i}`, ['--cluster-enabled', 'yes', '--cluster-config-file', join(base, `n${i}`, 'nodes.conf'), '--cluster-node-timeout', '2000']);
      nodes.push(n);
      alive.add(n.port);
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const n of nodes) {
      await until(`node ${n.port} to see the cluster ok`, 30_000, async () => {
        const ci = (await ask(n.port, (r) => r.call('CLUSTER', 'INFO'))) as string;
        if (field(ci, 'cluster_state') !== 'ok') return undefined;
        const repl = await info(n.port, 'replication');
        return field(repl, 'role') === 'master' || field(repl, 'master_link_status') === 'up' ? true : undefined;
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const masterOf = async (key: string) => {
    for (const port of alive) {
      try {
        const slot = (await ask(port, (r) => r.call('CLUSTER', 'KEYSLOT', key))) as number;
        const slots = (await ask(port, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (range) return Number(range[2][1]);
      } catch {
        // that node is down; ask another
      }
    }
    throw new Error(`no node knows the master of ${key}`);
  };
  return {
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`),
    nodes,
    masterOf,
    async kill(port) {
      alive.delete(port);
      await nodes.find((n) => n.port === port)!.redis.kill();
    },
    async waitForNewMaster(key, oldPort, ms = 30_000) {
      const t0 = Date.now();
      const port = await until(`a new master for ${key}`, ms, async () => {
        const p = await masterOf(key);
        if (p === oldPort) return undefined;
        const ci = (await ask(p, (r) => r.call('CLUSTER', 'INFO'))) as string;
        return field(ci, 'cluster_state') === 'ok' && field(await info(p, 'replication'), 'role') === 'master' ? p : undefined;
      });
      return { port, ms: Date.now() - t0 };
    },
    stop,
  };
}
