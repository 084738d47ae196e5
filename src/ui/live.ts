import type { Services } from '../app/services.ts';
import type { ClusterStatus } from '../cluster/model.ts';
import { subscribeEvents, type JobEvent } from '../jobs/events.ts';
import { FINAL_STATES } from '../jobs/types.ts';
import { checkCluster, type CheckReport } from '../operations/check/index.ts';

type JobListener = (e: JobEvent) => void;

/** What is known of a cluster right now: its status and its last health check (cluster.check). */
export interface ClusterReading {
  status?: ClusterStatus;
  statusError?: unknown;
  check?: CheckReport;
  checkError?: unknown;
  /** A check is being run and none is known yet. */
  checking: boolean;
}

type ReadingListener = (r: ClusterReading) => void;

interface Watch {
  listeners: Set<ReadingListener>;
  reading: ClusterReading;
  statusTimer?: NodeJS.Timeout;
  checkTimer?: NodeJS.Timeout;
  statusBusy: boolean;
  statusAgain: boolean;
  checkBusy: boolean;
}

/**
 * What the console's open pages follow, shared by all of them in this process: one
 * Redis subscription to job events (fanned out), and per cluster one status reader and
 * one health checker however many people have its picture open. The status is re-read
 * every `refreshMs` and soon after any job event of that cluster; cluster.check runs every
 * `checkMs` and soon after a job there ends (its result is kept that long for new pages).
 */
export class LiveHub {
  private readonly jobListeners = new Set<JobListener>();
  private unsubscribe?: Promise<() => Promise<void>>;
  private readonly watches = new Map<string, Watch>();
  private readonly checks = new Map<string, { report?: CheckReport; error?: unknown; at: number }>();
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly o: { refreshMs: number; checkMs: number },
  ) {}

  /** Follow every job event; returns the unfollow function. */
  async onJobEvent(fn: JobListener): Promise<() => void> {
    this.jobListeners.add(fn);
    this.unsubscribe ??= subscribeEvents(this.services.newRedis({ name: 'hasf-ui-events' }), this.services.config.redis.prefix, (e) => this.dispatch(e));
    await this.unsubscribe;
    return () => void this.jobListeners.delete(fn);
  }

  private dispatch(e: JobEvent): void {
    for (const fn of this.jobListeners) fn(e);
    if (!this.watches.size || (e.type !== 'state' && e.type !== 'phase' && e.type !== 'step')) return;
    // A job of a watched cluster may have changed it: read soon (the status decides what changed).
    void this.services.store.get(e.jobId).then(
      (job) => {
        if (!job || !this.watches.has(job.cluster)) return;
        this.pokeStatus(job.cluster, 300);
        if (e.type === 'state' && FINAL_STATES.includes(e.state)) this.pokeCheck(job.cluster, 2000);
      },
      () => undefined,
    );
  }

  /** The last health check of a cluster still fresh enough to show, if any. */
  recentCheck(cluster: string): { report?: CheckReport; error?: unknown } | undefined {
    const c = this.checks.get(cluster);
    return c && Date.now() - c.at < this.o.checkMs ? c : undefined;
  }

  /**
   * Follow a cluster: `fn` gets what is known at once, then every new reading. Returns
   * the unfollow function; the readers stop with the last follower.
   */
  watchCluster(cluster: string, fn: ReadingListener): () => void {
    let w = this.watches.get(cluster);
    if (!w) {
      const known = this.recentCheck(cluster);
      w = { listeners: new Set(), reading: { checking: !known, check: known?.report, checkError: known?.error }, statusBusy: false, statusAgain: false, checkBusy: false };
      this.watches.set(cluster, w);
      this.pokeStatus(cluster, 0);
      this.pokeCheck(cluster, known ? this.o.checkMs - (Date.now() - this.checks.get(cluster)!.at) : 0);
    } else if (w.reading.status || w.reading.statusError) {
      fn(w.reading);
    }
    w.listeners.add(fn);
    const watch = w;
    return () => {
      watch.listeners.delete(fn);
      if (watch.listeners.size === 0) {
        clearTimeout(watch.statusTimer);
        clearTimeout(watch.checkTimer);
        this.watches.delete(cluster);
      }
    };
  }

  private emit(w: Watch): void {
    for (const fn of w.listeners) fn(w.reading);
  }

  private pokeStatus(cluster: string, delayMs: number): void {
    const w = this.watches.get(cluster);
    if (!w || this.closed) return;
    if (w.statusBusy) return void (w.statusAgain = true);
    clearTimeout(w.statusTimer);
    w.statusTimer = setTimeout(() => void this.readStatus(cluster, w), delayMs);
  }

  private async readStatus(cluster: string, w: Watch): Promise<void> {
    w.statusBusy = true;
    let next: Pick<ClusterReading, 'status' | 'statusError'>;
    try {
      next = { status: await this.services.access.pacemaker(cluster).status(), statusError: undefined };
    } catch (statusError) {
      next = { status: undefined, statusError };
    }
    w.statusBusy = false;
    if (this.watches.get(cluster) !== w || this.closed) return;
    w.reading = { ...w.reading, ...next };
    this.emit(w);
    const again = w.statusAgain;
    w.statusAgain = false;
    this.pokeStatus(cluster, again ? 300 : this.o.refreshMs);
  }

  private pokeCheck(cluster: string, delayMs: number): void {
    const w = this.watches.get(cluster);
    if (!w || this.closed || w.checkBusy) return;
    clearTimeout(w.checkTimer);
    w.checkTimer = setTimeout(() => void this.runCheck(cluster, w), Math.max(0, delayMs));
  }

  private async runCheck(cluster: string, w: Watch): Promise<void> {
    w.checkBusy = true;
    let result: { report?: CheckReport; error?: unknown };
    try {
      result = { report: await checkCluster(this.services.access, cluster) };
    } catch (error) {
      result = { error };
    }
    w.checkBusy = false;
    this.checks.set(cluster, { ...result, at: Date.now() });
    if (this.watches.get(cluster) !== w || this.closed) return;
    w.reading = { ...w.reading, check: result.report, checkError: result.error, checking: false };
    this.emit(w);
    this.pokeCheck(cluster, this.o.checkMs);
  }

  /** Stop every reader and the event subscription. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches.values()) {
      clearTimeout(w.statusTimer);
      clearTimeout(w.checkTimer);
    }
    this.watches.clear();
    this.jobListeners.clear();
    const u = this.unsubscribe;
    this.unsubscribe = undefined;
    if (u) await (await u.catch(() => async () => undefined))();
  }
}
