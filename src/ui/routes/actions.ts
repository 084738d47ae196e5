import type { Express, Request, Response } from 'express';
import { HasfError } from '../../errors/index.ts';
import type { JobRecord } from '../../jobs/types.ts';
import { viewerOf, type UiContext } from '../context.ts';
import { requireCsrf, requireViewer } from '../guard.ts';

const MAX_COMMENT = 500;

function comment(req: Request, required: boolean): string | undefined {
  const raw = (req.body as Record<string, unknown> | undefined)?.comment;
  const c = typeof raw === 'string' ? raw.trim() : '';
  if (c.length > MAX_COMMENT) throw new HasfError('INVALID_INPUT', `The comment is ${c.length} characters long; keep it under ${MAX_COMMENT}.`, { field: 'comment' });
  if (required && !c) throw new HasfError('INVALID_INPUT', 'A rejection needs a reason: say what is wrong so the requester can fix it.', { field: 'comment' });
  return c || undefined;
}

/** Answer an action: JSON for the console's script (it stays on the page), else back to the job page. */
function done(req: Request, res: Response, job: JobRecord, message: string): void {
  if (req.accepts(['text/html', 'application/json']) === 'application/json') {
    res.json({ ok: true, message, state: job.state });
    return;
  }
  res.redirect(303, `/ui/jobs/${job.id}`);
}

/**
 * POST /ui/jobs/{id}/decide | cancel | review | pause | resume | abort: the job service's
 * decide, cancel, review and controls, as the signed-in person (channel web), each behind
 * the CSRF check.
 */
export function actionRoutes(app: Express, ctx: UiContext): void {
  const { services } = ctx;
  const guard = [requireViewer(ctx), requireCsrf(ctx)];

  app.post('/ui/jobs/:id/decide', ...guard, async (req: Request, res: Response) => {
    const decision = (req.body as Record<string, unknown>)?.decision;
    if (decision !== 'approve' && decision !== 'reject') throw new HasfError('INVALID_INPUT', 'decision must be approve or reject.', { field: 'decision' });
    const job = await services.jobs.decide(viewerOf(res).principal, String(req.params.id), decision, comment(req, decision === 'reject'));
    done(req, res, job, decision === 'approve' ? `Approved. The job is now ${job.state.replace('_', ' ')}.` : 'Rejected. Nothing will run.');
  });

  app.post('/ui/jobs/:id/cancel', ...guard, async (req: Request, res: Response) => {
    const job = await services.jobs.cancel(viewerOf(res).principal, String(req.params.id), comment(req, false));
    done(req, res, job, 'Cancelled. Nothing will run.');
  });

  // A rolling job's controls (requester, approvers, admins, as for cancel).
  const said = { pause: 'Pause asked for: it holds once the node in progress is done.', resume: 'Resumed: it goes on with its next node.', abort: 'Abort asked for: it ends once the node in progress is done.' } as const;
  for (const action of ['pause', 'resume', 'abort'] as const) {
    app.post(`/ui/jobs/:id/${action}`, ...guard, async (req: Request, res: Response) => {
      const job = await services.jobs.control(viewerOf(res).principal, String(req.params.id), action, comment(req, false));
      done(req, res, job, job.state === 'cancelled' ? 'It had not started: cancelled. Nothing ran.' : said[action]);
    });
  }

  app.post('/ui/jobs/:id/review', ...guard, async (req: Request, res: Response) => {
    const job = await services.jobs.review(viewerOf(res).principal, String(req.params.id), comment(req, false));
    done(req, res, job, 'Reviewed.');
  });
}
