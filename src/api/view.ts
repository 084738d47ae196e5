import type { DeliveryAttempt } from '../callbacks/index.ts';
import { jobPagePath } from '../jobs/links.ts';
import type { JobRecord, StepRecord } from '../jobs/types.ts';
import type { components } from './openapi-types.ts';

/** The Job of openapi.yaml. */
export type ApiJob = components['schemas']['Job'];

/**
 * A job record as the REST contract shows it: internal fields (checkpoints, Slack
 * message refs, the requester's token id) stay inside.
 */
export function toApiJob(job: JobRecord, extra: { steps?: StepRecord[]; callbackDeliveries?: DeliveryAttempt[]; baseUrl?: string } = {}): ApiJob {
  const approved = new Set(job.approvals.filter((a) => a.decision === 'approve').map((a) => a.person)).size;
  const out: ApiJob = {
    id: job.id,
    operation: job.operation,
    cluster: job.cluster,
    params: job.params,
    requester: job.requester,
    channel: job.channel,
    reason: job.reason,
    emergency: job.emergency,
    reviewPending: job.reviewPending,
    state: job.state,
    plan: job.plan,
    approvalsRequired: job.approvalsRequired,
    approvalsRemaining: job.state === 'awaiting_approval' ? Math.max(0, job.approvalsRequired - approved) : 0,
    approvals: job.approvals.map((a) => ({ person: a.person, identity: a.identity, decision: a.decision, at: a.at, ...(a.comment ? { comment: a.comment } : {}) })),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    attempts: job.attempts,
    url: `${extra.baseUrl ?? ''}${jobPagePath(job.id)}`,
  };
  const optional = ['ticket', 'callbackUrl', 'review', 'expiresAt', 'queuedAt', 'startedAt', 'finishedAt', 'result', 'error', 'control'] as const;
  for (const k of optional) if (job[k] !== undefined) (out as Record<string, unknown>)[k] = job[k];
  if (extra.steps) out.steps = extra.steps;
  if (extra.callbackDeliveries) out.callbackDeliveries = extra.callbackDeliveries;
  return out;
}
