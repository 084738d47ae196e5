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
