import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeCibIntoStatus, parseCib, parseCrmMonXml } from '../../src/cluster/index.ts';
import { HasfError } from '../../src/errors/index.ts';
import type { JobRecord, StepRecord } from '../../src/jobs/types.ts';
import { OPERATIONS } from '../../src/operations/index.ts';
import { blocks } from '../../src/slack/index.ts';
import { noteFor } from '../../src/slack/thread-note.ts';
import { blocksText } from '../helpers/slack.ts';

const FX = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const status = (name: string) => mergeCibIntoStatus(parseCrmMonXml(readFileSync(join(FX, `${name}.crm_mon.xml`), 'utf8')), parseCib(readFileSync(join(FX, `${name}.cib.xml`), 'utf8')));

/** Slack's limits: ≤ 50 blocks, ≤ 3000 characters per text object, ≤ 10 fields. */
function assertWithinLimits(m: { text: string; blocks: any[] }) {
  assert.ok(m.blocks.length <= 50, `${m.blocks.length} blocks`);
  const walk = (v: any) => {
    if (!v || typeof v !== 'object') return;
    if (typeof v.text === 'string') assert.ok(v.text.length <= 3000, `text of ${v.text.length}`);
    if (Array.isArray(v.fields)) assert.ok(v.fields.length <= 10);
    for (const x of Object.values(v)) walk(x);
  };
  walk(m.blocks);
}

function fenceJob(over: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'j5kq1z7c2a9f',
    operation: 'node.fence',
    cluster: 'lab',
    params: { node: 'node3', action: 'reboot' },
    requester: 'otto',
    requesterIdentity: 'slack:UOPERAT01',
    channel: 'slack',
    reason: 'node3 hangs <!channel> & NFS',
    ticket: 'CHG0042',
    emergency: false,
    reviewPending: false,
    state: 'awaiting_approval',
    plan: {
      summary: 'Reboot node3 through the fence device',
      commands: [{ host: 'any node of lab', argv: ['stonith_admin', '--reboot', 'node3'] }],
      prediction: { actions: [{ action: 'fence', node: 'node3', text: 'fence (reboot) node3' }, { action: 'move', resource: 'vm3', from: 'node3', to: 'node1', text: 'vm3: move node3 → node1' }], placement: {} },
      warnings: ['vm3 restarts (no live migration during a fence)'],
    },
    approvalsRequired: 2,
    approvals: [],
    expiresAt: '2030-01-01T12:00:00.000Z',
    createdAt: '2030-01-01T08:00:00.000Z',
    updatedAt: '2030-01-01T08:00:00.000Z',
    lines: [],
    checkpoint: {},
    attempts: 0,
    slack: { channel: 'CAPPROVALS', ts: '1.2', requesterUser: 'UOPERAT01' },
    ...over,
  };
}

test('approval request: operation, target, requester, reason, ticket, commands, prediction, approvals, expiry, buttons', () => {
  const m = blocks.jobMessage(fenceJob());
  const t = blocksText(m);
  for (const want of ['node.fence', 'node3', '<@UOPERAT01>', 'CHG0042', 'stonith_admin --reboot node3', 'fence (reboot) node3', 'vm3: move node3 → node1', '0 of 2', '<!date^1893499200^', 'vm3 restarts']) {
    assert.ok(t.includes(want), `missing ${want}`);
  }
  // User text can't ping the channel.
  assert.ok(t.includes('&lt;!channel&gt; &amp; NFS'));
  assert.ok(!/<!channel>/.test(t));
  const actions = m.blocks.find((b: any) => b.type === 'actions') as any;
  assert.deepEqual(actions.elements.map((e: any) => [e.action_id, e.value, e.style]), [
    ['hasf_approve', 'j5kq1z7c2a9f', 'primary'],
    ['hasf_reject', 'j5kq1z7c2a9f', 'danger'],
  ]);
  assert.match(m.text, /^Approval needed: node\.fence node3 \(reboot\) on lab by otto/);
  assertWithinLimits(m);
});

