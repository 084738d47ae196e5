import { webApi } from '@slack/bolt';
import type { GroupMembersLookup } from '../auth/index.ts';
import type { HasfConfig } from '../config/index.ts';

/** Slack Web API client options from configuration (apiUrl points tests at a local recorder). */
export function slackClientOptions(slack: HasfConfig['slack']): webApi.WebClientOptions {
  return {
    // WebClient joins method names onto the base URL: it must end with a slash.
    slackApiUrl: slack.apiUrl ? slack.apiUrl.replace(/\/*$/, '/') : undefined,
    // A few quick retries: a message update that waits half an hour is worse than a missed one.
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 4000 },
    timeout: 10_000,
  };
}

/**
 * A Web API client with the bot token, for callers outside the door (the CLI builds one
 * to pass group lookups to createServices).
 *
 * @example createServices(config, { groupMembers: slackGroupMembers(createSlackClient(config.slack)) })
 */
export function createSlackClient(slack: HasfConfig['slack']): webApi.WebClient {
  return new webApi.WebClient(slack.botToken, slackClientOptions(slack));
}

/**
 * Members of a Slack user group through `usergroups.users.list` (scope usergroups:read),
 * for the Directory's group cache (which caches them and shares concurrent lookups).
 */
export function slackGroupMembers(client: webApi.WebClient): GroupMembersLookup {
  return async (groupId) => {
    const r = await client.usergroups.users.list({ usergroup: groupId });
    return r.users ?? [];
  };
}
