import { parseCibDetail, restartArgv, type ClusterStatus } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { requireSafeCluster, selfAndMembers, stopLines, stopsWith, stopsWithLines } from './cluster-safety.ts';
import { resourceLine } from './lines.ts';
import { nameSchema } from './params.ts';
import { tryPredict } from './predict.ts';
import { allResources, requireResource } from './status-helpers.ts';
import type { ExecutionContext, OperationContext, OperationDef, Plan } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface ResourceParams {
  resource: string;
}

const params = {
  type: 'object',
  additionalProperties: false,
  required: ['resource'],
  properties: { resource: nameSchema('Resource id (primitive, group or clone)') },
};
const any = (ctx: OperationContext) => `any node of ${ctx.cluster}`;

/** The target-role meta of `id` as the CIB holds it (undefined: not set, i.e. Started). */
async function targetRoleOf(ctx: OperationContext, id: string): Promise<string | undefined> {
  return parseCibDetail(await ctx.pacemaker.cib()).meta[id]?.targetRole;
}

/** Whether `id` (or any member of it) runs anywhere, as crm_mon shows it. */
export function running(status: ClusterStatus, id: string): boolean {
  const ids = selfAndMembers(status, id);
  return allResources(status).some((r) => ids.has(r.id) && r.active);
}

/** Whether `id` and its members are all stopped, with nothing in between (stopping, migrating). */
const allStopped = (s: ClusterStatus, id: string) => {
  const ids = selfAndMembers(s, id);
  return allResources(s).filter((r) => ids.has(r.id)).every((r) => !r.active && r.nodes.length === 0);
};

/** Whether every primitive in `id` runs (Started, or promoted/unpromoted), none failed. */
const allStarted = (s: ClusterStatus, id: string) => {
  const ids = selfAndMembers(s, id);
  const prims = allResources(s).filter((r) => ids.has(r.id) && r.kind === 'primitive');
  return prims.length > 0 && prims.every((r) => r.active && !r.failed && ['Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'].includes(r.role));
};

/** Where `id` runs after a prediction (its own placement, or its members'). */
function placed(status: ClusterStatus, id: string, prediction: Plan['prediction']): string[] {
  if (!prediction) return [];
  return [...new Set([...selfAndMembers(status, id)].flatMap((m) => prediction.placement[m] ?? []))];
}

/** The stop plan shared by stop and restart: the prediction of target-role=Stopped and what stops with it. */
async function stopPlan(ctx: OperationContext, p: ResourceParams) {
  const status = await ctx.status();
  const predicted = await tryPredict(ctx, { kind: 'target-role', resource: p.resource, role: 'Stopped' });
  const alongside = await stopsWith(ctx, status, p.resource, predicted.prediction);
  return { status, predicted, alongside };
}

async function waitStopped(ctx: ExecutionContext, id: string) {
  return waitForCluster(ctx, `${id} stopped everywhere`, (s) => allStopped(s, id), 5 * 60_000);
}
async function waitStarted(ctx: ExecutionContext, id: string) {
  return waitForCluster(ctx, `${id} Started`, (s) => allStarted(s, id), 5 * 60_000);
}
const where = (s: ClusterStatus, id: string) => {
  const ids = selfAndMembers(s, id);
  return [...new Set(allResources(s).filter((r) => ids.has(r.id)).flatMap((r) => r.nodes))];
};

