import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startApiServer } from '../../src/api/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { startCallbackNotifier } from '../../src/callbacks/index.ts';
import { flattenResources } from '../../src/cluster/index.ts';
import { LAB_FENCE_PASSWD, labPower } from '../../src/lab/index.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { startReceiver } from '../helpers/callback-receiver.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { labSsh } from '../helpers/lab-check.ts';
import { postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';
import { iscsiLs } from '../helpers/tgtd.ts';

const dir = labDir();
const SECRET = 'lab-security-callback-secret';

// The outside review's findings on the real lab: the fence device's password reaches no
// viewer, lun.add exports only what it may, and a CHAP account survives HASF's rewrite of
// the tgt configuration and a restart of the storage node.
describe('security on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let worker: RunningWorker;
  let notifier: Awaited<ReturnType<typeof startCallbackNotifier>>;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let rec: SlackRecorder;
  let door: SlackDoor;
  let slack: { url: string; close(): Promise<void> };
  let luns: string;
  let portal: string;
  let iqn: string;

  before(async () => {
    rec = await startSlackRecorder();
    rx = await startReceiver(SECRET);
    h = await startHarness({ slack: slackTestConfig(rec), callbacks: { allowedHosts: ['127.0.0.1'], allowHttp: true, secret: SECRET } });
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    notifier = await startCallbackNotifier(h.services, { baseDelayMs: 200, pollMs: 200, onError: () => undefined });
    worker = await startWorker(h.services, { onError: () => undefined });
    door = createSlackDoor(h.services, { log: () => {} });
    await door.start();
    slack = await serveDoor(door);
    const store = h.config.storage[0]!;
    luns = store.backingDir;
    portal = store.portal!;
    iqn = store.iqn;
  });
  after(async () => {
    await slack?.close();
    await door?.close();
    await worker?.close();
    await notifier?.close();
    await api?.close();
    await rx?.close();
    await h?.stop();
    await rec?.close();
  });

  const post = (path: string, token: string, body: object) => request(api.url).post(path).set(bearer(token)).send(body);
  const get = (path: string, accept = 'application/json') => request(api.url).get(path).set(bearer(h.tokens.vera)).set('Accept', accept);

  async function migration(): Promise<{ vm: string; to: string }> {
    const st = await h.services.access.pacemaker('lab').status();
    const vm = flattenResources(st.resources).find((r) => /^vm\d$/.test(r.id) && r.nodes.length === 1)!;
    const to = st.nodes.find((n) => n.online && !n.standby && !vm.nodes.includes(n.name))!.name;
    return { vm: vm.id, to };
  }

  test("the fence device's passwd reaches no viewer: steps, audit API and file, exports, Slack, callbacks, status", async () => {
    // It really is in the live CIB the jobs read.
    assert.ok(labSsh(dir!, 'node1', ['cibadmin', '-Q']).includes(LAB_FENCE_PASSWD));

    // A dry run (the API reads and copies the CIB), a REST job with a callback, and a
    // Slack request; all run by the worker on the lab.
    const m1 = await migration();
    const dry = await post('/v1/jobs', h.tokens.otto, { operation: 'vm.migrate', params: { vm: m1.vm, node: m1.to }, reason: 'secrets: dry', dryRun: true });
    assert.equal(dry.status, 200, dry.text);
    const job = conforms('createJob', await post('/v1/jobs', h.tokens.otto, { operation: 'vm.migrate', params: { vm: m1.vm, node: m1.to }, reason: 'secrets: rest', callbackUrl: rx.url }));
    conforms('decideJob', await post(`/v1/jobs/${job.id}/approvals`, h.tokens.anna, { decision: 'approve' }));
    assert.equal((await waitForState(h, job.id, ['succeeded', 'failed'], 240_000)).state, 'succeeded');
    const m2 = await migration();
    const r = await postSigned(slack.url, h.config.slack.signingSecret!, slashCommandBody({ user: 'UOPERAT01', text: `migrate ${m2.vm} ${m2.to} --reason "secrets: slack"`, responseUrl: rec.responseUrl('sec') }));
    assert.equal(r.status, 200);
    await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'sec', 60_000);
    const viaSlack = (await h.services.jobs.list({ requester: 'otto', limit: 5 })).jobs.find((j) => j.reason === 'secrets: slack')!;
    conforms('decideJob', await post(`/v1/jobs/${viaSlack.id}/approvals`, h.tokens.bert, { decision: 'approve' }));
    assert.equal((await waitForState(h, viaSlack.id, ['succeeded', 'failed'], 240_000)).state, 'succeeded');
    await rx.until((g) => g.some((x) => x.json.jobId === job.id && x.json.state === 'succeeded'));
    await rec.waitFor((c) => c.method === 'chat.update' && JSON.stringify(c.args).includes(viaSlack.id) && /succeeded/i.test(JSON.stringify(c.args)), 30_000);

    // Everything a viewer can read, and what the operators keep.
    const jobView = conforms('getJob', await get(`/v1/jobs/${job.id}`));
    const slackView = conforms('getJob', await get(`/v1/jobs/${viaSlack.id}`));
    const seen: Record<string, string> = {
      steps: JSON.stringify([jobView, slackView]),
      jobs: (await get('/v1/jobs')).text,
      audit: (await get('/v1/audit?limit=1000')).text,
      ndjson: (await get('/v1/audit', 'application/x-ndjson')).text,
      csv: (await get('/v1/audit', 'text/csv')).text,
      status: (await get('/v1/clusters/lab/status')).text,
      auditFile: readFileSync(h.config.audit.file!, 'utf8'),
      slack: JSON.stringify(rec.calls),
      callbacks: JSON.stringify(rx.got.map((g) => g.body)),
    };
    for (const [where, text] of Object.entries(seen)) assert.ok(!text.includes(LAB_FENCE_PASSWD), `the fence password is in ${where}`);
    // Not vacuous: the CIB was read in steps and audited commands, and dropped there.
    const cibSteps = jobView.steps.filter((s: { argv: string[] }) => s.argv[0] === 'cibadmin');
    assert.ok(cibSteps.length > 0);
    assert.ok(cibSteps.every((s: { outputExcerpt: string }) => s.outputExcerpt.startsWith('[CIB document')), JSON.stringify(cibSteps[0]));
    assert.match(seen.audit!, /\[CIB document, \d+ bytes: not kept/);
    assert.match(seen.audit!, /"purpose":"dry-run"/);
  });

  test('lun.add refuses /etc/shadow, a device, .., and a symlink escaping backingDir (dry run included); a file in backingDir works', async () => {
    symlinkSync('/etc/shadow', join(luns, 'escape.img'));
    try {
      for (const path of ['/etc/shadow', '/dev/loop0', `${luns}/../../../../etc/shadow`, `${luns}/..`, `${luns}/escape.img`]) {
        for (const dryRun of [true, false]) {
          const res = await post('/v1/jobs', h.tokens.otto, { operation: 'lun.add', params: { target: 'store1', path }, reason: 'export it', dryRun });
          assert.equal(res.status, 422, `${path} ${res.text}`);
          assert.equal(conforms('createJob', res).code, 'BACKING_STORE_NOT_ALLOWED', path);
        }
      }
      const refused = (await h.services.audit.query({ event: 'job.refused', actor: 'otto', limit: 1000 })).records.filter((x) => (x.details as { code: string }).code === 'BACKING_STORE_NOT_ALLOWED');
      assert.equal(refused.length, 10, 'each refusal audited, dry runs included');
    } finally {
      rmSync(join(luns, 'escape.img'));
    }
    const file = join(luns, 'sec-ok.img');
    writeFileSync(file, '');
    truncateSync(file, 8 * 2 ** 20);
    const job = conforms('createJob', await post('/v1/jobs', h.tokens.otto, { operation: 'lun.add', params: { target: 'store1', path: file }, reason: 'a disk for vm9' }));
    conforms('decideJob', await post(`/v1/jobs/${job.id}/approvals`, h.tokens.anna, { decision: 'approve' }));
    const done = await waitForState(h, job.id, ['succeeded', 'failed'], 120_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const lun = done.result!.details!.lun as number;
    assert.ok((await iscsiLs(portal, iqn)).some((l) => l.lun === lun));
  });

  test('a CHAP account bound to the lab target survives a lun.add and a restart of the storage node', async () => {
    const chap = { user: 'labchap1', password: 'Lab-Chap-Secret-42' };
    const tgt = (...a: string[]) => labSsh(dir!, 'store1', ['tgtadm', '--lld', 'iscsi', '--mode', 'account', ...a]);
    tgt('--op', 'new', '--user', chap.user, '--password', chap.password);
    tgt('--op', 'bind', '--tid', '1', '--user', chap.user);
    const hasfFile = join(dir!, 'machines', 'store1', 'etc-tgt', 'conf.d', `hasf-${iqn.replace(/[^A-Za-z0-9._-]/g, '_')}.conf`);
    try {
      // Bound at runtime only: its password is in no file, so persisting is refused.
      const file = join(luns, 'sec-chap.img');
      writeFileSync(file, '');
      truncateSync(file, 8 * 2 ** 20);
      const refused = await post('/v1/jobs', h.tokens.otto, { operation: 'lun.add', params: { target: 'store1', path: file }, reason: 'chap', dryRun: true });
      assert.equal(conforms('createJob', refused).code, 'CHAP_NOT_PERSISTABLE');
      assert.match(refused.body.detail, new RegExp(`incominguser ${chap.user} PASSWORD`));

      // The admin writes the account's line once into HASF's file, as the refusal says.
      assert.ok(existsSync(hasfFile), 'the earlier lun.add persisted the target');
      writeFileSync(hasfFile, readFileSync(hasfFile, 'utf8').replace('</target>', `    incominguser ${chap.user} ${chap.password}\n</target>`));
      const job = conforms('createJob', await post('/v1/jobs', h.tokens.otto, { operation: 'lun.add', params: { target: 'store1', path: file }, reason: 'chap disk' }));
      conforms('decideJob', await post(`/v1/jobs/${job.id}/approvals`, h.tokens.anna, { decision: 'approve' }));
      const done = await waitForState(h, job.id, ['succeeded', 'failed'], 120_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      const lun = done.result!.details!.lun as number;
      assert.match(readFileSync(hasfFile, 'utf8'), new RegExp(`^ {4}incominguser ${chap.user} ${chap.password}$`, 'm'));
      // The password is in the file only: not in the job's steps or the audit.
      assert.ok(!(await get(`/v1/jobs/${job.id}`)).text.includes(chap.password));
      assert.ok(!(await get('/v1/audit?limit=1000')).text.includes(chap.password));

      // The storage node restarts: tgtd comes back from the configuration alone.
      await labPower({ dir: dir! }, 'reboot', 'store1');
      const end = Date.now() + 90_000;
      let listed: Awaited<ReturnType<typeof iscsiLs>> | undefined;
      while (Date.now() < end) {
        listed = await iscsiLs(portal, iqn, chap).catch(() => undefined);
        if (listed?.some((l) => l.lun === lun)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(listed?.some((l) => l.lun === lun), 'the LUN is back, behind CHAP');
      await assert.rejects(iscsiLs(portal, iqn), 'no login without CHAP after the restart');
      assert.match(labSsh(dir!, 'store1', ['tgtadm', '--lld', 'iscsi', '--mode', 'target', '--op', 'show']), new RegExp(`Account information:\\n\\s+${chap.user}\\n`));
    } finally {
      // Leave the lab's target open again for the tests that follow.
      writeFileSync(hasfFile, readFileSync(hasfFile, 'utf8').replace(new RegExp(`^ {4}incominguser ${chap.user} .*\\n`, 'm'), ''));
      try {
        tgt('--op', 'unbind', '--tid', '1', '--user', chap.user);
        tgt('--op', 'delete', '--user', chap.user);
      } catch {
        /* the restart may not have brought it back */
      }
    }
    assert.ok((await iscsiLs(portal, iqn)).length > 0);
  });
});
