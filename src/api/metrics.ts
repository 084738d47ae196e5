import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Services } from '../app/services.ts';
import { JOB_STATES, FINAL_STATES } from '../jobs/types.ts';
import { subscribeEvents } from '../jobs/events.ts';
import { CALLBACKS_QUEUE, TIMERS_QUEUE, jobQueueName } from '../queue/queues.ts';

// Counting jobs scans every record; scrapes within this window reuse the last count.
const JOB_COUNT_CACHE_MS = 15_000;

/**
 * The API's Prometheus metrics, in a registry of its own (several apps in one test
 * process must not collide): HTTP requests by route and status, jobs by operation and
 * state, job and step durations, queue depth and approval wait.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly http: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly jobDuration: Histogram<'operation' | 'state'>;
  private readonly stepDuration: Histogram<'step'>;
  private readonly approvalWait: Histogram<'operation'>;
  private jobCounts?: { at: number; counts: Map<string, number> };

  constructor(private readonly services: Services) {
    const registers = [this.registry];
    this.http = new Counter({ name: 'hasf_http_requests_total', help: 'HTTP requests by route template and status.', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({ name: 'hasf_http_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers });
    this.jobDuration = new Histogram({ name: 'hasf_job_duration_seconds', help: 'Run time of finished jobs (start to finish).', labelNames: ['operation', 'state'], buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800], registers });
    this.stepDuration = new Histogram({ name: 'hasf_step_duration_seconds', help: 'Duration of commands run by jobs, by step.', labelNames: ['step'], buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300], registers });
    this.approvalWait = new Histogram({ name: 'hasf_approval_wait_seconds', help: 'Time from request to the last needed approval.', labelNames: ['operation'], buckets: [10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600], registers });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with its own `this`
    const self = this;
    new Gauge({
      name: 'hasf_jobs',
      help: 'Jobs by operation and state (all stored jobs).',
      labelNames: ['operation', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const [k, n] of await self.countJobs()) {
          const [operation, state] = k.split('|');
          this.set({ operation, state }, n);
        }
      },
    });
    new Gauge({
      name: 'hasf_queue_depth',
      help: 'Waiting, delayed and active BullMQ jobs by queue.',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const name of [...services.access.clusters().map(jobQueueName), TIMERS_QUEUE, CALLBACKS_QUEUE]) {
          const c = await services.queues.get(name).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
          this.set({ queue: name }, Object.values(c).reduce((a, b) => a + b, 0));
        }
      },
    });
  }

  /** Express middleware counting every request by its route template (never the raw path). */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        this.http.inc({ method: req.method, route, status: String(res.statusCode) });
        this.httpDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - start) / 1e9);
      });
      next();
    };
  }

  private async countJobs(): Promise<Map<string, number>> {
    if (this.jobCounts && Date.now() - this.jobCounts.at < JOB_COUNT_CACHE_MS) return this.jobCounts.counts;
    const { redis, config } = this.services;
    const p = config.redis.prefix;
    const counts = new Map<string, number>();
    const ids = await redis.zrange(`${p}:jobs`, '0', '-1');
    for (let i = 0; i < ids.length; i += 1000) {
      const pipe = redis.pipeline();
      for (const id of ids.slice(i, i + 1000)) pipe.hmget(`${p}:job:${id}`, 'operation', 'state');
      for (const [, v] of (await pipe.exec()) ?? []) {
        const [op, st] = (v as (string | null)[]) ?? [];
        if (!op || !st) continue;
        const k = `${JSON.parse(op)}|${JSON.parse(st)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    this.jobCounts = { at: Date.now(), counts };
    return counts;
  }

  /** Follow job events for the duration and wait metrics; returns the unsubscribe. */
  async follow(): Promise<() => Promise<void>> {
    const s = this.services;
    return subscribeEvents(s.newRedis({ name: 'hasf-api-metrics' }), s.config.redis.prefix, (e) => {
      if (e.type === 'step') this.stepDuration.observe({ step: e.step.step }, e.step.durationMs / 1000);
      if (e.type !== 'state') return;
      const watch = (e.state === 'queued' && e.from === 'awaiting_approval') || (FINAL_STATES.includes(e.state) && e.from === 'running');
      if (!watch) return;
      void s.store.get(e.jobId).then((job) => {
        if (!job) return;
        if (e.state === 'queued') this.approvalWait.observe({ operation: job.operation }, (Date.parse(e.at) - Date.parse(job.createdAt)) / 1000);
        else if (job.startedAt) this.jobDuration.observe({ operation: job.operation, state: e.state }, (Date.parse(job.finishedAt ?? e.at) - Date.parse(job.startedAt)) / 1000);
      }, () => undefined);
    });
  }
}

/** The job states, for documentation of the hasf_jobs label values. */
export const JOB_STATE_LABELS = JOB_STATES;
