import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServices } from '../../src/app/services.ts';
import { configSchema } from '../../src/config/index.ts';
import { createSlackClient, createSlackDoor, slackGroupMembers, type SlackDoor } from '../../src/slack/index.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { blocksText, buttonPressBody, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

// The HTTP receiver end to end without a cluster: requests exactly as Slack sends them,
// the Web API pointed at a local recorder. Everything that needs a cluster is in slack-lab.
describe('Slack door over HTTP (no cluster)', () => {
  let rec: SlackRecorder;
  let h: Harness;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  let secret: string;

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec) }, { lab: false });
    secret = h.config.slack.signingSecret!;
    door = createSlackDoor(h.services, { log: () => {} });
    await door.start();
    srv = await serveDoor(door);
  });
  after(async () => {
    await srv?.close();
    await door?.close();
    await h?.stop();
    await rec?.close();
  });

  const slash = (user: string, text: string, o: { ts?: number; signature?: string } = {}) =>
    postSigned(srv.url, secret, slashCommandBody({ user, text, responseUrl: rec.responseUrl() }), o);

  test('/hasf help is answered in the ack itself, from the catalogue', async () => {
    const r = await slash('UVIEWER01', 'help');
    assert.equal(r.status, 200);
    assert.equal(r.body.response_type, 'ephemeral');
    const t = blocksText(r.body);
    for (const w of ['migrate', 'standby', 'online', 'fence', 'lun add', 'cleanup', 'status', 'approve']) assert.ok(t.includes(`/hasf ${w}`), w);
  });

  // What a request made the door do at Slack (the door's one background auth.test aside).
  const work = () => rec.calls.filter((c) => c.method !== 'auth.test').length;

  test('a bad signature is refused with 401 and runs nothing', async () => {
    const before = work();
    const r = await slash('UOPERAT01', 'help', { signature: 'v0=' + '0'.repeat(64) });
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'UNAUTHENTICATED');
    const body = slashCommandBody({ user: 'UOPERAT01', text: 'help', responseUrl: rec.responseUrl() });
    // Signed for one body, sent with another.
    const ts = Math.floor(Date.now() / 1000);
    const { signSlackRequest } = await import('../../src/slack/index.ts');
    const r2 = await postSigned(srv.url, secret, body.replace('help', 'jobs'), { ts, signature: signSlackRequest(secret, ts, body) });
    assert.equal(r2.status, 401);
    // Signed with another secret.
    const r3 = await postSigned(srv.url, 'not-the-secret', body);
    assert.equal(r3.status, 401);
    assert.equal(work(), before);
  });

  test('timestamps more than five minutes off either way are refused; within, accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Margins of half a minute: on a loaded machine the request may arrive seconds later.
    assert.equal((await slash('UVIEWER01', 'help', { ts: now - 330 })).status, 401);
    assert.equal((await slash('UVIEWER01', 'help', { ts: now + 330 })).status, 401);
    assert.equal((await slash('UVIEWER01', 'help', { ts: now - 3600 })).status, 401);
    assert.equal((await slash('UVIEWER01', 'help', { ts: now - 200 })).status, 200);
    assert.equal((await slash('UVIEWER01', 'help', { ts: now + 200 })).status, 200);
  });

  test('the same signed request sent twice (within the 5 minutes) is handled once, also by another replica', async () => {
    const url = rec.responseUrl('replay-1');
    const body = slashCommandBody({ user: 'UVIEWER01', text: 'jobs pending', responseUrl: url });
    const ts = Math.floor(Date.now() / 1000);
    const first = await postSigned(srv.url, secret, body, { ts });
    assert.equal(first.status, 200);
    assert.match(blocksText(first.body), /Working on/);
    await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'replay-1', 5000, 'the first answer');
    // Replayed, to this replica and to a second one sharing the Redis.
    const again = await postSigned(srv.url, secret, body, { ts });
    assert.deepEqual([again.status, again.body], [200, '']);
    const door2 = createSlackDoor(h.services, { log: () => {} });
    await door2.start();
    const srv2 = await serveDoor(door2);
    try {
      const other = await postSigned(srv2.url, secret, body, { ts });
      assert.deepEqual([other.status, other.body], [200, '']);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(rec.calls.filter((c) => c.method === 'response_url' && c.args.id === 'replay-1').length, 1, 'handled once');
    } finally {
      await srv2.close();
      await door2.close();
    }
  });

  test('a typo gets "did you mean" and its code in the ack', async () => {
    const r = await slash('UOPERAT01', 'migrat vm1 node2');
    assert.equal(r.status, 200);
    const t = blocksText(r.body);
    assert.ok(t.includes('did you mean /hasf migrate'), t);
    assert.ok(t.includes('`UNKNOWN_OPERATION`'));
    const r2 = await slash('UOPERAT01', 'migrate vm1');
    assert.ok(blocksText(r2.body).includes('Missing &lt;node&gt;'), blocksText(r2.body));
    assert.ok(blocksText(r2.body).includes('`INVALID_INPUT`'));
  });

  test('work after the ack answers through response_url, replacing the "working" note', async () => {
    const url = rec.responseUrl('jobs-1');
    const r = await postSigned(srv.url, secret, slashCommandBody({ user: 'UVIEWER01', text: 'jobs pending', responseUrl: url }));
    assert.equal(r.status, 200);
    assert.match(blocksText(r.body), /Working on/);
    const call = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'jobs-1', 5000, 'the response_url post');
    assert.equal(call.args.response_type, 'ephemeral');
    assert.equal(call.args.replace_original, true);
    assert.match(blocksText(call.args), /Jobs awaiting approval\*: none/);
  });

  test('acks never wait on Slack: twenty commands at once are all answered, and none calls auth.test', async () => {
    // Bolt alone would call auth.test before every event (a round trip to Slack in each ack);
    // the door asked once, at start.
    const before = rec.of('auth.test').length;
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    const acks = await Promise.all(ids.map((id) => postSigned(srv.url, secret, slashCommandBody({ user: 'UVIEWER01', text: 'jobs pending', responseUrl: rec.responseUrl(id) }))));
    for (const a of acks) assert.match(blocksText(a.body), /Working on/);
    for (const id of ids) await rec.waitFor((c) => c.method === 'response_url' && c.args.id === id, 10_000, `the answer of ${id}`);
    assert.equal(rec.of('auth.test').length, before);
  });

  test('a Slack user HASF does not know is refused with UNAUTHENTICATED and told how to fix it', async () => {
    const url = rec.responseUrl('who');
    await postSigned(srv.url, secret, slashCommandBody({ user: 'UNOBODY99', text: 'status', responseUrl: url }));
    const call = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'who', 5000);
    const t = blocksText(call.args);
    assert.ok(t.includes('`UNAUTHENTICATED`'));
    assert.ok(t.includes('ask an admin to add you'));
  });

  test('a viewer may look but not request: FORBIDDEN with the reason', async () => {
    const url = rec.responseUrl('vera');
    await postSigned(srv.url, secret, slashCommandBody({ user: 'UVIEWER01', text: 'standby node2 --reason "patching"', responseUrl: url }));
    const call = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'vera', 5000);
    assert.match(blocksText(call.args), /lacks the "request" permission[\s\S]*`FORBIDDEN`/);
  });

  test('a button press on an unknown job is answered to the presser only (chat.postEphemeral)', async () => {
    const body = buttonPressBody({ user: 'UAPPROV01', actionId: 'hasf_approve', value: 'jzzzzzzzzzzz', channel: 'CAPPROVALS', ts: '1.000001', responseUrl: rec.responseUrl() });
    const r = await postSigned(srv.url, secret, body);
    assert.equal(r.status, 200);
    assert.ok(r.ms < 1000);
    const call = await rec.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'UAPPROV01', 5000);
    assert.equal(call.args.channel, 'CAPPROVALS');
    assert.match(blocksText(call.args), /`NOT_FOUND`/);
  });

  test('Slack user groups map to roles through usergroups.users.list (cached)', async () => {
    rec.groups.S0OPSTEAM = ['UGROUP001'];
    const cfg = configSchema.parse({ ...h.config, slackUserGroups: [{ id: 'S0OPSTEAM', roles: ['viewer'] }] });
    const services = createServices(cfg, { groupMembers: slackGroupMembers(createSlackClient(cfg.slack)) });
    try {
      const before = rec.of('usergroups.users.list').length;
      const p = await services.auth.fromSlack('UGROUP001');
      assert.deepEqual(p.person.roles, ['viewer']);
      await services.auth.fromSlack('UGROUP001');
      await assert.rejects(services.auth.fromSlack('UOTHER999'), (e: any) => e.code === 'UNAUTHENTICATED');
      const calls = rec.of('usergroups.users.list').slice(before);
      assert.equal(calls.length, 1, 'one lookup, then the cache');
      assert.equal(calls[0]!.args.usergroup, 'S0OPSTEAM');
      assert.equal(calls[0]!.auth, 'Bearer xoxb-test-token');
    } finally {
      await services.close();
    }
  });

  test('configuration errors name the key', () => {
    const bad = { ...h.services, config: { ...h.config, slack: { ...h.config.slack, signingSecret: undefined } } };
    assert.throws(() => createSlackDoor(bad as never), (e: any) => e.code === 'CONFIG_INVALID' && /slack\.signingSecret/.test(e.message));
    const sock = { ...h.services, config: { ...h.config, slack: { ...h.config.slack, mode: 'socket' as const } } };
    assert.throws(() => createSlackDoor(sock as never), (e: any) => e.code === 'CONFIG_INVALID' && /slack\.appToken/.test(e.message));
  });
});
