import type { ClusterStatus } from '../cluster/model.ts';
import type { MaintenanceTask, RebootMode } from '../config/rolling.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { closest } from '../util/closest.ts';
import { requireSafeCluster } from './cluster-safety.ts';
import { CLUSTER_DISRUPTIVE, nodeLine } from './lines.ts';
import { nameSchema } from './params.ts';
import { allResources, nodeBack, requireNode } from './status-helpers.ts';
import type { ExecutionContext, OperationContext, OperationDef, Plan, PredictedAction } from './types.ts';
import {
  instanceCounts,
  notDrained,
  notSettled,
  phasesFrom,
  phaseText,
  PHASES,
  readCheckpoint,
  resumePoint,
  stopReport,
  type Phase,
  type RollingCheckpoint,
} from './cluster-rolling-steps.ts';

export interface RollingParams {
  task: string;
  nodes?: string[];
  reboot?: RebootMode;
  allowRestart?: boolean;
}

/** The task's definition, or UNKNOWN_TASK naming the configured ones. */
function requireTask(ctx: OperationContext, name: string): MaintenanceTask {
  const t = ctx.rolling.tasks[name];
  if (t) return t;
  const known = Object.keys(ctx.rolling.tasks);
  const near = closest(name, known);
  throw new HasfError(
    'UNKNOWN_TASK',
    known.length
      ? `There is no maintenance task "${name}"${near.length ? `; did you mean ${near.join(', ')}?` : ''}. Configured: ${known.join(', ')} (rolling.tasks in the configuration).`
      : `No maintenance task is configured; define one under rolling.tasks in the configuration (e.g. patch: [zypper, -n, patch]).`,
    { task: name, known, closest: near },
  );
}

/** The nodes in the order they are done: as requested, or every member node of the cluster. */
function nodesOf(status: ClusterStatus, p: RollingParams): string[] {
  const list = p.nodes?.length ? p.nodes : status.nodes.filter((n) => (n.type ?? 'member') === 'member').map((n) => n.name);
  const dup = list.find((n, i) => list.indexOf(n) !== i);
  if (dup) throw new HasfError('INVALID_INPUT', `${dup} is listed twice in nodes; list each node once, in the order to do them (e.g. --nodes node1,node2).`, { field: 'nodes' });
  for (const n of list) requireNode(status, n);
  return list;
}

const rebootOf = (ctx: OperationContext, p: RollingParams): RebootMode => p.reboot ?? requireTask(ctx, p.task).reboot;

/** Each node's drain, predicted by the scheduler on the cluster as it is now. */
async function predictDrains(ctx: OperationContext, nodes: string[]) {
  return Promise.all(nodes.map(async (node) => ({ node, prediction: await ctx.pacemaker.predict({ kind: 'standby', node, on: true }) })));
}

/** Actions that stop a service for a while: a stop/start move of a primitive that is not a fence device or a clone instance. */
function downtime(status: ClusterStatus, actions: PredictedAction[]): string[] {
  const byId = new Map(allResources(status).map((r) => [r.id, r]));
  const clones = new Set(status.resources.filter((r) => r.kind === 'clone').map((r) => r.id));
  return actions
    .filter((a) => a.resource && (a.action === 'move' || a.action === 'restart' || a.action === 'stop'))
    .filter((a) => {
      const r = byId.get(a.resource!.replace(/:\d+$/, ''));
      return !!r && r.kind === 'primitive' && !r.isFenceDevice && !(r.parent && clones.has(r.parent));
    })
    .map((a) => a.resource!);
}

