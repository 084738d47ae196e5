import { checkFreeze, type Freeze } from '../approvals/index.ts';
import { HasfError, isHasfError, isTransient } from '../errors/index.ts';
import { getOperation, linesCovered, uniqueLines } from '../operations/index.ts';
import type { AnyOperation, ExecutionContext, LockTarget, WaitStep } from '../operations/types.ts';
import type { Attempt, ProcessOutcome } from '../queue/consumers.ts';
import type { TargetLines } from '../queue/lines.ts';
import { abortableSleep } from '../util/wait.ts';
import { AuditedExecutor, type StepGroup } from './audited-executor.ts';
import type { ClusterAccess } from './cluster-access.ts';
import type { EventPublisher } from './events.ts';
import type { Actor, AuditWriter } from './ports.ts';
import type { JobStateMachine } from './state-machine.ts';
import type { JobStore } from './store.ts';
import { FINAL_STATES, type JobRecord, type StepRecord } from './types.ts';

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
  /** Change freezes: checked again when a job's turn comes (break-glass jobs excepted). */
  freezes?: readonly Freeze[];
  /** Per operation, how long a job may run (ms) before JOB_TIMEOUT; default the operation's own. */
  timeouts?: Partial<Record<string, number>>;
}

const isFinal = (s: string) => (FINAL_STATES as readonly string[]).includes(s);

/** How often the queue looks at a paused job (a resume or an abort also wakes it at once). */
const PAUSED_POLL_MS = 5000;

/** Thrown from a pause point when the job is to hold there: the attempt ends, the job stays paused. */
class PauseHold extends Error {
  constructor(readonly where: string) {
    super(`paused ${where}`);
  }
}

/** Where one attempt's time went. */
interface Timing {
  started: number;
  commandsMs: number;
  waitMs: number;
}

/** One attempt's execution context and the abort that stops it. */
interface Run {
  ctx: ExecutionContext;
  abort: AbortController;
  dispose(): void;
}

