import type { Express, NextFunction, Request, Response } from 'express';
import { RefusalAuditor } from '../api/auth.ts';
import type { RateLimiter } from '../api/rate-limit.ts';
import type { Services } from '../app/services.ts';
import { HasfError } from '../errors/index.ts';
import { Assets } from './assets.ts';
import { formBody } from './form-body.ts';
import { UI_PATH, type DemoPerson, type UiContext } from './context.ts';
import { LiveHub } from './live.ts';
import { securityHeaders, uiErrorHandler } from './render.ts';
import { actionRoutes } from './routes/actions.ts';
import { liveRoutes } from './routes/live.ts';
import { pageRoutes } from './routes/pages.ts';
import { sessionRoutes } from './routes/session.ts';
import { SessionStore } from './session-store.ts';
import { StreamRegistry } from './sse.ts';

export { UI_PATH, type DemoPerson } from './context.ts';

/** Options of {@link mountUi}. */
export interface UiOptions {
  /** People the sign-in page offers with one click: only the demo passes them (it holds their tokens). */
  demoPeople?: readonly DemoPerson[];
}

/** A mounted console: close() ends open live streams and the status readers. */
export interface MountedUi {
  close(): Promise<void>;
}

/**
 * The web console under /ui/: sign-in into a session cookie, the cluster picture, jobs
 * and a job page with live steps, approve/reject/cancel/review, and the audit log with
 * its verify result and export. Every page calls the same job, status and audit
 * services as the REST API, with the same roles.
 */
export function mountUi(app: Express, services: Services, limiter: RateLimiter, opts: UiOptions = {}): MountedUi {
  const cfg = services.config.ui;
  const ctx: UiContext = {
    services,
    sessions: new SessionStore({ redis: services.redis, prefix: services.config.redis.prefix, idleMs: cfg.sessionIdleMinutes * 60_000, maxMs: cfg.sessionMaxHours * 3_600_000 }),
    refusals: new RefusalAuditor(services, 10_000, 'web'),
    limiter,
    live: new LiveHub(services, { refreshMs: cfg.refreshSeconds * 1000, checkMs: cfg.checkSeconds * 1000 }),
    streams: new StreamRegistry(),
    assets: new Assets(),
    demoPeople: opts.demoPeople ?? [],
    publicUrl: (services.config.api.publicUrl ?? '').replace(/\/$/, ''),
  };
  app.use(UI_PATH, securityHeaders());
  app.use(UI_PATH, formBody);
  ctx.assets.mount(app);
  sessionRoutes(app, ctx);
  pageRoutes(app, ctx);
  actionRoutes(app, ctx);
  liveRoutes(app, ctx);
  app.use(UI_PATH, (req: Request, _res: Response, next: NextFunction) => {
    next(new HasfError('NOT_FOUND', `The console has no page ${req.originalUrl.split('?')[0]!.slice(0, 100)}; start at /ui/.`, {}));
  });
  app.use(UI_PATH, uiErrorHandler(ctx));
  return {
    async close() {
      ctx.streams.closeAll();
      await ctx.live.close();
    },
  };
}
