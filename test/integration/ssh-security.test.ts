import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { freePort } from '../helpers/redis.ts';
import { SshPool, type HostSpec, type SshLogger } from '../../src/ssh/index.ts';

let sshd: TestSshd;
let base: HostSpec;
let other: { fp: string; pub: string };

before(async () => {
  sshd = await startSshd();
  base = { name: 'node1', host: sshd.host, port: sshd.port, identityFile: sshd.identityFile };
  // Another real host key: what an impostor (or a reinstalled host) would offer.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshd.dir, 'impostor')]);
  const pub = readFileSync(join(sshd.dir, 'impostor.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(sshd.dir, 'impostor.pub')]).toString().split(' ')[1]!;
  other = { fp, pub };
});
after(async () => {
  await sshd.stop();
});

/** A pool that records its retry log lines, so tests can count connection attempts. */
function pool(o: ConstructorParameters<typeof SshPool>[0] = {}) {
  const retries: Record<string, unknown>[] = [];
  const logger: SshLogger = { debug() {}, warn: (f, msg) => void (msg.includes('retrying') && retries.push(f)) };
  return { pool: new SshPool({ backoffMs: 20, ...o, logger }), retries };
}

/** How many logins sshd accepted so far. */
const logins = () => sshd.log().split('Accepted publickey').length - 1;

/** Run `touch marker` through a pool for `spec`; return the error and whether the marker exists. */
async function tryTouch(spec: HostSpec, name: string) {
  const { pool: p, retries } = pool({ connectAttempts: 3 });
  const marker = join(sshd.dir, `marker-${name}`);
  const loginsBefore = logins();
  try {
    const err = await p.executor(spec).run(['touch', marker]).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: Record<string, unknown> },
    );
    return { err, ran: existsSync(marker), retries: retries.length, loggedIn: logins() - loginsBefore, connects: p.stats().connects };
  } finally {
    await p.close();
  }
}

test('a correctly pinned fingerprint connects and runs', async () => {
  const r = await tryTouch({ ...base, hostKeys: [other.fp, sshd.hostKeyFingerprint] }, 'ok');
  assert.equal(r.err, undefined);
  assert.equal(r.ran, true);
  assert.equal(r.loggedIn, 1);
});

test('a wrong pinned fingerprint is HOST_KEY_MISMATCH naming host and offered key; nothing ran, no login, no retry', async () => {
  const r = await tryTouch({ ...base, hostKeys: [other.fp] }, 'wrongfp');
  assert.equal(r.err?.code, 'HOST_KEY_MISMATCH');
  assert.equal(r.err?.details.offeredFingerprint, sshd.hostKeyFingerprint);
  assert.equal(r.err?.details.host, 'node1');
  assert.equal(r.err?.details.reason, 'mismatch');
  assert.ok(r.err?.message.includes(sshd.hostKeyFingerprint));
  assert.ok(r.err?.message.includes('node1'));
  assert.equal(r.ran, false);
  assert.equal(r.loggedIn, 0, 'our credentials were never offered');
  assert.equal(r.retries, 0);
  assert.equal(r.connects, 0);
});

test('a known_hosts file holding another key for [host]:port is HOST_KEY_MISMATCH; nothing ran', async () => {
  const kh = join(sshd.dir, 'kh-other');
  writeFileSync(kh, `[${sshd.host}]:${sshd.port} ${other.pub}\n`);
  const r = await tryTouch({ ...base, knownHostsFile: kh }, 'khother');
  assert.equal(r.err?.code, 'HOST_KEY_MISMATCH');
  assert.equal(r.err?.details.offeredFingerprint, sshd.hostKeyFingerprint);
  assert.ok(r.err?.message.includes(sshd.hostKeyFingerprint));
  assert.equal(r.ran, false);
  assert.equal(r.loggedIn, 0);
});

test('the real key filed under the host without the port does not count for a non-22 port', async () => {
  const kh = join(sshd.dir, 'kh-noport');
  writeFileSync(kh, `${sshd.host} ${sshd.hostPublicKey}\n`);
  const r = await tryTouch({ ...base, knownHostsFile: kh }, 'khnoport');
  assert.equal(r.err?.code, 'HOST_KEY_MISMATCH');
  assert.equal(r.err?.details.reason, 'unpinned');
  assert.equal(r.ran, false);
});

test('known_hosts with the right key works, plain and hashed (ssh-keygen -H)', async () => {
  const kh = join(sshd.dir, 'kh-good');
  writeFileSync(kh, `# pinned by the lab\nother ${other.pub}\n${sshd.knownHostsLine}\n`);
  assert.equal((await tryTouch({ ...base, knownHostsFile: kh }, 'khplain')).ran, true);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'pipe' });
  assert.doesNotMatch(readFileSync(kh, 'utf8'), /127\.0\.0\.1/);
  const r = await tryTouch({ ...base, knownHostsFile: kh }, 'khhashed');
  assert.equal(r.err, undefined);
  assert.equal(r.ran, true);
});

