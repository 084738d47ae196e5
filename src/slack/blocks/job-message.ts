import type { types } from '@slack/bolt';
import type { JobRecord, StepRecord } from '../../jobs/types.ts';
import { getOperation } from '../../operations/index.ts';
import { ACTION_ABORT, ACTION_APPROVE, ACTION_PAUSE, ACTION_REJECT, ACTION_RESUME, BLOCK_CONTROL, BLOCK_DECIDE } from '../ids.ts';
import { codeBlock, context, duration, esc, header, requesterText, section, shellLine, slackDate, STATE_EMOJI, stateText, type Block, type SlackMessage } from './format.ts';
import { planBlocks, predictionText } from './plan.ts';

/** What the live message shows beside the record: the step log and the current phase. */
export interface JobMessageOptions {
  steps?: StepRecord[];
  /** The phase the worker announced last (preflight, move, verify, …). */
  phase?: string;
  /** Show Approve / Reject buttons; default: while the job awaits approval. */
  buttons?: boolean;
  /** Commands of the step log shown at most (the newest). */
  maxSteps?: number;
  /** The job's page in the web console (api.publicUrl + /ui/jobs/{id}), linked at the bottom. */
  pageUrl?: string;
}

function progressBlocks(job: JobRecord, o: JobMessageOptions): Block[] {
  const steps = o.steps ?? [];
  if (!steps.length && !o.phase && job.state !== 'running') return [];
  const phases: string[] = [];
  for (const s of steps) if (!phases.includes(s.step)) phases.push(s.step);
  if (o.phase && !phases.includes(o.phase)) phases.push(o.phase);
  const current = job.state === 'running' ? (o.phase ?? phases.at(-1)) : undefined;
  const phaseLine = phases.map((p) => (p === current ? `:gear: *${esc(p)}*` : `:heavy_check_mark: ${esc(p)}`)).join('  →  ');
  const max = o.maxSteps ?? 8;
  const shown = steps.slice(-max);
  const lines = shown.map((s) =>
    s.wait
      ? `${s.wait.state === 'settled' ? '✓' : s.wait.state === 'waiting' ? '…' : '✗'} [${s.step}] waits for ${s.wait.for}: ${s.wait.doing} (${(s.durationMs / 1000).toFixed(1)} s)`
      : `${s.exitCode === 0 ? '✓' : s.exitCode === null ? '…' : `✗ exit ${s.exitCode}`} [${s.step}] ${s.host}: ${shellLine(s.argv)} (${(s.durationMs / 1000).toFixed(1)} s)`,
  );
  const out: Block[] = [section(`*Progress*${phaseLine ? `\n${phaseLine}` : ''}`)];
  if (lines.length) out.push(section(`${steps.length > max ? `_last ${max} of ${steps.length} commands_\n` : ''}${codeBlock(lines)}`));
  return out;
}

