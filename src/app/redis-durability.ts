import type { Redis } from 'ioredis';
import type { HasfConfig } from '../config/index.ts';
import { HasfError } from '../errors/index.ts';

/**
 * What HASF needs from Redis so that nothing it accepted is lost:
 * - persistence: AOF with `appendfsync always` (a restart keeps every acknowledged write);
 * - no eviction (`maxmemory-policy noeviction`);
 * - with Sentinel or Cluster, at least `redis.replicas` replicas online, because HASF
 *   WAITs for them after accepting a job or a decision and after each audit append: a
 *   failover promotes a replica that already holds those writes.
 */

/** Run `fn` on the node that serves HASF's keys (on Redis Cluster: the master of the prefix's hash slot). */
async function onHasfNode<T>(redis: Redis, key: string, cmd: string, args: (string | number)[]): Promise<T> {
  if ((redis as unknown as { isCluster?: boolean }).isCluster) {
    // A cluster pipeline goes to the node of its keyed command; keyless commands ride along.
    const res = await redis.pipeline().exists(key).call(cmd, ...args).exec();
    const [err, value] = res![1]!;
    if (err) throw err;
    return value as T;
  }
  return (await redis.call(cmd, ...args)) as T;
}

const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();

/** Replicas of the node that are online (not still syncing), from INFO replication. */
export function onlineReplicas(info: string): number {
  return [...info.matchAll(/^slave\d+:(.*)$/gm)].filter((m) => /state=online/.test(m[1]!)).length;
}

/** The replica count WAIT asks for: redis.replicas, else 1 with Sentinel or Cluster and 0 for one server. */
export function wantedReplicas(cfg: HasfConfig['redis']): number {
  return cfg.replicas ?? (cfg.sentinel || cfg.cluster ? 1 : 0);
}

/**
 * WAIT for replicas after a write HASF acknowledges. Asks for `redis.replicas` (capped at
 * the replicas online now: with none left after a failover there is no replica a second
 * failover could promote, and the primary's AOF holds the write). Throws REDIS_UNAVAILABLE
 * when the online replicas don't confirm within `redis.replicaTimeoutMs`: the caller then
 * does not acknowledge (an API request fails with 503, a job step is retried).
 */
export class ReplicaConfirm {
  private online = -1;
  private checkedAt = 0;
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly o: { replicas: number; timeoutMs: number; key: string; log?: (line: string) => void },
  ) {}

  /** Wait until the writes made so far on this connection are on enough replicas. */
  async confirm(): Promise<void> {
    if (this.o.replicas <= 0) return;
    let want = await this.wanted(false);
    if (want === 0) return;
    let acked = await this.wait(want);
    if (acked >= want) return;
    // Fewer than asked: maybe a replica went, or this is a new primary after a failover
    // (the count was the old one's). Count again and ask for what is there.
    want = await this.wanted(true);
    if (acked >= want) return;
    acked = await this.wait(want);
    if (acked < want) {
      throw new HasfError('REDIS_UNAVAILABLE', `Redis wrote it but only ${acked} of ${want} replica(s) confirmed within ${this.o.timeoutMs} ms, so a failover could lose it; retry shortly (check the replicas: INFO replication).`, { acked, want });
    }
  }

  private wait(n: number): Promise<number> {
    return onHasfNode<number>(this.redis, this.o.key, 'WAIT', [n, this.o.timeoutMs]);
  }

  /** How many replicas to WAIT for now (0: none online; said once until one is back). */
  private async wanted(fresh: boolean): Promise<number> {
    const want = Math.min(this.o.replicas, await this.replicasOnline(fresh));
    if (want === 0 && !this.warned) this.o.log?.('[redis] no replica online: writes are durable on the primary only (AOF) until one is back');
    this.warned = want === 0;
    return want;
  }

  private async replicasOnline(fresh: boolean): Promise<number> {
    if (!fresh && this.online >= 0 && Date.now() - this.checkedAt < 2000) return this.online;
    this.online = onlineReplicas(await onHasfNode<string>(this.redis, this.o.key, 'INFO', ['replication']));
    this.checkedAt = Date.now();
    return this.online;
  }
}

