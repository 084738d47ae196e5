import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fingerprintOf,
  keyTypeOf,
  keysForHost,
  knownHostsName,
  loadHostKeyPolicy,
  parseKnownHosts,
  verifyHostKey,
} from '../../src/ssh/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hasf-kh-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh key pair made by ssh-keygen: its public line, blob and ssh-keygen's own fingerprint. */
function newKey(type: 'ed25519' | 'ecdsa' | 'rsa', name: string) {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  const [kt, b64] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ') as [string, string];
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]).toString().split(' ')[1]!;
  return { type: kt, b64, blob: Buffer.from(b64, 'base64'), fp, pub: `${kt} ${b64}` };
}

const a = newKey('ed25519', 'a');
const b = newKey('ecdsa', 'b');
const c = newKey('rsa', 'c');

test('fingerprintOf matches ssh-keygen -l for ed25519, ecdsa and rsa', () => {
  for (const k of [a, b, c]) {
    assert.equal(fingerprintOf(k.blob), k.fp);
    assert.match(fingerprintOf(k.blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(keyTypeOf(k.blob), k.type);
  }
  assert.equal(keyTypeOf(Buffer.from([0, 0])), undefined);
});

test('knownHostsName uses [host]:port except on port 22', () => {
  assert.equal(knownHostsName('node1'), 'node1');
  assert.equal(knownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222');
});

test('plain, bracketed, wildcard and negated patterns', () => {
  const text = [
    '# comment',
    '',
    `node1,10.0.0.1 ${a.pub} root@node1`,
    `[10.0.0.2]:2222 ${b.pub}`,
    `*.example.org,!evil.example.org ${c.pub}`,
    `node? ${b.pub}`,
  ].join('\n');
  const parsed = parseKnownHosts(text);
  assert.equal(parsed.entries.length, 4);
  assert.deepEqual(parsed.skipped, []);
  const fps = (h: string, p?: number) => keysForHost(parsed, h, p).accepted.map((e) => fingerprintOf(e.key));
  assert.deepEqual(fps('node1'), [a.fp, b.fp]);
  assert.deepEqual(fps('10.0.0.1'), [a.fp]);
  assert.deepEqual(fps('10.0.0.1', 2222), []); // port matters
  assert.deepEqual(fps('10.0.0.2', 2222), [b.fp]);
  assert.deepEqual(fps('10.0.0.2'), []);
  assert.deepEqual(fps('db.example.org'), [c.fp]);
  assert.deepEqual(fps('evil.example.org'), []);
  assert.deepEqual(fps('node12'), []);
});

test('hashed entries written by ssh-keygen -H are matched, including [host]:port', () => {
  const file = join(dir, 'hashed');
  writeFileSync(file, `node1 ${a.pub}\n[127.0.0.1]:2200 ${b.pub}\nother ${c.pub}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\|1\|/m);
  assert.doesNotMatch(text, /node1/);
  const parsed = parseKnownHosts(text);
  assert.deepEqual(keysForHost(parsed, 'node1').accepted.map((e) => fingerprintOf(e.key)), [a.fp]);
  assert.deepEqual(keysForHost(parsed, '127.0.0.1', 2200).accepted.map((e) => fingerprintOf(e.key)), [b.fp]);
  assert.deepEqual(keysForHost(parsed, '127.0.0.1').accepted, []);
  assert.deepEqual(keysForHost(parsed, 'node2').accepted, []);
});

test('malformed lines are skipped with a reason, never guessed at', () => {
  const blobOfOtherType = `ssh-rsa ${a.b64}`; // type field lies about the blob
  const parsed = parseKnownHosts(
    [`node1 ${blobOfOtherType}`, 'node1 ssh-ed25519', 'node1 ssh-ed25519 !!!notbase64', `@bogus node1 ${a.pub}`, `|2|x|y ${a.pub}`].join('\n'),
  );
  assert.equal(parsed.entries.length, 0);
  assert.deepEqual(parsed.skipped.map((s) => s.line), [1, 2, 3, 4, 5]);
});

test('@revoked keys are refused even when also listed; @cert-authority lines pin nothing', () => {
  const file = join(dir, 'revoked');
  writeFileSync(file, `node1 ${a.pub}\n@revoked * ${a.pub}\n@cert-authority node1 ${b.pub}\n`);
  return loadHostKeyPolicy({ name: 'n1', host: 'node1', knownHostsFile: file }).then((policy) => {
    const v = verifyHostKey(policy, a.blob);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.reason, 'revoked');
    const w = verifyHostKey(policy, b.blob);
    assert.equal(!w.ok && w.reason, 'mismatch');
  });
});

test('policy from hostKeys and known_hosts; unpinned refuses everything; unreadable file is CONFIG_INVALID', async () => {
  const file = join(dir, 'kh');
  writeFileSync(file, `[10.1.1.1]:2022 ${b.pub}\n`);
  const both = await loadHostKeyPolicy({ name: 'n', host: '10.1.1.1', port: 2022, hostKeys: [a.fp], knownHostsFile: file });
  assert.equal(verifyHostKey(both, a.blob).ok, true);
  assert.equal(verifyHostKey(both, b.blob).ok, true);
  const bad = verifyHostKey(both, c.blob);
  assert.deepEqual(bad, { ok: false, fingerprint: c.fp, keyType: 'ssh-rsa', reason: 'mismatch' });
  assert.deepEqual(both.preferredKeyTypes, ['ecdsa-sha2-nistp256']);

  const none = await loadHostKeyPolicy({ name: 'n', host: 'x' });
  const v = verifyHostKey(none, a.blob);
  assert.equal(!v.ok && v.reason, 'unpinned');

  await assert.rejects(loadHostKeyPolicy({ name: 'n', host: 'x', knownHostsFile: join(dir, 'missing') }), {
    code: 'CONFIG_INVALID',
  });
});
