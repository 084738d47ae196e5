import { JOB_STATES } from '../../jobs/types.ts';
import { clientFor } from '../connection.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { exitForJob, followJob, isFinal } from '../follow.ts';
import { formatJob, formatJobList, type JobView } from '../format/jobs.ts';
import type { CliIo } from '../io.ts';
import { toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand, str } from '../parse.ts';
import { asJob, asPage } from '../shapes.ts';

const JOBS_USAGE = 'hasf jobs [--state S] [--operation OP] [--requester NAME] [--cluster C] [--since TIME] [--limit N] [--all]';

/** Help of `hasf jobs`. */
export const JOBS_HELP = `List jobs, newest first.

Usage: ${JOBS_USAGE}
  --state S         one of ${JOB_STATES.join(', ')}
  --operation OP    e.g. vm.migrate
  --requester NAME  person who asked
  --cluster C       cluster name
  --since TIME      ISO time or a duration back from now (2h, 1d)
  --limit N         page size (default 50)
  --all             follow nextCursor through every page

${API_OPTIONS_HELP}`;

/** `hasf jobs`: one page (or --all pages) of GET /v1/jobs as a table. */
export async function jobsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...API_OPTIONS, state: { type: 'string' }, operation: { type: 'string' }, requester: { type: 'string' }, cluster: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } },
    JOBS_USAGE,
  );
  if (values.help) return io.out(JOBS_HELP), EXIT.OK;
  if (positionals.length) throw new UsageError(`Unexpected argument ${positionals[0]}. Usage: ${JOBS_USAGE}`);
  const state = str(values, 'state');
  if (state && !(JOB_STATES as readonly string[]).includes(state)) throw new UsageError(`--state ${state}: use one of ${JOB_STATES.join(', ')}.`);
  const api = await clientFor(values, io);
  const query = {
    state,
    operation: str(values, 'operation'),
    requester: str(values, 'requester'),
    cluster: str(values, 'cluster'),
    since: sinceToIso(str(values, 'since')),
    limit: str(values, 'limit'),
    cursor: undefined as string | undefined,
  };
  const jobs: JobView[] = [];
  for (;;) {
    const page = asPage<JobView>(await api.json('GET', '/v1/jobs', { query }), 'jobs');
    jobs.push(...page.items);
    if (!values.all || !page.nextCursor) break;
    query.cursor = page.nextCursor;
  }
  io.out(values.json ? toJson(jobs) : formatJobList(jobs));
  return EXIT.OK;
}

/** An ISO time from `--since` (ISO as given, or 30m / 2h / 1d back from now). */
export function sinceToIso(text: string | undefined, now: number = Date.now()): string | undefined {
  if (!text) return undefined;
  const m = /^(\d+)([smhd])$/.exec(text);
  if (m) return new Date(now - Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] as 's' | 'm' | 'h' | 'd']).toISOString();
  if (!Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  throw new UsageError(`--since ${text}: give an ISO time (2026-01-31T12:00:00Z) or a duration such as 30m, 2h, 1d.`);
}

const JOB_USAGE = 'hasf job ID [--follow] | hasf job pause|resume|abort ID [--comment TEXT]';

/** Help of `hasf job`. */
export const JOB_HELP = `Show one job: plan, approvals, steps, result.

Usage: ${JOB_USAGE}
  --follow, -f   print each new step and state change (polling every 500 ms) until the
                 job ends; exit 0 if it succeeded, 1 if it failed, was rejected, expired
                 or was cancelled

  hasf job pause ID    a cluster.rolling job finishes the node it is at, then holds
  hasf job resume ID   a paused job goes on with its next node
  hasf job abort ID    it finishes the node it is at, then ends (JOB_ABORTED) with
                       what was done and what was not touched (requester, approver or
                       admin, as for cancel)

${API_OPTIONS_HELP}`;

