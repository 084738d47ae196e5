import type { Plan } from '../jobs/types.ts';
import type { JobView } from './format/jobs.ts';

/**
 * Readers for API answers that tolerate the envelope variants a REST contract tends to
 * grow ({job: …} or the job itself, {jobs: […]} or a bare list), so the CLI keeps
 * working across compatible API revisions.
 */

/** The job of a submit/approve/cancel answer. */
export function asJob(body: unknown): JobView {
  const b = body as { job?: JobView } & JobView;
  return b && typeof b === 'object' && b.job && typeof b.job === 'object' ? b.job : b;
}

/** A dry run's answer: the plan and what it would need. */
export interface DryRunView {
  operation: string;
  cluster: string;
  params: Record<string, unknown>;
  plan: Plan;
  approvalsRequired?: number;
}

/** The dry-run part of a POST /v1/jobs answer with dryRun: true. */
export function asDryRun(body: unknown): DryRunView {
  const b = body as { dryRun?: DryRunView } & DryRunView;
  return b && typeof b.dryRun === 'object' ? b.dryRun : b;
}

/** A page of a list answer: the items under `key` (or the body itself when it is a list) and the next cursor. */
export function asPage<T>(body: unknown, key: string): { items: T[]; nextCursor?: string } {
  if (Array.isArray(body)) return { items: body as T[] };
  const b = (body ?? {}) as Record<string, unknown>;
  const items = (b[key] ?? b.items ?? b.data ?? []) as T[];
  const next = (b.nextCursor ?? b.cursor ?? b.next) as string | undefined;
  return { items: Array.isArray(items) ? items : [], nextCursor: typeof next === 'string' && next ? next : undefined };
}
