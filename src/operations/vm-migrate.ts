import { HasfError } from '../errors/index.ts';
import { nodeLine, resourceLine, uniqueLines } from './lines.ts';
import { allResources, leftoverConstraints, requireEligibleNode, requireNode, requireResource } from './status-helpers.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import type { OperationDef } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface MigrateParams {
  vm: string;
  node: string;
  allowRestart?: boolean;
}

const onNode = (nodes: string[], node: string) => nodes.length === 1 && nodes[0] === node;

/** vm.migrate: move a VM resource to a node (live when allow-migrate), then clear the constraint. */
export const vmMigrate: OperationDef<MigrateParams> = {
  name: 'vm.migrate',
  summary: 'Move a VM to another node: live migration when the resource allows it.',
  replaces: 'xm migrate --live vm1 node2 (behind the cluster\'s back) / crm_resource --move --resource vm1 --node node2 && crm_resource --clear --resource vm1',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf migrate <vm> <node> [--allow-restart] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'TARGET_OFFLINE', 'TARGET_STANDBY', 'TARGET_UNCLEAN', 'ALREADY_THERE', 'NOT_MIGRATABLE', 'TARGET_NOT_CLUSTER_NODE'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['vm', 'node'],
    properties: {
      vm: nameSchema('VM resource id, e.g. vm1'),
      node: nameSchema('Target node name'),
      allowRestart: {
        type: 'boolean',
        description: 'Allow a stop/start move when the resource cannot live-migrate (downtime).',
      },
    },
  },
  // The VM, and the nodes it leaves and goes to: it waits for (and re-checks after) any
  // standby, online or fence of either. Migrations only share their nodes' lines.
  locks: async (p, scope) => {
    const vm = allResources(await scope.status()).find((r) => r.id === p.vm);
    return uniqueLines([resourceLine(p.vm), ...[p.node, ...(vm?.nodes ?? [])].map((n) => nodeLine(n, 'shared'))]);
  },
  target: (p) => `${p.vm} → ${p.node}`,

  async preflight(ctx, p) {
    const status = await ctx.status();
    const vm = requireResource(status, p.vm, 'vm');
    const node = requireNode(status, p.node);
    if (vm.active && onNode(vm.nodes, p.node)) {
      throw new HasfError('ALREADY_THERE', `${p.vm} already runs on ${p.node}; nothing to do.`, { vm: p.vm, node: p.node });
    }
    requireEligibleNode(node);
    // A VM runs on a cluster node's hypervisor: a Pacemaker Remote or guest node (itself a VM
    // or container) is no place for it, and live migration there cannot work.
    if (node.type === 'remote' || node.type === 'guest') {
      throw new HasfError(
        'TARGET_NOT_CLUSTER_NODE',
        `${p.node} is a ${node.type === 'guest' ? `guest node (inside ${node.container ?? 'a VM or container'}${node.host ? ` on ${node.host}` : ''})` : 'Pacemaker Remote node'}, not a cluster node: migrate ${p.vm} to a cluster node.`,
        { vm: p.vm, node: p.node, type: node.type },
      );
    }
    if (vm.allowMigrate !== true && !p.allowRestart) {
      throw new HasfError(
        'NOT_MIGRATABLE',
        `${p.vm} has no allow-migrate=true, so moving it means stop + start (downtime); repeat with allowRestart (Slack: --allow-restart) if that is acceptable.`,
        { vm: p.vm },
      );
    }
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const vm = requireResource(status, p.vm, 'vm');
    const change = { kind: 'move', resource: p.vm, node: p.node } as const;
    // The job moves, waits for the cluster, then clears the constraint the move left.
    const [move, clear, predicted] = await Promise.all([
      ctx.pacemaker.commandsFor(change),
      ctx.pacemaker.commandsFor({ kind: 'clear', resource: p.vm }),
      tryPredict(ctx, change),
    ]);
    const argvs = [...move, ...clear];
    const warnings: string[] = [...predicted.warnings];
    if (vm.allowMigrate !== true) warnings.push(`${p.vm} cannot live-migrate: it will be stopped and started (downtime).`);
    for (const c of leftoverConstraints(status, p.vm)) {
      warnings.push(`Leftover constraint ${c.id} exists and will be removed by the final --clear.`);
    }
    const from = vm.nodes.join(', ') || 'stopped';
    return {
      summary: `${vm.allowMigrate === true ? 'Live-migrate' : 'Move (stop/start)'} ${p.vm} from ${from} to ${p.node}`,
      commands: argvs.map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings,
    };
  },

  async execute(ctx, p) {
    const started = ctx.now();
    await ctx.step('check');
    let status = await ctx.pacemaker.status();
    const vm = requireResource(status, p.vm, 'vm');
    const from = (ctx.checkpoint.from as string | undefined) ?? vm.nodes.join(',');
    if (!ctx.checkpoint.from) await ctx.saveCheckpoint({ from });
    const prefer = status.constraints.some((c) => c.resource === p.vm && c.leftover === 'prefer' && c.node === p.node);
    if (!(vm.active && onNode(vm.nodes, p.node)) && !prefer) {
      await ctx.step('move');
      const r = await ctx.pacemaker.move(p.vm, p.node);
      if (r.exitCode !== 0) {
        throw new HasfError('COMMAND_FAILED', `crm_resource --move failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`, { exitCode: r.exitCode });
      }
      await ctx.saveCheckpoint({ moveSent: true });
    }
    await ctx.step('wait');
    status = await waitForCluster(
      ctx,
      `${p.vm} Started on ${p.node}`,
      (s) => {
        const r = requireResource(s, p.vm, 'vm');
        return r.active && !r.failed && onNode(r.nodes, p.node) && r.role === 'Started';
      },
      5 * 60_000,
    );
    await ctx.step('clear');
    const c = await ctx.pacemaker.clear(p.vm);
    if (c.exitCode !== 0) {
      throw new HasfError('COMMAND_FAILED', `crm_resource --clear failed (exit ${c.exitCode}): ${c.stderr.trim().slice(0, 300)}`, { exitCode: c.exitCode });
    }
    await ctx.saveCheckpoint({ cleared: true });
    await ctx.step('verify');
    status = await waitForCluster(
      ctx,
      `${p.vm} on ${p.node} with no cli-prefer/cli-ban constraint`,
      (s) => {
        const r = requireResource(s, p.vm, 'vm');
        return r.active && onNode(r.nodes, p.node) && leftoverConstraints(s, p.vm).length === 0;
      },
      60_000,
    );
    const secs = ((ctx.now() - started) / 1000).toFixed(1);
    return {
      summary: `${p.vm} now runs on ${p.node} (was ${from || 'stopped'}); no move constraint left (${secs} s).`,
      details: { vm: p.vm, from, to: p.node },
    };
  },
};
