import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PidMarker } from '../../src/ssh/pid-marker.ts';

test('the marker printed by a real shell is parsed (the PID survives exec) and removed from stderr', () => {
  const m = new PidMarker();
  const r = spawnSync('/bin/sh', ['-c', `${m.prefix} exec sh -c 'echo err1 >&2; echo "$$"'`]);
  const rest = Buffer.concat([m.push(r.stderr), m.flush()]).toString();
  assert.equal(rest, 'err1\n');
  assert.equal(m.pid, r.pid);
  assert.equal(r.stdout.toString(), `${r.pid}\n`);
});

test('marker split across chunks, with noise before it', () => {
  const m = new PidMarker();
  const tag = /echo "(hasf-pid-[0-9a-f]+:)/.exec(m.prefix)![1]!;
  const full = Buffer.from(`motd noise\n${tag}4242\nreal stderr\n`);
  const outs: Buffer[] = [];
  for (let i = 0; i < full.length; i += 5) outs.push(m.push(full.subarray(i, i + 5)));
  outs.push(m.flush());
  assert.equal(Buffer.concat(outs).toString(), 'motd noise\nreal stderr\n');
  assert.equal(m.pid, 4242);
});

test('without a marker everything is passed through once the stream ends or grows large', () => {
  const m = new PidMarker();
  assert.equal(m.push(Buffer.from('abc')).length, 0);
  assert.equal(m.flush().toString(), 'abc');
  assert.equal(m.pid, undefined);
  const big = new PidMarker();
  assert.equal(big.push(Buffer.alloc(70 * 1024, 'x')).length, 70 * 1024);
  assert.equal(big.push(Buffer.from('y')).toString(), 'y');
});

test('a forged marker with another nonce is not taken', () => {
  const m = new PidMarker();
  const out = Buffer.concat([m.push(Buffer.from('hasf-pid-000000000000:1234\n')), m.flush()]);
  assert.equal(m.pid, undefined);
  assert.equal(out.toString(), 'hasf-pid-000000000000:1234\n');
});
