import type { JobRecord, Plan, StepRecord } from '../../jobs/types.ts';
import { fields, formatAge, formatDuration, indent, shellLine, table } from '../output.ts';

/** A job as GET /v1/jobs/{id} returns it: the record plus its step log. */
export type JobView = JobRecord & { steps?: StepRecord[]; target?: string; approvalsRemaining?: number; url?: string };

/** The job's page in the web console, absolute (the API sends it relative when it has no public URL). */
export function pageLink(job: Pick<JobView, 'url'>, apiUrl?: string): string | undefined {
  if (!job.url) return undefined;
  try {
    return new URL(job.url, apiUrl ? `${apiUrl.replace(/\/+$/, '')}/` : undefined).href;
  } catch {
    return job.url;
  }
}

/** One cell naming what the job is about, from its params (vm1 → node2, node2, store1 …). */
export function jobTarget(job: Pick<JobView, 'params' | 'target'>): string {
  if (job.target) return job.target;
  const p = job.params ?? {};
  if (p.vm && p.node) return `${String(p.vm)} → ${String(p.node)}`;
  if (p.node) return `${String(p.node)}${p.action && p.action !== 'reboot' ? ` (${String(p.action)})` : ''}`;
  if (p.resource) return String(p.resource);
  if (p.target) return `${String(p.target)} ${p.path ? String(p.path) : p.sizeMiB ? `${String(p.sizeMiB)} MiB` : ''}`.trim();
  return Object.values(p).map(String).join(' ');
}

/** "1/2" approvals, or "-" when none are needed. */
export function approvalsCell(job: Pick<JobView, 'approvals' | 'approvalsRequired'>): string {
  if (!job.approvalsRequired) return '-';
  const got = (job.approvals ?? []).filter((a) => a.decision === 'approve').length;
  return `${got}/${job.approvalsRequired}`;
}

/** The `hasf jobs` table. */
export function formatJobList(jobs: JobView[], now: number = Date.now()): string {
  if (jobs.length === 0) return 'No jobs match.';
  return table(
    ['ID', 'STATE', 'OPERATION', 'TARGET', 'CLUSTER', 'REQUESTER', 'APPROVALS', 'AGE'],
    jobs.map((j) => [j.id, j.state, j.operation, jobTarget(j), j.cluster, j.requester, approvalsCell(j), formatAge(j.createdAt, now)]),
  );
}

/** A plan: summary, commands, predicted transition, warnings. */
export function formatPlan(plan: Plan): string {
  const out = [plan.summary];
  if (plan.commands?.length) {
    out.push('Commands:');
    for (const c of plan.commands) out.push(`  [${c.host}] ${shellLine(c.argv)}`);
  }
  if (plan.prediction?.steps) {
    out.push('Predicted sequence (crm_simulate, change after change on one CIB copy):');
    plan.prediction.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.change}: ${s.actions.length ? s.actions.map((a) => a.text).join('; ') : 'nothing moves'}`));
  } else if (plan.prediction) {
    out.push('Predicted transition (crm_simulate):');
    if (plan.prediction.actions.length === 0) out.push('  (no actions)');
    for (const a of plan.prediction.actions) out.push(`  ${a.text}`);
  }
  for (const w of plan.warnings ?? []) out.push(`Warning: ${w}`);
  return out.join('\n');
}

/** One step line as --follow and `hasf job` print it. */
export function formatStep(s: StepRecord): string {
  if (s.wait) {
    const state = s.wait.state === 'waiting' ? 'waiting' : s.wait.state;
    return `#${s.seq} ${s.step} waits for ${s.wait.for}: ${s.wait.doing} → ${state} (${formatDuration(s.durationMs)}, ${s.wait.polls} reads)`;
  }
  const exit = s.exitCode === null ? 'running' : s.exitCode === 0 ? 'ok' : `exit ${s.exitCode}`;
  return `#${s.seq} ${s.step} [${s.host}] ${shellLine(s.argv)} → ${exit} (${formatDuration(s.durationMs)})`;
}

/** A job's full detail page (`hasf job ID`). */
export function formatJob(job: JobView, now: number = Date.now(), apiUrl?: string): string {
  const out = [
    fields([
      ['Job', job.id],
      ['Operation', `${job.operation} ${jobTarget(job)}`],
      ['Cluster', job.cluster],
      ['State', job.state + (job.reviewPending ? ' (emergency: review pending)' : '')],
      ['Requester', `${job.requester}${job.channel ? ` via ${job.channel}` : ''}`],
      ['Reason', job.reason],
      ['Ticket', job.ticket],
      ['Approvals', job.approvalsRequired ? `${approvalsCell(job)} required${job.expiresAt && job.state === 'awaiting_approval' ? `, expires ${job.expiresAt}` : ''}` : 'none required'],
      ['Created', `${job.createdAt} (${formatAge(job.createdAt, now)} ago)`],
      ['Finished', job.finishedAt],
      ['Page', pageLink(job, apiUrl)],
    ]),
  ];
  for (const a of job.approvals ?? []) out.push(`  ${a.decision === 'approve' ? 'approved' : 'rejected'} by ${a.person} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`);
  if (job.plan) out.push('', 'Plan:', indent(formatPlan(job.plan)));
  if (job.steps?.length) out.push('', 'Steps:', ...job.steps.map((s) => `  ${formatStep(s)}`));
  if (job.result) out.push('', `Result: ${job.result.summary}`);
  if (job.error) out.push('', `Error: ${job.error.code}: ${job.error.message}`);
  return out.join('\n');
}

/** What a successful submit prints: the job and what happens next. */
export function formatSubmitted(job: JobView, apiUrl?: string): string {
  const next =
    job.state === 'awaiting_approval'
      ? `Waiting for ${job.approvalsRequired} approval(s) from someone other than ${job.requester}: hasf approve ${job.id}`
      : `Queued; follow it with: hasf job ${job.id} --follow`;
  const page = pageLink(job, apiUrl);
  return [`Job ${job.id} ${job.state}: ${job.operation} ${jobTarget(job)} on ${job.cluster}`, indent(formatPlan(job.plan)), next, ...(page ? [`Page: ${page}`] : [])].join('\n');
}
