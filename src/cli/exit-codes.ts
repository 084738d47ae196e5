/**
 * The CLI's exit codes, one table for every command (also printed by `hasf help`), so
 * scripts can tell "the cluster said no" from "you typed it wrong" from "nobody answered".
 */
export const EXIT = {
  /** Done: the request was accepted, the job succeeded, the check found nothing. */
  OK: 0,
  /** Refused or failed: a preflight refusal, a failed/rejected/expired/cancelled job, problems found. */
  FAILED: 1,
  /** Usage error: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** Authentication or permission: no token, a bad token, or a role that does not allow it. */
  AUTH: 3,
  /** Unreachable: the API (or Redis, for server commands) did not answer, or answered 5xx/503. */
  UNREACHABLE: 4,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-code section of `hasf help`. */
export const EXIT_HELP = `Exit codes:
  0  ok (request accepted, job succeeded, check clean)
  1  refused or failed (preflight refusal, job failed/rejected/expired/cancelled, problems found)
  2  usage error (unknown command or option, bad argument)
  3  authentication or permission (missing/invalid token, role not allowed)
  4  unreachable (API not answering, server error, Redis down)`;

/** The exit code for an HTTP error status: 401/403 auth, 5xx unreachable, other 4xx refused (400/404/405 on input: usage). */
export function exitForStatus(status: number, code?: string): ExitCode {
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status >= 500) return EXIT.UNREACHABLE;
  // Bad input the server rejected before looking at the cluster: the command line was wrong.
  if (status === 400 || code === 'INVALID_INPUT' || code === 'INVALID_NAME' || code === 'UNKNOWN_OPERATION') return EXIT.USAGE;
  return EXIT.FAILED;
}
