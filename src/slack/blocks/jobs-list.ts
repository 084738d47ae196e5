import type { JobRecord } from '../../jobs/types.ts';
import { getOperation } from '../../operations/index.ts';
import { context, esc, section, slackDate, STATE_EMOJI, stateText, type SlackMessage } from './format.ts';

/** `/hasf jobs`: one line per job, newest first. */
export function jobsListMessage(title: string, jobs: JobRecord[]): SlackMessage {
  if (!jobs.length) return { text: `${title}: none`, blocks: [section(`*${esc(title)}*: none.`)] };
  const lines = jobs.map((j) => {
    const target = getOperation(j.operation).target(j.params as never);
    const appr = j.state === 'awaiting_approval' ? ` · ${j.approvals.filter((a) => a.decision === 'approve').length}/${j.approvalsRequired} approvals` : '';
    return `${STATE_EMOJI[j.state]} \`${j.id}\` \`${j.operation}\` ${esc(target)} (${esc(j.cluster)}) — ${stateText(j.state)}${appr} · ${esc(j.requester)} · ${slackDate(j.createdAt)}${j.emergency ? ' :rotating_light:' : ''}`;
  });
  return { text: `${title}: ${jobs.length} job(s)`, blocks: [section(`*${esc(title)}*\n${lines.join('\n')}`), context('`/hasf job &lt;id&gt;` for details')] };
}
