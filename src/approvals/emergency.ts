import { can, type Principal } from '../auth/index.ts';
import { ErrorCode, HasfError } from '../errors/index.ts';
import { requirePersonalCredential } from './decide.ts';

/** Shortest accepted break-glass reason: long enough to say what broke. */
export const MIN_EMERGENCY_REASON = 10;

/** A break-glass review, as stored on the job. */
export interface ReviewRecord {
  person: string;
  identity: string;
  comment?: string;
  at: string;
}

/** What checkReview() needs of a job record. */
export interface ReviewJob {
  requester: string;
  emergency: boolean;
  reviewPending: boolean;
  review?: { person: string } | undefined;
}

/**
 * Checks a break-glass request: only an admin (the `emergency` permission, else FORBIDDEN),
 * with a reason of at least MIN_EMERGENCY_REASON characters (else INVALID_INPUT). Returns
 * the trimmed reason. Such a job skips the approval wait and freezes and is flagged
 * review-pending.
 */
export function checkEmergency(principal: Principal, reason: string | undefined): string {
  if (!can(principal.person, 'emergency')) {
    throw new HasfError(
      ErrorCode.FORBIDDEN,
      'Only an admin may run a job as an emergency; request it normally and ask for approval.',
      { person: principal.person.name },
    );
  }
  const r = (reason ?? '').trim();
  if (r.length < MIN_EMERGENCY_REASON) {
    throw new HasfError(
      ErrorCode.INVALID_INPUT,
      `An emergency needs a reason of at least ${MIN_EMERGENCY_REASON} characters saying what is broken; add one and retry.`,
      { field: 'reason' },
    );
  }
  return r;
}

/**
 * Checks that `reviewer` may review a break-glass job after the fact and returns the
 * review record: the job must be an emergency still pending review (JOB_NOT_PENDING, or
 * ALREADY_DECIDED once reviewed), the reviewer someone else than the requester
 * (SELF_APPROVAL) using their own credential (DELEGATED_TOKEN) with the approve
 * permission (NOT_ELIGIBLE).
 */
export function checkReview(
  job: ReviewJob,
  reviewer: Principal,
  comment?: string,
  now: Date = new Date(),
): ReviewRecord {
  if (!job.emergency) {
    throw new HasfError(
      ErrorCode.JOB_NOT_PENDING,
      'This job was not an emergency, so there is nothing to review.',
      {},
    );
  }
  if (job.review || !job.reviewPending) {
    throw new HasfError(
      ErrorCode.ALREADY_DECIDED,
      `This emergency job was already reviewed${job.review ? ` by ${job.review.person}` : ''}.`,
      { reviewedBy: job.review?.person },
    );
  }
  if (reviewer.person.name === job.requester) {
    throw new HasfError(
      ErrorCode.SELF_APPROVAL,
      'You ran this emergency job, so someone else with approve permission must review it.',
      { person: reviewer.person.name },
    );
  }
  requirePersonalCredential(reviewer, 'review');
  if (!can(reviewer.person, 'approve')) {
    throw new HasfError(
      ErrorCode.NOT_ELIGIBLE,
      `${reviewer.person.displayName} cannot review emergencies; ask an approver or admin.`,
      { person: reviewer.person.name },
    );
  }
  const record: ReviewRecord = {
    person: reviewer.person.name,
    identity: reviewer.identity,
    at: now.toISOString(),
  };
  if (comment) record.comment = comment;
  return record;
}
