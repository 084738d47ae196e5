import { callIdBaseline, describeOps, type ClusterOp, type SettleState } from '../cluster/index.ts';
import type { ClusterStatus } from '../cluster/model.ts';
import { HasfError } from '../errors/index.ts';
import { allResources } from './status-helpers.ts';
import type { ExecutionContext } from './types.ts';

/** How often a wait asks the cluster, ms: one poll is two short reads (~30 ms on the lab). */
export const SETTLE_POLL_MS = 100;
/** Operations that finished this long before a wait began are history, not this transition. */
const HISTORY_SLACK_S = 2;

/** A cluster that has settled, read once afterwards, with what it did while the job waited. */
export interface Settled {
  /** The status read once the cluster had settled. */
  status: ClusterStatus;
  /** What the cluster did meanwhile, one line ("vm1: migrate_to on node1 … migrate_from on node2 … vm1 Started node2"). */
  did: string;
  /** The operations it ran meanwhile (non-recurring), in order. */
  ops: ClusterOp[];
  /** The agents' own time for those operations (exec-time), ms: the cluster's action time. */
  clusterMs: number;
  /** How long the wait took, ms. */
  waitedMs: number;
  /** The newest operation per node seen: a following wait shows only what came after. */
  baseline: Map<string, number>;
}

/** What a wait shows and how it polls. */
export interface WaitOptions {
  /** Resources whose operations and end state the step shows (default: every one the cluster touches). */
  resources?: string[];
  /** Poll interval, ms (default SETTLE_POLL_MS). */
  intervalMs?: number;
  /** A wait this one follows: its operations are not shown again. */
  after?: Settled;
}

/**
 * Watches the cluster through one wait: keeps every operation it ran since the wait began
 * (the CIB keeps only each resource's last one per node, so a migrate_to is replaced by
 * the stop after it) and says what it is doing, for the wait's one step.
 */
class Watch {
  private readonly seen = new Map<string, ClusterOp>();

  constructor(
    private readonly startedEpochS: number,
    private readonly resources?: readonly string[],
    private baseline?: Map<string, number>,
  ) {}

  /** The newest finished operation per node seen so far. */
  newest(s?: SettleState): Map<string, number> {
    const m = new Map(this.baseline ?? []);
    for (const [k, v] of s ? callIdBaseline(s.ops) : []) m.set(k, Math.max(m.get(k) ?? -1, v));
    return m;
  }

  add(s: SettleState): void {
    if (!this.baseline) {
      // The first look: what finished well before the wait began is history.
      this.baseline = callIdBaseline(s.ops.filter((o) => (o.lastRcChange ?? 0) < this.startedEpochS - HISTORY_SLACK_S));
    }
    for (const o of s.ops) {
      if (this.resources && !this.resources.some((r) => o.resource === r || o.resource.startsWith(`${r}:`))) continue;
      const b = this.baseline.get(o.node) ?? -1;
      if (!o.pending && o.callId <= b) continue;
      const running = `${o.node}|${o.resource}|${o.operation}|running`;
      if (o.pending) {
        if (!this.seen.has(running)) this.seen.set(running, o);
        continue;
      }
      // Done now: it takes the place of its running entry.
      const key = `${o.node}|${o.resource}|${o.callId}`;
      if (this.seen.has(key)) continue;
      if (this.seen.has(running)) {
        const entries = [...this.seen.entries()].map(([k, v]) => (k === running ? ([key, o] as const) : ([k, v] as const)));
        this.seen.clear();
        for (const [k, v] of entries) this.seen.set(k, v);
      } else this.seen.set(key, o);
    }
  }

  ops(): ClusterOp[] {
    return [...this.seen.values()].filter((o) => o.operation !== 'monitor' || o.pending || (o.rc !== undefined && o.rc !== 0 && o.rc !== 7));
  }

  /** What it did and does, with the remaining transition when there is one. */
  doing(s: SettleState, end?: ClusterStatus): string {
    const parts: string[] = [];
    const trail = describeOps(this.ops().slice(-12));
    if (trail) parts.push(trail);
    if (end) {
      const ids = this.resources ?? [...new Set(this.ops().map((o) => o.resource.replace(/:\d+$/, '')))];
      const shown = allResources(end).filter((r) => ids.includes(r.id));
      for (const r of shown.slice(0, 8)) parts.push(`${r.id} ${r.role}${r.nodes.length ? ` ${r.nodes.join(', ')}` : ''}`);
      if (!parts.length) parts.push('nothing to do');
    } else if (s.remaining.length) {
      parts.push(`to do: ${s.remaining.slice(0, 6).map((a) => a.text).join(', ')}${s.remaining.length > 6 ? ', …' : ''}`);
    } else if (s.dcState && s.dcState !== 'S_IDLE') parts.push(`DC ${s.dcState}`);
    return parts.join(' … ') || 'starting';
  }
}