/** resource.stop: target-role=Stopped; whatever depends on it stops with it, and the plan names each. */
export const resourceStop: OperationDef<ResourceParams> = {
  name: 'resource.stop',
  summary: 'Stop a resource (meta target-role=Stopped): it stays stopped until started; what is ordered after or colocated with it stops too.',
  replaces: 'crm_resource --resource R --meta --set-parameter target-role --parameter-value Stopped; crm resource stop R; pcs resource disable R',
  risk: 'high',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf resource stop <resource> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'UNSAFE_CLUSTER'],
  paramsSchema: params,
  // Its own line and its dependants': they stop with it.
  locks: (p, scope) => stopLines(scope, p.resource),
  target: (p) => p.resource,

  async preflight(ctx, p) {
    const status = await ctx.status();
    requireResource(status, p.resource);
    if ((await targetRoleOf(ctx, p.resource))?.toLowerCase() === 'stopped' && !running(status, p.resource)) {
      throw new HasfError('ALREADY_THERE', `${p.resource} is already stopped (target-role=Stopped).`, { resource: p.resource });
    }
    await requireSafeCluster(ctx, `stop ${p.resource}`, status);
  },

  async plan(ctx, p) {
    const { status, predicted, alongside } = await stopPlan(ctx, p);
    const argvs = await ctx.pacemaker.commandsFor({ kind: 'target-role', resource: p.resource, role: 'Stopped' });
    const r = requireResource(status, p.resource);
    const warnings = [...stopsWithLines(alongside), ...predicted.warnings];
    if (r.isFenceDevice) warnings.push(`${p.resource} is a fence device: while it is stopped the cluster can fence only with its other devices.`);
    return {
      summary: `Stop ${p.resource}${alongside.length ? ` and, with it, ${alongside.map((a) => a.resource).join(', ')}` : ''}`,
      commands: argvs.map((argv) => ({ host: any(ctx), argv })),
      prediction: predicted.prediction,
      warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('stop');
    const before = await ctx.pacemaker.status();
    const from = where(before, p.resource);
    if ((await targetRoleOf(ctx, p.resource))?.toLowerCase() !== 'stopped') await ctx.pacemaker.apply({ kind: 'target-role', resource: p.resource, role: 'Stopped' });
    await ctx.saveCheckpoint({ stopSent: true });
    await ctx.step('verify');
    const s = await waitStopped(ctx, p.resource);
    const alsoStopped = allResources(before)
      .filter((r) => r.kind === 'primitive' && r.active && !selfAndMembers(before, p.resource).has(r.id))
      .filter((r) => !allResources(s).find((x) => x.id === r.id)?.active)
      .map((r) => r.id);
    return {
      summary: `${p.resource} is stopped (was on ${from.join(', ') || 'no node'})${alsoStopped.length ? `; stopped with it: ${alsoStopped.join(', ')}` : ''}. Start it with resource.start.`,
      details: { resource: p.resource, from, alsoStopped },
    };
  },
};

/** resource.start: target-role removed (Started); refused when the scheduler would still not start it. */
export const resourceStart: OperationDef<ResourceParams> = {
  name: 'resource.start',
  summary: 'Start a resource again (its target-role=Stopped removed); refused when the scheduler would not start it anyway (a ban, a fail count, a stopped dependency).',
  replaces: 'crm_resource --resource R --meta --delete-parameter target-role; crm resource start R; pcs resource enable R',
  risk: 'low',
  disruptive: false,
  defaultApprovals: 0,
  usage: '/hasf resource start <resource> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'ALREADY_THERE', 'NOT_STARTABLE', 'UNSAFE_CLUSTER'],
  paramsSchema: params,
  locks: async (p) => [resourceLine(p.resource)],
  target: (p) => p.resource,

  async preflight(ctx, p) {
    const status = await ctx.status();
    requireResource(status, p.resource);
    const role = await targetRoleOf(ctx, p.resource);
    if (role?.toLowerCase() !== 'stopped' && allStarted(status, p.resource)) throw new HasfError('ALREADY_THERE', `${p.resource} already runs (on ${where(status, p.resource).join(', ')}).`, { resource: p.resource });
    await requireSafeCluster(ctx, `start ${p.resource}`, status);
    const prediction = await ctx.pacemaker.predict({ kind: 'target-role', resource: p.resource, role: role === undefined ? 'Started' : null });
    if (placed(status, p.resource, prediction).length === 0) {
      throw new HasfError(
        'NOT_STARTABLE',
        `The scheduler would not start ${p.resource}${role === undefined ? ' (it has no target-role=Stopped to remove)' : ''}: look for a ban (cli-ban), a fail count at its limit or something it depends on that is stopped — hasf check names them.`,
        { resource: p.resource },
      );
    }
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const role = await targetRoleOf(ctx, p.resource);
    const change = { kind: 'target-role', resource: p.resource, role: role === undefined ? 'Started' : null } as const;
    const [argvs, predicted] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredict(ctx, change)]);
    const to = placed(status, p.resource, predicted.prediction);
    return {
      summary: `Start ${p.resource}${to.length ? ` (the scheduler places it on ${to.join(', ')})` : ''}`,
      commands: argvs.map((argv) => ({ host: any(ctx), argv })),
      prediction: predicted.prediction,
      warnings: predicted.warnings,
    };
  },

  async execute(ctx, p) {
    await ctx.step('start');
    const role = await targetRoleOf(ctx, p.resource);
    if (role !== undefined) await ctx.pacemaker.apply({ kind: 'target-role', resource: p.resource, role: null });
    await ctx.saveCheckpoint({ startSent: true });
    await ctx.step('verify');
    const s = await waitStarted(ctx, p.resource);
    const on = where(s, p.resource);
    return { summary: `${p.resource} is Started on ${on.join(', ')}.`, details: { resource: p.resource, nodes: on } };
  },
};

