import { Redis, Cluster } from 'ioredis';
import type { HasfConfig } from '../config/index.ts';

const hostPort = (s: string) => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
};

/**
 * A new Redis connection as configured: single server, Sentinel or Cluster.
 * `forBullmq` sets maxRetriesPerRequest: null, which BullMQ's blocking workers require.
 */
export function connectRedis(cfg: HasfConfig['redis'], opts: { forBullmq?: boolean; name?: string } = {}): Redis {
  const common = {
    maxRetriesPerRequest: opts.forBullmq ? null : 3,
    connectionName: opts.name,
    enableOfflineQueue: true,
    // Concurrent requests' commands share one write to Redis (not for BullMQ's blocking connections).
    enableAutoPipelining: !opts.forBullmq,
  };
  if (cfg.cluster) {
    // ioredis' Cluster speaks the same commands; callers type it as Redis.
    return new Cluster(cfg.cluster.map(hostPort), { redisOptions: common }) as unknown as Redis;
  }
  if (cfg.sentinel) {
    return new Redis({ ...common, sentinels: cfg.sentinel.sentinels.map(hostPort), name: cfg.sentinel.name, password: cfg.sentinel.password });
  }
  return new Redis(cfg.url, common);
}
