import {
  approvalState,
  checkEmergency,
  checkFreeze,
  checkReview,
  decide,
  resolvePolicy,
  type ApprovalsConfig,
} from '../approvals/index.ts';
import { RecordedExecutor } from '../audit/recorded-executor.ts';
import { requirePermission, type Principal } from '../auth/index.ts';
import { flattenResources } from '../cluster/index.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { getOperation, uniqueLines, validateParams } from '../operations/index.ts';
import type { QueueSet } from '../queue/queues.ts';
import type { TargetLines } from '../queue/lines.ts';
import { closest } from '../util/closest.ts';
import { checkCancelPermission, checkControlPermission } from './allowed-actions.ts';
import type { EventPublisher } from './events.ts';
import { newJobId, JOB_ID_PATTERN } from './ids.ts';
import type { AuditWriter, ContextSource } from './ports.ts';
import { CONTROLS, JobStateMachine, type Control } from './state-machine.ts';
import type { JobFilter, JobStore } from './store.ts';
import type { JobRecord, JobRequest, JobState, Plan } from './types.ts';

export type { AuditWriter, ContextSource } from './ports.ts';

export interface JobServiceOptions {
  store: JobStore;
  queues: QueueSet;
  lines: TargetLines;
  events: EventPublisher;
  audit: AuditWriter;
  access: ContextSource;
  approvals: ApprovalsConfig;
  clock?: () => Date;
  /**
   * Awaited before a job, a decision, a cancel or a review is acknowledged to the door
   * (e.g. WAIT for Redis replicas, so a failover can't lose what was acknowledged). A
   * throw reaches the caller (REDIS_UNAVAILABLE: retry; the write itself is in Redis).
   */
  confirm?: () => Promise<void>;
}

/** The answer to a dry run: what would happen, and what approvals it would need. */
export interface DryRunResult {
  operation: string;
  cluster: string;
  params: Record<string, unknown>;
  plan: Plan;
  approvalsRequired: number;
}

/**
 * The job service: the one implementation behind REST, Slack and the CLI. It validates,
 * checks permissions, runs preflight and the plan, stores the job, collects approvals and
 * hands approved jobs to the queue. It never runs a command that changes a cluster.
 */
export class JobService {
  private readonly o: JobServiceOptions;
  private readonly now: () => Date;
  /** Every state change goes through it (the workers' runner has its own, over the same Redis). */
  readonly machine: JobStateMachine;

  constructor(opts: JobServiceOptions) {
    this.o = opts;
    this.now = opts.clock ?? (() => new Date());
    this.machine = new JobStateMachine({ store: opts.store, audit: opts.audit, events: opts.events, lines: opts.lines, queues: opts.queues, now: this.now });
  }

  private actor(p: Principal) {
    return { actor: p.person.name, channel: p.channel };
  }

  /**
   * Turn a request into a job (or, with dryRun, into a plan only). Refusals throw a
   * HasfError with their code and are audited.
   */
  async submit(principal: Principal, req: JobRequest): Promise<{ job: JobRecord } | { dryRun: DryRunResult }> {
    requirePermission(principal, 'request');
    let prepared: Awaited<ReturnType<JobService['prepare']>>;
    try {
      prepared = await this.prepare(principal, req);
    } catch (err) {
      // Every refusal is audited (bad input and safety rules alike), a dry run's too: it
      // may have probed the target host (a lun.add path outside the backing directory).
      if (isHasfError(err)) {
        await this.o.audit.append({
          ...this.actor(principal),
          event: 'job.refused',
          details: { operation: req.operation, cluster: req.cluster, params: req.params, reason: req.reason, ticket: req.ticket, code: err.code, message: err.message, ...(req.dryRun ? { dryRun: true } : {}) },
        });
      }
      throw err;
    }
    const { op, params, reason, cluster, now, jobId, plan, overriddenFreeze, lines } = prepared;
    const policy = resolvePolicy(this.o.approvals, op.name, cluster);
    const required = req.emergency ? 0 : policy.required;
    if (req.dryRun) return { dryRun: { operation: op.name, cluster, params, plan, approvalsRequired: required } };

    const state: JobState = required > 0 ? 'awaiting_approval' : 'queued';
    const job: JobRecord = {
      id: jobId,
      operation: op.name,
      cluster,
      params,
      requester: principal.person.name,
      requesterIdentity: principal.identity,
      channel: principal.channel,
      reason,
      ticket: req.ticket,
      callbackUrl: req.callbackUrl,
      emergency: !!req.emergency,
      reviewPending: !!req.emergency,
      state,
      plan,
      lines,
      approvalsRequired: required,
      approvals: [],
      expiresAt: required > 0 ? new Date(now.getTime() + policy.windowMs).toISOString() : undefined,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      checkpoint: {},
      attempts: 0,
    };
    await this.machine.create(job, this.actor(principal), {
      created: { operation: op.name, cluster, params, reason, ticket: req.ticket, state, approvalsRequired: required, plan: { summary: plan.summary, commands: plan.commands } },
      ...(req.emergency ? { emergency: { reason, overriddenFreeze } } : {}),
    });
    await this.o.confirm?.();
    return { job };
  }