test('as approvals arrive, then as it runs and finishes, the buttons go and steps and the result show', () => {
  const one = blocks.jobMessage(fenceJob({ approvals: [{ person: 'anna', identity: 'slack:UAPPROV01', decision: 'approve', at: '2030-01-01T08:01:00Z' }] }));
  assert.ok(blocksText(one).includes('1 of 2: anna'));
  const steps: StepRecord[] = [
    { seq: 1, step: 'preflight', host: 'node1', argv: ['crm_mon', '--output-as=xml'], exitCode: 0, durationMs: 120, outputExcerpt: '', at: '2030-01-01T08:05:00Z' },
    { seq: 2, step: 'fence', host: 'node1', argv: ['stonith_admin', '--reboot', 'node3'], exitCode: 0, durationMs: 2300, outputExcerpt: '', at: '2030-01-01T08:05:01Z' },
  ];
  const running = blocks.jobMessage(fenceJob({ state: 'running', startedAt: '2030-01-01T08:05:00Z' }), { steps, phase: 'verify' });
  const rt = blocksText(running);
  assert.ok(!running.blocks.some((b: any) => b.type === 'actions'));
  assert.match(rt, /:heavy_check_mark: preflight {2}→ {2}:heavy_check_mark: fence {2}→ {2}:gear: \*verify\*/);
  assert.ok(rt.includes('✓ [fence] node1: stonith_admin --reboot node3 (2.3 s)'));
  const done = blocks.jobMessage(fenceJob({ state: 'succeeded', startedAt: '2030-01-01T08:05:00Z', finishedAt: '2030-01-01T08:06:12Z', result: { summary: 'node3 was fenced and is back online.' } }), { steps });
  assert.match(blocksText(done), /:white_check_mark: \*Succeeded\* in 1 min 12 s: node3 was fenced/);
  const failed = blocks.jobMessage(fenceJob({ state: 'failed', error: { code: 'VERIFY_FAILED', message: 'node3 did not come back' } }));
  assert.match(blocksText(failed), /\*Failed\*: node3 did not come back \(`VERIFY_FAILED`\)/);
  const rejected = blocks.jobMessage(fenceJob({ state: 'rejected', approvals: [{ person: 'bert', identity: 'slack:UAPPROV02', decision: 'reject', comment: 'not now', at: 'x' }] }));
  assert.match(blocksText(rejected), /Rejected\* by bert: “not now”/);
});

test('a long step log shows the newest commands and stays within Slack limits', () => {
  const steps = Array.from({ length: 200 }, (_, i) => ({ seq: i, step: 'verify', host: 'node1', argv: ['crm_mon', '--output-as=xml', 'x'.repeat(50)], exitCode: 0, durationMs: 10, outputExcerpt: '', at: 'x' }));
  const m = blocks.jobMessage(fenceJob({ state: 'running' }), { steps });
  assert.ok(blocksText(m).includes('last 8 of 200 commands'));
  assertWithinLimits(m);
});

test('break-glass jobs are announced loudly', () => {
  const m = blocks.jobMessage(fenceJob({ emergency: true, reviewPending: true, state: 'queued', approvalsRequired: 0 }));
  assert.match(m.text, /^<!here> BREAK-GLASS/);
  const t = blocksText(m);
  assert.ok(t.includes('🚨 BREAK-GLASS: node.fence node3'));
  assert.ok(t.includes('review pending'));
});

test('confirmation and dry run show plan and predicted transition', () => {
  const c = blocks.confirmationMessage(fenceJob(), 'CAPPROVALS');
  const t = blocksText(c);
  assert.ok(t.includes('needs 2 approval(s), requested in <#CAPPROVALS>'));
  assert.ok(t.includes('fence (reboot) node3'));
  const j = fenceJob();
  const d = blocks.dryRunMessage({ operation: 'node.fence', cluster: 'lab', params: j.params, plan: j.plan, approvalsRequired: 2 });
  assert.match(d.text, /^Dry run: Reboot node3 .* predicted: fence \(reboot\) node3; vm3: move node3 → node1/);
  assert.ok(blocksText(d).includes('nothing was changed'));
});

test('refusals say why, how to write it, and the code', () => {
  const e = blocks.errorMessage(new HasfError('UNKNOWN_OBJECT', 'No configured cluster knows "vm7".', { closest: ['vm1', 'vm6'], usage: OPERATIONS['vm.migrate'].usage }));
  const t = blocksText(e);
  assert.ok(t.includes('Unknown cluster object'));
  assert.ok(t.includes('Did you mean: `vm1`, `vm6`?'));
  assert.ok(t.includes(`Usage: \`${blocks.esc(OPERATIONS['vm.migrate'].usage)}\``));
  assert.ok(t.includes('`UNKNOWN_OBJECT`'));
  // The closest names already in the message are not repeated.
  const e2 = blocks.errorMessage(new HasfError('UNKNOWN_OPERATION', 'Unknown command "x"; did you mean /hasf status?', { closest: ['status'] }));
  assert.ok(!blocksText(e2).includes('Did you mean: '));
  // Internal errors say nothing internal.
  const e3 = blocks.errorMessage(new Error('ECONNREFUSED 10.0.0.1 secret=abc'));
  assert.ok(!blocksText(e3).includes('secret'));
  assert.ok(blocksText(e3).includes('INTERNAL'));
});