/**
 * Runs one HASF job for a queue consumer: takes its turn on its lines, checks the freeze,
 * its lines and the safety rules again on the cluster as it is now, executes with
 * checkpoints and an abort signal, verifies, and ends the job through the state machine.
 * Permanent failures end the job; transient ones ask the queue for another attempt.
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
    // Paused by an operator: nothing to do until resumed (or aborted, which it then obeys).
    if (job.state === 'paused' && job.control?.pause && !job.control.abort) return { waitMs: PAUSED_POLL_MS };
    if (!(await this.takeTurn(job))) return { waitMs: this.d.turnPollMs ?? 2000 };

    const op = getOperation(job.operation);
    const timing: Timing = { started: performance.now(), commandsMs: 0, waitMs: 0 };
    const run = this.prepare(op, job, timing);
    let claimed = false;
    try {
      // Until it has sent a write, a job checks everything again when its turn comes:
      // things change between approval and execution, and while it waits behind others.
      // After a write it relies on its checkpoints and the cluster's state instead.
      const fresh = job.wroteAt === undefined;
      if (fresh) {
        this.checkFreeze(job);
        const want = uniqueLines(await op.locks(job.params as never, run.ctx));
        const held = this.d.machine.lines(job);
        if (!linesCovered(want, held)) {
          await this.d.machine.moveLines(job, want, movedWhy(want, held), this.worker);
          return { waitMs: 50 };
        }
      }
      const now = new Date().toISOString();
      // A recovered attempt keeps the first start.
      const startedAt = job.state === 'running' && job.startedAt ? job.startedAt : now;
      if (!(await this.d.machine.claim(job, { startedAt, attempts: job.attempts + 1 }))) {
        // Ended meanwhile (cancelled): hold nothing in its name.
        await this.d.machine.wake(job.cluster, await this.d.lines.leave(job.id, job.cluster, this.d.machine.lines(job)));
        return { done: (await this.d.store.get(jobId))?.state ?? 'missing' };
      }
      claimed = true;
      // If even this record can't be written the job fails (AUDIT_UNAVAILABLE) before any command.
      await this.d.machine.started(job, this.worker, now);
      const result = await this.execute(op, { ...job, attempts: job.attempts + 1 }, run, fresh);
      // Only now, with execute() returned, may the job leave its lines.
      await this.d.machine.finish(job, 'succeeded', { result, timing: timed(timing) }, this.worker);
      return { done: 'succeeded' };
    } catch (err) {
      // Held at a pause point: the job stays paused, in its lines, until resumed.
      if (err instanceof PauseHold && !run.abort.signal.aborted) {
        await this.audit(jobId, 'job.step', { phase: 'paused', where: err.where });
        return { waitMs: PAUSED_POLL_MS };
      }
      // Whatever the interrupted work threw, a stopped job ends for the reason it was stopped.
      const cause = run.abort.signal.aborted ? run.abort.signal.reason : err;
      const e = isHasfError(cause) ? cause : new HasfError('INTERNAL', `Unexpected error: ${(cause as Error)?.message ?? String(cause)}`, {}, { cause });
      const last = attempt.attempt >= attempt.maxAttempts;
      if (isTransient(e.code) && !last) {
        await this.d.store.patch(jobId, { error: { code: e.code, message: `${e.message} (attempt ${attempt.attempt}; retrying)` } });
        await this.audit(jobId, 'job.step', { phase: 'retry', code: e.code, message: e.message, attempt: attempt.attempt });
        return { retry: e };
      }
      const report = failureReport(e);
      const from = claimed ? ((await this.d.store.get(jobId))?.state === 'paused' ? 'paused' : 'running') : job.state === 'running' ? 'running' : 'queued';
      await this.d.machine.finish(job, 'failed', { error: { code: e.code, message: e.message }, timing: timed(timing), ...(report ? { result: report } : {}) }, this.worker, from);
      return { failed: `${e.code}: ${e.message}` };
    } finally {
      run.dispose();
    }
  }

  /** Mark a job that the queue gave up on (stalled too often, out of attempts) as failed. */
  async giveUp(jobId: string, reason: string): Promise<void> {
    const job = await this.d.store.get(jobId);
    if (!job || isFinal(job.state) || job.state === 'awaiting_approval') return;
    await this.d.machine.finish(job, 'failed', { error: { code: 'INTERNAL', message: `The worker gave up on the job: ${reason}` } }, this.worker, job.state === 'running' ? 'running' : 'queued');
  }

  /** Take the job's turn on its lines; jobs that ended without leaving them (a crash) are evicted. */
  private async takeTurn(job: JobRecord): Promise<boolean> {
    const lines = this.d.machine.lines(job);
    let blockers = await this.d.lines.take(job.id, job.cluster, lines);
    let evicted = false;
    for (const b of blockers) {
      const other = await this.d.store.get(b);
      if (!other || isFinal(other.state)) {
        await this.d.lines.evict(b, job.cluster, lines);
        evicted = true;
      }
    }
    if (evicted) blockers = await this.d.lines.take(job.id, job.cluster, lines);
    return blockers.length === 0;
  }

  /**
   * The attempt's execution context: every command audited and carrying the abort signal,
   * which fires at the operation's time limit (JOB_TIMEOUT).
   */
  private prepare(op: AnyOperation, job: JobRecord, timing: Timing): Run {
    const timeoutMs = this.d.timeouts?.[job.operation] ?? op.timeoutMs;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(timeoutError(job, timeoutMs)), timeoutMs);
    let stepName = 'preflight';
    let wrote = job.wroteAt !== undefined;
    const checkpoint: Record<string, unknown> = { ...job.checkpoint };
    let group: StepGroup | undefined;
    const base = this.d.access.context(job.cluster, job.id, (exec) =>
      new AuditedExecutor(exec, { id: job.id, step: () => stepName, group: () => group }, {
        audit: this.d.audit,
        store: this.d.store,
        events: this.d.events,
        actor: this.d.workerId,
        onDuration: (ms) => (timing.commandsMs += ms),
        signal: abort.signal,
        // Recorded before the first write leaves: from then on, attempts are recoveries.
        beforeWrite: async () => {
          if (wrote) return;
          wrote = true;
          await this.d.store.patch(job.id, { wroteAt: new Date().toISOString() });
        },
      }),
    );
    const ctx: ExecutionContext = {
      ...base,
      planned: job.plan,
      checkpoint,
      signal: abort.signal,
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
      beginWait: async (what) => {
        const w = await this.openWait(job.id, job.cluster, stepName, what);
        group = w.group;
        const close = w.step.end;
        return { update: w.step.update, end: async (o) => {
          group = undefined;
          await close(o);
        } };
      },
      pausePoint: (where) => this.pausePoint(job, where),
      now: () => Date.now(),
      sleep: async (ms) => {
        const t = performance.now();
        try {
          await abortableSleep(ms, abort.signal);
        } finally {
          timing.waitMs += performance.now() - t;
        }
      },
    };
    return { ctx, abort, dispose: () => clearTimeout(timer) };
  }

  /**
   * A wait's one entry in the step log: written when it begins, replaced as the cluster
   * moves on (and published, so followers redraw it), closed with its outcome. Its reads
   * are counted into it, each audited as any command is.
   */
  private async openWait(jobId: string, cluster: string, step: string, what: string): Promise<{ step: WaitStep; group: StepGroup }> {
    const t0 = performance.now();
    const rec: StepRecord = await this.d.store.addStep(jobId, {
      step,
      host: `any node of ${cluster}`,
      argv: [],
      exitCode: null,
      durationMs: 0,
      outputExcerpt: `waiting for ${what}`,
      at: new Date().toISOString(),
      wait: { for: what, doing: 'starting', state: 'waiting', polls: 0 },
    });
    const wait = rec.wait!;
    await this.d.events.publish({ type: 'step', jobId, step: rec });
    let failedRead = '';
    const group: StepGroup = {
      command: (c) => {
        wait.polls++;
        // The read it repeats (the scheduler's, not the status read after it settled).
        if (!rec.argv.length || c.argv[0] === 'crm_simulate') rec.argv = c.argv;
        rec.host = c.host;
        if (c.exitCode !== 0) failedRead = `\n[${c.argv[0]} exit ${c.exitCode ?? 'none'}] ${c.output.slice(0, 500)}`;
      },
    };
    const save = async () => {
      rec.durationMs = Math.round(performance.now() - t0);
      rec.outputExcerpt = `${wait.for}: ${wait.doing}${failedRead}`;
      await this.d.store.updateStep(jobId, rec);
      await this.d.events.publish({ type: 'step', jobId, step: { ...rec, wait: { ...wait } } });
    };
    return {
      group,
      step: {
        update: async (doing) => {
          wait.doing = doing;
          await save();
        },
        end: async ({ ok, doing }) => {
          wait.doing = doing;
          wait.state = ok ? 'settled' : 'failed';
          rec.exitCode = ok ? 0 : 1;
          await save();
        },
      },
    };
  }

  /**
   * A pause point of a running job: abort → JOB_ABORTED; pause → the job moves to paused
   * and this attempt ends (PauseHold), its lines kept: a paused job holds no worker and
   * doesn't keep one from shutting down. The queue looks at it again every PAUSED_POLL_MS,
   * and at once when it is resumed or aborted.
   */
  private async pausePoint(job: JobRecord, where: string): Promise<void> {
    const now = await this.d.store.require(job.id);
    const c = now.control ?? {};
    if (c.abort) {
      throw new HasfError('JOB_ABORTED', `Aborted by ${c.abort.by} (${c.abort.channel}) ${where}${c.abort.comment ? `: "${c.abort.comment}"` : ''}.`, { where, by: c.abort.by, channel: c.abort.channel });
    }
    if (!c.pause) return;
    if (now.state === 'running') await this.d.machine.pause(now, this.worker, where);
    throw new PauseHold(where);
  }

  /** Preflight on a fresh attempt (on the status the turn check read), then the operation. */
  private async execute(op: AnyOperation, job: JobRecord, run: Run, fresh: boolean): Promise<{ summary: string; details?: Record<string, unknown> }> {
    if (fresh) {
      await run.ctx.step('preflight');
      try {
        await op.preflight(run.ctx, job.params as never);
      } catch (err) {
        // Earlier jobs in line may already have brought the cluster where this one wants it.
        if (isHasfError(err, 'ALREADY_THERE')) return { summary: `Nothing to do: ${err.message}`, details: { noop: true } };
        throw err;
      }
    }
    return op.execute(run.ctx, job.params as never);
  }

  /** A freeze that began after approval stops the job when its turn comes (break-glass excepted). */
  private checkFreeze(job: JobRecord): void {
    try {
      checkFreeze(this.d.freezes ?? [], job.operation, new Date(), { cluster: job.cluster, emergency: job.emergency });
    } catch (err) {
      if (!isHasfError(err, 'CHANGE_FREEZE')) throw err;
      throw new HasfError('CHANGE_FREEZE', `${err.message.replace(/; wait until then.*$/, '')}. It began after this job was approved, so the job was stopped when its turn came, before it changed anything; request it again after the freeze.`, err.details);
    }
  }
}