  /** Validate, resolve the cluster, apply freezes and the safety rules, and plan. Throws the refusal. */
  private async prepare(principal: Principal, req: JobRequest) {
    const op = getOperation(req.operation);
    const params = validateParams(op.name, req.params ?? {});
    const reason = (req.reason ?? '').trim();
    if (req.emergency) checkEmergency(principal, reason);
    const cluster = await this.resolveCluster(req.cluster, op.name, params);
    const now = this.now();
    const jobId = req.dryRun ? 'dry-run' : newJobId(now.getTime());
    const overriddenFreeze = checkFreeze(this.o.approvals.freezes, op.name, now, { cluster, emergency: !!req.emergency })?.name;
    // The API's own commands (status reads, the CIB copy, crm_simulate) are audited too.
    const ctx = this.o.access.context(cluster, jobId, (exec) =>
      new RecordedExecutor(exec, this.o.audit, { ...this.actor(principal), jobId: req.dryRun ? undefined : jobId, purpose: req.dryRun ? 'dry-run' : 'plan' }),
    );
    // Its lines come from the cluster as it is now (the status preflight reads too).
    const lines = uniqueLines(await op.locks(params as never, ctx));
    // Jobs already in line for the same objects will change what "already there" means:
    // such a request is accepted and re-checked when its turn comes.
    const ahead = await this.o.lines.members(cluster, lines);
    let deferred: string | undefined;
    try {
      await op.preflight(ctx, params);
    } catch (err) {
      if (!(ahead.length && isHasfError(err, 'ALREADY_THERE'))) throw err;
      deferred = `${err.message} But ${ahead.length} earlier job(s) for the same object run first (${ahead.join(', ')}); this is checked again when its turn comes.`;
    }
    const plan = await op.plan(ctx, params);
    if (deferred) plan.warnings.unshift(deferred);
    return { op, params, reason, cluster, now, jobId, plan, overriddenFreeze, lines };
  }

