import type { webApi } from '@slack/bolt';
import type { Services } from '../app/services.ts';
import type { JobRecord } from '../jobs/types.ts';
import { duration, requesterText } from './blocks/format.ts';

/** The thread reply that tells the requester, per state worth telling; undefined for others. Pure. */
export function noteFor(job: JobRecord): string | undefined {
  const who = requesterText(job);
  const took = job.startedAt && job.finishedAt ? ` in ${duration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
  switch (job.state) {
    case 'queued':
      return job.approvalsRequired > 0 ? `${who} job \`${job.id}\` is approved (${job.approvals.filter((a) => a.decision === 'approve').map((a) => a.person).join(', ')}) and queued.` : undefined;
    case 'succeeded':
      return `${who} :white_check_mark: job \`${job.id}\` succeeded${took}: ${job.result?.summary ?? 'done'}`;
    case 'failed':
      return `${who} :x: job \`${job.id}\` failed${took}: ${job.error?.message ?? 'unknown error'}${job.error ? ` (${job.error.code})` : ''}`;
    case 'rejected': {
      const r = job.approvals.find((a) => a.decision === 'reject');
      return `${who} :no_entry_sign: job \`${job.id}\` was rejected${r ? ` by ${r.person}${r.comment ? `: “${r.comment}”` : ''}` : ''}. Nothing was run.`;
    }
    case 'expired':
      return `${who} :alarm_clock: job \`${job.id}\` expired without enough approvals. Nothing was run.`;
    case 'cancelled':
      return `${who} job \`${job.id}\` was cancelled. Nothing was run.`;
    default:
      return undefined;
  }
}

/**
 * Tell the requester in the message's thread, once per job and state (a Redis claim, so
 * several API replicas following the same events don't repeat it).
 */
export async function threadNote(d: { services: Services; client: webApi.WebClient }, job: JobRecord): Promise<void> {
  const text = noteFor(job);
  if (!text || !job.slack?.ts || !job.slack.channel) return;
  const key = `${d.services.config.redis.prefix}:slack:told:${job.id}:${job.state}`;
  if (!(await d.services.redis.set(key, '1', 'EX', 30 * 86400, 'NX'))) return;
  await d.client.chat.postMessage({ channel: job.slack.channel, thread_ts: job.slack.ts, text, unfurl_links: false });
}
