import type { ClusterStatus } from '../cluster/model.ts';
import { parseCibDetail, type CibDetail } from '../cluster/index.ts';
import { allResources } from './status-helpers.ts';
import type { MaintenanceEntry } from './maintenance-entry.ts';

export { maintenanceLine, type MaintenanceEntry } from './maintenance-entry.ts';

/** A finished maintenance job, as the job store keeps it. */
export interface MaintenanceJob {
  id: string;
  operation: string;
  params: Record<string, unknown>;
  requester: string;
  finishedAt?: string;
}

/**
 * What is in maintenance, from the cluster (crm_mon's maintenance-mode and node flags, the
 * CIB's resource meta), each with since when: the newest succeeded HASF job for that object,
 * when it turned maintenance on. A flag set by hand (or whose newest job turned it off, so
 * someone set it again since) has no `since`: the CIB keeps no time for an attribute.
 */
export function maintenanceEntries(cluster: string, status: ClusterStatus, detail: CibDetail, jobs: readonly MaintenanceJob[]): MaintenanceEntry[] {
  const newest = (operation: string, match: (p: Record<string, unknown>) => boolean) =>
    jobs.filter((j) => j.operation === operation && match(j.params) && j.finishedAt).sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : -1))[0];
  const since = (j: MaintenanceJob | undefined) => (j && j.params.state === 'on' ? { since: j.finishedAt!, job: j.id, by: j.requester } : {});
  const out: MaintenanceEntry[] = [];
  if (status.maintenanceMode) out.push({ kind: 'cluster', name: cluster, flag: 'maintenance-mode', ...since(newest('cluster.maintenance', () => true)) });
  for (const n of status.nodes.filter((x) => x.maintenance)) {
    out.push({ kind: 'node', name: n.name, flag: 'maintenance', ...since(newest('node.maintenance', (p) => p.node === n.name)) });
  }
  for (const r of allResources(status)) {
    const meta = detail.meta[r.id];
    const flag = meta?.maintenance === 'true' ? 'maintenance' : meta?.isManaged === 'false' ? 'is-managed=false' : undefined;
    if (flag) out.push({ kind: 'resource', name: r.id, flag, ...since(newest('resource.maintenance', (p) => p.resource === r.id)) });
  }
  return out;
}

/** The maintenance operations whose jobs say since when. */
export const MAINTENANCE_OPERATIONS = ['cluster.maintenance', 'node.maintenance', 'resource.maintenance'] as const;

/**
 * What is in maintenance on `cluster` now: the flags from `status` and the CIB, each with
 * the newest succeeded maintenance job of it (read through `listJobs`, the job store).
 */
export async function readMaintenance(
  cluster: string,
  status: ClusterStatus,
  cib: () => Promise<string>,
  listJobs: (operation: string) => Promise<MaintenanceJob[]>,
): Promise<MaintenanceEntry[]> {
  const flagged = status.maintenanceMode || status.nodes.some((n) => n.maintenance) || allResources(status).some((r) => !r.managed);
  if (!flagged) return [];
  const [xml, ...lists] = await Promise.all([cib(), ...MAINTENANCE_OPERATIONS.map((op) => listJobs(op))]);
  return maintenanceEntries(cluster, status, parseCibDetail(xml), lists.flat());
}
