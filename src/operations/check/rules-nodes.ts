import { standbyArgv } from '../../cluster/index.ts';
import { clockSkews } from './clock.ts';
import { fix } from './rules-cluster.ts';
import type { CheckFacts, Finding } from './types.ts';

/** Clocks further apart than this are a finding (time-based rules, lifetimes and logs go wrong). */
export const CLOCK_LIMIT_MS = 1000;

const secs = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(1)} s`;

/** Nodes offline, unclean, in standby, or out of HASF's reach. */
export function nodeStates(f: Pick<CheckFacts, 'status' | 'dialect' | 'probes'>): Finding[] {
  const out: Finding[] = [];
  const probe = new Map(f.probes.map((p) => [p.node, p]));
  for (const n of f.status.nodes) {
    if (n.unclean) {
      out.push({
        code: 'NODE_UNCLEAN',
        severity: 'critical',
        subject: n.name,
        message: `${n.name} is unclean: the cluster must fence it before it recovers what ran there.`,
        fix: fix(`Check the fence device; if it can't reach ${n.name}, power it off by hand and confirm with stonith_admin --confirm ${n.name}.`, undefined, `fence ${n.name}`),
      });
    } else if (!n.online) {
      out.push({
        code: 'NODE_OFFLINE',
        severity: 'warning',
        subject: n.name,
        message: `${n.name} is offline: the cluster runs with ${f.status.nodes.filter((x) => x.online).length} of ${f.status.nodes.length} nodes.`,
        fix: fix(`Power ${n.name} on and start corosync and pacemaker there (or find out why it left).`),
      });
    } else if (n.standby) {
      out.push({
        code: 'NODE_STANDBY',
        severity: 'info',
        subject: n.name,
        message: `${n.name} is in standby: it runs no resources.`,
        fix: fix(`Bring it back when its work is done.`, standbyArgv(f.dialect, n.name, false), `online ${n.name}`),
      });
    }
    const p = probe.get(n.name);
    if (n.online && p && !p.reachable) {
      out.push({
        code: 'NODE_UNREACHABLE',
        severity: 'warning',
        subject: n.name,
        message: `HASF cannot log in to ${n.name} (${p.error ?? 'no answer'}): its clock, names and links were not checked, and jobs can't run there.`,
        fix: fix(`Check sshd on ${n.name} and its host key and login in the inventory (hasf config check).`),
      });
    }
  }
  return out;
}

/** Clock skew between nodes, each against the cluster's median clock. */
export function clocks(f: CheckFacts): Finding[] {
  const readings = Object.fromEntries(f.probes.filter((p) => p.clock).map((p) => [p.node, p.clock!]));
  const out: Finding[] = clockSkews(readings, CLOCK_LIMIT_MS).map((s) => ({
    code: 'CLOCK_SKEW',
    severity: 'warning',
    subject: s.node,
    message: `${s.node}'s clock is ${secs(s.skewMs)} ${s.skewMs > 0 ? 'ahead of' : 'behind'} the other nodes' (${s.against.join(', ')}), ± ${Math.ceil(s.uncertaintyMs)} ms.`,
    fix: {
      summary: `Step ${s.node}'s clock with NTP (chrony: chronyc makestep; ntpd: ntpdate -b SERVER), then make sure chronyd/ntpd runs there with the same servers as the other nodes.`,
      on: s.node,
    },
    details: { skewMs: Math.round(s.skewMs), uncertaintyMs: Math.ceil(s.uncertaintyMs), against: s.against },
  }));
  for (const p of f.probes) {
    if (p.reachable && !p.clock) {
      out.push({ code: 'CLOCK_UNREADABLE', severity: 'info', subject: p.node, message: `${p.node}'s clock could not be read (${p.error ?? 'no answer'}).`, fix: fix(`Check that date runs on ${p.node}.`) });
    }
  }
  return out;
}

