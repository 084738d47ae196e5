import type { Express, Request, Response } from 'express';
import { activeFreeze, freezeEnd, resolvePolicy } from '../../approvals/index.ts';
import { CODE_INFO, type ErrorCode } from '../../errors/index.ts';
import { describeOperations, READ_OPERATIONS, REQUEST_REFUSALS } from '../../operations/describe.ts';
import { guard, type RouteContext } from './context.ts';

const refusal = (code: ErrorCode) => ({ code, status: CODE_INFO[code].status, title: CODE_INFO[code].title });

/**
 * GET /v1/operations: the catalogue as data, so a ticketing system can build its forms
 * from it — every operation with its params JSON Schema, risk, default approvals, the
 * policy in force on each cluster (approvals, approvers, window, a freeze now), and the
 * refusal codes it can give.
 */
export function operationRoutes(app: Express, ctx: RouteContext): void {
  const { services } = ctx;
  app.get('/v1/operations', ...guard(ctx, 'read', 'listOperations'), (_req: Request, res: Response) => {
    const approvals = services.config.approvals;
    const clusters = services.access.clusters();
    const now = new Date();
    res.json({
      operations: describeOperations().map((o) => ({
        ...o,
        queued: true,
        refusals: o.refusals.map(refusal),
        policy: clusters.map((cluster) => {
          const p = resolvePolicy(approvals, o.name, cluster);
          const f = activeFreeze(approvals.freezes, o.name, now, cluster);
          return {
            cluster,
            required: p.required,
            approvers: p.approvers,
            windowSeconds: Math.round(p.windowMs / 1000),
            rejectionEnds: p.rejectionEnds,
            ...(f ? { frozen: { freeze: f.name, until: freezeEnd(f, now)!.toISOString() } } : {}),
          };
        }),
      })),
      readOnly: READ_OPERATIONS.map((r) => ({ ...r, queued: false })),
      requestRefusals: REQUEST_REFUSALS.map(refusal),
    });
  });
}
