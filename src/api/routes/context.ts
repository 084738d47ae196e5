import type { Request, RequestHandler, Response } from 'express';
import type { Services } from '../../app/services.ts';
import type { Permission } from '../../auth/index.ts';
import { auditRequestRefusal, authenticate, principalOf, type RefusalAuditor } from '../auth.ts';
import type { IdempotencyStore } from '../idempotency.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { validateRequest } from '../validate.ts';

/** What every route module needs, built once by the app. */
export interface RouteContext {
  services: Services;
  limiter: RateLimiter;
  refusals: RefusalAuditor;
  idempotency: IdempotencyStore;
  /** Base for Location headers: config.api.publicUrl, or '' for relative URLs. */
  baseUrl: string;
}

/**
 * The guard chain of one spec operation: authenticate + rate limit + permission, then
 * validation. A request refused by validation is audited (the caller is known by then).
 */
export function guard(ctx: RouteContext, permission: Permission, operationId: string): RequestHandler[] {
  const validate = validateRequest(operationId);
  const audited: RequestHandler = (req, res, next) =>
    validate(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      void auditRequestRefusal(ctx.services, req, principalOf(res), operationId, err).then(() => next(err));
    });
  return [authenticate(ctx.services, ctx.limiter, ctx.refusals, permission), audited];
}

/**
 * Run a route's own checks that come before the job service (params, callback URL):
 * a refusal is audited, then answered.
 */
export async function refusedBeforeService<T>(ctx: RouteContext, req: Request, res: Response, operationId: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    await auditRequestRefusal(ctx.services, req, principalOf(res), operationId, err);
    throw err;
  }
}
