import { sleep as realSleep } from '../util/wait.ts';

/** Options of {@link RateBudget}. */
export interface RateBudgetOptions {
  /** Calls allowed per minute, sustained. Slack's Tier 3 (chat.update) allows about 50; default 40 leaves room for retries. */
  perMinute?: number;
  /** Calls allowed at once after a quiet spell. Default 10. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A token bucket for one Slack Web API method across every message of the app: take()
 * resolves when a call may go out. Slack counts rate limits per method per workspace,
 * so all of the follower's chat.update calls share one budget.
 */
export class RateBudget {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: Promise<void> = Promise.resolve();

  constructor(o: RateBudgetOptions = {}) {
    this.perMs = (o.perMinute ?? 40) / 60_000;
    this.burst = o.burst ?? 10;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Wait for a token (callers are served in order). */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.perMs);
        this.last = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
