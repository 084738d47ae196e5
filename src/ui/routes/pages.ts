import type { Express, Request, Response } from 'express';
import type { AuditEvent, AuditFilter } from '../../audit/index.ts';
import { HasfError, isHasfError } from '../../errors/index.ts';
import { JOB_STATES, type JobRecord, type JobState } from '../../jobs/types.ts';
import { getOperation, OPERATION_NAMES } from '../../operations/index.ts';
import { viewerOf, type UiContext } from '../context.ts';
import { requireViewer } from '../guard.ts';
import { html } from '../html.ts';
import { loadJobView } from '../job-view.ts';
import { auditBody, type AuditFilters } from '../pages/audit.ts';
import { clusterPicture, healthOf, statusUnreadable } from '../pages/cluster-picture.ts';
import { homeBody } from '../pages/home.ts';
import { jobBody } from '../pages/job.ts';
import { jobsListBody, type JobFilters, type JobRow } from '../pages/jobs-list.ts';
import { sendPage } from '../render.ts';

const q = (req: Request, k: string): string | undefined => {
  const v = req.query[k];
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
};

/** A job with the operation's own description of its target ("vm1 → node2"). */
export function jobRow(job: JobRecord): JobRow {
  let target = '';
  try {
    target = getOperation(job.operation).target(job.params as never);
  } catch {
    /* an operation this version no longer knows: show the job without a target */
  }
  return { job, target };
}

/** A datetime-local value (no zone) read as UTC; ISO-8601 with a zone is taken as is. */
export function parseUtc(v: string | undefined, field: string): Date | undefined {
  if (!v) return undefined;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(d.getTime())) throw new HasfError('INVALID_INPUT', `"${v}" in ${field} is not a date and time; write e.g. 2026-12-01T09:30.`, { field });
  return d;
}

/** The audit filter of a request's query (validated by the audit log itself). */
export function auditFilterOf(req: Request): { filters: AuditFilters; filter: AuditFilter } {
  const filters: AuditFilters = { jobId: q(req, 'jobId'), actor: q(req, 'actor'), event: q(req, 'event'), from: q(req, 'from'), to: q(req, 'to') };
  return { filters, filter: { jobId: filters.jobId, actor: filters.actor, event: filters.event as AuditEvent | undefined, from: parseUtc(filters.from, 'From'), to: parseUtc(filters.to, 'To') } };
}

/** The console's pages: overview, cluster picture, jobs, a job, audit (and its export). */
export function pageRoutes(app: Express, ctx: UiContext): void {
  const { services } = ctx;
  const viewer = requireViewer(ctx);

  app.get(['/ui', '/ui/'], viewer, async (_req: Request, res: Response) => {
    const [awaiting, queued, running] = await Promise.all((['awaiting_approval', 'queued', 'running'] as const).map((state) => services.jobs.list({ state, limit: 50 })));
    sendPage(ctx, res, {
      title: 'Overview',
      current: 'home',
      viewer: viewerOf(res),
      body: homeBody({ clusters: services.access.clusters(), awaiting: awaiting!.jobs.map(jobRow), active: [...running!.jobs, ...queued!.jobs].map(jobRow) }),
    });
  });

  app.get('/ui/clusters', viewer, (_req: Request, res: Response) => {
    const all = services.access.clusters();
    if (all.length === 1) return res.redirect(303, `/ui/clusters/${encodeURIComponent(all[0]!)}`);
    res.redirect(303, '/ui/');
  });

  app.get('/ui/clusters/:cluster', viewer, async (req: Request, res: Response) => {
    const name = String(req.params.cluster);
    services.access.cluster(name); // UNKNOWN_CLUSTER (with the closest names) before any command
    // The status now; health findings from a recent cluster.check, else the live stream brings them.
    const known = ctx.live.recentCheck(name);
    let picture;
    try {
      picture = clusterPicture(name, await services.access.pacemaker(name).status(), healthOf({ check: known?.report, checkError: known?.error, checking: !known }));
    } catch (err) {
      if (!isHasfError(err)) throw err;
      picture = statusUnreadable(err);
    }
    sendPage(ctx, res, {
      title: `Cluster ${name}`,
      current: 'cluster',
      currentCluster: name,
      viewer: viewerOf(res),
      body: html`<h1>Cluster ${name}</h1>
<p class="livestatus" data-livestatus></p>
<div data-live-src="/ui/clusters/${encodeURIComponent(name)}/live"><div data-live="picture">${picture}</div></div>`,
    });
  });

  app.get('/ui/jobs', viewer, async (req: Request, res: Response) => {
    const filters: JobFilters = { state: q(req, 'state'), operation: q(req, 'operation'), cluster: q(req, 'cluster'), requester: q(req, 'requester') };
    let error: string | undefined;
    if (filters.state && !(JOB_STATES as readonly string[]).includes(filters.state)) {
      error = `There is no job state "${filters.state}"; pick one from the list.`;
      filters.state = undefined;
    }
    const cursor = q(req, 'cursor');
    const page = await services.jobs.list({ ...filters, state: filters.state as JobState | undefined, cursor: cursor && /^\d+:[a-z0-9]+$/.test(cursor) ? cursor : undefined, limit: 50 });
    sendPage(ctx, res, {
      title: 'Jobs',
      current: 'jobs',
      viewer: viewerOf(res),
      status: error ? 400 : 200,
      body: jobsListBody({ rows: page.jobs.map(jobRow), filters, operations: OPERATION_NAMES, clusters: services.access.clusters(), nextCursor: page.nextCursor, error }),
    });
  });

  app.get('/ui/jobs/:id', viewer, async (req: Request, res: Response) => {
    const v = await loadJobView(ctx, String(req.params.id), viewerOf(res));
    sendPage(ctx, res, { title: `Job ${v.job.id}`, current: 'jobs', viewer: viewerOf(res), body: jobBody(v) });
  });

  app.get('/ui/audit', viewer, async (req: Request, res: Response) => {
    let filters: AuditFilters = {};
    let records: Awaited<ReturnType<typeof services.audit.query>> = { records: [] };
    let error: string | undefined;
    const verify = services.audit.verify();
    try {
      const f = auditFilterOf(req);
      filters = f.filters;
      const cursor = q(req, 'cursor');
      records = await services.audit.query({ ...f.filter, cursor, limit: 200 });
    } catch (err) {
      if (!isHasfError(err, 'INVALID_INPUT')) throw err;
      error = err.message;
    }
    sendPage(ctx, res, { title: 'Audit', current: 'audit', viewer: viewerOf(res), status: error ? 400 : 200, body: auditBody({ verify: await verify, filters, records: records.records, nextCursor: records.nextCursor, error }) });
  });

  app.get('/ui/audit/export', viewer, async (req: Request, res: Response) => {
    const format = q(req, 'format') === 'jsonl' ? 'jsonl' : 'csv';
    const { filter } = auditFilterOf(req);
    const it = services.audit.export(format, filter)[Symbol.asyncIterator]();
    // The first line before the headers: a bad filter is still an error page, not half a file.
    let line = await it.next();
    res.status(200).type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="hasf-audit.${format === 'csv' ? 'csv' : 'jsonl'}"`);
    while (!line.done) {
      if (!res.write(line.value)) await new Promise((r) => res.once('drain', r));
      line = await it.next();
    }
    res.end();
  });
}
