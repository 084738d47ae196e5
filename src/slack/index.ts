/**
 * The Slack door: `/hasf` slash commands, approval buttons and the reject modal, in HTTP
 * or Socket Mode, with messages kept current from job events. It only calls the job
 * service; it never touches a cluster itself.
 */
export { createSlackDoor, type SlackDoor, type SlackDoorOptions } from './door.ts';
export { createSlackClient, slackGroupMembers, slackClientOptions } from './web-client.ts';
export { parseCommand, parseSizeMiB, type SlackCommand, type RequestCommand } from './parse-command.ts';
export { tokenize, type Token } from './tokenize.ts';
export { OPERATION_COMMANDS, OTHER_COMMANDS } from './command-spec.ts';
export { verifySlackSignature, signSlackRequest, MAX_SKEW_SECONDS } from './receivers/index.ts';
export * as blocks from './blocks/index.ts';
export { SLASH_COMMAND, ACTION_APPROVE, ACTION_REJECT, VIEW_REJECT } from './ids.ts';
