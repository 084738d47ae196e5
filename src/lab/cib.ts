import { LAB_VM_COUNT, type LabLayout } from './layout.ts';
import { LAB_STICKINESS, SEED, type LabShape } from './shapes.ts';

/** Settings that shape the lab's CIB. */
export interface LabCibOptions {
  /** migrate_to duration of every VM (instance attribute migration_time_ms). */
  migrationTimeMs: number;
  /** Which cluster shape to build; default seed. */
  shape?: LabShape;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const nv = (idPrefix: string, name: string, value: string): string =>
  `<nvpair id="${esc(`${idPrefix}-${name}`)}" name="${esc(name)}" value="${esc(value)}"/>`;

/** An attribute block (`instance_attributes`, `meta_attributes`, `utilization`) or '' when empty. */
function attrs(tag: string, owner: string, pairs: Array<[string, string]>, indent: string): string {
  if (!pairs.length) return '';
  const id = `${owner}-${tag}`;
  return `${indent}<${tag} id="${esc(id)}">\n${pairs.map(([k, v]) => `${indent}  ${nv(id, k, v)}`).join('\n')}\n${indent}</${tag}>\n`;
}

/**
 * The lab fence device's `passwd`: a real PDU or IPMI agent carries its login in the
 * CIB, so the lab does too. Tests check this value never reaches anything a viewer reads.
 */
export const LAB_FENCE_PASSWD = 'lab-PDU-pw-7f3c9e21';

/** Ids of the VM resources (vm1…vm6). */
export function labVmIds(): string[] {
  return Array.from({ length: LAB_VM_COUNT }, (_, i) => `vm${i + 1}`);
}

interface PrimitiveSpec {
  id: string;
  agent: [cls: string, provider: string, type: string];
  params?: Array<[string, string]>;
  meta?: Array<[string, string]>;
  utilization?: Array<[string, string]>;
  /** [name, interval, timeout, role?] */
  ops: Array<[string, string, string, string?]>;
}

function primitive(p: PrimitiveSpec, indent: string): string {
  const [cls, provider, type] = p.agent;
  const ops = p.ops
    .map(([name, interval, timeout, role]) => {
      const id = `${p.id}-${name}-${interval}${role ? `-${role}` : ''}`;
      return `${indent}    <op id="${esc(id)}" name="${name}" interval="${interval}" timeout="${timeout}"${role ? ` role="${role}"` : ''}/>`;
    })
    .join('\n');
  return (
    `${indent}<primitive id="${esc(p.id)}" class="${cls}"${provider ? ` provider="${provider}"` : ''} type="${type}">\n` +
    attrs('instance_attributes', p.id, p.params ?? [], `${indent}  `) +
    attrs('meta_attributes', p.id, p.meta ?? [], `${indent}  `) +
    attrs('utilization', p.id, p.utilization ?? [], `${indent}  `) +
    `${indent}  <operations>\n${ops}\n${indent}  </operations>\n${indent}</primitive>`
  );
}

function vmSpec(vm: string, o: LabCibOptions, seed: boolean): PrimitiveSpec {
  const migrateTimeout = Math.max(60, Math.ceil((o.migrationTimeMs * 3) / 1000));
  const migratable = !(seed && vm === SEED.notMigratable);
  const u = SEED.utilization;
  const size = vm === u.big.vm ? u.big.size : u.vm;
  return {
    id: vm,
    agent: ['ocf', 'hasf', 'domU'],
    params: [['migration_time_ms', String(o.migrationTimeMs)]],
    meta: [
      ...(migratable ? ([['allow-migrate', 'true']] as Array<[string, string]>) : []),
      // Placed before the small VMs, so draining a node never strands the one that needs most room.
      ...(seed && vm === u.big.vm ? ([['priority', '10']] as Array<[string, string]>) : []),
    ],
    utilization: seed ? [[u.attribute, String(size)]] : [],
    ops: [
      ['monitor', '10s', '20s'],
      ['start', '0', '20s'],
      ['stop', '0', '20s'],
      ...(migratable
        ? ([
            ['migrate_to', '0', `${migrateTimeout}s`],
            ['migrate_from', '0', '20s'],
          ] as Array<[string, string, string]>)
        : []),
    ],
  };
}

/** The seed shape's extra resources: the group, the promotable clone, the resource that fails on one node. */
function seedResources(layout: LabLayout): string {
  const g = SEED.group;
  const p = SEED.promotable;
  const ip = primitive(
    {
      id: g.ip,
      agent: ['ocf', 'hasf', 'IPaddr'],
      params: [
        ['ip', `${layout.subnet}.${g.ipHost}`],
        ['cidr_netmask', '24'],
      ],
      ops: [['monitor', '10s', '20s']],
    },
    '        ',
  );
  const svc = primitive({ id: g.service, agent: ['ocf', 'pacemaker', 'Dummy'], ops: [['monitor', '10s', '20s']] }, '        ');
  const db = primitive(
    {
      id: p.primitive,
      agent: ['ocf', 'pacemaker', 'Stateful'],
      ops: [
        ['monitor', '10s', '20s', 'Promoted'],
        ['monitor', '11s', '20s', 'Unpromoted'],
      ],
    },
    '        ',
  );
  const legacy = primitive(
    {
      id: SEED.failed.resource,
      agent: ['ocf', 'pacemaker', 'Dummy'],
      params: [['fail_start_on', SEED.failed.node]],
      ops: [['monitor', '10s', '20s']],
    },
    '      ',
  );
  return `      <group id="${g.id}">
${ip}
${svc}
      </group>
      <clone id="${p.clone}">
${attrs('meta_attributes', p.clone, [['promotable', 'true'], ['promoted-max', '1'], ['interleave', 'true']], '        ')}${db}
      </clone>
${legacy}`;
}

/** The seed shape's constraints: preferences, the anti-colocation, the promoted role's preference, the leftover ban. */
function seedConstraints(): string {
  const loc = (id: string, rsc: string, node: string, score: number | string, role?: string) =>
    `      <rsc_location id="${id}" rsc="${rsc}"${role ? ` role="${role}"` : ''} node="${node}" score="${score}"/>`;
  const s = SEED;
  return [
    loc(s.weakPreference.constraint, s.weakPreference.vm, s.weakPreference.node, s.weakPreference.score),
    loc(s.preference.constraint, s.preference.vm, s.preference.node, s.preference.score),
    `      <rsc_colocation id="${s.apart.constraint}" rsc="${s.apart.vm}" with-rsc="${s.apart.from}" score="-INFINITY"/>`,
    loc(s.promotable.constraint, s.promotable.clone, s.promotable.node, s.promotable.score, 'Promoted'),
    loc(s.failed.constraint, s.failed.resource, s.failed.node, s.failed.score),
    // Exactly what crm_resource --ban --resource vm5 --node node1 writes.
    loc(s.leftoverBan.constraint, s.leftoverBan.vm, s.leftoverBan.node, '-INFINITY', 'Started'),
  ].join('\n');
}

/**
 * The lab's pre-written CIB, shaped like the seed's cluster: a fence device, a cloned
 * shared file system (a Dummy standing in for OCFS2), and VMs that live-migrate, each
 * ordered after and colocated with the file system; the seed shape adds the shapes of
 * shapes.ts. Written to every node's /var/lib/pacemaker/cib/cib.xml before the first
 * boot; no crm_feature_set, the DC writes its own (2.1.5's scheduler tools refuse one
 * above 3.16.1).
 */
export function labCib(layout: LabLayout, o: LabCibOptions): string {
  const seed = (o.shape ?? 'seed') === 'seed';
  const props: Array<[string, string]> = [
    ['stonith-enabled', 'true'],
    // Without this the first DC election waits ~20 s.
    ['dc-deadtime', '2s'],
    // All nodes start together; don't shoot one that is a little late at start-up.
    ['startup-fencing', 'false'],
    ['no-quorum-policy', 'stop'],
    ['stonith-timeout', '60s'],
    // Time-based rules (move lifetimes) and failure-timeouts are re-evaluated this often.
    ['cluster-recheck-interval', '1min'],
    ['cluster-name', 'lab'],
    ['symmetric-cluster', 'true'],
    ...(seed ? ([['placement-strategy', 'utilization']] as Array<[string, string]>) : []),
  ];
  const u = SEED.utilization;
  const nodes = layout.nodes
    .map((n, i) => {
      const cap = seed ? u.nodes[n.name] : undefined;
      if (cap === undefined) return `      <node id="${i + 1}" uname="${esc(n.name)}"/>`;
      return `      <node id="${i + 1}" uname="${esc(n.name)}">\n${attrs('utilization', n.name, [[u.attribute, String(cap)]], '        ')}      </node>`;
    })
    .join('\n');
  const vms = labVmIds();
  const vmPrimitives = vms.map((vm) => primitive(vmSpec(vm, o, seed), '      ')).join('\n');
  const constraints = vms
    .map(
      (
        vm,
      ) => `      <rsc_order id="order-shared-fs-then-${vm}" first="shared-fs-clone" then="${vm}" kind="Mandatory"/>
      <rsc_colocation id="colocation-${vm}-with-shared-fs" rsc="${vm}" with-rsc="shared-fs-clone" score="INFINITY"/>`,
    )
    .join('\n');
  const hostList = layout.nodes.map((n) => n.name).join(' ');
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        ${props.map(([k, v]) => nv('cib-bootstrap-options', k, v)).join('\n        ')}
      </cluster_property_set>
    </crm_config>
    <nodes>
${nodes}
    </nodes>
    <resources>
      <primitive id="fence-lab" class="stonith" type="fence_hasf_lab">
        <instance_attributes id="fence-lab-instance_attributes">
          ${nv('fence-lab-instance_attributes', 'pcmk_host_list', hostList)}
          ${nv('fence-lab-instance_attributes', 'spool', layout.powerSpool)}
          ${nv('fence-lab-instance_attributes', 'passwd', LAB_FENCE_PASSWD)}
        </instance_attributes>
        <operations>
          <op id="fence-lab-monitor-60s" name="monitor" interval="60s" timeout="20s"/>
        </operations>
      </primitive>
      <clone id="shared-fs-clone">
        <meta_attributes id="shared-fs-clone-meta_attributes">
          ${nv('shared-fs-clone-meta_attributes', 'interleave', 'true')}
        </meta_attributes>
        <primitive id="shared-fs" class="ocf" provider="pacemaker" type="Dummy">
          <operations>
            <op id="shared-fs-monitor-10s" name="monitor" interval="10s" timeout="20s"/>
          </operations>
        </primitive>
      </clone>
${vmPrimitives}
${seed ? seedResources(layout) : ''}
    </resources>
    <constraints>
${constraints}
${seed ? seedConstraints() : ''}
    </constraints>
    <rsc_defaults>
      <meta_attributes id="rsc-defaults-options">
        ${nv('rsc-defaults-options', 'resource-stickiness', String(LAB_STICKINESS))}
      </meta_attributes>
    </rsc_defaults>
    <op_defaults>
      <meta_attributes id="op-defaults-options">
        ${nv('op-defaults-options', 'timeout', '20s')}
      </meta_attributes>
    </op_defaults>
  </configuration>
  <status/>
</cib>
`;
}
