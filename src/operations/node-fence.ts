import type { SimStep } from '../cluster/index.ts';
import type { FenceEvent } from '../cluster/model.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import type { CommandResult } from '../ssh/types.ts';
import { allResources, nodeBack, onlineNodes, requireNode } from './status-helpers.ts';
import { disruptiveNodeLocks } from './lines.ts';
import { nameSchema } from './params.ts';
import { tryPredictSequence } from './predict.ts';
import type { ExecutionContext, OperationDef } from './types.ts';
import { waitForCluster } from './wait-cluster.ts';

export interface FenceParams {
  node: string;
  action?: 'reboot' | 'off';
}

/** Clocks of the worker and the cluster differ a little; events this much before the intent still count. */
const CLOCK_SLACK_MS = 5_000;
/** After a crash between "intent recorded" and "sent", how long to look for the fencer's record. */
const INTENT_GRACE_MS = 10_000;

function eventTime(e: FenceEvent): number | undefined {
  if (!e.completed) return undefined;
  const t = Date.parse(e.completed);
  return Number.isNaN(t) ? undefined : t;
}

/** Fencing events for `node` that belong to this job (pending, or completed after the intent). */
function eventsSince(events: FenceEvent[], node: string, intentAt: number): FenceEvent[] {
  return events.filter((e) => {
    if (e.target !== node) return false;
    if (e.status === 'pending') return true;
    const t = eventTime(e);
    return t !== undefined && t >= intentAt - CLOCK_SLACK_MS;
  });
}

async function ourFenceEvents(ctx: ExecutionContext, node: string, intentAt: number) {
  return eventsSince(await ctx.pacemaker.fenceHistory(node), node, intentAt);
}

/** Whether the fencer records a fence of `node` since `intentAt` (pending or done) within `ms`. */
async function seenWithin(ctx: ExecutionContext, node: string, intentAt: number, ms: number): Promise<boolean> {
  const deadline = ctx.now() + ms;
  for (;;) {
    if ((await ourFenceEvents(ctx, node, intentAt)).some((e) => e.status !== 'failed')) return true;
    if (ctx.now() >= deadline) return false;
    await ctx.sleep(1000);
  }
}