test('help lists every catalogue operation with its usage, and one command on request', () => {
  const h = blocks.helpMessage();
  const t = blocksText(h);
  // Slack reads <…> as a link or mention, so the placeholders arrive escaped.
  for (const op of Object.values(OPERATIONS)) assert.ok(t.includes(blocks.esc(op.usage)), op.name);
  for (const w of ['/hasf status', '/hasf jobs', '/hasf job &lt;id&gt;', '/hasf approve', '/hasf reject', '/hasf cancel', '--emergency', '--cluster']) assert.ok(t.includes(w), w);
  assertWithinLimits(h);
  assert.ok(blocksText(blocks.helpMessage('fence')).includes('approvals by default: 2'));
  assert.ok(blocksText(blocks.helpMessage('migarte')).includes('did you mean `migrate`'));
});

test('status highlights failed resources, standby nodes and leftover move constraints', () => {
  const healthy = blocksText(blocks.statusMessage('lab', status('healthy')));
  assert.ok(healthy.includes('Nothing needs attention'));
  const failed = blocksText(blocks.statusMessage('lab', status('failed')));
  assert.match(failed, /:x: `vm2` has \*failed\*.*\/hasf cleanup vm2/);
  const standby = blocksText(blocks.statusMessage('lab', status('standby')));
  assert.match(standby, /:zzz: node \*node3\* is in standby — `\/hasf online node3`/);
  const left = blocks.statusMessage('lab', status('leftovers'));
  const lt = blocksText(left);
  assert.match(lt, /leftover `cli-prefer-vm1` \(pins `vm1` to node\d/);
  assert.match(lt, /leftover `cli-ban-vm3-on-node1` \(bans `vm3` from node1/);
  assert.ok(lt.includes('crm_resource --clear --resource vm1'));
  for (const n of ['node1', 'node2', 'node3', 'vm1', 'vm2', 'vm3']) assert.ok(lt.includes(n), n);
  assertWithinLimits(left);
});

test('thread notes tell the requester about approval and the outcome only', () => {
  assert.equal(noteFor(fenceJob()), undefined);
  assert.equal(noteFor(fenceJob({ state: 'running' })), undefined);
  assert.match(noteFor(fenceJob({ state: 'queued', approvals: [{ person: 'anna', identity: 'a', decision: 'approve', at: 'x' }, { person: 'bert', identity: 'b', decision: 'approve', at: 'x' }] }))!, /^<@UOPERAT01> job `j5kq1z7c2a9f` is approved \(anna, bert\)/);
  assert.match(noteFor(fenceJob({ state: 'succeeded', startedAt: '2030-01-01T08:00:00Z', finishedAt: '2030-01-01T08:00:42Z', result: { summary: 'ok' } }))!, /succeeded in 42 s: ok/);
});

test('the reject modal round-trips its context and refuses a tampered one', () => {
  const v = blocks.rejectModal({ jobId: 'j1', channel: 'C1', ts: '1.2' }, 'fence node3');
  assert.equal(v.callback_id, 'hasf_reject_modal');
  assert.deepEqual(blocks.readRejectContext(v.private_metadata), { jobId: 'j1', channel: 'C1', ts: '1.2' });
  assert.equal(blocks.readRejectContext('{"x":1}'), undefined);
  assert.equal(blocks.readRejectContext('nope'), undefined);
});

test('jobs list', () => {
  const m = blocks.jobsListMessage('Jobs awaiting approval', [fenceJob()]);
  assert.match(blocksText(m), /`j5kq1z7c2a9f` `node.fence` node3 \(reboot\) \(lab\) — awaiting approval · 0\/2 approvals · otto/);
  assert.match(blocksText(blocks.jobsListMessage('Your jobs', [])), /none/);
});

test('status of the shapes the corpus taught: guest and remote nodes, per-instance roles, bundle replicas, tickets', () => {
  const shapes = status('shapes');
  const text = blocksText(blocks.statusMessage('edge', shapes));
  assert.match(text, /\*guest1\* _guest node in vm-guest on node2_/);
  assert.match(text, /\*remote1\* _remote node_/);
  assert.match(text, /`db-clone` \(clone\) Promoted — Promoted on node1, Unpromoted on node2, Unpromoted on node3/);
  assert.match(text, /`web-bundle` \(bundle\) Started — web-bundle-0 on node1, web-bundle-1 on node3/);
  assert.match(text, /`vm-guest` .*hosts guest node \*guest1\*/);
  const revoked = { ...shapes, tickets: [{ id: 'ticket-site-a', granted: false, standby: false, resources: ['site-svc'] }] };
  assert.match(blocksText(blocks.statusMessage('edge', revoked)), /ticket `ticket-site-a` is not granted here \(site-svc cannot run\)/);
});
