import type { Redis } from 'ioredis';

/**
 * One object's line: its kind (node, resource, storage daemon, …) and name, and how the
 * job stands in it: `exclusive` (the default: alone on the object) or `shared` (together
 * with other shared jobs — e.g. migrations from and to one node — but never alongside an
 * exclusive one, like a fence of that node).
 */
export interface LineTarget {
  kind: string;
  name: string;
  mode?: 'shared' | 'exclusive';
}

// Every script: KEYS[1] the cluster's sequence counter, KEYS[2..] lines (sorted sets),
// each with its holders hash at `<line>:held` (job id → s|x). ARGV[1] is the job id. A
// job's place is one number for all its lines, given when it first joins any of them and
// kept; its score in a line is place * 2, plus 1 when it stands there exclusively.
const COMMON = `
local id = ARGV[1]
local function place(first, last)
  for i = first, last do
    local s = redis.call('ZSCORE', KEYS[i], id)
    if s then return math.floor(tonumber(s) / 2) end
  end
  return nil
end
local function score(p, mode) return p * 2 + (mode == 'x' and 1 or 0) end
`;

// ARGV[2..] the mode of each line (s|x). Join every line at the job's place.
const JOIN = `${COMMON}
local p = place(2, #KEYS) or redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  if not redis.call('ZSCORE', KEYS[i], id) then redis.call('ZADD', KEYS[i], score(p, ARGV[i]), id) end
end
return tostring(p)
`;

// ARGV[2..] the modes. Take the turn on every line, or none: exclusively, a job must be
// first and alone; shared, no exclusive job may be ahead of it or holding the line. Lines
// it is missing from (a lost write) are joined again at its place. Returns the blockers
// (empty once it holds every line).
const TAKE = `${COMMON}
local p = place(2, #KEYS) or redis.call('INCR', KEYS[1])
local blockers = {}
for i = 2, #KEYS do
  local mode = ARGV[i]
  local mine = score(p, mode)
  redis.call('ZADD', KEYS[i], mine, id)
  local ahead = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', '(' .. (p * 2), 'WITHSCORES')
  for k = 1, #ahead, 2 do
    if mode == 'x' or tonumber(ahead[k + 1]) % 2 == 1 then table.insert(blockers, ahead[k]) end
  end
  local held = redis.call('HGETALL', KEYS[i] .. ':held')
  for k = 1, #held, 2 do
    if held[k] ~= id and (mode == 'x' or held[k + 1] == 'x') then table.insert(blockers, held[k]) end
  end
end
if #blockers > 0 then return blockers end
for i = 2, #KEYS do redis.call('HSET', KEYS[i] .. ':held', id, ARGV[i]) end
return blockers
`;

// Leave every line and give up holding it; returns who may go next (the first few of each).
const LEAVE = `${COMMON}
local next = {}
for i = 2, #KEYS do
  redis.call('ZREM', KEYS[i], id)
  redis.call('HDEL', KEYS[i] .. ':held', id)
  for _, j in ipairs(redis.call('ZRANGE', KEYS[i], 0, 7)) do table.insert(next, j) end
end
return next
`;

// ARGV[2] how many of the lines are those it is in (KEYS[2 .. 1+n]); the rest are those it
// needs now, their modes in ARGV[3..]. It keeps its place, leaves the lines it no longer
// needs, and holds none afterwards: it takes its turn again.
const MOVE = `${COMMON}
local n = tonumber(ARGV[2])
local p = place(2, 1 + n) or redis.call('INCR', KEYS[1])
local wanted = {}
for i = 2 + n, #KEYS do wanted[KEYS[i]] = true end
local next = {}
for i = 2, 1 + n do
  redis.call('HDEL', KEYS[i] .. ':held', id)
  if not wanted[KEYS[i]] then
    redis.call('ZREM', KEYS[i], id)
    for _, j in ipairs(redis.call('ZRANGE', KEYS[i], 0, 7)) do table.insert(next, j) end
  end
end
for i = 2 + n, #KEYS do redis.call('ZADD', KEYS[i], score(p, ARGV[i - n + 1]), id) end
return next
`;

const modeArg = (t: LineTarget) => (t.mode === 'shared' ? 's' : 'x');

/**
 * Per-object turn-taking. A job joins the line of every object it touches when it is
 * queued (approved), and runs only once it has taken its turn on all of them at once:
 * exclusively, first in the line and alone on it; shared, with no exclusive job ahead or
 * running. Conflicting jobs wait their turn rather than being refused.
 *
 * Each job has one place for all its lines: the order it was queued in (per cluster). A
 * job only ever waits for jobs queued before it, or for jobs running (which wait for
 * nothing), so waiting is deadlock-free — also when a job's objects change before it
 * starts (the VM it migrates moved to another node) and it moves to other lines, keeping
 * its place. Holding a line is running on it: a job that moves in ahead of a running one
 * still waits until that one has left.
 */
export class TargetLines {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hasf',
  ) {}

  /** Redis key of one object's line (a sorted set of job ids by place). */
  key(cluster: string, t: LineTarget): string {
    return `${this.prefix}:turns:${cluster}:${t.kind}:${t.name}`;
  }

  private keys(cluster: string, targets: LineTarget[]): string[] {
    return [`${this.prefix}:turns-seq:${cluster}`, ...targets.map((t) => this.key(cluster, t))];
  }

  /** Join every line at the job's place (idempotent: a recovered job keeps its place). */
  async join(jobId: string, cluster: string, targets: LineTarget[]): Promise<void> {
    const keys = this.keys(cluster, targets);
    await this.redis.eval(JOIN, keys.length, ...keys, jobId, ...targets.map(modeArg));
  }

  /**
   * Take the job's turn on every line, atomically. Returns the jobs in the way (ahead of
   * it, or running on a line); empty when it now holds them all (again, for a recovered job).
   */
  async take(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    const keys = this.keys(cluster, targets);
    const blockers = (await this.redis.eval(TAKE, keys.length, ...keys, jobId, ...targets.map(modeArg))) as string[];
    return [...new Set(blockers)];
  }

  /** Every job in the lines of these objects (queued or running), in no particular order. */
  async members(cluster: string, targets: LineTarget[]): Promise<string[]> {
    // Plain reads, auto-pipelined: this is on the request path of every submission.
    const lists = await Promise.all(targets.map((t) => this.redis.zrange(this.key(cluster, t), '0', '-1')));
    return [...new Set(lists.flat())];
  }

  /** Leave every line; returns the jobs that may go next (to wake them). */
  async leave(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    const keys = this.keys(cluster, targets);
    const next = (await this.redis.eval(LEAVE, keys.length, ...keys, jobId)) as string[];
    return [...new Set(next)].filter((j) => j !== jobId);
  }

  /** Remove a job that ended elsewhere (crash between its end and leave()). */
  async evict(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    return this.leave(jobId, cluster, targets);
  }

  /**
   * Move a job from the lines it is in to those it needs now, keeping its place, and let
   * go of holding any: it takes its turn again. Returns the jobs that may go next.
   */
  async move(jobId: string, cluster: string, from: LineTarget[], to: LineTarget[]): Promise<string[]> {
    const keys = [...this.keys(cluster, from), ...to.map((t) => this.key(cluster, t))];
    const next = (await this.redis.eval(MOVE, keys.length, ...keys, jobId, String(from.length), ...to.map(modeArg))) as string[];
    return [...new Set(next)].filter((j) => j !== jobId);
  }
}
