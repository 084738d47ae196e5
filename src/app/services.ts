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
  /** A fresh connection for subscribers / BullMQ workers. */
  newRedis(opts?: { forBullmq?: boolean; name?: string }): Redis;
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
  const redis = connectRedis(config.redis, { name: 'hasf' });
  // The process environment is read here, at the edge: the SSH library takes options only.
  const pool = new SshPool({ ...config.ssh, agent: process.env.SSH_AUTH_SOCK });
  const access = new ClusterAccess({ clusters: config.clusters, storage: config.storage }, pool);
  const store = new JobStore(redis, prefix);
  const queuesConn = connectRedis(config.redis, { forBullmq: true, name: 'hasf-queues' });
  const queues = new QueueSet(queuesConn, prefix);
  const lines = new TargetLines(redis, prefix);
  const events = new EventPublisher(redis, prefix);
  const audit = new AuditLog({ redis, key: config.audit.key, streamKey: `${prefix}:audit`, fileSink: config.audit.file });
  const directory = new Directory({
    people: config.people,
    slackUserGroups: config.slackUserGroups,
    watchGroups: policyGroups(config.approvals),
    groupMembers: opts.groupMembers,
  });
  const tokens = new TokenStore({ redis, prefix: `${prefix}:` });
  const auth = new Authenticator({ directory, tokens });
  const jobs = new JobService({ store, queues, lines, events, audit, access, approvals: config.approvals });
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
    newRedis(o = {}) {
      const r = connectRedis(config.redis, o);
      extra.push(r);
      return r;
    },
    async close() {
      await queues.close();
      // BullMQ leaves a connection it was handed open; without this it reconnects forever.
      queuesConn.disconnect();
      await audit.close();
      await pool.close();
      for (const r of extra) r.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
