import { HasfError, isHasfError, isTransient } from '../errors/index.ts';
import { getOperation } from '../operations/index.ts';
import type { ExecutionContext } from '../operations/types.ts';
import type { Attempt, ProcessOutcome } from '../queue/consumers.ts';
import type { TargetLines } from '../queue/lines.ts';
import { sleep } from '../util/wait.ts';
import { AuditedExecutor } from './audited-executor.ts';
import type { ClusterAccess } from './cluster-access.ts';
import type { EventPublisher } from './events.ts';
import type { Actor, AuditWriter } from './ports.ts';
import type { JobStateMachine } from './state-machine.ts';
import type { JobStore } from './store.ts';
import { FINAL_STATES, type JobRecord } from './types.ts';

export interface RunnerDeps {
  store: JobStore;
  lines: TargetLines;
  events: EventPublisher;
  audit: AuditWriter;
  access: ClusterAccess;
  /** Makes every state change (shared with the job service). */
  machine: JobStateMachine;
  /** Identifies this worker in audit records. */
  workerId: string;
  /** How long a job waiting for its turn sleeps before looking again (it is also woken early). */
  turnPollMs?: number;
}

const isFinal = (s: string) => (FINAL_STATES as readonly string[]).includes(s);

/**
 * Runs one HASF job for a queue consumer: waits its turn on its targets, re-checks the
 * safety rules on a fresh status, executes with checkpoints, verifies, and ends the job
 * through the state machine. Permanent failures end the job; transient ones ask the
 * queue for another attempt.
 */
export class JobRunner {
  private readonly worker: Actor;

  constructor(private readonly d: RunnerDeps) {
    this.worker = { actor: d.workerId, channel: 'worker' };
  }

  private async audit(jobId: string, event: 'job.state' | 'job.step', details: Record<string, unknown>) {
    await this.d.audit.append({ ...this.worker, jobId, event, details });
  }

  /** The queue's processor: one attempt at job `jobId`. */
  async process(jobId: string, attempt: Attempt): Promise<ProcessOutcome> {
    const job = await this.d.store.get(jobId);
    if (!job || isFinal(job.state) || job.state === 'awaiting_approval') return { done: job?.state ?? 'missing' };
    const locks = this.d.machine.lines(job);

    // Wait for our turn: first in the line of every object we touch.
    let blockers = await this.d.lines.blockers(jobId, job.cluster, locks);
    // A job that ended without leaving its lines (crash) must not block forever.
    let evicted = false;
    for (const b of blockers) {
      const other = await this.d.store.get(b);
      if (!other || isFinal(other.state)) {
        await this.d.lines.evict(b, job.cluster, locks);
        evicted = true;
      }
    }
    if (evicted) blockers = await this.d.lines.blockers(jobId, job.cluster, locks);
    if (blockers.length) return { waitMs: this.d.turnPollMs ?? 2000 };

    const now = new Date().toISOString();
    if (!(await this.d.machine.claim(job, { startedAt: now, attempts: job.attempts + 1 }))) {
      return { done: (await this.d.store.get(jobId))?.state ?? 'missing' };
    }
    const timing = { started: performance.now(), commandsMs: 0, waitMs: 0 };
    const timed = () => {
      const totalMs = performance.now() - timing.started;
      const r = (n: number) => Math.round(n * 10) / 10;
      return { totalMs: r(totalMs), commandsMs: r(timing.commandsMs), waitMs: r(timing.waitMs), overheadMs: r(totalMs - timing.commandsMs - timing.waitMs) };
    };
    try {
      // Inside the try: if even this record can't be written the job fails (AUDIT_UNAVAILABLE) before any command.
      await this.d.machine.started(job, this.worker, now);
      const result = await this.execute({ ...job, attempts: job.attempts + 1 }, timing);
      await this.d.machine.finish(job, 'succeeded', { result, timing: timed() }, this.worker);
      return { done: 'succeeded' };
    } catch (err) {
      const e = isHasfError(err) ? err : new HasfError('INTERNAL', `Unexpected error: ${(err as Error)?.message ?? String(err)}`, {}, { cause: err });
      const last = attempt.attempt >= attempt.maxAttempts;
      if (isTransient(e.code) && !last) {
        await this.d.store.patch(jobId, { error: { code: e.code, message: `${e.message} (attempt ${attempt.attempt}; retrying)` } });
        await this.audit(jobId, 'job.step', { phase: 'retry', code: e.code, message: e.message, attempt: attempt.attempt });
        return { retry: e };
      }
      await this.d.machine.finish(job, 'failed', { error: { code: e.code, message: e.message }, timing: timed() }, this.worker);
      return { failed: `${e.code}: ${e.message}` };
    }
  }

  /** Mark a job that the queue gave up on (stalled too often, out of attempts) as failed. */
  async giveUp(jobId: string, reason: string): Promise<void> {
    const job = await this.d.store.get(jobId);
    if (!job || isFinal(job.state) || job.state === 'awaiting_approval') return;
    await this.d.machine.finish(job, 'failed', { error: { code: 'INTERNAL', message: `The worker gave up on the job: ${reason}` } }, this.worker);
  }

  private async execute(job: JobRecord, timing: { commandsMs: number; waitMs: number }): Promise<{ summary: string; details?: Record<string, unknown> }> {
    const op = getOperation(job.operation);
    let stepName = 'preflight';
    const checkpoint: Record<string, unknown> = { ...job.checkpoint };
    const base = this.d.access.context(job.cluster, job.id, (exec) =>
      new AuditedExecutor(exec, { id: job.id, step: () => stepName }, { audit: this.d.audit, store: this.d.store, events: this.d.events, actor: this.d.workerId, onDuration: (ms) => (timing.commandsMs += ms) }),
    );
    const ctx: ExecutionContext = {
      ...base,
      checkpoint,
      saveCheckpoint: async (patch) => {
        Object.assign(checkpoint, patch);
        await this.d.store.patch(job.id, { checkpoint });
      },
      step: async (name) => {
        stepName = name;
        await Promise.all([
          this.audit(job.id, 'job.step', { phase: name }),
          this.d.events.publish({ type: 'phase', jobId: job.id, phase: name, at: new Date().toISOString() }),
        ]);
      },
      now: () => Date.now(),
      sleep: async (ms) => {
        const t = performance.now();
        await sleep(ms);
        timing.waitMs += performance.now() - t;
      },
    };
    // A first attempt re-checks the safety rules on fresh state: things change between
    // approval and execution. A recovered attempt relies on its checkpoints instead.
    if (Object.keys(checkpoint).length === 0) {
      await ctx.step('preflight');
      try {
        await op.preflight(ctx, job.params as never);
      } catch (err) {
        // Earlier jobs in line may already have brought the cluster where this one wants it.
        if (isHasfError(err, 'ALREADY_THERE')) return { summary: `Nothing to do: ${err.message}`, details: { noop: true } };
        throw err;
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HasfError('JOB_TIMEOUT', `${job.operation} did not finish within ${op.timeoutMs / 60000} minutes.`)), op.timeoutMs);
    });
    try {
      return await Promise.race([op.execute(ctx, job.params as never), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
