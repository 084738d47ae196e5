import type { HasfError } from '../errors/index.ts';
import type { QueueSet } from '../queue/queues.ts';
import type { LineTarget, TargetLines } from '../queue/lines.ts';
import type { EventPublisher } from './events.ts';
import type { Actor, AuditWriter } from './ports.ts';
import type { JobStore } from './store.ts';
import type { ControlRequest, JobControl, JobRecord, JobState, LockTarget } from './types.ts';

/**
 * Every transition a job can make: from which states, to which. A new state (say, a
 * rolling job's `paused`) is one more row here and one more method below; nothing else
 * moves a job's state.
 */
export const TRANSITIONS = {
  /** Approvals complete: join the lines and the queue. */
  approve: { from: ['awaiting_approval'], to: 'queued' },
  reject: { from: ['awaiting_approval'], to: 'rejected' },
  expire: { from: ['awaiting_approval'], to: 'expired' },
  cancel: { from: ['awaiting_approval', 'queued'], to: 'cancelled' },
  /**
   * A worker takes its turn; `running` again is a recovered attempt (crash, retry). A
   * recovered paused job runs on to its pause point and pauses there again (its pause
   * request is still set).
   */
  claim: { from: ['queued', 'running', 'paused'], to: 'running' },
  /** The worker reached a pause point with a pause requested: it holds there. */
  pause: { from: ['running'], to: 'paused' },
  /** An operator lets a paused job go on. */
  resume: { from: ['paused'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  /**
   * A failure; a job refused when its turn came (freeze, safety rule) or that BullMQ gave
   * up on; or one whose approval came during a change freeze.
   */
  fail: { from: ['running', 'paused', 'queued', 'awaiting_approval'], to: 'failed' },
} as const satisfies Record<string, { from: readonly JobState[]; to: JobState }>;

export type Transition = keyof typeof TRANSITIONS;

/**
 * Operator controls that are flags, not states: asked for by a person, obeyed by the
 * worker at the job's next pause point. A pause may be asked for before the job runs (it
 * then holds before its first step); an abort of a job that hasn't started is a cancel.
 */
export const CONTROLS = {
  pause: { when: ['queued', 'running'] },
  resume: { when: ['running', 'paused'] },
  abort: { when: ['running', 'paused'] },
} as const satisfies Record<string, { when: readonly JobState[] }>;

export type Control = keyof typeof CONTROLS;

const SYSTEM: Actor = { actor: 'system', channel: 'system' };

/** What the state machine drives: the record, the audit log, live events, lines and queues. */
export interface StateMachineDeps {
  store: JobStore;
  audit: AuditWriter;
  events: EventPublisher;
  lines: TargetLines;
  queues: QueueSet;
  now?: () => Date;
}

/**
 * The one owner of a job's state. Each method makes one transition: compare-and-set on
 * the record (so concurrent API replicas and workers make it once), its audit record,
 * its live event, and what the new state means for the lines and the queue. Callers
 * (the job service for the doors, the runner for workers) decide *when*; this decides
 * *how*, the same way every time.
 */
export class JobStateMachine {
  private readonly now: () => Date;

  constructor(private readonly d: StateMachineDeps) {
    this.now = d.now ?? (() => new Date());
  }

  private at(): string {
    return this.now().toISOString();
  }

  /** The lines a job stands in (or will, once queued). */
  lines(job: JobRecord): LockTarget[] {
    return job.lines ?? [];
  }

  /**
   * Store a new job in its first state (awaiting_approval or queued). Fail closed: the
   * audit record of its creation comes first; no record, no job.
   */
  async create(job: JobRecord, by: Actor, audit: { created: Record<string, unknown>; emergency?: Record<string, unknown> }): Promise<void> {
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.created', details: audit.created });
    if (audit.emergency) await this.d.audit.append({ ...by, jobId: job.id, event: 'job.emergency', details: audit.emergency });
    // Queued now, after planning: pickup time is measured from here.
    if (job.state === 'queued') job.queuedAt = this.at();
    await this.d.store.create(job);
    if (job.state === 'queued') await this.enqueue(job);
    else if (job.expiresAt) await this.d.queues.scheduleExpiry(job.id, new Date(job.expiresAt));
    await this.d.events.publish({ type: 'state', jobId: job.id, state: job.state, at: job.createdAt });
  }

  /** awaiting_approval → queued, once its approvals are complete. */
  async approve(job: JobRecord, details: Record<string, unknown>): Promise<boolean> {
    if (!(await this.move(job.id, 'approve', { queuedAt: this.at() }))) return false;
    await this.d.audit.append({ ...SYSTEM, jobId: job.id, event: 'job.state', details: { from: 'awaiting_approval', to: 'queued', ...details } });
    await this.enqueue(job);
    await this.publish(job.id, 'queued', 'awaiting_approval');
    return true;
  }

  /** awaiting_approval → rejected. */
  async reject(jobId: string, details: Record<string, unknown>): Promise<boolean> {
    if (!(await this.move(jobId, 'reject', { finishedAt: this.at() }))) return false;
    await this.d.audit.append({ ...SYSTEM, jobId, event: 'job.state', details: { from: 'awaiting_approval', to: 'rejected', ...details } });
    await this.publish(jobId, 'rejected', 'awaiting_approval');
    return true;
  }

  /** awaiting_approval → expired (its approval window passed). */
  async expire(job: JobRecord): Promise<boolean> {
    if (!(await this.move(job.id, 'expire', { finishedAt: this.at() }))) return false;
    await this.d.audit.append({ ...SYSTEM, jobId: job.id, event: 'job.expired', details: { expiresAt: job.expiresAt, approvals: job.approvals.length } });
    await this.publish(job.id, 'expired', 'awaiting_approval');
    return true;
  }

  /** awaiting_approval | queued → cancelled: out of its lines and off the queue. */
  async cancel(job: JobRecord, by: Actor, comment?: string): Promise<boolean> {
    if (!(await this.move(job.id, 'cancel', { finishedAt: this.at() }))) return false;
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.cancelled', details: { from: job.state, comment } });
    const heads = await this.d.lines.leave(job.id, job.cluster, this.lines(job));
    await this.d.queues.remove(job.cluster, job.id);
    await this.wake(job.cluster, heads);
    await this.publish(job.id, 'cancelled', job.state);
    return true;
  }

  /**
   * queued | running → running: a worker claims its turn (attempt counted). Only the
   * compare-and-set: the worker records the start with started(), inside its own error
   * handling, so a start that can't be audited still ends the job.
   */
  claim(job: JobRecord, attempt: { startedAt: string; attempts: number }): Promise<boolean> {
    return this.move(job.id, 'claim', { startedAt: job.startedAt ?? attempt.startedAt, attempts: attempt.attempts });
  }

  /**
   * Not a change of state: a queued job whose objects changed before its turn (the VM it
   * migrates moved to another node) waits in the lines of the objects it needs now,
   * keeping its place in the order of jobs (TargetLines.move).
   */
  async moveLines(job: JobRecord, lines: LineTarget[], why: string, by: Actor): Promise<void> {
    await this.d.store.patch(job.id, { lines: lines as JobRecord['lines'] });
    const heads = await this.d.lines.move(job.id, job.cluster, this.lines(job), lines);
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.step', details: { phase: 'lines', reason: why, from: this.lines(job), to: lines } });
    await this.wake(job.cluster, heads);
  }

  /**
   * awaiting_approval → failed: the job was stopped before it was queued (its approval
   * came inside a change freeze). It stands in no line yet.
   */
  async stop(job: JobRecord, error: HasfError, by: Actor): Promise<boolean> {
    const at = this.at();
    const err = { code: error.code, message: error.message };
    if (!(await this.d.store.transition(job.id, ['awaiting_approval'], 'failed', { error: err, finishedAt: at }))) return false;
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.state', details: { from: 'awaiting_approval', to: 'failed', error: err } });
    await this.d.events.publish({ type: 'state', jobId: job.id, state: 'failed', from: 'awaiting_approval', at, error: err });
    return true;
  }

  /** The audit record and event of a claimed start. */
  async started(job: JobRecord, by: Actor, at: string): Promise<void> {
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.state', details: { from: job.state, to: 'running', attempt: job.attempts + 1, recovered: job.state === 'running' } });
    await this.publish(job.id, 'running', job.state, at);
  }

  /**
   * running | paused → succeeded | failed (or a queued job refused at its turn or given up
   * on → failed). Whatever
   * the record said, the job then leaves its lines and the next in each is woken. Call it
   * only once the job's work has really returned: leaving the lines lets the next one run.
   */
  async finish(job: JobRecord, to: 'succeeded' | 'failed', patch: Partial<JobRecord>, by: Actor, from: 'running' | 'paused' | 'queued' = 'running'): Promise<void> {
    const at = this.at();
    const allowed = TRANSITIONS[to === 'succeeded' ? 'succeed' : 'fail'].from.filter((s) => s !== 'awaiting_approval');
    if (await this.d.store.transition(job.id, [...allowed], to, { ...patch, finishedAt: at })) {
      await this.d.audit
        .append({ ...by, jobId: job.id, event: 'job.state', details: { from, to, ...(patch.result ? { result: patch.result } : {}), ...(patch.error ? { error: patch.error } : {}) } })
        .catch(() => undefined);
      await this.d.events.publish({ type: 'state', jobId: job.id, state: to, from, at, error: patch.error });
    }
    const heads = await this.d.lines.leave(job.id, job.cluster, this.lines(job));
    await this.wake(job.cluster, heads).catch(() => undefined);
  }

  /**
   * An operator asks a job to pause, resume or abort. pause/abort set their flag (the
   * worker obeys at the next pause point); resume clears the pause flag and, when the job
   * is paused, moves it back to running — the worker holding it goes on. Returns false when
   * the job is no longer in a state where the control applies. Audited as `job.control`
   * with the person and the credential's channel, like a cancel.
   */
  async control(job: JobRecord, action: Control, by: Actor, comment?: string): Promise<boolean> {
    const request: ControlRequest = { by: by.actor, channel: by.channel, at: this.at(), ...(comment ? { comment } : {}) };
    const when = [...CONTROLS[action].when];
    let ok: boolean;
    if (action === 'resume') {
      if (job.state === 'running' && !job.control?.pause) return false;
      const control: JobControl = { ...(job.control ?? {}) };
      delete control.pause;
      ok = job.state === 'paused' ? await this.move(job.id, 'resume', { control }) : await this.d.store.setIf(job.id, ['running'], { control });
    } else {
      ok = await this.d.store.setIf(job.id, when, { control: { ...(job.control ?? {}), [action]: request } });
    }
    if (!ok) return false;
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.control', details: { action, state: job.state, comment } });
    if (action === 'resume' && job.state === 'paused') {
      await this.d.audit.append({ ...by, jobId: job.id, event: 'job.state', details: { from: 'paused', to: 'running', resumedBy: by.actor } });
      await this.publish(job.id, 'running', 'paused');
      // Its queue entry waits (delayed) while paused: run it now.
      await this.wake(job.cluster, [job.id]);
    } else {
      if (action === 'abort' && job.state === 'paused') await this.wake(job.cluster, [job.id]);
      // Followers re-read the record on this event and show the request at once.
      await this.d.events.publish({ type: 'control', jobId: job.id, action, by: by.actor, at: request.at });
    }
    return true;
  }

  /** running → paused: the worker is at a pause point and a pause was asked for. */
  async pause(job: JobRecord, by: Actor, where: string): Promise<boolean> {
    if (!(await this.move(job.id, 'pause', {}))) return false;
    await this.d.audit.append({ ...by, jobId: job.id, event: 'job.state', details: { from: 'running', to: 'paused', where, pausedBy: job.control?.pause?.by } });
    await this.publish(job.id, 'paused', 'running');
    return true;
  }

  /** Put a queued job in its lines and on its cluster's queue (idempotent: same id, same place). */
  async enqueue(job: JobRecord): Promise<void> {
    await this.d.lines.join(job.id, job.cluster, this.lines(job));
    await this.d.queues.enqueueJob(job.cluster, job.id);
  }

  /** Let jobs that became first in their lines run now instead of after their delay. */
  wake(cluster: string, jobIds: string[]): Promise<void> {
    return this.d.queues.promote(cluster, jobIds);
  }

  private move(jobId: string, t: Transition, patch: Partial<JobRecord>): Promise<boolean> {
    const { from, to } = TRANSITIONS[t];
    return this.d.store.transition(jobId, [...from], to, patch);
  }

  private publish(jobId: string, state: JobState, from: JobState, at = this.at()): Promise<void> {
    return this.d.events.publish({ type: 'state', jobId, state, from, at });
  }
}
