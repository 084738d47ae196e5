import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createApiApp, startApiServer, type RunningApi } from '../../src/api/index.ts';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { parseCrmMonXml } from '../../src/cluster/parse-crm-mon.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import { isRoot, LAB_BOOT_ID_FILE, LAB_MARKER_FILE, LAB_ROLLING, LAB_TASK_FAILS_FILE, labDown, labExec, labUp, labVmIds } from '../../src/lab/index.ts';
import type { JobRecord } from '../../src/jobs/types.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { hasf } from '../helpers/cli.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { waitForState } from '../helpers/jobs.ts';
import { spawnWorker } from '../helpers/worker-process.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { blocksText, buttonPressBody, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

// Its own lab (the second lab's names), in the tidy shape: every VM can live-migrate, so
// "no VM ever stopped" is a fair demand on a rolling maintenance with three reboots.
const PREFIX = process.env.HASF_TEST_LAB2_PREFIX || 'hasfl';
const SUBNET = process.env.HASF_TEST_LAB2_SUBNET || '10.231.8';
const NODES = ['node1', 'node2', 'node3'];

describe('cluster.rolling on the lab: drain, task, reboot, back, node by node; pause, resume, abort from every door', { skip: isRoot() ? false : 'needs root (the lab)', timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-rolling-'));
  let h: Harness;
  let api: RunningApi;
  let worker: RunningWorker;
  let rec: SlackRecorder;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  let app: ReturnType<typeof createApiApp>;
  const lab = { dir };
  const cli = (who: keyof Harness['tokens']) => ({ HASF_API_URL: api.url, HASF_TOKEN: h.tokens[who] });

  /**
   * crm_mon as the DC sees it: the DC's CIB is what the cluster knows. Nodes reboot
   * underneath us, and a node that has just booted reports every resource Stopped until
   * it has joined; so a view counts only from the node that says it is the DC (undefined
   * during an election).
   */
  async function crmMon(): Promise<ClusterStatus | undefined> {
    for (const n of NODES) {
      const r = await labExec(lab, n, ['crm_mon', '--output-as=xml'], { timeoutMs: 5000 }).catch(() => undefined);
      if (r?.exitCode !== 0) continue;
      const s = parseCrmMonXml(r.stdout);
      if (s.dcNode === n && s.quorum.hasQuorum) return s;
    }
    return undefined;
  }
  const onNode = async (node: string, argv: string[]) => (await labExec(lab, node, argv, { timeoutMs: 10_000 })).stdout.trim();
  const bootIds = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await onNode(n, ['cat', LAB_BOOT_ID_FILE])])));
  const markers = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await onNode(n, ['sh', '-c', `cat ${LAB_MARKER_FILE} 2>/dev/null || true`])])));

  /**
   * crm_mon every second for as long as the test runs: each VM must be active on some node
   * in every sample (a live migration shows it on its source until it is on its target).
   */
  const sampler = { samples: 0, noDc: 0, stopped: [] as string[], running: true, done: Promise.resolve() };
  function startSampling() {
    sampler.done = (async () => {
      while (sampler.running) {
        const t = Date.now();
        const s = await crmMon();
        if (!s) sampler.noDc++;
        if (s) {
          sampler.samples++;
          const vms = new Map(s.resources.map((r) => [r.id, r]));
          for (const vm of labVmIds()) {
            const r = vms.get(vm);
            if (!r?.active || r.nodes.length === 0) sampler.stopped.push(`${new Date().toISOString()} ${vm} ${r?.role ?? 'missing'}`);
          }
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t))));
      }
    })();
  }

  const job = async (id: string) => (await h.services.store.get(id))!;
  /** Wait until the job's checkpoint has reached `node` (and, when given, one of `phases`). */
  async function waitForNode(id: string, node: string, phases?: string[], timeoutMs = 120_000): Promise<JobRecord> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const j = await job(id);
      if (j.checkpoint.node === node && (!phases || phases.includes(String(j.checkpoint.phase)))) return j;
      if (Date.now() > end || ['failed', 'succeeded'].includes(j.state)) throw new Error(`job ${id} never reached ${node} ${phases ?? ''}: ${j.state} ${JSON.stringify(j.checkpoint)} ${JSON.stringify(j.error ?? '')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const press = (user: string, actionId: string, jobId: string) =>
    postSigned(srv.url, h.config.slack.signingSecret!, buttonPressBody({ user, actionId, value: jobId, channel: 'CAPPROVALS', ts: '1700000000.000100', responseUrl: rec.responseUrl() }));
  const rest = (action: string, id: string, who: keyof Harness['tokens']) =>
    request(app).post(`/v1/jobs/${id}/${action}`).set(bearer(h.tokens[who])).send({ comment: `${action} over REST` });
  async function submit(params: Record<string, unknown>, reason: string): Promise<string> {
    const res = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'cluster.rolling', params, reason });
    const body = conforms('createJob', res);
    assert.equal(res.status, 202, res.text);
    conforms('decideJob', await request(app).post(`/v1/jobs/${body.id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' }));
    return body.id as string;
  }

  before(async () => {
    const started = Date.now();
    const info = await labUp({ dir, prefix: PREFIX, subnet: SUBNET, shape: 'tidy', migrationTimeMs: 500, rebootDelayMs: 1000 });
    rec = await startSlackRecorder();
    h = await startHarness({ clusters: info.inventory.clusters, storage: info.inventory.storage, rolling: LAB_ROLLING, slack: slackTestConfig(rec) }, { lab: false });
    app = createApiApp(h.services);
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    worker = await startWorker(h.services, { onError: () => {} });
    door = createSlackDoor(h.services, { log: (m) => console.error(`[slack] ${m}`) });
    await door.start();
    srv = await serveDoor(door);
    console.error(`[rolling] lab and services up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    startSampling();
  });
  after(async () => {
    sampler.running = false;
    await sampler.done;
    await srv?.close();
    await door?.close();
    await worker?.close().catch(() => undefined);
    await api?.close();
    await h?.stop();
    await rec?.close();
    await labDown({ dir, prefix: PREFIX });
    rmSync(dir, { recursive: true, force: true });
  });

  test('a dry run lists every step of every node and the predicted drains; an unknown task is refused with the configured names', async () => {
    const res = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'cluster.rolling', params: { task: 'marker' }, reason: 'plan it', dryRun: true });
    const body = conforms('createJob', res);
    assert.equal(res.status, 200, res.text);
    const plan = body.plan;
    assert.match(plan.summary, /node1, node2, node3/);
    for (const n of NODES) {
      assert.ok(plan.commands.some((c: { host: string; argv: string[] }) => c.host === n && c.argv.join(' ') === 'hasf-lab-reboot'), `clean reboot on ${n}`);
      assert.ok(plan.commands.some((c: { argv: string[] }) => c.argv.includes('standby') && c.argv.includes(n)), `standby of ${n}`);
      assert.ok(plan.prediction.actions.some((a: { text: string }) => a.text.startsWith(`${n} standby: `) && /migrate/.test(a.text)), `predicted drain of ${n}`);
    }
    assert.ok(plan.warnings.some((w: string) => w.includes('1. node1:') && w.includes('3. node3:')), plan.warnings.join('\n'));

    const bad = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'cluster.rolling', params: { task: 'makrer' }, reason: 'typo' });
    const problem = conforms('createJob', bad);
    assert.equal(bad.status, 422);
    assert.equal(problem.code, 'UNKNOWN_TASK');
    assert.match(problem.detail ?? problem.message ?? JSON.stringify(problem), /marker/);
  });

  test('three nodes with the marker task and a clean reboot: no VM ever stops, each node gets the marker and reboots; paused and resumed between nodes (REST, Slack, CLI)', async () => {
    const bootBefore = await bootIds();
    const since = Date.now();
    // Requested in Slack, so the job has its live message there.
    const r = await postSigned(srv.url, h.config.slack.signingSecret!, slashCommandBody({ user: 'UOPERAT01', text: 'rolling marker --reason "monthly patch night" --ticket CHG900', responseUrl: rec.responseUrl('roll1') }));
    assert.equal(r.status, 200);
    await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'roll1', 60_000, 'the answer to /hasf rolling');
    const id = (await h.services.jobs.list({ operation: 'cluster.rolling', requester: 'otto' })).jobs[0]!.id;
    assert.equal((await job(id)).state, 'awaiting_approval');
    conforms('decideJob', await request(app).post(`/v1/jobs/${id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' }));
    const follow = hasf(['job', id, '--follow'], cli('vera'), 600_000);

    // REST: pause while node1 is being worked on; it finishes node1, then holds.
    await waitForNode(id, 'node1', ['task', 'reboot', 'back']);
    const paused1 = conforms('pauseJob', await rest('pause', id, 'otto'));
    assert.equal(paused1.state, 'running');
    assert.equal(paused1.control.pause.by, 'otto');
    const held = await waitForState(h, id, ['paused'], 180_000);
    assert.deepEqual(held.checkpoint.done, ['node1']);
    // Held between nodes, the cluster is whole again: judged by crm_mon and the nodes' files.
    const mid = (await crmMon())!;
    for (const n of NODES) assert.ok(mid.nodes.find((x) => x.name === n)?.online && !mid.nodes.find((x) => x.name === n)?.standby, `${n} online, not standby while paused`);
    const m1 = await markers();
    assert.ok(m1.node1, 'node1 has its marker');
    assert.equal(m1.node2, '');
    assert.notEqual((await bootIds()).node1, bootBefore.node1, 'node1 rebooted');
    // The Slack message shows the pause and offers Resume.
    const ts = (await job(id)).slack!.ts!;
    await rec.waitFor((c) => c.method === 'chat.update' && c.args.ts === ts && blocksText(c.args).includes('Paused') && JSON.stringify(c.args.blocks).includes('hasf_resume'), 15_000, 'the message showing Paused with a Resume button');
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal((await job(id)).state, 'paused', 'it stays paused');

    // Slack: Resume button (an approver).
    const pr = await press('UAPPROV01', 'hasf_resume', id);
    assert.equal(pr.status, 200);
    await rec.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'UAPPROV01' && /resumed/.test(blocksText(c.args)), 10_000, 'the resume confirmation');

    // CLI: pause while node2 is being worked on, then resume from the CLI too... after REST.
    await waitForNode(id, 'node2', ['drain', 'task', 'reboot', 'back']);
    const p2 = await hasf(['job', 'pause', id, '--comment', 'look at node2 first'], cli('otto'));
    assert.equal(p2.code, 0, p2.stderr);
    assert.match(p2.stdout, new RegExp(`Pause asked for ${id}: now running`));
    const held2 = await waitForState(h, id, ['paused'], 180_000);
    assert.deepEqual(held2.checkpoint.done, ['node1', 'node2']);
    const r2 = conforms('resumeJob', await rest('resume', id, 'anna'));
    assert.equal(r2.state, 'running');

    const done = await waitForState(h, id, ['succeeded', 'failed'], 300_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.match(done.result!.summary, /done on node1, node2, node3/);

    // What the nodes show: every one has its marker, written during this job, and a new boot id.
    const after = await bootIds();
    const m = await markers();
    for (const n of NODES) {
      assert.notEqual(after[n], bootBefore[n], `${n} rebooted`);
      assert.ok(Number(m[n]) / 1e6 >= since - 1000, `${n} got its marker during the job (${m[n]})`);
    }
    const end = (await crmMon())!;
    for (const n of end.nodes) assert.ok(n.online && !n.standby, `${n.name} online and not in standby at the end`);
    for (const vm of labVmIds()) assert.ok(end.resources.find((x) => x.id === vm)?.active, `${vm} running at the end`);
    console.error(`[rolling] crm_mon sampled ${sampler.samples} times (${sampler.noDc} moments without a DC to ask)`);
    assert.ok(sampler.samples > 30, `sampled ${sampler.samples} times`);
    assert.deepEqual(sampler.stopped, [], 'no VM was ever seen stopped');

    // `hasf job --follow` showed it node by node, the pauses included.
    const f = await follow;
    assert.equal(f.code, 0, f.stderr);
    for (const n of NODES) assert.match(f.stdout, new RegExp(`${n}: task`));
    assert.match(f.stdout, /running → paused/);
    assert.match(f.stdout, /paused → running/);
    assert.match(f.stdout, /pause asked for by otto \(rest\)/);
    assert.match(f.stdout, /→ succeeded/);

    // The audit log names who paused and resumed, and through which door.
    const controls = (await h.services.audit.query({ jobId: id, event: 'job.control' })).records.map((e) => {
      const d = e.details as { action: string; comment?: string };
      return `${d.action}:${e.actor}:${e.channel}:${d.comment ?? ''}`;
    });
    // (The CLI is a REST client: its requests are the rest door's, with its comment.)
    assert.deepEqual(controls, ['pause:otto:rest:pause over REST', 'resume:anna:slack:', 'pause:otto:rest:look at node2 first', 'resume:anna:rest:resume over REST']);
  });

  test('an injected task failure on node2 stops the job there: node2 stays in standby, node3 is not touched, the result says so', async () => {
    await onNode('node2', ['touch', LAB_TASK_FAILS_FILE]);
    const before3 = { boot: (await bootIds()).node3, marker: (await markers()).node3 };
    const id = await submit({ task: 'marker', nodes: ['node2', 'node3'] }, 'failure drill');
    const done = await waitForState(h, id, ['succeeded', 'failed'], 180_000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error!.code, 'TASK_FAILED');
    assert.match(done.error!.message, /at node2, phase task/);
    assert.match(done.error!.message, /injected failure/);
    assert.match(done.error!.message, /node2 is left in standby/);
    assert.match(done.error!.message, /not touched: node3/);
    const body = conforms('getJob', await request(app).get(`/v1/jobs/${id}`).set(bearer(h.tokens.vera)));
    assert.deepEqual(body.result.details.stoppedAt, { node: 'node2', phase: 'task' });
    assert.deepEqual(body.result.details.untouched, ['node3']);
    // Judged by crm_mon and node3's own files.
    const s = (await crmMon())!;
    assert.equal(s.nodes.find((n) => n.name === 'node2')!.standby, true, 'node2 in standby');
    assert.equal(s.nodes.find((n) => n.name === 'node3')!.standby, false);
    assert.deepEqual({ boot: (await bootIds()).node3, marker: (await markers()).node3 }, before3, 'node3 untouched');
    for (const vm of labVmIds()) assert.ok(s.resources.find((x) => x.id === vm)?.active, `${vm} still running`);

    // Back to a whole cluster for what follows.
    await onNode('node2', ['rm', '-f', LAB_TASK_FAILS_FILE]);
    await labExec(lab, 'node2', ['crm_attribute', '--node', 'node2', '--name', 'standby', '--update', 'off']);
    for (let i = 0; i < 60; i++) {
      const st = await crmMon();
      if (st && !st.nodes.find((n) => n.name === 'node2')!.standby && st.resources.every((r) => r.role !== 'Migrating')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  test('pause (Slack), resume (CLI), abort (REST) of a run without reboot: it ends after the node in progress, the rest untouched', async () => {
    const id = await submit({ task: 'marker', nodes: ['node1', 'node2', 'node3'], reboot: 'none' }, 'abort drill');
    const boot = await bootIds();
    await waitForNode(id, 'node1');
    assert.equal((await press('UOPERAT01', 'hasf_pause', id)).status, 200);
    const held = await waitForState(h, id, ['paused'], 120_000);
    assert.deepEqual(held.checkpoint.done, ['node1']);
    const res = await hasf(['job', 'resume', id], cli('otto'));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`Resumed ${id}: now running`));
    await waitForNode(id, 'node2');
    const ab = conforms('abortJob', await rest('abort', id, 'ada'));
    assert.equal(ab.control.abort.by, 'ada');
    const done = await waitForState(h, id, ['failed', 'succeeded'], 120_000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error!.code, 'JOB_ABORTED');
    assert.deepEqual(done.result!.details!.done, ['node1', 'node2']);
    assert.deepEqual(done.result!.details!.untouched, ['node3']);
    assert.deepEqual(await bootIds(), boot, 'no reboot was asked for');
    const s = (await crmMon())!;
    for (const n of s.nodes) assert.ok(n.online && !n.standby, `${n.name} back in service`);
  });

  test('pause (CLI) before it starts, then abort (Slack): it holds before its first node and ends without touching it', async () => {
    const marker = (await markers()).node3;
    const res = await request(app).post('/v1/jobs').set(bearer(h.tokens.otto)).send({ operation: 'cluster.rolling', params: { task: 'marker', nodes: ['node3'], reboot: 'none' }, reason: 'abort before start' });
    const id = conforms('createJob', res).id as string;
    const p = await hasf(['job', 'pause', id], cli('otto'));
    assert.equal(p.code, 1, 'a pause of a job awaiting approval is refused');
    assert.match(p.stderr, /JOB_NOT_PENDING/);
    // No worker while it is approved and paused, so the pause is asked for before any worker
    // can take the job (a one-node run without reboot takes only seconds once taken).
    await worker.close();
    conforms('decideJob', await request(app).post(`/v1/jobs/${id}/approvals`).set(bearer(h.tokens.anna)).send({ decision: 'approve' }));
    const p2 = await hasf(['job', 'pause', id], cli('otto'));
    assert.equal(p2.code, 0, p2.stderr);
    const asked = (await h.services.store.get(id))!;
    assert.equal(asked.state, 'queued');
    assert.ok(asked.control?.pause, 'the pause is recorded on the queued job');
    worker = await startWorker(h.services, { onError: () => {} });
    const held = await waitForState(h, id, ['paused'], 60_000);
    assert.equal(held.checkpoint.node, undefined, 'held before node3');
    // A viewer may not abort (roles as for cancel).
    const denied = await rest('abort', id, 'vera');
    assert.equal(conforms('abortJob', denied).code, 'FORBIDDEN');
    assert.equal((await press('UAPPROV02', 'hasf_abort', id)).status, 200);
    const done = await waitForState(h, id, ['failed'], 30_000);
    assert.equal(done.error!.code, 'JOB_ABORTED');
    assert.match(done.error!.message, /before node3 \(nothing done on it\)/);
    assert.match(done.error!.message, /Aborted by bert \(slack\)/);
    assert.deepEqual(done.result!.details!.untouched, ['node3']);
    assert.equal((await markers()).node3, marker, 'node3 untouched');
    assert.equal((await crmMon())!.nodes.find((n) => n.name === 'node3')!.standby, false);
  });

  test('kill -9 of the worker after the reboot was sent: another worker finishes the node from its checkpoint, without a second reboot', async () => {
    await worker.close();
    const boot = (await bootIds()).node3;
    const victim = await spawnWorker(h, 'victim', (c) => ({ ...c, rolling: LAB_ROLLING }));
    let rescuer: Awaited<ReturnType<typeof spawnWorker>> | undefined;
    try {
      const id = await submit({ task: 'marker', nodes: ['node3'] }, 'crash drill');
      await waitForNode(id, 'node3', ['back']);
      await victim.kill();
      rescuer = await spawnWorker(h, 'rescuer', (c) => ({ ...c, rolling: LAB_ROLLING }));
      const done = await waitForState(h, id, ['succeeded', 'failed'], 240_000);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      assert.ok(done.attempts >= 2, `recovered (attempts ${done.attempts})`);
      assert.notEqual((await bootIds()).node3, boot, 'node3 rebooted');
      // Exactly one reboot was sent, whatever the crash.
      const starts = (await h.services.audit.query({ jobId: id, event: 'command.start', limit: 1000 })).records.filter((e) => JSON.stringify(e.details).includes('hasf-lab-reboot'));
      assert.equal(starts.length, 1, 'one clean reboot');
      const s = (await crmMon())!;
      assert.ok(s.nodes.every((n) => n.online && !n.standby), 'every node back in service');
    } finally {
      await victim.kill();
      await rescuer?.stop();
    }
  });
});
