import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostAckQueue } from '../../src/slack/post-ack.ts';

// The pacing of the work Slack commands start after their ack: acks go first, a few
// tasks at a time, a slow task never holds the others back for long.
describe('PostAckQueue', () => {
  const turn = () => new Promise((r) => setImmediate(r));

  test('no task starts while a request is being acknowledged; they start once it is answered', async () => {
    const q = new PostAckQueue({ maxDelayMs: 10_000 });
    const started: number[] = [];
    const answered = q.ackBegin();
    for (const i of [1, 2, 3]) q.run(async () => void started.push(i));
    await sleep(30);
    assert.deepEqual(started, [], 'nothing ran during the ack');
    answered();
    await q.drain();
    assert.deepEqual(started, [1, 2, 3], 'in arrival order');
    assert.equal(q.size, 0);
  });

  test('under a steady stream of acks a task waits at most maxDelayMs', async () => {
    const q = new PostAckQueue({ maxDelayMs: 60 });
    const t0 = Date.now();
    let startedAt = 0;
    const answered = q.ackBegin();
    q.run(async () => void (startedAt = Date.now()));
    while (!startedAt && Date.now() - t0 < 2000) await sleep(5);
    answered();
    assert.ok(startedAt, 'the task started although an ack was still in progress');
    assert.ok(startedAt - t0 >= 55 && startedAt - t0 < 1000, `started after ${startedAt - t0} ms`);
  });

  test('at most `concurrency` tasks start at once; the next starts when one ends', async () => {
    const q = new PostAckQueue({ concurrency: 2, slotMs: 10_000 });
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    for (let i = 0; i < 5; i++)
      q.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
      });
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(running, 2);
    gates.shift()!();
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(running, 2, 'one ended, the next started');
    while (gates.length || q.size) {
      gates.shift()?.();
      await turn();
    }
    assert.equal(most, 2);
  });

  test('a task that only waits (a slow cluster) gives its place up after slotMs', async () => {
    const q = new PostAckQueue({ concurrency: 1, slotMs: 40 });
    let release!: () => void;
    let second = false;
    q.run(() => new Promise<void>((r) => (release = r)));
    q.run(async () => void (second = true));
    await sleep(15);
    assert.equal(second, false, 'within the slot the first holds its place');
    await sleep(80);
    assert.equal(second, true, 'after the slot the next one ran');
    release();
    await q.drain();
  });

  test('a task that throws is logged and does not stop the others; drain starts what waits', async () => {
    const lines: string[] = [];
    const q = new PostAckQueue({ log: (l) => lines.push(l), maxDelayMs: 10_000 });
    let ran = false;
    const answered = q.ackBegin();
    q.run(async () => {
      throw new Error('boom');
    });
    q.run(async () => void (ran = true));
    // Closing the door: what waits runs now, acks or not.
    await q.drain();
    answered();
    assert.equal(ran, true);
    assert.deepEqual(lines, ['work after a Slack ack failed: boom']);
  });

  test('acks in progress are counted once per request, however often the end is called', () => {
    const q = new PostAckQueue();
    const a = q.ackBegin();
    const b = q.ackBegin();
    assert.equal(q.acksInProgress, 2);
    a();
    a();
    assert.equal(q.acksInProgress, 1);
    b();
    assert.equal(q.acksInProgress, 0);
  });
});
