import { banArgv, clearExpiredArgv, type ClusterStatus } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { requireSafeCluster, selfAndMembers } from './cluster-safety.ts';
import { nodeLine, resourceLine, uniqueLines } from './lines.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import { allResources, leftoverConstraints, requireNode, requireResource } from './status-helpers.ts';
import type { OperationContext, OperationDef, Plan } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface BanParams {
  resource: string;
  node: string;
  /** ISO 8601 duration (PT1H): the ban stops applying then (its constraint stays until cleared). */
  lifetime?: string;
}

export interface ClearParams {
  resource: string;
  /** Only the constraints whose lifetime has expired (Pacemaker 2.0.1+). */
  expired?: boolean;
}

const any = (ctx: OperationContext) => `any node of ${ctx.cluster}`;
const banId = (resource: string, node: string) => `cli-ban-${resource}-on-${node}`;

/** Nodes `id` (or its members) runs on. */
const nodesOf = (s: ClusterStatus, id: string) => {
  const ids = selfAndMembers(s, id);
  return [...new Set(allResources(s).filter((r) => ids.has(r.id)).flatMap((r) => r.nodes))].sort();
};
const placedAfter = (s: ClusterStatus, id: string, prediction: Plan['prediction']) =>
  prediction ? [...new Set([...selfAndMembers(s, id)].flatMap((m) => prediction.placement[m] ?? []))].sort() : undefined;
/** Nothing of `id` in transition (starting, stopping, migrating). */
const steady = (s: ClusterStatus, id: string) => {
  const ids = selfAndMembers(s, id);
  return allResources(s)
    .filter((r) => ids.has(r.id) && r.kind === 'primitive')
    .every((r) => ['Started', 'Stopped', 'Promoted', 'Unpromoted', 'Master', 'Slave'].includes(r.role) && (r.active ? r.nodes.length > 0 : r.nodes.length === 0));
};

/** resource.ban: a cli-ban constraint keeping a resource off a node (for a lifetime, when given). */
export const resourceBan: OperationDef<BanParams> = {
  name: 'resource.ban',
  summary: 'Keep a resource off a node (a cli-ban constraint, -INFINITY), optionally for a lifetime; it moves away if it runs there. Lifted with resource.clear.',
  replaces: 'crm_resource --ban --resource R --node N [--lifetime PT1H]; crm resource ban R N; pcs resource ban R N',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf resource ban <resource> <node> [--lifetime PT1H] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'RESOURCES_WOULD_STOP', 'UNSAFE_CLUSTER', 'UNSUPPORTED_STACK'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['resource', 'node'],
    properties: {
      resource: nameSchema('Resource id'),
      node: nameSchema('Node to keep it off'),
      lifetime: { type: 'string', pattern: '^P(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$', maxLength: 32, description: 'ISO 8601 duration, e.g. PT1H or P1D: the ban stops applying then (the constraint stays until cleared)' },
    },
  },
  // Like a migration: the resource, and the node it leaves (shared).
  locks: async (p) => uniqueLines([resourceLine(p.resource), nodeLine(p.node, 'shared')]),
  target: (p) => `${p.resource} off ${p.node}${p.lifetime ? ` for ${p.lifetime}` : ''}`,

  async preflight(ctx, p) {
    const { spec } = await ctx.pacemaker.dialect();
    banArgv(spec, p.resource, p.node, p.lifetime);
    const status = await ctx.status();
    requireResource(status, p.resource);
    requireNode(status, p.node);
    if (status.constraints.some((c) => c.id === banId(p.resource, p.node))) {
      throw new HasfError('ALREADY_THERE', `${banId(p.resource, p.node)} exists already: ${p.resource} is banned from ${p.node}.`, { resource: p.resource, node: p.node });
    }
    await requireSafeCluster(ctx, `ban ${p.resource} from ${p.node}`, status);
    const before = nodesOf(status, p.resource);
    const prediction = await ctx.pacemaker.predict({ kind: 'ban', resource: p.resource, node: p.node, ...(p.lifetime ? { lifetime: p.lifetime } : {}) });
    const after = placedAfter(status, p.resource, prediction) ?? [];
    if (before.length > 0 && after.length === 0) {
      throw new HasfError('RESOURCES_WOULD_STOP', `Banned from ${p.node}, ${p.resource} would have nowhere to run and would stop (the scheduler's prediction): free another node for it first.`, { resource: p.resource, node: p.node });
    }
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const change = { kind: 'ban', resource: p.resource, node: p.node, ...(p.lifetime ? { lifetime: p.lifetime } : {}) } as const;
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    const before = nodesOf(status, p.resource);
    const after = placedAfter(status, p.resource, predicted.prediction);
    const moves = before.includes(p.node);
    return {
      summary: `Ban ${p.resource} from ${p.node}${p.lifetime ? ` for ${p.lifetime}` : ''}${moves ? ` (it moves away${after ? ` to ${after.filter((n) => n !== p.node).join(', ')}` : ''})` : ''}`,
      commands: argvs.map((argv) => ({ host: any(ctx), argv })),
      prediction: predicted.prediction,
      warnings: [
        p.lifetime
          ? `After ${p.lifetime} the ban stops applying, but its constraint ${banId(p.resource, p.node)} stays in the CIB until cleared (resource.clear with expired).`
          : `The ban stays until lifted: resource.clear ${p.resource}.`,
        ...predicted.warnings,
      ],
    };
  },

  async execute(ctx, p) {
    await ctx.step('ban');
    const now = await ctx.pacemaker.status();
    if (!now.constraints.some((c) => c.id === banId(p.resource, p.node))) {
      await ctx.pacemaker.apply({ kind: 'ban', resource: p.resource, node: p.node, ...(p.lifetime ? { lifetime: p.lifetime } : {}) });
    }
    await ctx.saveCheckpoint({ banned: true });
    await ctx.step('verify');
    const s = await waitForCluster(
      ctx,
      `${banId(p.resource, p.node)} in the CIB and ${p.resource} off ${p.node}`,
      (st) => st.constraints.some((c) => c.id === banId(p.resource, p.node)) && !nodesOf(st, p.resource).includes(p.node) && steady(st, p.resource),
      5 * 60_000,
    );
    const on = nodesOf(s, p.resource);
    return { summary: `${p.resource} is banned from ${p.node} (${banId(p.resource, p.node)}); it runs on ${on.join(', ') || 'no node'}.`, details: { resource: p.resource, node: p.node, nodes: on } };
  },
};

