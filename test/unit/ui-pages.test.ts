import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../src/config/index.ts';
import type { AuditRecord } from '../../src/audit/index.ts';
import type { Person } from '../../src/auth/index.ts';
import { parseCrmMonXml } from '../../src/cluster/index.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import { allowedActions, stillEligible } from '../../src/jobs/allowed-actions.ts';
import { jobPageUrl } from '../../src/jobs/links.ts';
import type { JobRecord, StepRecord } from '../../src/jobs/types.ts';
import { pageLink } from '../../src/cli/format/jobs.ts';
import { jobMessage } from '../../src/slack/blocks/index.ts';
import { html, esc, join as joinHtml } from '../../src/ui/html.ts';
import { clusterPicture, healthHtml, placeTiles } from '../../src/ui/pages/cluster-picture.ts';
import type { CheckReport } from '../../src/operations/check/index.ts';
import { moveRows, transitionHtml } from '../../src/ui/pages/transition.ts';
import { timelineRows, shellLine } from '../../src/ui/pages/timeline.ts';
import { parseUtc } from '../../src/ui/routes/pages.ts';
import { jobSections } from '../../src/ui/pages/job.ts';
import { safeNext } from '../../src/ui/routes/session.ts';

const FIX = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');
const status = (shape: string): ClusterStatus => parseCrmMonXml(readFileSync(join(FIX, `${shape}.crm_mon.xml`), 'utf8'));

/** The HTML of one node's column of a picture. */
function column(picture: string, node: string): string {
  const m = new RegExp(`<section class="node[^"]*" aria-labelledby="node-${node}">([\\s\\S]*?)</section>`).exec(picture);
  assert.ok(m, `no column for ${node}`);
  return m[1]!;
}