/** Every node resolving every other node's name (the /etc/hosts step), to the same address. */
export function names(f: CheckFacts): Finding[] {
  const out: Finding[] = [];
  const reachable = f.probes.filter((p) => p.reachable);
  for (const peer of f.status.nodes.map((n) => n.name)) {
    const seen = new Map<string, string[]>();
    for (const p of reachable) {
      if (p.node === peer || !(peer in p.resolves)) continue;
      const addr = p.resolves[peer];
      if (addr) seen.set(addr, [...(seen.get(addr) ?? []), p.node]);
    }
    // The address most nodes agree on, else the inventory's, is the one to suggest.
    const agreed = [...seen.entries()].sort((a, b) => b[1].length - a[1].length)[0]?.[0] ?? f.addresses[peer];
    for (const p of reachable) {
      if (p.node === peer || !(peer in p.resolves) || p.resolves[peer]) continue;
      out.push({
        code: 'NAME_UNRESOLVED',
        severity: 'warning',
        subject: p.node,
        message: `${p.node} cannot resolve ${peer}'s name: tools and agents that address nodes by name fail there.`,
        fix: { summary: agreed ? `Add "${agreed} ${peer}" to /etc/hosts on ${p.node} (or fix its DNS).` : `Add ${peer} to /etc/hosts on ${p.node} (or fix its DNS).`, on: p.node },
        details: { peer, suggested: agreed },
      });
    }
    if (seen.size > 1) {
      const how = [...seen.entries()].map(([a, ns]) => `${ns.join(', ')} → ${a}`).join('; ');
      out.push({
        code: 'NAME_MISMATCH',
        severity: 'warning',
        subject: peer,
        message: `The nodes resolve ${peer} to different addresses (${how}).`,
        fix: { summary: `Make /etc/hosts (or DNS) give ${peer} the same address on every node${agreed ? `: ${agreed}` : ''}.` },
        details: { peer, addresses: Object.fromEntries(seen) },
      });
    }
  }
  return out;
}

/** Corosync links between nodes that are both online: down links, faulty rings. */
export function links(f: CheckFacts): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(f.status.nodes.filter((n) => n.id).map((n) => [n.id!, n]));
  for (const p of f.probes.filter((x) => x.reachable)) {
    if (!p.links) {
      out.push({ code: 'LINKS_UNKNOWN', severity: 'info', subject: p.node, message: `${p.node}'s cluster links were not checked: corosync-cfgtool -s answered "${p.linksError ?? 'nothing'}".`, fix: fix('On Heartbeat stacks, check the links with cl_status hblinkstatus.') });
      continue;
    }
    const downPeers = new Map<string, string[]>();
    const upPeers = new Set<string>();
    for (const l of p.links.links) {
      if (l.faulty) {
        out.push({
          code: 'LINK_DOWN',
          severity: 'warning',
          subject: p.node,
          message: `Ring ${l.id} of ${p.node}${l.address ? ` (${l.address})` : ''} is faulty: ${l.status ?? ''}.`,
          fix: fix(`Repair the network of ring ${l.id}, then re-enable it.`, ['corosync-cfgtool', '-r'], undefined, p.node),
        });
      }
      for (const peer of l.peers) {
        const name = byId.get(peer.nodeId)?.name ?? `nodeid ${peer.nodeId}`;
        if (peer.connected) upPeers.add(name);
        else downPeers.set(name, [...(downPeers.get(name) ?? []), l.id]);
      }
    }
    for (const [peer, ids] of downPeers) {
      const n = f.status.nodes.find((x) => x.name === peer);
      if (n && !n.online) continue; // the node is down, not the link: NODE_OFFLINE says so
      const isolated = !upPeers.has(peer);
      out.push({
        code: 'LINK_DOWN',
        severity: isolated ? 'critical' : 'warning',
        subject: p.node,
        message: `${p.node} has no connection to ${peer} on link ${ids.join(', ')}${isolated ? ' — and no other link to it: one more fault splits the cluster' : ' (another link still connects them)'}.`,
        fix: fix(`Check the network between ${p.node} and ${peer} on link ${ids.join(', ')}: cabling, switch, firewall (corosync uses UDP 5405).`, ['corosync-cfgtool', '-s'], undefined, p.node),
        details: { peer, links: ids },
      });
    }
  }
  return out;
}
