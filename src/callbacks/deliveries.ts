import type { Redis } from 'ioredis';
import type { JobState } from '../jobs/types.ts';

/** One attempt to deliver a callback, as listed on the job. */
export interface DeliveryAttempt {
  delivery: string;
  event: string;
  state: JobState;
  attempt: number;
  at: string;
  status: number | null;
  error?: string;
  /** No retry follows: delivered, or given up. */
  final?: boolean;
}

/** Most attempts kept per job (the oldest are dropped). */
const KEEP = 200;

/**
 * The delivery log of each job, a Redis list beside the job hash
 * (`<prefix>:job:<id>:callbacks`), read by GET /v1/jobs/{id}.
 */
export class DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(jobId: string) {
    return `${this.prefix}:job:${jobId}:callbacks`;
  }

  /** Append one attempt. */
  async record(jobId: string, a: DeliveryAttempt): Promise<void> {
    await this.redis.multi().rpush(this.key(jobId), JSON.stringify(a)).ltrim(this.key(jobId), -KEEP, -1).exec();
  }

  /** Attempts of a job, oldest first. */
  async list(jobId: string): Promise<DeliveryAttempt[]> {
    return (await this.redis.lrange(this.key(jobId), 0, -1)).map((s) => JSON.parse(s) as DeliveryAttempt);
  }
}
