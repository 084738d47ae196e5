import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateToken, hashToken } from '../../src/auth/index.ts';
import { startHasf, type HasfProcess } from '../helpers/hasf-process.ts';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.ts';
import { blocksText, postSigned, slackTestConfig, slashCommandBody, startSlackRecorder, type SlackRecorder } from '../helpers/slack.ts';

// What a deployment does: a fresh clone, `npm ci && npm run build`, the dev dependencies
// pruned (no tsx, no TypeScript left to load), then `node dist/hasf.js` serves the API and
// runs a worker, its Slack door answers, and the compiled CLI talks to it. What runs is the
// bundle npm run build makes (dist/bundle/). The clone is of the committed HEAD.
const ROOT = join(import.meta.dirname, '..', '..');
const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false' }, timeout: 600_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout?.slice(-3000)}\n${r.stderr?.slice(-3000)}`);
  return r.stdout;
};

// A module hook that writes down every ES module the process loads: none may be TypeScript
// (Node 24 would strip types natively, so "it runs" alone would not prove the build is used).
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.HASF_LOAD_LOG, url + '\\n'); return next(url, context); }`;
const REGISTER = "import { register } from 'node:module'; register('./load-hooks.mjs', import.meta.url);";

/** `node dist/hasf.js ARGS` in the clone, its ES module loads written to loaded-ARG0.txt. */
const startBuilt = (dir: string, args: string[], ready: RegExp): Promise<HasfProcess> =>
  startHasf(args, { ready, cwd: dir, bin: join(dir, 'dist/hasf.js'), nodeArgs: ['--import', join(dir, 'load-register.mjs')], env: { HASF_LOAD_LOG: join(dir, `loaded-${args[0]}.txt`) } });

describe('a fresh clone: npm ci && npm run build, then node dist/hasf.js with no TypeScript loader', { timeout: 900_000 }, () => {
  let dir: string;
  let redis: TestRedis;
  let rec: SlackRecorder;
  let api: HasfProcess | undefined;
  let worker: HasfProcess | undefined;
  const token = generateToken();
  let url: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasf-clone-'));
    sh('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir], ROOT);
    sh('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], dir);
    sh('npm', ['run', 'build'], dir);
    sh('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], dir);
    writeFileSync(join(dir, 'load-hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'load-register.mjs'), REGISTER);
    redis = await startRedis();
    rec = await startSlackRecorder();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'hasf.yaml'),
      [
        `redis: { url: "${redis.url}", prefix: hasf }`,
        `api: { listen: "127.0.0.1:${port}" }`,
        `slack: ${JSON.stringify(slackTestConfig(rec))}`,
        `audit: { key: test-audit-key-0123456789, file: ${join(dir, 'audit.jsonl')} }`,
        `people: [{ name: ada, roles: [admin], slackUserIds: [UADMIN001], tokenHashes: ["${hashToken(token)}"] }]`,
      ].join('\n'),
    );
  });
  after(async () => {
    await worker?.stop();
    await api?.stop();
    await redis?.stop();
    await rec?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no tsx to load after the prune', () => {
    // (typescript itself stays on disk as an optional peer of valibot, bull-board's; nothing loads it.)
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', 'import.meta.resolve("tsx")'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(r.status, 0, 'tsx is still resolvable in the clone');
    assert.match(r.stderr, /ERR_MODULE_NOT_FOUND|Cannot find package/);
  });

  it('serves the API (openapi.yaml found, requests validated against it) and runs a worker', async () => {
    api = await startBuilt(dir, ['serve', '--config', 'hasf.yaml'], /\[serve\] HASF API on/);
    worker = await startBuilt(dir, ['worker', '--config', 'hasf.yaml'], /\[worker\] .* serving clusters/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const spec = await fetch(`${url}/openapi.yaml`);
    assert.equal(spec.status, 200);
    assert.match(await spec.text(), /^openapi: 3\.1/m);
    // Redis reachable and the worker's heartbeat seen.
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const bad = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"operation":"vm.migrate"}' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(((await bad.json()) as { code: string }).code, 'INVALID_INPUT');
    for (const proc of ['serve', 'worker']) {
      const loaded = readFileSync(join(dir, `loaded-${proc}.txt`), 'utf8').trim().split('\n');
      assert.ok(loaded.some((u) => u.endsWith('/dist/bundle/hasf.js')), `${proc}: the bundle was not loaded`);
      assert.deepEqual(loaded.filter((u) => /\.[mc]?ts$|\/node_modules\/(tsx|typescript)\//.test(u)), [], `${proc} loaded TypeScript`);
    }
  });

  it('answers Slack: help in the ack, work after it through response_url (Bolt and its Web API client in the bundle)', async () => {
    const secret = slackTestConfig(rec).signingSecret;
    const help = await postSigned(`${url}/slack/events`, secret, slashCommandBody({ user: 'UADMIN001', text: 'help', responseUrl: rec.responseUrl() }));
    assert.equal(help.status, 200);
    assert.match(blocksText(help.body), /migrate/);
    const r = await postSigned(`${url}/slack/events`, secret, slashCommandBody({ user: 'UADMIN001', text: 'jobs pending', responseUrl: rec.responseUrl('jobs-1') }));
    assert.equal(r.status, 200);
    const call = await rec.waitFor((c) => c.method === 'response_url' && c.args.id === 'jobs-1', 10_000, 'the response_url post');
    assert.match(blocksText(call.args), /Jobs awaiting approval\*: none/);
  });

  it('the compiled CLI talks to it, and both processes stop cleanly on SIGTERM', async () => {
    const r = spawnSync(process.execPath, [join(dir, 'dist/hasf.js'), 'audit', 'verify', '--api-url', url, '--token', token, '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
    assert.equal(await worker?.stop(), 0, worker?.output());
    assert.equal(await api?.stop(), 0, api?.output());
  });
});
