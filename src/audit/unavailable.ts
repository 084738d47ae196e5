import { HasfError, isHasfError } from '../errors/index.ts';

/** Wrap a failure of a sink as AUDIT_UNAVAILABLE (a HasfError passes through unchanged). */
export function unavailable(
  sink: 'redis' | 'file',
  err: unknown,
  extra: Record<string, unknown> = {},
): HasfError {
  if (isHasfError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const what =
    sink === 'redis'
      ? 'The audit log cannot write to Redis'
      : 'The audit log cannot write its file sink';
  return new HasfError(
    'AUDIT_UNAVAILABLE',
    `${what} (${reason}); nothing was run — restore the audit store and retry.`,
    { sink, reason, ...extra },
    { cause: err },
  );
}

/** A promise that rejects with AUDIT_UNAVAILABLE after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unavailable('redis', new Error(`${what} timed out after ${ms} ms`))),
      ms,
    );
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
