import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Services } from '../app/services.ts';
import type { Permission, Principal } from '../auth/index.ts';
import { isHasfError } from '../errors/index.ts';
import type { RateLimiter } from './rate-limit.ts';

/** The principal of an authenticated request (set by {@link authenticate}). */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * Writes access.refused records, at most one per client address and reason per
 * `windowMs` in this process, so a flood of bad tokens cannot flood the audit log.
 */
export class RefusalAuditor {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly services: Services,
    private readonly windowMs = 10_000,
    /** The door the refusals came through ('web' for the console). */
    private readonly channel = 'rest',
  ) {}

  /** Record one refusal (best effort: a refusal is answered whether or not it is written). */
  async record(req: Request, actor: string, code: string, message: string, extra: Record<string, unknown> = {}): Promise<void> {
    const now = Date.now();
    const key = `${req.ip}|${actor}|${code}`;
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.windowMs) return;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(key, now);
    await this.services.audit
      .append({ actor, channel: this.channel, event: 'access.refused', details: { method: req.method, path: req.path, ip: req.ip, code, message, ...extra } })
      .catch(() => undefined);
  }
}

/**
 * Audit a refusal of an authenticated request that never reached the job service (a body
 * or query that does not match openapi.yaml, params that don't match the operation, a
 * callback URL the configuration doesn't allow). A job request's refusal is `job.refused`
 * like the job service's own; any other is `request.refused`. Best effort: the answer
 * goes out whether or not the record is written. Not throttled: the caller is known and
 * rate-limited.
 */
export async function auditRequestRefusal(services: Services, req: Request, principal: Principal, operationId: string, err: unknown): Promise<void> {
  if (!isHasfError(err)) return;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const isJob = operationId === 'createJob';
  await services.audit
    .append({
      actor: principal.person.name,
      channel: principal.channel,
      ...(typeof req.params?.id === 'string' && /^j[0-9a-z]{6,}$/.test(req.params.id) ? { jobId: req.params.id } : {}),
      event: isJob ? 'job.refused' : 'request.refused',
      details: {
        method: req.method,
        path: req.path,
        operationId,
        identity: principal.identity,
        code: err.code,
        message: err.message,
        ...(isJob ? { operation: body.operation, cluster: body.cluster, params: body.params, reason: body.reason, ticket: body.ticket, callbackUrl: body.callbackUrl, ...(body.dryRun ? { dryRun: true } : {}) } : {}),
      },
    })
    .catch(() => undefined);
}

/**
 * Bearer authentication, then the per-token rate limit, then the permission check.
 * Failures are audited as access.refused and answered as problem documents.
 */
export function authenticate(services: Services, limiter: RateLimiter, refusals: RefusalAuditor, permission: Permission): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    let principal: Principal | undefined;
    try {
      principal = await services.auth.fromBearer(req.headers.authorization);
      await limiter.hit(principal.identity);
      services.auth.require(principal, permission);
      res.locals.principal = principal;
      next();
    } catch (err) {
      if (isHasfError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')) {
        await refusals.record(req, principal?.person.name ?? 'anonymous', err.code, err.message, principal ? { identity: principal.identity, permission } : {});
      }
      next(err);
    }
  };
}
