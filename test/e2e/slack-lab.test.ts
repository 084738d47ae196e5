import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { blocksText, buttonPressBody, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, viewSubmissionBody, type RecordedCall, type SlackRecorder } from '../helpers/slack.ts';

const dir = labDir();

// The whole Slack flow on the real 3-node lab: requests exactly as Slack sends them,
// the Web API at a local recorder, a worker in-process running the job on the cluster.
describe('Slack door on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  let rec: SlackRecorder;
  let h: Harness;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  let secret: string;

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec) });
    secret = h.config.slack.signingSecret!;
    door = createSlackDoor(h.services, { log: (m) => console.error(`[slack] ${m}`) });
    await door.start();
    srv = await serveDoor(door);
  });
  after(async () => {
    await srv?.close();
    await door?.close();
    await h?.stop();
    await rec?.close();
  });

  /** Send /hasf <text> as `user`; resolve with the ack and the later response_url answer. */
  async function slash(user: string, text: string): Promise<{ ack: any; answer: RecordedCall }> {
    const id = `r${Math.random().toString(36).slice(2)}`;
    const r = await postSigned(srv.url, secret, slashCommandBody({ user, text, responseUrl: rec.responseUrl(id) }));
    assert.equal(r.status, 200);
    assert.ok(r.ms < 1000, `ack took ${r.ms} ms`);
    const answer = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === id, 60_000, `the answer to /hasf ${text}`);
    return { ack: r.body, answer };
  }
  const press = (user: string, actionId: string, jobId: string, ts: string) =>
    postSigned(srv.url, secret, buttonPressBody({ user, actionId, value: jobId, channel: 'CAPPROVALS', ts, responseUrl: rec.responseUrl() }));
  const ephemeralFor = (user: string, since: number) => rec.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === user && c.at >= since, 10_000, `an ephemeral to ${user}`);
  const updatesOf = (ts: string) => rec.of('chat.update').filter((c) => c.args.ts === ts);

  test('/hasf status shows nodes and resources of the lab', async () => {
    const { answer } = await slash('UVIEWER01', 'status');
    const t = blocksText(answer.args);
    for (const w of ['Cluster lab', 'node1', 'node2', 'node3', 'vm1', 'vm6', 'quorum: yes']) assert.ok(t.includes(w), w);
  });

  test('an unknown VM is refused with the closest names and the code', async () => {
    const { answer } = await slash('UOPERAT01', 'migrate vm7 node2 --reason test');
    const t = blocksText(answer.args);
    assert.ok(t.includes('`UNKNOWN_OBJECT`'), t);
    assert.ok(/vm\d/.test(t.replace('vm7', '')), t);
  });

  test('--dry-run shows the plan and the predicted transition and creates no job', async () => {
    const st = await h.services.access.pacemaker('lab').status();
    const vm1 = st.resources.find((r) => r.id === 'vm1')!;
    const to = st.nodes.find((n) => n.online && !n.standby && !vm1.nodes.includes(n.name))!.name;
    const { answer } = await slash('UOPERAT01', `migrate vm1 ${to} --dry-run --reason "try it"`);
    const t = blocksText(answer.args);
    assert.ok(t.includes('Dry run'), t);
    assert.ok(t.includes(`crm_resource --move --resource vm1 --node ${to}`) || t.includes('crm_resource'), t);
    assert.match(t, new RegExp(`vm1: (migrate|move) \\S+ → ${to}`));
    assert.equal((await h.services.jobs.list({})).jobs.length, 0);
  });

  test('reject through the modal: views.open, then view_submission with the reason', async () => {
    const { answer } = await slash('UOPERAT01', 'standby node2 --reason "patch window" --ticket CHG0007');
    const job = (await h.services.jobs.list({ requester: 'otto' })).jobs[0]!;
    assert.match(blocksText(answer.args), new RegExp(`Job \`${job.id}\``));
    const post = await rec.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'CAPPROVALS' && blocksText(c.args).includes(job.id), 10_000);
    const ts = (await h.services.store.get(job.id))!.slack!.ts!;
    // The requester can't reject through the button: told why, no modal.
    const since = Date.now();
    await press('UOPERAT01', 'hasf_reject', job.id, ts);
    assert.match(blocksText((await ephemeralFor('UOPERAT01', since)).args), /FORBIDDEN/);
    assert.equal(rec.of('views.open').length, 0);
    // An approver gets the modal.
    await press('UAPPROV01', 'hasf_reject', job.id, ts);
    const open = await rec.waitFor((c) => c.method === 'views.open', 10_000);
    assert.ok(open.args.trigger_id);
    assert.equal(open.args.view.callback_id, 'hasf_reject_modal');
    // The requester submitting the modal (say, a copy) is refused inside the modal.
    const self = await postSigned(srv.url, secret, viewSubmissionBody({ user: 'UOPERAT01', callbackId: 'hasf_reject_modal', privateMetadata: open.args.view.private_metadata, reason: 'mine anyway' }));
    assert.equal(self.body.response_action, 'errors');
    assert.match(self.body.errors.reason, /FORBIDDEN/);
    const sub = await postSigned(srv.url, secret, viewSubmissionBody({ user: 'UAPPROV01', callbackId: 'hasf_reject_modal', privateMetadata: open.args.view.private_metadata, reason: 'not during the sale' }));
    assert.equal(sub.status, 200);
    assert.equal(sub.body, '');
    await waitForState(h, job.id, ['rejected'], 10_000);
    const upd = await rec.waitFor((c) => c.method === 'chat.update' && c.args.ts === ts && /Rejected\* by anna: “not during the sale”/.test(blocksText(c.args)), 10_000, 'the rejected update');
    assert.ok(!upd.args.blocks.some((b: any) => b.type === 'actions'));
    await rec.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /<@UOPERAT01>.*rejected by anna/.test(c.args.text), 10_000, 'the thread note');
    assert.equal(post.args.channel, 'CAPPROVALS');
  });

  test('/hasf fence node3: approvals message, own press refused, two approvals, runs on the lab, steps then succeeded', async () => {
    let worker: RunningWorker | undefined;
    try {
      const { ack, answer } = await slash('UOPERAT01', 'fence node3 --reason "node3 hangs on NFS" --ticket CHG0042');
      assert.match(blocksText(ack), /Checking and planning/);
      const conf = blocksText(answer.args);
      assert.ok(conf.includes('needs 2 approval(s), requested in <#CAPPROVALS>'), conf);
      assert.ok(conf.includes('stonith_admin'), conf);
      const job = (await h.services.jobs.list({ operation: 'node.fence' })).jobs[0]!;
      assert.equal(job.state, 'awaiting_approval');

      // The approvals message: everything an approver needs, and the buttons.
      const post = await rec.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'CAPPROVALS' && blocksText(c.args).includes(job.id), 10_000);
      const pt = blocksText(post.args);
      for (const w of ['node.fence', 'node3', '<@UOPERAT01>', 'node3 hangs on NFS', 'CHG0042', 'stonith_admin', 'fence (reboot) node3', '0 of 2', '<!date^']) assert.ok(pt.includes(w), `approval message lacks ${w}`);
      const buttons = post.args.blocks.find((b: any) => b.type === 'actions');
      assert.deepEqual(buttons.elements.map((e: any) => e.action_id), ['hasf_approve', 'hasf_reject']);
      const ts = (await h.services.store.get(job.id))!.slack!.ts!;

      // otto presses his own Approve: refused, to him only.
      let since = Date.now();
      assert.equal((await press('UOPERAT01', 'hasf_approve', job.id, ts)).status, 200);
      assert.match(blocksText((await ephemeralFor('UOPERAT01', since)).args), /`FORBIDDEN`/);
      // vera (viewer) too.
      since = Date.now();
      await press('UVIEWER01', 'hasf_approve', job.id, ts);
      assert.match(blocksText((await ephemeralFor('UVIEWER01', since)).args), /`FORBIDDEN`/);

      worker = await startWorker(h.services, { onError: () => {} });
      since = Date.now();
      await press('UAPPROV01', 'hasf_approve', job.id, ts);
      assert.match(blocksText((await ephemeralFor('UAPPROV01', since)).args), /counts: 1 of 2/);
      await rec.waitFor((c) => c.method === 'chat.update' && c.args.ts === ts && blocksText(c.args).includes('1 of 2: anna'), 10_000, 'the update with anna');
      // anna again: each person counts once.
      since = Date.now();
      await press('UAPPROV01', 'hasf_approve', job.id, ts);
      assert.match(blocksText((await ephemeralFor('UAPPROV01', since)).args), /ALREADY_DECIDED/);
      await press('UAPPROV02', 'hasf_approve', job.id, ts);

      const done = await waitForState(h, job.id, ['succeeded', 'failed'], 300_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      const final = await rec.waitFor((c) => c.method === 'chat.update' && c.args.ts === ts && blocksText(c.args).includes('*Succeeded*'), 20_000, 'the succeeded update');
      const ft = blocksText(final.args);
      assert.ok(ft.includes('2 of 2: anna, bert'), ft);
      assert.match(ft, /\*Succeeded\* in \d+/);
      assert.ok(ft.includes('stonith_admin'), 'the step log shows the fence command');
      assert.ok(!final.args.blocks.some((b: any) => b.type === 'actions'), 'no buttons once decided');
      // The message was updated as the job ran: running with steps before the result.
      const ups = updatesOf(ts).map((c) => blocksText(c.args));
      assert.ok(ups.some((t) => t.includes(':gear: running') && t.includes('*Progress*')), 'a running update with progress');
      // The requester is told in the thread: approved, then the result.
      await rec.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /<@UOPERAT01>.*approved \(anna, bert\)/.test(c.args.text), 10_000, 'the approved note');
      await rec.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /<@UOPERAT01> :white_check_mark: job `\w+` succeeded in/.test(c.args.text), 10_000, 'the result note');
    } finally {
      await worker?.close();
    }
  });
});
