import { HasfError } from '../errors/index.ts';
import type { Dialect } from '../config/inventory.ts';

/** A concrete stack dialect (the inventory's `auto` resolved). */
export type StackDialect = Exclude<Dialect, 'auto'>;

/** Where a status can come from, in the order a dialect tries them. */
export type StatusSource = 'crm_mon-output-as-xml' | 'crm_mon-as-xml' | 'cibadmin';

/**
 * Everything that differs between stacks, as data. Each argv the driver runs is built from
 * one of these rows by the functions below; nothing else in src/cluster spells a flag.
 * Sources: shared/PACEMAKER-NOTES.md (ClusterLabs sources at release tags).
 */
export interface DialectSpec {
  id: StackDialect;
  /** Human label for messages. */
  label: string;
  /** Status commands, best first; the driver falls back down the list when one fails. */
  status: StatusSource[];
  /** crm_resource move: the command and option, resource flag, node flag, lifetime flag. */
  move: { argv: string[]; resource: string; node: string; lifetime: string };
  /** crm_resource undo of a move (removes cli-prefer-* and cli-ban-*). */
  clear: { argv: string[]; resource: string };
  /** Node standby: the tool and its node/name/value/lifetime spellings. */
  standby:
    | { tool: 'crm_standby'; node: string; value: string; lifetime: string[] }
    | { tool: 'crm_attribute'; node: string; name: string; value: string; lifetime: string[] };
  /** Cluster properties in crm_config (maintenance-mode, stonith-enabled): crm_attribute's spellings. */
  property: { argv: string[]; name: string; value: string; delete: string };
  /**
   * Maintenance flags the stack reads: the cluster's maintenance-mode property (1.0+) and a
   * node's permanent attribute `maintenance` (1.1.10+); null/false where the stack has none.
   */
  maintenance: {
    cluster: boolean;
    node: { argv: string[]; node: string; name: string; value: string; delete: string; lifetime: string[] } | null;
  };
  /**
   * Resource meta attributes (crm_resource --meta) and the names this stack reads:
   * Heartbeat 2.1 spells them with underscores; the resource `maintenance` meta is 1.1.12+.
   */
  meta: {
    argv: string[];
    resource: string;
    set: string;
    value: string;
    delete: string;
    targetRole: string;
    isManaged: string;
    maintenance: string | null;
  };
  /** crm_resource --restart (1.1.13+); null: the job stops, waits, then starts. */
  restart: { argv: string[]; resource: string } | null;
  /** crm_resource --ban on a node (1.1.10+), with its lifetime flag; null: the stack has none. */
  ban: { argv: string[]; resource: string; node: string; lifetime: string } | null;
  /** The flag that limits a clear to constraints whose lifetime expired (2.0.1+), or null. */
  clearExpired: string | null;
  /** cibadmin: create an element in a section, delete an element matched by tag and id. */
  cibCreate: { argv: string[]; scope: string; xml: string };
  cibDelete: { argv: string[]; xml: string };
  /** crm_verify of the live CIB with errors and warnings listed. */
  verify: string[];
  /** stonith_admin reboot / off flags; null when the stack has no stonith_admin that can. */
  fence: { reboot: string; off: string } | null;
  /** Fencing history: flag and output format; null when unavailable. */
  fenceHistory: { flag: string; extra: string[]; format: 'xml' | 'text' } | null;
  /** crm_resource cleanup; `node` is the host flag (required on Heartbeat 2.1). */
  cleanup: { argv: string[]; resource: string; node: string; needsNode: boolean };
  /** Dump the CIB. */
  cib: string[];
  /**
   * crm_simulate: whether it can print XML (2.1+; 2.0 falls back to text at run time) and
   * its node-fail flag. null: the stack's scheduler tool is ptest, not crm_simulate.
   */
  simulate: { xml: boolean; nodeFail: string; nodeUp: string; utilization: string } | null;
  /**
   * How a job tells the cluster has settled (no transition in progress): `scheduler` runs
   * the scheduler on the live CIB (`crm_simulate --live-check --run`, as crm_resource
   * --wait does, without its fixed 2 s poll) and reads the operations in flight from the
   * CIB's status section; `dc-state` (stacks without crm_simulate) asks the DC's
   * controller for S_IDLE with `crmadmin -S`. Read together with the status section.
   */
  settle: { kind: 'scheduler'; xml: boolean } | { kind: 'dc-state' };
  /**
   * The cluster property that turns fencing on or off. 3.0.2 renamed stonith-enabled to
   * fencing-enabled: the new name wins when both are set, so writing the old one there can
   * do nothing; 3.0.0/3.0.1 don't know the new one. `renamed` applies from `version` on.
   */
  fencingProperty: { name: string; renamed?: { version: string; name: string } };
}

