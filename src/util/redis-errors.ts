// Which Redis errors only say it is unreachable right now (a restart, a failover), as
// opposed to a refusal or a bug: the health reporter and the audit committer both ask.

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const CONNECTION_MESSAGES =
  /Connection is closed|All sentinels are unreachable|Failed to refresh slots cache|None of (the )?startup nodes is available|CLUSTERDOWN|READONLY|LOADING|MASTERDOWN|TRYAGAIN|Connection timeout|Command timed out|Stream isn't writeable|Reached the max retries|Too many Cluster redirections|Command aborted due to connection close|socket hang up|write after end|connect ETIMEDOUT/i;

/** True for errors that only say Redis is unreachable right now (they end when it is back), not a bug or a refusal. */
export function isRedisConnectionError(err: unknown): boolean {
  if (!err) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.test(err instanceof Error ? err.message : String(err));
}
