import { z } from 'zod';
import { approvalsConfigSchema, durationSchema, POLICY_OPERATIONS } from '../approvals/index.ts';
import { personSchema, slackUserGroupSchema } from '../auth/index.ts';
import { clusterSchema, storageTargetSchema } from './inventory.ts';
import { rollingSchema } from './rolling.ts';

const listen = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8080');

/** Redis: one server, Sentinel, or Redis Cluster (same code, chosen here). */
export const redisSchema = z
  .object({
    /** redis://[:password@]host:port[/db] for a single server. */
    url: z.string().default('redis://127.0.0.1:6379'),
    /** Sentinel: { name, sentinels: [host:port, …] } — the master is discovered. */
    sentinel: z.object({ name: z.string(), sentinels: z.array(listen).min(1), password: z.string().optional() }).strict().optional(),
    /** Redis Cluster seed nodes host:port. The prefix must then carry a hash tag, e.g. "{hasf}". */
    cluster: z.array(listen).min(1).optional(),
    /** Key prefix of every HASF key and BullMQ queue. */
    prefix: z.string().regex(/^[A-Za-z0-9:{}_-]{1,32}$/).default('hasf'),
    /**
     * How long commands wait for Redis to come back (a failover, a restart) before they
     * fail. Keep it above the failover time: Sentinel's down-after-milliseconds plus the
     * election, or Cluster's cluster-node-timeout plus the election.
     */
    outageTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    /** Replicas that must confirm (WAIT) each accepted job or decision and each audit record. Default 1 with sentinel/cluster, 0 for one server. */
    replicas: z.number().int().min(0).max(10).optional(),
    /** How long to wait for those replicas before refusing to acknowledge (REDIS_UNAVAILABLE, retried). */
    replicaTimeoutMs: z.number().int().min(100).max(60_000).default(2000),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.cluster && !/\{.+\}/.test(r.prefix)) {
      ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'with redis.cluster the prefix needs a hash tag such as "{hasf}" so BullMQ scripts keep their keys in one slot' });
    }
  });

/** The whole configuration file (hasf.yaml). Environment variables override secrets and addresses. */
export const configSchema = z
  .object({
    redis: redisSchema.default({}),
    /** Path of an inventory file (clusters and storage), e.g. the lab's; merged with the inline lists. */
    inventoryFile: z.string().optional(),
    clusters: z.array(clusterSchema).default([]),
    storage: z.array(storageTargetSchema).default([]),
    people: z.array(personSchema).default([]),
    slackUserGroups: z.array(slackUserGroupSchema).default([]),
    approvals: approvalsConfigSchema.default({}),
    /** cluster.rolling: named maintenance tasks (argv lists), the clean reboot command, timeouts. */
    rolling: rollingSchema.default({}),
    audit: z
      .object({
        /** HMAC key (>= 16 characters); better from HASF_AUDIT_KEY. Never stored in Redis. */
        key: z.string().min(16).optional(),
        /** Second sink: JSONL file written with fsync (one per process, or shared by the processes of one host). */
        file: z.string().optional(),
        /**
         * A directory all processes share (one volume mounted by every API replica and
         * worker): each copies the chain head there, and none appends on a Redis head
         * behind it, so the newest records can't be dropped unseen.
         */
        anchorDir: z.string().optional(),
      })
      .strict()
      .default({}),
    api: z
      .object({
        listen: listen.default('127.0.0.1:8080'),
        /** Public base URL used in Location headers and Slack links. */
        publicUrl: z.string().url().optional(),
        /** Requests per minute per token (429 beyond). */
        rateLimitPerMinute: z.number().int().positive().default(600),
        /** Serve the BullMQ dashboard at /admin/queues (admins only). */
        dashboard: z.boolean().default(true),
        /**
         * Express's "trust proxy" when a TLS-terminating proxy sits in front: true, a hop
         * count, or addresses/subnets (e.g. "loopback", "10.0.0.0/8"). Then the client's
         * address and X-Forwarded-Proto count (rate limits, audit, Secure console cookies).
         */
        trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string().min(1)]).default(false),
        /** /metrics: `none` (open, for a scraper on a trusted network) or `token` (a bearer token with read access). */
        metricsAuth: z.enum(['none', 'token']).default('none'),
      })
      .strict()
      .default({}),
    ui: z
      .object({
        /** Serve the web console under /ui/. */
        enabled: z.boolean().default(true),
        /** A console session ends after this many minutes without a request. */
        sessionIdleMinutes: z.number().int().min(1).max(24 * 60).default(30),
        /** …and this many hours after sign-in at the latest (or when its token expires or is revoked). */
        sessionMaxHours: z.number().int().min(1).max(7 * 24).default(12),
        /** How often an open cluster picture re-reads the cluster's status (seconds). */
        refreshSeconds: z.number().int().min(1).max(600).default(5),
        /** How often an open cluster picture runs cluster.check for its health findings (seconds). */
        checkSeconds: z.number().int().min(10).max(3600).default(60),
      })
      .strict()
      .default({}),
    slack: z
      .object({
        enabled: z.boolean().default(false),
        /** http: events at /slack/events on the API server; socket: Socket Mode (no inbound connection). */
        mode: z.enum(['http', 'socket']).default('http'),
        signingSecret: z.string().optional(),
        botToken: z.string().optional(),
        appToken: z.string().optional(),
        /** Channel id where approval requests are posted. */
        approvalsChannel: z.string().optional(),
        /** Override of the Slack Web API base URL (tests point it at a local recorder). */
        apiUrl: z.string().url().optional(),
      })
      .strict()
      .default({}),
    callbacks: z
      .object({
        /** Hosts (exact, or *.suffix) callbackUrl may point at; empty: callbacks refused. */
        allowedHosts: z.array(z.string()).default([]),
        /** HMAC key for X-HASF-Signature; better from HASF_CALLBACK_SECRET. */
        secret: z.string().optional(),
        /** Allow http:// (not https) callback URLs, e.g. for loopback tests. */
        allowHttp: z.boolean().default(false),
      })
      .strict()
      .default({}),
    worker: z
      .object({
        /** Jobs run at once per worker process (different targets only: lines keep one per object). */
        concurrency: z.number().int().min(1).max(64).default(4),
        /** Clusters this worker serves; empty: all. */
        clusters: z.array(z.string()).default([]),
        /** BullMQ lock duration; a worker silent this long is presumed dead and its job retried elsewhere. */
        lockDurationMs: z.number().int().min(1000).default(30_000),
        stalledIntervalMs: z.number().int().min(1000).default(30_000),
        /**
         * How long a job of an operation may run before it is stopped with JOB_TIMEOUT (its
         * running command killed), e.g. { vm.migrate: 45m } for VMs with a lot of memory;
         * default: the operation's own (vm.migrate 10m, node.fence 15m, …).
         */
        timeouts: z.record(z.enum(POLICY_OPERATIONS as [string, ...string[]]), durationSchema).default({}),
      })
      .strict()
      .default({}),
    ssh: z
      .object({
        idleMs: z.number().int().positive().optional(),
        connectTimeoutMs: z.number().int().positive().optional(),
        connectAttempts: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type HasfConfig = z.infer<typeof configSchema>;
export type HasfConfigInput = z.input<typeof configSchema>;
