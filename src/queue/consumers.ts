import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { JOB_ATTEMPTS, TIMERS_QUEUE } from './queues.ts';

/** Which attempt of a job this is (1-based) and how many BullMQ allows. */
export interface Attempt {
  attempt: number;
  maxAttempts: number;
}

/**
 * What a job processor asks of the queue:
 * - `done`: the job ended (any final state) or needs nothing more;
 * - `failed`: it ended failed: the BullMQ job fails too and is never retried;
 * - `waitMs`: not its turn yet: look again after this long (it may be promoted earlier);
 * - `retry`: a transient failure: try again with exponential backoff.
 */
export type ProcessOutcome = { done: string } | { failed: string } | { waitMs: number } | { retry: Error };

/** Options of consumeJobs. */
export interface JobConsumerOptions {
  /** BullMQ queue name (one per cluster: jobQueueName()). */
  queue: string;
  connection: ConnectionOptions;
  /** BullMQ key prefix (`<redis.prefix>:bull`). */
  prefix: string;
  concurrency: number;
  /** A worker silent this long is presumed dead and its job handed to another. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Run one job, by HASF job id. A throw is retried with backoff, like `retry`. */
  process(jobId: string, attempt: Attempt): Promise<ProcessOutcome>;
  /** BullMQ gave up on a job (stalled too often, out of attempts): end its record. */
  giveUp(jobId: string, reason: string): Promise<void>;
  /** Background errors (BullMQ's 'error' events). */
  onError(err: Error): void;
}

/** A running consumer: ready once connected; close() lets active jobs finish first. */
export interface Consumer {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Serve one job queue: BullMQ transport only. Turn-taking, safety checks and the job's
 * state live with the processor; this maps its outcome onto BullMQ (delay, retry, fail).
 */
export function consumeJobs(o: JobConsumerOptions): Consumer {
  const w = new Worker(
    o.queue,
    async (job: Job<{ jobId: string }>, token?: string) => {
      const out = await o.process(job.data.jobId, { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? JOB_ATTEMPTS });
      if ('waitMs' in out) {
        await job.moveToDelayed(Date.now() + out.waitMs, token);
        throw new DelayedError();
      }
      if ('retry' in out) throw out.retry;
      if ('failed' in out) throw new UnrecoverableError(out.failed);
      return { state: out.done };
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: 3,
    },
  );
  w.on('error', o.onError);
  w.on('failed', (job, err) => {
    // Stalled too often or out of attempts: never leave the record in running.
    if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message))) {
      void o.giveUp(job.data.jobId, err.message).catch(o.onError);
    }
  });
  return w;
}

/** Serve the timers queue: each timer's name picks its handler, called with the job id. */
export function consumeTimers(o: {
  connection: ConnectionOptions;
  prefix: string;
  handlers: Record<string, (jobId: string) => Promise<unknown>>;
  onError(err: Error): void;
}): Consumer {
  const w = new Worker(
    TIMERS_QUEUE,
    async (job: Job<{ jobId: string }>) => {
      await o.handlers[job.name]?.(job.data.jobId);
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 4 },
  );
  w.on('error', o.onError);
  return w;
}
