import { parseCibDetail, vmResourceXml, type CibElement, type PlannedChange, type VmResourceXml } from '../cluster/index.ts';
import type { VmTemplate } from '../config/inventory.ts';
import { HasfError } from '../errors/index.ts';
import { requireSafeCluster } from './cluster-safety.ts';
import { nodeLine, resourceLine, uniqueLines } from './lines.ts';
import { nameSchema, PATH_PATTERN } from './params.ts';
import { tryPredict } from './predict.ts';
import { allResources, requireEligibleNode, requireNode } from './status-helpers.ts';
import type { OperationContext, OperationDef } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface VmAddParams {
  vm: string;
  /** The guest's configuration file (Xen xmfile, libvirt XML, the lab's config), an absolute path. */
  config: string;
  /** Where it first starts (a temporary INFINITY preference, removed once it runs). */
  node?: string;
  /** A permanent location preference for this node. */
  prefer?: string;
  /** Score of the preference (default 50: below a stickiness of 100, so it doesn't pull the VM back after a failover). */
  preferScore?: number;
}

const DEFAULT_PREFER_SCORE = 50;
const reEsc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the CIB holds `<tag … id="id">`. */
export const hasElement = (cib: string, tag: string, id: string) => new RegExp(`<${tag}\\b[^>]*\\sid="${reEsc(id)}"`).test(cib);

function template(ctx: OperationContext): VmTemplate {
  if (!ctx.vms) {
    throw new HasfError('NOT_CONFIGURED', `Cluster ${ctx.cluster} has no VM template: add clusters[].vms (agent, configDir, sharedStorage, timeouts) to the inventory to let vm.add create VMs there.`, { cluster: ctx.cluster });
  }
  return ctx.vms;
}

/** The elements vm.add creates, in order. */
async function elementsOf(ctx: OperationContext, p: VmAddParams): Promise<{ xml: VmResourceXml; list: CibElement[] }> {
  const { spec } = await ctx.pacemaker.dialect();
  const xml = vmResourceXml(spec, {
    vm: p.vm,
    config: p.config,
    template: template(ctx),
    ...(p.prefer ? { prefer: { node: p.prefer, score: p.preferScore ?? DEFAULT_PREFER_SCORE } } : {}),
    ...(p.node ? { startOn: p.node } : {}),
  });
  return { xml, list: [xml.primitive, xml.order, xml.colocation, xml.prefer, xml.startOn].filter((e): e is CibElement => !!e) };
}

/** The whole job as one change: create everything (the VM Stopped), then start it; the scheduler predicts the end state. */
const sequenceOf = (p: VmAddParams, list: CibElement[]): PlannedChange => ({
  kind: 'sequence',
  changes: [...list.map((element) => ({ kind: 'cib-create', element }) as const), { kind: 'target-role', resource: p.vm, role: null }],
});