/**
 * Wait until the cluster has settled — no transition in progress — then read it once.
 * Shown as ONE step ("waits for WHAT", what the cluster is doing), however many polls.
 * `until`: 'settled' returns the first settled status; a predicate keeps waiting (a node
 * still rebooting is a settled cluster) until it holds on a settled cluster.
 */
async function settleLoop(
  ctx: ExecutionContext,
  what: string,
  until: 'settled' | ((s: ClusterStatus) => boolean),
  timeoutMs: number,
  opts: WaitOptions,
): Promise<Settled> {
  const started = ctx.now();
  const deadline = started + timeoutMs;
  const interval = opts.intervalMs ?? SETTLE_POLL_MS;
  const watch = new Watch(Math.floor(started / 1000), opts.resources, opts.after?.baseline);
  const step = await ctx.beginWait?.(what);
  let shown = '';
  let last: SettleState | undefined;
  let lastStatus: ClusterStatus | undefined;
  const show = async (text: string) => {
    if (text === shown) return;
    shown = text;
    await step?.update(text);
  };
  try {
    for (;;) {
      last = await ctx.pacemaker.settle();
      watch.add(last);
      if (last.settled) {
        lastStatus = await ctx.pacemaker.status();
        if (until === 'settled' || until(lastStatus)) {
          const did = watch.doing(last, lastStatus);
          await step?.end({ ok: true, doing: did });
          const ops = watch.ops();
          return { status: lastStatus, did, ops, clusterMs: ops.reduce((a, o) => a + o.execMs, 0), waitedMs: ctx.now() - started, baseline: watch.newest(last) };
        }
        await show(`${watch.doing(last, lastStatus)} … settled; waiting for ${what}`);
      } else await show(watch.doing(last));
      if (ctx.now() >= deadline) break;
      await ctx.sleep(interval);
    }
  } catch (err) {
    await step?.end({ ok: false, doing: `${shown || 'no answer'} … ${(err as Error).message}` }).catch(() => undefined);
    throw err;
  }
  const doing = last ? watch.doing(last) : 'no answer';
  await step?.end({ ok: false, doing: `${doing} … gave up after ${Math.round(timeoutMs / 1000)} s` });
  const secs = Math.round(timeoutMs / 1000);
  if (last && !last.settled) {
    throw new HasfError('VERIFY_FAILED', `The cluster did not settle within ${secs} s while waiting for "${what}"; it is still busy: ${doing}. Check crm_mon on the cluster.`, { what, timeoutMs, doing });
  }
  throw new HasfError('VERIFY_FAILED', `The cluster did not reach "${what}" within ${secs} s; check crm_mon on the cluster.`, { what, timeoutMs });
}

/**
 * Wait until the cluster has settled (no transition in progress), then read it once and
 * judge: `check` returns why the wanted state does not hold (what the cluster shows), or
 * undefined when it does. A settled cluster that does not show it will not get there by
 * itself, so the job fails at once with VERIFY_FAILED and that reason.
 */
export async function waitForSettled(
  ctx: ExecutionContext,
  what: string,
  check: (s: ClusterStatus) => string | undefined,
  timeoutMs: number,
  opts: WaitOptions = {},
): Promise<Settled> {
  const settled = await settleLoop(ctx, what, 'settled', timeoutMs, opts);
  const why = check(settled.status);
  if (why !== undefined) {
    throw new HasfError('VERIFY_FAILED', `The cluster settled without ${what}: ${why}.`, { what, reason: why, did: settled.did });
  }
  return settled;
}

/** Wait until the cluster has settled and read it once; the caller judges what it shows. */
export async function waitUntilSettled(ctx: ExecutionContext, what: string, timeoutMs: number, opts: WaitOptions = {}): Promise<Settled> {
  return settleLoop(ctx, what, 'settled', timeoutMs, opts);
}

/**
 * Re-read the cluster until `done(status)` holds on a settled cluster (no transition in
 * progress), or fail with VERIFY_FAILED naming what was being waited for. Reads go
 * through the audited executor like every command, shown as one step of the step log.
 */
export async function waitForCluster(
  ctx: ExecutionContext,
  what: string,
  done: (s: ClusterStatus) => boolean,
  timeoutMs: number,
  intervalMs?: number,
  opts: Omit<WaitOptions, 'intervalMs'> = {},
): Promise<ClusterStatus> {
  return (await settleLoop(ctx, what, done, timeoutMs, { ...opts, ...(intervalMs ? { intervalMs } : {}) })).status;
}

/** Like waitForCluster, with what the cluster did meanwhile (its operations, their time). */
export async function waitForClusterSettled(
  ctx: ExecutionContext,
  what: string,
  done: (s: ClusterStatus) => boolean,
  timeoutMs: number,
  opts: WaitOptions = {},
): Promise<Settled> {
  return settleLoop(ctx, what, done, timeoutMs, opts);
}
