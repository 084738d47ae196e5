import type { types } from '@slack/bolt';
import type { JobRecord, JobState } from '../../jobs/types.ts';

/** A Block Kit block (Slack's own type, so the compiler checks the shapes). */
export type Block = types.KnownBlock;

/** A message: blocks plus the plain text Slack shows in notifications and old clients. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Escape text for mrkdwn: user input must not become a mention or a link (`<!channel>`). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack caps a text object at 3000 characters; keep room for the surrounding markup. */
export function clip(s: string, max = 2900): string {
  return s.length <= max ? s : `${s.slice(0, max - 20)}\n… (${s.length - max + 20} more characters)`;
}

/** A code block of preformatted lines (backticks inside can't close it early). */
export function codeBlock(lines: string[]): string {
  return '```' + clip(lines.join('\n').replace(/```/g, "'''"), 2800) + '```';
}

/** A mrkdwn section. */
export function section(text: string, blockId?: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) }, ...(blockId ? { block_id: blockId } : {}) };
}

/** A grey context line. */
export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] };
}

/** A header (plain text, at most 150 characters). */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } };
}

/** A time shown in each reader's own time zone, with the ISO form as fallback. */
export function slackDate(iso: string): string {
  const s = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${s}^{date_short_pretty} {time}|${iso}>`;
}

/** Shell-like rendering of an argv, quoting words that need it. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Who asked: a Slack mention when the request came from Slack, else the person's name. */
export function requesterText(job: Pick<JobRecord, 'requester' | 'requesterIdentity' | 'slack'>): string {
  const user = job.slack?.requesterUser ?? (job.requesterIdentity.startsWith('slack:') ? job.requesterIdentity.slice(6) : undefined);
  return user ? `<@${user}>` : esc(job.requester);
}

/** Emoji per state, so the state reads at a glance in the channel. */
export const STATE_EMOJI: Record<JobState, string> = {
  awaiting_approval: ':hourglass_flowing_sand:',
  queued: ':inbox_tray:',
  running: ':gear:',
  paused: ':double_vertical_bar:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rejected: ':no_entry_sign:',
  expired: ':alarm_clock:',
  cancelled: ':heavy_multiplication_x:',
};

/** Human form of a state. */
export function stateText(s: JobState): string {
  return s.replace('_', ' ');
}

/** "1 min 12 s" from milliseconds. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
