import type { Express, Request, Response } from 'express';
import { checkCallbackUrl, DeliveryLog } from '../../callbacks/index.ts';
import { HasfError } from '../../errors/index.ts';
import type { JobRequest } from '../../jobs/types.ts';
import { validateParams } from '../../operations/index.ts';
import { principalOf } from '../auth.ts';
import { bodyHash } from '../idempotency.ts';
import type { components } from '../openapi-types.ts';
import { paramsSchemaName, schemaValidator } from '../spec.ts';
import { toApiJob } from '../view.ts';
import { guard, refusedBeforeService, type RouteContext } from './context.ts';

type Body = components['schemas']['JobRequest'];

/**
 * Params must match the operation's schema in openapi.yaml (equal to the catalogue's, a
 * test checks it). The catalogue's validator then words the refusal and applies defaults.
 */
function checkParams(operation: string, params: Record<string, unknown>): Record<string, unknown> {
  const name = paramsSchemaName(operation);
  const valid = name ? schemaValidator(name)(params) : false;
  const checked = validateParams(operation, params);
  if (!valid) throw new HasfError('INVALID_INPUT', `params do not match the ${operation} schema; see /docs.`, { field: 'params' });
  return checked;
}

/** POST/GET /v1/jobs, GET /v1/jobs/{id}, approvals, review, cancel, pause/resume/abort. */
export function jobRoutes(app: Express, ctx: RouteContext): void {
  const { services } = ctx;
  const deliveries = new DeliveryLog(services.redis, services.config.redis.prefix);
  const location = (id: string) => `${ctx.baseUrl}/v1/jobs/${id}`;

  app.post('/v1/jobs', ...guard(ctx, 'request', 'createJob'), async (req: Request, res: Response) => {
    const p = principalOf(res);
    const body = req.body as Body;
    const params = await refusedBeforeService(ctx, req, res, 'createJob', () => {
      const checked = checkParams(body.operation, body.params);
      if (body.callbackUrl) checkCallbackUrl(body.callbackUrl, services.config.callbacks);
      return checked;
    });
    const request: JobRequest = { ...body, params };
    const key = req.headers['idempotency-key'] as string | undefined;
    const useKey = key !== undefined && !body.dryRun;
    const h = useKey ? bodyHash(body) : '';
    if (useKey) {
      const claim = await ctx.idempotency.begin(p.person.name, key, h);
      if (claim.kind === 'done') {
        const job = await services.jobs.get(claim.jobId);
        res.status(200).location(location(job.id)).json(toApiJob(job, { baseUrl: ctx.baseUrl }));
        return;
      }
    }
    let result: Awaited<ReturnType<typeof services.jobs.submit>>;
    try {
      result = await services.jobs.submit(p, request);
    } catch (err) {
      if (useKey) await ctx.idempotency.abandon(p.person.name, key).catch(() => undefined);
      throw err;
    }
    if ('dryRun' in result) {
      res.status(200).json({ dryRun: true, ...result.dryRun });
      return;
    }
    if (useKey) await ctx.idempotency.complete(p.person.name, key, h, result.job.id);
    res.status(202).location(location(result.job.id)).json(toApiJob(result.job, { baseUrl: ctx.baseUrl }));
  });

  app.get('/v1/jobs', ...guard(ctx, 'read', 'listJobs'), async (_req: Request, res: Response) => {
    const q = res.locals.query as { state?: never; operation?: string; requester?: string; cluster?: string; since?: string; cursor?: string; limit?: number };
    const page = await services.jobs.list({
      state: q.state,
      operation: q.operation,
      requester: q.requester,
      cluster: q.cluster,
      since: q.since ? new Date(q.since) : undefined,
      cursor: q.cursor,
      limit: q.limit ?? 50,
    });
    res.json({ jobs: page.jobs.map((j) => toApiJob(j, { baseUrl: ctx.baseUrl })), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  app.get('/v1/jobs/:id', ...guard(ctx, 'read', 'getJob'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    // One round trip: the three reads go out together (a missing job still answers 404).
    const [job, steps, callbackDeliveries] = await Promise.all([services.jobs.get(id), services.store.steps(id), deliveries.list(id)]);
    res.json(toApiJob(job, { steps, callbackDeliveries, baseUrl: ctx.baseUrl }));
  });

  app.post('/v1/jobs/:id/approvals', ...guard(ctx, 'approve', 'decideJob'), async (req: Request, res: Response) => {
    const b = req.body as components['schemas']['Decision'];
    const job = await services.jobs.decide(principalOf(res), String(req.params.id), b.decision, b.comment);
    res.json(toApiJob(job, { baseUrl: ctx.baseUrl }));
  });

  app.post('/v1/jobs/:id/review', ...guard(ctx, 'approve', 'reviewJob'), async (req: Request, res: Response) => {
    const b = req.body as components['schemas']['Comment'];
    res.json(toApiJob(await services.jobs.review(principalOf(res), String(req.params.id), b.comment), { baseUrl: ctx.baseUrl }));
  });

  // read, not request: the service lets the requester, an approver or an admin cancel.
  app.post('/v1/jobs/:id/cancel', ...guard(ctx, 'read', 'cancelJob'), async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as components['schemas']['Comment'];
    res.json(toApiJob(await services.jobs.cancel(principalOf(res), String(req.params.id), b.comment), { baseUrl: ctx.baseUrl }));
  });

  // A rolling job's controls, with the same roles as cancel (the service checks them).
  for (const [action, operationId] of [['pause', 'pauseJob'], ['resume', 'resumeJob'], ['abort', 'abortJob']] as const) {
    app.post(`/v1/jobs/:id/${action}`, ...guard(ctx, 'read', operationId), async (req: Request, res: Response) => {
      const b = (req.body ?? {}) as components['schemas']['Comment'];
      res.json(toApiJob(await services.jobs.control(principalOf(res), String(req.params.id), action, b.comment), { baseUrl: ctx.baseUrl }));
    });
  }
}
