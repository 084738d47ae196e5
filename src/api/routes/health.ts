import type { Express, Request, Response } from 'express';
import { heartbeatKey } from '../../app/worker.ts';
import { authenticate } from '../auth.ts';
import type { ApiMetrics } from '../metrics.ts';
import { renderDocs } from '../docs.ts';
import { specText } from '../spec.ts';
import type { RouteContext } from './context.ts';

/** A worker heartbeat older than this means no worker is serving (they beat every 5 s). */
export const HEARTBEAT_STALE_MS = 30_000;

/** /healthz, /readyz, /metrics, /openapi.yaml and /docs: no token needed. */
export function healthRoutes(app: Express, ctx: RouteContext, metrics: ApiMetrics): void {
  const { services } = ctx;
  // Rendered at the first visit (~0.5 MB of HTML most API processes never serve), then kept.
  let docs: string | undefined;
  app.get('/healthz', (_req: Request, res: Response) => void res.json({ status: 'ok' }));

  app.get('/readyz', async (_req: Request, res: Response) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await Promise.race([services.redis.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('no answer within 2 s')), 2000).unref())]);
      checks.redis = { ok: true };
      const beats = await services.redis.hgetall(heartbeatKey(services.config.redis.prefix));
      const fresh = Object.values(beats).filter((t) => Date.now() - Number(t) < HEARTBEAT_STALE_MS).length;
      checks.worker = fresh > 0 ? { ok: true, detail: `${fresh} worker(s) seen in the last ${HEARTBEAT_STALE_MS / 1000} s` } : { ok: false, detail: 'no worker heartbeat in the last 30 s; start a worker' };
    } catch (err) {
      checks.redis = { ok: false, detail: `Redis unreachable: ${(err as Error).message}` };
    }
    const ok = Object.values(checks).every((c) => c.ok) && checks.worker !== undefined;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks });
  });

  // api.metricsAuth: token puts /metrics behind the same bearer check as /v1 (read access).
  const metricsGuard = services.config.api.metricsAuth === 'token' ? [authenticate(services, ctx.limiter, ctx.refusals, 'read')] : [];
  app.get('/metrics', ...metricsGuard, async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.yaml', (_req: Request, res: Response) => void res.type('application/yaml').send(specText()));
  app.get('/docs', (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('text/html').send((docs ??= renderDocs()));
  });
}