/** resource.restart: crm_resource --restart where the stack has it (2.x), else stop, wait, start. */
export const resourceRestart: OperationDef<ResourceParams> = {
  name: 'resource.restart',
  summary: 'Restart a running resource: crm_resource --restart (Pacemaker 2+), else stop, wait until stopped, start. What depends on it restarts too.',
  replaces: 'crm_resource --restart --resource R; crm resource restart R; pcs resource restart R',
  risk: 'high',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf resource restart <resource> [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 15 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'NOT_RUNNING', 'UNSAFE_CLUSTER'],
  paramsSchema: params,
  locks: (p, scope) => stopLines(scope, p.resource),
  target: (p) => p.resource,

  async preflight(ctx, p) {
    const status = await ctx.status();
    requireResource(status, p.resource);
    if (!running(status, p.resource)) throw new HasfError('NOT_RUNNING', `${p.resource} is not running: start it instead (resource.start).`, { resource: p.resource });
    await requireSafeCluster(ctx, `restart ${p.resource}`, status);
  },

  async plan(ctx, p) {
    const { status, predicted, alongside } = await stopPlan(ctx, p);
    const { spec } = await ctx.pacemaker.dialect();
    const native = restartArgv(spec, p.resource);
    const role = await targetRoleOf(ctx, p.resource);
    const argvs = native
      ? [native]
      : [
          ...(await ctx.pacemaker.commandsFor({ kind: 'target-role', resource: p.resource, role: 'Stopped' })),
          ...(await ctx.pacemaker.commandsFor({ kind: 'target-role', resource: p.resource, role: role === undefined ? null : (role as 'Started') })),
        ];
    const from = where(status, p.resource);
    return {
      summary: `Restart ${p.resource} (on ${from.join(', ')})${alongside.length ? `; restarted with it: ${alongside.map((a) => a.resource).join(', ')}` : ''}`,
      commands: argvs.map((argv) => ({ host: any(ctx), argv })),
      prediction: predicted.prediction,
      warnings: [
        `The prediction is of the stop half; the start half brings ${p.resource} back where the cluster places it.`,
        ...(native ? [] : [`${spec.label} has no crm_resource --restart: the job stops ${p.resource}, waits until it is stopped, then starts it.`]),
        ...stopsWithLines(alongside),
        ...predicted.warnings,
      ],
    };
  },

  async execute(ctx, p) {
    const { spec } = await ctx.pacemaker.dialect();
    // The target-role before the restart, kept across attempts: a restart cut short leaves Stopped behind.
    const role = (ctx.checkpoint.role as string | null | undefined) ?? (await targetRoleOf(ctx, p.resource)) ?? null;
    if (!('role' in ctx.checkpoint)) await ctx.saveCheckpoint({ role });
    const restore = role === null || role.toLowerCase() === 'stopped' ? null : (role as 'Started');
    const before = where(await ctx.pacemaker.status(), p.resource);
    if (restartArgv(spec, p.resource) && !ctx.checkpoint.sent) {
      await ctx.step('restart');
      await ctx.saveCheckpoint({ sent: true });
      await ctx.pacemaker.apply({ kind: 'restart', resource: p.resource });
    } else {
      if (!ctx.checkpoint.stopped) {
        await ctx.step('stop');
        await ctx.pacemaker.apply({ kind: 'target-role', resource: p.resource, role: 'Stopped' });
        await waitStopped(ctx, p.resource);
        await ctx.saveCheckpoint({ stopped: true });
      }
      await ctx.step('start');
    }
    // Whatever happened to crm_resource, the target-role ends as it was.
    if ((await targetRoleOf(ctx, p.resource)) !== (role ?? undefined)) await ctx.pacemaker.apply({ kind: 'target-role', resource: p.resource, role: restore });
    await ctx.step('verify');
    const s = await waitStarted(ctx, p.resource);
    const on = where(s, p.resource);
    return { summary: `${p.resource} was restarted: Started on ${on.join(', ')} (before: ${before.join(', ')}).`, details: { resource: p.resource, before, nodes: on } };
  },
};
