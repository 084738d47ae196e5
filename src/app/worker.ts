import { hostname } from 'node:os';
import { JobRunner } from '../jobs/runner.ts';
import { consumeJobs, consumeTimers, type Consumer } from '../queue/consumers.ts';
import { jobQueueName } from '../queue/queues.ts';
import type { Services } from './services.ts';

export interface WorkerOptions {
  /** Clusters to serve; default: the config's worker.clusters, or all. */
  clusters?: string[];
  concurrency?: number;
  /** Called with background errors (BullMQ's 'error' events); default: console.error. */
  onError?: (err: Error) => void;
}

/** Heartbeat key: /readyz checks a worker was seen recently. */
export const heartbeatKey = (prefix: string) => `${prefix}:workers:heartbeat`;

/** A running worker process part: consumers of the job queues and of the timers queue. */
export interface RunningWorker {
  id: string;
  clusters: string[];
  runner: JobRunner;
  /** Let running jobs finish, then stop taking new ones and close connections. */
  close(): Promise<void>;
}

/**
 * Start serving jobs. Workers of several processes share the queues; each job runs on
 * one of them at a time (BullMQ's lock), and its turn on its targets is kept by the
 * lines in Redis.
 */
export async function startWorker(s: Services, opts: WorkerOptions = {}): Promise<RunningWorker> {
  const cfg = s.config.worker;
  const clusters = opts.clusters?.length ? opts.clusters : cfg.clusters.length ? cfg.clusters : s.access.clusters();
  for (const c of clusters) s.access.cluster(c); // UNKNOWN_CLUSTER early
  const id = `worker:${hostname()}:${process.pid}`;
  const onError = opts.onError ?? ((e: Error) => console.error(`[worker] ${e.message}`));
  const prefix = `${s.config.redis.prefix}:bull`;
  const runner = new JobRunner({
    store: s.store,
    lines: s.lines,
    events: s.events,
    audit: s.audit,
    access: s.access,
    machine: s.jobs.machine,
    workerId: id,
    freezes: s.config.approvals.freezes,
    timeouts: cfg.timeouts,
  });
  const consumers: Consumer[] = clusters.map((c) =>
    consumeJobs({
      queue: jobQueueName(c),
      connection: s.newRedis({ forBullmq: true, name: `hasf-worker-${c}` }),
      prefix,
      concurrency: opts.concurrency ?? cfg.concurrency,
      lockDurationMs: cfg.lockDurationMs,
      stalledIntervalMs: cfg.stalledIntervalMs,
      process: (jobId, attempt) => runner.process(jobId, attempt),
      giveUp: (jobId, reason) => runner.giveUp(jobId, reason),
      onError,
    }),
  );
  consumers.push(
    consumeTimers({
      connection: s.newRedis({ forBullmq: true, name: 'hasf-timers' }),
      prefix,
      handlers: { expire: (jobId) => s.jobs.expire(jobId) },
      onError,
    }),
  );

  const beat = async () => {
    await s.redis.hset(heartbeatKey(s.config.redis.prefix), id, String(Date.now())).catch(() => undefined);
  };
  await beat();
  const timer = setInterval(beat, 5000);
  timer.unref();

  await Promise.all(consumers.map((w) => w.waitUntilReady()));
  // Nothing accepted is lost: jobs stored but never queued (a crash in between) go back in line.
  const requeued = await s.jobs.reconcile(clusters);
  if (requeued.length) onError(new Error(`re-queued ${requeued.length} job(s) found outside the queue: ${requeued.join(', ')}`));
  return {
    id,
    clusters,
    runner,
    async close() {
      clearInterval(timer);
      // A consumer's close() waits for its active jobs to finish first.
      await Promise.all(consumers.map((w) => w.close()));
      await s.redis.hdel(heartbeatKey(s.config.redis.prefix), id).catch(() => undefined);
    },
  };
}
