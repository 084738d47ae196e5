import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { HasfError, isHasfError, isTransient } from '../errors/index.ts';
import type { ClusterAccess } from '../jobs/cluster-access.ts';
import type { AuditWriter } from '../jobs/service.ts';
import type { JobStore } from '../jobs/store.ts';
import type { JobRecord } from '../jobs/types.ts';
import { getOperation } from '../operations/index.ts';
import type { ExecutionContext } from '../operations/types.ts';
import { sleep } from '../util/wait.ts';
import { AuditedExecutor } from './audited-executor.ts';
import type { EventPublisher } from './events.ts';
import type { TargetLines } from './locks.ts';
import { JOB_ATTEMPTS } from './queues.ts';

export interface RunnerDeps {
  store: JobStore;
  lines: TargetLines;
  events: EventPublisher;
  audit: AuditWriter;
  access: ClusterAccess;
  /** Identifies this worker in audit records. */
  workerId: string;
  /** How long a job waiting for its turn sleeps before looking again (it is also woken early). */
  turnPollMs?: number;
  /** Promote jobs that became first in their lines. */
  wake(cluster: string, jobIds: string[]): Promise<void>;
}

const FINAL = new Set(['succeeded', 'failed', 'rejected', 'expired', 'cancelled']);

/**
 * Runs one HASF job inside a BullMQ worker: waits its turn on its targets, re-checks the
 * safety rules on a fresh status, executes with checkpoints, verifies, and records the
 * outcome. Permanent failures end the job; transient ones are retried by BullMQ.
 */
export class JobRunner {
  constructor(private readonly d: RunnerDeps) {}

  private async audit(jobId: string, event: 'job.state' | 'job.step', details: Record<string, unknown>) {
    await this.d.audit.append({ actor: this.d.workerId, channel: 'worker', jobId, event, details });
  }

  /** The BullMQ processor. */
  async process(bull: Job<{ jobId: string }>, token?: string): Promise<{ state: string }> {
    const jobId = bull.data.jobId;
    const job = await this.d.store.get(jobId);
    if (!job || FINAL.has(job.state) || job.state === 'awaiting_approval') return { state: job?.state ?? 'missing' };
    const op = getOperation(job.operation);
    const locks = op.locks(job.params as never);

    // Wait for our turn: first in the line of every object we touch.
    let blockers = await this.d.lines.blockers(jobId, job.cluster, locks);
    // A job that ended without leaving its lines (crash) must not block forever.
    let evicted = false;
    for (const b of blockers) {
      const other = await this.d.store.get(b);
      if (!other || FINAL.has(other.state)) {
        await this.d.lines.evict(b, job.cluster, locks);
        evicted = true;
      }
    }
    if (evicted) blockers = await this.d.lines.blockers(jobId, job.cluster, locks);
    if (blockers.length) {
      await bull.moveToDelayed(Date.now() + (this.d.turnPollMs ?? 2000), token);
      throw new DelayedError();
    }

    const now = new Date().toISOString();
    const from = job.state;
    if (!(await this.d.store.transition(jobId, ['queued', 'running'], 'running', { startedAt: job.startedAt ?? now, attempts: job.attempts + 1 }))) {
      return { state: (await this.d.store.get(jobId))?.state ?? 'missing' };
    }
    const timing = { started: performance.now(), commandsMs: 0, waitMs: 0 };
    const timed = () => {
      const totalMs = performance.now() - timing.started;
      const r = (n: number) => Math.round(n * 10) / 10;
      return { totalMs: r(totalMs), commandsMs: r(timing.commandsMs), waitMs: r(timing.waitMs), overheadMs: r(totalMs - timing.commandsMs - timing.waitMs) };
    };
    try {
      // Inside the try: if even this record can't be written the job fails (AUDIT_UNAVAILABLE) before any command.
      await this.audit(jobId, 'job.state', { from, to: 'running', attempt: job.attempts + 1, recovered: from === 'running' });
      await this.d.events.publish({ type: 'state', jobId, state: 'running', from, at: now });
      const result = await this.execute({ ...job, attempts: job.attempts + 1 }, timing);
      await this.finish(job, 'succeeded', { result, timing: timed() });
      return { state: 'succeeded' };
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const e = isHasfError(err) ? err : new HasfError('INTERNAL', `Unexpected error: ${(err as Error)?.message ?? String(err)}`, {}, { cause: err });
      const last = bull.attemptsMade + 1 >= (bull.opts.attempts ?? JOB_ATTEMPTS);
      if (isTransient(e.code) && !last) {
        await this.d.store.patch(jobId, { error: { code: e.code, message: `${e.message} (attempt ${bull.attemptsMade + 1}; retrying)` } });
        await this.audit(jobId, 'job.step', { phase: 'retry', code: e.code, message: e.message, attempt: bull.attemptsMade + 1 });
        throw e;
      }
      await this.finish(job, 'failed', { error: { code: e.code, message: e.message }, timing: timed() });
      throw new UnrecoverableError(`${e.code}: ${e.message}`);
    }
  }

  /** Mark a job that BullMQ gave up on (stalled too often, out of attempts) as failed. */
  async giveUp(jobId: string, reason: string): Promise<void> {
    const job = await this.d.store.get(jobId);
    if (!job || FINAL.has(job.state) || job.state === 'awaiting_approval') return;
    await this.finish(job, 'failed', { error: { code: 'INTERNAL', message: `The worker gave up on the job: ${reason}` } });
  }

  private async finish(job: JobRecord, to: 'succeeded' | 'failed', patch: Partial<JobRecord>): Promise<void> {
    const at = new Date().toISOString();
    const moved = await this.d.store.transition(job.id, ['running', 'queued'], to, { ...patch, finishedAt: at });
    if (moved) {
      await this.audit(job.id, 'job.state', { from: 'running', to, ...(patch.result ? { result: patch.result } : {}), ...(patch.error ? { error: patch.error } : {}) }).catch(() => undefined);
      await this.d.events.publish({ type: 'state', jobId: job.id, state: to, from: 'running', at, error: patch.error });
    }
    const op = getOperation(job.operation);
    const heads = await this.d.lines.leave(job.id, job.cluster, op.locks(job.params as never));
    await this.d.wake(job.cluster, heads).catch(() => undefined);
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
