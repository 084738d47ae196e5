/** Options of {@link PostAckQueue}. */
export interface PostAckQueueOptions {
  /**
   * Tasks that start their work at once (default 4). The rest wait their turn in
   * arrival order, so the CPU the work needs (status parsing, crm_simulate output,
   * message building) comes a few slices at a time.
   */
  concurrency?: number;
  /**
   * A task holds its place for at most this long (default 250 ms): after that it only
   * waits (for a cluster, SSH, Slack) and the next one starts, so a slow or unreachable
   * cluster never holds back the answers to other commands.
   */
  slotMs?: number;
  /**
   * While requests are being acknowledged no task starts, for at most this long
   * (default 1000 ms): acks go first, and a steady stream of commands still gets its
   * answers within a second of waiting.
   */
  maxDelayMs?: number;
  /** Told about tasks that threw (they are handlers: they should answer instead). */
  log?: (msg: string) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface Waiting {
  task: () => Promise<void>;
  since: number;
}

/**
 * The work Slack commands and buttons start after their ack, run off the ack path. The
 * receivers say when they are acknowledging a request (ackBegin); while any is, no task
 * starts (up to maxDelayMs), and tasks start one per event-loop turn, a few at a time.
 * So a request's ack never waits behind the status reads, dry runs and message building
 * of the commands before it — only behind their slices already running.
 *
 * @example const end = queue.ackBegin(); …; ack(); end(); queue.run(async () => respond(await work()));
 */
export class PostAckQueue {
  private readonly concurrency: number;
  private readonly slotMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly waiting: Waiting[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private holding = 0;
  private acking = 0;
  private immediate?: NodeJS.Immediate;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: PostAckQueueOptions = {}) {
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.slotMs = o.slotMs ?? 250;
    this.maxDelayMs = o.maxDelayMs ?? 1000;
    this.now = o.now ?? Date.now;
  }

  /** Tasks not finished yet (waiting or running). */
  get size(): number {
    return this.waiting.length + this.inFlight.size;
  }

  /** Requests being acknowledged now. */
  get acksInProgress(): number {
    return this.acking;
  }

  /** A request arrived and is being acknowledged; call the returned function once it is answered (or refused). */
  ackBegin(): () => void {
    this.acking++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.acking--;
      if (this.acking === 0) this.schedule();
    };
  }

  /** Queue a task; it never throws into the caller. */
  run(task: () => Promise<void>): void {
    this.waiting.push({ task, since: this.now() });
    this.schedule();
  }

  /** Resolves when every task queued so far has finished (closing the door): waiting ones start at once. */
  async drain(): Promise<void> {
    while (this.size) {
      while (this.waiting.length) this.start(this.waiting.shift()!);
      await Promise.all(this.inFlight);
    }
  }

  private schedule(): void {
    if (this.immediate || !this.waiting.length || this.holding >= this.concurrency) return;
    const waited = this.now() - this.waiting[0]!.since;
    if (this.acking > 0 && waited < this.maxDelayMs) {
      // Acks first; come back when they are done (ackBegin's end) or the oldest task waited long enough.
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule();
        }, this.maxDelayMs - waited);
        this.timer.unref();
      }
      return;
    }
    // One start per turn of the event loop: what arrived meanwhile (requests to ack) goes first.
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      const next = this.waiting.shift();
      if (next) this.start(next);
      this.schedule();
    });
  }

  private start(w: Waiting): void {
    this.holding++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(slot);
      this.holding--;
      this.schedule();
    };
    const slot = setTimeout(release, this.slotMs);
    slot.unref();
    const p: Promise<void> = (async () => {
      try {
        await w.task();
      } catch (err) {
        this.o.log?.(`work after a Slack ack failed: ${(err as Error)?.message ?? String(err)}`);
      }
    })().finally(() => {
      release();
      this.inFlight.delete(p);
    });
    this.inFlight.add(p);
  }
}
