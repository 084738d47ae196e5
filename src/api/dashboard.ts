import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Services } from '../app/services.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { CALLBACKS_QUEUE, jobQueueName, TIMERS_QUEUE } from '../queue/queues.ts';
import type { RefusalAuditor } from './auth.ts';
import { sendProblem } from './problem.ts';

/** Where the queue dashboard is served. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * The token of a request: `Authorization: Bearer TOKEN`, or HTTP Basic with the token as
 * the password, so a browser can open the dashboard (it prompts for it).
 */
function bearerOf(req: Request): string | undefined {
  const h = req.headers.authorization ?? '';
  if (/^Bearer\s/i.test(h)) return h;
  const m = /^Basic\s+(\S+)$/i.exec(h);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return `Bearer ${decoded.slice(decoded.indexOf(':') + 1)}`;
}

/**
 * The BullMQ dashboard (bull-board) for admins only: every job queue, the timers and the
 * callback deliveries. Operators fix queues through HASF's own endpoints; this is for
 * looking, retrying a stuck delivery, and emergencies. bull-board (~5 MB of heap) is
 * loaded at the first admin request, not at start: most API processes never serve it.
 */
export function mountDashboard(app: Express, services: Services, refusals: RefusalAuditor): void {
  let router: Promise<RequestHandler> | undefined;
  const load = async (): Promise<RequestHandler> => {
    const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/express')]);
    const adapter = new ExpressAdapter();
    adapter.setBasePath(DASHBOARD_PATH);
    const names = [...services.access.clusters().map(jobQueueName), TIMERS_QUEUE, CALLBACKS_QUEUE];
    createBullBoard({ queues: names.map((n) => new BullMQAdapter(services.queues.get(n))), serverAdapter: adapter });
    return adapter.getRouter() as RequestHandler;
  };
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = await services.auth.fromBearer(bearerOf(req));
      services.auth.require(p, 'admin');
      next();
    } catch (err) {
      if (isHasfError(err)) await refusals.record(req, 'anonymous', err.code, err.message, { dashboard: true });
      res.setHeader('WWW-Authenticate', 'Basic realm="HASF queues (password: an admin API token)"');
      sendProblem(res, isHasfError(err) ? err : new HasfError('UNAUTHENTICATED', 'Admin token required.'), req.path);
    }
  };
  const dashboard = (req: Request, res: Response, next: NextFunction) => {
    (router ??= load()).then(
      (handle) => handle(req, res, next),
      (err: unknown) => {
        router = undefined; // a failed load is tried again at the next request
        next(err);
      },
    );
  };
  app.use(DASHBOARD_PATH, guard, dashboard);
}
