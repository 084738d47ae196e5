import { Queue, type ConnectionOptions } from 'bullmq';

/** BullMQ queue names. One job queue per cluster so workers can be pinned to clusters. */
export const jobQueueName = (cluster: string) => `jobs-${cluster}`;
export const TIMERS_QUEUE = 'timers';
export const CALLBACKS_QUEUE = 'callbacks';

/** Defaults for job attempts: transient failures retry with exponential backoff. */
export const JOB_ATTEMPTS = 5;
export const JOB_BACKOFF_MS = 2000;

/** The queues an API process adds to, created lazily, closed together. */
export class QueueSet {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: ConnectionOptions,
    /** BullMQ key prefix; on Redis Cluster it must carry a hash tag, e.g. '{hasf}'. */
    readonly prefix: string,
    /** A queue's background errors (a lost connection among them); without a listener BullMQ prints stack traces. */
    private readonly onError: (err: Error) => void = (e) => console.error(`[queues] ${e.message}`),
  ) {}

  /** The queue named `name`. */
  get(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: `${this.prefix}:bull` });
      q.on('error', this.onError);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Enqueue a HASF job on its cluster's queue. The BullMQ id is the HASF id: a second add is a no-op. */
  async enqueueJob(cluster: string, jobId: string): Promise<void> {
    await this.get(jobQueueName(cluster)).add(
      'run',
      { jobId },
      {
        jobId,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        removeOnComplete: { age: 7 * 86400 },
        removeOnFail: { age: 30 * 86400 },
      },
    );
  }

  /** Whether the cluster's queue still holds the job (waiting, delayed, active or kept after it ended). */
  async holds(cluster: string, jobId: string): Promise<boolean> {
    return !!(await this.get(jobQueueName(cluster)).getJob(jobId));
  }

  /** Take a job that has not started off its cluster's queue. */
  async remove(cluster: string, jobId: string): Promise<void> {
    await this.get(jobQueueName(cluster)).remove(jobId).catch(() => undefined);
  }

  /** Run delayed jobs now (they became first in their lines): they don't wait out their delay. */
  async promote(cluster: string, jobIds: string[]): Promise<void> {
    const q = this.get(jobQueueName(cluster));
    for (const id of jobIds) {
      const j = await q.getJob(id);
      if (j && (await j.isDelayed())) await j.promote().catch(() => undefined);
    }
  }

  /** Arrange for an awaiting job to be expired when its approval window closes. */
  async scheduleExpiry(jobId: string, at: Date): Promise<void> {
    await this.get(TIMERS_QUEUE).add(
      'expire',
      { jobId },
      { jobId: `expire-${jobId}`, delay: Math.max(0, at.getTime() - Date.now()), removeOnComplete: true, removeOnFail: { age: 86400 } },
    );
  }

  /** Depth of each known queue (waiting + delayed + active), for metrics. */
  async depths(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, q] of this.queues) {
      const c = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      out[name] = Object.values(c).reduce((a, b) => a + b, 0);
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
