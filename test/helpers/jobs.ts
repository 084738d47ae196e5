import type { Principal } from '../../src/auth/index.ts';
import type { JobRecord, JobState } from '../../src/jobs/types.ts';
import type { Harness, PersonName } from './harness.ts';

/** The principal of a harness person, authenticated through their real token. */
export function as(h: Harness, who: PersonName): Promise<Principal> {
  return h.services.auth.fromBearer(`Bearer ${h.tokens[who]}`);
}

/** Poll the job record until it is in one of `states` (or time out with its last state). */
export async function waitForState(h: Harness, id: string, states: JobState[], timeoutMs = 120_000): Promise<JobRecord> {
  const end = Date.now() + timeoutMs;
  let job: JobRecord | undefined;
  while (Date.now() < end) {
    job = await h.services.store.get(id);
    if (job && states.includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${id} still ${job?.state} after ${timeoutMs} ms (wanted ${states.join('|')}): ${JSON.stringify(job?.error ?? '')}`);
}
