import { maintenanceModeArgv, nodeMaintenanceArgv, parseCibDetail, resourceMaintenanceMeta, type AdminChange } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { CLUSTER_DISRUPTIVE, disruptiveNodeLocks, resourceLine } from './lines.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import { requireNode, requireResource } from './status-helpers.ts';
import type { ExecutionContext, OperationContext, OperationDef, Plan } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

/** on | off, as every maintenance operation takes it. */
export type OnOff = 'on' | 'off';

const stateSchema = { type: 'string', enum: ['on', 'off'], description: 'on: the cluster stops managing it; off: the cluster manages it again.' };
const any = (ctx: OperationContext) => `any node of ${ctx.cluster}`;

/** The common plan: the change's argvs and the scheduler's prediction of it. */
async function planOf(ctx: OperationContext, change: Exclude<AdminChange, { kind: 'sequence' }>, summary: string, warnings: string[]): Promise<Plan> {
  const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
  return { summary, commands: argvs.map((argv) => ({ host: any(ctx), argv })), prediction: predicted.prediction, warnings: [...warnings, ...predicted.warnings] };
}

/** Send the change (once: a retried job re-reads the cluster first), then wait until crm_mon shows it. */
async function applyAndWait(ctx: ExecutionContext, change: Exclude<AdminChange, { kind: 'sequence' }>, already: boolean, what: string, done: Parameters<typeof waitForCluster>[2]) {
  await ctx.step('apply');
  if (!already) await ctx.pacemaker.apply(change);
  await ctx.saveCheckpoint({ sent: true });
  await ctx.step('verify');
  return waitForCluster(ctx, what, done, 2 * 60_000);
}

const OFF_WARNING = 'Out of maintenance, the cluster probes what it manages again and acts on what it finds (starts, stops, recoveries): the prediction shows what it would do now.';

/** cluster.maintenance: the cluster's maintenance-mode property. */
export const clusterMaintenance: OperationDef<{ state: OnOff }> = {
  name: 'cluster.maintenance',
  summary: 'Cluster-wide maintenance-mode: the cluster keeps everything where it is and manages nothing (no recovery, no start, stop or move) until off.',
  replaces: 'crm_attribute --type crm_config --name maintenance-mode --update true (off: --delete); crm configure property maintenance-mode=true',
  risk: 'medium',
  disruptive: true,
  defaultApprovals: 1,
  usage: '/hasf maintenance <state> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 5 * 60_000,
  refusals: ['ALREADY_THERE', 'UNSUPPORTED_STACK'],
  paramsSchema: { type: 'object', additionalProperties: false, required: ['state'], properties: { state: stateSchema } },
  // One cluster-wide change at a time, and never beside a standby, online or fence.
  locks: async () => [CLUSTER_DISRUPTIVE],
  target: (p) => `maintenance-mode ${p.state}`,

  async preflight(ctx, p) {
    const { spec } = await ctx.pacemaker.dialect();
    maintenanceModeArgv(spec, p.state === 'on'); // UNSUPPORTED_STACK where there is no such property
    const status = await ctx.status();
    if (!!status.maintenanceMode === (p.state === 'on')) throw new HasfError('ALREADY_THERE', `maintenance-mode is already ${p.state} on ${ctx.cluster}.`, { state: p.state });
  },

  async plan(ctx, p) {
    const on = p.state === 'on';
    return planOf(ctx, { kind: 'cluster-maintenance', on }, on ? `Put cluster ${ctx.cluster} in maintenance-mode` : `Take cluster ${ctx.cluster} out of maintenance-mode`, [
      on
        ? 'While on, nothing is recovered: a VM that fails stays failed and a failed node is not fenced by the cluster; resources run on where they are.'
        : OFF_WARNING,
    ]);
  },

  async execute(ctx, p) {
    const on = p.state === 'on';
    const now = await ctx.pacemaker.status();
    await applyAndWait(ctx, { kind: 'cluster-maintenance', on }, !!now.maintenanceMode === on, `maintenance-mode ${p.state}`, (s) => !!s.maintenanceMode === on);
    return { summary: `Cluster ${ctx.cluster}: maintenance-mode is ${p.state} (crm_mon shows it).`, details: { state: p.state } };
  },
};

