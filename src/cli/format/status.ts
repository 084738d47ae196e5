import type { ClusterResource, ClusterStatus } from '../../cluster/model.ts';
import { maintenanceLine, type MaintenanceEntry } from '../../operations/maintenance-status.ts';
import { table } from '../output.ts';

/** A node's state in one word or two: online, standby, OFFLINE, UNCLEAN … */
export function nodeState(n: ClusterStatus['nodes'][number]): string {
  const s: string[] = [];
  if (n.unclean) s.push('UNCLEAN');
  s.push(n.online ? 'online' : 'OFFLINE');
  if (n.standby) s.push('standby');
  if (n.maintenance) s.push('maintenance');
  return s.join(', ');
}

function flatten(rs: ClusterResource[], depth = 0): Array<{ r: ClusterResource; depth: number }> {
  return rs.flatMap((r) => [{ r, depth }, ...flatten(r.children ?? [], depth + 1)]);
}

/** `hasf status CLUSTER`: quorum line, nodes table, resources table, leftover constraints. */
export function formatClusterStatus(cluster: string, s: ClusterStatus): string {
  const out = [
    `Cluster ${cluster}: ${s.quorum.hasQuorum ? 'quorate' : 'NO QUORUM'}${s.dcNode ? `, DC ${s.dcNode}` : ''}${s.stackVersion ? `, ${s.stackVersion}` : ''}${s.maintenanceMode ? ', MAINTENANCE MODE' : ''}${s.stonithEnabled === false ? ', stonith disabled' : ''}`,
    '',
    table(
      ['NODE', 'STATE', 'RESOURCES'],
      s.nodes.map((n) => [n.name + (n.isDc ? ' (DC)' : ''), nodeState(n), n.resourcesRunning]),
    ),
    '',
    table(
      ['RESOURCE', 'KIND', 'ROLE', 'NODES', 'NOTES'],
      flatten(s.resources)
        // Clone instances repeat their primitive once per node; the clone line says it all.
        .filter(({ r, depth }) => !(depth > 0 && r.kind === 'primitive' && r.parent && s.resources.some((c) => c.id === r.parent && c.kind === 'clone')))
        .map(({ r, depth }) => [
          '  '.repeat(depth) + r.id,
          r.isFenceDevice ? 'stonith' : r.kind,
          r.role,
          r.nodes.join(',') || '-',
          [r.failed ? 'FAILED' : '', r.managed ? '' : 'unmanaged', r.allowMigrate ? 'live-migrate' : '', failNote(r)].filter(Boolean).join(', '),
        ]),
    ),
  ];
  const maintenance = (s as ClusterStatus & { maintenance?: MaintenanceEntry[] }).maintenance ?? [];
  if (maintenance.length) {
    out.push('', 'In maintenance (the cluster does not manage it):');
    for (const m of maintenance) out.push(`  ${maintenanceLine(m)}`);
  }
  const leftovers = s.constraints.filter((c) => c.leftover);
  if (leftovers.length) {
    out.push('', 'Leftover move/ban constraints (crm_resource --clear):');
    for (const c of leftovers) out.push(`  ${c.id}: ${c.resource} ${c.leftover} ${c.node ?? ''} (${c.score})`);
  }
  return out.join('\n');
}

function failNote(r: ClusterResource): string {
  const f = Object.entries(r.failCounts ?? {}).filter(([, n]) => n > 0);
  return f.length ? `failcount ${f.map(([node, n]) => `${node}=${n}`).join(' ')}` : '';
}
