import type { Redis } from 'ioredis';

/** One object's line: its kind (node, resource, storage daemon, …) and name. */
export interface LineTarget {
  kind: string;
  name: string;
}

// Append to each line unless already in it, so a recovered job keeps its place (Redis >= 6.0.6).
const JOIN = `
for _, k in ipairs(KEYS) do
  if not redis.call('LPOS', k, ARGV[1]) then redis.call('RPUSH', k, ARGV[1]) end
end
return 1
`;

/**
 * Per-target turn-taking. A job joins the line of every object it touches when it is
 * queued (approved), and may run only when it is first in every line; it leaves the
 * lines when it ends. So conflicting jobs wait their turn, in the order they were
 * queued, rather than being refused — and a retried or recovered job keeps its place.
 */
export class TargetLines {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hasf',
  ) {}

  /** Redis key of one object's line. */
  key(cluster: string, t: LineTarget): string {
    return `${this.prefix}:line:${cluster}:${t.kind}:${t.name}`;
  }

  /** Join every line (idempotent: a job is never in a line twice). */
  async join(jobId: string, cluster: string, targets: LineTarget[]): Promise<void> {
    const keys = targets.map((t) => this.key(cluster, t));
    await this.redis.eval(JOIN, keys.length, ...keys, jobId);
  }

  /** The jobs ahead of `jobId` (first in each line it is not first in). Empty: its turn. */
  async blockers(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    const m = this.redis.multi();
    for (const t of targets) m.lindex(this.key(cluster, t), 0);
    const heads = ((await m.exec()) ?? []).map(([, v]) => v as string | null);
    return [...new Set(heads.filter((h): h is string => h !== null && h !== jobId))];
  }

  /** Every job in the lines of these objects (queued or running), in no particular order. */
  async members(cluster: string, targets: LineTarget[]): Promise<string[]> {
    // Plain reads, auto-pipelined: this is on the request path of every submission.
    const lists = await Promise.all(targets.map((t) => this.redis.lrange(this.key(cluster, t), 0, -1)));
    return [...new Set(lists.flat())];
  }

  /** Leave every line; returns the new heads (jobs that may now be woken). */
  async leave(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    const m = this.redis.multi();
    for (const t of targets) m.lrem(this.key(cluster, t), 0, jobId).lindex(this.key(cluster, t), 0);
    const res = (await m.exec()) ?? [];
    const heads = res.filter((_, i) => i % 2 === 1).map(([, v]) => v as string | null);
    return [...new Set(heads.filter((h): h is string => h !== null))];
  }

  /** Remove a job that ended elsewhere (crash between its end and leave()). */
  async evict(jobId: string, cluster: string, targets: LineTarget[]): Promise<string[]> {
    return this.leave(jobId, cluster, targets);
  }
}
