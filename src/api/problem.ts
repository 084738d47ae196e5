import type { ErrorRequestHandler, Response } from 'express';
import { CODE_INFO, HasfError, isHasfError, type ErrorCode } from '../errors/index.ts';

/** An RFC 9457 problem document as HASF sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  details?: Record<string, unknown>;
}

/**
 * The problem document of an error: status and title come from the code's entry in
 * src/errors/describe.ts (the one place codes map to HTTP), the detail is the error's
 * sentence. Anything that is not a HasfError becomes INTERNAL with no internals shown.
 */
export function problemOf(err: unknown, instance?: string): ProblemBody {
  const e = isHasfError(err) ? err : new HasfError('INTERNAL', 'The server failed on this request; retry, and tell the operators if it persists (the error is in their log).');
  const info = CODE_INFO[e.code] ?? CODE_INFO.INTERNAL;
  const body: ProblemBody = { type: `/docs#problem-${e.code}`, title: info.title, status: info.status, detail: e.message, code: e.code };
  if (instance) body.instance = instance;
  if (e.details && Object.keys(e.details).length) body.details = e.details;
  return body;
}

/** Send an error as application/problem+json (with Retry-After for rate limits). */
export function sendProblem(res: Response, err: unknown, instance?: string): void {
  const p = problemOf(err, instance);
  const retry = isHasfError(err) ? err.details.retryAfterSeconds : undefined;
  if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(p.status).type('application/problem+json').send(JSON.stringify(p));
}

/** The last Express error handler: every failure leaves as a problem document, never a stack. */
export function problemHandler(log: (msg: string) => void = (m) => console.error(m)): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (!isHasfError(err)) log(`[api] ${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return void res.end();
    sendProblem(res, err, req.originalUrl.split('?')[0]);
  };
}