/** cluster.rolling: node by node — drain, run a named task, optionally reboot, bring back, settle. */
export const clusterRolling: OperationDef<RollingParams> = {
  name: 'cluster.rolling',
  summary: 'Rolling maintenance: node by node, drain (standby), run a named task, optionally reboot, bring back online, settle.',
  replaces: 'for n in node1 node2 node3: crm node standby $n; ssh $n zypper -n patch; ssh $n reboot; crm node online $n (striker-update-cluster)',
  risk: 'high',
  disruptive: true,
  defaultApprovals: 1,
  pausable: true,
  usage: '/hasf rolling <task> [--nodes node1,node2] [--reboot none|clean|fence] [--allow-restart] [--reason "..."] [--ticket CHG123] [--dry-run]',
  // The whole cluster; each phase has its own bound (task timeout, back-online timeout, settle).
  timeoutMs: 12 * 60 * 60_000,
  refusals: ['UNKNOWN_TASK', 'UNKNOWN_OBJECT', 'INVALID_INPUT', 'UNSAFE_CLUSTER', 'LAST_NODE', 'RESOURCES_WOULD_STOP', 'NOT_MIGRATABLE', 'NO_FENCE_DEVICE'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['task'],
    properties: {
      task: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'A maintenance task named in the configuration (rolling.tasks), e.g. patch' },
      nodes: { type: 'array', items: nameSchema('Node name'), minItems: 1, maxItems: 64, description: 'The nodes, in order; default every node of the cluster' },
      reboot: { type: 'string', enum: ['none', 'clean', 'fence'], description: "Reboot after the task: none, clean (the configured clean reboot) or fence (the node's fence device); default the task's" },
      allowRestart: { type: 'boolean', description: 'Accept that resources which cannot live-migrate are stopped and started (downtime) when their node is drained.' },
    },
  },
  // Every node it touches and the cluster's disruptive line, for the whole run.
  locks: async (p, scope) => {
    const status = await scope.status();
    const nodes = p.nodes?.length ? p.nodes : status.nodes.map((n) => n.name);
    return [...nodes.map((n) => nodeLine(n)), CLUSTER_DISRUPTIVE];
  },
  target: (p) => `${p.task} on ${p.nodes?.length ? p.nodes.join(', ') : 'every node'}`,

  async preflight(ctx, p) {
    requireTask(ctx, p.task);
    const status = await ctx.status();
    const nodes = nodesOf(status, p);
    const reboot = rebootOf(ctx, p);
    // cluster.check's critical findings (no quorum, fencing off or without a device, an unclean node) first.
    await requireSafeCluster(ctx, 'start a rolling maintenance', status);
    if (!status.quorum.hasQuorum) throw new HasfError('UNSAFE_CLUSTER', `Cluster ${ctx.cluster} has no quorum; a rolling maintenance needs a healthy cluster. Run "check" and fix it first.`, { finding: 'NO_QUORUM' });
    if (status.maintenanceMode) throw new HasfError('UNSAFE_CLUSTER', `Cluster ${ctx.cluster} is in maintenance mode: nothing would move off a drained node. Turn maintenance-mode off first.`, { finding: 'MAINTENANCE_MODE' });
    for (const n of status.nodes) {
      const why = n.unclean ? 'unclean' : !n.online ? 'offline' : n.standby ? 'in standby' : n.maintenance ? 'in maintenance' : undefined;
      if (why) throw new HasfError('UNSAFE_CLUSTER', `${n.name} is ${why}; a rolling maintenance takes one node out at a time and needs every other node up and eligible. Bring ${n.name} back first.`, { node: n.name, finding: why });
    }
    if (status.nodes.length < 2) throw new HasfError('LAST_NODE', `Cluster ${ctx.cluster} has one node; draining it would stop everything.`, {});
    if (reboot === 'fence' && (status.fenceDevices.length === 0 || status.stonithEnabled === false)) {
      throw new HasfError('NO_FENCE_DEVICE', `reboot=fence needs an active fence device and stonith-enabled; use reboot=clean instead.`, {});
    }
    // Each node's drain, predicted on the cluster as it is now (every other node up, as
    // it will be again when that node's turn comes): nothing may be left without a node.
    for (const { node, prediction } of await predictDrains(ctx, nodes)) {
      const stranded = allResources(status).filter(
        (r) => r.kind === 'primitive' && !r.isFenceDevice && r.active && r.nodes.includes(node) && !status.resources.some((c) => c.kind === 'clone' && c.id === r.parent) && (prediction.placement[r.id] ?? []).length === 0,
      );
      if (stranded.length) {
        throw new HasfError('RESOURCES_WOULD_STOP', `Draining ${node} would leave ${stranded.map((r) => r.id).join(', ')} with nowhere to run (the other nodes can't hold them, e.g. utilization); free capacity first or leave ${node} out (--nodes).`, {
          node,
          resources: stranded.map((r) => r.id),
        });
      }
      const down = downtime(status, prediction.actions);
      if (down.length && !p.allowRestart) {
        throw new HasfError('NOT_MIGRATABLE', `Draining ${node} would stop and start ${[...new Set(down)].join(', ')} (no live migration: downtime); repeat with allowRestart (Slack/CLI: --allow-restart) if that is acceptable.`, { node, resources: down });
      }
    }
  },

  async plan(ctx, p) {
    const task = requireTask(ctx, p.task);
    const status = await ctx.status();
    const nodes = nodesOf(status, p);
    const reboot = rebootOf(ctx, p);
    const any = `any node of ${ctx.cluster}`;
    const commands: Plan['commands'] = [];
    const actions: PredictedAction[] = [];
    const warnings: string[] = [];
    const drains = await predictDrains(ctx, nodes).catch((err: unknown) => {
      if (!isHasfError(err)) throw err;
      warnings.push(`No scheduler prediction: ${err.message}`);
      return [];
    });
    for (const node of nodes) {
      const [standby, online, fence] = await Promise.all([
        ctx.pacemaker.commandsFor({ kind: 'standby', node, on: true }),
        ctx.pacemaker.commandsFor({ kind: 'standby', node, on: false }),
        reboot === 'fence' ? ctx.pacemaker.commandsFor({ kind: 'fence', node, action: 'reboot' }) : Promise.resolve([]),
      ]);
      commands.push(...standby.map((argv) => ({ host: any, argv })));
      commands.push({ host: node, argv: task.argv });
      if (reboot === 'clean') commands.push({ host: node, argv: ctx.rolling.cleanReboot });
      if (reboot === 'fence') commands.push(...fence.map((argv) => ({ host: any, argv })));
      commands.push(...online.map((argv) => ({ host: any, argv })));
      const d = drains.find((x) => x.node === node);
      for (const a of d?.prediction.actions ?? []) actions.push({ ...a, text: `${node} standby: ${a.text}` });
    }
    const steps = nodes.map((n, i) => `${i + 1}. ${n}: ${PHASES.map((ph) => phaseText(ph, n, p.task, reboot)).filter(Boolean).join('; ')}`);
    warnings.push(
      `Steps, one node at a time (pause, resume or abort between nodes): ${steps.join(' ')}`,
      `Each node's drain is predicted on the cluster as it is now, with every other node online, as it will be when that node's turn comes; the job stops at the first failure, leaving that node in standby.`,
    );
    if (task.description) warnings.unshift(`Task "${p.task}": ${task.description}`);
    return {
      summary: `Rolling maintenance "${p.task}" on ${nodes.join(', ')}, one node at a time: standby, task${reboot === 'none' ? '' : `, reboot (${reboot})`}, online, settle`,
      commands,
      prediction: { actions, placement: drains.length ? drains[drains.length - 1]!.prediction.placement : {} },
      warnings,
    };
  },

  async execute(ctx, p) {
    const task = requireTask(ctx, p.task);
    const reboot = rebootOf(ctx, p);
    let status = await ctx.pacemaker.status();
    const nodes = nodesOf(status, p);
    const cp = readCheckpoint(ctx.checkpoint);
    if (!cp.baseline) {
      cp.baseline = instanceCounts(status);
      await ctx.saveCheckpoint({ baseline: cp.baseline, done: cp.done });
    }
    const runner = new NodeRun(ctx, p.task, task, reboot, cp.baseline);
    const started = ctx.now();
    let at: { node?: string; phase?: Phase } = {};
    try {
      for (let next = resumePoint(nodes, cp); next; next = resumePoint(nodes, cp)) {
        at = { node: next.node };
        // Operators pause or abort here, between two nodes.
        if (next.fresh) await ctx.pausePoint(cp.done.length ? `after ${cp.done[cp.done.length - 1]}, before ${next.node}` : `before ${next.node}`);
        for (const phase of phasesFrom(next.phase, reboot)) {
          at = { node: next.node, phase };
          cp.node = next.node;
          cp.phase = phase;
          await ctx.saveCheckpoint({ node: next.node, phase });
          await runner.phase(next.node, phase, cp);
        }
        cp.done.push(next.node);
        // Nothing of this node's may carry over to the next (its boot id, its reboot).
        cp.node = cp.phase = cp.bootId = cp.rebootSentAt = undefined;
        await ctx.saveCheckpoint({ done: cp.done, node: null, phase: null, bootId: null, rebootSentAt: null });
      }
    } catch (err) {
      throw await stopped(ctx, err, nodes, cp, at);
    }
    status = await ctx.pacemaker.status();
    const secs = Math.round((ctx.now() - started) / 1000);
    return {
      summary: `Rolling maintenance "${p.task}" done on ${nodes.join(', ')} (${reboot === 'none' ? 'no reboot' : `each rebooted (${reboot})`}); every node is online again (${secs} s).`,
      details: { task: p.task, reboot, nodes, done: cp.done, perNode: runner.log, online: status.nodes.filter((n) => n.online && !n.standby).map((n) => n.name) },
    };
  },
};

