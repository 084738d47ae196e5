import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';
import type { ApprovalEntry, JobRecord, JobState, StepRecord } from './types.ts';

/** Fields stored as JSON in the job hash. */
type Field = keyof JobRecord;

// Compare-and-set on `state`, then set the given fields. Fields arrive JSON-encoded so
// Lua never re-encodes the record (cjson would turn [] into {}). A job with a callback
// URL gets the change into the callback outbox in the same step: no state change can
// happen without its callback being owed (callbacks/outbox.ts delivers them).
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'NOT_FOUND' end
local allowed = false
for i = 1, tonumber(ARGV[1]) do
  if ARGV[1 + i] == state then allowed = true end
end
if tonumber(ARGV[1]) == 0 then allowed = true end
if not allowed then return state end
local first = tonumber(ARGV[1]) + 2
for i = first, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if redis.call('HEXISTS', KEYS[1], 'callbackUrl') == 1 then
  redis.call('XADD', KEYS[2], '*', 'job', redis.call('HGET', KEYS[1], 'id'), 'from', state,
    'to', redis.call('HGET', KEYS[1], 'state'), 'at', redis.call('HGET', KEYS[1], 'updatedAt'))
end
return 'OK'
`;

// One decision per person while the job awaits approval.
const ADD_APPROVAL = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'NOT_FOUND' end
if state ~= '"awaiting_approval"' then return 'STATE' end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 'DUP' end
redis.call('RPUSH', KEYS[3], ARGV[2])
return 'OK'
`;

// Set fields while the state is one of ARGV (no state change, so nothing for callbacks).
const SET_IF = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'NOT_FOUND' end
local allowed = false
for i = 1, tonumber(ARGV[1]) do
  if ARGV[1 + i] == state then allowed = true end
