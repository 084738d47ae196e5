import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type RunningApi } from '../../src/api/index.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { hasf } from '../helpers/cli.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';

describe('hasf CLI end to end against the lab', { skip: labDir() ? false : NO_LAB }, () => {
  let h: Harness;
  let api: RunningApi;
  let worker: RunningWorker;
  const as = (name: keyof Harness['tokens']) => ({ HASF_API_URL: api.url, HASF_TOKEN: h.tokens[name] });

  before(async () => {
    h = await startHarness();
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    worker = await startWorker(h.services);
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await h?.stop();
  });

  it('migrate (operator) → approve (another person) → job --follow until succeeded', async () => {
    const st = await hasf(['status', '--json'], as('vera'));
    assert.equal(st.code, 0, st.stderr);
    const status = JSON.parse(st.stdout) as ClusterStatus;
    const vm = status.resources.find((r) => r.id === 'vm1')!;
    const from = vm.nodes[0]!;
    const to = status.nodes.find((n) => n.online && !n.standby && n.name !== from)!.name;

    // A dry run plans with the real scheduler and creates nothing.
    const dry = await hasf(['migrate', 'vm1', to, '--dry-run'], as('otto'));
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`vm1: migrate ${from} → ${to}`));

    const sub = await hasf(['migrate', 'vm1', to, '--reason', 'cli e2e', '--ticket', 'CHG42', '--json'], as('otto'));
    assert.equal(sub.code, 0, sub.stderr);
    const job = JSON.parse(sub.stdout) as { id: string; state: string; requester: string };
    assert.equal(job.state, 'awaiting_approval');
    assert.equal(job.requester, 'otto');

    // A viewer may not approve: exit 3 (auth), with the server's code.
    const denied = await hasf(['approve', job.id], as('vera'));
    assert.equal(denied.code, 3);
    assert.match(denied.stderr, /FORBIDDEN/);

    const ok = await hasf(['approve', job.id, '--comment', 'go'], as('anna'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`Approved ${job.id}: now (queued|running|succeeded)`));

    const follow = await hasf(['job', job.id, '--follow'], as('vera'));
    assert.equal(follow.code, 0, follow.stdout + follow.stderr);
    assert.match(follow.stdout, /crm_resource --move --resource vm1 --node/);
    assert.match(follow.stdout, /→ succeeded/);
    assert.match(follow.stdout, new RegExp(`succeeded: vm1 now runs on ${to}`));

    const after = JSON.parse((await hasf(['status', '--json'], as('vera'))).stdout) as ClusterStatus;
    assert.deepEqual(after.resources.find((r) => r.id === 'vm1')!.nodes, [to]);

    // The job list shows it, and the audit chain proves it.
    const list = await hasf(['jobs', '--state', 'succeeded'], as('vera'));
    assert.match(list.stdout, new RegExp(`${job.id}\\s+succeeded\\s+vm\\.migrate\\s+vm1 → ${to}`));
    const verify = await hasf(['audit', 'verify'], as('ada'));
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /Audit chain OK/);
  });

  it('a preflight refusal is exit 1 with its code; no token is exit 3; a dead API is exit 4', async () => {
    const status = JSON.parse((await hasf(['status', '--json'], as('vera'))).stdout) as ClusterStatus;
    const where = status.resources.find((r) => r.id === 'vm2')!.nodes[0]!;
    const refused = await hasf(['migrate', 'vm2', where, '--reason', 'already there'], as('otto'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ALREADY_THERE/);

    const anon = await hasf(['jobs'], { HASF_API_URL: api.url });
    assert.equal(anon.code, 3);

    const dead = await hasf(['jobs', '--api-url', 'http://127.0.0.1:9'], { HASF_TOKEN: h.tokens.vera });
    assert.equal(dead.code, 4);
  });
});
