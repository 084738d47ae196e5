import type { webApi } from '@slack/bolt';
import type { Services } from '../app/services.ts';
import type { JobRecord } from '../jobs/types.ts';
import { FINAL_STATES } from '../jobs/types.ts';
import { subscribeEvents, type JobEvent } from '../jobs/events.ts';
import { jobMessage } from './blocks/index.ts';
import { announceJob } from './announce.ts';
import { RateBudget } from './rate-budget.ts';
import { threadNote } from './thread-note.ts';
import { jobPageUrl } from '../jobs/links.ts';

/** Options of {@link ProgressFollower}. */
export interface FollowerOptions {
  services: Services;
  client: webApi.WebClient;
  /** Channel for jobs from other doors that need approval; none: they are not posted. */
  approvalsChannel?: string;
  log: (msg: string) => void;
  /**
   * Least time between two updates of one job's message, ms (default 3000): a long job
   * (a rolling maintenance) with hundreds of steps updates its message every few
   * seconds, not on every step. State changes (approved, started, finished) go at once.
   */
  minIntervalMs?: number;
  /** The shared chat.update budget (default: 40 per minute, within Slack's Tier 3). */
  budget?: RateBudget;
}

/**
 * Keeps each job's Slack message current: on every job event (approvals, state changes,
 * phases, steps) it re-reads the record and replaces the message with chat.update.
 * Updates of one job are serialized, coalesced and spaced (minIntervalMs), and all of
 * them share one chat.update budget within Slack's Tier 3 limit, so a burst of step
 * events becomes a few updates, the last one always showing the newest state. Jobs requested through REST
 * or the CLI that need approval are posted to the approvals channel too.
 */
export class ProgressFollower {
  private readonly phases = new Map<string, string>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** When each job's message was last updated, and jobs whose next update waits for the interval. */
  private readonly lastUpdate = new Map<string, number>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly budget: RateBudget;
  private readonly minIntervalMs: number;
  private unsubscribe?: () => Promise<void>;
  private closed = false;

  constructor(private readonly o: FollowerOptions) {
    this.budget = o.budget ?? new RateBudget();
    this.minIntervalMs = o.minIntervalMs ?? 3000;
  }

  /** Subscribe to job events (on a connection of its own). */
  async start(): Promise<void> {
    if (this.unsubscribe) return;
    const conn = this.o.services.newRedis({ name: 'hasf-slack-follower' });
    this.unsubscribe = await subscribeEvents(conn, this.o.services.config.redis.prefix, (e) => this.onEvent(e));
  }

  /** Stop following and wait for updates in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.allSettled([...this.busy.values()]);
  }

  /** Handle one event (public for tests and for the door's own immediate refreshes). */
  onEvent(e: JobEvent): void {
    if (e.type === 'phase') this.phases.set(e.jobId, e.phase);
    // Progress (steps, phases) waits for the job's interval; decisions and states don't.
    if (e.type === 'step' || e.type === 'phase') this.soon(e.jobId);
    else this.kick(e.jobId, e);
  }

  /** Refresh a job's message once its interval since the last update has passed. */
  private soon(jobId: string): void {
    if (this.closed || this.pending.has(jobId)) return;
    const wait = (this.lastUpdate.get(jobId) ?? 0) + this.minIntervalMs - Date.now();
    if (wait <= 0) return this.kick(jobId);
    const t = setTimeout(() => {
      this.pending.delete(jobId);
      this.kick(jobId);
    }, wait);
    t.unref?.();
    this.pending.set(jobId, t);
  }

  /** Refresh a job's message soon; calls during an update coalesce into one more. */
  kick(jobId: string, e?: JobEvent): void {
    if (this.closed) return;
    if (this.busy.has(jobId)) {
      this.again.add(jobId);
      return;
    }
    const run = (async () => {
      try {
        do {
          this.again.delete(jobId);
          await this.refresh(jobId, e);
          e = undefined;
        } while (this.again.has(jobId) && !this.closed);
      } catch (err) {
        this.o.log(`could not update the Slack message of job ${jobId}: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        this.busy.delete(jobId);
      }
    })();
    this.busy.set(jobId, run);
  }

  /** Wait until no update is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.busy.size || this.pending.size) {
      await Promise.allSettled([...this.busy.values()]);
      if (this.pending.size && !this.busy.size) await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async refresh(jobId: string, e?: JobEvent): Promise<void> {
    const s = this.o.services;
    const job = await s.store.get(jobId);
    if (!job) return;
    if (!job.slack?.ts) {
      // Slack requests are posted by the command handler; other doors' requests by us.
      if (job.channel !== 'slack' && this.o.approvalsChannel && e?.type === 'state' && (e.state === 'awaiting_approval' || job.emergency)) {
        await announceJob({ services: s, client: this.o.client, log: this.o.log }, job, { channel: this.o.approvalsChannel });
      }
      return;
    }
    await this.update(job);
    if (FINAL_STATES.includes(job.state)) this.phases.delete(jobId);
  }

  private async update(job: JobRecord): Promise<void> {
    const s = this.o.services;
    const steps = job.state === 'awaiting_approval' ? [] : await s.store.steps(job.id);
    const msg = jobMessage(job, { steps, phase: this.phases.get(job.id), pageUrl: jobPageUrl(s.config.api.publicUrl, job.id) });
    await this.budget.take();
    this.lastUpdate.set(job.id, Date.now());
    if (FINAL_STATES.includes(job.state)) this.lastUpdate.delete(job.id);
    await this.o.client.chat.update({ channel: job.slack!.channel!, ts: job.slack!.ts!, text: msg.text, blocks: msg.blocks });
    await threadNote({ services: s, client: this.o.client }, job);
  }
}
