import type { AuditRecord } from '../../audit/index.ts';
import type { JobRecord, StepRecord } from '../../jobs/types.ts';
import { shellQuote } from '../../ssh/quote.ts';
import { html, type Html } from '../html.ts';

/** One line of a job's timeline: something that happened, or a phase with its commands. */
export type TimelineRow =
  | { kind: 'event'; at: string; text: string; tone?: 'good' | 'bad' | 'warn' }
  | { kind: 'phase'; at: string; name: string; endAt?: string; commands: StepRecord[]; current: boolean };

/** An argv as one shell line (quoted exactly as the SSH executor quotes it). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => shellQuote(a.replaceAll('\0', ''))).join(' ');
}

const details = (r: AuditRecord) => (r.details ?? {}) as Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

function eventRow(r: AuditRecord): TimelineRow | undefined {
  const d = details(r);
  switch (r.event) {
    case 'job.created':
      return { kind: 'event', at: r.time, text: `Requested by ${r.actor} (${r.channel})` };
    case 'job.emergency':
      return { kind: 'event', at: r.time, text: `Break-glass: run without approvals by ${r.actor}`, tone: 'warn' };
    case 'approval.granted':
      return { kind: 'event', at: r.time, text: `Approved by ${r.actor}${d.comment ? `: “${str(d.comment)}”` : ''} (${str(d.counted)} of ${str(d.needed)})`, tone: 'good' };
    case 'approval.rejected':
      return { kind: 'event', at: r.time, text: `Rejected by ${r.actor}${d.comment ? `: “${str(d.comment)}”` : ''}`, tone: 'bad' };
    case 'approval.refused':
      return { kind: 'event', at: r.time, text: `Decision by ${r.actor} refused (${str(d.code)})`, tone: 'warn' };
    case 'job.cancelled':
      return { kind: 'event', at: r.time, text: `Cancelled by ${r.actor}${d.comment ? `: “${str(d.comment)}”` : ''}`, tone: 'bad' };
    case 'job.expired':
      return { kind: 'event', at: r.time, text: 'Expired: the approval window passed', tone: 'bad' };
    case 'job.reviewed':
      return { kind: 'event', at: r.time, text: `Reviewed by ${r.actor}${d.comment ? `: “${str(d.comment)}”` : ''}`, tone: 'good' };
    case 'job.state': {
      const to = str(d.to);
      if (to === 'running') return { kind: 'event', at: r.time, text: `Running on ${r.actor}${Number(d.attempt) > 1 ? ` (attempt ${str(d.attempt)}${d.recovered ? ', recovered after a worker stopped' : ''})` : ''}` };
      if (to === 'queued') return { kind: 'event', at: r.time, text: 'Approved: queued for a worker' };
      if (to === 'succeeded') return { kind: 'event', at: r.time, text: 'Succeeded', tone: 'good' };
      if (to === 'failed') return { kind: 'event', at: r.time, text: `Failed${d.error ? `: ${str((d.error as { code?: string }).code)}` : ''}`, tone: 'bad' };
      if (to === 'rejected') return { kind: 'event', at: r.time, text: 'Rejected: nothing was run', tone: 'bad' };
      return { kind: 'event', at: r.time, text: `${str(d.from)} → ${to}` };
    }
    case 'job.step':
      if (d.phase === 'retry') return { kind: 'event', at: r.time, text: `Attempt ${str(d.attempt)} failed (${str(d.code)}); retrying`, tone: 'warn' };
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The timeline of a job: its requests, decisions and state changes from the audit log,
 * and each phase the worker announced with the commands it ran (a step belongs to the
 * phase that was current when it started). Pure.
 */
