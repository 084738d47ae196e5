import { decide as checkDecision, resolvePolicy } from '../../approvals/index.ts';
import { isHasfError } from '../../errors/index.ts';
import { getOperation } from '../../operations/index.ts';
import { errorMessage, rejectModal, readRejectContext, type SlackMessage } from '../blocks/index.ts';
import { section } from '../blocks/format.ts';
import type { HandlerDeps } from './deps.ts';

/** Who pressed what, where (from a block_actions payload). */
export interface ButtonPress {
  userId: string;
  jobId: string;
  channel?: string;
  ts?: string;
  triggerId: string;
  responseUrl?: string;
}

/** Tell one person something in the channel, visible only to them. */
async function tell(d: HandlerDeps, press: { userId: string; channel?: string }, msg: SlackMessage): Promise<void> {
  if (!press.channel) return;
  await d.client.chat.postEphemeral({ channel: press.channel, user: press.userId, text: msg.text, blocks: msg.blocks }).catch((err) => d.log(`postEphemeral failed: ${(err as Error).message}`));
}

/** The Approve button: decide() checks eligibility; refusals go back to the presser only. */
export async function onApprovePress(d: HandlerDeps, press: ButtonPress): Promise<void> {
  try {
    const p = await d.services.auth.fromSlack(press.userId);
    const job = await d.services.jobs.decide(p, press.jobId, 'approve');
    d.follower.kick(press.jobId);
    const counted = job.approvals.filter((a) => a.decision === 'approve').length;
    const t = `:white_check_mark: Your approval of \`${job.id}\` counts: ${counted} of ${job.approvalsRequired}${job.state === 'queued' ? '; it is queued to run' : ''}.`;
    await tell(d, press, { text: t, blocks: [section(t)] });
  } catch (err) {
    if (!isHasfError(err)) d.log(`approve ${press.jobId} failed: ${(err as Error)?.stack ?? String(err)}`);
    await tell(d, press, errorMessage(err));
  }
}

/**
 * The Reject button: the same checks decide() makes run first, so the requester and
 * people who may not approve are told why right away instead of filling in a modal;
 * eligible approvers get the modal asking for the reason (views.open).
 */
export async function onRejectPress(d: HandlerDeps, press: ButtonPress): Promise<void> {
  try {
    const p = await d.services.auth.fromSlack(press.userId);
    const job = await d.services.jobs.get(press.jobId);
    d.services.auth.require(p, 'approve');
    checkDecision(resolvePolicy(d.services.config.approvals, job.operation, job.cluster), job, p, 'reject', undefined, new Date());
    const summary = `\`${job.operation}\` ${getOperation(job.operation).target(job.params as never)} on ${job.cluster}, requested by ${job.requester}`;
    await d.client.views.open({ trigger_id: press.triggerId, view: rejectModal({ jobId: job.id, channel: press.channel, ts: press.ts }, summary) });
  } catch (err) {
    if (!isHasfError(err)) d.log(`reject ${press.jobId} failed: ${(err as Error)?.stack ?? String(err)}`);
    await tell(d, press, errorMessage(err));
  }
}

/** What to answer a submitted reject modal: close it, or show the refusal on the input. */
export type ModalAnswer = { close: true } | { error: string };

/**
 * The submitted reject modal. Decides within `deadlineMs` so a refusal can be shown in the
 * modal itself; if Redis is slow, the modal closes and the outcome arrives as an
 * ephemeral message instead (the ack must beat Slack's 3 s).
 */
export async function onRejectSubmit(d: HandlerDeps, userId: string, privateMetadata: string | undefined, reason: string, deadlineMs = 2000): Promise<ModalAnswer> {
  const ctx = readRejectContext(privateMetadata);
  if (!ctx) return { error: 'This form lost track of its job; press Reject on the message again.' };
  const work = (async () => {
    const p = await d.services.auth.fromSlack(userId);
    await d.services.jobs.decide(p, ctx.jobId, 'reject', reason.trim());
    d.follower.kick(ctx.jobId);
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), deadlineMs)));
  try {
    const r = await Promise.race([work.then(() => 'done' as const), late]);
    if (r === 'late') {
      work.catch((err) => tell(d, { userId, channel: ctx.channel }, errorMessage(err)));
    }
    return { close: true };
  } catch (err) {
    if (!isHasfError(err)) d.log(`reject ${ctx.jobId} failed: ${(err as Error)?.stack ?? String(err)}`);
    const m = errorMessage(err);
    return { error: isHasfError(err) ? `${err.message} (${err.code})`.slice(0, 2000) : m.text };
  } finally {
    clearTimeout(timer);
  }
}

/** A rolling job's Pause / Resume / Abort button: the job service checks the roles (as for cancel). */
export async function onControlPress(d: HandlerDeps, press: ButtonPress, action: 'pause' | 'resume' | 'abort'): Promise<void> {
  try {
    const p = await d.services.auth.fromSlack(press.userId);
    const job = await d.services.jobs.control(p, press.jobId, action);
    d.follower.kick(press.jobId);
    const t =
      action === 'resume'
        ? `:arrow_forward: \`${job.id}\` resumed: it goes on with its next node.`
        : job.state === 'cancelled'
          ? `:heavy_multiplication_x: \`${job.id}\` had not started; it is cancelled.`
          : action === 'pause'
            ? `:double_vertical_bar: Pause of \`${job.id}\` asked for: it holds once the node in progress is done.`
            : `:octagonal_sign: Abort of \`${job.id}\` asked for: it ends once the node in progress is done.`;
    await tell(d, press, { text: t, blocks: [section(t)] });
  } catch (err) {
    if (!isHasfError(err)) d.log(`${action} ${press.jobId} failed: ${(err as Error)?.stack ?? String(err)}`);
    await tell(d, press, errorMessage(err));
  }
}