function outcomeBlocks(job: JobRecord): Block[] {
  const took = job.startedAt && job.finishedAt ? ` in ${duration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
  switch (job.state) {
    case 'succeeded':
      return [section(`:white_check_mark: *Succeeded*${took}: ${esc(job.result?.summary ?? 'done')}`)];
    case 'failed':
      return [section(`:x: *Failed*${took}: ${esc(job.error?.message ?? 'unknown error')}${job.error ? ` (\`${job.error.code}\`)` : ''}`)];
    case 'rejected': {
      const r = job.approvals.find((a) => a.decision === 'reject');
      return [section(`:no_entry_sign: *Rejected*${r ? ` by ${esc(r.person)}${r.comment ? `: “${esc(r.comment)}”` : ''}` : ''}. Nothing was run.`)];
    }
    case 'expired':
      return [section(`:alarm_clock: *Expired*: not enough approvals before ${job.expiresAt ? slackDate(job.expiresAt) : 'the deadline'}. Nothing was run; request it again if still needed.`)];
    case 'cancelled':
      return [section(':heavy_multiplication_x: *Cancelled* before it ran. Nothing was run.')];
    case 'queued':
      return [section(':inbox_tray: *Approved and queued*: a worker picks it up when its targets are free.')];
    default:
      return [];
  }
}

/**
 * A rolling job's controls while it can still obey them: what was asked (pause, abort)
 * and the buttons. Pause and Abort take effect between two nodes, so each says so.
 */
function controlBlocks(job: JobRecord): Block[] {
  if (!getOperation(job.operation).pausable || !['queued', 'running', 'paused'].includes(job.state)) return [];
  const c = job.control ?? {};
  const out: Block[] = [];
  const notes: string[] = [];
  if (job.state === 'paused') notes.push(`:double_vertical_bar: *Paused*${c.pause ? ` by ${esc(c.pause.by)}` : ''}, between two nodes: every node is back in service. Resume goes on with the next node.`);
  else if (c.pause) notes.push(`:double_vertical_bar: Pause asked for by ${esc(c.pause.by)}: it holds once the node in progress is done.`);
  if (c.abort) notes.push(`:octagonal_sign: Abort asked for by ${esc(c.abort.by)}: it ends once the node in progress is done.`);
  if (notes.length) out.push(section(notes.join('\n')));
  if (c.abort) return out;
  const button = (action_id: string, text: string, style?: 'primary' | 'danger'): types.Button => ({ type: 'button', action_id, text: { type: 'plain_text', text }, value: job.id, ...(style ? { style } : {}) });
  const elements: types.Button[] = [];
  if (job.state === 'paused' || c.pause) elements.push(button(ACTION_RESUME, 'Resume', 'primary'));
  else elements.push(button(ACTION_PAUSE, 'Pause after this node'));
  elements.push({
    ...button(ACTION_ABORT, 'Abort after this node', 'danger'),
    confirm: {
      title: { type: 'plain_text', text: 'Abort the rolling job?' },
      text: { type: 'mrkdwn', text: 'It finishes the node it is at, then stops; the nodes not done yet stay untouched.' },
      confirm: { type: 'plain_text', text: 'Abort' },
      deny: { type: 'plain_text', text: 'Keep going' },
    },
  });
  out.push({ type: 'actions', block_id: BLOCK_CONTROL, elements });
  return out;
}

/**
 * The job's message in the approvals channel, rebuilt from the record on every change
 * (chat.update replaces it whole): who asked what and why, the exact commands, the
 * predicted transition, approvals so far, expiry, buttons while awaiting, then each step
 * and the result. Pure.
 */
export function jobMessage(job: JobRecord, o: JobMessageOptions = {}): SlackMessage {
  const op = getOperation(job.operation);
  const target = op.target(job.params as never);
  const blocks: Block[] = [];
  if (job.emergency) {
    blocks.push(header(`🚨 BREAK-GLASS: ${job.operation} ${target}`));
    blocks.push(section(`:rotating_light: *Emergency run by ${requesterText(job)} without approval.* It must be reviewed by an approver afterwards${job.reviewPending ? ' (review pending)' : job.review ? ` (reviewed by ${esc(job.review.person)})` : ''}.`));
  } else {
    blocks.push(header(`${job.state === 'awaiting_approval' ? 'Approval needed' : 'Job'}: ${job.operation} ${target}`));
  }
  const approvers = job.approvals.filter((a) => a.decision === 'approve').map((a) => esc(a.person));
  const fields = [
    `*State*\n${STATE_EMOJI[job.state]} ${stateText(job.state)}`,
    `*Operation*\n\`${job.operation}\` (risk ${op.risk})`,
    `*Target*\n${esc(target)} on cluster *${esc(job.cluster)}*`,
    `*Requester*\n${requesterText(job)}`,
    `*Reason*\n${job.reason ? esc(job.reason) : '_none given_'}`,
    `*Ticket*\n${job.ticket ? esc(job.ticket) : '_none_'}`,
    `*Approvals*\n${approvers.length} of ${job.approvalsRequired}${approvers.length ? `: ${approvers.join(', ')}` : ''}`,
    `*Expires*\n${job.expiresAt && job.state === 'awaiting_approval' ? slackDate(job.expiresAt) : '—'}`,
  ];
  blocks.push({ type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn' as const, text: text.slice(0, 1900) })) });
  blocks.push(...planBlocks(job.plan));
  if (o.buttons ?? job.state === 'awaiting_approval') {
    blocks.push({
      type: 'actions',
      block_id: BLOCK_DECIDE,
      elements: [
        { type: 'button', action_id: ACTION_APPROVE, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: job.id },
        { type: 'button', action_id: ACTION_REJECT, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: job.id },
      ],
    });
  }
  blocks.push(...progressBlocks(job, o), ...controlBlocks(job), ...outcomeBlocks(job));
  blocks.push(context(`job \`${job.id}\` · requested ${slackDate(job.createdAt)} · \`/hasf job ${job.id}\`${o.pageUrl ? ` · <${o.pageUrl}|open in the web console>` : ''}`));
  const pred = predictionText(job.plan);
  const lead = job.emergency ? '<!here> BREAK-GLASS ' : job.state === 'awaiting_approval' ? 'Approval needed: ' : '';
  const text = `${lead}${job.operation} ${target} on ${job.cluster} by ${job.requester} — ${stateText(job.state)}${pred ? ` — predicted: ${pred}` : ''}`;
  return { text, blocks: blocks.slice(0, 50) };
}