end
if not allowed then return state end
for i = tonumber(ARGV[1]) + 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 'OK'
`;

/** The callback outbox of a key prefix (a Redis stream; entries' fields are JSON). */
export function callbackOutboxKey(prefix: string): string {
  return `${prefix}:callbacks:outbox`;
}

export interface JobFilter {
  state?: JobState;
  operation?: string;
  requester?: string;
  cluster?: string;
  since?: Date;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  limit?: number;
}

/**
 * Job records in Redis: a hash per job (each field JSON), a list of steps, a list of
 * approvals, a set of people who decided, and a sorted set indexing jobs by creation.
 */
export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hasf',
  ) {}

  private key(id: string) {
    return `${this.prefix}:job:${id}`;
  }
  private get index() {
    return `${this.prefix}:jobs`;
  }
  /** The stream of state changes owed to callbacks (one entry per change of a job with a callbackUrl). */
  get callbackOutbox(): string {
    return callbackOutboxKey(this.prefix);
  }

  /** Store a new job; fails if the id exists. */
  async create(job: JobRecord): Promise<void> {
    const { approvals: _a, ...rest } = job;
    const flat = Object.entries(rest).flatMap(([k, v]) => (v === undefined ? [] : [k, JSON.stringify(v)]));
    const ok = await this.redis.hsetnx(this.key(job.id), 'id', JSON.stringify(job.id));
    if (!ok) throw new HasfError('INTERNAL', `Job ${job.id} already exists.`);
    // Record and index together: a crash must not leave a job the index (and so the
    // start-up reconcile) can't see.
    const tx = this.redis
      .multi()
      .hset(this.key(job.id), ...flat)
      .zadd(this.index, Date.parse(job.createdAt), job.id);
    // Its first state is owed to its callback, with the record itself.
    if (job.callbackUrl) tx.xadd(this.callbackOutbox, '*', 'job', JSON.stringify(job.id), 'to', JSON.stringify(job.state), 'at', JSON.stringify(job.createdAt));
    await tx.exec();
  }

  /** The job, or undefined. */
  async get(id: string): Promise<JobRecord | undefined> {
    // Two plain reads (auto-pipelined): approvals are only ever appended, so a read that
    // races an approval shows it or not — never a torn record.
    const [h, approvals] = await Promise.all([this.redis.hgetall(this.key(id)), this.redis.lrange(`${this.key(id)}:approvals`, 0, -1)]);
    if (!h || !h.id || !h.state) return undefined;
    const job = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v)])) as JobRecord;
    job.approvals = approvals.map((a) => JSON.parse(a) as ApprovalEntry);
    job.checkpoint ??= {};
    return job;
  }

  /** The job, or NOT_FOUND. */
  async require(id: string): Promise<JobRecord> {
    const job = await this.get(id);
    if (!job) throw new HasfError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
    return job;
  }

  /**
   * Move the job to `to` if its state is one of `from` (all states when empty), setting
   * `patch` too. Returns true when this call made the transition.
   */
  async transition(id: string, from: JobState[], to: JobState, patch: Partial<JobRecord> = {}): Promise<boolean> {
    const fields: Partial<Record<Field, unknown>> = { ...patch, state: to, updatedAt: new Date().toISOString() };
    const args = [String(from.length), ...from.map((s) => JSON.stringify(s))];
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) args.push(k, JSON.stringify(v));
    const r = (await this.redis.eval(TRANSITION, 2, this.key(id), this.callbackOutbox, ...args)) as string;
    if (r === 'NOT_FOUND') throw new HasfError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
    return r === 'OK';
  }

  /**
   * Set fields only while the state is one of `states` (an operator's pause or abort of a
   * running job): true when set, false when the job had moved on.
   */
  async setIf(id: string, states: JobState[], patch: Partial<JobRecord>): Promise<boolean> {
    const args = [String(states.length), ...states.map((s) => JSON.stringify(s))];
    for (const [k, v] of Object.entries({ ...patch, updatedAt: new Date().toISOString() })) if (v !== undefined) args.push(k, JSON.stringify(v));
    const r = (await this.redis.eval(SET_IF, 1, this.key(id), ...args)) as string;
    if (r === 'NOT_FOUND') throw new HasfError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
    return r === 'OK';
  }

  /** Set fields without a state check (the running worker's checkpoints, Slack refs). */
  async patch(id: string, patch: Partial<JobRecord>): Promise<void> {
    const flat = Object.entries(patch).flatMap(([k, v]) => (v === undefined ? [] : [k, JSON.stringify(v)]));
    if (flat.length) await this.redis.hset(this.key(id), ...flat, 'updatedAt', JSON.stringify(new Date().toISOString()));
  }

  /** Record one decision; 'DUP' when this person already decided, 'STATE' when not awaiting. */
  async addApproval(id: string, entry: ApprovalEntry): Promise<'OK' | 'DUP' | 'STATE'> {
    const k = this.key(id);
    const r = (await this.redis.eval(ADD_APPROVAL, 3, k, `${k}:deciders`, `${k}:approvals`, entry.person, JSON.stringify(entry))) as string;
    if (r === 'NOT_FOUND') throw new HasfError('NOT_FOUND', `There is no job ${id}.`, { jobId: id });
    return r as 'OK' | 'DUP' | 'STATE';
  }

  /** Take back one person's decision (its audit record could not be written: it must not count). */
  async removeApproval(id: string, person: string): Promise<void> {
    const k = this.key(id);
    const entries = await this.redis.lrange(`${k}:approvals`, 0, -1);
    const mine = entries.filter((e) => (JSON.parse(e) as ApprovalEntry).person === person);
    const tx = this.redis.multi().srem(`${k}:deciders`, person);
    for (const e of mine) tx.lrem(`${k}:approvals`, 0, e);
    await tx.exec();
  }

  /** Append to the step log. */
  async addStep(id: string, step: Omit<StepRecord, 'seq'>): Promise<StepRecord> {
    const k = `${this.key(id)}:steps`;
    const seq = await this.redis.incr(`${k}:seq`);
    const rec = { seq, ...step };
    await this.redis.rpush(k, JSON.stringify(rec));
    return rec;
  }

  /** Replace step `step.seq` in place (a wait's entry as it goes); false when it is not there. */
  async updateStep(id: string, step: StepRecord): Promise<boolean> {
    const k = `${this.key(id)}:steps`;
    const all = await this.redis.lrange(k, 0, -1);
    // Newest first: the entry being updated is almost always the last.
    for (let i = all.length - 1; i >= 0; i--) {
      if ((JSON.parse(all[i]!) as StepRecord).seq !== step.seq) continue;
      await this.redis.lset(k, i, JSON.stringify(step));
      return true;
    }
    return false;
  }

  /** The step log. */
  async steps(id: string): Promise<StepRecord[]> {
    return (await this.redis.lrange(`${this.key(id)}:steps`, 0, -1)).map((s) => JSON.parse(s) as StepRecord);
  }

  /**
   * Jobs newest first, filtered, with cursor pagination. The cursor is `score:id` of the
   * last job returned, so jobs created in the same millisecond are neither skipped nor
   * repeated (equal scores come in reverse id order).
   */
  async list(filter: JobFilter = {}): Promise<{ jobs: JobRecord[]; nextCursor?: string }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const [cScore, cId] = filter.cursor ? [Number(filter.cursor.split(':')[0]), filter.cursor.split(':')[1] ?? ''] : [Infinity, ''];
    let max = Number.isFinite(cScore) ? String(cScore) : '+inf';
    const min = filter.since ? String(filter.since.getTime()) : '-inf';
    const seen = new Set<string>();
    const out: JobRecord[] = [];
    for (;;) {
      const ids = await this.redis.zrevrangebyscore(this.index, max, min, 'WITHSCORES', 'LIMIT', 0, 200);
      let fresh = 0;
      for (let i = 0; i < ids.length; i += 2) {
        const id = ids[i]!;
        const score = Number(ids[i + 1]);
        if (seen.has(id) || (score === cScore && id >= cId)) continue;
        seen.add(id);
        fresh++;
        max = String(score);
        const job = await this.get(id);
        if (!job) continue;
        if (filter.state && job.state !== filter.state) continue;
        if (filter.operation && job.operation !== filter.operation) continue;
        if (filter.requester && job.requester !== filter.requester) continue;
        if (filter.cluster && job.cluster !== filter.cluster) continue;
        out.push(job);
        if (out.length === limit) return { jobs: out, nextCursor: `${score}:${id}` };
      }
      if (fresh === 0) return { jobs: out };
    }
  }

  /** Ids of jobs in a state (scans the index; used by the reconciler at start-up). */
  async idsInStates(states: JobState[]): Promise<string[]> {
    const ids = await this.redis.zrange(this.index, '0', '-1');
    const out: string[] = [];
    for (const id of ids) {
      const s = await this.redis.hget(this.key(id), 'state');
      if (s && states.includes(JSON.parse(s))) out.push(id);
    }
    return out;
  }
}
