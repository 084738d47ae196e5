import { explainPlacement, reasonsText, type PlacementExplanation, type SequencePrediction, type SimStep } from '../cluster/index.ts';
import type { ClusterStatus } from '../cluster/model.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { nodeLine, resourceLine, uniqueLines } from './lines.ts';
import { allResources, leftoverConstraints, requireEligibleNode, requireNode, requireResource } from './status-helpers.ts';
import { lifetimeSchema, nameSchema } from './params.ts';
import { planPrediction } from './predict.ts';
import type { ExecutionContext, OperationContext, OperationDef } from './types.ts';
import { waitUntilSettled } from './wait-cluster.ts';

export interface MigrateParams {
  vm: string;
  node: string;
  allowRestart?: boolean;
  /** Keep the move constraint (cli-prefer-VM) after the move instead of clearing it. */
  keepConstraint?: boolean;
  /** With keepConstraint: the constraint expires after this ISO 8601 duration (PT2H). */
  lifetime?: string;
}

const onNode = (nodes: string[], node: string) => nodes.length === 1 && nodes[0] === node;
const preferId = (vm: string) => `cli-prefer-${vm}`;

/** The changes the job makes, in order: the move, then (unless kept) the clear of its constraint. */
function sequence(p: MigrateParams): SimStep[] {
  const move: SimStep = { kind: 'move', resource: p.vm, node: p.node, ...(p.keepConstraint && p.lifetime ? { lifetime: p.lifetime } : {}) };
  return p.keepConstraint ? [move] : [move, { kind: 'clear', resource: p.vm }];
}

/** The whole sequence's prediction, or why there is none (a warning, never a refusal). */
async function predictMigration(ctx: OperationContext, p: MigrateParams): Promise<{ prediction?: SequencePrediction; warning?: string }> {
  try {
    return { prediction: await ctx.pacemaker.predictSequence(sequence(p)) };
  } catch (err) {
    if (!isHasfError(err)) throw err;
    return { warning: `No scheduler prediction: ${err.message}` };
  }
}

/** What to do when the cluster would undo the move. */
function moveBackAdvice(p: MigrateParams, e: PlacementExplanation): string {
  const strong = e.reasons.filter((r) => r.constraint && !/^cli-/.test(r.constraint));
  const fix = strong.length
    ? `, or remove ${strong.map((r) => r.constraint).join(', ')} (or lower it below the stickiness ${e.stickiness})`
    : '';
  return `To keep it on ${p.node}, ask again with keepConstraint (Slack/CLI: --keep-constraint, optionally --lifetime PT2H) so the move constraint ${preferId(p.vm)} stays${fix}.`;
}

/**
 * The refusal when the scheduler's prediction of the whole sequence does not leave the
 * VM on the target: it can't go there at all (WOULD_NOT_MOVE), or it goes and comes back
 * once the move constraint is cleared (WOULD_MOVE_BACK). Undefined when it stays.
 */
function refusalFor(p: MigrateParams, pred: SequencePrediction): HasfError | undefined {
  const [move, clear] = pred.steps;
  if (!move) return undefined;
  const afterMove = move.placement[p.vm] ?? [];
  if (!onNode(afterMove, p.node)) {
    const e = explainPlacement({ cib: pred.inputCib, resource: p.vm, node: p.node, endsOn: afterMove, placement: move.placement, utilization: move.utilization, ignoreCli: true });
    return new HasfError(
      'WOULD_NOT_MOVE',
      `The scheduler would not run ${p.vm} on ${p.node}, even with a move constraint (it would stay ${afterMove.length ? `on ${afterMove.join(', ')}` : 'stopped'}): ${reasonsText(e)}. Pick another node, or change what keeps it off ${p.node} first.`,
      { vm: p.vm, node: p.node, endsOn: afterMove, reasons: e.reasons },
    );
  }
  if (!clear) return undefined;
  const end = clear.placement[p.vm] ?? [];
  if (onNode(end, p.node)) return undefined;
  const e = explainPlacement({ cib: pred.inputCib, resource: p.vm, node: p.node, endsOn: end, placement: clear.placement, utilization: clear.utilization, ignoreCli: true });
  return new HasfError(
    'WOULD_MOVE_BACK',
    `${p.vm} would not stay on ${p.node}: once its move constraint is cleared the cluster moves it ${end.length ? `back to ${end.join(', ')}` : 'away (it stops)'} — ${reasonsText(e)}. ${moveBackAdvice(p, e)}`,
    { vm: p.vm, node: p.node, endsOn: end, stickiness: e.stickiness, reasons: e.reasons, constraints: e.reasons.filter((r) => r.constraint).map((r) => ({ id: r.constraint, score: r.score })) },
  );
}

