import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startApiServer, type RunningApi } from '../../src/api/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { hasf } from '../helpers/cli.ts';
import { labDir, NO_LAB, startHarness, type Harness, type PersonName } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { labSsh } from '../helpers/lab-check.ts';
import { blocksText, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

const dir = labDir();

// The weekly operations end to end on the real lab, each requested through REST, Slack
// or the CLI, approved, run by the worker, and judged by the real tools on a node
// (crm_mon's XML, crm_attribute, crm_resource, cibadmin), never by HASF's own model.
describe('weekly operations on the lab', { skip: dir ? false : NO_LAB, timeout: 900_000 }, () => {
  let h: Harness;
  let api: RunningApi;
  let worker: RunningWorker;
  let rec: SlackRecorder;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  const ssh = (argv: string[], node = 'node1') => labSsh(dir!, node, argv);
  const crmMon = () => ssh(['crm_mon', '--output-as=xml']);
  const settle = () => ssh(['crm_resource', '--wait', '--timeout', '120s']);
  const cli = (who: PersonName, args: string[]) => hasf(args, { HASF_API_URL: api.url, HASF_TOKEN: h.tokens[who] });
  /** The raw <resource id=ID …> element of crm_mon's XML. */
  const monResource = (id: string) => new RegExp(`<resource id="${id}" [^>]*>`).exec(crmMon())?.[0] ?? '';
  const monNode = (name: string) => new RegExp(`<node name="${name}" [^>]*>`).exec(crmMon())?.[0] ?? '';

  async function rest(operation: string, params: Record<string, unknown>, who: PersonName = 'otto') {
    const res = await request(api.url).post('/v1/jobs').set(bearer(h.tokens[who])).send({ operation, params, reason: `lab test: ${operation}` });
    return { res, body: conforms('createJob', res) };
  }
  async function approveRest(id: string) {
    const res = await request(api.url).post(`/v1/jobs/${id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve', comment: 'ok' });
    conforms('decideJob', res);
  }
  async function done(id: string) {
    const job = await waitForState(h, id, ['succeeded', 'failed'], 300_000);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    return job;
  }
  /** /hasf <text> as `user`; the answer through response_url. */
  async function slash(user: string, text: string): Promise<string> {
    const id = `r${Math.random().toString(36).slice(2)}`;
    const r = await postSigned(srv.url, h.config.slack.signingSecret!, slashCommandBody({ user, text, responseUrl: rec.responseUrl(id) }));
    assert.equal(r.status, 200);
    const answer = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === id, 120_000, `the answer to /hasf ${text}`);
    return blocksText(answer.args);
  }
  const jobIdIn = (text: string) => /Job `([a-z0-9]+)`/.exec(text)?.[1];

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec) });
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    door = createSlackDoor(h.services, { log: (m) => console.error(`[slack] ${m}`) });
    await door.start();
    srv = await serveDoor(door);
    worker = await startWorker(h.services, { onError: () => undefined });
  });
  after(async () => {
    // Whatever a failed test left: the cluster back out of maintenance.
    if (dir) {
      for (const argv of [
        ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete'],
        ['crm_attribute', '--node', 'node2', '--name', 'maintenance', '--delete', '--lifetime', 'forever'],
        ['crm_resource', '--resource', 'vm2', '--meta', '--delete-parameter', 'maintenance'],
        ['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true'],
        ['crm_resource', '--resource', 'vm6', '--meta', '--delete-parameter', 'target-role'],
      ]) {
        try {
          ssh(argv);
        } catch {
          // not set
        }
      }
    }
    await worker?.close();
    await srv?.close();
    await door?.close();
    await api?.close();
    await h?.stop();
    await rec?.close();
  });

  test('cluster.maintenance through Slack, on then off: crm_attribute and crm_mon show maintenance-mode', async () => {
    const asked = await slash('UOPERAT01', 'maintenance on --reason "storage firmware"');
    const id = jobIdIn(asked);
    assert.ok(id, asked);
    assert.ok(asked.includes('crm_attribute --type crm_config --name maintenance-mode --update true'), asked);
    const approved = await slash('UAPPROV01', `approve ${id}`);
    assert.match(approved, /Approved|approved/);
    await done(id!);
    assert.match(ssh(['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--query']), /value=true/);
    assert.match(crmMon(), /<cluster_options [^>]*maintenance-mode="true"/);
    // Status shows it, and since when: the job that turned it on.
    const st = conforms('clusterStatus', await request(api.url).get('/v1/clusters/lab/status').set(bearer(h.tokens.vera)));
    const entry = st.maintenance.find((m: { kind: string }) => m.kind === 'cluster');
    assert.equal(entry.job, id);
    assert.equal(entry.by, 'otto');
    assert.ok(Date.parse(entry.since) > Date.now() - 120_000, entry.since);
    const shown = await slash('UVIEWER01', 'status');
    assert.ok(shown.includes('*Maintenance mode is on*: the cluster manages nothing — since <!date^'), shown);
    assert.ok(shown.includes(`by otto (job \`${id}\`)`), shown);

    // Again: refused before approval, nothing queued.
    const again = await rest('cluster.maintenance', { state: 'on' });
    assert.equal(again.res.status, 409);
    assert.equal(again.body.code, 'ALREADY_THERE');

    const off = await rest('cluster.maintenance', { state: 'off' });
    assert.equal(off.res.status, 202);
    await approveRest(off.body.id);
    await done(off.body.id);
    assert.match(crmMon(), /<cluster_options [^>]*maintenance-mode="false"/);
    assert.throws(() => ssh(['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--query']), 'the property is gone');
    settle();
  });

  test('node.maintenance through REST: crm_mon shows node2 in maintenance, then out', async () => {
    const on = await rest('node.maintenance', { node: 'node2', state: 'on' });
    assert.equal(on.res.status, 202, JSON.stringify(on.body));
    assert.deepEqual(on.body.plan.commands.map((c: { argv: string[] }) => c.argv.join(' ')), ['crm_attribute --node node2 --name maintenance --update on --lifetime forever']);
    await approveRest(on.body.id);
    await done(on.body.id);
    assert.match(monNode('node2'), /maintenance="true"/);
    const st = await cli('vera', ['status', 'lab']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, new RegExp(`In maintenance \\(the cluster does not manage it\\):\\n  node node2 \\(maintenance\\) since \\S+, by otto \\(job ${on.body.id}\\)`));
    const off = await rest('node.maintenance', { node: 'node2', state: 'off' });
    await approveRest(off.body.id);
    await done(off.body.id);
    assert.match(monNode('node2'), /maintenance="false"/);
    settle();
  });

  test('resource.maintenance through the CLI: meta maintenance=true, crm_mon shows vm2 unmanaged, then managed', async () => {
    const sub = await cli('otto', ['resource', 'maintenance', 'vm2', 'on', '--reason', 'guest fsck', '--json']);
    assert.equal(sub.code, 0, sub.stderr);
    const job = JSON.parse(sub.stdout) as { id: string; state: string };
    assert.equal(job.state, 'awaiting_approval');
    const ok = await cli('anna', ['approve', job.id]);
    assert.equal(ok.code, 0, ok.stderr);
    await done(job.id);
    assert.match(ssh(['crm_resource', '--resource', 'vm2', '--meta', '--get-parameter', 'maintenance']), /true/);
    assert.match(monResource('vm2'), /managed="false"/);
    // Set by hand on another resource: shown too, since unknown.
    ssh(['crm_resource', '--resource', 'vm4', '--meta', '--set-parameter', 'is-managed', '--parameter-value', 'false']);
    try {
      const st = await cli('vera', ['status', 'lab']);
      assert.match(st.stdout, new RegExp(`resource vm2 \\(maintenance\\) since \\S+, by otto \\(job ${job.id}\\)`));
      assert.match(st.stdout, /resource vm4 \(is-managed=false\) since: unknown \(set outside HASF\)/);
    } finally {
      ssh(['crm_resource', '--resource', 'vm4', '--meta', '--delete-parameter', 'is-managed']);
    }

    const off = await cli('otto', ['resource', 'maintenance', 'vm2', 'off', '--reason', 'done', '--json']);
    assert.equal(off.code, 0, off.stderr);
    const offJob = JSON.parse(off.stdout) as { id: string };
    assert.equal((await cli('anna', ['approve', offJob.id])).code, 0);
    await done(offJob.id);
    assert.match(monResource('vm2'), /managed="true"/);
    // crm_resource prints "Attribute 'maintenance' not found" on stderr, nothing on stdout.
    assert.equal(ssh(['crm_resource', '--resource', 'vm2', '--meta', '--get-parameter', 'maintenance']).trim(), '', 'the meta attribute is gone');
  });

  test('resource.stop of the shared file system clone: the plan names every VM that stops with it, before approval', async () => {
    const { res, body } = await rest('resource.stop', { resource: 'shared-fs-clone' });
    assert.equal(res.status, 202, JSON.stringify(body));
    assert.equal(body.state, 'awaiting_approval');
    const warnings = body.plan.warnings.join('\n');
    for (const vm of ['vm1', 'vm2', 'vm3', 'vm4', 'vm5', 'vm6']) {
      assert.match(warnings, new RegExp(`^${vm} \\(on node\\d\\) stops too: order-shared-fs-then-${vm} orders it after what stops\\.$`, 'm'), warnings);
    }
    assert.match(body.plan.summary, /^Stop shared-fs-clone and, with it, /);
    assert.ok(body.plan.prediction.actions.some((a: { action: string; resource: string }) => a.action === 'stop' && a.resource === 'vm1'));
    // Rejected: nothing ran, every VM still runs.
    const rej = await request(api.url).post(`/v1/jobs/${body.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'reject', comment: 'not today' });
    assert.equal(conforms('decideJob', rej).state, 'rejected');
    for (const vm of ['vm1', 'vm6']) assert.match(monResource(vm), /role="Started"/);
  });

  test('resource.stop and resource.start through Slack: target-role in the CIB, crm_mon shows vm6 Stopped, then Started', async () => {
    const asked = await slash('UOPERAT01', 'resource stop vm6 --reason "guest disk swap"');
    const id = jobIdIn(asked);
    assert.ok(id, asked);
    await slash('UAPPROV01', `approve ${id}`);
    await done(id!);
    assert.match(monResource('vm6'), /role="Stopped"/);
    assert.match(monResource('vm6'), /nodes_running_on="0"/);
    assert.match(ssh(['crm_resource', '--resource', 'vm6', '--meta', '--get-parameter', 'target-role']), /Stopped/);
    // Start needs no approval by default: it runs at once.
    const started = await slash('UOPERAT01', 'resource start vm6 --reason "disk swapped"');
    const sid = jobIdIn(started);
    assert.ok(sid, started);
    await done(sid!);
    assert.match(monResource('vm6'), /role="Started"/);
    assert.equal(ssh(['crm_resource', '--resource', 'vm6', '--meta', '--get-parameter', 'target-role']).trim(), '', 'target-role is gone');
  });

  test('resource.restart through the CLI: crm_resource --restart, vm1 started again (its last start newer than the request)', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const sub = await cli('otto', ['resource', 'restart', 'vm1', '--reason', 'guest hangs', '--json']);
    assert.equal(sub.code, 0, sub.stderr);
    const job = JSON.parse(sub.stdout) as { id: string; plan: { commands: { argv: string[] }[] } };
    assert.deepEqual(job.plan.commands.map((c) => c.argv.join(' ')), ['crm_resource --restart --resource vm1']);
    assert.equal((await cli('anna', ['approve', job.id])).code, 0);
    const follow = await cli('vera', ['job', job.id, '--follow']);
    assert.equal(follow.code, 0, follow.stdout + follow.stderr);
    assert.match(follow.stdout, /succeeded: vm1 was restarted/);
    assert.match(monResource('vm1'), /role="Started"/);
    const start = /<lrm_rsc_op id="vm1_last_0" [^>]*operation="(start|migrate_from)"[^>]*last-rc-change="(\d+)"/.exec(ssh(['cibadmin', '-Q', '-o', 'status']));
    assert.ok(start, 'vm1 last operation is a start');
    assert.ok(Number(start[2]) >= t0, `started at ${start[2]}, requested at ${t0}`);
  });

  test('with fencing disabled, disruptive operations refuse with UNSAFE_CLUSTER naming the finding', async () => {
    ssh(['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'false']);
    try {
      assert.match(crmMon(), /stonith-enabled="false"/);
      const { res, body } = await rest('resource.stop', { resource: 'vm1' });
      assert.equal(res.status, 409);
      assert.equal(body.code, 'UNSAFE_CLUSTER');
      assert.match(body.detail, /FENCING_DISABLED/);
      assert.match(body.detail, /Enable fencing again/);
    } finally {
      ssh(['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true']);
    }
  });

  test('resource.ban through the CLI with a lifetime, then resource.clear through REST: cibadmin shows the cli-ban come and go', async () => {
    const from = /<resource id="vm1" [^>]*>\s*<node name="([^"]+)"/.exec(crmMon())![1]!;
    const sub = await cli('otto', ['resource', 'ban', 'vm1', from, '--lifetime', 'PT1H', '--reason', 'node flaky', '--json']);
    assert.equal(sub.code, 0, sub.stderr);
    const job = JSON.parse(sub.stdout) as { id: string; plan: { commands: { argv: string[] }[]; summary: string } };
    assert.deepEqual(job.plan.commands.map((c) => c.argv.join(' ')), [`crm_resource --ban --resource vm1 --node ${from} --lifetime PT1H`]);
    assert.match(job.plan.summary, new RegExp(`Ban vm1 from ${from} for PT1H \\(it moves away to node\\d\\)`));
    assert.equal((await cli('anna', ['approve', job.id])).code, 0);
    await done(job.id);
    const cons = ssh(['cibadmin', '-Q', '-o', 'constraints']);
    assert.match(cons, new RegExp(`<rsc_location id="cli-ban-vm1-on-${from}" rsc="vm1"[^>]*>\\s*<rule [^>]*score="-INFINITY"`), cons);
    assert.match(cons, /<date_expression [^>]*operation="lt"/);
    const now = /<resource id="vm1" [^>]*>\s*<node name="([^"]+)"/.exec(crmMon())![1]!;
    assert.notEqual(now, from);

    const clear = await rest('resource.clear', { resource: 'vm1' });
    assert.equal(clear.res.status, 202, JSON.stringify(clear.body));
    assert.match(clear.body.plan.summary, new RegExp(`Clear move constraints of vm1: cli-ban-vm1-on-${from}; it stays on ${now}`));
    await approveRest(clear.body.id);
    await done(clear.body.id);
    assert.doesNotMatch(ssh(['cibadmin', '-Q', '-o', 'constraints']), /cli-ban-vm1-/);
    // Nothing left to clear now: refused before approval.
    const again = await rest('resource.clear', { resource: 'vm1' });
    assert.equal(again.res.status, 409);
    assert.equal(again.body.code, 'ALREADY_THERE');
  });

  test("resource.clear through Slack lifts the seed's hand-typed leftover ban of vm5", async () => {
    assert.match(ssh(['cibadmin', '-Q', '-o', 'constraints']), /id="cli-ban-vm5-on-node1"/);
    try {
      const asked = await slash('UOPERAT01', 'resource clear vm5 --reason "leftover from 2019"');
      const id = jobIdIn(asked);
      assert.ok(id, asked);
      assert.ok(asked.includes('crm_resource --clear --resource vm5'), asked);
      await slash('UAPPROV01', `approve ${id}`);
      await done(id!);
      assert.doesNotMatch(ssh(['cibadmin', '-Q', '-o', 'constraints']), /cli-ban-vm5-/);
      assert.match(monResource('vm5'), /role="Started"/);
    } finally {
      // The lab's shape, as other tests expect it: exactly what the hand-typed ban wrote.
      if (!/id="cli-ban-vm5-on-node1"/.test(ssh(['cibadmin', '-Q', '-o', 'constraints']))) ssh(['crm_resource', '--ban', '--resource', 'vm5', '--node', 'node1']);
      settle();
    }
  });
});
