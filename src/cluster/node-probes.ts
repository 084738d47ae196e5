import { isHasfError } from '../errors/index.ts';
import type { CommandExecutor } from '../ssh/types.ts';
import { parseCfgtool, type CorosyncLinks } from './parse-cfgtool.ts';

/**
 * Read-only probes of one node, for `cluster.check`: its clock, how it resolves its peers'
 * names, and its corosync links. These are the OS's and corosync's tools, the same on
 * every Pacemaker stack, so they live here rather than in the dialect table.
 */
const CLOCK_ARGV = ['date', '+%s.%N'];
const resolveArgv = (names: string[]) => ['getent', 'hosts', ...names];
const LINKS_ARGV = ['corosync-cfgtool', '-s'];

/** A node's clock against this process's: offset = node − here, ± uncertainty (half the round trip). */
export interface ClockReading {
  offsetMs: number;
  uncertaintyMs: number;
}

/** What one node answered (or why it didn't). */
export interface NodeProbe {
  node: string;
  reachable: boolean;
  /** Why it could not be reached or a probe failed. */
  error?: string;
  clock?: ClockReading;
  /** Each peer name → the address this node resolves it to, or null when it can't. */
  resolves: Record<string, string | null>;
  /** Undefined when the node has no corosync-cfgtool (Heartbeat stacks). */
  links?: CorosyncLinks;
  linksError?: string;
}

const nowMs = () => performance.timeOrigin + performance.now();

/** `date +%s.%N` → ms since the epoch (whole seconds where %N is not supported). */
export function parseEpoch(text: string): { ms: number; resolutionMs: number } | undefined {
  const m = /^(\d{9,})(?:\.(\d{1,9}))?/.exec(text.trim());
  if (!m) return undefined;
  const frac = m[2] ? Number(`0.${m[2]}`) : 0;
  return { ms: Number(m[1]) * 1000 + frac * 1000, resolutionMs: m[2] ? 0 : 1000 };
}

/** Read the node's clock `samples` times; the reading with the shortest round trip is the most exact. */
async function readClock(exec: CommandExecutor, samples: number): Promise<ClockReading> {
  let best: ClockReading | undefined;
  for (let i = 0; i < samples; i++) {
    const t0 = nowMs();
    const r = await exec.run(CLOCK_ARGV, { timeoutMs: 15_000 });
    const t1 = nowMs();
    const e = r.exitCode === 0 ? parseEpoch(r.stdout) : undefined;
    if (!e) throw new Error(`date printed ${JSON.stringify(r.stdout.trim().slice(0, 40))} (exit ${r.exitCode})`);
    const reading = { offsetMs: e.ms - (t0 + t1) / 2, uncertaintyMs: (t1 - t0) / 2 + e.resolutionMs };
    if (!best || reading.uncertaintyMs < best.uncertaintyMs) best = reading;
  }
  return best!;
}

/**
 * `getent hosts a b c` prints one line per name it resolves, in order, and skips the rest;
 * a line answers a name when it lists it (or its first name is `name.domain`).
 */
export function parseGetent(names: string[], text: string): Record<string, string | null> {
  const out: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]));
  let next = 0;
  for (const line of text.split('\n')) {
    const [addr, ...aliases] = line.trim().split(/\s+/);
    if (!addr || aliases.length === 0) continue;
    const lower = aliases.map((a) => a.toLowerCase());
    for (let i = next; i < names.length; i++) {
      const n = names[i]!.toLowerCase();
      if (lower.includes(n) || lower[0]!.startsWith(`${n}.`)) {
        out[names[i]!] = addr;
        next = i + 1;
        break;
      }
    }
  }
  return out;
}

const why = (e: unknown) => (isHasfError(e) ? `${e.code}: ${e.message}` : (e as Error).message);

/** Probe one node: clock, peer names, corosync links. Never throws: what failed is in the answer. */
export async function probeNode(node: string, exec: CommandExecutor, peers: string[], opts: { clockSamples?: number } = {}): Promise<NodeProbe> {
  const out: NodeProbe = { node, reachable: true, resolves: Object.fromEntries(peers.map((p) => [p, null])) };
  try {
    // The first command also opens the connection: a node that can't be reached stops here.
    out.clock = await readClock(exec, opts.clockSamples ?? 3);
  } catch (e) {
    if (isHasfError(e) && /^SSH_|HOST_KEY|COMMAND_TIMEOUT|NO_REACHABLE/.test(e.code)) {
      return { ...out, reachable: false, error: why(e) };
    }
    out.error = `clock: ${why(e)}`;
  }
  const [names, links] = await Promise.allSettled([
    peers.length ? exec.run(resolveArgv(peers), { timeoutMs: 30_000 }) : Promise.resolve(undefined),
    exec.run(LINKS_ARGV, { timeoutMs: 15_000 }),
  ]);
  if (names.status === 'fulfilled' && names.value) out.resolves = parseGetent(peers, names.value.stdout);
  else if (names.status === 'rejected') out.error = [out.error, `names: ${why(names.reason)}`].filter(Boolean).join('; ');
  if (links.status === 'fulfilled' && links.value.exitCode === 0) out.links = parseCfgtool(links.value.stdout);
  else if (links.status === 'fulfilled') out.linksError = (links.value.stderr || links.value.stdout).trim().slice(0, 200) || `exit ${links.value.exitCode}`;
  else out.linksError = why(links.reason);
  return out;
}