test('html escapes every interpolated string, keeps Html as is, and drops null/false', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&';
  const out = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}${null}${false}${[evil, 2]}</p>`.text;
  assert.equal(out, `<p title="${esc(evil)}">${esc(evil)}<b>${esc(evil)}</b>${esc(evil)}2</p>`);
  assert.doesNotMatch(out, /<img/);
  assert.equal(esc(evil), '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  assert.equal(joinHtml(['<a>', html`<i>x</i>`], ', ').text, '&lt;a&gt;, <i>x</i>');
});

test('cluster picture: nodes as columns, every resource in the column of the node it runs on', () => {
  const s = status('healthy');
  const pic = clusterPicture('lab', s).text;
  for (const r of s.resources.filter((x) => x.kind === 'primitive')) {
    for (const n of r.nodes) assert.match(column(pic, n), new RegExp(`data-resource="${r.id}"`), `${r.id} on ${n}`);
  }
  assert.doesNotMatch(column(pic, 'node2'), /data-resource="vm3"/);
  // The group is one box with its members, the clone shows on every node with its clone's name.
  assert.match(column(pic, 'node1'), /aria-label="group web"[\s\S]*data-resource="web-ip"[\s\S]*data-resource="web-server"/);
  for (const n of ['node1', 'node2', 'node3']) assert.match(column(pic, n), /clone shared-fs-clone[\s\S]*data-resource="shared-fs"/);
  assert.match(column(pic, 'node1'), /class="badge n-dc">DC</);
  assert.match(column(pic, 'node1'), /fence device/);
});

test('cluster picture: node and resource states, leftover constraints on their resource', () => {
  const standby = clusterPicture('lab', status('standby')).text;
  assert.match(column(standby, 'node3'), />standby</);
  assert.match(standby, /class="node node-standby"/);
  const unclean = clusterPicture('lab', status('unclean')).text;
  assert.match(unclean, /class="node node-unclean"/);
  assert.match(column(unclean, 'node3'), />unclean</);
  const left = clusterPicture('lab', status('leftovers')).text;
  assert.match(column(left, 'node2'), /data-resource="vm3"[\s\S]*banned from node1 \(cli-ban-vm3-on-node1\)/);
  const failed = clusterPicture('lab', status('failed')).text;
  assert.match(column(failed, 'node3'), /class="tile failed vm"[\s\S]*>failed</);
  const maint = clusterPicture('lab', status('maintenance')).text;
  assert.match(maint, /maintenance-mode/);
  assert.match(column(maint, 'node2'), />maintenance</);
  assert.match(maint, />unmanaged</);
  assert.match(clusterPicture('lab', status('noquorum')).text, /NO QUORUM/);
});

test('health findings of cluster.check: severity, subject, message and fix, all escaped', () => {
  const report: CheckReport = {
    cluster: 'lab',
    checkedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 1200,
    ok: false,
    counts: { critical: 1, warning: 1, info: 0 },
    findings: [
      { code: 'NO_QUORUM', severity: 'critical', subject: 'cluster', message: 'The cluster has no quorum.', fix: { summary: 'Bring nodes back.' } },
      { code: 'LEFTOVER_CONSTRAINT', severity: 'warning', subject: 'cli-prefer-vm<b>', message: 'vm<b> is pinned', fix: { summary: 'Clear it.', hasf: 'clear vm<b>', argv: ['crm_resource', '--clear', '--resource', 'vm<b>'], on: 'any node' } },
    ],
    nodes: [],
  };
  const h = healthHtml({ report }).text;
  assert.match(h, /1 critical, 1 warning\(s\)/);
  assert.match(h, /class="flag error"><span class="sev">critical<\/span> <strong>cluster<\/strong>: The cluster has no quorum\./);
  assert.match(h, /<code>hasf clear vm&lt;b&gt;<\/code> — <code>crm_resource --clear --resource &#39;vm&lt;b&gt;&#39;<\/code> on any node/);
  assert.doesNotMatch(h, /<b>/);
  assert.match(healthHtml({ report: { ...report, findings: [], counts: { critical: 0, warning: 0, info: 0 }, ok: true } }).text, /Health check clean/);
  assert.match(healthHtml({ checking: true }).text, /Running the health check/);
  assert.match(healthHtml({ error: 'node1 <unreachable>' }).text, /could not run: node1 &lt;unreachable&gt;/);
  assert.match(clusterPicture('lab', status('healthy'), { report }).text, /The cluster has no quorum/);
});

test('cluster picture: markup in a resource id from the CIB stays text; stopped resources get their own column', () => {
  const s = status('healthy');
  const evil = 'vm<img src=x onerror=alert(1)>';
  s.resources.push({ id: evil, kind: 'primitive', agent: 'ocf:heartbeat:Dummy', role: 'Stopped', active: false, managed: true, failed: false, nodes: [], isFenceDevice: false });
  const pic = clusterPicture('lab', s).text;
  assert.doesNotMatch(pic, /<img/);
  assert.match(column(pic, '-none'), /vm&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.equal(placeTiles(s).stopped.length, 1);
});

test('predicted transition: before → after per resource, fence rows, and the scheduler lines', () => {
  const rows = moveRows({
    actions: [
      { action: 'migrate', resource: 'vm1', from: 'node1', to: 'node2', text: 'vm1: migrate node1 → node2' },
      { action: 'stop', resource: 'vm2', node: 'node3', text: 'vm2: stop on node3' },
      { action: 'start', resource: 'vm3', node: 'node1', text: 'vm3: start on node1' },
    ],
    placement: { vm1: ['node2'], vm3: ['node1'] },
  });
  assert.deepEqual(rows.map((r) => [r.resource, r.before, r.after]), [
    ['vm1', ['node1'], ['node2']],
    ['vm2', ['node3'], []],
    ['vm3', [], ['node1']],
  ]);
  const fence = transitionHtml({ summary: 'x', commands: [], warnings: [], prediction: { actions: [{ action: 'fence', node: 'node2', detail: 'reboot', text: 'fence (reboot) node2' }], placement: {} } }, ['node1', 'node2']).text;
  assert.match(fence, /node node2<\/th><td>up<\/td><td>fenced \(reboot\)/);
  assert.match(transitionHtml({ summary: 'x', commands: [], warnings: [] }, []).text, /No scheduler prediction/);
});

function job(over: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'jabc123def456',
    operation: 'vm.migrate',
    cluster: 'lab',
    params: { vm: 'vm1', node: 'node2' },
    requester: 'otto',
    requesterIdentity: 'token:cfg-x',
    channel: 'rest',
    reason: 'patching',
    emergency: false,
    reviewPending: false,
    state: 'awaiting_approval',
    plan: { summary: 's', commands: [], warnings: [] },
    approvalsRequired: 1,
    approvals: [],
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    checkpoint: {},
    attempts: 0,
    ...over,
  };
}

const person = (name: string, roles: Person['roles']): Person => ({ name, displayName: name, roles, slackUserIds: [], slackGroups: [] });
const P = { vera: person('vera', ['viewer']), otto: person('otto', ['operator']), anna: person('anna', ['approver']), bert: person('bert', ['approver']), ada: person('ada', ['admin']) };
const as = (p: Person) => ({ person: p, identity: `token:${p.name}`, channel: 'web' as const });

test('allowed actions come from the job service checks: nobody approves their own job, viewers approve nothing', () => {
  const approvals = configSchema.parse({}).approvals;
  const j = job();
  const now = new Date();
  assert.equal(allowedActions(approvals, as(P.anna), j, now).decide, null);
  assert.equal(allowedActions(approvals, as(P.otto), j, now).decide?.code, 'FORBIDDEN');
  assert.equal(allowedActions(approvals, as(P.vera), j, now).decide?.code, 'FORBIDDEN');
  assert.equal(allowedActions(approvals, as({ ...P.otto, roles: ['operator', 'approver'] }), j, now).decide?.code, 'SELF_APPROVAL');
  const decided = job({ approvals: [{ person: 'anna', identity: 'token:anna', decision: 'approve', at: now.toISOString() }], approvalsRequired: 2 });
  assert.equal(allowedActions(approvals, as(P.anna), decided, now).decide?.code, 'ALREADY_DECIDED');
  assert.deepEqual(stillEligible(approvals, decided, Object.values(P), now).map((p) => p.name), ['bert', 'ada']);
  assert.equal(allowedActions(approvals, as(P.otto), j, now).cancel, null, 'the requester may cancel');
  assert.equal(allowedActions(approvals, as(P.vera), j, now).cancel?.code, 'FORBIDDEN');
  assert.equal(allowedActions(approvals, as(P.anna), job({ state: 'running' }), now).cancel?.code, 'JOB_NOT_PENDING');
  assert.equal(allowedActions(approvals, as(P.anna), job({ state: 'succeeded' }), now).decide?.code, 'JOB_NOT_PENDING');
  assert.deepEqual(stillEligible(approvals, job({ state: 'queued' }), Object.values(P), now), []);
  assert.equal(allowedActions(approvals, as(P.anna), job({ emergency: true, reviewPending: true, requester: 'ada', state: 'succeeded' }), now).review, null);
  assert.equal(allowedActions(approvals, as(P.anna), j, now).review?.code, 'JOB_NOT_PENDING');
  assert.equal(allowedActions(approvals, as(P.anna), job({ expiresAt: new Date(Date.now() - 1000).toISOString() }), now).decide?.code, 'JOB_NOT_PENDING');
  // A token an admin minted for anna signs her in, but her decisions with it would not count: no button.
  const delegated = { ...as(P.anna), credential: { kind: 'token', id: 'tok_1', createdBy: 'ada', personal: false } };
  assert.equal(allowedActions(approvals, delegated, j, now).decide?.code, 'DELEGATED_TOKEN');
});

test("a rolling job's pause, resume and abort: open to the requester and approvers while they can be obeyed, offered as forms", () => {
  const approvals = configSchema.parse({}).approvals;
  const now = new Date();
  const rolling = (over: Partial<JobRecord> = {}) => job({ operation: 'cluster.rolling', params: { task: 'patch' }, state: 'running', approvals: [], ...over });
  const allowed = (p: Person, j: JobRecord) => allowedActions(approvals, as(p), j, now);
  assert.equal(allowed(P.otto, rolling()).pause, null, 'the requester may pause');
  assert.equal(allowed(P.anna, rolling()).abort, null, 'an approver may abort');
  assert.equal(allowed(P.vera, rolling()).pause?.code, 'FORBIDDEN');
  assert.equal(allowed(P.otto, rolling()).resume?.code, 'JOB_NOT_PENDING', 'nothing to resume');
  const pauseAsked = rolling({ control: { pause: { by: 'otto', channel: 'web', at: now.toISOString() } } });
  assert.equal(allowed(P.otto, pauseAsked).pause?.code, 'JOB_NOT_PENDING', 'already asked');
  assert.equal(allowed(P.otto, pauseAsked).resume, null, 'a pause not reached yet can be taken back');
  assert.equal(allowed(P.otto, rolling({ state: 'paused', control: pauseAsked.control })).resume, null);
  assert.equal(allowed(P.otto, rolling({ state: 'succeeded' })).abort?.code, 'JOB_NOT_PENDING');
  assert.equal(allowed(P.otto, job({ state: 'running' })).pause?.code, 'JOB_NOT_PENDING', 'a migration has no pause points');
  const j = rolling();
  const page = String(
    jobSections({ job: j, target: 'patch on every node', risk: 'high', steps: [], audit: [], auditMore: false, nodes: [], allowed: allowed(P.otto, j), stillEligible: [], approverGroups: [], counted: 1, needed: 1, csrf: 't' }).actions,
  );
  assert.match(page, /action="\/ui\/jobs\/jabc123def456\/pause"/);
  assert.match(page, /Pause after this node/);
  assert.match(page, /Abort after this node/);
  assert.doesNotMatch(page, /\/resume"/);
});

test('timeline: requests, decisions and state changes from the audit log, each command in its phase', () => {
  const t0 = Date.parse('2026-12-01T10:00:00.000Z');
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  let seq = 0;
  const rec = (ms: number, event: AuditRecord['event'], actor: string, details: unknown): AuditRecord => ({ seq: ++seq, time: at(ms), actor, channel: 'x', jobId: 'j1', event, details, prev: '', mac: '', streamId: `${seq}-0` });
  const audit = [
    rec(0, 'job.created', 'otto', {}),
    rec(1000, 'approval.granted', 'anna', { comment: 'go <now>', counted: 1, needed: 1 }),
    rec(1010, 'job.state', 'system', { from: 'awaiting_approval', to: 'queued' }),
    rec(1100, 'job.state', 'worker:a', { from: 'queued', to: 'running', attempt: 1 }),
    rec(1110, 'job.step', 'worker:a', { phase: 'move' }),
    rec(1500, 'job.step', 'worker:a', { phase: 'wait' }),
    rec(4000, 'job.state', 'worker:a', { from: 'running', to: 'succeeded' }),
  ];
  const step = (s: number, name: string, endMs: number, dur: number): StepRecord => ({ seq: s, step: name, host: 'node1', argv: ['crm_mon', '--output-as=xml'], exitCode: 0, durationMs: dur, outputExcerpt: '', at: at(endMs) });
  const rows = timelineRows(job({ state: 'succeeded' }), [step(1, 'move', 1300, 100), step(2, 'wait', 2000, 30), step(3, 'wait', 3000, 30)], audit);
  const text = rows.map((r) => (r.kind === 'event' ? r.text : `[${r.name} ${r.commands.length} ${r.endAt ? Date.parse(r.endAt) - Date.parse(r.at) : '-'}]`));
  assert.deepEqual(text, ['Requested by otto (x)', 'Approved by anna: “go <now>” (1 of 1)', 'Approved: queued for a worker', 'Running on worker:a', '[move 1 390]', '[wait 2 2500]', 'Succeeded']);
  assert.equal(shellLine(['crm_resource', '--move', 'vm 1', "it's"]), `crm_resource --move 'vm 1' 'it'\\''s'`);
});

