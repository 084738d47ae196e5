import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../src/cli/client.ts';
import { ApiError } from '../../src/cli/errors.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { exitForJob, followJob } from '../../src/cli/follow.ts';
import { formatJob, formatJobList, formatPlan, formatStep, jobTarget, type JobView } from '../../src/cli/format/jobs.ts';
import { formatClusterStatus } from '../../src/cli/format/status.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { fields, formatAge, formatDuration, shellLine, table } from '../../src/cli/output.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';

const NOW = Date.parse('2026-01-31T12:00:00Z');

function job(over: Partial<JobView> = {}): JobView {
  return {
    id: 'jabc12345',
    operation: 'vm.migrate',
    cluster: 'lab',
    params: { vm: 'vm1', node: 'node2' },
    requester: 'otto',
    requesterIdentity: 'token:tok_1',
    channel: 'rest',
    reason: 'patching',
    emergency: false,
    reviewPending: false,
    state: 'awaiting_approval',
    plan: { summary: 'Live-migrate vm1 from node1 to node2', commands: [{ host: 'any node of lab', argv: ['crm_resource', '--move', '--resource', 'vm1', '--node', 'node2'] }], prediction: { actions: [{ action: 'migrate', resource: 'vm1', from: 'node1', to: 'node2', text: 'vm1: migrate node1 → node2' }], placement: {} }, warnings: ['w1'] },
    approvalsRequired: 1,
    approvals: [],
    createdAt: '2026-01-31T11:58:00Z',
    updatedAt: '2026-01-31T11:58:00Z',
    lines: [],
    checkpoint: {},
    attempts: 0,
    ...over,
  };
}

describe('text helpers', () => {
  it('table aligns columns and leaves no trailing blanks', () => {
    assert.equal(table(['ID', 'STATE', 'X'], [['j1', 'queued', ''], ['j22', undefined, 'y']]), 'ID   STATE   X\nj1   queued\nj22          y');
  });
  it('fields aligns keys and drops empty values', () => {
    assert.equal(fields([['Job', 'j1'], ['Ticket', undefined], ['Cluster', 'lab']]), 'Job:     j1\nCluster: lab');
  });
  it('durations and ages', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(245_000), '4 min 05 s');
    assert.equal(formatDuration(7_800_000), '2 h 10 min');
    assert.equal(formatAge('2026-01-31T11:58:00Z', NOW), '2m');
    assert.equal(formatAge(undefined, NOW), '-');
  });
  it('shellLine quotes only what needs it', () => {
    assert.equal(shellLine(['crm_resource', '--move', '--resource', 'vm1']), 'crm_resource --move --resource vm1');
    assert.equal(shellLine(['sh', '-c', "echo 'hi' there"]), `sh -c 'echo '\\''hi'\\'' there'`);
  });
});

