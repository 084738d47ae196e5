import type { Principal } from '../../auth/index.ts';
import { isHasfError } from '../../errors/index.ts';
import { checkCluster } from '../../operations/check/index.ts';
import { readMaintenance } from '../../operations/index.ts';
import { checkMessage, confirmationMessage, dryRunMessage, errorMessage, jobMessage, jobsListMessage, statusMessage, type SlackMessage } from '../blocks/index.ts';
import { context, esc, section } from '../blocks/format.ts';
import { announceJob } from '../announce.ts';
import type { RequestCommand, SlackCommand } from '../parse-command.ts';
import type { CommandInput, HandlerDeps } from './deps.ts';
import { jobPageUrl } from '../../jobs/links.ts';

/** The immediate answer while the work runs (the ack must come within Slack's 3 s). */
export function workingMessage(cmd: SlackCommand, text: string): SlackMessage {
  const what = cmd.kind === 'request' ? (cmd.dryRun ? 'Planning (dry run)' : 'Checking and planning') : cmd.kind === 'status' ? 'Reading the cluster status for' : cmd.kind === 'check' ? 'Checking the health of the cluster for' : 'Working on';
  const t = `:hourglass_flowing_sand: ${what} \`/hasf ${esc(text.trim()).slice(0, 200)}\`…`;
  return { text: t, blocks: [section(t)] };
}

/** The status or health check of one cluster, or of every cluster: one message, a section per cluster. */
async function perCluster(d: HandlerDeps, p: Principal, cluster: string | undefined, one: (c: string) => Promise<SlackMessage>): Promise<SlackMessage> {
  d.services.auth.require(p, 'read');
  const names = cluster ? [d.services.access.cluster(cluster).name] : d.services.access.clusters();
  if (!names.length) return { text: 'No cluster is configured.', blocks: [section('No cluster is configured; add one to the configuration.')] };
  const parts = await Promise.all(
    names.map(async (c) => {
      try {
        return await one(c);
      } catch (err) {
        const m = errorMessage(err);
        return { text: `${c}: ${m.text}`, blocks: [section(`*Cluster ${esc(c)}*`), ...m.blocks] };
      }
    }),
  );
  return { text: parts.map((x) => x.text).join('\n'), blocks: parts.flatMap((x) => x.blocks).slice(0, 50) };
}

async function request(d: HandlerDeps, p: Principal, cmd: RequestCommand, input: CommandInput): Promise<SlackMessage> {
  const r = await d.services.jobs.submit(p, {
    operation: cmd.operation,
    params: cmd.params,
    reason: cmd.reason,
    ticket: cmd.ticket,
    cluster: cmd.cluster,
    emergency: cmd.emergency,
    dryRun: cmd.dryRun,
  });
  if ('dryRun' in r) return dryRunMessage(r.dryRun);
  const channel = d.approvalsChannel ?? input.channel_id;
  let postedIn: string | undefined;
  let problem: string | undefined;
  try {
    const place = await announceJob(d, r.job, { channel, requesterUser: input.user_id, responseUrl: input.response_url });
    postedIn = place?.channel;
    // Events may have passed before the message existed (a job without approvals starts at once).
    d.follower.kick(r.job.id);
  } catch (err) {
    problem = (err as { data?: { error?: string } }).data?.error ?? (err as Error).message;
    d.log(`could not post job ${r.job.id} to ${channel}: ${problem}`);
  }
  const msg = confirmationMessage(r.job, postedIn);
  if (problem) msg.blocks.push(context(`:warning: Could not post to <#${channel}> (${esc(problem)}); invite the HASF app to that channel. The job exists all the same.`));
  return msg;
}

