import type { SequencePrediction, SimStep } from '../cluster/index.ts';
import { describeAdminChange } from '../cluster/admin-change.ts';
import { isHasfError } from '../errors/index.ts';
import type { ClusterChange, OperationContext, Plan } from './types.ts';

/** "move vm1 to node2", "clear vm1", "fence node2 (reboot)", "node2 rejoins": one step, for people. */
export function stepLabel(s: SimStep): string {
  switch (s.kind) {
    case 'move':
      return `move ${s.resource} to ${s.node}${s.lifetime ? ` for ${s.lifetime}` : ''}`;
    case 'clear':
      return `clear the move constraints of ${s.resource}`;
    case 'standby':
      return `${s.on ? 'standby' : 'online'} ${s.node}`;
    case 'fence':
      return `fence ${s.node} (${s.action})`;
    case 'cleanup':
      return `clean up ${s.resource}`;
    case 'rejoin':
      return `${s.node} back online`;
    default:
      return describeAdminChange(s);
  }
}

/** A plan's prediction from the scheduler's: the whole sequence, step by step, and the end state. */
export function planPrediction(p: SequencePrediction): NonNullable<Plan['prediction']> {
  return {
    actions: p.actions,
    placement: p.placement,
    ...(p.steps.length > 1 ? { steps: p.steps.map((s) => ({ change: stepLabel(s.change), actions: s.actions })) } : {}),
    ...(p.cibVersion ? { cibVersion: p.cibVersion } : {}),
  };
}

/**
 * The scheduler's prediction for a plan, or a warning saying why there is none. The
 * prediction informs people; it is not a safety rule (those are in preflight), so a
 * prediction that can't be made — e.g. crm_resource refuses to simulate a move of a VM
 * that is mid-migration ("Multiple items match request") — doesn't refuse the request.
 */
export async function tryPredict(ctx: OperationContext, change: ClusterChange): Promise<{ prediction?: Plan['prediction']; warnings: string[] }> {
  return tryPredictSequence(ctx, [change]);
}

/**
 * The prediction of every change the job makes, in order on one CIB copy (its end state
 * is what the plan shows), or a warning saying why there is none.
 */
export async function tryPredictSequence(ctx: OperationContext, steps: SimStep[]): Promise<{ prediction?: Plan['prediction']; full?: SequencePrediction; warnings: string[] }> {
  try {
    const p = await ctx.pacemaker.predictSequence(steps);
    return { prediction: planPrediction(p), full: p, warnings: [] };
  } catch (err) {
    if (!isHasfError(err)) throw err;
    return { warnings: [`No scheduler prediction: ${err.message}`] };
  }
}
