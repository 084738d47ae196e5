import type { Redis } from 'ioredis';
import { policyGroups } from '../approvals/index.ts';
import { AuditLog } from '../audit/index.ts';
import { Authenticator, Directory, TokenStore } from '../auth/index.ts';
import type { HasfConfig } from '../config/index.ts';
import { HasfError } from '../errors/index.ts';
import { ClusterAccess } from '../jobs/cluster-access.ts';
import { JobService } from '../jobs/service.ts';
import { JobStore } from '../jobs/store.ts';
import { EventPublisher } from '../jobs/events.ts';
import { TargetLines } from '../queue/lines.ts';
import { QueueSet } from '../queue/queues.ts';
import { SshPool } from '../ssh/index.ts';
import { connectRedis } from './redis.ts';
import { inspectRedisDurability, ReplicaConfirm, wantedReplicas, type RedisDurability } from './redis-durability.ts';
import { RedisHealth } from './redis-health.ts';

/** QUIT (pending replies first), but never wait on a Redis that is away: then just drop the connection. */
async function closeRedis(conn: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([conn.quit().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 1000)))]);
  clearTimeout(timer);
  conn.disconnect();
}

/** Everything a door or a worker needs, built once from the configuration. */
export interface Services {
  config: HasfConfig;
  redis: Redis;
  pool: SshPool;
  access: ClusterAccess;
  store: JobStore;
  queues: QueueSet;
  lines: TargetLines;
  events: EventPublisher;
  audit: AuditLog;
  directory: Directory;
  tokens: TokenStore;
  auth: Authenticator;
  jobs: JobService;
  /** Redis as this process sees it: one line when it goes away, one when it is back; 'down'/'up' events. */
  health: RedisHealth;
  /** A fresh connection for subscribers / BullMQ workers (watched by `health`). */
  newRedis(opts?: { forBullmq?: boolean; name?: string }): Redis;
  /**
   * Ask Redis about persistence and replication and log what falls short of what HASF
   * needs (AOF with fsync always, no eviction, the replicas WAIT asks for). Start-up of
   * `hasf serve` and `hasf worker`; never throws (an unreachable Redis is waited for).
   */
  checkRedis(log?: (line: string) => void): Promise<RedisDurability | undefined>;
  close(): Promise<void>;
}

/**
 * Build the services of one process. Slack group membership lookups can be plugged in
 * later (the Slack door sets them); without them, groups grant nothing.
 */
export function createServices(config: HasfConfig, opts: { groupMembers?: (groupId: string) => Promise<string[]> } = {}): Services {
  if (!config.audit.key) {
    throw new HasfError('CONFIG_INVALID', 'audit.key is not set: the audit log needs an HMAC key of at least 16 characters; set HASF_AUDIT_KEY or audit.key.', {});
  }
  const prefix = config.redis.prefix;
  const health = new RedisHealth(undefined, `${prefix}:alive`);
  // The first connection watched is the one health probes for recovery.
  const redis = connectRedis(config.redis, { name: 'hasf', health });
  const replicaWait = (conn: Redis) =>
    new ReplicaConfirm(conn, { replicas: wantedReplicas(config.redis), timeoutMs: config.redis.replicaTimeoutMs, key: `${prefix}:alive`, log: (l) => console.error(l) });
  // The process environment is read here, at the edge: the SSH library takes options only.
  const pool = new SshPool({ ...config.ssh, agent: process.env.SSH_AUTH_SOCK });
  const access = new ClusterAccess({ clusters: config.clusters, storage: config.storage }, pool, { rolling: config.rolling });
  const store = new JobStore(redis, prefix);
  const queuesConn = connectRedis(config.redis, { forBullmq: true, name: 'hasf-queues', health });
  const queues = new QueueSet(queuesConn, prefix, (e) => health.noteError(e, 'queues'));
  const lines = new TargetLines(redis, prefix);
  const events = new EventPublisher(redis, prefix);
  // The audit log has a connection of its own: its WAIT after each append holds only it.
  const auditRedis = connectRedis(config.redis, { name: 'hasf-audit', health });
  const auditConfirm = replicaWait(auditRedis);
  const audit = new AuditLog({
    redis: auditRedis,
    key: config.audit.key,
    streamKey: `${prefix}:audit`,
    fileSink: config.audit.file,
    anchorDir: config.audit.anchorDir,
    // An append waits out a failover like every other command, then fails closed.
    timeoutMs: config.redis.outageTimeoutMs,
    confirm: () => auditConfirm.confirm(),
  });
  const directory = new Directory({
    people: config.people,
    slackUserGroups: config.slackUserGroups,
    watchGroups: policyGroups(config.approvals),
    groupMembers: opts.groupMembers,
  });
  const tokens = new TokenStore({ redis, prefix: `${prefix}:` });
  const auth = new Authenticator({ directory, tokens });
  const jobsConfirm = replicaWait(redis);
  const jobs = new JobService({ store, queues, lines, events, audit, access, approvals: config.approvals, confirm: () => jobsConfirm.confirm() });
  const extra: Redis[] = [];
  return {
    config,
    redis,
    pool,
    access,
    store,
    queues,
    lines,
    events,
    audit,
    directory,
    tokens,
    auth,
    jobs,
    health,
    newRedis(o = {}) {
      const r = connectRedis(config.redis, { ...o, health });
      extra.push(r);
      return r;
    },
    async checkRedis(log = (l: string) => console.error(l)) {
      try {
        const d = await inspectRedisDurability(redis, config.redis);
        for (const f of d.findings) if (f.severity === 'warning') log(`[redis] warning: ${f.problem}; ${f.fix}`);
        return d;
      } catch (err) {
        log(`[redis] could not check persistence and replication: ${(err as Error).message}`);
        return undefined;
      }
    },
    async close() {
      health.close();
      await queues.close();
      // BullMQ leaves a connection it was handed open; without this it reconnects forever.
      queuesConn.disconnect();
      await audit.close();
      await pool.close();
      for (const r of extra) r.disconnect();
      await Promise.all([closeRedis(auditRedis), closeRedis(redis)]);
    },
  };
}