/** vm.add: the seed's "VM as cluster resource" — primitive, order and colocation after the shared storage, a preference. */
export const vmAdd: OperationDef<VmAddParams> = {
  name: 'vm.add',
  summary: "Make a VM a cluster resource, as the seed's runbook does: its primitive (the cluster's VM agent, allow-migrate, monitor and migration timeouts), ordered after and colocated with the shared storage clone, an optional location preference; then start it.",
  replaces: 'cibadmin -C -o resources -x vm7.xml; cibadmin -C -o constraints -x vm7-order.xml (and colocation, location); crm configure primitive vm7 ocf:heartbeat:Xen params xmfile=… meta allow-migrate=true',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf vm add <vm> <config> [--node N] [--prefer N] [--prefer-score N] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['NOT_CONFIGURED', 'ALREADY_THERE', 'INVALID_INPUT', 'VM_CONFIG_MISSING', 'UNKNOWN_OBJECT', 'TARGET_OFFLINE', 'TARGET_STANDBY', 'TARGET_UNCLEAN', 'NOT_STARTABLE', 'UNSAFE_CLUSTER', 'UNSUPPORTED_STACK'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['vm', 'config'],
    properties: {
      vm: nameSchema('Id of the new VM resource, e.g. vm7'),
      config: { type: 'string', pattern: PATH_PATTERN, maxLength: 255, description: "The guest's configuration file on the nodes (inside the template's configDir), e.g. /etc/xen/vm7.cfg" },
      node: nameSchema('Node it first starts on (optional; the scheduler decides otherwise)'),
      prefer: nameSchema('Node it prefers from now on (a location constraint; optional)'),
      preferScore: { type: 'integer', minimum: 1, maximum: 1000000, description: `Score of the preference (default ${DEFAULT_PREFER_SCORE}; above resource-stickiness it pulls the VM back after every failover)` },
    },
  },
  locks: async (p) => uniqueLines([resourceLine(p.vm), ...(p.node ? [nodeLine(p.node, 'shared')] : [])]),
  target: (p) => `${p.vm}${p.node ? ` on ${p.node}` : ''}`,

  async preflight(ctx, p) {
    const t = template(ctx);
    const status = await ctx.status();
    if (allResources(status).some((r) => r.id === p.vm)) throw new HasfError('ALREADY_THERE', `There is already a resource ${p.vm} in cluster ${ctx.cluster}.`, { vm: p.vm });
    if (p.config.split('/').includes('..')) throw new HasfError('INVALID_INPUT', `The configuration path ${p.config} has a ".." segment: name the file itself.`, { field: 'config' });
    if (t.configDir && !p.config.startsWith(`${t.configDir.replace(/\/$/, '')}/`)) {
      throw new HasfError('INVALID_INPUT', `${p.config} is not in ${t.configDir}, where this cluster's guest configurations live (the inventory's vms.configDir).`, { field: 'config', configDir: t.configDir });
    }
    if (t.sharedStorage && !status.resources.some((r) => r.id === t.sharedStorage)) {
      throw new HasfError('NOT_CONFIGURED', `The inventory orders VMs after ${t.sharedStorage}, which cluster ${ctx.cluster} does not have: correct clusters[].vms.sharedStorage.`, { sharedStorage: t.sharedStorage });
    }
    if (p.node) requireEligibleNode(requireNode(status, p.node));
    if (p.prefer) requireNode(status, p.prefer);
    const { list } = await elementsOf(ctx, p); // UNSUPPORTED_STACK on Heartbeat 2.1's XML format
    const cfg = await ctx.pacemaker.readable(p.config);
    if (!cfg.readable) throw new HasfError('VM_CONFIG_MISSING', `${p.config} is not readable on ${cfg.host}: put the guest's configuration where every node reads it (shared storage, or copied to each node) first.`, { config: p.config, host: cfg.host });
    await requireSafeCluster(ctx, `add ${p.vm}`, status);
    const prediction = await ctx.pacemaker.predict(sequenceOf(p, list));
    const at = prediction.placement[p.vm] ?? [];
    if (at.length === 0 || (p.node && !at.includes(p.node))) {
      throw new HasfError('NOT_STARTABLE', `The scheduler, on a copy of the CIB with ${p.vm} added, would not start it${p.node ? ` on ${p.node}` : ''}${at.length ? ` (it would run on ${at.join(', ')})` : ''}: check the shared storage clone runs, and the nodes' capacity.`, { vm: p.vm, placement: at });
    }
  },

  async plan(ctx, p) {
    const t = template(ctx);
    const { list } = await elementsOf(ctx, p);
    const change = sequenceOf(p, list);
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    const startOn = list.find((e) => e.id.startsWith(`location-${p.vm}-starts-on-`));
    const dropStart = startOn ? await ctx.pacemaker.commandsFor({ kind: 'cib-delete', tag: 'rsc_location', id: startOn.id }) : [];
    const at = predicted.prediction?.placement[p.vm];
    const ties = [t.sharedStorage ? `after and with ${t.sharedStorage}` : '', p.prefer ? `preferring ${p.prefer} (score ${p.preferScore ?? DEFAULT_PREFER_SCORE})` : ''].filter(Boolean).join(', ');
    return {
      summary: `Add VM ${p.vm} (${t.agent}, ${p.config})${ties ? `, ${ties}` : ''}${at?.length ? `; the scheduler starts it on ${at.join(', ')}` : ''}`,
      commands: [...argvs, ...dropStart].map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings: [
        `${p.vm} is created with target-role=Stopped and started only once its constraints exist.`,
        ...(startOn ? [`${startOn.id} (INFINITY on ${p.node}) makes it start there; it is deleted once ${p.vm} runs.`] : []),
        ...(t.allowMigrate ? [] : [`The template has no allow-migrate: moving ${p.vm} later means stop + start.`]),
        ...predicted.warnings,
      ],
    };
  },

  async execute(ctx, p) {
    const { xml, list } = await elementsOf(ctx, p);
    await ctx.step('create');
    let cib = await ctx.pacemaker.cib();
    for (const el of list) {
      // A retried job creates only what is missing.
      if (!hasElement(cib, el.tag, el.id)) await ctx.pacemaker.apply({ kind: 'cib-create', element: el });
    }
    await ctx.saveCheckpoint({ created: list.map((e) => e.id) });
    await ctx.step('start');
    cib = await ctx.pacemaker.cib();
    if (parseCibDetail(cib).meta[p.vm]?.targetRole !== undefined) await ctx.pacemaker.apply({ kind: 'target-role', resource: p.vm, role: null });
    await ctx.saveCheckpoint({ started: true });
    await ctx.step('verify');
    const started = (s: Awaited<ReturnType<typeof ctx.pacemaker.status>>) => {
      const r = allResources(s).find((x) => x.id === p.vm);
      return !!r && r.active && !r.failed && r.role === 'Started' && r.nodes.length === 1 && (!p.node || r.nodes[0] === p.node);
    };
    let s = await waitForCluster(ctx, `${p.vm} Started${p.node ? ` on ${p.node}` : ''}`, started, 5 * 60_000);
    if (xml.startOn) {
      await ctx.step('drop start preference');
      if (hasElement(await ctx.pacemaker.cib(), 'rsc_location', xml.startOn.id)) await ctx.pacemaker.apply({ kind: 'cib-delete', tag: 'rsc_location', id: xml.startOn.id });
      s = await waitForCluster(ctx, `${p.vm} Started without ${xml.startOn.id}`, (st) => {
        const r = allResources(st).find((x) => x.id === p.vm);
        return !!r && r.active && !r.failed && r.role === 'Started' && r.nodes.length === 1;
      }, 2 * 60_000);
    }
    cib = await ctx.pacemaker.cib();
    const kept = list.filter((e) => e !== xml.startOn);
    const missing = kept.filter((e) => !hasElement(cib, e.tag, e.id)).map((e) => e.id);
    if (missing.length) throw new HasfError('VERIFY_FAILED', `${missing.join(', ')} missing from the CIB after creation.`, { missing });
    const on = allResources(s).find((x) => x.id === p.vm)!.nodes;
    return { summary: `${p.vm} is a cluster resource (${kept.map((e) => e.id).join(', ')}) and runs on ${on.join(', ')}.`, details: { vm: p.vm, created: kept.map((e) => e.id), nodes: on } };
  },
};
