import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { TargetLines, type LineTarget } from '../../src/queue/lines.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

let redis: TestRedis;
let conn: Redis;
let lines: TargetLines;
let n = 0;
const C = 'lab';
const L = (kind: string, name: string): LineTarget => ({ kind, name });

before(async () => {
  redis = await startRedis();
  conn = new Redis(redis.url);
});
after(async () => {
  conn.disconnect();
  await redis.stop();
});
// Each test gets its own key prefix: its lines start empty.
const fresh = () => (lines = new TargetLines(conn, `t${++n}`));

test('the first in every line takes its turn; the others wait for it, in the order they were queued', async () => {
  fresh();
  const vm1 = L('resource', 'vm1');
  const node2 = L('node', 'node2');
  await lines.join('a', C, [vm1, node2]);
  await lines.join('b', C, [node2]);
  await lines.join('c', C, [vm1]);
  assert.deepEqual(await lines.take('b', C, [node2]), ['a']);
  assert.deepEqual(await lines.take('a', C, [vm1, node2]), []);
  assert.deepEqual(await lines.take('a', C, [vm1, node2]), [], 'taking again (a recovered attempt) is fine');
  assert.deepEqual(await lines.take('c', C, [vm1]), ['a']);
  assert.deepEqual((await lines.leave('a', C, [vm1, node2])).sort(), ['b', 'c']);
  assert.deepEqual(await lines.take('b', C, [node2]), []);
  assert.deepEqual(await lines.take('c', C, [vm1]), []);
  assert.deepEqual((await lines.members(C, [vm1, node2])).sort(), ['b', 'c']);
});

test('joining again keeps the place: a recovered job is not sent to the back', async () => {
  fresh();
  const r = L('resource', 'vm1');
  await lines.join('a', C, [r]);
  await lines.join('b', C, [r]);
  await lines.join('a', C, [r]);
  assert.deepEqual(await lines.take('b', C, [r]), ['a']);
});

test('a job that needs other lines moves there with its place: no deadlock, request order kept', async () => {
  fresh();
  const [vm1, vm2, n1, n2, n3] = [L('resource', 'vm1'), L('resource', 'vm2'), L('node', 'node1'), L('node', 'node2'), L('node', 'node3')];
  // a: migrate vm1 node1 → node3 (queued first); b: migrate vm2 node2 → node3; c: the next migration of vm1.
  await lines.join('a', C, [vm1, n1, n3]);
  await lines.join('b', C, [vm2, n2, n3]);
  await lines.join('c', C, [vm1, n1, n2]);
  // At a's turn vm1 turned out to be on node2: a moves from node1's line to node2's, ahead of b and c.
  assert.deepEqual(await lines.take('a', C, [vm1, n1, n3]), []);
  await lines.move('a', C, [vm1, n1, n3], [vm1, n2, n3]);
  assert.deepEqual((await lines.members(C, [n1])).sort(), ['c']);
  assert.deepEqual(await lines.take('b', C, [vm2, n2, n3]), ['a'], 'b still waits for a, in both lines');
  assert.deepEqual(await lines.take('a', C, [vm1, n2, n3]), []);
  assert.deepEqual((await lines.take('c', C, [vm1, n1, n2])).sort(), ['a', 'b'], 'c waits for both jobs queued before it');
  await lines.leave('a', C, [vm1, n2, n3]);
  // b was queued before c: it goes first on node2; c waits for it there.
  assert.deepEqual(await lines.take('b', C, [vm2, n2, n3]), []);
  assert.deepEqual(await lines.take('c', C, [vm1, n1, n2]), ['b']);
});

test('a job moving in ahead of a running one still waits until it has left', async () => {
  fresh();
  const n4 = L('node', 'node4');
  const r = L('resource', 'vm1');
  await lines.join('a', C, [r]);
  await lines.join('b', C, [n4]);
  assert.deepEqual(await lines.take('b', C, [n4]), [], 'b runs on node4');
  // a (queued earlier) now needs node4 too: its place is before b's, but b holds the line.
  await lines.move('a', C, [r], [r, n4]);
  assert.deepEqual(await lines.take('a', C, [r, n4]), ['b']);
  await lines.leave('b', C, [n4]);
  assert.deepEqual(await lines.take('a', C, [r, n4]), []);
});

test('a job missing from a line (a lost write) is put back at its place when it takes its turn', async () => {
  fresh();
  const r = L('resource', 'vm1');
  const n = L('node', 'node1');
  await lines.join('a', C, [r, n]);
  await lines.join('b', C, [r, n]);
  await conn.zrem(lines.key(C, n), 'a');
  assert.deepEqual(await lines.take('a', C, [r, n]), []);
  assert.deepEqual(await lines.take('b', C, [r, n]), ['a']);
});

test('shared lines: migrations from and to one node run together; a fence of it waits for them, and later migrations wait for the fence', async () => {
  fresh();
  const s = (name: string): LineTarget => ({ kind: 'node', name, mode: 'shared' });
  const [vm1, vm2, vm3] = [L('resource', 'vm1'), L('resource', 'vm2'), L('resource', 'vm3')];
  const m1 = [vm1, s('node1'), s('node2')];
  const m2 = [vm2, s('node2'), s('node3')];
  const fence = [L('node', 'node2'), L('cluster-disruptive', '*')];
  const m3 = [vm3, s('node2'), s('node1')];
  await lines.join('m1', C, m1);
  await lines.join('m2', C, m2);
  await lines.join('f', C, fence);
  await lines.join('m3', C, m3);
  assert.deepEqual(await lines.take('m2', C, m2), [], 'm2 goes while m1 still waits: both only share node2');
  assert.deepEqual(await lines.take('m1', C, m1), []);
  assert.deepEqual((await lines.take('f', C, fence)).sort(), ['m1', 'm2']);
  assert.deepEqual(await lines.take('m3', C, m3), ['f'], 'a later migration does not overtake the fence');
  await lines.leave('m1', C, m1);
  assert.deepEqual(await lines.take('f', C, fence), ['m2']);
  await lines.leave('m2', C, m2);
  assert.deepEqual(await lines.take('f', C, fence), []);
  assert.deepEqual(await lines.take('m3', C, m3), ['f']);
  await lines.leave('f', C, fence);
  assert.deepEqual(await lines.take('m3', C, m3), []);
});

test('moving to a line in another mode takes the new mode', async () => {
  fresh();
  const shared: LineTarget = { kind: 'node', name: 'node1', mode: 'shared' };
  const excl = L('node', 'node1');
  await lines.join('a', C, [shared]);
  await lines.join('b', C, [shared]);
  assert.deepEqual(await lines.take('b', C, [shared]), []);
  await lines.leave('b', C, [shared]);
  await lines.join('b', C, [shared]);
  await lines.move('a', C, [shared], [excl]);
  assert.deepEqual(await lines.take('b', C, [shared]), ['a'], 'a now stands exclusively, ahead of b');
});
