import type { webApi } from '@slack/bolt';
import type { Services } from '../../app/services.ts';
import type { ProgressFollower } from '../follower.ts';
import type { PostAckQueue } from '../post-ack.ts';

/** What the handlers share. */
export interface HandlerDeps {
  services: Services;
  client: webApi.WebClient;
  follower: ProgressFollower;
  /** Approvals channel from configuration; undefined: the channel the command was typed in. */
  approvalsChannel?: string;
  log: (msg: string) => void;
  /** Where the work after an ack runs (off the ack path, a few at a time). */
  afterAck: PostAckQueue;
}

/** The fields of a slash command the handlers use. */
export interface CommandInput {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
}
