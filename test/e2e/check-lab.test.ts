import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startApiServer, type RunningApi } from '../../src/api/index.ts';
import { labHeal, labHideHost, labSkewClock, SEED } from '../../src/lab/index.ts';
import type { CheckReport, Finding } from '../../src/operations/check/index.ts';
import { createSlackDoor, type SlackDoor } from '../../src/slack/index.ts';
import { bearer, conforms } from '../helpers/api.ts';
import { hasf } from '../helpers/cli.ts';
import { labDir, NO_LAB, startHarness, type Harness } from '../helpers/harness.ts';
import { labCrmMon, labSsh } from '../helpers/lab-check.ts';
import { blocksText, postSigned, serveDoor, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

const dir = labDir();
const INJECTED = ['CLOCK_SKEW', 'NAME_UNRESOLVED', 'FAILED_ACTION', 'LEFTOVER_CONSTRAINT', 'MAINTENANCE_MODE'];
// The lab's own shape may carry findings of these kinds on other objects: only ours count.
const OURS = [/^CLOCK_SKEW node2$/, /^NAME_UNRESOLVED node3$/, /^FAILED_ACTION vm3$/, /^LEFTOVER_CONSTRAINT cli-ban-vm4-on-/, /^MAINTENANCE_MODE cluster$/];
const injectedIn = (r: CheckReport) => r.findings.map((f) => `${f.code} ${f.subject}`).filter((k) => OURS.some((re) => re.test(k)));

// cluster.check on the real lab: five faults injected with the real tools (libfaketime in
// node2's SSH sessions, node3's /etc/hosts without node1, crm_resource --fail and --ban,
// maintenance-mode), each confirmed independently on the nodes, then found by the check
// through REST, the CLI and Slack — each named with its fix — and gone once healed.
describe('cluster.check on the lab', { skip: dir ? false : NO_LAB, timeout: 300_000 }, () => {
  let h: Harness;
  let api: RunningApi;
  let rec: SlackRecorder;
  let door: SlackDoor;
  let srv: { url: string; close(): Promise<void> };
  let banned = '';
  const ssh = (node: string, argv: string[]) => labSsh(dir!, node, argv);
  const check = async (): Promise<CheckReport> => conforms('clusterCheck', await request(api.url).get('/v1/clusters/lab/check').set(bearer(h.tokens.vera)));
  const settle = () => ssh('node1', ['crm_resource', '--wait', '--timeout', '120s']);

  async function heal(): Promise<void> {
    for (const n of ['node1', 'node2', 'node3']) await labHeal({ dir: dir! }, n);
    ssh('node1', ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete']);
    // Out of maintenance the cluster re-probes everything: let it, before cleaning up.
    settle();
    ssh('node1', ['crm_resource', '--clear', '--resource', 'vm4']);
    ssh('node1', ['crm_resource', '--cleanup', '--resource', 'vm3']);
    settle();
  }

  before(async () => {
    rec = await startSlackRecorder();
    h = await startHarness({ slack: slackTestConfig(rec) });
    api = await startApiServer(h.services, { listen: '127.0.0.1:0' });
    door = createSlackDoor(h.services, { log: (m) => console.error(`[slack] ${m}`) });
    await door.start();
    srv = await serveDoor(door);
  });
  after(async () => {
    if (dir) await heal().catch((e) => console.error(`heal: ${(e as Error).message}`));
    await srv?.close();
    await door?.close();
    await api?.close();
    await h?.stop();
    await rec?.close();
  });

  test('the five faults, injected and confirmed on the nodes, are each found with their fix', async () => {
    const before = await check();
    assert.deepEqual(injectedIn(before), [], 'none of them before');
    // What the lab's seed shape has, the check finds too: legacy-app's start failed on node2.
    const shapeFailure = before.findings.find((f) => f.code === 'FAILED_ACTION' && f.subject === SEED.failed.resource);
    assert.equal(shapeFailure?.details?.node, SEED.failed.node, JSON.stringify(before.findings.map((f) => `${f.code} ${f.subject}`)));
    assert.equal(before.nodes.length, 3);

    await labSkewClock({ dir: dir! }, 'node2', 10);
    await labHideHost({ dir: dir! }, 'node3', 'node1');
    const vm3At = labCrmMon(dir!).resources.find((r) => r.id === 'vm3')!.nodes[0]!;
    ssh('node1', ['crm_resource', '--fail', '--resource', 'vm3', '--node', vm3At]);
    banned = labCrmMon(dir!).resources.find((r) => r.id === 'vm4')!.nodes[0]!;
    ssh('node1', ['crm_resource', '--ban', '--resource', 'vm4', '--node', banned]);
    settle();
    ssh('node1', ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--update', 'true']);

    // Each fault as the real tools on the nodes show it, not as HASF reads it.
    const skew = Number(ssh('node2', ['date', '+%s'])) - Number(ssh('node1', ['date', '+%s']));
    assert.ok(skew >= 9 && skew <= 11, `node2 is ${skew} s ahead`);
    assert.throws(() => ssh('node3', ['getent', 'hosts', 'node1']), 'node3 cannot resolve node1');
    assert.match(ssh('node2', ['getent', 'hosts', 'node1']), /node1/);
    assert.match(ssh('node1', ['crm_mon', '-1', '--output-as=xml']), /<failure [^>]*op_key="vm3_/);
    assert.match(ssh('node1', ['cibadmin', '-Q', '-o', 'constraints']), new RegExp(`id="cli-ban-vm4-on-${banned}"`));
    assert.match(ssh('node1', ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--query']), /value=true/);

    const r = await check();
    const one = (code: string, subject?: string): Finding => {
      const f = r.findings.filter((x) => x.code === code && (!subject || x.subject === subject));
      assert.equal(f.length, 1, `${code} ${subject ?? ''}: ${JSON.stringify(r.findings.map((x) => `${x.code} ${x.subject}`))}`);
      return f[0]!;
    };
    const clock = one('CLOCK_SKEW', 'node2');
    assert.match(clock.message, /node2's clock is (9\.\d|10\.\d) s ahead of the other nodes' \(node1, node3\)/);
    assert.equal(clock.fix.on, 'node2');
    assert.match(clock.fix.summary, /NTP/);
    const name = one('NAME_UNRESOLVED', 'node3');
    const node1Address = h.config.clusters[0]!.nodes.find((n) => n.name === 'node1')!.host;
    assert.equal(name.fix.summary, `Add "${node1Address} node1" to /etc/hosts on node3 (or fix its DNS).`);
    const failed = one('FAILED_ACTION', 'vm3');
    assert.equal(failed.fix.hasf, 'cleanup vm3');
    assert.deepEqual(failed.fix.argv, ['crm_resource', '--cleanup', '--resource', 'vm3', '--node', vm3At]);
    const ban = one('LEFTOVER_CONSTRAINT', `cli-ban-vm4-on-${banned}`);
    assert.deepEqual(ban.fix.argv, ['crm_resource', '--clear', '--resource', 'vm4']);
    const mm = one('MAINTENANCE_MODE', 'cluster');
    assert.deepEqual(mm.fix.argv, ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete']);
    assert.equal(r.ok, !r.findings.some((f) => f.severity === 'critical'));
    for (const n of r.nodes) assert.ok(n.reachable && n.clock && n.clock.uncertaintyMs < 500, JSON.stringify(n));

    // The CLI: the same findings as text, exit 1 (problems found).
    const cli = await hasf(['check', 'lab'], { HASF_API_URL: api.url, HASF_TOKEN: h.tokens.vera });
    assert.equal(cli.code, 1, cli.stderr);
    for (const code of INJECTED) assert.match(cli.stdout, new RegExp(`\\b${code}\\b`));
    assert.match(cli.stdout, /hasf: hasf cleanup vm3/);
    assert.match(cli.stdout, /run: {2}crm_resource --clear --resource vm4 {3}\(on any node\)/);

    // Slack: /hasf check, answered through response_url.
    const id = `r${Math.random().toString(36).slice(2)}`;
    const sent = await postSigned(srv.url, h.config.slack.signingSecret!, slashCommandBody({ user: 'UVIEWER01', text: 'check', responseUrl: rec.responseUrl(id) }));
    assert.equal(sent.status, 200);
    const answer = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === id, 60_000, 'the answer to /hasf check');
    const text = blocksText(answer.args);
    for (const code of INJECTED) assert.ok(text.includes(code), `${code} in ${text}`);
    assert.ok(text.includes('`/hasf cleanup vm3`'), text);
  });

  test('healed, the check finds none of them again', async () => {
    await heal();
    const r = await check();
    assert.deepEqual(injectedIn(r), [], JSON.stringify(r.findings.map((f) => `${f.code} ${f.subject}: ${f.message}`)));
    const cli = await hasf(['check', '--json'], { HASF_API_URL: api.url, HASF_TOKEN: h.tokens.vera });
    const report = JSON.parse(cli.stdout) as CheckReport;
    assert.equal(report.cluster, 'lab');
    assert.equal(cli.code, report.counts.critical + report.counts.warning > 0 ? 1 : 0);
  });

  test('an unknown cluster is a 404 problem before any command; a viewer may check, no token may not', async () => {
    const res = await request(api.url).get('/v1/clusters/nope/check').set(bearer(h.tokens.vera));
    assert.equal(conforms('clusterCheck', res).code, 'UNKNOWN_CLUSTER');
    assert.equal((await request(api.url).get('/v1/clusters/lab/check')).status, 401);
  });
});
