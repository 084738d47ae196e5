import type { Services } from '../app/services.ts';
import type { ClusterStatus } from '../cluster/model.ts';
import { subscribeEvents, type JobEvent } from '../jobs/events.ts';

type JobListener = (e: JobEvent) => void;
type StatusListener = (s: { status?: ClusterStatus; error?: unknown }) => void;

interface Watch {
  listeners: Set<StatusListener>;
  timer?: NodeJS.Timeout;
  reading: boolean;
  again: boolean;
  last?: { status?: ClusterStatus; error?: unknown };
}

/**
 * What the console's open pages follow, shared by all of them in this process: one
 * Redis subscription to job events (fanned out), and per cluster one status reader
 * however many people have its picture open — re-read every `refreshMs`, and soon after
 * any job event of that cluster.
 */
export class LiveHub {
  private readonly jobListeners = new Set<JobListener>();
  private unsubscribe?: Promise<() => Promise<void>>;
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly services: Services,
    private readonly refreshMs: number,
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
    // Any job of a watched cluster may have changed it: read soon (the status decides).
    if ((e.type === 'state' || e.type === 'phase' || e.type === 'step') && this.watches.size) {
      void this.services.store.get(e.jobId).then(
        (job) => job && this.watches.has(job.cluster) && this.poke(job.cluster, 300),
        () => undefined,
      );
    }
  }

  /**
   * Follow a cluster's status: `fn` gets the latest reading at once (if any) and every
   * new one. Returns the unfollow function; the reader stops with its last follower.
   */
  watchCluster(cluster: string, fn: StatusListener): () => void {
    let w = this.watches.get(cluster);
    if (!w) {
      w = { listeners: new Set(), reading: false, again: false };
      this.watches.set(cluster, w);
      this.poke(cluster, 0);
    } else if (w.last) {
      fn(w.last);
    }
    w.listeners.add(fn);
    return () => {
      w.listeners.delete(fn);
      if (w.listeners.size === 0) {
        clearTimeout(w.timer);
        this.watches.delete(cluster);
      }
    };
  }

  /** Read the cluster after `delayMs` (sooner than a later planned read). */
  private poke(cluster: string, delayMs: number): void {
    const w = this.watches.get(cluster);
    if (!w || this.closed) return;
    if (w.reading) {
      w.again = true;
      return;
    }
    clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.read(cluster, w), delayMs);
  }

  private async read(cluster: string, w: Watch): Promise<void> {
    w.reading = true;
    let reading: Watch['last'];
    try {
      reading = { status: await this.services.access.pacemaker(cluster).status() };
    } catch (error) {
      reading = { error };
    }
    w.reading = false;
    if (this.watches.get(cluster) !== w || this.closed) return;
    w.last = reading;
    for (const fn of w.listeners) fn(reading);
    const again = w.again;
    w.again = false;
    this.poke(cluster, again ? 300 : this.refreshMs);
  }

  /** Stop every reader and the event subscription. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches.values()) clearTimeout(w.timer);
    this.watches.clear();
    this.jobListeners.clear();
    const u = this.unsubscribe;
    this.unsubscribe = undefined;
    if (u) await (await u.catch(() => async () => undefined))();
  }
}
