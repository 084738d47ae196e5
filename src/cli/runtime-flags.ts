/**
 * V8 and allocator settings for the long-running processes (`hasf serve`, `hasf worker`).
 * Node's defaults size the heap for throughput: a young generation that grows to 32 MB per
 * semi-space and an old generation that grows well before it collects, so a service whose
 * live heap is ~35 MB sits at 250–350 MB RSS after a busy hour. A small young generation,
 * V8's optimize-for-size heuristics and two malloc arenas keep it near its live size
 * (measured in bench/footprint.ts: about a third of the RSS at a few percent of CPU).
 * TurboFan compiles on the main thread (--no-concurrent-recompilation): its background
 * compile threads left glibc's main arena fragmented, ~8-12 MB more RSS after 100k API
 * requests (the brk heap 7 MB at start, 14-24 MB after; with the flag 6-8 MB after) at
 * no measurable cost in throughput (100k job lists at 50 concurrent: 14-22 s both ways).
 * V8's memory reducer (a GC that gives pages back once allocation slows) waits 8 s after
 * the last full GC; a service that is idle between bursts (a job submitted, a status read)
 * held ~5 MB of collected-but-kept pages for those 8 s, so it starts after 1 s.
 * Maglev is the top JIT tier, not TurboFan (--no-turbofan --maglev): TurboFan's code in
 * the node binary (~6 MB of pages once it has compiled anything) and its compiled code
 * cost ~5 MB of RSS (compiled `hasf serve` 87 -> 82 MB at start, 96-98 -> 93 MB after 100k
 * job lists and 500 lab status reads, 91-92 -> 86 MB settled) for no measurable speed on
 * this workload (100k job lists at 50 concurrent: 23.2-24.6 s of CPU with, 23.0-26.4
 * without): a service waiting on Redis and SSH has few loops hot enough for it.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=2', '--optimize-for-size', '--no-concurrent-recompilation', '--gc-memory-reducer-start-delay-ms=1000', '--no-turbofan', '--maglev', '--expose-gc'] as const;

/**
 * glibc settings for the same processes. Two arenas: each thread's arena otherwise keeps
 * freed memory resident. A fixed mmap threshold of 64 KB: by default glibc raises it to
 * the size of any mmapped block freed (up to 32 MB), after which V8's compile zones and
 * large buffers come from the brk heap and leave holes it cannot return (the brk heap
 * grew 6 -> 11 MB over a lab run; with the threshold fixed, ~9).
 */
export const SERVER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536' } as const;

/** Commands that run for a long time and get SERVER_NODE_FLAGS. */
const LONG_RUNNING = new Set(['serve', 'worker']);

/** What {@link serverReexec} decides: nothing to do, or the exact execve to make. */
export type Reexec = undefined | { file: string; args: string[]; env: NodeJS.ProcessEnv };

/**
 * Decide whether this process should replace itself (execve: same PID, same stdio, so
 * systemd, tini and Kubernetes see nothing) with one started with SERVER_NODE_FLAGS.
 * Not when: not serve/worker, the flags are there already (in execArgv or NODE_OPTIONS),
 * HASF_RUNTIME_FLAGS=off (the operator chose their own), or this Node has no execve
 * (before 22.15): then the process runs with Node's defaults.
 */
export function serverReexec(p: { argv: string[]; execArgv: string[]; execPath: string; env: NodeJS.ProcessEnv; hasExecve: boolean }): Reexec {
  const command = p.argv[2];
  if (!command || !LONG_RUNNING.has(command) || !p.hasExecve) return undefined;
  if (p.env.HASF_RUNTIME_FLAGS === 'off') return undefined;
  const given = [...p.execArgv, ...(p.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => a.startsWith('--max-semi-space-size'))) return undefined;
  return {
    file: p.execPath,
    args: [p.execPath, ...SERVER_NODE_FLAGS, ...p.execArgv, ...p.argv.slice(1)],
    // An operator's own MALLOC_* settings win.
    env: { ...SERVER_MALLOC_ENV, ...p.env },
  };
}
