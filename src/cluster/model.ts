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
  /** member | remote | ping */
  type?: string;
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
