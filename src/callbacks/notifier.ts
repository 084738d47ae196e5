import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Services } from '../app/services.ts';
import { isHasfError } from '../errors/index.ts';
import { redact } from '../audit/index.ts';
import { callbackOutboxKey } from '../jobs/store.ts';
import { FINAL_STATES, type JobState } from '../jobs/types.ts';
import { jobPageUrl } from '../jobs/links.ts';
import { OutboxConsumer, type OwedChange } from './outbox.ts';
import { CALLBACKS_QUEUE } from '../queue/queues.ts';
import { checkCallbackUrl } from './allowed.ts';
import { DeliveryLog } from './deliveries.ts';
import { signDelivery } from './sign.ts';

/** Options of the callback notifier; the defaults are the production behaviour. */
export interface NotifierOptions {
  /** First retry delay; doubles each attempt. Default 1000 ms. */
  baseDelayMs?: number;
  /** Longest delay between two attempts. Default 30 min. */
  maxDelayMs?: number;
  /** Give up when the next attempt would start later than this after the event. Default 24 h. */
  maxAgeMs?: number;
  /** Per-attempt timeout of the HTTP request. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries in flight at once. Default 8. */
  concurrency?: number;
  /** Background errors; default console.error. */
  onError?: (err: Error) => void;
  /** How long a read of the outbox waits for new changes, ms. Default 1000 (also how fast close() returns). */
  pollMs?: number;
  /** Changes another notifier took but never queued for this long are taken over (it died). Default 30 s. */
  claimIdleMs?: number;
}

/** What a queued delivery carries: the body is fixed when the event happens, so retries resend it byte for byte. */
interface DeliveryData {
  jobId: string;
  url: string;
  body: string;
  delivery: string;
  state: JobState;
  firstAt: number;
}

const EVENT = 'job.state';

/** Delay before retry number `attemptsMade` (1-based): base·2^(n−1), capped. */
export function backoffDelay(attemptsMade: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * POST each state change of a job that has a callbackUrl, signed, through the BullMQ
 * queue 'callbacks'. The changes come from the callback outbox, which the job store
 * writes in the same step as each state change, so none is lost while no notifier runs:
 * the next one to start delivers it. The delivery id is `<jobId>-<state>` and is the
 * BullMQ job id too, so a change is queued once per state however many replicas run.
 */
export async function startCallbackNotifier(services: Services, opts: NotifierOptions = {}): Promise<{ close(): Promise<void> }> {
  const prefix = services.config.redis.prefix;
  const base = opts.baseDelayMs ?? 1000;
  const maxDelay = opts.maxDelayMs ?? 30 * 60_000;
  const maxAge = opts.maxAgeMs ?? 24 * 3600_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const onError = opts.onError ?? ((e: Error) => console.error(`[callbacks] ${e.message}`));
  const log = new DeliveryLog(services.redis, prefix);
  const queue = services.queues.get(CALLBACKS_QUEUE);

  const enqueue = async (e: OwedChange) => {
    const job = await services.store.get(e.jobId);
    if (!job?.callbackUrl) return;
    const delivery = `${e.jobId}-${e.state}`;
    const final = FINAL_STATES.includes(e.state);
    const pageUrl = jobPageUrl(services.config.api.publicUrl, job.id);
    const body = JSON.stringify({
      event: EVENT,
      delivery,
      jobId: e.jobId,
      state: e.state,
      ...(e.from ? { from: e.from } : {}),
      at: e.at,
      job: {
        id: job.id,
        operation: job.operation,
        cluster: job.cluster,
        state: e.state,
        requester: job.requester,
        ...(job.ticket ? { ticket: job.ticket } : {}),
        // Break-glass is flagged loudly on every event of such a job.
        ...(job.emergency ? { emergency: true, reviewPending: job.reviewPending } : {}),
        // The approver's way in from the ticket: the job's page in the web console.
        ...(pageUrl ? { url: pageUrl } : {}),
        // Secrets never leave in a callback (a result or error may quote command output).
        ...(final && job.result ? { result: redact(job.result) } : {}),
        ...(final && job.error ? { error: redact(job.error) } : {}),
      },
    });
    const data: DeliveryData = { jobId: e.jobId, url: job.callbackUrl, body, delivery, state: e.state, firstAt: Date.now() };
    await queue.add('deliver', data, {
      jobId: delivery,
      attempts: 1000, // the age limit ends retries, not the count
      backoff: { type: 'hasf' },
      removeOnComplete: { age: 86400 },
      removeOnFail: { age: 7 * 86400 },
    });
  };

  const deliver = async (job: Job<DeliveryData>) => {
    const d = job.data;
    const attempt = job.attemptsMade + 1;
    const at = new Date().toISOString();
    const record = (status: number | null, error: string | undefined, final: boolean) =>
      log.record(d.jobId, { delivery: d.delivery, event: EVENT, state: d.state, attempt, at, status, ...(error ? { error } : {}), final });
    try {
      // Checked again at delivery: the allow-list may have shrunk since the request.
      checkCallbackUrl(d.url, services.config.callbacks);
    } catch (err) {
      await record(null, (err as Error).message, true);
      throw new UnrecoverableError((err as Error).message);
    }
    const headers = signDelivery(services.config.callbacks.secret!, d.body, EVENT, d.delivery);
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'hasf-ops-callbacks/1', ...headers },
        body: d.body,
        redirect: 'manual', // a redirect could point anywhere; it counts as a failure
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`;
    }
    if (!error) return void (await record(status, undefined, true));
    const giveUp = Date.now() + backoffDelay(attempt, base, maxDelay) - d.firstAt > maxAge;
    await record(status, giveUp ? `${error}; giving up after ${attempt} attempts` : error, giveUp);
    if (giveUp) throw new UnrecoverableError(error);
    throw new Error(error);
  };

  const worker = new Worker<DeliveryData>(CALLBACKS_QUEUE, deliver, {
    connection: services.newRedis({ forBullmq: true, name: 'hasf-callbacks' }),
    prefix: `${prefix}:bull`,
    concurrency: opts.concurrency ?? 8,
    settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, base, maxDelay) },
  });
  worker.on('error', onError);
  // A connection of its own: the outbox read blocks it.
  const outboxConn = services.newRedis({ name: 'hasf-callbacks-outbox' });
  const outbox = new OutboxConsumer(outboxConn, callbackOutboxKey(prefix), { blockMs: opts.pollMs ?? 1000, claimIdleMs: opts.claimIdleMs });
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const owed = await outbox.next();
        for (const change of owed) {
          await enqueue(change);
          // Acknowledged once queued: a crash before this delivers it again (same id, queued once).
          await outbox.ack([change.id]);
        }
      } catch (err) {
        if (!running) break;
        outbox.retryOwn();
        onError(isHasfError(err) ? err : (err as Error));
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  await worker.waitUntilReady();
  return {
    async close() {
      running = false;
      await loop;
      outboxConn.disconnect();
      await worker.close();
    },
  };
}
