import { JOB_STATES, type JobRecord } from '../../jobs/types.ts';
import { html, type Html } from '../html.ts';
import { stateBadge } from './job.ts';

/** The filters of the job list, as the form sends them (all optional). */
export interface JobFilters {
  state?: string;
  operation?: string;
  cluster?: string;
  requester?: string;
}

/** One job row: what the list shows of it (target from the operation's definition). */
export interface JobRow {
  job: JobRecord;
  target: string;
}

function select(id: string, label: string, name: string, value: string | undefined, options: readonly string[]): Html {
  return html`<label for="${id}">${label}</label>
<select id="${id}" name="${name}">
  <option value="">any</option>
  ${options.map((o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o.replace('_', ' ')}</option>`)}
</select>`;
}

/** The query string of a filter set (and a cursor), for links. */
export function filterQuery(f: JobFilters, cursor?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The job list: the filter form and one row per job, newest first, with a link to the next page. */
export function jobsListBody(o: { rows: readonly JobRow[]; filters: JobFilters; operations: readonly string[]; clusters: readonly string[]; nextCursor?: string; error?: string }): Html {
  const f = o.filters;
  return html`<h1>Jobs</h1>
<form class="filters" method="get" action="/ui/jobs" role="search" aria-label="Filter jobs">
  ${select('f-state', 'State', 'state', f.state, JOB_STATES)}
  ${select('f-operation', 'Operation', 'operation', f.operation, o.operations)}
  ${select('f-cluster', 'Cluster', 'cluster', f.cluster, o.clusters)}
  <label for="f-requester">Requester</label>
  <input id="f-requester" name="requester" value="${f.requester ?? ''}" maxlength="64" autocomplete="off">
  <button type="submit">Filter</button>
  <a href="/ui/jobs">Clear</a>
</form>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${o.rows.length
  ? html`<table class="jobs"><caption>${o.rows.length} job(s), newest first</caption>
<thead><tr><th scope="col">job</th><th scope="col">operation</th><th scope="col">target</th><th scope="col">cluster</th><th scope="col">state</th><th scope="col">requester</th><th scope="col">ticket</th><th scope="col">requested</th></tr></thead>
<tbody>${o.rows.map(
      ({ job: j, target }) => html`<tr><td><a href="/ui/jobs/${j.id}">${j.id}</a></td><td>${j.operation}</td><td>${target}</td><td>${j.cluster}</td><td>${stateBadge(j.state)}${j.emergency ? html` <span class="badge emergency">break-glass</span>` : ''}</td><td>${j.requester}</td><td>${j.ticket ?? ''}</td><td><time datetime="${j.createdAt}">${j.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time></td></tr>`,
    )}</tbody></table>`
  : html`<p>No job matches these filters.</p>`}
${o.nextCursor ? html`<p><a rel="next" href="/ui/jobs${filterQuery(f, o.nextCursor)}">Older jobs →</a></p>` : ''}`;
}