/**
 * The error a stopped rolling job ends with: what went wrong, where it stopped and what
 * the cluster shows there now (re-read, not assumed), with the report the job keeps as
 * its result.
 */
async function stopped(ctx: ExecutionContext, err: unknown, nodes: string[], cp: RollingCheckpoint, at: { node?: string; phase?: Phase }): Promise<unknown> {
  if (!isHasfError(err) || ctx.signal.aborted) return err;
  const report = stopReport(nodes, cp, at);
  const now = await ctx.pacemaker.status().catch(() => undefined);
  const node = at.node ? now?.nodes.find((n) => n.name === at.node) : undefined;
  // An offline node's standby is not shown by crm_mon (it stays set in the CIB).
  const state = !at.node ? '' : !node ? ` ${at.node}'s state could not be read.` : !node.online ? ` ${at.node} is offline.` : ` ${at.node} is ${node.standby ? 'left in standby' : 'not in standby'}.`;
  const where = err.code === 'JOB_ABORTED' || !at.phase ? `before ${at.node} (nothing done on it)` : `at ${at.node}, phase ${at.phase}`;
  const summary = `Stopped ${where}: ${err.message}${state} Done: ${report.done.join(', ') || 'none'}; not touched: ${report.untouched.join(', ') || 'none'}.`;
  const standby = now?.nodes.filter((n) => n.standby).map((n) => n.name) ?? [];
  return new HasfError(err.code, summary, { ...err.details, report: { summary, details: { ...report, standby } } }, { cause: err });
}

