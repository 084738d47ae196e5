/** One peer as a corosync link sees it. */
export interface LinkPeer {
  nodeId: string;
  connected: boolean;
  /** The tool's own words for it ("connected", "disconnected", "link enabled:1 link connected:0"). */
  text: string;
}

/** One corosync link (knet, corosync 3) or ring (corosync 1/2) of the local node. */
export interface CorosyncLink {
  id: string;
  /** The local address of this link. */
  address?: string;
  /** knet: each peer's state. Rings (corosync 1/2) report only faults, not peers. */
  peers: LinkPeer[];
  /** Rings: "ring 0 active with no faults" → false; "FAULTY" → true. */
  faulty: boolean;
  status?: string;
}

/** What `corosync-cfgtool -s` says on one node. */
export interface CorosyncLinks {
  localNodeId?: string;
  transport?: string;
  links: CorosyncLink[];
}

/**
 * Parse `corosync-cfgtool -s`: corosync 3 prints `LINK ID n` blocks with one
 * `nodeid: N: connected|disconnected|localhost` line per node (3.0 prints
 * `link enabled:1 link connected:1` instead); corosync 1/2 print `RING ID n` blocks with
 * `id = ADDR` and `status = ring n active with no faults` (or `… FAULTY`).
 */
export function parseCfgtool(text: string): CorosyncLinks {
  const out: CorosyncLinks = { links: [] };
  let cur: CorosyncLink | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Local node ID (\d+)(?:, transport (\S+))?/i.exec(line))) {
      out.localNodeId = m[1];
      if (m[2]) out.transport = m[2];
    } else if ((m = /^(?:LINK|RING) ID (\d+)/i.exec(line))) {
      cur = { id: m[1]!, peers: [], faulty: false };
      out.links.push(cur);
    } else if (!cur) {
      continue;
    } else if ((m = /^(?:addr|id)\s*=\s*(\S+)/.exec(line))) {
      cur.address = m[1];
    } else if ((m = /^status\s*=\s*(.+)$/.exec(line))) {
      cur.status = m[1]!.trim();
      cur.faulty = /fault(y|ed)?\b/i.test(cur.status) && !/no faults/i.test(cur.status);
    } else if ((m = /^nodeid:?\s*(\d+):?\s*(.*)$/.exec(line))) {
      const state = m[2]!.trim();
      if (/localhost/i.test(state)) continue;
      const connected = /link connected:\s*\d/.test(state) ? /link connected:\s*1/.test(state) : /^connected/i.test(state);
      cur.peers.push({ nodeId: m[1]!, connected, text: state });
    }
  }
  return out;
}
