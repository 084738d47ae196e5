import type { webApi } from '@slack/bolt';
import type { Services } from '../app/services.ts';
import type { JobRecord } from '../jobs/types.ts';
import { jobMessage } from './blocks/index.ts';
import { jobPageUrl } from '../jobs/links.ts';

/** What posting needs. */
export interface AnnounceDeps {
  services: Services;
  client: webApi.WebClient;
  log: (msg: string) => void;
}

/** Where the message goes and who to tell in its thread. */
export interface AnnounceTarget {
  channel: string;
  requesterUser?: string;
  responseUrl?: string;
}

/** Redis key that makes one API replica (and one code path) the poster of a job's message. */
export const announcedKey = (prefix: string, jobId: string) => `${prefix}:slack:announced:${jobId}`;

/**
 * Post a job's message (approval request with buttons, break-glass banner, or progress)
 * and remember where it is so every later change updates it in place. Posts at most once
 * per job, whichever replica gets there first. Returns the message's place.
 */
export async function announceJob(d: AnnounceDeps, job: JobRecord, to: AnnounceTarget): Promise<{ channel: string; ts: string } | undefined> {
  const s = d.services;
  const claimed = await s.redis.set(announcedKey(s.config.redis.prefix, job.id), '1', 'EX', 30 * 86400, 'NX');
  if (!claimed) return undefined;
  const msg = jobMessage(job, { pageUrl: jobPageUrl(s.config.api.publicUrl, job.id) });
  const res = await d.client.chat.postMessage({ channel: to.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false });
  const place = { channel: res.channel ?? to.channel, ts: String(res.ts ?? '') };
  await s.store.patch(job.id, { slack: { channel: place.channel, ts: place.ts, requesterUser: to.requesterUser, responseUrl: to.responseUrl } });
  return place;
}
