import type { Express, Request, Response } from 'express';
import type { AuditEvent, AuditFilter } from '../../audit/index.ts';
import { guard, type RouteContext } from './context.ts';

/** GET /v1/audit (JSON pages, or NDJSON / CSV exports) and GET /v1/audit/verify. */
export function auditRoutes(app: Express, ctx: RouteContext): void {
  const { services } = ctx;
  app.get('/v1/audit', ...guard(ctx, 'read', 'queryAudit'), async (req: Request, res: Response) => {
    const q = res.locals.query as { jobId?: string; actor?: string; event?: AuditEvent; from?: string; to?: string; cursor?: string; limit?: number };
    const filter: AuditFilter = {
      jobId: q.jobId,
      actor: q.actor,
      event: q.event,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    };
    const kind = req.accepts(['application/json', 'application/x-ndjson', 'text/csv']);
    if (kind === 'application/x-ndjson' || kind === 'text/csv') {
      const lines = services.audit.export(kind === 'text/csv' ? 'csv' : 'jsonl', filter);
      const it = lines[Symbol.asyncIterator]();
      // Read the first line before the headers go out, so a bad filter is still a 400.
      let first = await it.next();
      res.status(200).type(kind === 'text/csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      if (kind === 'text/csv') res.setHeader('Content-Disposition', 'attachment; filename="hasf-audit.csv"');
      while (!first.done) {
        if (!res.write(first.value)) await new Promise((r) => res.once('drain', r));
        first = await it.next();
      }
      res.end();
      return;
    }
    const page = await services.audit.query({ ...filter, cursor: q.cursor, limit: q.limit ?? 100 });
    res.json({ records: page.records, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  app.get('/v1/audit/verify', ...guard(ctx, 'read', 'verifyAudit'), async (_req: Request, res: Response) => {
    res.json(await services.audit.verify());
  });
}