/** Why the VM is not where it was sent, as the cluster shows it now (its CIB's constraints and scores). */
async function whyNotThere(ctx: ExecutionContext, p: MigrateParams, s: ClusterStatus): Promise<string> {
  const r = allResources(s).find((x) => x.id === p.vm);
  const where = r?.active && r.nodes.length ? `${p.vm} runs on ${r.nodes.join(', ')}, not ${p.node}` : `${p.vm} is ${r?.role ?? 'missing'}, not running on ${p.node}`;
  if (r?.failed) return `${where} (failed: see crm_mon --failcounts)`;
  try {
    const placement: Record<string, string[]> = {};
    for (const x of allResources(s)) placement[x.id] = x.nodes;
    const e = explainPlacement({ cib: await ctx.pacemaker.cib(), resource: p.vm, node: p.node, endsOn: r?.nodes ?? [], placement, ignoreCli: true });
    return `${where}: ${reasonsText(e)}`;
  } catch {
    return where;
  }
}

/** vm.migrate: move a VM resource to a node (live when allow-migrate), then clear the constraint. */
export const vmMigrate: OperationDef<MigrateParams> = {
  name: 'vm.migrate',
  summary: 'Move a VM to another node: live migration when the resource allows it.',
  replaces: 'xm migrate --live vm1 node2 (behind the cluster\'s back) / crm_resource --move --resource vm1 --node node2 && crm_resource --clear --resource vm1',
  risk: 'medium',
  disruptive: false,
  defaultApprovals: 1,
  usage: '/hasf migrate <vm> <node> [--allow-restart] [--keep-constraint] [--lifetime PT2H] [--reason "..."] [--ticket CHG123] [--dry-run]',
  timeoutMs: 10 * 60_000,
  refusals: ['UNKNOWN_OBJECT', 'TARGET_OFFLINE', 'TARGET_STANDBY', 'TARGET_UNCLEAN', 'ALREADY_THERE', 'NOT_MIGRATABLE', 'TARGET_NOT_CLUSTER_NODE', 'WOULD_MOVE_BACK', 'WOULD_NOT_MOVE', 'INVALID_INPUT'],
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
      keepConstraint: {
        type: 'boolean',
        description:
          'Keep the move constraint (cli-prefer-VM, score INFINITY for the node) instead of clearing it: needed when a location preference stronger than stickiness would move the VM back. It stays until cleared (crm_resource --clear) or its lifetime ends.',
      },
      lifetime: lifetimeSchema('With keepConstraint: how long the kept constraint lasts, ISO 8601 duration (PT2H, P1D); crm_resource --move --lifetime.'),
    },
  },
  // The VM, and the nodes it leaves and goes to: it waits for (and re-checks after) any
  // standby, online or fence of either. Migrations only share their nodes' lines.
  locks: async (p, scope) => {
    const vm = allResources(await scope.status()).find((r) => r.id === p.vm);
    return uniqueLines([resourceLine(p.vm), ...[p.node, ...(vm?.nodes ?? [])].map((n) => nodeLine(n, 'shared'))]);
  },
  target: (p) => `${p.vm} → ${p.node}${p.keepConstraint ? ' (constraint kept)' : ''}`,

  async preflight(ctx, p) {
    if (p.lifetime && !p.keepConstraint) {
      throw new HasfError('INVALID_INPUT', 'lifetime only applies to a kept move constraint: add keepConstraint (Slack/CLI: --keep-constraint --lifetime PT2H), or leave the lifetime out.', { field: 'lifetime' });
    }
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
    // The end state of the whole sequence decides: a VM the cluster would not leave there
    // is refused now, before anyone approves a move that would not hold. At the job's turn,
    // a CIB still at the version the approved plan was predicted on predicts the same.
    const planned = ctx.planned?.prediction?.cibVersion;
    if (planned && status.cibVersion === planned) return;
    const { prediction } = await predictMigration(ctx, p);
    const refusal = prediction && refusalFor(p, prediction);
    if (refusal) throw refusal;
  },

  async plan(ctx, p) {
    const status = await ctx.status();
    const vm = requireResource(status, p.vm, 'vm');
    const lifetime = p.keepConstraint ? p.lifetime : undefined;
    const [move, clear, predicted] = await Promise.all([
      ctx.pacemaker.commandsFor({ kind: 'move', resource: p.vm, node: p.node, ...(lifetime ? { lifetime } : {}) }),
      p.keepConstraint ? Promise.resolve([]) : ctx.pacemaker.commandsFor({ kind: 'clear', resource: p.vm }),
      predictMigration(ctx, p),
    ]);
    const warnings: string[] = predicted.warning ? [predicted.warning] : [];
    if (vm.allowMigrate !== true) warnings.push(`${p.vm} cannot live-migrate: it will be stopped and started (downtime).`);
    if (p.keepConstraint) {
      warnings.push(
        `The move constraint ${preferId(p.vm)} (INFINITY for ${p.node}) is kept ${lifetime ? `for ${lifetime}` : 'until someone clears it'}: while it exists ${p.vm} returns to ${p.node} whenever it can. Remove it with: hasf migrate or crm_resource --clear --resource ${p.vm}.`,
      );
    } else {
      for (const c of leftoverConstraints(status, p.vm)) warnings.push(`Leftover constraint ${c.id} exists and will be removed by the final --clear.`);
    }
    const end = predicted.prediction?.placement[p.vm];
    const from = vm.nodes.join(', ') || 'stopped';
    return {
      summary: `${vm.allowMigrate === true ? 'Live-migrate' : 'Move (stop/start)'} ${p.vm} from ${from} to ${p.node}${p.keepConstraint ? `, keeping the move constraint${lifetime ? ` for ${lifetime}` : ''}` : ', then clear the move constraint'}${end ? `; predicted end state: ${p.vm} on ${end.join(', ') || 'no node'}` : ''}`,
      commands: [...move, ...clear].map((argv) => ({ host: `any node of ${ctx.cluster}`, argv })),
      ...(predicted.prediction ? { prediction: planPrediction(predicted.prediction) } : {}),
      warnings,
    };
  },

  async execute(ctx, p) {
    const started = ctx.now();
    const lifetime = p.keepConstraint ? p.lifetime : undefined;
    await ctx.step('check');
    // A first attempt goes on from the status its preflight just read; a recovery reads again.
    const status = ctx.checkpoint.from === undefined ? await ctx.status() : await ctx.pacemaker.status();
    const vm = requireResource(status, p.vm, 'vm');
    const from = (ctx.checkpoint.from as string | undefined) ?? vm.nodes.join(',');
    if (!ctx.checkpoint.from) await ctx.saveCheckpoint({ from });
    const prefer = status.constraints.some((c) => c.resource === p.vm && c.leftover === 'prefer' && c.node === p.node);
    if (!ctx.checkpoint.cleared && !(vm.active && onNode(vm.nodes, p.node)) && !prefer) {
      await ctx.step('move');
      const r = await ctx.pacemaker.move(p.vm, p.node, lifetime ? { lifetime } : {});
      if (r.exitCode !== 0) {
        throw new HasfError('COMMAND_FAILED', `crm_resource --move failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`, { exitCode: r.exitCode });
      }
      await ctx.saveCheckpoint({ moveSent: true });
    }
    await ctx.step('wait');
    const on = (s: ClusterStatus) => {
      const r = requireResource(s, p.vm, 'vm');
      return r.active && !r.failed && onNode(r.nodes, p.node) && r.role === 'Started';
    };
    let settled = await waitUntilSettled(ctx, `${p.vm} Started on ${p.node}, the cluster settled`, 5 * 60_000, { resources: [p.vm] });
    if (!on(settled.status)) {
      throw new HasfError(
        'VERIFY_FAILED',
        `The cluster settled without ${p.vm} on ${p.node}: ${await whyNotThere(ctx, p, settled.status)}. Its move constraint ${preferId(p.vm)} is still in the CIB; clear it (crm_resource --clear --resource ${p.vm}) once you have decided.`,
        { vm: p.vm, node: p.node, did: settled.did },
      );
    }
    let did = settled.did;
    let clusterMs = settled.clusterMs;
    if (!p.keepConstraint) {
      await ctx.step('clear');
      const c = await ctx.pacemaker.clear(p.vm);
      if (c.exitCode !== 0) {
        throw new HasfError('COMMAND_FAILED', `crm_resource --clear failed (exit ${c.exitCode}): ${c.stderr.trim().slice(0, 300)}`, { exitCode: c.exitCode });
      }
      await ctx.saveCheckpoint({ cleared: true });
      await ctx.step('verify');
      settled = await waitUntilSettled(ctx, `${p.vm} still on ${p.node} with no move constraint, the cluster settled`, 60_000, { resources: [p.vm], after: settled });
      did = `${did} … ${settled.did}`;
      clusterMs += settled.clusterMs;
      if (!on(settled.status)) {
        throw new HasfError('VERIFY_FAILED', `${p.vm} did not stay on ${p.node} once its move constraint was cleared: ${await whyNotThere(ctx, p, settled.status)}.`, { vm: p.vm, node: p.node, did });
      }
      const left = leftoverConstraints(settled.status, p.vm);
      if (left.length) throw new HasfError('VERIFY_FAILED', `${p.vm} runs on ${p.node}, but ${left.map((l) => l.id).join(', ')} is still in the CIB after the clear.`, { vm: p.vm, left: left.map((l) => l.id) });
    } else {
      await ctx.step('verify');
      const kept = settled.status.constraints.find((c) => c.resource === p.vm && c.leftover === 'prefer');
      if (!kept) throw new HasfError('VERIFY_FAILED', `${p.vm} runs on ${p.node}, but its move constraint ${preferId(p.vm)} is not in the CIB although it was to be kept.`, { vm: p.vm });
    }
    const secs = ((ctx.now() - started) / 1000).toFixed(1);
    const kept = p.keepConstraint ? { constraint: preferId(p.vm), node: p.node, ...(lifetime ? { lifetime } : {}) } : undefined;
    return {
      summary: kept
        ? `${p.vm} now runs on ${p.node} (was ${from || 'stopped'}); the move constraint ${kept.constraint} is kept${lifetime ? ` for ${lifetime}` : ' until cleared'} (${secs} s).`
        : `${p.vm} now runs on ${p.node} (was ${from || 'stopped'}); no move constraint left; the cluster settled (${secs} s).`,
      details: { vm: p.vm, from, to: p.node, ...(kept ? { keptConstraint: kept } : {}), did, clusterMs },
    };
  },
};