/** The one table of differences between Heartbeat 2.1, Pacemaker 1.0, 1.1, 2.x and 3.x. */
export const DIALECTS: Readonly<Record<StackDialect, DialectSpec>> = {
  'heartbeat-2.1': {
    id: 'heartbeat-2.1',
    label: 'Heartbeat 2.1 / Pacemaker 0.6',
    status: ['cibadmin'],
    move: { argv: ['crm_resource', '-M'], resource: '-r', node: '-H', lifetime: '-u' },
    clear: { argv: ['crm_resource', '-U'], resource: '-r' },
    standby: { tool: 'crm_standby', node: '-U', value: '-v', lifetime: ['-l', 'forever'] },
    fence: null,
    fenceHistory: null,
    cleanup: { argv: ['crm_resource', '-C'], resource: '-r', node: '-H', needsNode: true },
    cib: ['cibadmin', '-Q'],
    property: { argv: ['crm_attribute', '-t', 'crm_config'], name: '-n', value: '-v', delete: '-D' },
    // 0.6 has neither maintenance-mode nor a node maintenance attribute.
    maintenance: { cluster: false, node: null },
    meta: { argv: ['crm_resource', '-m'], resource: '-r', set: '-p', value: '-v', delete: '-d', targetRole: 'target_role', isManaged: 'is_managed', maintenance: null },
    restart: null,
    ban: null,
    clearExpired: null,
    cibCreate: { argv: ['cibadmin', '-C'], scope: '-o', xml: '-X' },
    cibDelete: { argv: ['cibadmin', '-D'], xml: '-X' },
    verify: ['crm_verify', '-L', '-V'],
    simulate: null,
    settle: { kind: 'dc-state' },
    fencingProperty: { name: 'stonith-enabled' },
  },
  'pacemaker-1.0': {
    id: 'pacemaker-1.0',
    label: 'Pacemaker 1.0',
    status: ['cibadmin'],
    move: { argv: ['crm_resource', '-M'], resource: '-r', node: '-N', lifetime: '-u' },
    clear: { argv: ['crm_resource', '-U'], resource: '-r' },
    standby: { tool: 'crm_attribute', node: '-N', name: '-n', value: '-v', lifetime: ['-l', 'forever'] },
    fence: null,
    fenceHistory: null,
    cleanup: { argv: ['crm_resource', '-C'], resource: '-r', node: '-H', needsNode: false },
    cib: ['cibadmin', '-Q'],
    property: { argv: ['crm_attribute', '-t', 'crm_config'], name: '-n', value: '-v', delete: '-D' },
    // maintenance-mode arrived in 1.0; the node attribute only in 1.1.10.
    maintenance: { cluster: true, node: null },
    meta: { argv: ['crm_resource', '-m'], resource: '-r', set: '-p', value: '-v', delete: '-d', targetRole: 'target-role', isManaged: 'is-managed', maintenance: null },
    restart: null,
    ban: null,
    clearExpired: null,
    cibCreate: { argv: ['cibadmin', '-C'], scope: '-o', xml: '-X' },
    cibDelete: { argv: ['cibadmin', '-D'], xml: '-X' },
    verify: ['crm_verify', '-L', '-V'],
    simulate: null,
    settle: { kind: 'dc-state' },
    fencingProperty: { name: 'stonith-enabled' },
  },
  'pacemaker-1.1': {
    id: 'pacemaker-1.1',
    label: 'Pacemaker 1.1',
    status: ['crm_mon-as-xml', 'cibadmin'],
    move: { argv: ['crm_resource', '--move'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    // -U is --un-move before 1.1.10 and --clear after: the one spelling all of 1.1 accepts.
    clear: { argv: ['crm_resource', '-U'], resource: '--resource' },
    standby: {
      tool: 'crm_attribute', node: '--node', name: '--name', value: '--update', lifetime: ['--lifetime', 'forever'],
    },
    fence: { reboot: '--reboot', off: '--fence' },
    // Without --verbose, stonith_admin prints one entry per target (not the newest): seen on 2.1.5.
    fenceHistory: { flag: '--history', extra: ['--verbose'], format: 'text' },
    cleanup: { argv: ['crm_resource', '--cleanup'], resource: '--resource', node: '--node', needsNode: false },
    cib: ['cibadmin', '-Q'],
    property: { argv: ['crm_attribute', '--type', 'crm_config'], name: '--name', value: '--update', delete: '--delete' },
    // The node attribute is read from 1.1.10 (as is --ban): the 1.1 releases still in service.
    maintenance: {
      cluster: true,
      node: { argv: ['crm_attribute'], node: '--node', name: '--name', value: '--update', delete: '--delete', lifetime: ['--lifetime', 'forever'] },
    },
    // The resource maintenance meta is 1.1.12+, which the dialect can't tell apart: is-managed it is.
    meta: { argv: ['crm_resource', '--meta'], resource: '--resource', set: '--set-parameter', value: '--parameter-value', delete: '--delete-parameter', targetRole: 'target-role', isManaged: 'is-managed', maintenance: null },
    // --restart is 1.1.13+: stop, wait, start works on every 1.1.
    restart: null,
    ban: { argv: ['crm_resource', '--ban'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    clearExpired: null,
    cibCreate: { argv: ['cibadmin', '--create'], scope: '--scope', xml: '--xml-text' },
    cibDelete: { argv: ['cibadmin', '--delete'], xml: '--xml-text' },
    verify: ['crm_verify', '--live-check', '-V'],
    simulate: { xml: false, nodeFail: '--node-fail', nodeUp: '--node-up', utilization: '--show-utilization' },
    settle: { kind: 'scheduler', xml: false },
    fencingProperty: { name: 'stonith-enabled' },
  },
  'pacemaker-2': {
    id: 'pacemaker-2',
    label: 'Pacemaker 2.x/3.x',
    status: ['crm_mon-output-as-xml', 'crm_mon-as-xml', 'cibadmin'],
    move: { argv: ['crm_resource', '--move'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    clear: { argv: ['crm_resource', '--clear'], resource: '--resource' },
    standby: {
      tool: 'crm_attribute', node: '--node', name: '--name', value: '--update', lifetime: ['--lifetime', 'forever'],
    },
    fence: { reboot: '--reboot', off: '--fence' },
    // --verbose: every event, not one per target (2.1.5 otherwise shows the oldest success only).
    fenceHistory: { flag: '--history', extra: ['--verbose', '--output-as=xml'], format: 'xml' },
    cleanup: { argv: ['crm_resource', '--cleanup'], resource: '--resource', node: '--node', needsNode: false },
    cib: ['cibadmin', '-Q'],
    property: { argv: ['crm_attribute', '--type', 'crm_config'], name: '--name', value: '--update', delete: '--delete' },
    maintenance: {
      cluster: true,
      node: { argv: ['crm_attribute'], node: '--node', name: '--name', value: '--update', delete: '--delete', lifetime: ['--lifetime', 'forever'] },
    },
    meta: { argv: ['crm_resource', '--meta'], resource: '--resource', set: '--set-parameter', value: '--parameter-value', delete: '--delete-parameter', targetRole: 'target-role', isManaged: 'is-managed', maintenance: 'maintenance' },
    restart: { argv: ['crm_resource', '--restart'], resource: '--resource' },
    ban: { argv: ['crm_resource', '--ban'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    clearExpired: '--expired',
    cibCreate: { argv: ['cibadmin', '--create'], scope: '--scope', xml: '--xml-text' },
    cibDelete: { argv: ['cibadmin', '--delete'], xml: '--xml-text' },
    verify: ['crm_verify', '--live-check', '-V'],
    simulate: { xml: true, nodeFail: '--node-fail', nodeUp: '--node-up', utilization: '--show-utilization' },
    // 2.0.x has no --output-as yet: the driver falls back to the text summary, as predict() does.
    settle: { kind: 'scheduler', xml: true },
    fencingProperty: { name: 'stonith-enabled' },
  },
  // Checked against the 3.0.2 tree's option tables (test/fixtures/pacemaker/3.0.2/tool-flags.json)
  // and its ChangeLog: 3.0.0 dropped crm_resource --get-property/--set-property/--xml-file,
  // crm_mon --as-html/--simple-status/--web-cgi, cibadmin --host/--no-bcast (none used
  // here) and hid crm_mon --as-xml; 3.0.2 added fencing-enabled.
  'pacemaker-3': {
    id: 'pacemaker-3',
    label: 'Pacemaker 3.0',
    // --as-xml is hidden (deprecated) in 3.0; cibadmin -Q is the fallback.
    status: ['crm_mon-output-as-xml', 'cibadmin'],
    move: { argv: ['crm_resource', '--move'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    clear: { argv: ['crm_resource', '--clear'], resource: '--resource' },
    standby: {
      tool: 'crm_attribute', node: '--node', name: '--name', value: '--update', lifetime: ['--lifetime', 'forever'],
    },
    fence: { reboot: '--reboot', off: '--fence' },
    fenceHistory: { flag: '--history', extra: ['--verbose', '--output-as=xml'], format: 'xml' },
    cleanup: { argv: ['crm_resource', '--cleanup'], resource: '--resource', node: '--node', needsNode: false },
    cib: ['cibadmin', '-Q'],
    property: { argv: ['crm_attribute', '--type', 'crm_config'], name: '--name', value: '--update', delete: '--delete' },
    maintenance: {
      cluster: true,
      node: { argv: ['crm_attribute'], node: '--node', name: '--name', value: '--update', delete: '--delete', lifetime: ['--lifetime', 'forever'] },
    },
    meta: { argv: ['crm_resource', '--meta'], resource: '--resource', set: '--set-parameter', value: '--parameter-value', delete: '--delete-parameter', targetRole: 'target-role', isManaged: 'is-managed', maintenance: 'maintenance' },
    restart: { argv: ['crm_resource', '--restart'], resource: '--resource' },
    ban: { argv: ['crm_resource', '--ban'], resource: '--resource', node: '--node', lifetime: '--lifetime' },
    clearExpired: '--expired',
    cibCreate: { argv: ['cibadmin', '--create'], scope: '--scope', xml: '--xml-text' },
    cibDelete: { argv: ['cibadmin', '--delete'], xml: '--xml-text' },
    verify: ['crm_verify', '--live-check', '-V'],
    simulate: { xml: true, nodeFail: '--node-fail', nodeUp: '--node-up', utilization: '--show-utilization' },
    settle: { kind: 'scheduler', xml: true },
    fencingProperty: { name: 'stonith-enabled', renamed: { version: '3.0.2', name: 'fencing-enabled' } },
  },
};

/** The argv of a status source. */
export function statusArgv(source: StatusSource): string[] {
  switch (source) {
    case 'crm_mon-output-as-xml':
      return ['crm_mon', '--output-as=xml'];
    case 'crm_mon-as-xml':
      return ['crm_mon', '-1', '--as-xml'];
    case 'cibadmin':
      return ['cibadmin', '-Q'];
  }
}

/** `crm_resource` move of `resource` to `node`, with an optional ISO 8601 lifetime. */
export function moveArgv(d: DialectSpec, resource: string, node: string, lifetime?: string): string[] {
  const m = d.move;
  return [...m.argv, m.resource, resource, m.node, node, ...(lifetime ? [m.lifetime, lifetime] : [])];
}

/** Removal of the constraints a move or ban left for `resource`. */
export function clearArgv(d: DialectSpec, resource: string): string[] {
  return [...d.clear.argv, d.clear.resource, resource];
}

/** Standby on or off for `node` (permanent, as an operator's standby is). */
export function standbyArgv(d: DialectSpec, node: string, on: boolean): string[] {
  const s = d.standby;
  const value = on ? 'on' : 'off';
  if (s.tool === 'crm_standby') return ['crm_standby', s.node, node, s.value, value, ...s.lifetime];
  return ['crm_attribute', s.node, node, s.name, 'standby', s.value, value, ...s.lifetime];
}

/** stonith_admin reboot or power-off of `node`; UNSUPPORTED_STACK where the stack has none. */
export function fenceArgv(d: DialectSpec, node: string, action: 'reboot' | 'off'): string[] {
  if (!d.fence) {
    throw new HasfError(
      'UNSUPPORTED_STACK',
      `${d.label} has no stonith_admin that can fence on request: fence the node with its power switch or upgrade the stack.`,
      { dialect: d.id },
    );
  }
  return ['stonith_admin', action === 'reboot' ? d.fence.reboot : d.fence.off, node];
}

/** The fencing history of `node` (or every node, `*`). */
export function fenceHistoryArgv(d: DialectSpec, node = '*'): string[] {
  if (!d.fenceHistory) {
    throw new HasfError(
      'UNSUPPORTED_STACK',
      `${d.label} keeps no fencing history: check the fence device's own log instead.`,
      { dialect: d.id },
    );
  }
  return ['stonith_admin', d.fenceHistory.flag, node, ...d.fenceHistory.extra];
}

/** Clean up the failures of `resource` (on `node` only, when given). */
export function cleanupArgv(d: DialectSpec, resource: string, node?: string): string[] {
  const c = d.cleanup;
  if (c.needsNode && !node) {
    throw new HasfError(
      'INVALID_INPUT',
      `${d.label} cleans a resource up one node at a time: name the node to clean it up on.`,
      { dialect: d.id, resource },
    );
  }
  return [...c.argv, c.resource, resource, ...(node ? [c.node, node] : [])];
}

/** The CIB dump. */
export function cibArgv(d: DialectSpec): string[] {
  return [...d.cib];
}

/**
 * crm_simulate on `input`, writing the resulting CIB to `output`. `xml` asks for
 * --output-as=xml; `failNode` simulates that node failing (what a fence predicts).
 */
export function simulateArgv(
  d: DialectSpec,
  input: string,
  output: string,
  opts: { xml: boolean; failNode?: string; upNode?: string; utilization?: boolean },
): string[] {
  if (!d.simulate) {
    throw new HasfError(
      'UNSUPPORTED_STACK',
      `${d.label} has no crm_simulate: run predictions on a host with Pacemaker 1.1 or later (the driver's simulator option).`,
      { dialect: d.id },
    );
  }
  return [
    'crm_simulate',
    '--xml-file', input,
    ...(opts.failNode ? [d.simulate.nodeFail, opts.failNode] : []),
    ...(opts.upNode ? [d.simulate.nodeUp, opts.upNode] : []),
    '--simulate',
    ...(opts.utilization ? [d.simulate.utilization] : []),
    '--save-output', output,
    ...(opts.xml ? ['--output-as=xml'] : []),
  ];
}

/**
 * Delete every element matching `xpath` from a CIB file (CIB_file=): how a prediction
 * applies a cleanup to its copy, since crm_resource --cleanup does nothing on a file.
 * `--force` because cibadmin calls a multi-element delete "dangerous".
 */
export function deleteXpathArgv(xpath: string): string[] {
  return ['cibadmin', '--delete-all', '--force', '--xpath', xpath];
}

/** The CIB's status section (operations in flight and done): every stack's cibadmin has `-o`. */
export function statusSectionArgv(d: DialectSpec): string[] {
  return [...d.cib, '-o', 'status'];
}

/** The scheduler on the live CIB: what it would still do (`xml` for --output-as=xml, 2.1+). */
export function liveSchedulerArgv(xml: boolean): string[] {
  return ['crm_simulate', '--live-check', '--run', ...(xml ? ['--output-as=xml'] : [])];
}

/** The controller state of `node` (the DC's tells whether a transition runs). */
export function dcStateArgv(node: string): string[] {
  return ['crmadmin', '-S', node];
}

/** Compare dotted versions numerically: <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The name of the fencing on/off property on a stack of `version` (the DC's, or the
 * tools'): fencing-enabled from 3.0.2, stonith-enabled before and when the version is unknown.
 */
export function fencingPropertyName(d: DialectSpec, version?: string): string {
  const r = d.fencingProperty.renamed;
  return r && version && compareVersions(version, r.version) >= 0 ? r.name : d.fencingProperty.name;
}

/** Version probes, tried in order until one answers. */
export const VERSION_PROBES: readonly string[][] = [
  ['crm_mon', '--version'],
  ['pacemakerd', '--version'],
  ['crm_resource', '--version'],
];

/**
 * The dialect of a tool's `--version` text, with the version found. Heartbeat's tools
 * print a 2.x number too, so the word "Pacemaker" is what tells Pacemaker 2 apart.
 */
export function dialectFromVersion(text: string): { id: StackDialect; version: string } | null {
  const pm = /Pacemaker\s+v?(\d+)\.(\d+)(?:\.(\d+))?/i.exec(text);
  if (pm) {
    const [major, minor] = [Number(pm[1]), Number(pm[2])];
    const version = pm[0].replace(/^Pacemaker\s+v?/i, '');
    if (major >= 3) return { id: 'pacemaker-3', version };
    if (major === 2) return { id: 'pacemaker-2', version };
    if (major === 1 && minor >= 1) return { id: 'pacemaker-1.1', version };
    if (major === 1) return { id: 'pacemaker-1.0', version };
    return { id: 'heartbeat-2.1', version }; // Pacemaker 0.6/0.7 ran on Heartbeat 2.1
  }
  const hb = /(?:heartbeat|crm_\w+)\D*?(2\.\d+\.\d+)/i.exec(text);
  if (hb?.[1]) return { id: 'heartbeat-2.1', version: hb[1] };
  return null;
}
