import { Redis, Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { HasfConfig } from '../config/index.ts';
import type { RedisHealth } from './redis-health.ts';

const hostPort = (s: string) => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
};

/** Delay before reconnect attempt `times`: quick at first, then every second (a promoted replica is found within a second). */
export const reconnectDelay = (times: number): number => baseDelay(times) + Math.floor(Math.random() * 100);
const baseDelay = (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 4), 1000);

/** Reconnect attempts that add up to at least `ms` of waiting: ioredis' maxRetriesPerRequest for an outage of `ms`. */
export function attemptsFor(ms: number): number {
  let n = 0;
  for (let waited = 0; waited < ms; waited += baseDelay(++n));
  return n;
}

/** Options of {@link connectRedis}. */
export interface ConnectOptions {
  /** A connection BullMQ uses (its blocking worker commands must wait as long as they like). */
  forBullmq?: boolean;
  /** CLIENT SETNAME, to find HASF's connections in CLIENT LIST. */
  name?: string;
  /** Told when the connection goes away and comes back (one line each per process). */
  health?: RedisHealth;
}

/**
 * A new Redis connection as configured: single server, Sentinel or Cluster, made to ride
 * out a failover. Commands issued while Redis is away wait (offline queue) and commands
 * in flight when it went are sent again once it is back, through the reconnect attempts
 * of `redis.outageTimeoutMs`; only then do they fail (ioredis' MaxRetriesPerRequestError).
 * Counting attempts rather than a per-command timer: ioredis leaves a timed command that
 * was queued when the connection is closed mid-outage pending, and its timer would hold
 * a stopping process for the whole timeout. Reconnects are quick (a promoted replica is
 * found within a second; Sentinel's +switch-master triggers one at once). The connection
 * always has an error listener, so ioredis never prints "Unhandled error event" stack
 * traces; `health` reports the outage instead.
 */
export function connectRedis(cfg: HasfConfig['redis'], opts: ConnectOptions = {}): Redis {
  const outageMs = cfg.outageTimeoutMs ?? 60_000;
  const common: RedisOptions = {
    // BullMQ's blocking workers require null (wait forever); every other command gives up after the outage budget.
    maxRetriesPerRequest: opts.forBullmq ? null : attemptsFor(outageMs),
    connectionName: opts.name,
    enableOfflineQueue: true,
    // Concurrent requests' commands share one write to Redis (not for BullMQ's blocking connections).
    enableAutoPipelining: !opts.forBullmq,
    retryStrategy: reconnectDelay,
    connectTimeout: 5000,
  };
  let conn: Redis;
  if (cfg.cluster) {
    // A command for a slot whose master is gone is retried every retryDelayOnFailover ms
    // until a replica takes over; each retry spends one redirection.
    const retryMs = 200;
    const clusterOpts: ClusterOptions = {
      redisOptions: common,
      enableOfflineQueue: true,
      retryDelayOnFailover: retryMs,
      retryDelayOnClusterDown: retryMs,
      retryDelayOnTryAgain: retryMs,
      maxRedirections: Math.max(16, Math.ceil(outageMs / retryMs)),
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: 2000,
    };
    // ioredis' Cluster speaks the same commands; callers type it as Redis.
    conn = new Cluster(cfg.cluster.map(hostPort), clusterOpts) as unknown as Redis;
  } else if (cfg.sentinel) {
    conn = new Redis({
      ...common,
      sentinels: cfg.sentinel.sentinels.map(hostPort),
      name: cfg.sentinel.name,
      password: cfg.sentinel.password,
      // Subscribe to the sentinels' +switch-master: reconnect to the new primary at once.
      failoverDetector: true,
      sentinelRetryStrategy: reconnectDelay,
    });
  } else {
    conn = new Redis(cfg.url, common);
  }
  if (opts.health) opts.health.watch(conn, opts.name ?? 'redis');
  else conn.on('error', () => undefined);
  return conn;
}
