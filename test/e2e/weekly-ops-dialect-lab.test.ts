import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { parse } from 'yaml';
import { startApiServer, type RunningApi } from '../../src/api/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { labSsh } from '../helpers/lab-check.ts';

const dir = labDir();

// The lab's Pacemaker 2.1.5 driven with the Pacemaker 1.1 dialect (the inventory's
// `dialect: pacemaker-1.1`): the forms older stacks have, run for real — a restart as
// stop, wait, start (1.1 has no crm_resource --restart), resource maintenance as
// is-managed=false (no maintenance meta) — judged with crm_mon and crm_resource on a node.
describe('weekly operations with the Pacemaker 1.1 dialect on the lab', { skip: dir ? false : NO_LAB, timeout: 600_000 }, () => {
  let h: Harness;
  let api: RunningApi;
  let worker: RunningWorker;
  const ssh = (argv: string[]) => labSsh(dir!, 'node1', argv);
  const monResource = (id: string) => new RegExp(`<resource id="${id}" [^>]*>`).exec(ssh(['crm_mon', '--output-as=xml']))?.[0] ?? '';
  async function run(operation: string, params: Record<string, unknown>) {
    const res = await request(api.url).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation, params, reason: `lab test (1.1): ${operation}` });
    const job = conforms('createJob', res);
    assert.equal(res.status, 202, JSON.stringify(job));
    conforms('decideJob', await request(api.url).post(`/v1/jobs/${job.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' }));
    const done = await waitForState(h, job.id, ['succeeded', 'failed'], 300_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    return job;
  }

  before(async () => {
    const inv = parse(readFileSync(join(dir!, 'inventory.yaml'), 'utf8'));
    h = await startHarness({ clusters: inv.clusters.map((c: Record<string, unknown>) => ({ ...c, dialect: 'pacemaker-1.1' })), storage: inv.storage });
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    worker = await startWorker(h.services, { onError: () => undefined });
  });
  after(async () => {
    if (dir) {
      for (const argv of [
        ['crm_resource', '--resource', 'vm2', '--meta', '--delete-parameter', 'is-managed'],
        ['crm_resource', '--resource', 'vm2', '--meta', '--delete-parameter', 'target-role'],
      ]) {
        try {
          ssh(argv);
        } catch {
          // not set
        }
      }
    }
    await worker?.close();
    await api?.close();
    await h?.stop();
  });

  test('resource.restart without crm_resource --restart: stop, wait, start; target-role as before; started again', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const job = await run('resource.restart', { resource: 'vm2' });
    assert.deepEqual(job.plan.commands.map((c: { argv: string[] }) => c.argv.join(' ')), [
      'crm_resource --meta --resource vm2 --set-parameter target-role --parameter-value Stopped',
      'crm_resource --meta --resource vm2 --delete-parameter target-role',
    ]);
    assert.match(monResource('vm2'), /role="Started"/);
    assert.equal(ssh(['crm_resource', '--resource', 'vm2', '--meta', '--get-parameter', 'target-role']).trim(), '', 'target-role removed again');
    const status = ssh(['cibadmin', '-Q', '-o', 'status']);
    const start = /<lrm_rsc_op id="vm2_last_0" [^>]*operation="start"[^>]*last-rc-change="(\d+)"/.exec(status);
    assert.ok(start && Number(start[1]) >= t0, `vm2 started again after ${t0}: ${start?.[0]}`);
    // The worker's own record: the stop in step "stop", then the start in step "start", each exit 0.
    const steps = (await h.services.store.steps(job.id)).filter((s) => s.argv[0] === 'crm_resource');
    const ran = steps.map((s) => `${s.step}: ${s.argv.join(' ')} → ${s.exitCode}`);
    assert.deepEqual(ran, [
      'stop: crm_resource --meta --resource vm2 --set-parameter target-role --parameter-value Stopped → 0',
      'start: crm_resource --meta --resource vm2 --delete-parameter target-role → 0',
    ]);
  });

  test('resource.maintenance as is-managed=false (no maintenance meta before Pacemaker 2): crm_mon shows vm2 unmanaged, then managed', async () => {
    const on = await run('resource.maintenance', { resource: 'vm2', state: 'on' });
    assert.deepEqual(on.plan.commands.map((c: { argv: string[] }) => c.argv.join(' ')), ['crm_resource --meta --resource vm2 --set-parameter is-managed --parameter-value false']);
    assert.match(ssh(['crm_resource', '--resource', 'vm2', '--meta', '--get-parameter', 'is-managed']), /false/);
    assert.match(monResource('vm2'), /managed="false"/);
    await run('resource.maintenance', { resource: 'vm2', state: 'off' });
    assert.match(monResource('vm2'), /managed="true"/);
  });
});