/** One thing about a Redis that weakens HASF's guarantees. */
export interface RedisFinding {
  /** warning: a guarantee is weaker than HASF needs; note: works as designed, with a limit worth knowing. */
  severity: 'warning' | 'note';
  /** Config key the finding is about (redis.conf directive names in the text). */
  key: string;
  problem: string;
  fix: string;
}

/** What Redis says about its durability, and what falls short of what HASF needs. */
export interface RedisDurability {
  role: string;
  aof: boolean;
  /** appendfsync, when CONFIG GET is allowed (managed Redis often renames it away). */
  fsync?: string;
  maxmemoryPolicy?: string;
  replicasOnline: number;
  replicasWanted: number;
  findings: RedisFinding[];
}

/**
 * Ask Redis (the node holding HASF's keys) about persistence and replication, and list
 * what falls short. Used at start-up of `hasf serve`/`hasf worker` (printed as warnings)
 * and by `hasf config check`.
 */
export async function inspectRedisDurability(redis: Redis, cfg: HasfConfig['redis']): Promise<RedisDurability> {
  const key = `${cfg.prefix}:alive`;
  const info = (section: string) => onHasfNode<string>(redis, key, 'INFO', [section]);
  const [persistence, replication, memory] = await Promise.all([info('persistence'), info('replication'), info('memory')]);
  let fsync: string | undefined;
  try {
    const r = await onHasfNode<string[]>(redis, key, 'CONFIG', ['GET', 'appendfsync']);
    fsync = r[1];
  } catch {
    // CONFIG is disabled here: the fsync policy can't be read, only AOF on/off from INFO.
  }
  const d: RedisDurability = {
    role: field(replication, 'role') ?? 'unknown',
    aof: field(persistence, 'aof_enabled') === '1',
    fsync,
    maxmemoryPolicy: field(memory, 'maxmemory_policy'),
    replicasOnline: onlineReplicas(replication),
    replicasWanted: wantedReplicas(cfg),
    findings: [],
  };
  if (!d.aof) {
    d.findings.push({ severity: 'warning', key: 'redis.url', problem: 'Redis runs without AOF: jobs, approvals and audit records written since the last snapshot are lost when it restarts', fix: 'set appendonly yes and appendfsync always (deploy/redis.conf).' });
  } else if (fsync && fsync !== 'always') {
    d.findings.push({ severity: 'warning', key: 'redis.url', problem: `Redis fsyncs its AOF "${fsync}", not always: up to a second of acknowledged writes is lost in a crash`, fix: 'set appendfsync always (deploy/redis.conf).' });
  }
  if (d.maxmemoryPolicy && d.maxmemoryPolicy !== 'noeviction') {
    d.findings.push({ severity: 'warning', key: 'redis.url', problem: `Redis evicts keys when full (maxmemory-policy ${d.maxmemoryPolicy}): a job record, a line or an audit entry could silently vanish`, fix: 'set maxmemory-policy noeviction.' });
  }
  if (d.role !== 'master') {
    d.findings.push({ severity: 'warning', key: cfg.sentinel ? 'redis.sentinel' : cfg.cluster ? 'redis.cluster' : 'redis.url', problem: `the Redis HASF writes to is a ${d.role}, not a primary`, fix: 'point HASF at the primary (or at the sentinels / cluster seeds).' });
  }
  if (d.replicasWanted > 0 && d.replicasOnline < d.replicasWanted) {
    d.findings.push({ severity: 'warning', key: 'redis.replicas', problem: `${d.replicasOnline} replica(s) online, ${d.replicasWanted} wanted: until there are, writes are confirmed by fewer replicas and a failover can lose the last of them`, fix: 'start or repair the replicas (INFO replication on the primary), or lower redis.replicas.' });
  }
  if (!cfg.sentinel && !cfg.cluster && d.replicasWanted === 0) {
    d.findings.push({ severity: 'note', key: 'redis.url', problem: 'one Redis without failover: HASF waits while it is down and nothing accepted is lost (AOF), but nothing runs until it is back', fix: 'for high availability use Redis Sentinel (redis.sentinel) or Redis Cluster (redis.cluster); see deploy/docker-compose.sentinel.yml.' });
  }
  return d;
}
