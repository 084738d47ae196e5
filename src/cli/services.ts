import { createServices, type Services } from '../app/services.ts';
import type { HasfConfig } from '../config/index.ts';

/**
 * The services of an API process: with Slack enabled and a bot token, Slack user group
 * membership (for roles and approver groups) is looked up through the Web API. The Slack
 * client is loaded only then: without Slack, Bolt never enters the process.
 */
export async function createProcessServices(config: HasfConfig): Promise<Services> {
  const slack = config.slack;
  if (!(slack.enabled && slack.botToken)) return createServices(config);
  const { createSlackClient, slackGroupMembers } = await import('../slack/web-client.ts');
  return createServices(config, { groupMembers: slackGroupMembers(createSlackClient(slack)) });
}
