import type { RequestHandler } from 'express';
import type { Services } from '../../app/services.ts';
import type { Permission } from '../../auth/index.ts';
import { authenticate, type RefusalAuditor } from '../auth.ts';
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

/** The guard chain of one spec operation: authenticate + rate limit + permission, then validation. */
export function guard(ctx: RouteContext, permission: Permission, operationId: string): RequestHandler[] {
  return [authenticate(ctx.services, ctx.limiter, ctx.refusals, permission), validateRequest(operationId)];
}
