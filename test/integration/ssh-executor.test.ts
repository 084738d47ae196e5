import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { SshPool, type CommandExecutor, type HostSpec } from '../../src/ssh/index.ts';

let sshd: TestSshd;
let pool: SshPool;
let node: CommandExecutor;
let spec: HostSpec;

before(async () => {
  sshd = await startSshd();
  spec = { name: 'node1', host: sshd.host, port: sshd.port, hostKeys: [sshd.hostKeyFingerprint], identityFile: sshd.identityFile };
  pool = new SshPool({ connectAttempts: 1 });
  node = pool.executor(spec);
});
after(async () => {
  await pool.close();
  await sshd.stop();
});

test('exit code, stdout and stderr come back; a non-zero exit is a result', async () => {
  const r = await node.run(['sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.equal(r.host, 'node1');
  assert.deepEqual(r.argv, ['sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.equal(r.exitCode, 7);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.truncated, false);
  assert.ok(r.durationMs > 0);
  const missing = await node.run(['hasf-no-such-command']);
  assert.equal(missing.exitCode, 127);
});

test('arguments with shell metacharacters arrive byte-exact and are never interpreted', async () => {
  const marker = join(sshd.dir, 'pwned');
  const args = [
    'with space', "it's", '"dq"', `$(touch ${marker})`, `\`touch ${marker}\``, '$HOME', 'a\nb', '\ttab', '-n', '--',
    '*', ';', '&&', '|', '>x', '\\', '!', '', 'ümlaut ✓', `'; touch ${marker}; '`,
  ];
  const r = await node.run(['printf', '%s\\0', ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
  assert.equal(existsSync(marker), false);
});

test('a leading-dash or assignment-looking command word is a command, not an option or assignment', async () => {
  const r = await node.run(['X=1', 'true']);
  assert.equal(r.exitCode, 127);
});

test('env becomes assignments the command sees; stdin is delivered then closed', async () => {
  const r = await node.run(['sh', '-c', 'printf "%s|%s|" "$CIB_file" "$OTHER"; cat; echo end'], {
    env: { CIB_file: "/tmp/x y'z", OTHER: '$(id)' },
    stdin: 'line1\nline2 ✓\n',
  });
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, "/tmp/x y'z|$(id)|line1\nline2 ✓\nend\n");
  // Without stdin the command sees EOF at once instead of hanging.
  const cat = await node.run(['cat'], { timeoutMs: 5000 });
  assert.equal(cat.stdout, '');
});

/** Processes sshd started whose command line holds `tag` (sshd runs on this machine: /proc shows them). */
function running(tag: string): number[] {
  return sshd.descendants().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tag);
    } catch {
      return false;
    }
  });
}

test('timeout kills the remote command quickly and the connection stays usable', async () => {
  const before = pool.stats().connects;
  const tag = `31.${process.pid}${Date.now() % 1000}`;
  const t0 = performance.now();
  await assert.rejects(node.run(['sleep', tag], { timeoutMs: 500 }), (e: { code: string; details: { timeoutMs: number } }) => {
    assert.equal(e.code, 'COMMAND_TIMEOUT');
    assert.equal(e.details.timeoutMs, 500);
    return true;
  });
  const took = performance.now() - t0;
  // Far below the 30 s sleep; the connects check below proves it was not the hung-channel path.
  assert.ok(took < 5000, `took ${took} ms`);
  // The remote sleep is gone (sshd runs on this machine, so /proc shows it).
  const alive = running(tag);
  assert.deepEqual(alive, []);
  const r = await node.run(['echo', 'still here']);
  assert.equal(r.stdout, 'still here\n');
  assert.equal(pool.stats().connects, before, 'no reconnect was needed');
});

test('timeout also kills what the command started (its process group)', async () => {
  const tag = `32.${process.pid}`;
  await assert.rejects(node.run(['sh', '-c', `sleep ${tag} & sleep ${tag}; wait`], { timeoutMs: 400 }), { code: 'COMMAND_TIMEOUT' });
  await new Promise((r) => setTimeout(r, 200));
  const alive = running(tag);
  assert.deepEqual(alive, []);
});

test('an abort signal kills the running command and what it started; the connection stays usable', async () => {
  const before = pool.stats().connects;
  const tag = `33.${process.pid}`;
  const ac = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ac.abort(new Error('the job timed out')), 300);
  await assert.rejects(node.run(['sh', '-c', `sleep ${tag} & sleep ${tag}; wait`], { signal: ac.signal }), (e: { code: string; message: string; details: { started: boolean } }) => {
    assert.equal(e.code, 'COMMAND_ABORTED');
    assert.equal(e.details.started, true);
    assert.match(e.message, /the job timed out/);
    return true;
  });
  assert.ok(performance.now() - t0 < 5000);
  await new Promise((r) => setTimeout(r, 200));
  const alive = running(tag);
  assert.deepEqual(alive, []);
  assert.equal((await node.run(['echo', 'after'])).stdout, 'after\n');
  assert.equal(pool.stats().connects, before);
});

test('a command whose signal already fired is never sent', async () => {
  const marker = join(sshd.dir, `never-${Date.now()}`);
  const ac = new AbortController();
  ac.abort(new Error('stopped'));
  await assert.rejects(node.run(['touch', marker], { signal: ac.signal }), (e: { code: string; details: { started: boolean } }) => e.code === 'COMMAND_ABORTED' && e.details.started === false);
  assert.equal(existsSync(marker), false);
});

test('output beyond the cap is dropped and flagged truncated; the prefix is kept', async () => {
  const r = await node.run(['sh', '-c', 'head -c 100000 /dev/zero | tr "\\0" a; echo E >&2'], { maxOutputBytes: 1000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.truncated, true);
  assert.equal(r.stdout, 'a'.repeat(1000));
  assert.equal(r.stderr, 'E\n');
  const small = await node.run(['echo', 'hi'], { maxOutputBytes: 1000 });
  assert.equal(small.truncated, false);
});

test('an empty argv or a NUL byte is INVALID_INPUT, before anything is sent', async () => {
  await assert.rejects(node.run([]), { code: 'INVALID_INPUT' });
  await assert.rejects(node.run(['echo', 'a\0b']), { code: 'INVALID_INPUT' });
});

test('a command killed by a signal reports 128 + signal number', async () => {
  const r = await node.run(['sh', '-c', 'kill -TERM $$']);
  assert.equal(r.exitCode, 128 + 15);
});
