import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateToken, hashToken } from '../../src/auth/index.ts';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.ts';

// What a deployment does: a fresh clone, `npm ci && npm run build`, the dev dependencies
// pruned (no tsx, no TypeScript left to load), then `node dist/hasf.js` serves the API and
// runs a worker, and the compiled CLI talks to it. The clone is of the committed HEAD.
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

/** Start `node dist/hasf.js ARGS` in the clone; resolves once `ready` appears on its output. */
async function start(dir: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const env = { ...process.env, NODE_OPTIONS: '', HASF_LOAD_LOG: join(dir, `loaded-${args[0]}.txt`) };
  const child = spawn(process.execPath, ['--import', join(dir, 'load-register.mjs'), join(dir, 'dist/hasf.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const seen = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => reject(new Error(`hasf ${args[0]} exited ${c}:\n${out}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    await seen;
  } finally {
    clearTimeout(timer);
  }
  return { child, output: () => out };
}

async function stop(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(t);
  return code;
}

describe('a fresh clone: npm ci && npm run build, then node dist/hasf.js with no TypeScript loader', { timeout: 900_000 }, () => {
  let dir: string;
  let redis: TestRedis;
  let api: Awaited<ReturnType<typeof start>> | undefined;
  let worker: Awaited<ReturnType<typeof start>> | undefined;
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
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'hasf.yaml'),
      [
        `redis: { url: "${redis.url}", prefix: hasf }`,
        `api: { listen: "127.0.0.1:${port}" }`,
        `audit: { key: test-audit-key-0123456789, file: ${join(dir, 'audit.jsonl')} }`,
        `people: [{ name: ada, roles: [admin], tokenHashes: ["${hashToken(token)}"] }]`,
      ].join('\n'),
    );
  });
  after(async () => {
    await stop(worker?.child);
    await stop(api?.child);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no tsx to load after the prune', () => {
    // (typescript itself stays on disk as an optional peer of valibot, bull-board's; nothing loads it.)
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', 'import.meta.resolve("tsx")'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(r.status, 0, 'tsx is still resolvable in the clone');
    assert.match(r.stderr, /ERR_MODULE_NOT_FOUND|Cannot find package/);
  });

  it('serves the API (openapi.yaml found, requests validated against it) and runs a worker', async () => {
    api = await start(dir, ['serve', '--config', 'hasf.yaml'], /\[serve\] HASF API on/);
    worker = await start(dir, ['worker', '--config', 'hasf.yaml'], /\[worker\] .* serving clusters/);
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
      assert.ok(loaded.some((u) => u.endsWith('/dist/src/cli/main.js')), `${proc}: the build's CLI was not loaded`);
      assert.deepEqual(loaded.filter((u) => /\.[mc]?ts$|\/node_modules\/(tsx|typescript)\//.test(u)), [], `${proc} loaded TypeScript`);
    }
  });

  it('the compiled CLI talks to it, and both processes stop cleanly on SIGTERM', async () => {
    const r = spawnSync(process.execPath, [join(dir, 'dist/hasf.js'), 'audit', 'verify', '--api-url', url, '--token', token, '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
    assert.equal(await stop(worker?.child), 0, worker?.output());
    assert.equal(await stop(api?.child), 0, api?.output());
  });
});
