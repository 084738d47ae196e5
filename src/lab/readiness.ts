import { XMLParser } from 'fast-xml-parser';
import type { ShapeExpectations } from './shapes.ts';

/** What the lab needs to know from `crm_mon --output-as=xml` to call the cluster settled. */
export interface LabClusterView {
  nodes: Array<{ name: string; online: boolean; unclean: boolean; isDc: boolean }>;
  /** Every primitive instance (clone instances separately), with its role and nodes. */
  resources: Array<{ id: string; role: string; active: boolean; failed: boolean; nodes: string[] }>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['node', 'resource', 'clone', 'group'].includes(name),
});

type XmlObj = Record<string, unknown>;
const arr = (v: unknown): XmlObj[] => (Array.isArray(v) ? (v as XmlObj[]) : v ? [v as XmlObj] : []);

/** Reads the nodes and primitive resources out of crm_mon's XML (2.x `--output-as=xml`). */
export function parseCrmMon(xml: string): LabClusterView {
  const doc = parser.parse(xml) as XmlObj;
  const root = (doc['pacemaker-result'] ?? {}) as XmlObj;
  const nodes = arr((root.nodes as XmlObj | undefined)?.node).map((n) => ({
    name: String(n.name),
    online: n.online === 'true',
    unclean: n.unclean === 'true',
    isDc: n.is_dc === 'true',
  }));
  const resources: LabClusterView['resources'] = [];
  const collect = (container: XmlObj | undefined): void => {
    if (!container) return;
    for (const r of arr(container.resource)) {
      resources.push({
        id: String(r.id),
        role: String(r.role),
        active: r.active === 'true',
        failed: r.failed === 'true',
        nodes: arr(r.node).map((n) => String(n.name)),
      });
    }
    for (const c of [...arr(container.clone), ...arr(container.group)]) collect(c);
  };
  collect(root.resources as XmlObj | undefined);
  return { nodes, resources };
}

/**
 * Why the cluster is not settled yet (undefined when it is): all expected nodes online
 * and clean, every expected resource running (Started, or Promoted/Unpromoted), clone
 * instances counted, one promoted instance of each promotable primitive, none failed.
 */
export function notSettledBecause(view: LabClusterView, nodeNames: string[], want: ShapeExpectations): string | undefined {
  for (const name of nodeNames) {
    const n = view.nodes.find((x) => x.name === name);
    if (!n?.online) return `${name} not online`;
    if (n.unclean) return `${name} unclean`;
  }
  const failed = view.resources.find((r) => r.failed);
  if (failed) return `${failed.id} failed`;
  for (const id of want.running) {
    const found = view.resources.filter((r) => r.id === id);
    if (found.length === 0) return `${id} unknown`;
    const stopped = found.find((r) => !RUNNING.has(r.role) || !r.active);
    if (stopped) return `${id} ${stopped.role}`;
    const count = want.instances[id] ?? 1;
    if (found.length < count) return `${id} running ${found.length} of ${count}`;
  }
  for (const id of want.promoted) {
    const n = view.resources.filter((r) => r.id === id && r.role === 'Promoted').length;
    if (n !== 1) return `${id} promoted on ${n} nodes`;
  }
  return undefined;
}

const RUNNING = new Set(['Started', 'Promoted', 'Unpromoted']);

/**
 * Whether `crm_simulate -L -R --output-as=xml` (the scheduler on the live CIB) would still
 * do something: the cluster is settled only when nothing is left to do.
 */
export function pendingActions(simulateXml: string): number {
  return (simulateXml.match(/<(rsc_action|node_action)\b/g) ?? []).length;
}