/** resource.clear: remove a resource's cli-prefer/cli-ban leftovers (only expired ones with `expired`). */
export const resourceClear: OperationDef<ClearParams> = {
  name: 'resource.clear',
  summary: "Remove a resource's cli-prefer-/cli-ban- constraints (the leftovers of hand-typed moves and bans); with expired, only those whose lifetime has passed. The plan shows where it then goes.",
  replaces: 'crm_resource --clear --resource R [--expired]; crm resource clear R; pcs resource clear R',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf resource clear <resource> [--expired] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'UNSAFE_CLUSTER', 'UNSUPPORTED_STACK'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['resource'],
    properties: {
      resource: nameSchema('Resource id'),
      expired: { type: 'boolean', description: 'Only the constraints whose lifetime has expired (crm_resource --clear --expired, Pacemaker 2.0.1+).' },
    },
  },
  locks: async (p, scope) => {
    const s = await scope.status();
    return uniqueLines([resourceLine(p.resource), ...nodesOf(s, p.resource).map((n) => nodeLine(n, 'shared'))]);
  },
  target: (p) => `${p.resource}${p.expired ? ' (expired)' : ''}`,

  async preflight(ctx, p) {
    const { spec } = await ctx.pacemaker.dialect();
    if (p.expired) clearExpiredArgv(spec, p.resource);
    const status = await ctx.status();
    requireResource(status, p.resource);
    const left = leftoverConstraints(status, p.resource);
    if (left.length === 0 || (p.expired && !left.some((c) => c.hasRule))) {
      throw new HasfError('ALREADY_THERE', `${p.resource} has no ${p.expired ? 'cli-* constraint with a lifetime' : 'cli-prefer-/cli-ban- constraint'} to clear.`, { resource: p.resource });
    }
    await requireSafeCluster(ctx, `clear the move constraints of ${p.resource}`, status);
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const change = p.expired ? ({ kind: 'clear-expired', resource: p.resource } as const) : ({ kind: 'clear', resource: p.resource } as const);
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    const left = leftoverConstraints(status, p.resource);
    const before = nodesOf(status, p.resource);
    const after = placedAfter(status, p.resource, predicted.prediction);
    const where = !after ? '' : after.join() === before.join() ? `; it stays on ${before.join(', ') || 'no node'}` : `; it then runs on ${after.join(', ') || 'no node'} (now ${before.join(', ') || 'stopped'})`;
    return {
      summary: `Clear ${p.expired ? 'the expired ' : ''}move constraints of ${p.resource}: ${left.map((c) => c.id).join(', ')}${where}`,
      commands: argvs.map((argv) => ({ host: any(ctx), argv })),
      prediction: predicted.prediction,
      warnings: predicted.warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('clear');
    const before = leftoverConstraints(await ctx.pacemaker.status(), p.resource).map((c) => c.id);
    if (p.expired) await ctx.pacemaker.apply({ kind: 'clear-expired', resource: p.resource });
    else {
      const r = await ctx.pacemaker.clear(p.resource);
      if (r.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `crm_resource --clear failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`);
    }
    await ctx.saveCheckpoint({ cleared: true });
    await ctx.step('verify');
    const s = await waitForCluster(
      ctx,
      `${p.resource} without ${p.expired ? 'expired ' : ''}cli-* constraints, settled`,
      (st) => (p.expired ? true : leftoverConstraints(st, p.resource).length === 0) && steady(st, p.resource),
      5 * 60_000,
    );
    const left = leftoverConstraints(s, p.resource).map((c) => c.id);
    const removed = before.filter((id) => !left.includes(id));
    if (p.expired && removed.length === 0) {
      return { summary: `No constraint of ${p.resource} had expired yet: ${left.join(', ')} kept.`, details: { resource: p.resource, removed, kept: left } };
    }
    const on = nodesOf(s, p.resource);
    return { summary: `Removed ${removed.join(', ')}; ${p.resource} runs on ${on.join(', ') || 'no node'}${left.length ? `; kept (not expired): ${left.join(', ')}` : ''}.`, details: { resource: p.resource, removed, kept: left, nodes: on } };
  },
};
