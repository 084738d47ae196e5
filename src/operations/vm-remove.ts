import { parseCibDetail, parseDependencies, type PlannedChange } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { requireSafeCluster, stopLines, stopsWith, stopsWithLines } from './cluster-safety.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import { allResources, requireResource } from './status-helpers.ts';
import type { ExecutionContext, OperationContext, OperationDef } from './types.ts';
import { hasElement } from './vm-add.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface VmRemoveParams {
  vm: string;
}

/** Every constraint naming the VM, and its primitive: what vm.remove deletes, in order. */
async function deletions(ctx: OperationContext, vm: string): Promise<Extract<PlannedChange, { kind: 'cib-delete' }>[]> {
  const cons = parseDependencies(await ctx.pacemaker.cib()).constraintsOf[vm] ?? [];
  return [...cons.map((c) => ({ kind: 'cib-delete', tag: c.tag === 'rsc_ticket' ? 'rsc_location' : c.tag, id: c.id }) as const), { kind: 'cib-delete', tag: 'primitive', id: vm } as const].filter(
    (d, i, all) => all.findIndex((x) => x.id === d.id && x.tag === d.tag) === i,
  );
}

/** Whether the CIB still names the VM anywhere: configuration or status (its operation history). */
const named = (cib: string, vm: string) => new RegExp(`(^|[^A-Za-z0-9])${vm.replace(/[.]/g, '\\.')}([^A-Za-z0-9]|$)`).test(cib);

async function waitGone(ctx: ExecutionContext, vm: string, timeoutMs: number): Promise<boolean> {
  const deadline = ctx.now() + timeoutMs;
  for (;;) {
    if (!named(await ctx.pacemaker.cib(), vm)) return true;
    if (ctx.now() >= deadline) return false;
    await ctx.sleep(1000);
  }
}

/** vm.remove: stop the VM, wait, then delete its constraints and its primitive; no trace left in the CIB. */
export const vmRemove: OperationDef<VmRemoveParams> = {
  name: 'vm.remove',
  summary: 'Take a VM out of the cluster: stop it, wait until it is stopped, then delete every constraint naming it and its primitive, leaving no trace in the CIB.',
  replaces: 'crm_resource --resource vm7 --meta --set-parameter target-role --parameter-value Stopped; cibadmin -D -X \'<rsc_order id="…"/>\' (each constraint); cibadmin -D -X \'<primitive id="vm7"/>\'; crm configure delete vm7',
  risk: 'high',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf vm remove <vm> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'INVALID_INPUT', 'UNSAFE_CLUSTER'],
  paramsSchema: { type: 'object', additionalProperties: false, required: ['vm'], properties: { vm: nameSchema('VM resource id, e.g. vm7') } },
  locks: (p, scope) => stopLines(scope, p.vm),
  target: (p) => p.vm,

  async preflight(ctx, p) {
    const status = await ctx.status();
    const r = requireResource(status, p.vm, 'vm');
    if (r.parent) throw new HasfError('INVALID_INPUT', `${p.vm} is a member of ${r.parent}: vm.remove takes VMs that are resources of their own.`, { vm: p.vm, parent: r.parent });
    if (ctx.vms && r.agent && r.agent !== ctx.vms.agent) {
      throw new HasfError('INVALID_INPUT', `${p.vm} runs ${r.agent}, not this cluster's VM agent ${ctx.vms.agent}: vm.remove takes VMs only.`, { vm: p.vm, agent: r.agent });
    }
    await requireSafeCluster(ctx, `remove ${p.vm}`, status);
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const stop = { kind: 'target-role', resource: p.vm, role: 'Stopped' } as const;
    const dels = await deletions(ctx, p.vm);
    const [stopArgv, delArgvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(stop), ctx.pacemaker.commandsFor({ kind: 'sequence', changes: dels }), tryPredict(ctx, stop)]);
    const alongside = await stopsWith(ctx, status, p.vm, predicted.prediction);
    const r = requireResource(status, p.vm, 'vm');
    return {
      summary: `Remove VM ${p.vm}${r.nodes.length ? ` (stops it on ${r.nodes.join(', ')})` : ''}: deletes ${dels.map((d) => d.id).join(', ')}`,
      commands: [...stopArgv, ...delArgvs].map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings: [`The guest's configuration file and disks are left as they are; only the cluster forgets ${p.vm}.`, ...stopsWithLines(alongside), ...predicted.warnings],
    };
  },

  async execute(ctx, p) {
    await ctx.step('stop');
    let cib = await ctx.pacemaker.cib();
    const s = await ctx.pacemaker.status();
    const r = allResources(s).find((x) => x.id === p.vm);
    if (r && hasElement(cib, 'primitive', p.vm)) {
      if (parseCibDetail(cib).meta[p.vm]?.targetRole !== 'Stopped') await ctx.pacemaker.apply({ kind: 'target-role', resource: p.vm, role: 'Stopped' });
      await ctx.saveCheckpoint({ stopSent: true });
      await waitForCluster(ctx, `${p.vm} stopped everywhere`, (st) => {
        const x = allResources(st).find((y) => y.id === p.vm);
        return !x || (!x.active && x.nodes.length === 0);
      }, 5 * 60_000);
    }
    await ctx.step('delete');
    for (const d of await deletions(ctx, p.vm)) {
      cib = await ctx.pacemaker.cib();
      if (hasElement(cib, d.tag, d.id)) await ctx.pacemaker.apply(d);
    }
    await ctx.saveCheckpoint({ deleted: true });
    await ctx.step('verify');
    // The scheduler removes a deleted, stopped resource's operation history from the status section.
    if (!(await waitGone(ctx, p.vm, 60_000))) {
      throw new HasfError('VERIFY_FAILED', `${p.vm} is deleted from the configuration, but the CIB still names it (cibadmin -Q | grep ${p.vm}).`, { vm: p.vm });
    }
    return { summary: `${p.vm} is no longer a cluster resource: stopped, its constraints and primitive deleted; cibadmin -Q names it nowhere.`, details: { vm: p.vm } };
  },
};
