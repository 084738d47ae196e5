import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { hashToken } from '../../src/auth/index.ts';
import { notRootMessage, startCommand } from '../../src/cli/commands/start.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { parseConfig } from '../../src/config/index.ts';
import { demoConfig, demoPaths, loadOrCreateCredentials, startDemoRedis, startSlackSink, writeDemoConfig, DEMO_PEOPLE } from '../../src/demo/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'hasf-start-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('hasf start without root', () => {
  it('says the lab needs root and how to run against a real cluster; exit 1', async () => {
    const err: string[] = [];
    const io: CliIo = { out: () => undefined, raw: () => undefined, err: (t) => err.push(t), progress: () => undefined, isTTY: false, env: {}, cwd: dir };
    assert.equal(await startCommand([], io, { isRoot: () => false }), EXIT.FAILED);
    assert.equal(err.join('\n'), notRootMessage());
    assert.match(notRootMessage(), /needs root/);
    assert.match(notRootMessage(), /serve --config FILE/);
    assert.match(notRootMessage(), /worker --config FILE/);
    // Nothing was created: the refusal comes before any side effect.
    assert.equal(existsSync(join(dir, 'var')), false);
  });

  // The real thing: the real command as a real unprivileged user.
  const canDrop = process.getuid?.() === 0 && spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']).status === 0;
  it('as the user nobody, `node bin/hasf.js start` prints the root message and exits 1', { skip: canDrop ? false : 'needs root and setpriv to run as nobody' }, () => {
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, join(ROOT, 'bin/hasf.js'), 'start'], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /the lab needs root/);
    assert.match(r.stderr, /hasf\.js serve --config FILE/);
  });
});

describe('demo parts', () => {
  it('credentials are created once (mode 0600) and reused', () => {
    const file = join(dir, 'credentials.json');
    const a = loadOrCreateCredentials(file, 'http://127.0.0.1:8080');
    assert.equal(a.created, true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const b = loadOrCreateCredentials(file, 'http://127.0.0.1:8081');
    assert.equal(b.created, false);
    assert.deepEqual(b.credentials.people, a.credentials.people);
    assert.equal(b.credentials.server.auditKey, a.credentials.server.auditKey);
    assert.equal(b.credentials.apiUrl, 'http://127.0.0.1:8081');
    const roles = a.credentials.people.flatMap((p) => p.roles);
    for (const r of ['viewer', 'operator', 'admin']) assert.ok(roles.includes(r as never));
    assert.equal(roles.filter((r) => r === 'approver').length, 2);
    writeFileSync(file, '{"people": []}');
    assert.throws(() => loadOrCreateCredentials(file, 'http://x:1'), /Delete the file/);
  });

  it('the demo configuration is valid, holds only token hashes, and points at the inventory', async () => {
    const paths = demoPaths(join(dir, 'demo'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(paths.dir, { recursive: true });
    const inv = join(paths.dir, 'inventory.yaml');
    writeFileSync(inv, `clusters:\n  - name: lab\n    nodes:\n      - { name: node1, host: 10.231.7.11, hostKeys: [SHA256:qzkt7Ayb48KJRFxy98tYAtFjjOooADVdtiAm3DvySt4] }\n`);
    const { credentials } = loadOrCreateCredentials(paths.credentialsFile, 'http://127.0.0.1:8080');
    const cfg = writeDemoConfig(paths.configFile, demoConfig({ paths, inventoryFile: inv, redisUrl: 'redis://127.0.0.1:6399', listen: '127.0.0.1:8080', credentials, slackApiUrl: 'http://127.0.0.1:9/api/' }));
    const text = readFileSync(paths.configFile, 'utf8');
    for (const p of credentials.people) {
      assert.equal(text.includes(p.token), false, 'a plain token leaked into the configuration');
      assert.deepEqual(cfg.people.find((x) => x.name === p.name)!.tokenHashes, [hashToken(p.token)]);
    }
    assert.deepEqual(cfg.people.map((p) => p.name), DEMO_PEOPLE.map((p) => p.name));
    assert.equal(cfg.clusters[0]!.name, 'lab');
    assert.equal(cfg.audit.file, paths.auditFile);
    assert.deepEqual(cfg.callbacks.allowedHosts, ['127.0.0.1', 'localhost']);
    assert.equal(cfg.slack.enabled, true);
    assert.equal(cfg.slack.signingSecret, credentials.slackSigningSecret);
    // What every process does at start-up with it:
    assert.doesNotThrow(() => parseConfig(text, { file: paths.configFile, env: {} }));
  });

  it('the demo Redis runs with AOF and appendfsync always, in its own dir, and stops', async () => {
    const redisDir = join(dir, 'redis');
    const r = await startDemoRedis({ dir: redisDir });
    const c = new Redis(r.url, { maxRetriesPerRequest: 1 });
    try {
      assert.equal(await c.ping(), 'PONG');
      assert.deepEqual(await c.config('GET', 'appendonly'), ['appendonly', 'yes']);
      assert.deepEqual(await c.config('GET', 'appendfsync'), ['appendfsync', 'always']);
      assert.deepEqual(await c.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'noeviction']);
      assert.deepEqual(await c.config('GET', 'bind'), ['bind', '127.0.0.1']);
      await c.set('k', 'v');
    } finally {
      c.disconnect();
      await r.stop();
    }
    assert.throws(() => process.kill(r.pid, 0));
    // The data survives a restart (AOF).
    const again = await startDemoRedis({ dir: redisDir });
    const c2 = new Redis(again.url, { maxRetriesPerRequest: 1 });
    try {
      assert.equal(await c2.get('k'), 'v');
    } finally {
      c2.disconnect();
      await again.stop();
    }
  });

  it('the Slack sink answers ok and records what the bot would post', async () => {
    const log = join(dir, 'slack.jsonl');
    const sink = await startSlackSink(log);
    try {
      const res = await fetch(`${sink.apiUrl}chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-x' }, body: JSON.stringify({ channel: 'C1', text: 'approve?' }) });
      const body = (await res.json()) as { ok: boolean; ts: string };
      assert.equal(body.ok, true);
      assert.match(body.ts, /^\d+\.\d{6}$/);
      const rec = JSON.parse(readFileSync(log, 'utf8').trim()) as { method: string; text: string };
      assert.equal(rec.method, 'chat.postMessage');
      assert.equal(rec.text, 'approve?');
    } finally {
      await sink.close();
    }
  });
});
