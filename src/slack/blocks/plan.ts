import type { DryRunResult } from '../../jobs/service.ts';
import type { JobRecord, Plan } from '../../jobs/types.ts';
import { getOperation } from '../../operations/index.ts';
import { codeBlock, context, esc, section, shellLine, slackDate, STATE_EMOJI, type Block, type SlackMessage } from './format.ts';

/** The plan of a request as blocks: summary, exact commands, predicted transition, warnings. */
export function planBlocks(plan: Plan): Block[] {
  const blocks: Block[] = [section(`*Plan:* ${esc(plan.summary)}`)];
  if (plan.commands.length) blocks.push(section(`*Commands*\n${codeBlock(plan.commands.map((c) => `[${c.host}] ${shellLine(c.argv)}`))}`));
  if (plan.prediction?.steps) {
    // The whole sequence, step by step: what each change does, on one copy of the CIB.
    const lines = plan.prediction.steps.map((s, i) => `${i + 1}. _${esc(s.change)}_: ${s.actions.length ? s.actions.map((a) => esc(a.text)).join('; ') : 'nothing moves'}`);
    blocks.push(section(`*Predicted sequence* (the cluster's scheduler on a copy of the live CIB, change after change)\n${lines.join('\n')}`));
  } else if (plan.prediction) {
    const acts = plan.prediction.actions;
    blocks.push(section(`*Predicted transition* (the cluster's scheduler on a copy of the live CIB)\n${acts.length ? acts.map((a) => `• ${esc(a.text)}`).join('\n') : '• no resource changes'}`));
  }
  if (plan.warnings.length) blocks.push(section(plan.warnings.map((w) => `:warning: ${esc(w)}`).join('\n')));
  return blocks;
}

/** Predicted transition in one line of plain text (notification fallback). */
export function predictionText(plan: Plan): string {
  const acts = plan.prediction?.actions ?? [];
  return acts.length ? acts.map((a) => a.text).join('; ') : '';
}

/** The ephemeral answer to a --dry-run: what would happen, and what approvals it would need. */
export function dryRunMessage(r: DryRunResult): SlackMessage {
  const op = getOperation(r.operation);
  const head = `:mag: *Dry run* of \`${r.operation}\` ${esc(op.target(r.params as never))} on cluster *${esc(r.cluster)}* — nothing was changed.`;
  const tail = r.approvalsRequired ? `Run without --dry-run to request it; it would need ${r.approvalsRequired} approval(s).` : 'Run without --dry-run to do it; it needs no approval.';
  return {
    text: `Dry run: ${r.plan.summary}${predictionText(r.plan) ? ` — predicted: ${predictionText(r.plan)}` : ''}`,
    blocks: [section(head), ...planBlocks(r.plan), context(tail)],
  };
}

/** The requester's ephemeral confirmation once a job exists: plan, prediction, and what happens next. */
export function confirmationMessage(job: JobRecord, postedIn?: string): SlackMessage {
  const op = getOperation(job.operation);
  const target = esc(op.target(job.params as never));
  let next: string;
  if (job.emergency) next = `:rotating_light: Break-glass: no approval wait; it is queued now and announced${postedIn ? ` in <#${postedIn}>` : ''}. An approver must review it afterwards.`;
  else if (job.state === 'awaiting_approval') next = `It needs ${job.approvalsRequired} approval(s)${postedIn ? `, requested in <#${postedIn}>` : ''}; it expires ${job.expiresAt ? slackDate(job.expiresAt) : 'never'}. You will be told in the thread.`;
  else next = `It needs no approval and is queued${postedIn ? `; progress in <#${postedIn}>` : ''}.`;
  return {
    text: `Job ${job.id} (${job.operation} ${op.target(job.params as never)}): ${job.state.replace('_', ' ')}. ${job.plan.summary}`,
    blocks: [section(`${STATE_EMOJI[job.state]} Job \`${job.id}\`: \`${job.operation}\` ${target} on *${esc(job.cluster)}*\n${next}`), ...planBlocks(job.plan), context(`\`/hasf job ${job.id}\` for details · \`/hasf cancel ${job.id}\` to withdraw it`)],
  };
}
