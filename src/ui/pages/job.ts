import type { AuditRecord } from '../../audit/index.ts';
import type { Person } from '../../auth/index.ts';
import type { HasfError } from '../../errors/index.ts';
import type { AllowedActions } from '../../jobs/allowed-actions.ts';
import type { JobRecord, StepRecord } from '../../jobs/types.ts';
import { html, type Html } from '../html.ts';
import { csrfField } from './layout.ts';
import { auditTable } from './audit-table.ts';
import { shellLine, timelineHtml, timelineRows } from './timeline.ts';
import { transitionHtml } from './transition.ts';

/** Everything the job page shows, read by the route through the job service. */
export interface JobView {
  job: JobRecord;
  /** "vm1 → node2", from the operation's own target(). */
  target: string;
  risk: string;
  steps: StepRecord[];
  audit: AuditRecord[];
  /** More audit records exist than shown. */
  auditMore: boolean;
  /** Node names of the job's cluster (columns of the before → after drawing). */
  nodes: string[];
  allowed: AllowedActions;
  /** Who could still approve now (by policy, not the requester, not decided yet). */
  stillEligible: Person[];
  /** Slack user groups the policy names (their members may approve too). */
  approverGroups: string[];
  counted: number;
  needed: number;
  csrf: string;
}

/** A job state as a badge. */
export function stateBadge(state: string): Html {
  return html`<span class="state state-${state}">${state.replace('_', ' ')}</span>`;
}