async function decideBySlash(d: HandlerDeps, p: Principal, id: string, decision: 'approve' | 'reject', note?: string): Promise<SlackMessage> {
  const job = await d.services.jobs.decide(p, id, decision, note);
  d.follower.kick(id);
  const counted = job.approvals.filter((a) => a.decision === 'approve').length;
  const t =
    decision === 'approve'
      ? `:white_check_mark: You approved \`${id}\`: ${counted} of ${job.approvalsRequired}; the job is now ${job.state.replace('_', ' ')}.`
      : `:no_entry_sign: You rejected \`${id}\`; the job is now ${job.state.replace('_', ' ')}.`;
  return { text: t, blocks: [section(t)] };
}

/**
 * Run a parsed command for a Slack user and return the answer. Refusals come back as
 * error messages (never thrown): each says why, how to write it right, and its code.
 */
export async function runCommand(d: HandlerDeps, cmd: SlackCommand, input: CommandInput): Promise<SlackMessage> {
  try {
    const p = await d.services.auth.fromSlack(input.user_id);
    switch (cmd.kind) {
      case 'help':
        throw new Error('help is answered in the ack');
      case 'status':
        return await perCluster(d, p, cmd.cluster, async (c) => {
          const driver = d.services.access.pacemaker(c);
          const st = await driver.status();
          const maintenance = await readMaintenance(c, st, () => driver.cib(), async (operation) => (await d.services.jobs.list({ operation, cluster: c, state: 'succeeded', limit: 100 })).jobs);
          return statusMessage(c, st, maintenance);
        });
      case 'check':
        return await perCluster(d, p, cmd.cluster, async (c) => checkMessage(await checkCluster(d.services.access, c)));
      case 'request':
        return await request(d, p, cmd, input);
      case 'jobs': {
        d.services.auth.require(p, 'read');
        const filter = cmd.filter === 'mine' ? { requester: p.person.name } : cmd.filter === 'pending' ? { state: 'awaiting_approval' as const } : {};
        const { jobs } = await d.services.jobs.list({ ...filter, limit: 15 });
        const title = cmd.filter === 'mine' ? 'Your jobs' : cmd.filter === 'pending' ? 'Jobs awaiting approval' : 'Recent jobs';
        return jobsListMessage(title, jobs);
      }
      case 'job': {
        d.services.auth.require(p, 'read');
        const job = await d.services.jobs.get(cmd.id);
        const steps = await d.services.jobs.steps(cmd.id);
        return jobMessage(job, { steps, buttons: false, maxSteps: 20, pageUrl: jobPageUrl(d.services.config.api.publicUrl, job.id) });
      }
      case 'approve':
        return await decideBySlash(d, p, cmd.id, 'approve', cmd.comment);
      case 'reject':
        return await decideBySlash(d, p, cmd.id, 'reject', cmd.reason);
      case 'cancel': {
        const job = await d.services.jobs.cancel(p, cmd.id, cmd.reason);
        d.follower.kick(cmd.id);
        const t = `:heavy_multiplication_x: Job \`${job.id}\` is cancelled; nothing was run.`;
        return { text: t, blocks: [section(t)] };
      }
      case 'pause':
      case 'resume':
      case 'abort': {
        const job = await d.services.jobs.control(p, cmd.id, cmd.kind, cmd.comment);
        d.follower.kick(cmd.id);
        const t =
          job.state === 'cancelled'
            ? `:heavy_multiplication_x: Job \`${job.id}\` had not started; it is cancelled.`
            : cmd.kind === 'resume'
              ? `:arrow_forward: Job \`${job.id}\` resumed: it goes on with its next node.`
              : `${cmd.kind === 'pause' ? ':double_vertical_bar: Pause' : ':octagonal_sign: Abort'} of \`${job.id}\` asked for: ${job.state === 'paused' && cmd.kind === 'pause' ? 'it is paused' : `it ${cmd.kind === 'pause' ? 'holds' : 'ends'} once the node in progress is done`}.`;
        return { text: t, blocks: [section(t)] };
      }
    }
  } catch (err) {
    if (!isHasfError(err)) d.log(`/hasf ${input.text.slice(0, 200)} failed: ${(err as Error)?.stack ?? String(err)}`);
    return errorMessage(err);
  }
}
