// What status shows of a maintenance flag, without the CIB readers: the CLI's status
// formatter imports only this, so `hasf status` does not load the cluster parsers.

/** One thing in maintenance, and since when HASF knows it to be. */
export interface MaintenanceEntry {
  kind: 'cluster' | 'node' | 'resource';
  /** The cluster, node or resource id. */
  name: string;
  /** How: maintenance-mode, the node attribute, meta maintenance=true, or is-managed=false. */
  flag: 'maintenance-mode' | 'maintenance' | 'is-managed=false';
  /** When the HASF job that turned it on finished; absent when it was set outside HASF. */
  since?: string;
  /** That job's id and requester. */
  job?: string;
  by?: string;
}

/** One line for people: "node2 (maintenance) since 2026-12-01T21:40:00Z, by otto (job j123)". */
export function maintenanceLine(e: MaintenanceEntry): string {
  const what = e.kind === 'cluster' ? `cluster ${e.name} (maintenance-mode)` : `${e.kind} ${e.name} (${e.flag})`;
  return `${what} ${e.since ? `since ${e.since}, by ${e.by} (job ${e.job})` : 'since: unknown (set outside HASF)'}`;
}
