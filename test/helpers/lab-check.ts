import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { flattenResources, parseCrmMonXml } from '../../src/cluster/index.ts';
import { SEED } from '../../src/lab/shapes.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';

/**
 * Independent checks of the lab: the system `ssh` client (not our pool, not our driver's
 * executor) runs the real tools on a node, as an admin would by hand.
 */
export function labSsh(dir: string, node: string, argv: string[]): string {
  const inv = parse(readFileSync(join(dir, 'inventory.yaml'), 'utf8'));
  const hosts = [...inv.clusters[0].nodes, ...inv.storage];
  const h = hosts.find((n: { name: string }) => n.name === node);
  if (!h) throw new Error(`no lab host ${node}`);
  return execFileSync(
    'ssh',
    ['-i', h.identityFile, '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(h.port), `${h.user}@${h.host}`, '--', ...argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`)],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

/** crm_mon on a node, parsed. */
export function labCrmMon(dir: string, node = 'node1'): ClusterStatus {
  return parseCrmMonXml(labSsh(dir, node, ['crm_mon', '--output-as=xml']));
}

/** Where each VM runs, per crm_mon on a node. */
export function vmPlacement(dir: string, node = 'node1'): Record<string, string[]> {
  const s = labCrmMon(dir, node);
  const out: Record<string, string[]> = {};
  for (const r of s.resources) if (/^vm\d+$/.test(r.id)) out[r.id] = r.nodes;
  return out;
}

/** The CIB's constraints section (raw XML), from a node. */
export function labConstraints(dir: string, node = 'node1'): string {
  return labSsh(dir, node, ['cibadmin', '-Q', '-o', 'constraints']);
}

/**
 * Fences of `node` as the fencing history records them: `requested` counts stonith_admin
 * requests (what HASF sends), `physical` the distinct completions — the fencer merges an
 * identical request the cluster itself makes meanwhile into the same fence, and lists both.
 */
export function fenceCounts(dir: string, node: string): { requested: number; physical: number } {
  const xml = labSsh(dir, 'node1', ['stonith_admin', '--history', node, '--verbose', '--output-as=xml']);
  const events = [...xml.matchAll(/<fence_event [^>]*>/g)].map((m) => ({
    client: /client="([^"]*)"/.exec(m[0])?.[1] ?? '',
    completed: /completed="([^"]*)"/.exec(m[0])?.[1] ?? 'pending',
  }));
  return {
    requested: events.filter((e) => e.client.startsWith('stonith_admin')).length,
    physical: new Set(events.map((e) => e.completed)).size,
  };
}

/**
 * Nodes `vm` can be migrated to from where it runs and stay there, on the lab's seed
 * shape (src/lab/shapes.ts): not its own node, not the small node for the big VM, not the
 * group's node for the VM kept apart from it; none for the VM whose preference pulls it
 * back (that case has tests of its own). Tests about queues and crashes use these so they
 * do not depend on placement rules.
 */
export function freeTargets(dir: string, vm: string): string[] {
  const s = labCrmMon(dir);
  const where = s.resources.find((r) => r.id === vm)?.nodes ?? [];
  if (vm === SEED.preference.vm) return [];
  const group = flattenResources(s.resources).find((r) => r.id === SEED.group.ip)?.nodes ?? [];
  return s.nodes
    .filter((n) => n.online && !n.standby && !where.includes(n.name))
    .map((n) => n.name)
    .filter((n) => !(vm === SEED.utilization.big.vm && n === SEED.utilization.small))
    .filter((n) => !(vm === SEED.apart.vm && group.includes(n)));
}
