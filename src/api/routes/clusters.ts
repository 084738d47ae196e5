import type { Express, Request, Response } from 'express';
import { checkCluster } from '../../operations/check/index.ts';
import { readMaintenance } from '../../operations/index.ts';
import { guard, type RouteContext } from './context.ts';

/** GET /v1/clusters, GET /v1/clusters/{cluster}/status and GET /v1/clusters/{cluster}/check. */
export function clusterRoutes(app: Express, ctx: RouteContext): void {
  const { services } = ctx;
  app.get('/v1/clusters', ...guard(ctx, 'read', 'listClusters'), (_req: Request, res: Response) => {
    res.json({
      clusters: services.config.clusters.map((c) => ({
        name: c.name,
        nodes: c.nodes.map((n) => n.name),
        dialect: c.dialect,
        storageTargets: services.access.storageTargets(c.name).map((s) => s.name),
      })),
    });
  });

  app.get('/v1/clusters/:cluster/status', ...guard(ctx, 'read', 'clusterStatus'), async (req: Request, res: Response) => {
    const name = String(req.params.cluster);
    services.access.cluster(name); // UNKNOWN_CLUSTER before any command
    const driver = services.access.pacemaker(name);
    const s = await driver.status();
    // What is in maintenance, and since when (the HASF job that turned it on, when there is one).
    const maintenance = await readMaintenance(name, s, () => driver.cib(), async (operation) => (await services.jobs.list({ operation, cluster: name, state: 'succeeded', limit: 100 })).jobs);
    res.json({ cluster: name, ...s, leftoverConstraints: s.constraints.filter((c) => c.leftover), maintenance });
  });

  // Read-only like status: runs at once, not queued; each finding says how to fix it.
  app.get('/v1/clusters/:cluster/check', ...guard(ctx, 'read', 'clusterCheck'), async (req: Request, res: Response) => {
    res.json(await checkCluster(services.access, String(req.params.cluster)));
  });
}