export function timelineRows(job: JobRecord, steps: readonly StepRecord[], audit: readonly AuditRecord[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const phases: Extract<TimelineRow, { kind: 'phase' }>[] = [];
  for (const r of audit) {
    if (r.event === 'job.step' && typeof details(r).phase === 'string' && details(r).phase !== 'retry') {
      const p = { kind: 'phase' as const, at: r.time, name: String(details(r).phase), commands: [] as StepRecord[], current: false };
      const prev = phases.at(-1);
      if (prev && !prev.endAt) prev.endAt = r.time;
      phases.push(p);
      rows.push(p);
      continue;
    }
    const e = eventRow(r);
    if (e) {
      // A state change ends the phase that was running.
      const prev = phases.at(-1);
      if (prev && !prev.endAt && r.event === 'job.state') prev.endAt = r.time;
      rows.push(e);
    }
  }
  const startOf = (s: StepRecord) => new Date(Date.parse(s.at) - s.durationMs).toISOString();
  for (const s of steps) {
    const start = startOf(s);
    const phase = [...phases].reverse().find((p) => p.at <= start && p.name === s.step) ?? [...phases].reverse().find((p) => p.name === s.step);
    if (phase) phase.commands.push(s);
    else rows.push({ kind: 'phase', at: start, name: s.step, commands: [s], current: false, endAt: s.at });
  }
  const last = phases.at(-1);
  if (last && job.state === 'running' && !last.endAt) last.current = true;
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function clock(iso: string): string {
  return iso.replace(/^.*T/, '').replace(/Z$/, '');
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function commandLi(s: StepRecord): Html {
  const ok = s.exitCode === 0;
  if (s.wait) {
    // A wait for the cluster: one entry however many reads it took.
    const state = s.wait.state === 'waiting' ? 'waiting…' : s.wait.state;
    return html`<li class="cmd wait ${s.wait.state === 'failed' ? 'bad' : 'ok'}" data-seq="${s.seq}">
  <span class="mark" aria-label="${state}">${s.wait.state === 'waiting' ? '…' : s.wait.state === 'settled' ? '✓' : '✗'}</span>
  waits for <strong>${s.wait.for}</strong>: ${s.wait.doing} <span class="dur">${seconds(s.durationMs)}, ${String(s.wait.polls)} reads</span>
</li>`;
  }
  const mark = ok ? '✓' : s.exitCode === null ? '…' : `✗ exit ${s.exitCode}`;
  return html`<li class="cmd ${ok ? 'ok' : 'bad'}" data-seq="${s.seq}">
  <span class="mark" aria-label="${ok ? 'exit 0' : s.exitCode === null ? 'no exit code' : `exit ${s.exitCode}`}">${mark}</span>
  <span class="host">${s.host}</span> <code>${shellLine(s.argv)}</code> <span class="dur">${seconds(s.durationMs)}</span>
  ${s.outputExcerpt.trim() && !ok ? html`<pre class="out">${s.outputExcerpt}</pre>` : ''}
</li>`;
}

/** The timeline as an ordered list; long phases (waits that poll the cluster) fold their commands. */
export function timelineHtml(rows: readonly TimelineRow[]): Html {
  if (!rows.length) return html`<p>Nothing has happened yet.</p>`;
  return html`<ol class="timeline">${rows.map((r) => {
    if (r.kind === 'event') return html`<li class="ev${r.tone ? ` ${r.tone}` : ''}"><time datetime="${r.at}">${clock(r.at)}</time> ${r.text}</li>`;
    const took = r.endAt ? seconds(Date.parse(r.endAt) - Date.parse(r.at)) : r.current ? 'running…' : '';
    const cmds = r.commands;
    const list = html`<ul class="cmds">${cmds.map(commandLi)}</ul>`;
    const folded = cmds.length > 4;
    return html`<li class="phase${r.current ? ' current' : ''}" data-phase="${r.name}">
  <time datetime="${r.at}">${clock(r.at)}</time> <strong>${r.name}</strong> <span class="took">${took}</span>
  <span class="count">${cmds.length} command${cmds.length === 1 ? '' : 's'}</span>
  ${folded ? html`<details><summary>Show the ${cmds.length} commands</summary>${list}</details>` : list}
</li>`;
  })}</ol>`;
}
