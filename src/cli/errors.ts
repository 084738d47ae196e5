import { EXIT, exitForStatus, type ExitCode } from './exit-codes.ts';

/**
 * Something the CLI reports and exits on. `code` is the server's stable error code when
 * the API gave one (problem+json `code`), else a CLI-side label.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A command-line mistake: the caller typed something wrong (exit 2, usage shown). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE, 'USAGE');
  }
}

/** An application/problem+json answer from the API, as the CLI sees it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [k: string]: unknown;
}

/** The API answered with an error status. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    const code = problem.code ?? `HTTP_${status}`;
    super(problem.detail ?? problem.title ?? `HTTP ${status}`, exitForStatus(status, problem.code), code, { ...problem });
  }
}

/** The API did not answer at all (refused, timed out, DNS). */
export class UnreachableError extends CliError {
  constructor(url: string, cause: string) {
    super(`Cannot reach the HASF API at ${url}: ${cause}. Is it running (hasf serve / npm start)? Set --api-url or HASF_API_URL.`, EXIT.UNREACHABLE, 'UNREACHABLE', { url });
  }
}