/** `hasf job ID [--follow]`, or `hasf job pause|resume|abort ID`. Without --follow the exit code is 0, or 1 for a job that ended badly. */
export async function jobCommand(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'pause' || first === 'resume' || first === 'abort') return decideCommand(first, rest, io);
  const { values, positionals } = parseCommand(argv, { ...API_OPTIONS, follow: { type: 'boolean', short: 'f' } }, JOB_USAGE);
  if (values.help) return io.out(JOB_HELP), EXIT.OK;
  const id = oneId(positionals, JOB_USAGE);
  const api = await clientFor(values, io);
  if (values.follow) {
    const final = await followJob(api, id, io, { json: !!values.json });
    return exitForJob(final.state);
  }
  const job = await api.json<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  io.out(values.json ? toJson(job) : formatJob(job, Date.now(), api.baseUrl));
  return isFinal(job.state) ? exitForJob(job.state) : EXIT.OK;
}

/** The single job-id positional, or a usage error. */
export function oneId(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`${positionals.length ? 'One job ID only' : 'Missing job ID'}. Usage: ${usage}`);
  return positionals[0]!;
}

type Decision = 'approve' | 'reject' | 'cancel' | 'review' | 'pause' | 'resume' | 'abort';

const DECIDE_HELP: Record<Decision, string> = {
  approve: 'Approve a job awaiting approval (approver role; never your own request).',
  reject: 'Reject a job awaiting approval: one rejection ends the request.',
  cancel: 'Cancel a job that has not started (requester, approver or admin).',
  review: 'Review a break-glass (emergency) job after the fact (approver role).',
  pause: 'Pause a cluster.rolling job: it finishes the node it is at, then holds before the next (requester, approver or admin).',
  resume: 'Resume a paused cluster.rolling job: it goes on with its next node.',
  abort: 'Abort a cluster.rolling job: it finishes the node it is at, then ends, saying which nodes were done and which not touched.',
};

const CONTROL: readonly Decision[] = ['pause', 'resume', 'abort'];

/** Help of `hasf approve|reject|cancel|review`. */
export function decideHelp(d: Decision): string {
  return `${DECIDE_HELP[d]}\n\nUsage: hasf ${CONTROL.includes(d) ? 'job ' : ''}${d} ID [--comment TEXT]\n\n${API_OPTIONS_HELP}`;
}

/** `hasf approve|reject|cancel|review ID [--comment]`: prints the job as it is afterwards. */
export async function decideCommand(d: Decision, argv: string[], io: CliIo): Promise<number> {
  const usage = `hasf ${CONTROL.includes(d) ? 'job ' : ''}${d} ID [--comment TEXT]`;
  const { values, positionals } = parseCommand(argv, { ...API_OPTIONS, comment: { type: 'string', short: 'm' } }, usage);
  if (values.help) return io.out(decideHelp(d)), EXIT.OK;
  const id = encodeURIComponent(oneId(positionals, usage));
  const api = await clientFor(values, io);
  const comment = str(values, 'comment');
  const answer =
    d === 'approve' || d === 'reject'
      ? await api.json('POST', `/v1/jobs/${id}/approvals`, { body: { decision: d, comment } })
      : await api.json('POST', `/v1/jobs/${id}/${d}`, { body: comment ? { comment } : {} });
  const job = asJob(answer);
  if (values.json) io.out(toJson(job));
  else {
    const verb = { approve: 'Approved', reject: 'Rejected', cancel: 'Cancelled', review: 'Reviewed', pause: 'Pause asked for', resume: 'Resumed', abort: 'Abort asked for' }[d];
    const left = job.state === 'awaiting_approval' && job.approvalsRemaining !== undefined ? `; ${job.approvalsRemaining} more approval(s) needed` : '';
    const pending = (d === 'pause' || d === 'abort') && job.state === 'running' ? ` (it ${d === 'pause' ? 'holds' : 'ends'} once the node it is at is done)` : '';
    io.out(`${verb} ${job.id}: now ${job.state}${left}${pending}.`);
    if (job.state === 'queued' || job.state === 'running' || job.state === 'paused') io.out(`Follow it: hasf job ${job.id} --follow`);
  }
  return EXIT.OK;
}
