import type { App, BlockButtonAction, ViewSubmitAction } from '@slack/bolt';
import { errorMessage, helpMessage } from '../blocks/index.ts';
import { ACTION_ABORT, ACTION_APPROVE, ACTION_PAUSE, ACTION_REJECT, ACTION_RESUME, INPUT_REASON_ACTION, INPUT_REASON_BLOCK, SLASH_COMMAND, VIEW_REJECT } from '../ids.ts';
import { parseCommand, type SlackCommand } from '../parse-command.ts';
import { runCommand, workingMessage } from './command.ts';
import { onApprovePress, onControlPress, onRejectPress, onRejectSubmit, type ButtonPress } from './decide.ts';
import type { HandlerDeps } from './deps.ts';

function pressOf(body: BlockButtonAction): ButtonPress {
  const action = body.actions[0]!;
  return {
    userId: body.user.id,
    jobId: action.value ?? '',
    channel: body.channel?.id ?? body.container?.channel_id,
    ts: body.message?.ts ?? body.container?.message_ts,
    triggerId: body.trigger_id,
    responseUrl: body.response_url,
  };
}

/**
 * Register every handler on a Bolt app — the same ones in HTTP and Socket Mode. Each acks
 * first (a pure parse at most), then hands its work to d.afterAck, which answers through
 * response_url or the Web API off the ack path.
 */
export function registerHandlers(app: App, d: HandlerDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    let cmd: SlackCommand;
    try {
      cmd = parseCommand(command.text ?? '');
    } catch (err) {
      await ack({ response_type: 'ephemeral', ...errorMessage(err) });
      return;
    }
    if (cmd.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...helpMessage(cmd.topic) });
      return;
    }
    await ack({ response_type: 'ephemeral', ...workingMessage(cmd, command.text ?? '') });
    d.afterAck.run(async () => {
      const answer = await runCommand(d, cmd, command);
      await respond({ response_type: 'ephemeral', replace_original: true, ...answer }).catch((err) => d.log(`response_url post failed: ${(err as Error).message}`));
    });
  });

  app.action<BlockButtonAction>(ACTION_APPROVE, async ({ ack, body }) => {
    await ack();
    const press = pressOf(body);
    d.afterAck.run(() => onApprovePress(d, press));
  });

  app.action<BlockButtonAction>(ACTION_REJECT, async ({ ack, body }) => {
    await ack();
    const press = pressOf(body);
    d.afterAck.run(() => onRejectPress(d, press));
  });

  for (const [id, action] of [[ACTION_PAUSE, 'pause'], [ACTION_RESUME, 'resume'], [ACTION_ABORT, 'abort']] as const) {
    app.action<BlockButtonAction>(id, async ({ ack, body }) => {
      await ack();
      const press = pressOf(body);
      d.afterAck.run(() => onControlPress(d, press, action));
    });
  }

  app.view<ViewSubmitAction>(VIEW_REJECT, async ({ ack, body, view }) => {
    const reason = view.state.values[INPUT_REASON_BLOCK]?.[INPUT_REASON_ACTION]?.value ?? '';
    if (reason.trim().length < 3) {
      await ack({ response_action: 'errors', errors: { [INPUT_REASON_BLOCK]: 'Say why, in a few words: the requester sees it.' } });
      return;
    }
    const answer = await onRejectSubmit(d, body.user.id, view.private_metadata, reason);
    if ('error' in answer) await ack({ response_action: 'errors', errors: { [INPUT_REASON_BLOCK]: answer.error } });
    else await ack();
  });
}
