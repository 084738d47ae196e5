import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startIdleGc } from '../../src/app/idle-gc.ts';

describe('idle GC', () => {
  it('collects once the heap has grown and the process is quiet, and not again without growth', async () => {
    let calls = 0;
    const idle = startIdleGc({ everyMs: 50, minGrowthBytes: 2 * 1024 * 1024, gc: () => calls++ });
    try {
      // Grow the heap by ~16 MB of live objects, then go quiet.
      const keep: number[][] = [];
      for (let i = 0; i < 2000; i++) keep.push(Array.from({ length: 1000 }, (_, j) => i + j + 0.5));
      await sleep(400);
      assert.equal(calls, 1, 'one collection after the growth');
      assert.equal(idle.runs, 1);
      await sleep(300);
      assert.equal(calls, 1, 'no growth since: no more collections');
      assert.ok(keep.length);
    } finally {
      idle.stop();
    }
  });

  it('waits while the event loop is busy', async () => {
    let calls = 0;
    const idle = startIdleGc({ everyMs: 50, minGrowthBytes: 1, quietBelow: 0.02, gc: () => calls++ });
    try {
      const until = Date.now() + 400;
      const keep: number[][] = [];
      // Busy: 40 ms of work in every 50 ms.
      while (Date.now() < until) {
        const t = Date.now() + 40;
        while (Date.now() < t) keep.push([Math.random()]);
        await sleep(10);
      }
      assert.equal(calls, 0);
      await sleep(250);
      assert.ok(calls >= 1, 'collected once quiet');
    } finally {
      idle.stop();
    }
  });
});