/** node.fence: power-cycle (or power off) a node through the cluster's fence device. */
export const nodeFence: OperationDef<FenceParams> = {
  name: 'node.fence',
  summary: 'Fence a node through the cluster (STONITH): reboot, or power off.',
  replaces: 'stonith_admin --reboot node3 (or --fence node3); Heartbeat 2: stonith -t external/… -T reset node3',
  risk: 'high',
  disruptive: true,
  defaultApprovals: 2,
  usage: '/hasf fence <node> [--off] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 15 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'NO_FENCE_DEVICE', 'LAST_NODE', 'QUORUM_AT_RISK', 'UNSUPPORTED_STACK'],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['node'],
    properties: {
      node: nameSchema('Node to fence'),
      action: { type: 'string', enum: ['reboot', 'off'], default: 'reboot', description: 'reboot (default) or off (stays powered off)' },
    },
  },
  locks: async (p) => disruptiveNodeLocks(p),
  target: (p) => `${p.node} (${p.action ?? 'reboot'})`,

  async preflight(ctx, p) {
    const status = await ctx.status();
    requireNode(status, p.node);
    const devices = status.fenceDevices.filter((d) => d.active || d.nodes.length > 0 || d.managed);
    if (status.stonithEnabled === false || devices.length === 0) {
      throw new HasfError('NO_FENCE_DEVICE', `No fence device is configured and active (or stonith-enabled=false); the cluster cannot fence ${p.node}.`, { node: p.node });
    }
    const online = onlineNodes(status);
    const remaining = online.filter((n) => n.name !== p.node);
    if (remaining.length === 0) {
      throw new HasfError('LAST_NODE', `${p.node} is the last online node; fencing it would take the whole cluster down.`, { node: p.node });
    }
    const expected = status.quorum.expectedVotes ?? status.nodes.filter((n) => (n.type ?? 'member') === 'member').length;
    const needed = Math.floor(expected / 2) + 1;
    if (remaining.length < needed) {
      throw new HasfError(
        'QUORUM_AT_RISK',
        `Fencing ${p.node} would leave ${remaining.length} of ${expected} votes; quorum needs ${needed}. Bring another node back first.`,
        { node: p.node, remaining: remaining.length, expected, needed },
      );
    }
  },

  async plan(ctx, p) {
    const action = p.action ?? 'reboot';
    const change = { kind: 'fence', node: p.node, action } as const;
    // The end state: after a reboot the node comes back and the cluster may move things to it again.
    const steps: SimStep[] = action === 'reboot' ? [change, { kind: 'rejoin', node: p.node }] : [change];
    const [argvs, predicted, status] = await Promise.all([ctx.pacemaker.commandsFor(change), tryPredictSequence(ctx, steps), ctx.status()]);
    // Guest nodes inside VMs or containers on this node go down with it.
    const guests = status.nodes.filter((n) => n.type === 'guest' && n.host === p.node);
    const guestWarnings = guests.length
      ? [`${p.node} hosts guest node${guests.length > 1 ? 's' : ''} ${guests.map((g) => `${g.name}${g.container ? ` (in ${g.container})` : ''}`).join(', ')}: ${guests.length > 1 ? 'they go' : 'it goes'} down with it, and what runs there is recovered with ${guests.length > 1 ? 'their containers' : 'its container'}.`]
      : [];
    return {
      summary: action === 'off' ? `Power off ${p.node} through the fence device (it stays off)` : `Reboot ${p.node} through the fence device`,
      commands: argvs.map((argv) => ({ host: `any other node of ${ctx.cluster}`, argv })),
      prediction: predicted.prediction,
      warnings: [`Everything running on ${p.node} is killed without a clean stop; the cluster restarts it elsewhere.`, ...guestWarnings, ...predicted.warnings],
    };
  },

  async execute(ctx, p) {
    const action = p.action ?? 'reboot';
    await ctx.step('fence');
    let intentAt = ctx.checkpoint.fenceIntentAt as number | undefined;
    let done: FenceEvent | undefined;
    if (intentAt !== undefined) {
      // A previous attempt recorded the intent: never send a second fence while the
      // fencer knows of ours. Look for it for a grace period before concluding it never left.
      const deadline = ctx.now() + INTENT_GRACE_MS;
      for (;;) {
        const ev = await ourFenceEvents(ctx, p.node, intentAt);
        if (ev.length) break;
        if (ctx.now() >= deadline) {
          intentAt = undefined;
          break;
        }
        await ctx.sleep(1000);
      }
    }
    if (intentAt === undefined) {
      intentAt = Date.now();
      // What the node ran, to verify afterwards that the cluster recovered it elsewhere.
      const before = await ctx.pacemaker.status();
      const clones = new Set(before.resources.filter((r) => r.kind === 'clone').map((r) => r.id));
      const recover = allResources(before)
        .filter((r) => r.kind === 'primitive' && !r.isFenceDevice && !(r.parent && clones.has(r.parent)) && r.active && r.nodes.includes(p.node))
        .map((r) => r.id);
      await ctx.saveCheckpoint({ fenceIntentAt: intentAt, recover });
      let r: CommandResult | undefined;
      try {
        r = await ctx.pacemaker.fence(p.node, action);
      } catch (err) {
        // The request may have reached the fencer (the session dropped, the client timed
        // out): decide from the fencing history, never by sending a second fence. With no
        // trace of it, the retry looks again (INTENT_GRACE_MS) before it sends anything.
        if (!isHasfError(err, 'COMMAND_OUTCOME_UNKNOWN') && !isHasfError(err, 'COMMAND_TIMEOUT')) throw err;
        if (!(await seenWithin(ctx, p.node, intentAt, INTENT_GRACE_MS))) throw err;
      }
      if (r && r.exitCode !== 0) {
        // stonith_admin can fail on the client side while the fencer still acts: check the history.
        const ev = await ourFenceEvents(ctx, p.node, intentAt);
        if (!ev.some((e) => e.status !== 'failed')) {
          throw new HasfError('COMMAND_FAILED', `stonith_admin failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`, { exitCode: r.exitCode });
        }
      }
    }
    await ctx.step('confirm');
    const deadline = ctx.now() + 5 * 60_000;
    for (;;) {
      const ev = await ourFenceEvents(ctx, p.node, intentAt);
      done = ev.find((e) => e.status === 'success');
      if (done) break;
      if (ev.length && ev.every((e) => e.status === 'failed')) {
        throw new HasfError('VERIFY_FAILED', `The fencing history shows the fence of ${p.node} failed; check the fence device.`, { events: ev });
      }
      if (ctx.now() >= deadline) throw new HasfError('VERIFY_FAILED', `No successful fence of ${p.node} in the history after 5 minutes.`);
      await ctx.sleep(1000);
    }
    await ctx.saveCheckpoint({ fenced: true });
    await ctx.step('verify');
    if (action === 'reboot') {
      await waitForCluster(ctx, `${p.node} back online, the cluster settled`, (s) => nodeBack(s, p.node), 10 * 60_000, 250);
    } else {
      await waitForCluster(ctx, `${p.node} offline, the cluster settled`, (s) => !!s.nodes.find((n) => n.name === p.node && !n.online), 5 * 60_000, 250);
    }
    const recover = (ctx.checkpoint.recover as string[] | undefined) ?? [];
    if (recover.length) {
      await waitForCluster(
        ctx,
        `${recover.join(', ')} running again after the fence, the cluster settled`,
        (s) => recover.every((id) => allResources(s).some((r) => r.id === id && r.active && !r.failed && r.nodes.length === 1)),
        5 * 60_000,
      );
    }
    return {
      summary:
        (action === 'reboot' ? `${p.node} was fenced (reboot, confirmed by the fencing history) and is back online.` : `${p.node} was fenced and is powered off.`) +
        (recover.length ? ` ${recover.join(', ')} run again.` : ''),
      details: { node: p.node, action, fenceEvent: done, recovered: recover },
    };
  },
};
