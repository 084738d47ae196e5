import type { ClusterNode, ClusterResource, ClusterStatus } from '../cluster/model.ts';
import { flattenResources } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { closest } from '../util/closest.ts';

/** Every resource, groups' and clones' members included. */
export const allResources = (status: ClusterStatus): ClusterResource[] => flattenResources(status.resources);

/** A node by name, or UNKNOWN_OBJECT naming the closest known nodes. */
export function requireNode(status: ClusterStatus, name: string): ClusterNode {
  const node = status.nodes.find((n) => n.name === name);
  if (node) return node;
  const near = closest(name, status.nodes.map((n) => n.name));
  throw new HasfError(
    'UNKNOWN_OBJECT',
    `There is no node "${name}" in this cluster${near.length ? `; did you mean ${near.join(', ')}?` : '.'}`,
    { kind: 'node', name, closest: near, known: status.nodes.map((n) => n.name) },
  );
}

/** A resource by id (members of groups and clones included), or UNKNOWN_OBJECT. */
export function requireResource(
  status: ClusterStatus,
  id: string,
  kind: 'vm' | 'resource' = 'resource',
): ClusterResource {
  const candidates =
    kind === 'vm'
      ? allResources(status).filter((r) => r.kind === 'primitive' && !r.isFenceDevice)
      : allResources(status);
  const r = candidates.find((c) => c.id === id);
  if (r) return r;
  const near = closest(id, candidates.map((c) => c.id));
  throw new HasfError(
    'UNKNOWN_OBJECT',
    `There is no ${kind === 'vm' ? 'VM' : 'resource'} "${id}" in this cluster${near.length ? `; did you mean ${near.join(', ')}?` : '.'}`,
    { kind, name: id, closest: near },
  );
}

/** Refuse a node that can't take resources (offline, unclean, standby). */
export function requireEligibleNode(node: ClusterNode): void {
  if (node.unclean)
    throw new HasfError('TARGET_UNCLEAN', `Node ${node.name} is unclean (awaiting fencing); pick another node or resolve it first.`, { node: node.name });
  if (!node.online)
    throw new HasfError('TARGET_OFFLINE', `Node ${node.name} is offline; bring it online or pick another node.`, { node: node.name });
  // A node still joining (pending) is shown in standby by the scheduler until its join completes.
  if (node.pending)
    throw new HasfError('TARGET_OFFLINE', `Node ${node.name} is still joining the cluster (pending), not ready to run resources; try again once crm_mon shows it online.`, { node: node.name, pending: true });
  if (node.standby)
    throw new HasfError('TARGET_STANDBY', `Node ${node.name} is in standby; run "online ${node.name}" first or pick another node.`, { node: node.name });
}

/** `node` answers the cluster: online, clean and done joining (its standby may still be set). */
export function nodeBack(s: ClusterStatus, node: string): boolean {
  const n = s.nodes.find((x) => x.name === node);
  return !!n && n.online && !n.unclean && !n.pending;
}

/** Nodes that count as online members (for quorum arithmetic). */
export function onlineNodes(status: ClusterStatus): ClusterNode[] {
  return status.nodes.filter((n) => n.online && !n.unclean && (n.type ?? 'member') === 'member');
}

/** cli-prefer-/cli-ban- constraints left behind for a resource. */
export function leftoverConstraints(status: ClusterStatus, resource: string) {
  return status.constraints.filter((c) => c.leftover && c.resource === resource);
}
