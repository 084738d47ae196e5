import type { ClusterStatus } from '../cluster/model.ts';
import { HasfError } from '../errors/index.ts';
import { allResources, onlineNodes, requireNode } from './status-helpers.ts';
import { disruptiveNodeLocks } from './lines.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import type { OperationDef } from './types.ts';
import { waitForClusterSettled, waitUntilSettled } from './wait-cluster.ts';

/** Where each resource runs (clone instances: every node), for a result. */
function placementOf(s: ClusterStatus): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of allResources(s)) if (r.kind === 'primitive' && r.nodes.length) out[r.id] = [...new Set([...(out[r.id] ?? []), ...r.nodes])];
  return out;
}

export interface NodeParams {
  node: string;
}

const nodeParams = {
  type: 'object',
  additionalProperties: false,
  required: ['node'],
  properties: { node: nameSchema('Node name') },
};

/** node.standby: drain a node (its resources move away; it still counts for quorum). */
export const nodeStandby: OperationDef<NodeParams> = {
  name: 'node.standby',
  summary: 'Put a node in standby: its resources move to other nodes.',
  replaces: 'crm_standby -U node2 -v on / crm_attribute --node node2 --name standby --update on',
  risk: 'medium',
  disruptive: true,
  defaultApprovals: 1,
  usage: '/hasf standby <node> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 15 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'TARGET_OFFLINE', 'LAST_NODE', 'RESOURCES_WOULD_STOP'],
  paramsSchema: nodeParams,
  locks: async (p) => disruptiveNodeLocks(p),
  target: (p) => p.node,

  async preflight(ctx, p) {
    const status = await ctx.status();
    const node = requireNode(status, p.node);
    if (node.standby) throw new HasfError('ALREADY_THERE', `${p.node} is already in standby.`, { node: p.node });
    if (!node.online) throw new HasfError('TARGET_OFFLINE', `${p.node} is offline; there is nothing to drain.`, { node: p.node });
    const others = onlineNodes(status).filter((n) => n.name !== p.node && !n.standby);
    if (others.length === 0) {
      throw new HasfError('LAST_NODE', `${p.node} is the last online node that can run resources; standby would stop everything.`, { node: p.node });
    }
    // The scheduler decides whether every resource still has somewhere to run.
    const prediction = await ctx.pacemaker.predict({ kind: 'standby', node: p.node, on: true });
    const clones = new Set(status.resources.filter((r) => r.kind === 'clone').map((r) => r.id));
    const stranded = allResources(status).filter(
      (r) =>
        r.kind === 'primitive' &&
        !r.isFenceDevice &&
        !(r.parent && clones.has(r.parent)) &&
        r.active &&
        r.nodes.includes(p.node) &&
        (prediction.placement[r.id] ?? []).length === 0,
    );
    if (stranded.length) {
      throw new HasfError(
        'RESOURCES_WOULD_STOP',
        `Standby of ${p.node} would leave ${stranded.map((r) => r.id).join(', ')} with nowhere to run (they would stop); free capacity or constraints elsewhere first.`,
        { node: p.node, resources: stranded.map((r) => r.id) },
      );
    }
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const change = { kind: 'standby', node: p.node, on: true } as const;
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    const running = allResources(status).filter((r) => r.kind === 'primitive' && r.nodes.includes(p.node)).map((r) => r.id);
    return {
      summary: `Put ${p.node} in standby (moves ${running.length} resource instance(s) away: ${running.join(', ') || 'none'})`,
      commands: argvs.map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings: predicted.warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('standby');
    const status = await ctx.pacemaker.status();
    const node = requireNode(status, p.node);
    if (!node.standby) {
      const r = await ctx.pacemaker.standby(p.node, true);
      if (r.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `crm_attribute failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`);
    }
    await ctx.saveCheckpoint({ standbySet: true });
    await ctx.step('verify');
    // Judged once the cluster has settled: what runs where, and in which role, then.
    const settled = await waitUntilSettled(ctx, `${p.node} in standby with no resources, the cluster settled`, 10 * 60_000);
    const s = settled.status;
    const n = s.nodes.find((x) => x.name === p.node);
    const left = allResources(s).filter((r) => r.kind === 'primitive' && r.nodes.includes(p.node)).map((r) => r.id);
    if (!n?.standby || left.length) {
      throw new HasfError('VERIFY_FAILED', `The cluster settled with ${!n?.standby ? `${p.node} not in standby` : `${left.join(', ')} still on ${p.node}`}; check crm_mon on the cluster.`, { node: p.node, left, did: settled.did });
    }
    const stopped = allResources(status).filter((r) => r.kind === 'primitive' && r.active && r.nodes.includes(p.node)).filter((r) => !allResources(s).some((x) => x.id === r.id && x.active)).map((r) => r.id);
    const promoted = allResources(s).filter((r) => r.role === 'Promoted').map((r) => `${r.id} promoted on ${r.nodes.join(', ')}`);
    return {
      summary: `${p.node} is in standby; no resources run on it${stopped.length ? `; ${stopped.join(', ')} stopped (nowhere else to run)` : ''}${promoted.length ? `; ${promoted.join(', ')}` : ''}.`,
      details: { node: p.node, did: settled.did, clusterMs: settled.clusterMs, placement: placementOf(s), ...(stopped.length ? { stopped } : {}) },
    };
  },
};

/** node.online: take a node out of standby. */
export const nodeOnline: OperationDef<NodeParams> = {
  name: 'node.online',
  summary: 'Take a node out of standby so it can run resources again.',
  replaces: 'crm_standby -U node2 -v off / crm_attribute --node node2 --name standby --update off',
  risk: 'low',
  disruptive: true,
  defaultApprovals: 1,
  usage: '/hasf online <node> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 5 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'TARGET_OFFLINE', 'TARGET_UNCLEAN'],
  paramsSchema: nodeParams,
  locks: async (p) => disruptiveNodeLocks(p),
  target: (p) => p.node,

  async preflight(ctx, p) {
    const status = await ctx.status();
    const node = requireNode(status, p.node);
    if (!node.standby) throw new HasfError('ALREADY_THERE', `${p.node} is not in standby.`, { node: p.node });
    if (!node.online) throw new HasfError('TARGET_OFFLINE', `${p.node} is offline; it must be up before it can leave standby.`, { node: p.node });
    if (node.unclean) throw new HasfError('TARGET_UNCLEAN', `${p.node} is unclean; resolve it first.`, { node: p.node });
  },

  async plan(ctx, p) {
    const change = { kind: 'standby', node: p.node, on: false } as const;
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    return {
      summary: `Take ${p.node} out of standby`,
      commands: argvs.map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings: predicted.warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('online');
    const status = await ctx.pacemaker.status();
    if (requireNode(status, p.node).standby) {
      const r = await ctx.pacemaker.standby(p.node, false);
      if (r.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `crm_attribute failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`);
    }
    await ctx.step('verify');
    const settled = await waitForClusterSettled(
      ctx,
      `${p.node} online and eligible, the cluster settled`,
      (s) => {
        const n = s.nodes.find((x) => x.name === p.node);
        return !!n && n.online && !n.standby && !n.unclean;
      },
      2 * 60_000,
    );
    const back = allResources(settled.status).filter((r) => r.kind === 'primitive' && r.nodes.includes(p.node) && !r.isFenceDevice);
    const promoted = back.filter((r) => r.role === 'Promoted').map((r) => r.id);
    return {
      summary: `${p.node} is online and eligible to run resources; the cluster settled with ${back.length} resource instance(s) on it${promoted.length ? ` (${promoted.join(', ')} promoted there)` : ''}.`,
      details: { node: p.node, did: settled.did, clusterMs: settled.clusterMs, placement: placementOf(settled.status) },
    };
  },
};