/** One node's phases, each safe to run again after a crash (it re-reads before acting). */
class NodeRun {
  /** Per node: what happened (task exit, boot ids), for the result. */
  readonly log: Record<string, Record<string, unknown>> = {};

  constructor(
    private readonly ctx: ExecutionContext,
    private readonly taskName: string,
    private readonly task: MaintenanceTask,
    private readonly reboot: RebootMode,
    private readonly baseline: Record<string, number>,
  ) {}

  async phase(node: string, phase: Phase, cp: RollingCheckpoint): Promise<void> {
    const ctx = this.ctx;
    const log = (this.log[node] ??= {});
    await ctx.step(`${node}: ${phase}`);
    switch (phase) {
      case 'standby': {
        if (!requireNode(await this.status(), node).standby) await checked(await ctx.pacemaker.standby(node, true), 'crm_attribute (standby on)');
        return;
      }
      case 'drain':
        await this.until(`${node} drained`, (s) => notDrained(s, node, this.baseline), 10 * 60_000, 'VERIFY_FAILED');
        return;
      case 'task': {
        if (this.reboot !== 'none' && !cp.bootId) {
          cp.bootId = await this.bootId(node);
          log.bootIdBefore = cp.bootId;
          await ctx.saveCheckpoint({ bootId: cp.bootId });
        }
        const r = await ctx.onNode(node).run(this.task.argv, { timeoutMs: this.task.timeoutMs, signal: ctx.signal });
        log.taskExit = r.exitCode;
        if (r.exitCode !== 0) {
          const out = (r.stderr.trim() || r.stdout.trim()).slice(-300);
          throw new HasfError('TASK_FAILED', `Task "${this.taskName}" (${this.task.argv.join(' ')}) exited ${r.exitCode} on ${node}${out ? `: ${out}` : ''}.`, { node, exitCode: r.exitCode });
        }
        return;
      }
      case 'reboot':
        await this.sendReboot(node, cp);
        return;
      case 'back': {
        const deadline = ctx.now() + ctx.rolling.backOnlineTimeout;
        for (;;) {
          const id = await this.bootId(node).catch(() => undefined);
          if (id && id !== cp.bootId && nodeBack(await this.status(), node)) {
            log.bootIdAfter = id;
            return;
          }
          if (ctx.now() >= deadline) {
            throw new HasfError('NODE_NOT_BACK', `${node} was not back within ${Math.round(ctx.rolling.backOnlineTimeout / 1000)} s after its reboot (${id === undefined ? 'no SSH answer' : id === cp.bootId ? 'same boot id: it has not rebooted' : 'not online in the cluster'}); check its console.`, { node });
          }
          await ctx.sleep(1000);
        }
      }
      case 'online': {
        if (requireNode(await this.status(), node).standby) await checked(await ctx.pacemaker.standby(node, false), 'crm_attribute (standby off)');
        return;
      }
      case 'settle':
        await this.until(`${node} back in service and the cluster settled`, (s) => notSettled(s, node, this.baseline), 10 * 60_000, 'VERIFY_FAILED');
        return;
    }
  }

