import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { freePort } from '../helpers/redis.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailoverExecutor, SshPool, type HostSpec, type SshLogger } from '../../src/ssh/index.ts';
import { DroppingExecutors } from '../helpers/faults.ts';

let sshd: TestSshd;
let alive: HostSpec;
let dead: HostSpec;
let dead2: HostSpec;
let pool: SshPool;
const attemptsOn = new Map<string, number>();

before(async () => {
  sshd = await startSshd();
  alive = { name: 'node2', host: sshd.host, port: sshd.port, hostKeys: [sshd.hostKeyFingerprint], identityFile: sshd.identityFile };
  dead = { ...alive, name: 'node1', port: await freePort() };
  dead2 = { ...alive, name: 'node3', port: await freePort() };
  const logger: SshLogger = {
    debug() {},
    warn: (f) => void attemptsOn.set(f.host as string, (attemptsOn.get(f.host as string) ?? 0) + 1),
  };
  pool = new SshPool({ connectAttempts: 2, backoffMs: 20, logger });
});
after(async () => {
  await pool.close();
  await sshd.stop();
});

test('skips an unreachable node and runs on the next; then prefers the node that worked', async () => {
  const cluster = new FailoverExecutor('lab', [dead, alive, dead2].map((h) => pool.executor(h)));
  assert.equal(cluster.name, 'lab');
  const r = await cluster.run(['echo', 'status']);
  assert.equal(r.host, 'node2');
  assert.equal(r.stdout, 'status\n');
  const triedDead = attemptsOn.get('node1') ?? 0;
  assert.ok(triedDead >= 1);
  const again = await cluster.run(['echo', 'again']);
  assert.equal(again.host, 'node2');
  assert.equal(attemptsOn.get('node1') ?? 0, triedDead, 'the dead node was not tried again');
});

test('a non-zero exit is the answer, not a reason to fail over', async () => {
  const cluster = new FailoverExecutor('lab', [alive, dead].map((h) => pool.executor(h)));
  const before = attemptsOn.get('node1') ?? 0;
  const r = await cluster.run(['sh', '-c', 'exit 3']);
  assert.equal(r.exitCode, 3);
  assert.equal(r.host, 'node2');
  assert.equal(attemptsOn.get('node1') ?? 0, before);
});

test('HOST_KEY_MISMATCH stops the failover instead of routing around it', async () => {
  const impostor = { ...alive, name: 'node4', hostKeys: ['SHA256:' + 'A'.repeat(43)] };
  const cluster = new FailoverExecutor('lab', [impostor, alive].map((h) => pool.executor(h)));
  await assert.rejects(cluster.run(['true']), { code: 'HOST_KEY_MISMATCH' });
});

test('a timeout is not failed over either (the command may still be running there)', async () => {
  const cluster = new FailoverExecutor('lab', [alive, alive].map((h) => pool.executor(h)));
  await assert.rejects(cluster.run(['sleep', '5'], { timeoutMs: 300 }), { code: 'COMMAND_TIMEOUT' });
});

test('no node reachable is NO_REACHABLE_NODE listing each node and its error', async () => {
  const cluster = new FailoverExecutor('lab', [dead, dead2].map((h) => pool.executor(h)));
  await assert.rejects(cluster.run(['true']), (e: { code: string; message: string; details: { failures: { node: string; code: string }[] } }) => {
    assert.equal(e.code, 'NO_REACHABLE_NODE');
    assert.deepEqual(
      e.details.failures.map((f) => [f.node, f.code]),
      [['node1', 'SSH_CONNECT_FAILED'], ['node3', 'SSH_CONNECT_FAILED']],
    );
    assert.ok(e.message.includes('node1') && e.message.includes('node3'));
    return true;
  });
});

test('failover executors nest (a NO_REACHABLE_NODE member is skipped)', async () => {
  const inner = new FailoverExecutor('site-a', [dead].map((h) => pool.executor(h)));
  const outer = new FailoverExecutor('all', [inner, pool.executor(alive)]);
  const r = await outer.run(['echo', 'x']);
  assert.equal(r.host, 'node2');
});

test('a write whose connection drops after it was sent is COMMAND_OUTCOME_UNKNOWN: it ran once and is not repeated elsewhere', async () => {
  const marker = join(sshd.dir, `write-${Date.now()}`);
  const faulty = new DroppingExecutors(pool, (argv) => argv.includes(marker));
  const cluster = new FailoverExecutor('lab', [alive, { ...alive, name: 'node5' }].map((h) => faulty.executor(h)));
  await assert.rejects(cluster.run(['sh', '-c', 'echo ran >> "$1"', 'w', marker]), (e: { code: string; details: { host: string; mayHaveRun: boolean } }) => {
    assert.equal(e.code, 'COMMAND_OUTCOME_UNKNOWN');
    assert.equal(e.details.mayHaveRun, true);
    assert.equal(e.details.host, 'node2');
    return true;
  });
  assert.equal(readFileSync(marker, 'utf8'), 'ran\n', 'the write ran exactly once');
  assert.deepEqual(faulty.drops.map((d) => d.host), ['node2']);
  // The pool reconnects for the next command.
  assert.equal((await cluster.run(['echo', 'next'])).stdout, 'next\n');
});

test('a read whose connection drops is answered by the next node', async () => {
  const faulty = new DroppingExecutors(pool, (argv) => argv[0] === 'hostname');
  const cluster = new FailoverExecutor('lab', [alive, { ...alive, name: 'node5' }].map((h) => faulty.executor(h)));
  const r = await cluster.run(['hostname'], { readOnly: true });
  assert.equal(r.host, 'node5');
  assert.deepEqual(faulty.drops.map((d) => d.host), ['node2']);
});

test('avoidHosts: the avoided node never runs the command; avoiding every node is NO_REACHABLE_NODE', async () => {
  const cluster = new FailoverExecutor('lab', [alive, { ...alive, name: 'node5' }].map((h) => pool.executor(h)));
  assert.equal((await cluster.run(['true'], { avoidHosts: ['node2'] })).host, 'node5');
  await assert.rejects(cluster.run(['true'], { avoidHosts: ['node2', 'node5'] }), { code: 'NO_REACHABLE_NODE' });
  // A single host asked to avoid itself refuses before connecting.
  await assert.rejects(pool.executor(alive).run(['true'], { avoidHosts: ['node2'] }), { code: 'NO_REACHABLE_NODE' });
});

test('an aborted command is not tried on another node', async () => {
  const cluster = new FailoverExecutor('lab', [alive, { ...alive, name: 'node5' }].map((h) => pool.executor(h)));
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('job stopped')), 300);
  await assert.rejects(cluster.run(['sleep', '5'], { signal: ac.signal, readOnly: true }), (e: { code: string; details: { host: string } }) => {
    assert.equal(e.code, 'COMMAND_ABORTED');
    assert.equal(e.details.host, 'node2');
    return true;
  });
});
