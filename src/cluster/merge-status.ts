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
        if (c.guestNode) out.guestNode = c.guestNode;
        if (c.template) out.template = c.template;
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
    // crm_mon can't name a guest node's host without its container: the CIB's reading can.
    nodes: live.nodes.map((n) => {
      const c = cib.nodes.find((x) => x.name === n.name);
      return n.type === 'guest' && !n.host && c?.host ? { ...n, host: c.host } : n;
    }),
    ...(cib.tags ? { tags: cib.tags } : {}),
    tickets: live.tickets?.map((t) => ({ ...t, ...(cib.tickets?.find((x) => x.id === t.id)?.resources ? { resources: cib.tickets.find((x) => x.id === t.id)!.resources } : {}) })) ?? cib.tickets,
    constraints: cib.constraints,
    fenceDevices: flattenResources(resources).filter((r) => r.isFenceDevice),
  };
}
