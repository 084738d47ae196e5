import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startApiServer, type RunningApi } from '../../src/api/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { labVmConfigDir } from '../../src/lab/vm-template.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { hasf } from '../helpers/cli.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { labSsh } from '../helpers/lab-check.ts';
import { blocksText, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

const dir = labDir();

// The seed's "VM as cluster resource" on the real lab: vm.add vm7 creates its primitive,
// order and colocation after the shared file system clone and a location preference (all
// read back with cibadmin on a node), it runs (crm_mon), a later migrate of it works, and
// vm.remove vm7 leaves no trace in the CIB (cibadmin -Q names it nowhere).
describe('vm.add and vm.remove on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  let h: Harness;
  let api: RunningApi;
  let worker: RunningWorker;
  let rec: SlackRecorder;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  const ssh = (argv: string[], node = 'node1') => labSsh(dir!, node, argv);
  const crmMon = () => ssh(['crm_mon', '--output-as=xml']);
  const vm7At = () => /<resource id="vm7" [^>]*role="Started"[^>]*>\s*<node name="([^"]+)"/.exec(crmMon())?.[1];
  const config = () => join(labVmConfigDir({ dir: dir! }), 'vm7.cfg');
  const done = async (id: string) => {
    const job = await waitForState(h, id, ['succeeded', 'failed'], 300_000);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    return job;
  };
  const post = (body: Record<string, unknown>, who: 'otto' | 'ada' = 'otto') => request(api.url).post('/v1/jobs').set(bearer(h.tokens[who])).send({ reason: 'lab test: vm7', ...body });

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec) });
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    door = createSlackDoor(h.services, { log: (m) => console.error(`[slack] ${m}`) });
    await door.start();
    srv = await serveDoor(door);
    worker = await startWorker(h.services, { onError: () => undefined });
    mkdirSync(labVmConfigDir({ dir: dir! }), { recursive: true });
    writeFileSync(config(), 'name = "vm7"\nmemory = 1024\n');
  });
  after(async () => {
    if (dir) {
      // A failed test may leave vm7 behind: take it out by hand, as an admin would.
      try {
        if (/id="vm7"/.test(ssh(['cibadmin', '-Q', '-o', 'resources']))) {
          ssh(['crm_resource', '--resource', 'vm7', '--meta', '--set-parameter', 'target-role', '--parameter-value', 'Stopped']);
          ssh(['crm_resource', '--wait', '--timeout', '60s']);
          for (const c of [...ssh(['cibadmin', '-Q', '-o', 'constraints']).matchAll(/<(rsc_\w+) id="([^"]*vm7[^"]*)"/g)]) ssh(['cibadmin', '--delete', '--xml-text', `<${c[1]} id="${c[2]}"/>`]);
          ssh(['cibadmin', '--delete', '--xml-text', '<primitive id="vm7"/>']);
        }
      } catch (e) {
        console.error(`cleanup of vm7: ${(e as Error).message}`);
      }
      rmSync(config(), { force: true });
    }
    await worker?.close();
    await srv?.close();
    await door?.close();
    await api?.close();
    await h?.stop();
    await rec?.close();
  });

  test('refused before approval: a config no node can read, one outside configDir, an id in use', async () => {
    const missing = await post({ operation: 'vm.add', params: { vm: 'vm7', config: join(labVmConfigDir({ dir: dir! }), 'nope.cfg') } });
    assert.equal(missing.status, 422);
    assert.equal(conforms('createJob', missing).code, 'VM_CONFIG_MISSING');
    const outside = await post({ operation: 'vm.add', params: { vm: 'vm7', config: '/etc/passwd' } });
    assert.equal(conforms('createJob', outside).code, 'INVALID_INPUT');
    assert.match(outside.body.detail, /is not in .*vms/);
    const taken = await post({ operation: 'vm.add', params: { vm: 'vm1', config: config() } });
    assert.equal(conforms('createJob', taken).code, 'ALREADY_THERE');
  });

  test('vm.add vm7 through REST: the plan shows the XML and the prediction; cibadmin shows primitive, order, colocation and preference; it runs', async () => {
    const res = await post({ operation: 'vm.add', params: { vm: 'vm7', config: config(), node: 'node2', prefer: 'node2' } });
    const job = conforms('createJob', res);
    assert.equal(res.status, 202, JSON.stringify(job));
    const argvs: string[] = job.plan.commands.map((c: { argv: string[] }) => c.argv.join(' '));
    assert.ok(argvs.some((a) => a.startsWith('cibadmin --create --scope resources --xml-text <primitive id="vm7" class="ocf" provider="hasf" type="domU">')), argvs.join('\n'));
    assert.ok(argvs.some((a) => a.includes('<rsc_order id="order-shared-fs-clone-then-vm7" first="shared-fs-clone" then="vm7" kind="Mandatory"/>')), argvs.join('\n'));
    assert.ok(job.plan.prediction.actions.some((a: { action: string; resource: string; node: string }) => a.action === 'start' && a.resource === 'vm7' && a.node === 'node2'), JSON.stringify(job.plan.prediction.actions));
    assert.match(job.plan.summary, /Add VM vm7 \(ocf:hasf:domU, .*vm7\.cfg\), after and with shared-fs-clone, preferring node2 \(score 50\); the scheduler starts it on node2/);
    const ok = await request(api.url).post(`/v1/jobs/${job.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' });
    conforms('decideJob', ok);
    await done(job.id);

    const rsc = ssh(['cibadmin', '-Q', '-o', 'resources']);
    const prim = /<primitive id="vm7"[\s\S]*?<\/primitive>/.exec(rsc)?.[0] ?? '';
    assert.match(prim, /class="ocf" provider="hasf" type="domU"/);
    assert.match(prim, new RegExp(`<nvpair [^>]*name="config" value="${config().replace(/[.]/g, '\\.')}"`));
    assert.match(prim, /<nvpair [^>]*name="allow-migrate" value="true"/);
    assert.match(prim, /<op [^>]*name="migrate_to" [^>]*timeout="60s"/);
    assert.match(prim, /<op [^>]*name="monitor" [^>]*interval="10s"/);
    assert.doesNotMatch(prim, /target-role/);
    const cons = ssh(['cibadmin', '-Q', '-o', 'constraints']);
    assert.match(cons, /<rsc_order id="order-shared-fs-clone-then-vm7" first="shared-fs-clone" then="vm7" kind="Mandatory"\/>/);
    assert.match(cons, /<rsc_colocation id="colocation-vm7-with-shared-fs-clone" rsc="vm7" with-rsc="shared-fs-clone" score="INFINITY"\/>/);
    assert.match(cons, /<rsc_location id="location-vm7-prefers-node2" rsc="vm7" node="node2" score="50"\/>/);
    assert.doesNotMatch(cons, /starts-on/, 'the temporary start preference is gone');
    assert.equal(vm7At(), 'node2');
  });

  test('a later migrate of vm7 through the CLI works (live, allow-migrate from the template)', async () => {
    const sub = await hasf(['migrate', 'vm7', 'node3', '--reason', 'balance', '--json'], { HASF_API_URL: api.url, HASF_TOKEN: h.tokens.otto });
    assert.equal(sub.code, 0, sub.stderr);
    const job = JSON.parse(sub.stdout) as { id: string; plan: { prediction: { actions: { text: string }[] } } };
    assert.ok(job.plan.prediction.actions.some((a) => a.text === 'vm7: migrate node2 → node3'), JSON.stringify(job.plan.prediction.actions));
    assert.equal((await hasf(['approve', job.id], { HASF_API_URL: api.url, HASF_TOKEN: h.tokens.anna })).code, 0);
    await done(job.id);
    assert.equal(vm7At(), 'node3');
    assert.doesNotMatch(ssh(['cibadmin', '-Q', '-o', 'constraints']), /cli-prefer-vm7/);
  });

  test('vm.remove vm7 through Slack: stopped, then its constraints and primitive deleted; cibadmin -Q names it nowhere', async () => {
    const id = `r${Math.random().toString(36).slice(2)}`;
    await postSigned(srv.url, h.config.slack.signingSecret!, slashCommandBody({ user: 'UOPERAT01', text: 'vm remove vm7 --reason "decommissioned"', responseUrl: rec.responseUrl(id) }));
    const answer = blocksText((await rec.waitFor((c) => c.method === 'response_url' && c.args.id === id, 60_000, 'the answer')).args);
    const jobId = /Job `([a-z0-9]+)`/.exec(answer)?.[1];
    assert.ok(jobId, answer);
    for (const w of ['order-shared-fs-clone-then-vm7', 'colocation-vm7-with-shared-fs-clone', 'location-vm7-prefers-node2', 'cibadmin --delete']) assert.ok(answer.includes(w), `${w} in ${answer}`);
    const aid = `r${Math.random().toString(36).slice(2)}`;
    await postSigned(srv.url, h.config.slack.signingSecret!, slashCommandBody({ user: 'UAPPROV01', text: `approve ${jobId}`, responseUrl: rec.responseUrl(aid) }));
    await done(jobId!);
    assert.doesNotMatch(ssh(['cibadmin', '-Q']), /vm7/);
    assert.doesNotMatch(crmMon(), /vm7/);
  });
});
