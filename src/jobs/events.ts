import type { Redis } from 'ioredis';
import type { JobState, StepRecord } from './types.ts';

/** One progress event: every state change, step and decision of a job. */
export type JobEvent =
  | { type: 'state'; jobId: string; state: JobState; from?: JobState; at: string; error?: { code: string; message: string } }
  | { type: 'step'; jobId: string; step: StepRecord }
  | { type: 'phase'; jobId: string; phase: string; at: string }
  /** An operator asked for a pause, resume or abort (obeyed at the job's next pause point). */
  | { type: 'control'; jobId: string; action: 'pause' | 'resume' | 'abort'; by: string; at: string }
  | { type: 'approval'; jobId: string; person: string; decision: 'approve' | 'reject'; counted: number; needed: number; at: string };

/** The pub/sub channel events go to. */
export const eventsChannel = (prefix: string) => `${prefix}:events`;

/**
 * Publishes job events on Redis pub/sub so Slack messages, CLI --follow and callbacks can
 * follow a job live. Followers read the job record first, then apply events: nothing is
 * lost that the record does not also hold.
 */
export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hasf',
  ) {}

  /** Publish one event (best effort: the record in Redis is the truth). */
  async publish(e: JobEvent): Promise<void> {
    await this.redis.publish(eventsChannel(this.prefix), JSON.stringify(e)).catch(() => undefined);
  }
}

/**
 * Subscribe to job events on a dedicated connection (a subscribed ioredis connection
 * can't run other commands). Returns a function that unsubscribes and closes it.
 */
export async function subscribeEvents(
  connection: Redis,
  prefix: string,
  onEvent: (e: JobEvent) => void,
): Promise<() => Promise<void>> {
  const channel = eventsChannel(prefix);
  connection.on('message', (ch: string, msg: string) => {
    if (ch !== channel) return;
    try {
      onEvent(JSON.parse(msg) as JobEvent);
    } catch {
      /* a malformed event is ignored; the record is the truth */
    }
  });
  await connection.subscribe(channel);
  return async () => {
    await connection.unsubscribe(channel).catch(() => undefined);
    connection.disconnect();
  };
}
