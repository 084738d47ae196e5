/**
 * The scheduler's own reading of a test input: the "Current cluster status" section of a
 * Pacemaker regression summary (crm_simulate's text, 1.1 and 2.x/3.x layouts), reduced to
 * what HASF's model must agree with: node states and where each resource instance is
 * active in which role.
 */

/** A node as the summary shows it. */
export interface SummaryNode {
  online: boolean;
  standby: boolean;
  unclean: boolean;
  maintenance: boolean;
  pending: boolean;
  kind: 'member' | 'remote' | 'guest';
}

/** The parts of a summary the corpus check compares. */
export interface Summary {
  nodes: Map<string, SummaryNode>;
  /** `id@node=Role` per active instance (clone instances under their primitive's id). */
  placements: string[];
  /** The Transition Summary lines, as printed. */
  transition: string[];
}

/** What the summary can't say but the configuration can: a clone child that is a group → its members. */
export type Members = (id: string) => string[] | undefined;

const ROLE: Record<string, string> = {
  Master: 'Promoted',
  Masters: 'Promoted',
  Slave: 'Unpromoted',
  Slaves: 'Unpromoted',
  Promoted: 'Promoted',
  Unpromoted: 'Unpromoted',
  Started: 'Started',
};

/** A role word of crm_mon's text, mapped to the model's role names. */
export function summaryRole(word: string): string {
  return ROLE[word] ?? word;
}

function section(text: string, start: string, ends: RegExp): string[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() === start);
  if (i < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (ends.test(l)) break;
    out.push(l);
  }
  return out;
}

const list = (s: string) =>
  s
    .replace(/^\[\s*|\s*\]$/g, '')
    .split(/\s+/)
    .filter(Boolean);

/** Parse a `.summary` file's current status and transition summary. */
export function parseSummary(text: string, members: Members = () => undefined): Summary {
  const nodes = new Map<string, SummaryNode>();
  const placements: string[] = [];
  const setNode = (name: string, patch: Partial<SummaryNode>) => {
    const n = nodes.get(name) ?? { online: false, standby: false, unclean: false, maintenance: false, pending: false, kind: 'member' as const };
    nodes.set(name, { ...n, ...patch });
  };
  // The clone (or bundle) whose lists ("Started: [ … ]") follow, and the child they name.
  let child: string | undefined;
  let bundle: string | undefined;
  const place = (id: string, node: string, role: string) => {
    const ms = members(id);
    if (ms?.length) for (const m of ms) placements.push(`${m}@${node}=${role}`);
    else placements.push(`${id}@${node}=${role}`);
  };
  for (const raw of section(text, 'Current cluster status:', /^(Transition Summary|Executing|Revised cluster status|Performing Requested)/)) {
    const line = raw.replace(/^\s*(\*\s+)?/, '').trimEnd();
    if (!line || line === 'Node List:' || /^Full List of Resources:/.test(line)) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(Online|OFFLINE|RemoteOnline|RemoteOFFLINE|GuestOnline|Containers):\s*(\[.*\])$/.exec(line))) {
      const kind = m[1]!.startsWith('Remote') ? 'remote' : m[1] === 'GuestOnline' || m[1] === 'Containers' ? 'guest' : 'member';
      const online = !m[1]!.endsWith('OFFLINE');
      // 2.x GuestOnline: name@host; 1.1 Containers: name:container.
      for (const n of list(m[2]!)) setNode(n.replace(/[@:].*$/, ''), { online, kind });
      continue;
    }
    if ((m = /^(Node|RemoteNode|GuestNode)\s+(\S+?)(?:\s+\([^)]*\))?:\s*(.*)$/.exec(line))) {
      const name = m[2]!.replace(/@.*$/, '');
      const kind = m[1] === 'RemoteNode' ? 'remote' : m[1] === 'GuestNode' ? 'guest' : undefined;
      const st = m[3]!;
      setNode(name, {
        ...(kind ? { kind } : {}),
        online: /^(online|standby|maintenance)/.test(st) || /UNCLEAN \(online\)/.test(st),
        unclean: st.startsWith('UNCLEAN'),
        standby: /standby/.test(st),
        maintenance: /maintenance/.test(st),
        pending: /pending/.test(st),
      });
      continue;
    }
    if ((m = /^(?:Clone Set|Master\/Slave Set):\s+(\S+)\s+\[(\S+)\]/.exec(line))) {
      child = m[2];
      bundle = undefined;
      continue;
    }
    if ((m = /^(?:Container bundle set|Container bundle|Docker container set|Docker container|Podman container set|Podman container|rkt container set|rkt container):\s+(\S+)/.exec(line))) {
      bundle = m[1];
      child = undefined;
      continue;
    }
    if (/^Resource Group:/.test(line)) continue;
    // Started: [ n1 n2 ], Promoted: [ … ], Stopped (disabled): [ … ], Started (unmanaged)?: …
    if ((m = /^([A-Za-z]+)(?:\s+\([^)]*\))?:\s*(\[.*\])$/.exec(line))) {
      const role = summaryRole(m[1]!);
      if (role !== 'Stopped' && child) for (const n of list(m[2]!)) place(child, n, role);
      continue;
    }
    // NAME [(ip)] (agent): STATE … — a primitive, a clone instance, or a bundle replica.
    if ((m = /^(\S+)(?:\s+\([^)]*\))?\s+\(([^)]*)\):\s*(.*)$/.exec(line))) {
      let id = m[1]!.replace(/:\d+$/, '');
      if (bundle && id.startsWith(`${bundle}-`)) id = bundle;
      const words = m[3]!.replace(/\s*\([^)]*\)/g, ' ').trim().split(/\s+/);
      let i = 0;
      while (words[i] === 'ORPHANED' || words[i] === '(disabled)') i++;
      let role = 'Started';
      if (words[i] === 'FAILED') i++;
      if (words[i] && /^(Started|Stopped|Promoted|Unpromoted|Master|Slave|Starting|Stopping|Migrating|Promoting|Demoting|Unknown)$/.test(words[i]!)) role = summaryRole(words[i++]!);
      if (role === 'Stopped') continue;
      const rest = words.slice(i).join(' ');
      const where = rest.startsWith('[') ? list(rest.slice(0, rest.indexOf(']') + 1)) : rest.split(' ').slice(0, 1).filter(Boolean);
      for (const n of where) place(id, n, role);
      continue;
    }
  }
  placements.sort();
  const transition = section(text, 'Transition Summary:', /^(Executing|Revised cluster status|Using the original)/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('*'));
  return { nodes, placements, transition };
}