/** node.maintenance: a node's permanent `maintenance` attribute (1.1.10+). */
export const nodeMaintenance: OperationDef<{ node: string; state: OnOff }> = {
  name: 'node.maintenance',
  summary: "A node in maintenance: the cluster leaves the resources on it alone (no monitor, no recovery) while it manages the rest.",
  replaces: 'crm_attribute --node node2 --name maintenance --update on (off: --delete); crm node maintenance node2',
  risk: 'medium',
  disruptive: true,
  defaultApprovals: 1,
  usage: '/hasf node maintenance <node> <state> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 5 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'UNSUPPORTED_STACK'],
  paramsSchema: { type: 'object', additionalProperties: false, required: ['node', 'state'], properties: { node: nameSchema('Node name'), state: stateSchema } },
  locks: async (p) => disruptiveNodeLocks(p),
  target: (p) => `${p.node} maintenance ${p.state}`,

  async preflight(ctx, p) {
    const { spec } = await ctx.pacemaker.dialect();
    nodeMaintenanceArgv(spec, p.node, p.state === 'on');
    const node = requireNode(await ctx.status(), p.node);
    if (node.maintenance === (p.state === 'on')) throw new HasfError('ALREADY_THERE', `${p.node} is already ${p.state === 'on' ? 'in' : 'out of'} maintenance.`, { node: p.node, state: p.state });
  },

  async plan(ctx, p) {
    const on = p.state === 'on';
    const status = await ctx.status();
    const here = requireNode(status, p.node).resourcesRunning;
    return planOf(ctx, { kind: 'node-maintenance', node: p.node, on }, on ? `Put node ${p.node} in maintenance (${here} resource instance(s) on it left alone)` : `Take node ${p.node} out of maintenance`, [
      on ? `The resources on ${p.node} are neither monitored nor recovered while it is in maintenance; the rest of the cluster is managed as usual.` : OFF_WARNING,
    ]);
  },

  async execute(ctx, p) {
    const on = p.state === 'on';
    const now = requireNode(await ctx.pacemaker.status(), p.node);
    await applyAndWait(ctx, { kind: 'node-maintenance', node: p.node, on }, now.maintenance === on, `${p.node} maintenance ${p.state}`, (s) => s.nodes.find((n) => n.name === p.node)?.maintenance === on);
    return { summary: `Node ${p.node} is ${on ? 'in' : 'out of'} maintenance (crm_mon shows it).`, details: { node: p.node, state: p.state } };
  },
};

/** The resource's own maintenance meta (maintenance, or is-managed where the stack lacks it), from the CIB. */
async function resourceFlag(ctx: OperationContext, id: string): Promise<{ name: string; on: boolean }> {
  const { spec } = await ctx.pacemaker.dialect();
  const m = resourceMaintenanceMeta(spec);
  const meta = parseCibDetail(await ctx.pacemaker.cib()).meta[id] ?? {};
  const value = m.name === 'maintenance' ? meta.maintenance : meta.isManaged;
  return { name: m.name, on: value === m.on };
}

/** resource.maintenance: meta maintenance=true (monitors stop too), or is-managed=false on older stacks. */
export const resourceMaintenance: OperationDef<{ resource: string; state: OnOff }> = {
  name: 'resource.maintenance',
  summary: 'One resource in maintenance (meta maintenance=true; is-managed=false before Pacemaker 2): the cluster neither monitors, stops, starts nor recovers it.',
  replaces: 'crm_resource --resource vm1 --meta --set-parameter maintenance --parameter-value true (or is-managed false); crm resource maintenance vm1; crm resource unmanage vm1',
  risk: 'low',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf resource maintenance <resource> <state> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 5 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE'],
  paramsSchema: { type: 'object', additionalProperties: false, required: ['resource', 'state'], properties: { resource: nameSchema('Resource id (primitive, group or clone)'), state: stateSchema } },
  locks: async (p) => [resourceLine(p.resource)],
  target: (p) => `${p.resource} maintenance ${p.state}`,

  async preflight(ctx, p) {
    requireResource(await ctx.status(), p.resource);
    const flag = await resourceFlag(ctx, p.resource);
    if (flag.on === (p.state === 'on')) throw new HasfError('ALREADY_THERE', `${p.resource} is already ${p.state === 'on' ? 'in' : 'out of'} maintenance (meta ${flag.name}).`, { resource: p.resource, state: p.state });
  },

  async plan(ctx, p) {
    const on = p.state === 'on';
    const { spec } = await ctx.pacemaker.dialect();
    const m = resourceMaintenanceMeta(spec);
    return planOf(ctx, { kind: 'resource-maintenance', resource: p.resource, on }, on ? `Put ${p.resource} in maintenance (meta ${m.name}=${m.on})` : `Take ${p.resource} out of maintenance (meta ${m.name} removed)`, [
      on
        ? m.name === 'maintenance'
          ? `${p.resource} is neither monitored nor recovered until taken out of maintenance.`
          : `${spec.label} has no resource maintenance meta: is-managed=false stops the cluster acting on ${p.resource}, but its monitors go on reporting.`
        : `${p.resource} is probed again and managed as usual.`,
    ]);
  },

  async execute(ctx, p) {
    const on = p.state === 'on';
    const flag = await resourceFlag(ctx, p.resource);
    await ctx.step('apply');
    if (flag.on !== on) await ctx.pacemaker.apply({ kind: 'resource-maintenance', resource: p.resource, on });
    await ctx.saveCheckpoint({ sent: true });
    await ctx.step('verify');
    // crm_mon shows it unmanaged while the meta holds (and managed again once off, unless the cluster itself is in maintenance).
    const s = await waitForCluster(ctx, `${p.resource} ${on ? 'unmanaged' : 'managed'}`, (st) => {
      const r = requireResource(st, p.resource);
      return on ? !r.managed : r.managed || !!st.maintenanceMode;
    }, 2 * 60_000);
    const after = await resourceFlag(ctx, p.resource);
    if (after.on !== on) throw new HasfError('VERIFY_FAILED', `${p.resource}'s meta ${after.name} is not ${on ? 'set' : 'gone'} in the CIB after the change.`, { resource: p.resource });
    const r = requireResource(s, p.resource);
    return { summary: `${p.resource} is ${on ? 'in' : 'out of'} maintenance (meta ${after.name}); crm_mon shows it ${r.managed ? 'managed' : 'unmanaged'}, ${r.role}${r.nodes.length ? ` on ${r.nodes.join(', ')}` : ''}.`, details: { resource: p.resource, state: p.state } };
  },
};