  /**
   * The cluster's status, read again for a while when a read fails: around a reboot the
   * node a read lands on may be booting (sshd up, its CIB not yet: crm_mon exits 102).
   */
  private async status(patienceMs = 60_000): Promise<ClusterStatus> {
    const deadline = this.ctx.now() + patienceMs;
    for (;;) {
      try {
        return await this.ctx.pacemaker.status();
      } catch (err) {
        if (!isHasfError(err) || this.ctx.signal.aborted || this.ctx.now() >= deadline) throw err;
        await this.ctx.sleep(1000);
      }
    }
  }

  /** The node's boot id (rolling.bootId on the node; the kernel's boot_id by default). */
  private async bootId(node: string): Promise<string> {
    const r = await this.ctx.onNode(node).run(this.ctx.rolling.bootId, { timeoutMs: 10_000, readOnly: true, signal: this.ctx.signal });
    const id = r.stdout.trim();
    if (r.exitCode !== 0 || !id) throw new HasfError('COMMAND_FAILED', `${this.ctx.rolling.bootId.join(' ')} on ${node} gave no boot id (exit ${r.exitCode}).`, { node });
    return id;
  }

  /** Reboot once: a recovered job that already sent it (the checkpoint says when) waits instead. */
  private async sendReboot(node: string, cp: RollingCheckpoint): Promise<void> {
    const ctx = this.ctx;
    if (cp.rebootSentAt) return;
    cp.rebootSentAt = new Date(ctx.now()).toISOString();
    await ctx.saveCheckpoint({ rebootSentAt: cp.rebootSentAt });
    if (this.reboot === 'fence') {
      await checked(await ctx.pacemaker.fence(node, 'reboot'), 'stonith_admin --reboot');
      return;
    }
    try {
      const r = await ctx.onNode(node).run(ctx.rolling.cleanReboot, { timeoutMs: 60_000, signal: ctx.signal });
      if (r.exitCode !== 0) throw new HasfError('TASK_FAILED', `The clean reboot (${ctx.rolling.cleanReboot.join(' ')}) exited ${r.exitCode} on ${node}: ${r.stderr.trim().slice(0, 300)}`, { node, exitCode: r.exitCode });
    } catch (err) {
      // A reboot cuts the SSH session that asked for it: a dropped connection is expected.
      if (!isHasfError(err) || !['COMMAND_OUTCOME_UNKNOWN', 'SSH_CONNECT_FAILED', 'COMMAND_TIMEOUT'].includes(err.code)) throw err;
    }
  }

  /** Re-read the cluster until `why` answers undefined on two reads in a row (settled, not passing through). */
  private async until(what: string, why: (s: ClusterStatus) => string | undefined, timeoutMs: number, code: 'VERIFY_FAILED'): Promise<void> {
    const ctx = this.ctx;
    const deadline = ctx.now() + timeoutMs;
    let good = 0;
    let last: string | undefined;
    for (;;) {
      last = why(await this.status());
      good = last === undefined ? good + 1 : 0;
      if (good >= 2) return;
      if (ctx.now() >= deadline) throw new HasfError(code, `The cluster did not reach "${what}" within ${Math.round(timeoutMs / 1000)} s (${last ?? 'unsteady'}); check crm_mon on the cluster.`, { what, timeoutMs });
      await ctx.sleep(1000);
    }
  }
}

async function checked(r: { exitCode: number; stderr: string }, what: string): Promise<void> {
  if (r.exitCode !== 0) throw new HasfError('COMMAND_FAILED', `${what} failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`, { exitCode: r.exitCode });
}
