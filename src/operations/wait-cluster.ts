import type { ClusterStatus } from '../cluster/model.ts';
import { HasfError } from '../errors/index.ts';
import type { ExecutionContext } from './types.ts';

/**
 * Re-read the cluster until `done(status)` holds, or fail with VERIFY_FAILED naming what
 * was being waited for. Reads go through the audited executor like every command.
 */
export async function waitForCluster(
  ctx: ExecutionContext,
  what: string,
  done: (s: ClusterStatus) => boolean,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<ClusterStatus> {
  const deadline = ctx.now() + timeoutMs;
  let last: ClusterStatus;
  for (;;) {
    last = await ctx.pacemaker.status();
    if (done(last)) return last;
    if (ctx.now() >= deadline) {
      throw new HasfError('VERIFY_FAILED', `The cluster did not reach "${what}" within ${Math.round(timeoutMs / 1000)} s; check crm_mon on the cluster.`, { what, timeoutMs });
    }
    await ctx.sleep(intervalMs);
  }
}
