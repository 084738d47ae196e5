import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, withBackoff } from '../../src/ssh/index.ts';

test('backoffDelay doubles with ±20 % jitter and is capped', () => {
  for (let i = 0; i < 50; i++) {
    const d1 = backoffDelay(1, 100);
    const d3 = backoffDelay(3, 100);
    assert.ok(d1 >= 80 && d1 <= 120, `d1=${d1}`);
    assert.ok(d3 >= 320 && d3 <= 480, `d3=${d3}`);
    assert.ok(backoffDelay(20, 100, 1000) <= 1200);
  }
});

test('withBackoff retries retryable errors up to attempts, then throws the last', async () => {
  let calls = 0;
  const waits: number[] = [];
  await assert.rejects(
    withBackoff(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      { attempts: 3, backoffMs: 10, retryable: () => true, onRetry: (_e, _a, d) => waits.push(d) },
    ),
    /fail 3/,
  );
  assert.equal(calls, 3);
  assert.equal(waits.length, 2);
});

test('withBackoff does not retry a permanent error and returns a later success', async () => {
  let calls = 0;
  await assert.rejects(
    withBackoff(async () => (calls++, Promise.reject(new Error('perm'))), { attempts: 5, backoffMs: 1, retryable: () => false }),
    /perm/,
  );
  assert.equal(calls, 1);
  let n = 0;
  const v = await withBackoff(async () => (++n < 3 ? Promise.reject(new Error('x')) : 'ok'), {
    attempts: 5,
    backoffMs: 1,
    retryable: () => true,
  });
  assert.equal(v, 'ok');
  assert.equal(n, 3);
});

test('an abort signal cuts the wait short', async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(
    withBackoff(async () => Promise.reject(new Error('down')), { attempts: 3, backoffMs: 10_000, retryable: () => true, signal: ac.signal }),
    /down/,
  );
  assert.ok(performance.now() - t0 < 2000);
});
