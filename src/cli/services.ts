import { createServices, type Services } from '../app/services.ts';
import type { HasfConfig } from '../config/index.ts';
import { createSlackClient, slackGroupMembers } from '../slack/index.ts';

/**
 * The services of an API process: with Slack enabled and a bot token, Slack user group
 * membership (for roles and approver groups) is looked up through the Web API.
 */
export function createProcessServices(config: HasfConfig): Services {
  const slack = config.slack;
  const groupMembers = slack.enabled && slack.botToken ? slackGroupMembers(createSlackClient(slack)) : undefined;
  return createServices(config, { groupMembers });
}