function when(iso?: string): Html | string {
  return iso ? html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>` : '—';
}

function approvalsHtml(v: JobView): Html {
  const j = v.job;
  const decisions = j.approvals.length
    ? html`<ul class="decisions">${j.approvals.map((a) => html`<li class="${a.decision}"><strong>${a.person}</strong> ${a.decision === 'approve' ? 'approved' : 'rejected'} ${when(a.at)} <small>as ${a.identity}</small>${a.comment ? html`<blockquote>${a.comment}</blockquote>` : ''}</li>`)}</ul>`
    : html`<p>No decisions yet.</p>`;
  const waiting =
    j.state === 'awaiting_approval'
      ? html`<p class="needed"><strong>${Math.max(0, v.needed - v.counted)}</strong> more approval(s) needed (${v.counted} of ${v.needed}), never from ${j.requester}; expires ${when(j.expiresAt)}.</p>
<p class="eligible">May still approve: ${v.stillEligible.length ? v.stillEligible.map((p, i) => html`${i ? ', ' : ''}<strong>${p.displayName}</strong>`) : html`<em>nobody configured by name</em>`}${v.approverGroups.length ? html`; and members of Slack group(s) ${v.approverGroups.join(', ')}` : ''}.</p>`
      : j.approvalsRequired === 0
        ? html`<p>${j.emergency ? 'Break-glass: run without approvals.' : 'This operation needs no approval.'}</p>`
        : '';
  return html`${decisions}${waiting}`;
}

function refusedNote(e: HasfError | null, what: string): Html | string {
  return e ? html`<p class="why-not">You cannot ${what}: ${e.message}</p>` : '';
}

function actionsHtml(v: JobView): Html {
  const j = v.job;
  const a = v.allowed;
  const forms: Html[] = [];
  if (!a.decide) {
    forms.push(html`<form class="act approve" method="post" action="/ui/jobs/${j.id}/decide" data-enhance>
  ${csrfField(v.csrf)}<input type="hidden" name="decision" value="approve">
  <label for="approve-comment">Comment (optional)</label>
  <input id="approve-comment" name="comment" maxlength="500" autocomplete="off">
  <button type="submit" class="primary">Approve</button>
</form>
<form class="act reject" method="post" action="/ui/jobs/${j.id}/decide" data-enhance>
  ${csrfField(v.csrf)}<input type="hidden" name="decision" value="reject">
  <label for="reject-reason">Reason for rejecting (required)</label>
  <textarea id="reject-reason" name="comment" required maxlength="500" rows="2"></textarea>
  <button type="submit" class="danger">Reject</button>
</form>`);
  }
  if (!a.cancel) {
    forms.push(html`<form class="act cancel" method="post" action="/ui/jobs/${j.id}/cancel" data-enhance>
  ${csrfField(v.csrf)}
  <label for="cancel-comment">Why cancel (optional)</label>
  <input id="cancel-comment" name="comment" maxlength="500" autocomplete="off">
  <button type="submit">Cancel job</button>
</form>`);
  }
  // A rolling job's controls: each takes effect between two nodes, and says so.
  const control = (action: 'pause' | 'resume' | 'abort', label: string, cls: string) =>
    html`<form class="act ${action}" method="post" action="/ui/jobs/${j.id}/${action}" data-enhance>
  ${csrfField(v.csrf)}
  <label for="${action}-comment">Comment (optional)</label>
  <input id="${action}-comment" name="comment" maxlength="500" autocomplete="off">
  <button type="submit" class="${cls}">${label}</button>
</form>`;
  if (!a.pause) forms.push(control('pause', 'Pause after this node', 'pause'));
  if (!a.resume) forms.push(control('resume', 'Resume', 'primary'));
  if (!a.abort) forms.push(control('abort', 'Abort after this node', 'danger'));
  if (!a.review) {
    forms.push(html`<form class="act review" method="post" action="/ui/jobs/${j.id}/review" data-enhance>
  ${csrfField(v.csrf)}
  <label for="review-comment">Review comment</label>
  <input id="review-comment" name="comment" maxlength="500" autocomplete="off">
  <button type="submit" class="primary">Mark reviewed</button>
</form>`);
  }
  const notes = j.state === 'awaiting_approval' ? refusedNote(a.decide, 'approve or reject this job') : '';
  if (!forms.length) return html`${notes}<p class="noactions">No action is open to you on this job.</p>`;
  return html`${notes}${forms}`;
}

function resultHtml(j: JobRecord): Html {
  const took = j.startedAt && j.finishedAt ? ` in ${((Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000).toFixed(1)} s` : '';
  switch (j.state) {
    case 'succeeded':
      return html`<p class="result good"><strong>Succeeded${took}:</strong> ${j.result?.summary ?? 'done'}</p>${j.timing ? html`<p class="timing">Commands ${(j.timing.commandsMs / 1000).toFixed(1)} s, waiting for the cluster ${(j.timing.waitMs / 1000).toFixed(1)} s, HASF ${(j.timing.overheadMs / 1000).toFixed(1)} s.</p>` : ''}`;
    case 'failed':
      return html`<p class="result bad"><strong>Failed${took}</strong>${j.error ? html` (<code>${j.error.code}</code>): ${j.error.message}` : ''}</p>`;
    case 'rejected': {
      const r = j.approvals.find((a) => a.decision === 'reject');
      return html`<p class="result bad"><strong>Rejected</strong>${r ? html` by ${r.person}${r.comment ? html`: “${r.comment}”` : ''}` : ''}. Nothing was run.</p>`;
    }
    case 'expired':
      return html`<p class="result bad"><strong>Expired</strong>: not enough approvals before ${when(j.expiresAt)}. Nothing was run.</p>`;
    case 'cancelled':
      return html`<p class="result bad"><strong>Cancelled</strong> before it ran. Nothing was run.</p>`;
    case 'running':
      return html`<p class="result">Running${j.error ? html` — last attempt: <code>${j.error.code}</code> ${j.error.message}` : ''}…</p>`;
    case 'queued':
      return html`<p class="result">Queued: a worker runs it when its turn comes on its objects.</p>`;
    default:
      return html`<p class="result">Waiting for approval; nothing runs before.</p>`;
  }
}

/** The parts of the job page that change while it is open (each replaced whole by live updates). */
export function jobSections(v: JobView): Record<string, Html> {
  return {
    state: stateBadge(v.job.state),
    approvals: approvalsHtml(v),
    actions: actionsHtml(v),
    timeline: timelineHtml(timelineRows(v.job, v.steps, v.audit)),
    result: resultHtml(v.job),
    audit: html`${auditTable(v.audit, { caption: `${v.audit.length}${v.auditMore ? '+' : ''} audit record(s) of job ${v.job.id}, oldest first` })}${v.auditMore ? html`<p><a href="/ui/audit?jobId=${v.job.id}">All audit records of this job</a></p>` : ''}`,
  };
}

/**
 * A section the live stream replaces. Only what a person must hear as it changes (the
 * state, the result) is an aria-live region; the rest would read the whole timeline out
 * on every command.
 */
function live(name: string, content: Html, o: { tag?: 'div' | 'span'; announce?: boolean } = {}): Html {
  const tag = o.tag ?? 'div';
  return html`<${tag} data-live="${name}"${o.announce ? html` aria-live="polite"` : ''}>${content}</${tag}>`;
}

/**
 * The job page: who asked what and why, the exact commands, the predicted transition
 * before → after, approvals so far and who may still approve, the actions open to this
 * viewer, the timeline of steps and waits, the result, and the job's audit records.
 */
export function jobBody(v: JobView): Html {
  const j = v.job;
  const s = jobSections(v);
  return html`<article class="job" data-live-src="/ui/jobs/${j.id}/live">
<h1>${j.emergency ? html`<span class="badge emergency">break-glass</span> ` : ''}${j.operation} ${v.target} ${live('state', s.state!, { tag: 'span', announce: true })}</h1>
<p class="livestatus" data-livestatus></p>
<div class="notice" data-notice role="status" aria-live="polite"></div>
<dl class="facts">
  <dt>Job</dt><dd><code>${j.id}</code></dd>
  <dt>Cluster</dt><dd><a href="/ui/clusters/${encodeURIComponent(j.cluster)}">${j.cluster}</a></dd>
  <dt>Requester</dt><dd>${j.requester} <small>via ${j.channel}</small></dd>
  <dt>Reason</dt><dd class="reason">${j.reason || html`<em>none given</em>`}</dd>
  <dt>Ticket</dt><dd>${j.ticket ?? html`<em>none</em>`}</dd>
  <dt>Risk</dt><dd>${v.risk}</dd>
  <dt>Requested</dt><dd>${when(j.createdAt)}</dd>
  ${j.emergency ? html`<dt>Review</dt><dd>${j.review ? html`reviewed by ${j.review.person} ${when(j.review.at)}${j.review.comment ? html`: “${j.review.comment}”` : ''}` : j.reviewPending ? 'pending' : '—'}</dd>` : ''}
</dl>
<section aria-labelledby="h-plan"><h2 id="h-plan">Plan</h2>
  <p class="summary">${j.plan.summary}</p>
  ${j.plan.warnings.length ? html`<ul class="warnings" aria-label="Warnings">${j.plan.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
  <table class="commands"><caption>The exact commands, in order</caption>
    <thead><tr><th scope="col">#</th><th scope="col">where</th><th scope="col">command</th></tr></thead>
    <tbody>${j.plan.commands.map((c, i) => html`<tr><td>${i + 1}</td><td>${c.host}</td><td><code>${shellLine(c.argv)}</code></td></tr>`)}</tbody>
  </table>
</section>
<section aria-labelledby="h-pred"><h2 id="h-pred">Predicted transition</h2>${transitionHtml(j.plan, v.nodes)}</section>
<section aria-labelledby="h-appr"><h2 id="h-appr">Approvals</h2>${live('approvals', s.approvals!)}</section>
<section aria-labelledby="h-act"><h2 id="h-act">Your actions</h2>${live('actions', s.actions!)}</section>
<section aria-labelledby="h-steps"><h2 id="h-steps">Steps</h2>${live('timeline', s.timeline!)}</section>
<section aria-labelledby="h-res"><h2 id="h-res">Result</h2>${live('result', s.result!, { announce: true })}</section>
<section aria-labelledby="h-audit"><h2 id="h-audit">Audit records</h2><details class="auditbox"><summary>Show the job's audit records</summary>${live('audit', s.audit!)}</details></section>
</article>`;
}
