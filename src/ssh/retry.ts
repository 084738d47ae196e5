/** Options of withBackoff. */
export interface BackoffOptions {
  /** Total tries, the first included (>= 1). */
  attempts: number;
  /** Delay before the second try; doubles each time after. */
  backoffMs: number;
  /** Upper bound of one delay. Default 30 s. */
  maxBackoffMs?: number;
  /** Whether this error is worth another try; others are thrown at once. */
  retryable: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stop waiting early (the pool is closing): the last error is thrown. */
  signal?: AbortSignal;
}

/** Delay before try `attempt + 1` (attempt counts from 1): exponential with ±20 % jitter so many workers don't retry in step. */
export function backoffDelay(attempt: number, backoffMs: number, maxBackoffMs = 30_000): number {
  const base = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/**
 * Run `fn` until it succeeds, a non-retryable error occurs, or `attempts` tries are used;
 * throws the last error (with `attempts` tried recorded on it when it is an object).
 */
export async function withBackoff<T>(fn: (attempt: number) => Promise<T>, o: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= o.attempts || !o.retryable(err) || o.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, o.backoffMs, o.maxBackoffMs);
      o.onRetry?.(err, attempt, delay);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        o.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }
}
