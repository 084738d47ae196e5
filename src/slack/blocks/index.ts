/** Block Kit messages of the Slack door, built by pure functions. */
export { errorMessage } from './error.ts';
export { helpMessage } from './help.ts';
export { statusMessage } from './status.ts';
export { checkMessage } from './check.ts';
export { planBlocks, dryRunMessage, confirmationMessage, predictionText } from './plan.ts';
export { jobMessage, type JobMessageOptions } from './job-message.ts';
export { jobsListMessage } from './jobs-list.ts';
export { rejectModal, readRejectContext, type RejectContext } from './reject-modal.ts';
export { esc, type Block, type SlackMessage } from './format.ts';
