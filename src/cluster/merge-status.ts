import type { ClusterResource, ClusterStatus } from './model.ts';
import { flattenResources } from './parse-crm-mon.ts';

/**
 * status() = crm_mon + CIB: crm_mon knows the live state, only the CIB knows the
 * configuration (allow-migrate, location constraints incl. cli-* leftovers, target-role).
 * Returns a new status; neither input is changed.
 */
export function mergeCibIntoStatus(live: ClusterStatus, cib: ClusterStatus): ClusterStatus {
  const conf = new Map<string, ClusterResource>();
  for (const r of flattenResources(cib.resources)) conf.set(r.id, r);
  const enrich = (rs: ClusterResource[]): ClusterResource[] =>
    rs.map((r) => {
      const c = conf.get(r.id);
      const out: ClusterResource = { ...r };
      if (c) {
        if (r.kind === 'primitive' && c.allowMigrate !== undefined) out.allowMigrate = c.allowMigrate;
        if (out.targetRole === undefined && c.targetRole !== undefined) out.targetRole = c.targetRole;
        if (out.failCounts === undefined && c.failCounts !== undefined) out.failCounts = c.failCounts;
        if (out.agent === undefined && c.agent) out.agent = c.agent;
      }
      if (r.children) out.children = enrich(r.children);
      return out;
    });
  const resources = enrich(live.resources);
  return {
    ...live,
    stackVersion: live.stackVersion || cib.stackVersion,
    stonithEnabled: live.stonithEnabled ?? cib.stonithEnabled,
    maintenanceMode: live.maintenanceMode ?? cib.maintenanceMode,
    resources,
    constraints: cib.constraints,
    fenceDevices: flattenResources(resources).filter((r) => r.isFenceDevice),
  };
}
