import { approvalState, resolvePolicy } from '../approvals/index.ts';
import type { Person } from '../auth/index.ts';
import { allowedActions, stillEligible } from '../jobs/allowed-actions.ts';
import type { JobRecord } from '../jobs/types.ts';
import { getOperation } from '../operations/index.ts';
import type { UiContext, Viewer } from './context.ts';
import type { JobView } from './pages/job.ts';

const AUDIT_SHOWN = 500;
// Worker clocks may run a little behind the API's: look for a job's records from a bit before it was created.
const CLOCK_SLACK_MS = 60_000;

/**
 * Where in the audit stream a job's records are: from its creation to its end (a
 * break-glass job's review comes later, so its window stays open). Bounding the read keeps
 * an old job's page from walking every newer record.
 */
export function auditWindow(job: JobRecord): { from: Date; to?: Date } {
  const from = new Date(Date.parse(job.createdAt) - CLOCK_SLACK_MS);
  return job.finishedAt && !job.emergency ? { from, to: new Date(Date.parse(job.finishedAt) + CLOCK_SLACK_MS) } : { from };
}

/** The configured people as the directory resolves them (roles from Slack groups included). */
async function people(ctx: UiContext): Promise<Person[]> {
  const all = await Promise.all(ctx.services.directory.all().map((p) => ctx.services.directory.byName(p.name)));
  return all.filter((p): p is Person => !!p);
}

/**
 * Everything the job page shows, read through the same services the REST API uses: the
 * job, its steps and audit records, and — by the job service's own checks — what this
 * viewer may do and who could still approve.
 */
export async function loadJobView(ctx: UiContext, id: string, viewer: Viewer): Promise<JobView> {
  const s = ctx.services;
  // The record first only for the audit window; the rest goes out alongside it.
  const [job, steps, everyone] = await Promise.all([s.jobs.get(id), s.store.steps(id), people(ctx)]);
  const page = await s.audit.query({ jobId: id, ...auditWindow(job), limit: AUDIT_SHOWN });
  const now = new Date();
  const policy = resolvePolicy(s.config.approvals, job.operation, job.cluster);
  const st = approvalState(policy, job, now);
  let nodes: string[] = [];
  try {
    nodes = s.access.cluster(job.cluster).nodes.map((n) => n.name);
  } catch {
    /* a cluster removed from the configuration since: draw the prediction's nodes only */
  }
  const op = getOperation(job.operation);
  return {
    job,
    target: op.target(job.params as never),
    risk: op.risk,
    steps,
    audit: page.records,
    auditMore: !!page.nextCursor,
    nodes,
    allowed: allowedActions(s.config.approvals, viewer.principal, job, now),
    stillEligible: stillEligible(s.config.approvals, job, everyone, now),
    approverGroups: policy.approvers.slackGroups,
    counted: st.counted,
    needed: st.needed,
    csrf: viewer.session.csrf,
  };
}
