import { FINAL_STATES, type JobState } from '../jobs/types.ts';
import type { ApiClient } from './client.ts';
import { CliError } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { approvalsCell, formatStep, jobTarget, type JobView } from './format/jobs.ts';
import type { CliIo } from './io.ts';
import { formatDuration } from './output.ts';

/** How `followJob` polls and reports. */
export interface FollowOptions {
  /** Poll interval; default 500 ms. */
  intervalMs?: number;
  /** Print JSON lines ({event: 'state'|'step'|'final', …}) instead of text. */
  json?: boolean;
  /** Consecutive failed polls (API restarting, network blip) tolerated before giving up; default 20. */
  maxPollFailures?: number;
  /** Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** True for states a job never leaves. */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** The exit code of a finished job: 0 only for succeeded. */
export function exitForJob(state: JobState): ExitCode {
  return state === 'succeeded' ? EXIT.OK : EXIT.FAILED;
}

const SPIN = ['|', '/', '-', '\\'];

/**
 * Follow a job until it reaches a final state: poll GET /v1/jobs/{id}, print each state
 * change and each new step once, and (on a terminal) a redrawn progress line with the
 * elapsed time. Returns the final job.
 */
export async function followJob(api: ApiClient, id: string, io: CliIo, opts: FollowOptions = {}): Promise<JobView> {
  const interval = opts.intervalMs ?? 500;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const started = now();
  // Each step once; a wait's one step again when what the cluster is doing changes.
  const seen = new Map<number, string>();
  const controls = new Set<string>();
  let state: JobState | undefined;
  let failures = 0;
  let tick = 0;
  let progressShown = false;
  const stamp = () => `[${formatDuration(now() - started).padStart(9)}]`;
  const clearProgress = () => {
    if (progressShown) io.progress('\r\x1b[2K');
    progressShown = false;
  };
  const line = (text: string) => {
    clearProgress();
    io.out(text);
  };
  const event = (e: Record<string, unknown>) => io.out(JSON.stringify(e));

  for (;;) {
    let job: JobView;
    try {
      job = await api.json<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
      failures = 0;
    } catch (err) {
      // A missing job or a bad token will not heal; an unreachable or failing API may.
      if (!(err instanceof CliError) || err.exitCode !== EXIT.UNREACHABLE || ++failures > (opts.maxPollFailures ?? 20)) {
        clearProgress();
        throw err;
      }
      if (failures === 1) {
        clearProgress();
        io.err(`${stamp()} ${err.message} (retrying)`);
      }
      await sleep(interval);
      continue;
    }
    const announce = (from: JobState | undefined) => {
      if (opts.json) event({ event: 'state', jobId: job.id, from: from ?? null, state: job.state, at: new Date(now()).toISOString() });
      else {
        const extra = job.state === 'awaiting_approval' ? ` (approvals ${approvalsCell(job)}; approve with: hasf approve ${job.id})` : '';
        line(`${stamp()} ${from ? `${from} → ${job.state}` : `${job.id} ${job.operation} ${jobTarget(job)}: ${job.state}`}${extra}`);
      }
      state = job.state;
    };
    if (state === undefined) announce(undefined);
    // Steps run while running: a change into running comes before them, a change out of it after.
    if (job.state !== state && state !== 'running') announce(state);
    for (const s of (job.steps ?? []).slice().sort((a, b) => a.seq - b.seq)) {
      const version = s.wait ? `${s.wait.state}|${s.wait.doing}` : '';
      if (seen.get(s.seq) === version) continue;
      seen.set(s.seq, version);
      if (opts.json) event({ event: 'step', jobId: job.id, step: s });
      else line(`${stamp()} ${formatStep(s)}`);
    }
    if (job.state !== state) announce(state);
    // An operator's pause or abort of a rolling job shows when asked, before it takes effect.
    for (const [what, req] of Object.entries(job.control ?? {})) {
      const key = `${what}:${req.at}`;
      if (!req || controls.has(key)) continue;
      controls.add(key);
      if (opts.json) event({ event: 'control', jobId: job.id, action: what, by: req.by, at: req.at });
      else if (!isFinal(job.state)) line(`${stamp()} ${what} asked for by ${req.by} (${req.channel})${job.state === 'paused' ? '' : '; obeyed once the node in progress is done'}`);
    }
    if (isFinal(job.state)) {
      clearProgress();
      if (opts.json) event({ event: 'final', job });
      else if (job.result) io.out(`${job.state}: ${job.result.summary}`);
      else if (job.error) io.out(`${job.state}: ${job.error.code}: ${job.error.message}`);
      else io.out(`${job.state}.`);
      return job;
    }
    if (io.isTTY && !opts.json) {
      const lastStep = (job.steps ?? []).at(-1)?.step;
      io.progress(`\r\x1b[2K${SPIN[tick++ % SPIN.length]} ${job.state} ${formatDuration(now() - started)}${lastStep ? ` — ${lastStep}` : ''}`);
      progressShown = true;
    }
    await sleep(interval);
  }
}
