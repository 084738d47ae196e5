import { html, type Html } from '../html.ts';
import type { JobRow } from './jobs-list.ts';
import { stateBadge } from './job.ts';

function jobList(rows: readonly JobRow[], empty: string): Html {
  if (!rows.length) return html`<p>${empty}</p>`;
  return html`<ul class="joblist">${rows.map(
    ({ job: j, target }) => html`<li><a href="/ui/jobs/${j.id}">${j.operation} ${target}</a> on ${j.cluster} ${stateBadge(j.state)} <small>by ${j.requester}${j.ticket ? ` · ${j.ticket}` : ''}</small></li>`,
  )}</ul>`;
}

/** The overview: the clusters, jobs awaiting approval, jobs queued or running. */
export function homeBody(o: { clusters: readonly string[]; awaiting: readonly JobRow[]; active: readonly JobRow[] }): Html {
  return html`<h1>Overview</h1>
<section aria-labelledby="h-clusters"><h2 id="h-clusters">Clusters</h2>
<ul class="clusters">${o.clusters.map((c) => html`<li><a href="/ui/clusters/${encodeURIComponent(c)}">${c}</a></li>`)}</ul></section>
<section aria-labelledby="h-await"><h2 id="h-await">Awaiting approval</h2>${jobList(o.awaiting, 'No job is waiting for approval.')}</section>
<section aria-labelledby="h-active"><h2 id="h-active">Queued and running</h2>${jobList(o.active, 'No job is queued or running.')}</section>`;
}