/**
 * What a job that stopped part-way had done, when its operation says so (cluster.rolling:
 * which nodes were done, where it stopped, which were not touched): the error's
 * `details.report`, kept as the job's result so every door shows where it stopped.
 */
function failureReport(e: HasfError): JobRecord['result'] | undefined {
  const r = (e.details as { report?: unknown } | undefined)?.report as { summary?: unknown; details?: unknown } | undefined;
  if (!r || typeof r.summary !== 'string') return undefined;
  return { summary: r.summary, ...(r.details && typeof r.details === 'object' ? { details: r.details as Record<string, unknown> } : {}) };
}

function timed(t: Timing) {
  const totalMs = performance.now() - t.started;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { totalMs: r(totalMs), commandsMs: r(t.commandsMs), waitMs: r(t.waitMs), overheadMs: r(totalMs - t.commandsMs - t.waitMs) };
}

function timeoutError(job: JobRecord, timeoutMs: number): HasfError {
  const took = timeoutMs % 60_000 === 0 ? `${timeoutMs / 60_000} minutes` : `${Math.round(timeoutMs / 100) / 10} s`;
  return new HasfError(
    'JOB_TIMEOUT',
    `${job.operation} did not finish within ${took}: its running command was killed and nothing more was sent. What the cluster had already accepted may still happen; check the cluster before trying again (worker.timeouts sets a longer limit).`,
    { timeoutMs },
  );
}

/** Why a job moves to other lines: the lines it needs now that it did not hold. */
function movedWhy(want: LockTarget[], held: LockTarget[]): string {
  const missing = want.filter((w) => !linesCovered([w], held)).map((l) => `${l.kind} ${l.name}`);
  return `its objects changed while it waited (it now needs ${missing.join(', ')}); it waits for those too, keeping its place, before it changes anything`;
}
