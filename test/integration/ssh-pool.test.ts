import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { SshPool, type HostSpec } from '../../src/ssh/index.ts';

let sshd: TestSshd;
let spec: HostSpec;

before(async () => {
  sshd = await startSshd();
  spec = { name: 'node1', host: sshd.host, port: sshd.port, hostKeys: [sshd.hostKeyFingerprint], identityFile: sshd.identityFile };
});
after(async () => {
  await sshd.stop();
});

/** Connections sshd sees right now: one `sshd: root@notty` process per open client connection. */
function serverConnections(): number {
  return sshd.descendants().filter((pid) => {
    try {
      return /^sshd: root@notty/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
}

/** How many processes sshd runs now whose command line contains `needle` (NUL-separated argv). */
function runningOnServer(needle: string): number {
  return sshd.descendants().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  }).length;
}

test('100 sequential commands through two executors of one host use one connection', async (t) => {
  const pool = new SshPool();
  t.after(() => pool.close());
  const a = pool.executor(spec);
  const b = pool.executor({ ...spec });
  for (let i = 0; i < 100; i++) {
    const r = await (i % 2 ? a : b).run(['echo', String(i)]);
    assert.equal(r.stdout, `${i}\n`);
  }
  assert.deepEqual({ connects: pool.stats().connects, open: pool.stats().open }, { connects: 1, open: 1 });
  assert.equal(serverConnections(), 1);
});

test('concurrent commands share the connection; beyond the channel cap they queue instead of failing', async (t) => {
  const pool = new SshPool({ maxChannelsPerConnection: 4 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  // Watch both sides: our running-channel count, and the sleeps sshd is running at once.
  let peak = 0;
  let serverPeak = 0;
  const watch = setInterval(() => {
    peak = Math.max(peak, pool.stats().active);
    serverPeak = Math.max(serverPeak, runningOnServer('sleep\x000.3'));
  }, 10);
  // 30 concurrent commands: more than sshd's MaxSessions (10), which would refuse channels if not queued.
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => node.run(['sh', '-c', `sleep 0.3; echo ${i}`])),
  );
  clearInterval(watch);
  results.forEach((r, i) => assert.equal(r.stdout, `${i}\n`));
  assert.equal(pool.stats().connects, 1);
  assert.equal(peak, 4, 'four channels ran at once, never more');
  assert.ok(serverPeak >= 2 && serverPeak <= 4, `sshd ran ${serverPeak} at once`);
});

test('a host with more concurrent commands than sshd MaxSessions still works with the default cap', async (t) => {
  const pool = new SshPool();
  t.after(() => pool.close());
  const node = pool.executor(spec);
  const results = await Promise.all(Array.from({ length: 25 }, (_, i) => node.run(['echo', String(i)])));
  assert.deepEqual(results.map((r) => r.exitCode), Array(25).fill(0));
  assert.equal(pool.stats().connects, 1);
});

test('an idle connection is closed, and the next command reconnects transparently', async (t) => {
  const pool = new SshPool({ idleMs: 300 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  await node.run(['true']);
  assert.equal(pool.stats().open, 1);
  assert.equal(serverConnections(), 1);
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(pool.stats().open, 0);
  assert.equal(serverConnections(), 0, 'sshd saw the connection close');
  const r = await node.run(['echo', 'back']);
  assert.equal(r.stdout, 'back\n');
  assert.deepEqual({ connects: pool.stats().connects, open: pool.stats().open }, { connects: 2, open: 1 });
});

test('busy connections are not closed as idle', async (t) => {
  const pool = new SshPool({ idleMs: 100 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  const r = await node.run(['sh', '-c', 'sleep 0.5; echo done']);
  assert.equal(r.stdout, 'done\n');
  assert.equal(pool.stats().connects, 1);
});

test('after sshd drops the connection the next command reconnects', async (t) => {
  const pool = new SshPool({ backoffMs: 50 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  await node.run(['true']);
  sshd.dropConnections();
  await new Promise((r) => setTimeout(r, 200));
  const r = await node.run(['echo', 'again']);
  assert.equal(r.stdout, 'again\n');
  assert.equal(pool.stats().connects, 2);
});

test('a command issued while the dead connection is not yet noticed still runs (channel never opened, so retried once)', async (t) => {
  const pool = new SshPool({ backoffMs: 50 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  await node.run(['true']);
  sshd.dropConnections();
  const r = await node.run(['echo', 'raced']); // no wait: may hit the half-dead connection
  assert.equal(r.stdout, 'raced\n');
});

test('after sshd restarts on the same port, commands work again; a command cut mid-run is reported, not retried', async (t) => {
  const pool = new SshPool({ backoffMs: 100, connectAttempts: 5 });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  await node.run(['true']);
  const running = node.run(['sleep', '5']);
  running.catch(() => {}); // handled below; keeps the early rejection from counting as unhandled
  await new Promise((r) => setTimeout(r, 300));
  await sshd.restart();
  await assert.rejects(running, (e: { code: string; details: { mayHaveRun?: boolean } }) => {
    assert.equal(e.code, 'COMMAND_OUTCOME_UNKNOWN');
    assert.equal(e.details.mayHaveRun, true);
    return true;
  });
  const r = await node.run(['echo', 'restarted']);
  assert.equal(r.stdout, 'restarted\n');
  assert.equal(pool.stats().connects, 2);
});

test('connect retries ride out a short outage (sshd down, then back within the backoff)', async (t) => {
  const retries: number[] = [];
  const logger = { debug() {}, warn: (f: Record<string, unknown>) => void retries.push(f.attempt as number) };
  const pool = new SshPool({ backoffMs: 300, connectAttempts: 5, connectTimeoutMs: 2000, logger });
  t.after(() => pool.close());
  const node = pool.executor(spec);
  await sshd.halt();
  t.after(() => sshd.start());
  setTimeout(() => void sshd.start(), 500);
  const r = await node.run(['echo', 'ok']);
  assert.equal(r.stdout, 'ok\n');
  assert.ok(retries.length >= 1, 'at least one attempt failed and was retried');
  assert.equal(pool.stats().connects, 1);
});

test('close() closes every connection and later commands fail', async () => {
  const pool = new SshPool();
  const node = pool.executor(spec);
  await node.run(['true']);
  await pool.close();
  assert.equal(pool.stats().open, 0);
  await assert.rejects(node.run(['true']), { code: 'SSH_CONNECT_FAILED' });
  assert.equal(serverConnections(), 0);
});
