import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkConfigFile, checkConfigStatic } from '../../src/cli/check/index.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { freePort, startRedis } from '../helpers/redis.ts';

const FP = 'SHA256:qzkt7Ayb48KJRFxy98tYAtFjjOooADVdtiAm3DvySt4';
const dir = mkdtempSync(join(tmpdir(), 'hasf-config-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A real key, so the live check gets as far as connecting.
const KEY = join(dir, 'id_ed25519');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', KEY]);

/** A configuration with one pinned and one unpinned node, a typo'd key and a wrong type. */
function badConfig(redisUrl: string, sshPort: number): string {
  return `
redis:
  url: ${redisUrl}
audit:
  key: 0123456789abcdef0123
clusters:
  - name: prod
    nodes:
      - { name: node1, host: 127.0.0.1, port: ${sshPort}, hostKeys: [${FP}], identityFile: ${KEY} }
      - { name: node2, host: 127.0.0.1, port: ${sshPort}, identityFile: ${KEY} }
worker:
  concurency: 4
  lockDurationMs: "30s"
people:
  - { name: alice, roles: [admin] }
`;
}

describe('hasf config check: static', () => {
  const s = checkConfigStatic(badConfig('redis://127.0.0.1:1', 2), { file: '/etc/hasf/hasf.yaml', env: {} });
  const byKey = (k: string) => s.problems.find((p) => p.key === k);

  it('names an unknown key and the closest known one', () => {
    const p = byKey('worker.concurency');
    assert.ok(p, JSON.stringify(s.problems));
    assert.equal(p.problem, 'unknown key');
    assert.match(p.fix, /did you mean worker\.concurrency\?/);
  });

  it('names a wrong type', () => {
    const p = byKey('worker.lockDurationMs');
    assert.ok(p);
    assert.match(p.problem, /expected number, got string/);
  });

  it('names an unpinned host by key and by cluster/node, with the fix', () => {
    const p = byKey('clusters.0.nodes.1.hostKeys');
    assert.ok(p);
    assert.match(p.problem, /no pinned host key \(cluster prod, node node2\)/);
    assert.match(p.fix, /ssh-keygen -lf/);
    assert.equal(byKey('clusters.0.nodes.0.hostKeys'), undefined);
    // Only the pinned node is tried live.
    assert.deepEqual(s.hosts.map((h) => h.host.name), ['node1']);
  });

  it('a host with neither identityFile nor agent, and no SSH_AUTH_SOCK, is named', () => {
    const text = `audit: { key: ${'k'.repeat(20)} }\nclusters: [{ name: c, nodes: [{ name: n1, host: h, hostKeys: [${FP}] }] }]\n`;
    const p = checkConfigStatic(text, { file: 'f', env: {} }).problems.find((x) => x.key === 'clusters.0.nodes.0.identityFile');
    assert.ok(p);
    assert.match(p.problem, /no login key/);
    assert.ok(!checkConfigStatic(text, { file: 'f', env: { SSH_AUTH_SOCK: '/run/agent' } }).problems.some((x) => x.key === 'clusters.0.nodes.0.identityFile'));
  });

  it('environment overrides count, as at start-up', () => {
    const noKey = 'redis: { url: "redis://x:1" }\npeople: [{ name: a, roles: [admin] }]\n';
    assert.ok(checkConfigStatic(noKey, { file: 'f', env: {} }).problems.some((p) => p.key === 'audit.key'));
    assert.ok(!checkConfigStatic(noKey, { file: 'f', env: { HASF_AUDIT_KEY: 'k'.repeat(20) } }).problems.some((p) => p.key === 'audit.key'));
  });

  it('checks the inventory file too, naming its path', () => {
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, 'clusters:\n  - name: lab\n    nodes:\n      - { name: n1, host: 10.0.0.1, hostkeys: [x] }\n');
    const r = checkConfigStatic(`inventoryFile: inventory.yaml\naudit: { key: ${'k'.repeat(20)} }\n`, { file: join(dir, 'hasf.yaml'), env: {} });
    const unknown = r.problems.find((p) => p.key === 'clusters.0.nodes.0.hostkeys');
    assert.ok(unknown, JSON.stringify(r.problems));
    assert.equal(unknown.file, inv);
    assert.match(unknown.fix, /did you mean clusters\.0\.nodes\.0\.hostKeys/);
    assert.ok(r.problems.some((p) => p.file === inv && p.key === 'clusters.0.nodes.0.hostKeys'));
  });

  it('broken YAML is one problem with its line', () => {
    const r = checkConfigStatic('redis:\n  url: [unclosed\n', { file: 'f', env: {} });
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!.problem, /not valid YAML/);
  });
});

describe('hasf config check: live and through the CLI', () => {
  it('a live Redis passes; a closed SSH port and a dead Redis are reported with their keys', async () => {
    const redis = await startRedis();
    try {
      const sshPort = await freePort();
      const good = join(dir, 'live.yaml');
      writeFileSync(good, badConfig(redis.url, sshPort));
      const r = await checkConfigFile(good, { env: {}, timeoutMs: 2000 });
      assert.ok(r.passed.some((c) => c.what === 'redis'), JSON.stringify(r));
      const ssh = r.problems.find((p) => p.key.startsWith('clusters.0.nodes.0'));
      assert.ok(ssh, JSON.stringify(r.problems));
      assert.match(ssh.problem, /cluster prod, node node1 unreachable \(SSH_CONNECT_FAILED\)/);
      assert.equal(r.ok, false);

      const deadPort = await freePort();
      const dead = join(dir, 'dead.yaml');
      writeFileSync(dead, badConfig(`redis://127.0.0.1:${deadPort}`, sshPort));
      const d = await checkConfigFile(dead, { env: {}, timeoutMs: 2000 });
      assert.ok(d.problems.some((p) => p.key === 'redis.url' && /unreachable/.test(p.problem)), JSON.stringify(d.problems));
    } finally {
      await redis.stop();
    }
  });

  it('`hasf config check` prints each problem with its key and exits 1; a clean file exits 0', async () => {
    const file = join(dir, 'cli.yaml');
    writeFileSync(file, badConfig('redis://127.0.0.1:1', 2));
    const out: string[] = [];
    const io: CliIo = { out: (t) => out.push(t), raw: () => undefined, err: (t) => out.push(t), progress: () => undefined, isTTY: false, env: {}, cwd: dir };
    assert.equal(await main(['config', 'check', '--config', file, '--offline'], io), EXIT.FAILED);
    const text = out.join('\n');
    assert.match(text, /ERROR +worker\.concurency: unknown key/);
    assert.match(text, /ERROR +clusters\.0\.nodes\.1\.hostKeys: no pinned host key/);
    assert.match(text, /fix: /);

    const clean = join(dir, 'clean.yaml');
    writeFileSync(clean, `audit: { key: ${'k'.repeat(20)} }\npeople: [{ name: a, roles: [admin] }]\n`);
    out.length = 0;
    assert.equal(await main(['config', 'check', '--config', clean, '--offline'], io), EXIT.OK, out.join('\n'));
    assert.equal(await main(['config', 'check', '--config', clean, 'extra'], io), EXIT.USAGE);
  });
});
