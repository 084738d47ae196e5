import express, { type Express } from 'express';
import type { Services } from '../app/services.ts';
import { HasfError } from '../errors/index.ts';
import { RefusalAuditor } from './auth.ts';
import { mountDashboard } from './dashboard.ts';
import { jsonBody } from './body.ts';
import { IdempotencyStore } from './idempotency.ts';
import { ApiMetrics } from './metrics.ts';
import { problemHandler, sendProblem } from './problem.ts';
import { RateLimiter } from './rate-limit.ts';
import { auditRoutes } from './routes/audit.ts';
import { clusterRoutes } from './routes/clusters.ts';
import type { RouteContext } from './routes/context.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { operationRoutes } from './routes/operations.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { mountUi, type UiOptions } from '../ui/index.ts';

/** Options of {@link createApiApp}. */
export interface ApiAppOptions {
  /** Add routes before the API's own (the Slack door adds POST /slack/events; it gets raw bodies). */
  mount?: (app: Express) => void;
  /** The web console's options (the demo passes its people for one-click sign-in). */
  ui?: UiOptions;
}

/** The metrics of an app built by createApiApp (startApiServer follows job events with it). */
export const APP_METRICS = Symbol('hasf.metrics');
/** What an app built by createApiApp must stop before its server can close (the console's live streams). */
export const APP_CLOSE = Symbol('hasf.close');

/**
 * The REST API as an Express app: every /v1 route authenticates, rate-limits, checks
 * the role and validates against openapi.yaml before calling the job service; every
 * error leaves as application/problem+json.
 */
export function createApiApp(services: Services, opts: ApiAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Behind a TLS-terminating proxy: client address and protocol from X-Forwarded-* (only when trusted).
  app.set('trust proxy', services.config.api.trustProxy);
  const metrics = new ApiMetrics(services);
  (app as unknown as Record<symbol, unknown>)[APP_METRICS] = metrics;
  const prefix = services.config.redis.prefix;
  const ctx: RouteContext = {
    services,
    limiter: new RateLimiter(services.redis, prefix, services.config.api.rateLimitPerMinute),
    refusals: new RefusalAuditor(services),
    idempotency: new IdempotencyStore(services.redis, prefix),
    baseUrl: (services.config.api.publicUrl ?? '').replace(/\/$/, ''),
  };
  app.use(metrics.middleware());
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  opts.mount?.(app);
  // The JSON parser only where the API reads JSON: /slack keeps its raw body.
  app.use('/v1', jsonBody);
  jobRoutes(app, ctx);
  clusterRoutes(app, ctx);
  operationRoutes(app, ctx);
  auditRoutes(app, ctx);
  tokenRoutes(app, ctx);
  healthRoutes(app, ctx, metrics);
  if (services.config.api.dashboard) mountDashboard(app, services, ctx.refusals);
  const ui = services.config.ui.enabled ? mountUi(app, services, ctx.limiter, opts.ui) : undefined;
  (app as unknown as Record<symbol, unknown>)[APP_CLOSE] = async () => ui?.close();
  app.use((req, res) => {
    sendProblem(res, new HasfError('NOT_FOUND', `There is no ${req.method} ${req.path.slice(0, 100)}; the API is described at /docs.`, {}), req.path.slice(0, 100));
  });
  app.use(problemHandler());
  return app;
}
