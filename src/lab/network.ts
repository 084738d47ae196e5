import { HasfError } from '../errors/index.ts';
import type { LabLayout } from './layout.ts';
import { netnsInode } from './processes.ts';
import { run, tryRun } from './run.ts';

/**
 * The lab network: a bridge in a namespace of its own (so the host's own network is not
 * touched), one veth from each machine's namespace into it, and one veth to the host
 * carrying SUBNET.1/24 so the host reaches the machines. Only that one interface and its
 * connected route appear on the host; deleting the namespaces removes everything.
 */

/** True when the host already has an address in the lab's /24 on an interface that is not ours. */
export async function subnetTakenOnHost(layout: LabLayout): Promise<string | undefined> {
  const r = await run(['ip', '-o', '-4', 'addr', 'show']);
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+)\.\d+\//.exec(line);
    if (m && m[2] === layout.subnet && m[1] !== layout.hostIface) return m[1];
  }
  return undefined;
}

/** Creates namespaces, bridge, veths and addresses. Fails if any of them already exists. */
export async function createNetwork(layout: LabLayout): Promise<void> {
  const taken = await subnetTakenOnHost(layout);
  if (taken) {
    throw new HasfError(
      'LAB_FAILED',
      `Subnet ${layout.subnet}.0/24 is already used by host interface ${taken}; give the lab another subnet.`,
      { subnet: layout.subnet, iface: taken },
    );
  }
  const br = layout.bridgeNetns;
  await run(['ip', 'netns', 'add', br]);
  await run(['ip', '-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
  await run(['ip', '-n', br, 'link', 'set', 'lo', 'up']);
  await run(['ip', '-n', br, 'link', 'set', 'br0', 'up']);
  for (const m of layout.machines) {
    await run(['ip', 'netns', 'add', m.netns]);
    // Both ends are created directly in their namespaces, so nothing passes the host.
    await run([
      'ip',
      'link',
      'add',
      'eth0',
      'netns',
      m.netns,
      'type',
      'veth',
      'peer',
      'name',
      m.name,
      'netns',
      br,
    ]);
    await run(['ip', '-n', br, 'link', 'set', m.name, 'master', 'br0', 'up']);
    await run(['ip', '-n', m.netns, 'addr', 'add', `${m.address}/24`, 'dev', 'eth0']);
    await run(['ip', '-n', m.netns, 'link', 'set', 'lo', 'up']);
    await run(['ip', '-n', m.netns, 'link', 'set', 'eth0', 'up']);
  }
  await run([
    'ip',
    'link',
    'add',
    layout.hostIface,
    'type',
    'veth',
    'peer',
    'name',
    'host',
    'netns',
    br,
  ]);
  await run(['ip', '-n', br, 'link', 'set', 'host', 'master', 'br0', 'up']);
  await run(['ip', 'addr', 'add', `${layout.hostAddress}/24`, 'dev', layout.hostIface]);
  await run(['ip', 'link', 'set', layout.hostIface, 'up']);
}

/**
 * Deletes the namespaces (their veths go with them) and the host interface if it is
 * somehow still there. Processes inside must already be gone, or the namespaces live on.
 */
export async function destroyNetwork(netnsNames: string[], hostIface: string): Promise<void> {
  for (const ns of netnsNames) {
    if (netnsInode(ns) === undefined) continue;
    const r = await tryRun(['ip', 'netns', 'del', ns]);
    if (r.exitCode !== 0 && netnsInode(ns) !== undefined) {
      throw new HasfError(
        'LAB_FAILED',
        `Could not delete network namespace ${ns}: ${r.stderr.trim()}; delete it with \`ip netns del ${ns}\`.`,
        { netns: ns },
      );
    }
  }
  const link = await tryRun(['ip', 'link', 'show', 'dev', hostIface]);
  if (link.exitCode !== 0) return;
  // The veth goes with its peer's namespace, asynchronously: gone meanwhile is fine.
  const del = await tryRun(['ip', 'link', 'del', hostIface]);
  if (del.exitCode !== 0 && (await tryRun(['ip', 'link', 'show', 'dev', hostIface])).exitCode === 0) {
    throw new HasfError('LAB_FAILED', `Could not delete interface ${hostIface}: ${del.stderr.trim()}; delete it with \`ip link del ${hostIface}\`.`, { iface: hostIface });
  }
}