describe('job formatting', () => {
  it('target cells from params', () => {
    assert.equal(jobTarget(job()), 'vm1 → node2');
    assert.equal(jobTarget(job({ params: { node: 'node3', action: 'off' } })), 'node3 (off)');
    assert.equal(jobTarget(job({ params: { target: 'store1', sizeMiB: 64 } })), 'store1 64 MiB');
  });
  it('list: one row per job with approvals and age', () => {
    const t = formatJobList([job(), job({ id: 'jdef67890', state: 'succeeded', approvals: [{ person: 'anna', identity: 'x', decision: 'approve', at: '2026-01-31T11:59:00Z' }] })], NOW);
    const lines = t.split('\n');
    assert.match(lines[0]!, /^ID\s+STATE\s+OPERATION\s+TARGET\s+CLUSTER\s+REQUESTER\s+APPROVALS\s+AGE$/);
    assert.match(lines[1]!, /^jabc12345\s+awaiting_approval\s+vm\.migrate\s+vm1 → node2\s+lab\s+otto\s+0\/1\s+2m$/);
    assert.match(lines[2]!, /1\/1/);
    assert.equal(formatJobList([]), 'No jobs match.');
  });
  it('plan shows commands, the prediction and warnings', () => {
    const p = formatPlan(job().plan);
    assert.match(p, /\[any node of lab\] crm_resource --move --resource vm1 --node node2/);
    assert.match(p, /vm1: migrate node1 → node2/);
    assert.match(p, /Warning: w1/);
  });
  it('detail shows approvals, steps and the error', () => {
    const steps = [{ seq: 1, step: 'move', host: 'node1', argv: ['crm_resource', '--move'], exitCode: 0, durationMs: 300, outputExcerpt: '', at: '' }];
    const d = formatJob(job({ state: 'failed', steps, error: { code: 'VERIFY_FAILED', message: 'vm1 not on node2' }, approvals: [{ person: 'anna', identity: 'x', decision: 'approve', comment: 'ok', at: 't' }] }), NOW);
    assert.match(d, /approved by anna at t: ok/);
    assert.match(d, /#1 move \[node1\] crm_resource --move → ok \(300 ms\)/);
    assert.match(d, /Error: VERIFY_FAILED: vm1 not on node2/);
    assert.equal(formatStep({ ...steps[0]!, exitCode: 2 }), '#1 move [node1] crm_resource --move → exit 2 (300 ms)');
  });
});

describe('cluster status formatting', () => {
  it('nodes, resources (clone instances folded), leftovers', () => {
    const prim = (id: string, nodes: string[], extra: object = {}) => ({ id, kind: 'primitive' as const, role: 'Started', active: true, managed: true, failed: false, nodes, isFenceDevice: false, ...extra });
    const s: ClusterStatus = {
      source: 'crm_mon-output-as-xml',
      dcNode: 'node2',
      quorum: { hasQuorum: true },
      nodes: [
        { name: 'node1', online: true, standby: false, unclean: false, maintenance: false, isDc: false, resourcesRunning: 2 },
        { name: 'node2', online: false, standby: true, unclean: true, maintenance: false, isDc: true, resourcesRunning: 0 },
      ],
      resources: [prim('vm1', ['node1'], { allowMigrate: true, failCounts: { node2: 3 } }), { ...prim('fs-clone', ['node1']), kind: 'clone', children: [prim('fs:0', ['node1'], { parent: 'fs-clone' })] }],
      constraints: [{ id: 'cli-prefer-vm1', resource: 'vm1', node: 'node1', score: 'INFINITY', hasRule: false, leftover: 'prefer' }],
      fenceDevices: [],
      readAt: '',
    };
    const t = formatClusterStatus('lab', s);
    assert.match(t, /^Cluster lab: quorate, DC node2/);
    assert.match(t, /node2 \(DC\)\s+UNCLEAN, OFFLINE, standby/);
    assert.match(t, /vm1\s+primitive\s+Started\s+node1\s+live-migrate, failcount node2=3/);
    assert.doesNotMatch(t, /fs:0/);
    assert.match(t, /cli-prefer-vm1: vm1 prefer node1/);
  });
});

describe('follow (against a real HTTP server)', () => {
  let server: Server;
  let api: ApiClient;
  // What the server answers on each successive GET: the job advancing through its states.
  let script: Array<JobView | number> = [];
  let calls = 0;
  before(async () => {
    server = createServer((req, res) => {
      const next = script[Math.min(calls++, script.length - 1)]!;
      if (req.headers.authorization !== 'Bearer t0k') return void res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 401, code: 'UNAUTHENTICATED', detail: 'bad token' }));
      if (typeof next === 'number') return void res.writeHead(next, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: next, code: 'NOT_FOUND', detail: 'No job jabc12345.' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(next));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't0k' });
  });
  after(() => server.close());

  const io = () => {
    const out: string[] = [];
    const i: CliIo = { out: (t) => out.push(t), raw: () => undefined, err: (t) => out.push(`ERR ${t}`), progress: () => undefined, isTTY: false, env: {}, cwd: '/' };
    return { i, out };
  };
  const step = (seq: number, name: string) => ({ seq, step: name, host: 'node1', argv: ['crm_mon'], exitCode: 0, durationMs: 10, outputExcerpt: '', at: '' });

  it('prints each state change and each step once, then the result; exit 0 on success', async () => {
    calls = 0;
    script = [
      job({ state: 'queued' }),
      job({ state: 'running', steps: [step(1, 'preflight')] }),
      job({ state: 'running', steps: [step(1, 'preflight'), step(2, 'move')] }),
      job({ state: 'succeeded', steps: [step(1, 'preflight'), step(2, 'move'), step(3, 'verify')], result: { summary: 'vm1 now runs on node2' } }),
    ];
    const { i, out } = io();
    const final = await followJob(api, 'jabc12345', i, { intervalMs: 1 });
    assert.equal(final.state, 'succeeded');
    assert.equal(exitForJob(final.state), EXIT.OK);
    const text = out.join('\n').replace(/\[[^\]]*\] /g, '');
    assert.deepEqual(text.split('\n'), [
      'jabc12345 vm.migrate vm1 → node2: queued',
      'queued → running',
      '#1 preflight [node1] crm_mon → ok (10 ms)',
      '#2 move [node1] crm_mon → ok (10 ms)',
      '#3 verify [node1] crm_mon → ok (10 ms)',
      'running → succeeded',
      'succeeded: vm1 now runs on node2',
    ].map((l) => l.replace(/\[node1\] /g, '')));
  });

  it('a failed job is exit 1; --json prints one event per line', async () => {
    calls = 0;
    script = [job({ state: 'running' }), job({ state: 'failed', error: { code: 'VERIFY_FAILED', message: 'no' } })];
    const { i, out } = io();
    const final = await followJob(api, 'jabc12345', i, { intervalMs: 1, json: true });
    assert.equal(exitForJob(final.state), EXIT.FAILED);
    const events = out.map((l) => JSON.parse(l) as { event: string; state?: string });
    assert.deepEqual(events.map((e) => e.event), ['state', 'state', 'final']);
    assert.equal(events[1]!.state, 'failed');
  });

  it('a 404 is not retried: ApiError with the server code', async () => {
    calls = 0;
    script = [404];
    await assert.rejects(followJob(api, 'jabc12345', io().i, { intervalMs: 1 }), (e: unknown) => e instanceof ApiError && e.code === 'NOT_FOUND' && e.exitCode === EXIT.FAILED);
  });

  it('a bad token is exit 3', async () => {
    const bad = new ApiClient({ baseUrl: api.baseUrl, token: 'nope' });
    await assert.rejects(followJob(bad, 'jabc12345', io().i, { intervalMs: 1 }), (e: unknown) => e instanceof ApiError && e.exitCode === EXIT.AUTH);
  });
});