test('a @revoked host key is refused even though it is also listed', async () => {
  const kh = join(sshd.dir, 'kh-revoked');
  writeFileSync(kh, `${sshd.knownHostsLine}\n@revoked * ${sshd.hostPublicKey}\n`);
  const r = await tryTouch({ ...base, knownHostsFile: kh }, 'revoked');
  assert.equal(r.err?.code, 'HOST_KEY_MISMATCH');
  assert.equal(r.err?.details.reason, 'revoked');
  assert.equal(r.ran, false);
});

test('an unpinned host is refused, and the error shows the key it offered so it can be checked and pinned', async () => {
  const r = await tryTouch({ ...base }, 'unpinned');
  assert.equal(r.err?.code, 'HOST_KEY_MISMATCH');
  assert.equal(r.err?.details.reason, 'unpinned');
  assert.equal(r.err?.details.offeredFingerprint, sshd.hostKeyFingerprint);
  assert.equal(r.ran, false);
  assert.equal(r.loggedIn, 0);
});

test('a client key the host does not accept is SSH_AUTH_FAILED, not retried', async () => {
  const before = sshd.log().split('Connection from').length;
  const r = await tryTouch({ ...base, hostKeys: [sshd.hostKeyFingerprint], identityFile: sshd.unauthorisedIdentityFile }, 'authfail');
  assert.equal(r.err?.code, 'SSH_AUTH_FAILED');
  assert.equal(r.ran, false);
  assert.equal(r.retries, 0);
  await new Promise((res) => setTimeout(res, 100)); // let sshd flush its log
  assert.equal(sshd.log().split('Connection from').length - before, 1, 'exactly one connection attempt');
});

test('a missing identity file is CONFIG_INVALID', async () => {
  const r = await tryTouch({ ...base, hostKeys: [sshd.hostKeyFingerprint], identityFile: join(sshd.dir, 'nope') }, 'nokey');
  assert.equal(r.err?.code, 'CONFIG_INVALID');
});

test('an unreachable port is SSH_CONNECT_FAILED after the configured attempts, with backoff', async () => {
  const port = await freePort(); // nothing listens there
  const { pool: p, retries } = pool({ connectAttempts: 4, backoffMs: 100 });
  try {
    const t0 = performance.now();
    await assert.rejects(
      p.executor({ ...base, port, hostKeys: [sshd.hostKeyFingerprint] }).run(['true']),
      (e: { code: string; details: Record<string, unknown> }) => {
        assert.equal(e.code, 'SSH_CONNECT_FAILED');
        assert.equal(e.details.attempts, 4);
        return true;
      },
    );
    const took = performance.now() - t0;
    assert.equal(retries.length, 3);
    // 100 + 200 + 400 ms (±20 %) of backoff between the 4 attempts.
    assert.ok(took >= 560 && took < 8000, `took ${took}`);
    assert.deepEqual(retries.map((f) => f.attempt), [1, 2, 3]);
  } finally {
    await p.close();
  }
});

test('ssh-agent authentication: the pool default agent, and the per-host agent', async (t) => {
  const sock = join(sshd.dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  t.after(async () => {
    if (agent.exitCode === null) {
      const exited = once(agent, 'exit');
      agent.kill('SIGTERM');
      await exited;
    }
  });
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  execFileSync('ssh-add', ['-q', sshd.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
  const spec: HostSpec = { name: 'node1', host: sshd.host, port: sshd.port, hostKeys: [sshd.hostKeyFingerprint] };
  const viaDefault = new SshPool({ agent: sock });
  const viaHost = new SshPool();
  const noAgent = new SshPool();
  try {
    assert.equal((await viaDefault.executor(spec).run(['echo', 'agent'])).stdout, 'agent\n');
    assert.equal((await viaHost.executor({ ...spec, agent: sock }).run(['echo', 'host'])).stdout, 'host\n');
    await assert.rejects(noAgent.executor(spec).run(['true']), { code: 'CONFIG_INVALID' });
    // An agent holding no authorised key: refused, not retried.
    execFileSync('ssh-add', ['-q', '-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
    const empty = new SshPool({ agent: sock });
    await assert.rejects(empty.executor(spec).run(['true']), { code: 'SSH_AUTH_FAILED' });
    await empty.close();
  } finally {
    await Promise.all([viaDefault.close(), viaHost.close(), noAgent.close()]);
  }
});
