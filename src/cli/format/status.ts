import type { ClusterResource, ClusterStatus } from '../../cluster/model.ts';
import { maintenanceLine, type MaintenanceEntry } from '../../operations/maintenance-entry.ts';
import { table } from '../output.ts';

/** A node's state in one word or two: online, standby, OFFLINE, UNCLEAN … */
export function nodeState(n: ClusterStatus['nodes'][number]): string {
  const s: string[] = [];
  if (n.unclean) s.push('UNCLEAN');
  s.push(n.online ? 'online' : 'OFFLINE');
  if (n.pending) s.push('pending');
  if (n.standby) s.push(n.standbyOnFail ? 'standby (on-fail)' : 'standby');
  if (n.maintenance) s.push('maintenance');
  if (n.type === 'remote') s.push('remote node');
  if (n.type === 'guest') s.push(`guest node${n.container ? ` in ${n.container}` : ''}${n.host ? ` on ${n.host}` : ''}`);
  return s.join(', ');
}

/** Where a resource runs, with each instance's role when they differ (promotable clones, bundles). */
function where(r: ClusterResource): string {
  // A clone of one primitive: its instances are the clone's.
  const prims = r.kind === 'clone' ? flatten(r.children ?? []).filter(({ r: c }) => c.kind === 'primitive') : [];
  const own = prims.length === 1 ? prims[0]!.r.instances : r.instances;
  const active = (own ?? []).filter((i) => i.active);
  const roles = new Set(active.map((i) => i.role));
  if (r.kind === 'bundle' && active.length) return active.map((i) => `${i.id}@${i.nodes.join('+')}${i.role !== 'Started' ? ` ${i.role}` : ''}`).join(', ');
  if (roles.size > 1 || (roles.size === 1 && !roles.has(r.role))) {
    return active.map((i) => `${i.nodes.join('+')} ${i.role}`).join(', ');
  }
  return r.nodes.join(',') || '-';
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
        // A bundle's own address, container and connection per replica: the bundle line says where.
        .filter(({ r }) => !(r.parent && r.id.startsWith(`${r.parent}-`) && s.resources.some((b) => b.id === r.parent && b.kind === 'bundle')))
        .map(({ r, depth }) => [
          '  '.repeat(depth) + r.id,
          r.isFenceDevice ? 'stonith' : r.kind,
          r.role,
          where(r),
          [
            r.failed ? 'FAILED' : '',
            r.orphaned ? 'ORPHANED (no longer configured)' : '',
            r.blocked ? 'blocked' : '',
            r.managed ? '' : 'unmanaged',
            r.promotable ? 'promotable' : '',
            r.guestNode ? `hosts guest node ${r.guestNode}` : '',
            r.allowMigrate ? 'live-migrate' : '',
            r.pending ? `${r.pending} pending` : '',
            failNote(r),
          ].filter(Boolean).join(', '),
        ]),
    ),
  ];
  if (s.failedActions?.length) {
    out.push('', 'Failed resource actions:');
    for (const f of s.failedActions) out.push(`  ${f.resource} ${f.operation}${f.intervalMs ? ` (every ${f.intervalMs / 1000} s)` : ''} on ${f.node}: ${f.rcText}${f.status ? `, ${f.status}` : ''}${f.exitReason ? ` (${f.exitReason})` : ''}${f.at ? ` at ${f.at}` : ''}`);
  }
  if (s.pendingActions?.length) {
    out.push('', 'Operations in flight:');
    for (const p of s.pendingActions) out.push(`  ${p.resource} ${p.operation} on ${p.node}`);
  }
  if (s.tickets?.length) {
    out.push('', 'Tickets:');
    for (const t of s.tickets) out.push(`  ${t.id}: ${t.granted ? 'granted' : 'revoked'}${t.standby ? ', standby' : ''}${t.resources?.length ? ` (${t.resources.join(', ')})` : ''}`);
  }
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
