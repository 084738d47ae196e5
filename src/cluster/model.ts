import type { AdminChange } from './admin-change.ts';

/**
 * One typed model of a Pacemaker cluster's state, whatever stack produced it
 * (Heartbeat 2.1 `cibadmin -Q`, Pacemaker 1.1 `crm_mon --as-xml`, 2.x/3.x
 * `crm_mon --output-as=xml`). Fields a source can't tell are left undefined.
 */
export interface ClusterNode {
  name: string;
  id?: string;
  online: boolean;
  standby: boolean;
  /** Standby because of a failure (standby_onfail). */
  standbyOnFail?: boolean;
  unclean: boolean;
  pending?: boolean;
  shutdown?: boolean;
  maintenance: boolean;
  isDc: boolean;
  resourcesRunning: number;
  /** member | remote | guest | ping (guest: a Pacemaker Remote node inside a VM or bundle container). */
  type?: string;
  /** For a guest node: the resource that is its container (a VM primitive, a bundle's container). */
  container?: string;
  /** For a guest node: the cluster node its container runs on. */
  host?: string;
}

/**
 * One instance of a resource: the resource itself for a primitive, `ping:1` for a clone
 * instance, `httpd-bundle-0` for a bundle replica. Inactive instances are listed too when
 * the source shows them (crm_mon does; a CIB only knows active ones).
 */
export interface ResourceInstance {
  id: string;
  /** Started, Stopped, Promoted, Unpromoted, … */
  role: string;
  active: boolean;
  failed: boolean;
  /** Where it is active (more than one: a split brain). */
  nodes: string[];
  /** An operation in flight (start, stop, migrate_to, promote, …). */
  pending?: string;
}

export type ResourceKind = 'primitive' | 'group' | 'clone' | 'bundle';

export interface ClusterResource {
  id: string;
  kind: ResourceKind;
  /** `ocf:heartbeat:Xen`, `stonith:fence_xvm`, … (normalized to single colons). */
  agent?: string;
  /** Started, Stopped, Promoted, Unpromoted, Starting, Migrating, … (Master/Slave mapped). */
  role: string;
  targetRole?: string;
  active: boolean;
  managed: boolean;
  failed: boolean;
  /** Nodes it is running on (more than one for clones, or for a split brain). */
  nodes: string[];
  /** meta attribute allow-migrate (or allow_migrate on Heartbeat 2.1), from the CIB. */
  allowMigrate?: boolean;
  /** For groups and clones: members. */
  children?: ClusterResource[];
  /** For members: the group or clone id. */
  parent?: string;
  /** True for stonith-class primitives. */
  isFenceDevice: boolean;
  /** Failure counts per node, when the source shows them. */
  failCounts?: Record<string, number>;
  /** Every instance with its own role and nodes (clone instances, bundle replicas, the primitive itself). */
  instances?: ResourceInstance[];
  /** Running but no longer configured (crm_mon ORPHANED; 3.0.2 calls it removed). */
  orphaned?: boolean;
  /** Blocked: a failure the cluster can't recover from (a failed stop without fencing). */
  blocked?: boolean;
  /** Promotable clone (master/slave before 2.0). */
  promotable?: boolean;
  /** Clone with globally-unique instances. */
  unique?: boolean;
  /** For primitives: the template (`<template>`) it is built from. */
  template?: string;
  /** For a primitive that is a guest node's container (meta remote-node), that node. */
  guestNode?: string;
  /** The node(s) it was still shown as pending on (an operation in flight). */
  pending?: string;
}

/** One failed operation the cluster remembers (crm_mon's "Failed Resource Actions"). */
export interface FailedAction {
  resource: string;
  node: string;
  /** monitor, start, stop, migrate_to, … */
  operation: string;
  intervalMs: number;
  /** The agent's OCF exit code and its name (not running, error, …). */
  rc: number;
  rcText: string;
  /** Set when the operation did not complete (timed out, error): the executor's status. */
  status?: string;
  exitReason?: string;
  /** When it failed (ISO), from last-rc-change. */
  at?: string;
}

