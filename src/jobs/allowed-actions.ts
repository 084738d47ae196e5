import { checkReview, decide, resolvePolicy, type ApprovalsConfig } from '../approvals/index.ts';
import { requirePermission, type Person, type Principal } from '../auth/index.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { getOperation } from '../operations/index.ts';
import { CONTROLS, TRANSITIONS, type Control } from './state-machine.ts';
import type { JobRecord } from './types.ts';

/** Who may cancel: the requester, or someone with the approve permission (FORBIDDEN otherwise). */
export function checkCancelPermission(principal: Principal, job: Pick<JobRecord, 'requester'>): void {
  if (job.requester !== principal.person.name) requirePermission(principal, 'approve');
}

/**
 * Who may pause, resume or abort, and on which jobs: as for cancel, and only operations
 * with pause points (JOB_NOT_PENDING otherwise).
 */
export function checkControlPermission(principal: Principal, job: Pick<JobRecord, 'requester' | 'operation' | 'id'>): void {
  checkCancelPermission(principal, job);
  if (!getOperation(job.operation).pausable) {
    throw new HasfError('JOB_NOT_PENDING', `Job ${job.id} is a ${job.operation}, which has no pause points; only cluster.rolling jobs can be paused, resumed or aborted (cancel one that has not started).`, { jobId: job.id, operation: job.operation });
  }
}

/** Whether a control would change anything on `job` now (the state machine has the final say). */
export function checkControlState(job: JobRecord, action: Control): void {
  const c = job.control ?? {};
  const open =
    !c.abort &&
    (action === 'pause' ? (CONTROLS.pause.when as readonly string[]).includes(job.state) && !c.pause : action === 'resume' ? job.state === 'paused' || (job.state === 'running' && !!c.pause) : (CONTROLS.abort.when as readonly string[]).includes(job.state));
  if (!open) throw new HasfError('JOB_NOT_PENDING', `The job is ${job.state}${c.abort ? ' and being aborted' : c.pause && action === 'pause' ? ' and a pause is already asked for' : ''}; ${action} does not apply now.`, { state: job.state, action });
}

/** For each action on a job: null when `principal` may take it now, else the refusal the job service would give. */
export interface AllowedActions {
  decide: HasfError | null;
  cancel: HasfError | null;
  review: HasfError | null;
  pause: HasfError | null;
  resume: HasfError | null;
  abort: HasfError | null;
}

function attempt(fn: () => void): HasfError | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (isHasfError(err)) return err;
    throw err;
  }
}

/**
 * What `principal` may do with `job` at `now`, answered by the very checks the job
 * service runs (permission, then decide() / checkReview() / the cancel rule), so a page
 * offers a button exactly when pressing it would be accepted.
 */
export function allowedActions(approvals: ApprovalsConfig, principal: Principal, job: JobRecord, now: Date): AllowedActions {
  return {
    decide: attempt(() => {
      requirePermission(principal, 'approve');
      const d = decide(resolvePolicy(approvals, job.operation, job.cluster), job, principal, 'approve', undefined, now);
      if (d.outcome === 'expired') throw new HasfError('JOB_NOT_PENDING', 'The approval window has passed; request it again.', { state: 'expired' });
    }),
    cancel: attempt(() => {
      checkCancelPermission(principal, job);
      if (!(TRANSITIONS.cancel.from as readonly string[]).includes(job.state)) {
        throw new HasfError('JOB_NOT_PENDING', `The job is ${job.state}; only jobs awaiting approval or queued can be cancelled.`, { state: job.state });
      }
    }),
    review: attempt(() => {
      checkReview(job, principal, undefined, now);
    }),
    ...Object.fromEntries(
      (['pause', 'resume', 'abort'] as const).map((action) => [
        action,
        attempt(() => {
          checkControlPermission(principal, job);
          checkControlState(job, action);
        }),
      ]),
    ) as Pick<AllowedActions, Control>,
  };
}

/**
 * The people who could still approve `job` now (eligible by policy, not the requester,
 * not decided yet), by the same check as {@link allowedActions}.
 */
export function stillEligible(approvals: ApprovalsConfig, job: JobRecord, people: readonly Person[], now: Date): Person[] {
  if (job.state !== 'awaiting_approval') return [];
  return people.filter((person) => allowedActions(approvals, { person, identity: `person:${person.name}`, channel: 'web' }, job, now).decide === null);
}
