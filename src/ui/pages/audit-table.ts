import { canonicalJson, type AuditRecord } from '../../audit/index.ts';
import { html, type Html } from '../html.ts';

const SHORT = 240;

/** A record's details as one line of JSON, shortened (the export has everything). */
export function detailsText(r: AuditRecord): string {
  const s = canonicalJson(r.details ?? null);
  return s.length > SHORT ? `${s.slice(0, SHORT)}…` : s;
}

/** Audit records as a table: seq, time, actor, door, job, event, details; `bad` seqs marked. */
export function auditTable(records: readonly AuditRecord[], o: { caption: string; bad?: ReadonlySet<number> }): Html {
  if (!records.length) return html`<p>No audit records.</p>`;
  return html`<table class="audit"><caption>${o.caption}</caption>
<thead><tr><th scope="col">seq</th><th scope="col">time</th><th scope="col">actor</th><th scope="col">door</th><th scope="col">job</th><th scope="col">event</th><th scope="col">details</th></tr></thead>
<tbody>${records.map(
    (r) => html`<tr id="seq-${r.seq}"${o.bad?.has(r.seq) ? html` class="bad"` : ''}><td>${r.seq}</td><td><time datetime="${r.time}">${r.time.replace('T', ' ').replace('Z', '')}</time></td><td>${r.actor}</td><td>${r.channel}</td><td>${r.jobId ? html`<a href="/ui/jobs/${r.jobId}">${r.jobId}</a>` : '—'}</td><td>${r.event}</td><td><code>${detailsText(r)}</code></td></tr>`,
  )}</tbody>
</table>`;
}
