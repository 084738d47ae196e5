import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateBudget } from '../../src/slack/rate-budget.ts';

/** A clock that only moves when the budget sleeps. */
function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), get t() { return t; } };
}

test('a burst goes at once, then calls are spaced to the sustained rate, in order', async () => {
  const c = fakeClock();
  const b = new RateBudget({ perMinute: 60, burst: 3, now: c.now, sleep: c.sleep });
  const served: Array<[number, number]> = [];
  await Promise.all(Array.from({ length: 6 }, (_, i) => b.take().then(() => served.push([i, c.t]))));
  assert.deepEqual(served, [[0, 0], [1, 0], [2, 0], [3, 1000], [4, 2000], [5, 3000]]);
});

test('sixty calls at the default budget take about a minute and a half, never more than 40 a minute after the burst', async () => {
  const c = fakeClock();
  const b = new RateBudget({ now: c.now, sleep: c.sleep });
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    await b.take();
    times.push(c.t);
  }
  // After the 10-call burst: one every 1.5 s.
  assert.equal(times[9], 0);
  assert.equal(times[10], 1500);
  assert.equal(times[59], 50 * 1500);
  const inFirstMinute = times.filter((t) => t < 60_000).length;
  assert.ok(inFirstMinute <= 10 + 40, String(inFirstMinute));
});
