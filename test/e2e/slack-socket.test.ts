import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { blocksText, slackTestConfig, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

/**
 * The only stand-in allowed: Slack's WebSocket can't be reached, so this object plays
 * the Socket Mode client. Bolt's own SocketModeReceiver registers its listener on it and
 * acks through the `ack` of each envelope, exactly as with a live connection.
 */
class FakeSocketClient extends EventEmitter {
  started = 0;
  disconnected = 0;
  async start() {
    this.started++;
    return {};
  }
  disconnect() {
    this.disconnected++;
  }
  /** Deliver one envelope; resolves with what the app acked. */
  deliver(type: string, body: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve) => {
      this.emit('slack_event', { ack: async (response?: unknown) => resolve(response ?? null), envelope_id: `env-${Date.now()}`, body, type, retry_num: 0, retry_reason: '', accepts_response_payload: true });
    });
  }
}

describe('Slack door in Socket Mode', () => {
  let rec: SlackRecorder;
  let h: Harness;
  let door: SlackDoor;
  const sock = new FakeSocketClient();

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec, { mode: 'socket', appToken: 'xapp-1-test', signingSecret: undefined }) }, { lab: false });
    door = createSlackDoor(h.services, { socketModeClient: sock, log: () => {} });
    await door.start();
  });
  after(async () => {
    await door?.close();
    await h?.stop();
    await rec?.close();
  });

  test('start() connects the socket client; mount() adds no HTTP route', () => {
    assert.equal(sock.started, 1);
    const routes: string[] = [];
    door.mount({ post: (p: string) => routes.push(p) } as never);
    assert.deepEqual(routes, []);
  });

  test('a slash command envelope reaches the same handler and is acked with the answer', async () => {
    const acked = (await sock.deliver('slash_commands', { command: '/hasf', text: 'help fence', user_id: 'UOPERAT01', channel_id: 'COPS00001', response_url: rec.responseUrl(), trigger_id: 't' })) as any;
    assert.equal(acked.response_type, 'ephemeral');
    assert.match(blocksText(acked), /\/hasf fence &lt;node&gt; \[--off\]/);
  });

  test('work after the ack goes to response_url, as in HTTP mode', async () => {
    const url = rec.responseUrl('sock-jobs');
    const acked = (await sock.deliver('slash_commands', { command: '/hasf', text: 'jobs mine', user_id: 'UOPERAT01', channel_id: 'COPS00001', response_url: url, trigger_id: 't' })) as any;
    assert.match(blocksText(acked), /Working on/);
    const call = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'sock-jobs', 5000);
    assert.match(blocksText(call.args), /Your jobs\*: none/);
  });

  test('a button press envelope reaches the approve handler; refusals go to chat.postEphemeral', async () => {
    const acked = await sock.deliver('interactive', {
      type: 'block_actions',
      user: { id: 'UAPPROV02', team_id: 'T0TEAM001' },
      team: { id: 'T0TEAM001' },
      channel: { id: 'CAPPROVALS' },
      container: { type: 'message', channel_id: 'CAPPROVALS', message_ts: '1.1' },
      message: { ts: '1.1', text: 'x' },
      trigger_id: 't',
      response_url: rec.responseUrl(),
      actions: [{ action_id: 'hasf_approve', block_id: 'hasf_decide', value: 'j000000000ab', type: 'button', action_ts: '1' }],
    });
    assert.equal(acked, null);
    const call = await rec.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'UAPPROV02', 5000);
    assert.match(blocksText(call.args), /NOT_FOUND/);
  });

  test('close() disconnects', async () => {
    await door.close();
    assert.equal(sock.disconnected, 1);
  });
});
