import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Services } from '../app/services.ts';
import { jobQueueName, TIMERS_QUEUE } from './queues.ts';
import { JobRunner } from './runner.ts';

export interface WorkerOptions {
  /** Clusters to serve; default: the config's worker.clusters, or all. */
  clusters?: string[];
  concurrency?: number;
  /** Called with background errors (BullMQ's 'error' events); default: console.error. */
  onError?: (err: Error) => void;
}

/** Heartbeat key: /readyz checks a worker was seen recently. */
export const heartbeatKey = (prefix: string) => `${prefix}:workers:heartbeat`;

/** A running worker process part: BullMQ workers for the job queues and the timers queue. */
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
    workerId: id,
    wake: (cluster, ids) => s.jobs.wake(cluster, ids),
  });
  const workers: Worker[] = [];
  for (const c of clusters) {
    const w = new Worker(jobQueueName(c), (job, token) => runner.process(job, token), {
      connection: s.newRedis({ forBullmq: true, name: `hasf-worker-${c}` }),
      prefix,
      concurrency: opts.concurrency ?? cfg.concurrency,
      lockDuration: cfg.lockDurationMs,
      stalledInterval: cfg.stalledIntervalMs,
      maxStalledCount: 3,
    });
    w.on('error', onError);
    w.on('failed', (job, err) => {
      // Stalled too often or out of attempts: never leave the record in running.
      if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message))) {
        void runner.giveUp(job.data.jobId, err.message).catch(onError);
      }
    });
    workers.push(w);
  }
  const timers = new Worker(
    TIMERS_QUEUE,
    async (job) => {
      if (job.name === 'expire') await s.jobs.expire(job.data.jobId);
    },
    { connection: s.newRedis({ forBullmq: true, name: 'hasf-timers' }), prefix, concurrency: 4 },
  );
  timers.on('error', onError);
  workers.push(timers);

  const beat = async () => {
    await s.redis.hset(heartbeatKey(s.config.redis.prefix), id, String(Date.now())).catch(() => undefined);
  };
  await beat();
  const timer = setInterval(beat, 5000);
  timer.unref();

  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // Nothing accepted is lost: jobs stored but never queued (a crash in between) go back in line.
  const requeued = await s.jobs.reconcile(clusters);
  if (requeued.length) onError(new Error(`re-queued ${requeued.length} job(s) found outside the queue: ${requeued.join(', ')}`));
  return {
    id,
    clusters,
    runner,
    async close() {
      clearInterval(timer);
      // Worker.close() waits for active jobs to finish before closing.
      await Promise.all(workers.map((w) => w.close()));
      await s.redis.hdel(heartbeatKey(s.config.redis.prefix), id).catch(() => undefined);
    },
  };
}