  /** Approve or reject a job awaiting approval. */
  async decide(principal: Principal, jobId: string, decision: 'approve' | 'reject', comment?: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    try {
      requirePermission(principal, 'approve');
      const policy = resolvePolicy(this.o.approvals, job.operation, job.cluster);
      const d = decide(policy, job, principal, decision, comment, this.now());
      if (d.outcome === 'expired') {
        await this.expire(jobId);
        throw new HasfError('JOB_NOT_PENDING', `Job ${jobId} expired before this decision; request it again.`, { jobId, state: 'expired' });
      }
      if (decision === 'approve') await this.stopIfFrozen(job, principal);
      // The atomic add decides whether this decision counts; only then is it recorded as
      // granted (a duplicate or late one is an approval.refused below, never a grant).
      const added = await this.o.store.addApproval(jobId, { ...d.record });
      if (added === 'DUP') throw new HasfError('ALREADY_DECIDED', `${principal.person.displayName} already decided on this job; each person counts once.`, { jobId });
      if (added === 'STATE') throw new HasfError('JOB_NOT_PENDING', `Job ${jobId} is no longer awaiting approval.`, { jobId });
      try {
        await this.o.audit.append({
          ...this.actor(principal),
          jobId,
          event: decision === 'approve' ? 'approval.granted' : 'approval.rejected',
          details: { identity: principal.identity, credential: principal.credential, comment, counted: d.counted, needed: d.needed },
        });
      } catch (err) {
        // Fail closed: a decision nobody can trace does not count.
        await this.o.store.removeApproval(jobId, d.record.person).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      if (isHasfError(err) && err.code !== 'NOT_FOUND' && err.code !== 'AUDIT_UNAVAILABLE') {
        await this.o.audit
          .append({ ...this.actor(principal), jobId, event: 'approval.refused', details: { decision, identity: principal.identity, credential: principal.credential, code: err.code, message: err.message } })
          .catch(() => undefined);
      }
      throw err;
    }
    // Re-read: other approvers may have decided concurrently; the state CAS makes one of us enqueue.
    const fresh = await this.get(jobId);
    const st = approvalState(resolvePolicy(this.o.approvals, fresh.operation, fresh.cluster), fresh, this.now());
    await this.o.events.publish({ type: 'approval', jobId, person: principal.person.name, decision, counted: st.counted, needed: st.needed, at: this.now().toISOString() });
    if (st.outcome === 'approved') await this.machine.approve(fresh, { approvals: st.counted });
    else if (st.outcome === 'rejected') await this.machine.reject(jobId, { by: principal.person.name, comment });
    await this.o.confirm?.();
    return this.get(jobId);
  }

  /**
   * A change freeze that began after the request stops it when an approval comes: the
   * approval is refused (CHANGE_FREEZE) and the job ends failed with that code. Requested
   * again after the freeze, it is checked afresh. Break-glass jobs never wait for approval.
   */
  private async stopIfFrozen(job: JobRecord, principal: Principal): Promise<void> {
    try {
      checkFreeze(this.o.approvals.freezes, job.operation, this.now(), { cluster: job.cluster, emergency: job.emergency });
    } catch (err) {
      if (!isHasfError(err, 'CHANGE_FREEZE')) throw err;
      const stopped = new HasfError('CHANGE_FREEZE', `${err.message.replace(/; wait until then.*$/, '')}. It began after this request, so job ${job.id} was stopped (failed) instead of approved; request it again after the freeze.`, { ...err.details, jobId: job.id });
      await this.machine.stop(job, stopped, this.actor(principal));
      throw stopped;
    }
  }

  /** Cancel a job that has not started: its requester, an approver or an admin may. */
  async cancel(principal: Principal, jobId: string, comment?: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    checkCancelPermission(principal, job);
    if (!(await this.machine.cancel(job, this.actor(principal), comment))) {
      throw new HasfError('JOB_NOT_PENDING', `Job ${jobId} is ${(await this.get(jobId)).state}; only jobs awaiting approval or queued can be cancelled.`, { jobId });
    }
    await this.o.confirm?.();
    return this.get(jobId);
  }

  /**
   * Pause, resume or abort a job with pause points (cluster.rolling) — the requester, an
   * approver or an admin may, as for cancel. A pause or an abort is obeyed at the job's
   * next pause point (between two nodes): the job goes on with the node it is at, then
   * holds (paused) or ends (failed, JOB_ABORTED). An abort of a job that has not started
   * cancels it. JOB_NOT_PENDING when the job is past the point where the control applies.
   */
  async control(principal: Principal, jobId: string, action: Control, comment?: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    checkControlPermission(principal, job);
    if (action === 'abort' && (job.state === 'awaiting_approval' || job.state === 'queued')) {
      if (await this.machine.cancel(job, this.actor(principal), comment ?? 'aborted before it started')) {
        await this.o.confirm?.();
        return this.get(jobId);
      }
    }
    const fresh = action === 'abort' ? await this.get(jobId) : job;
    if (!(await this.machine.control(fresh, action, this.actor(principal), comment))) {
      const now = (await this.get(jobId)).state;
      const when = CONTROLS[action].when.join(' or ');
      const why = action === 'resume' && now === 'running' ? `Job ${jobId} is running and no pause was asked for; there is nothing to resume.` : `Job ${jobId} is ${now}; ${action} applies only while it is ${when}.`;
      throw new HasfError('JOB_NOT_PENDING', why, { jobId, state: now, action });
    }
    await this.o.confirm?.();
    return this.get(jobId);
  }

  /** Review a break-glass job after the fact. */
  async review(principal: Principal, jobId: string, comment?: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    const rec = checkReview(job, principal, comment, this.now());
    await this.o.audit.append({ ...this.actor(principal), jobId, event: 'job.reviewed', details: { comment, identity: rec.identity, credential: principal.credential } });
    await this.o.store.patch(jobId, { reviewPending: false, review: { person: rec.person, comment: rec.comment, at: rec.at } });
    await this.o.confirm?.();
    return this.get(jobId);
  }

  /** Expire an awaiting job whose window has passed (timer queue, or a late decision). */
  async expire(jobId: string): Promise<boolean> {
    const job = await this.o.store.get(jobId);
    if (!job || job.state !== 'awaiting_approval') return false;
    if (job.expiresAt && Date.parse(job.expiresAt) > this.now().getTime()) return false;
    return this.machine.expire(job);
  }

  /**
   * After a crash between storing a job and queueing it, or a Redis failover that lost a
   * queue entry: put every queued or running job of `clusters` back on its queue (a no-op
   * for jobs BullMQ still holds: the id is the job's), and re-arm missing expiry timers.
   * Returns the ids it re-queued.
   */
  async reconcile(clusters: string[]): Promise<string[]> {
    const requeued: string[] = [];
    for (const id of await this.o.store.idsInStates(['queued', 'running', 'paused', 'awaiting_approval'])) {
      const job = await this.o.store.get(id);
      if (!job || !clusters.includes(job.cluster)) continue;
      if (job.state === 'awaiting_approval') {
        if (job.expiresAt) await this.o.queues.scheduleExpiry(id, new Date(job.expiresAt));
        continue;
      }
      if (await this.o.queues.holds(job.cluster, id)) continue;
      await this.machine.enqueue(job);
      requeued.push(id);
    }
    return requeued;
  }

  /** Promote delayed jobs that are now first in their lines. */
  wake(cluster: string, jobIds: string[]): Promise<void> {
    return this.machine.wake(cluster, jobIds);
  }

  /** A job by id (NOT_FOUND for unknown or malformed ids). */
  async get(jobId: string): Promise<JobRecord> {
    if (!JOB_ID_PATTERN.test(jobId)) throw new HasfError('NOT_FOUND', `"${jobId.slice(0, 40)}" is not a job id (they look like j5kq1z7c2a9f).`, { jobId: jobId.slice(0, 40) });
    return this.o.store.require(jobId);
  }

  /** Jobs, newest first. */
  list(filter: JobFilter): Promise<{ jobs: JobRecord[]; nextCursor?: string }> {
    return this.o.store.list(filter);
  }

  /** The step log of a job. */
  async steps(jobId: string) {
    await this.get(jobId);
    return this.o.store.steps(jobId);
  }

  /**
   * Which cluster a request is for: the one named, the only one, or the one whose status
   * knows the VM/node/resource (AMBIGUOUS_OBJECT when several do).
   */
  async resolveCluster(named: string | undefined, operation: string, params: Record<string, unknown>): Promise<string> {
    const all = this.o.access.clusters();
    if (named) {
      if (!all.includes(named)) {
        const near = closest(named, all);
        throw new HasfError('UNKNOWN_CLUSTER', `There is no cluster "${named}"${near.length ? `; did you mean ${near.join(', ')}?` : `; configured: ${all.join(', ')}`}.`, { cluster: named, closest: near });
      }
      return named;
    }
    if (all.length === 1) return all[0]!;
    if (all.length === 0) throw new HasfError('UNKNOWN_CLUSTER', 'No cluster is configured; add one to the configuration.', {});
    const name = String(params.vm ?? params.node ?? params.resource ?? params.target ?? '');
    const matches: string[] = [];
    for (const c of all) {
      const ctx = this.o.access.context(c, 'resolve');
      if (operation === 'lun.add') {
        if (ctx.storageTargets.some((t) => t.name === name)) matches.push(c);
        continue;
      }
      const st = await ctx.status().catch(() => undefined);
      if (!st) continue;
      const names = new Set([...st.nodes.map((n) => n.name), ...flattenResources(st.resources).map((r) => r.id)]);
      if (names.has(name)) matches.push(c);
    }
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new HasfError('AMBIGUOUS_OBJECT', `"${name}" exists in clusters ${matches.join(', ')}; say which with --cluster NAME (REST: "cluster").`, { name, clusters: matches });
    }
    throw new HasfError('UNKNOWN_OBJECT', `No configured cluster knows "${name}"; check the name or pass --cluster.`, { name, clusters: all });
  }
}
