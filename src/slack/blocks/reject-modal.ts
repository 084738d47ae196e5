import type { types } from '@slack/bolt';
import { INPUT_REASON_ACTION, INPUT_REASON_BLOCK, VIEW_REJECT } from '../ids.ts';

/** Where the modal came from, carried in private_metadata. */
export interface RejectContext {
  jobId: string;
  channel?: string;
  ts?: string;
}

/** The modal that asks an approver why they reject (views.open on the Reject button). */
export function rejectModal(ctx: RejectContext, summary: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_REJECT,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text', text: 'Reject job' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Reject job \`${ctx.jobId}\`: ${summary.slice(0, 2500)}\nOne rejection ends the request; the requester sees your reason.` } },
      {
        type: 'input',
        block_id: INPUT_REASON_BLOCK,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: INPUT_REASON_ACTION, multiline: true, min_length: 3, max_length: 500 },
      },
    ],
  };
}

/** The context back from a submitted modal (undefined when tampered or malformed). */
export function readRejectContext(privateMetadata: string | undefined): RejectContext | undefined {
  try {
    const v = JSON.parse(privateMetadata ?? '') as RejectContext;
    return typeof v.jobId === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
