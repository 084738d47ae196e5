import { AUDIT_EVENTS, type AuditRecord, type VerifyReport } from '../../audit/index.ts';
import { html, type Html } from '../html.ts';
import { auditTable } from './audit-table.ts';

/** The audit search form's fields, as sent (all optional). */
export interface AuditFilters {
  jobId?: string;
  actor?: string;
  event?: string;
  from?: string;
  to?: string;
}

/** The query string of a filter set (plus extra fields), for links. */
export function auditQuery(f: AuditFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The chain's verify result: verified, or the first bad record and what is wrong. */
export function verifyHtml(r: VerifyReport): Html {
  if (r.ok) {
    return html`<div class="verify ok" role="status"><strong>Chain verified</strong>: ${r.count} record(s), every MAC and link checks out${r.head ? html`; newest record #${r.head.seq}` : ''}${r.fileHead !== undefined ? html`; the file sink agrees${r.fileHead ? html` (record #${r.fileHead.seq})` : ''}` : ''} (${r.ms} ms).</div>`;
  }
  const first = r.problems[0]!;
  return html`<div class="verify bad" role="alert"><strong>Chain broken</strong>: the first bad record is
<a href="#seq-${first.seq}">#${first.seq}</a> (${first.kind}): ${first.message}
${r.problems.length > 1 ? html`<details><summary>All ${r.problems.length} problem(s)</summary><ul>${r.problems.slice(0, 100).map((p) => html`<li>#${p.seq} ${p.kind}: ${p.message}</li>`)}</ul></details>` : ''}
</div>`;
}

/** The audit page: the chain's verify result, the search form, matching records, exports. */
export function auditBody(o: { verify: VerifyReport; filters: AuditFilters; records: readonly AuditRecord[]; nextCursor?: string; error?: string }): Html {
  const f = o.filters;
  const bad = new Set(o.verify.problems.map((p) => p.seq));
  return html`<h1>Audit log</h1>
${verifyHtml(o.verify)}
<form class="filters" method="get" action="/ui/audit" role="search" aria-label="Search the audit log">
  <label for="a-job">Job</label><input id="a-job" name="jobId" value="${f.jobId ?? ''}" maxlength="40" autocomplete="off">
  <label for="a-actor">Actor</label><input id="a-actor" name="actor" value="${f.actor ?? ''}" maxlength="100" autocomplete="off">
  <label for="a-event">Event</label>
  <select id="a-event" name="event"><option value="">any</option>${AUDIT_EVENTS.map((e) => html`<option value="${e}"${e === f.event ? html` selected` : ''}>${e}</option>`)}</select>
  <label for="a-from">From (UTC)</label><input id="a-from" name="from" type="datetime-local" step="1" value="${f.from ?? ''}">
  <label for="a-to">To (UTC)</label><input id="a-to" name="to" type="datetime-local" step="1" value="${f.to ?? ''}">
  <button type="submit">Search</button>
  <a href="/ui/audit">Clear</a>
</form>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
<p class="export">Export these records: <a href="/ui/audit/export${auditQuery(f, { format: 'csv' })}" download>CSV</a> · <a href="/ui/audit/export${auditQuery(f, { format: 'jsonl' })}" download>JSON lines</a></p>
${auditTable(o.records, { caption: `${o.records.length} record(s), oldest first`, bad })}
${o.nextCursor ? html`<p><a rel="next" href="/ui/audit${auditQuery(f, { cursor: o.nextCursor })}">Newer records →</a></p>` : ''}`;
}
