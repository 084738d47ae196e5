import { can, type Person, type Principal } from '../auth/index.ts';
import { ErrorCode, HasfError } from '../errors/index.ts';
import type { ResolvedPolicy } from './policy.ts';

/** One approval or rejection, as stored in the job record. */
export interface ApprovalRecord {
  /** Person name: counting is per person, whatever identity they used. */
  person: string;
  /** The identity used (`token:…`, `slack:U…`), for the audit trail. */
  identity: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

/** What decide() and approvalState() need of a job record (a subset of the job engine's record). */
export interface ApprovalJob {
  /** Person name of the requester. */
  requester: string;
  approvals: readonly ApprovalRecord[];
  createdAt: string;
  state: string;
  /** Fixed when the request was made; wins over the policy's window (terms don't change mid-request). */
  expiresAt?: string;
  /** Fixed when the request was made; wins over the policy's `required`. */
  approvalsRequired?: number;
}

/** Where a request stands. */
export type ApprovalOutcome = 'pending' | 'approved' | 'rejected' | 'expired';

/** Result of decide(): the record to append (unless expired), the outcome, and the count. */
export interface Decision {
  record: ApprovalRecord;
  outcome: ApprovalOutcome;
  counted: number;
  needed: number;
}

/** When a request made at `createdAt` under `policy` expires. */
export function expiresAt(policy: ResolvedPolicy, createdAt: string): Date {
  return new Date(Date.parse(createdAt) + policy.windowMs);
}

/** True once the approval window of a request made at `createdAt` has passed. */
export function isExpired(policy: ResolvedPolicy, createdAt: string, now: Date): boolean {
  return now.getTime() >= expiresAt(policy, createdAt).getTime();
}

/** True when `person` may approve under `policy`: holds the approve permission and is among the approvers. */
export function isEligible(policy: ResolvedPolicy, person: Person): boolean {
  if (!can(person, 'approve')) return false;
  const a = policy.approvers;
  return (
    a.people.includes(person.name) ||
    person.roles.some((r) => a.roles.includes(r)) ||
    person.slackGroups.some((g) => a.slackGroups.includes(g))
  );
}

/**
 * Throws DELEGATED_TOKEN when the principal's credential is not its person's own: a token
 * an admin minted for someone else may request and read, but a decision made with it
 * would let one human count as two.
 */
export function requirePersonalCredential(p: Principal, what = 'decision'): void {
  const c = p.credential;
  if (!c || c.personal) return;
  const by = c.createdBy ? `was minted by ${c.createdBy}` : 'has no record of who minted it';
  throw new HasfError(
    ErrorCode.DELEGATED_TOKEN,
    `This ${c.kind === 'cli' ? 'command-line identity' : 'token'} for ${p.person.displayName} ${by}, so a ${what} made with it does not count; ${p.person.displayName} must decide with their own credential (Slack, a token they minted themselves, or one declared in the configuration).`,
    { person: p.person.name, credential: c.id, kind: c.kind, createdBy: c.createdBy },
  );
}

/** Distinct people who approved, never counting the requester (even if a record slipped in). */
export function countApprovals(job: Pick<ApprovalJob, 'requester' | 'approvals'>): number {
  return new Set(
    job.approvals
      .filter((r) => r.decision === 'approve' && r.person !== job.requester)
      .map((r) => r.person),
  ).size;
}

function needed(policy: ResolvedPolicy, job: ApprovalJob): number {
  return job.approvalsRequired ?? policy.required;
}

function expired(policy: ResolvedPolicy, job: ApprovalJob, now: Date): boolean {
  const end = job.expiresAt
    ? Date.parse(job.expiresAt)
    : expiresAt(policy, job.createdAt).getTime();
  return now.getTime() >= end;
}

/**
 * Where a job's approvals stand at `now`, without a new decision: for expiry sweeps and
 * status displays. Rejected wins over approved (a rejection is never outvoted when it ends requests).
 */
export function approvalState(
  policy: ResolvedPolicy,
  job: ApprovalJob,
  now: Date,
): { outcome: ApprovalOutcome; counted: number; needed: number } {
  const counted = countApprovals(job);
  const n = needed(policy, job);
  const rejected =
    policy.rejectionEnds &&
    job.approvals.some((r) => r.decision === 'reject' && r.person !== job.requester);
  const outcome: ApprovalOutcome = rejected
    ? 'rejected'
    : counted >= n
      ? 'approved'
      : expired(policy, job, now)
        ? 'expired'
        : 'pending';
  return { outcome, counted, needed: n };
}

/**
 * One person approves or rejects a pending job. Checks, in order: the job is awaiting
 * approval (JOB_NOT_PENDING), the approver is not the requester (SELF_APPROVAL; the
 * requester withdraws by cancelling), decides with their own credential (DELEGATED_TOKEN),
 * may approve it (NOT_ELIGIBLE), and has not decided
 * already through any identity (ALREADY_DECIDED). If the window has passed the outcome is
 * 'expired' and the record must not be appended. With `rejectionEnds: false` a rejection
 * is recorded but the request stays open for the approvals it still needs.
 */
export function decide(
  policy: ResolvedPolicy,
  job: ApprovalJob,
  approver: Principal,
  decision: 'approve' | 'reject',
  comment: string | undefined,
  now: Date,
): Decision {
  const who = approver.person;
  if (job.state !== 'awaiting_approval') {
    throw new HasfError(
      ErrorCode.JOB_NOT_PENDING,
      `This job is ${job.state}, not awaiting approval; there is nothing left to decide.`,
      { state: job.state },
    );
  }
  if (who.name === job.requester) {
    throw new HasfError(
      ErrorCode.SELF_APPROVAL,
      'You requested this job, so your decision does not count; another approver must decide (cancel it to withdraw).',
      { person: who.name },
    );
  }
  requirePersonalCredential(approver);
  if (!isEligible(policy, who)) {
    throw new HasfError(
      ErrorCode.NOT_ELIGIBLE,
      `${who.displayName} is not an approver for ${policy.operation} on ${policy.cluster}; ask one of the listed approvers.`,
      {
        person: who.name,
        approvers: policy.approvers,
      },
    );
  }
  const earlier = job.approvals.find((r) => r.person === who.name);
  if (earlier) {
    throw new HasfError(
      ErrorCode.ALREADY_DECIDED,
      `${who.displayName} already decided on this job (${earlier.decision}, as ${earlier.identity}); each person counts once.`,
      {
        person: who.name,
        decision: earlier.decision,
        identity: earlier.identity,
      },
    );
  }
  const record: ApprovalRecord = {
    person: who.name,
    identity: approver.identity,
    decision,
    at: now.toISOString(),
  };
  if (comment !== undefined && comment !== '') record.comment = comment;
  const n = needed(policy, job);
  if (expired(policy, job, now))
    return { record, outcome: 'expired', counted: countApprovals(job), needed: n };
  const state = approvalState(policy, { ...job, approvals: [...job.approvals, record] }, now);
  return { record, outcome: state.outcome, counted: state.counted, needed: n };
}