/** An operation in flight (the status records it as pending). */
export interface PendingAction {
  resource: string;
  node: string;
  operation: string;
}

/** A ticket of a multi-site cluster (booth): granted or not here. */
export interface Ticket {
  id: string;
  granted: boolean;
  standby: boolean;
  /** Resources that depend on it (rsc_ticket constraints). */
  resources?: string[];
}

export interface LocationConstraint {
  id: string;
  resource: string;
  node?: string;
  /** INFINITY, -INFINITY or a number as text. */
  score: string;
  /** Has a rule (often a lifetime: date_expression). */
  hasRule: boolean;
  /** cli-prefer-* / cli-ban-*: left by `crm_resource --move/--ban`, cleared by --clear. */
  leftover: 'prefer' | 'ban' | null;
}

export interface Quorum {
  hasQuorum: boolean;
  /** Expected votes when known. */
  expectedVotes?: number;
}

export interface ClusterStatus {
  /** Which source produced it. */
  source: 'crm_mon-output-as-xml' | 'crm_mon-as-xml' | 'cibadmin';
  stackVersion?: string;
  dcNode?: string;
  quorum: Quorum;
  stonithEnabled?: boolean;
  maintenanceMode?: boolean;
  nodes: ClusterNode[];
  /** Top-level resources; groups and clones carry their children. */
  resources: ClusterResource[];
  constraints: LocationConstraint[];
  /** Stonith primitives (also present in resources). */
  fenceDevices: ClusterResource[];
  /** When the status was read. */
  readAt: string;
  /** The CIB's version when read live (admin_epoch.epoch.num_updates): equal versions, equal CIBs. */
  cibVersion?: string;
  /** Failed operations the cluster remembers. */
  failedActions?: FailedAction[];
  /** Operations in flight. */
  pendingActions?: PendingAction[];
  /** Tickets (multi-site). */
  tickets?: Ticket[];
  /** Tags (`<tags>`): a name for a list of resources. */
  tags?: Record<string, string[]>;
}

/** One entry of the fencing history (`stonith_admin --history`). */
export interface FenceEvent {
  target: string;
  action: string;
  status: 'success' | 'failed' | 'pending';
  delegate?: string;
  origin?: string;
  client?: string;
  /** ISO time or the raw value the tool printed. */
  completed?: string;
}

/** A change the driver can make, predict, or list the commands of. */
export type PlannedChange =
  | { kind: 'move'; resource: string; node: string; lifetime?: string }
  | { kind: 'clear'; resource: string }
  | { kind: 'standby'; node: string; on: boolean }
  | { kind: 'fence'; node: string; action: 'reboot' | 'off' }
  | { kind: 'cleanup'; resource: string; node?: string }
  | AdminChange;

/** One action of a predicted transition (crm_simulate's "Transition Summary"). */
export interface PredictedAction {
  /** migrate, move, start, stop, restart, recover, promote, demote, fence, … (lower case). */
  action: string;
  /** Resource id as the scheduler names it; clone instances keep their `:N`. */
  resource?: string;
  /** For fence: the victim; for start/stop/recover: where it happens. */
  node?: string;
  /** For migrate and move. */
  from?: string;
  to?: string;
  /** Fence flavour (reboot/off) or the scheduler's reason ("node availability"). */
  detail?: string;
  /** One line for approvers: "vm1: migrate node2 → node3", "fence (reboot) node2". */
  text: string;
}

/** What the real scheduler predicts a change would do, computed on a copy of the CIB. */
export interface Prediction {
  change: PlannedChange;
  actions: PredictedAction[];
  /** The cluster as the simulation leaves it (placement afterwards). */
  after: ClusterStatus;
  /** Where a resource runs afterwards, by resource id (clone members: several nodes). */
  placement: Record<string, string[]>;
  /** How the transition was read: crm_simulate --output-as=xml or its text summary. */
  format: 'xml' | 'text';
  /** The argvs the simulation ran (on copies; shown for transparency). */
  simulated: string[][];
}