test('the job page link: Slack messages, callback-style absolute URLs, the CLI', () => {
  assert.equal(jobPageUrl('https://hasf.example.com/', 'jabc'), 'https://hasf.example.com/ui/jobs/jabc');
  assert.equal(jobPageUrl(undefined, 'jabc'), undefined);
  const msg = jobMessage(job(), { pageUrl: 'https://hasf.example.com/ui/jobs/jabc123def456' });
  assert.match(JSON.stringify(msg.blocks), /<https:\/\/hasf\.example\.com\/ui\/jobs\/jabc123def456\|open in the web console>/);
  assert.doesNotMatch(JSON.stringify(jobMessage(job()).blocks), /web console/);
  assert.equal(pageLink({ url: '/ui/jobs/j1' }, 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080/ui/jobs/j1');
  assert.equal(pageLink({ url: 'https://h.example/ui/jobs/j1' }, 'http://127.0.0.1:8080'), 'https://h.example/ui/jobs/j1');
});

test('sign-in returns only to console pages; dates without a zone are UTC', () => {
  assert.equal(safeNext('/ui/jobs/j1?x=1'), '/ui/jobs/j1?x=1');
  for (const bad of ['https://evil.example/', '//evil.example/ui/', '/uix', '/ui\\..\\evil', '/v1/jobs', undefined, 42]) assert.equal(safeNext(bad), '/ui/', String(bad));
  assert.equal(parseUtc('2026-12-01T09:30', 'From')!.toISOString(), '2026-12-01T09:30:00.000Z');
  assert.equal(parseUtc('2026-12-01T09:30:00+01:00', 'From')!.toISOString(), '2026-12-01T08:30:00.000Z');
  assert.throws(() => parseUtc('yesterday', 'From'), (e: { code?: string }) => e.code === 'INVALID_INPUT');
});
