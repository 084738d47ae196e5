/**
 * A full garbage collection once a busy process has gone quiet, so what a burst left
 * behind (request bodies, parsed crm_mon XML, job records) goes back to the system within
 * about a second of the burst, not when V8's memory reducer gets to it: the reducer waits
 * for a quiet moment, and each time it finds the process busy it waits 8 s more (after 100k
 * requests and 500 status reads `hasf serve` held 5-9 MB of such garbage 2 s after the
 * last one, gone 8-10 s later). Needs `gc` (node --expose-gc, one of SERVER_NODE_FLAGS);
 * without it this does nothing.
 */
import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';

export interface IdleGcOptions {
  /** How often to look, ms. */
  everyMs?: number;
  /** Event-loop utilisation over the last look below which the process counts as quiet. */
  quietBelow?: number;
  /** Collect only when the heap grew at least this much since the last collection, bytes. */
  minGrowthBytes?: number;
  /** The collector; default globalThis.gc. */
  gc?: () => void;
}

/** What startIdleGc() did (its tests read `runs`). */
export interface IdleGc {
  /** Collections run. */
  readonly runs: number;
  stop(): void;
}

/** Start looking; the timer never keeps the process alive. */
export function startIdleGc(o: IdleGcOptions = {}): IdleGc {
  const gc = o.gc ?? (globalThis as { gc?: () => void }).gc;
  const state = { runs: 0, stop: () => {} };
  if (!gc) return state;
  const quietBelow = o.quietBelow ?? 0.02;
  const minGrowth = o.minGrowthBytes ?? 4 * 1024 * 1024;
  let floor = getHeapStatistics().total_heap_size;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const total = getHeapStatistics().total_heap_size;
    // The heap shrank by itself (the reducer ran): measure growth from there.
    if (total < floor) floor = total;
    if (busy >= quietBelow || total - floor < minGrowth) return;
    gc();
    state.runs++;
    floor = getHeapStatistics().total_heap_size;
    last = performance.eventLoopUtilization();
  }, o.everyMs ?? 1000);
  timer.unref();
  state.stop = () => clearInterval(timer);
  return state;
}
