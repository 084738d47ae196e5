import type { Express, Request, Response } from 'express';
import { isHasfError } from '../../errors/index.ts';
import { FINAL_STATES } from '../../jobs/types.ts';
import { viewerOf, type UiContext, type Viewer } from '../context.ts';
import { requireViewer } from '../guard.ts';
import type { Html } from '../html.ts';
import { loadJobView } from '../job-view.ts';
import { clusterPicture, healthOf, statusUnreadable } from '../pages/cluster-picture.ts';
import { jobSections } from '../pages/job.ts';
import type { EventStream } from '../sse.ts';

/** Still signed in? (Checked before every update: a revoked token ends the stream too.) */
async function stillValid(ctx: UiContext, v: Viewer): Promise<boolean> {
  const s = await ctx.sessions.get(v.sid).catch(() => undefined);
  if (!s) return false;
  try {
    await ctx.services.auth.fromTokenHash(s.tokenHash, 'web');
    return true;
  } catch {
    return false;
  }
}

/** Send the sections that changed since the last send (all of them the first time). */
function sender(stream: EventStream) {
  const last = new Map<string, string>();
  return (sections: Record<string, Html>) => {
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(sections)) {
      if (last.get(k) !== v.text) changed[k] = v.text;
      last.set(k, v.text);
    }
    if (Object.keys(changed).length) stream.send('sections', JSON.stringify(changed));
  };
}

/**
 * Server-sent events for open pages: GET /ui/jobs/{id}/live sends the job page's changing
 * sections whenever the job moves (state, phase, command, decision), and
 * /ui/clusters/{c}/live the cluster picture whenever the cluster's status changes.
 */
export function liveRoutes(app: Express, ctx: UiContext): void {
  const { services } = ctx;
  const viewer = requireViewer(ctx);
  const FALLBACK_MS = 15_000;

  app.get('/ui/jobs/:id/live', viewer, async (req: Request, res: Response) => {
    const v = viewerOf(res);
    const id = String(req.params.id);
    await services.jobs.get(id); // NOT_FOUND before the stream opens
    const stream = ctx.streams.start(req, res);
    const send = sender(stream);
    let timer: NodeJS.Timeout | undefined;
    let busy = false;
    let again = false;
    // A job that has ended changes no more (but for a break-glass review): no polling then.
    let settled = false;
    const update = async () => {
      if (stream.closed) return;
      if (busy) return void (again = true);
      busy = true;
      try {
        if (!(await stillValid(ctx, v))) {
          stream.send('signedout', '{}');
          return stream.end();
        }
        const view = await loadJobView(ctx, id, v);
        settled = FINAL_STATES.includes(view.job.state) && !view.job.reviewPending;
        send(jobSections(view));
      } catch (err) {
        if (!isHasfError(err)) console.error(`[ui] live job ${id}: ${(err as Error)?.message}`);
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        void update();
      }
    };
    // Events come in bursts (a command's step, result and the phase together): render once per burst.
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void update(), 120);
    };
    const unfollow = await ctx.live.onJobEvent((e) => e.jobId === id && soon());
    // Events are best effort: re-read now and then in case one was missed (and to see an expiry).
    // For an ended job only the session is re-checked (update() signs a page out when it is gone).
    const fallback = setInterval(() => void (settled ? stillValid(ctx, v).then((ok) => (ok ? undefined : update())) : update()), FALLBACK_MS);
    stream.onClose(() => {
      unfollow();
      clearTimeout(timer);
      clearInterval(fallback);
    });
    await update();
  });

  app.get('/ui/clusters/:cluster/live', viewer, (req: Request, res: Response) => {
    const v = viewerOf(res);
    const name = String(req.params.cluster);
    services.access.cluster(name);
    const stream = ctx.streams.start(req, res);
    const send = sender(stream);
    const unwatch = ctx.live.watchCluster(name, (reading) => {
      void (async () => {
        if (!(await stillValid(ctx, v))) {
          stream.send('signedout', '{}');
          return stream.end();
        }
        const picture = reading.status
          ? clusterPicture(name, reading.status, healthOf(reading))
          : statusUnreadable(reading.statusError);
        send({ picture });
      })();
    });
    stream.onClose(unwatch);
  });
}
