import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HasfError } from '../errors/index.ts';
import { labVmIds } from './cib.ts';
import type { LabLayout, LabMachine } from './layout.ts';
import { runInMachine } from './machine.ts';
import { machineInitPid } from './processes.ts';
import { notSettledBecause, parseCrmMon, pendingActions, type LabClusterView } from './readiness.ts';
import { shapeExpectations, type LabShape } from './shapes.ts';

function lastLine(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '';
  } catch {
    return 'no boot log';
  }
}

/**
 * Connects and resolves with the first bytes the server sends; with `expectData` false,
 * resolves '' as soon as the connection is up (servers that wait for the client, like iSCSI).
 */
export function tcpGreeting(
  host: string,
  port: number,
  expectData = true,
  timeoutMs = 1500,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let got = '';
    const done = (err?: Error): void => {
      clearTimeout(t);
      s.destroy();
      if (err) reject(err);
      else resolve(got);
    };
    const t = setTimeout(() => done(new Error('timed out')), timeoutMs);
    if (!expectData) s.on('connect', () => done());
    s.on('data', (b) => {
      got += b.toString();
      done();
    });
    s.on('error', (e) => done(e));
  });
}

/** Reads the cluster as one node sees it (crm_mon --output-as=xml inside it), or undefined if it can't. */
export async function clusterView(
  m: LabMachine,
  timeoutMs = 10_000,
): Promise<LabClusterView | undefined> {
  if (machineInitPid(m.netns) === undefined) return undefined;
  const r = await runInMachine(m, ['crm_mon', '--output-as=xml'], { timeoutMs }).catch(
    () => undefined,
  );
  if (!r || r.exitCode !== 0) return undefined;
  try {
    return parseCrmMon(r.stdout);
  } catch {
    return undefined;
  }
}

/** Why the lab cluster is not settled, as `node` sees it (undefined when settled). */
export async function clusterNotSettled(
  layout: LabLayout,
  shape: LabShape,
  node: LabMachine,
): Promise<string | undefined> {
  const view = await clusterView(node);
  if (!view) return `no answer from crm_mon on ${node.name}`;
  const names = layout.nodes.map((n) => n.name);
  const why = notSettledBecause(view, names, shapeExpectations(shape, labVmIds(), names.length));
  if (why) return why;
  // Everything runs; the scheduler may still have work (a start that is about to fail).
  const sim = await runInMachine(node, ['crm_simulate', '--live-check', '--run', '--output-as=xml'], { timeoutMs: 10_000 }).catch(() => undefined);
  if (!sim || sim.exitCode !== 0) return `no answer from crm_simulate on ${node.name}`;
  const pending = pendingActions(sim.stdout);
  return pending ? `${pending} scheduler action(s) pending` : undefined;
}

/** Why some machine's sshd (or store1's iSCSI portal) does not answer (undefined when all do). */
export async function servicesNotAnswering(layout: LabLayout): Promise<string | undefined> {
  const checks = [
    ...layout.machines.map((m) => ({
      what: `${m.name} sshd`,
      host: m.address,
      port: 22,
      expect: 'SSH-2.0',
    })),
    { what: 'store1 iSCSI portal', host: layout.storage.address, port: 3260, expect: '' },
  ];
  for (const c of checks) {
    try {
      const hello = await tcpGreeting(c.host, c.port, c.expect !== '');
      if (!hello.startsWith(c.expect)) return `${c.what} answered "${hello.slice(0, 20)}"`;
    } catch (e) {
      return `${c.what} not answering (${(e as Error).message})`;
    }
  }
  return undefined;
}

/**
 * Polls until every node is online, every resource started, every sshd and the iSCSI
 * portal answer; throws LAB_FAILED with the last reason after `timeoutMs`.
 */
export async function waitLabReady(
  layout: LabLayout,
  shape: LabShape,
  timeoutMs: number,
  log: (l: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let why: string | undefined = 'not checked yet';
  let last = '';
  let i = 0;
  const downSince = new Map<string, number>();
  while (Date.now() < deadline) {
    // A machine whose boot died stays dead: say so early, with its boot log.
    for (const m of layout.machines) {
      if (machineInitPid(m.netns) !== undefined) {
        downSince.delete(m.name);
        continue;
      }
      const since = downSince.get(m.name) ?? Date.now();
      downSince.set(m.name, since);
      if (Date.now() - since > 15_000) {
        const log = join(m.dir, 'log', 'boot.log');
        throw new HasfError(
          'LAB_FAILED',
          `Lab machine ${m.name} is not running (its boot failed: ${lastLine(log)}); see ${log}.`,
          { machine: m.name, log },
        );
      }
    }
    // Ask the nodes in turn, so one node being slow does not hide the others' view.
    const node = layout.nodes[i++ % layout.nodes.length]!;
    why = (await servicesNotAnswering(layout)) ?? (await clusterNotSettled(layout, shape, node));
    if (!why) return;
    if (why !== last) log(`waiting: ${why}`);
    last = why;
    await sleep(250);
  }
  throw new HasfError(
    'LAB_FAILED',
    `The lab did not settle within ${timeoutMs} ms (${why}); see the logs under ${layout.dir}/machines.`,
    { reason: why },
  );
}
