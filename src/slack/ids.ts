/** The slash command the app registers (the manifest declares the same). */
export const SLASH_COMMAND = '/hasf';
/** action_id of the Approve button. */
export const ACTION_APPROVE = 'hasf_approve';
/** action_id of the Reject button (opens the reason modal). */
export const ACTION_REJECT = 'hasf_reject';
/** block_id of the buttons' actions block. */
export const BLOCK_DECIDE = 'hasf_decide';
/** callback_id of the reject-reason modal. */
export const VIEW_REJECT = 'hasf_reject_modal';
/** block_id / action_id of the modal's reason input. */
export const INPUT_REASON_BLOCK = 'reason';
export const INPUT_REASON_ACTION = 'reason_input';
/** action_ids of a rolling job's Pause / Resume / Abort buttons (value: the job id). */
export const ACTION_PAUSE = 'hasf_pause';
export const ACTION_RESUME = 'hasf_resume';
export const ACTION_ABORT = 'hasf_abort';
/** block_id of those buttons' actions block. */
export const BLOCK_CONTROL = 'hasf_control';
