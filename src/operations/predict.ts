import { isHasfError } from '../errors/index.ts';
import type { ClusterChange, OperationContext, Plan } from './types.ts';

/**
 * The scheduler's prediction for a plan, or a warning saying why there is none. The
 * prediction informs people; it is not a safety rule (those are in preflight), so a
 * prediction that can't be made — e.g. crm_resource refuses to simulate a move of a VM
 * that is mid-migration ("Multiple items match request") — doesn't refuse the request.
 */
export async function tryPredict(ctx: OperationContext, change: ClusterChange): Promise<{ prediction?: Plan['prediction']; warnings: string[] }> {
  try {
    const p = await ctx.pacemaker.predict(change);
    return { prediction: { actions: p.actions, placement: p.placement }, warnings: [] };
  } catch (err) {
    if (!isHasfError(err)) throw err;
    return { warnings: [`No scheduler prediction: ${err.message}`] };
  }
}
