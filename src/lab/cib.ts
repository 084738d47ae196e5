import { LAB_VM_COUNT, type LabLayout } from './layout.ts';

/** Settings that shape the lab's CIB. */
export interface LabCibOptions {
  /** migrate_to duration of every VM (instance attribute migration_time_ms). */
  migrationTimeMs: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const nv = (idPrefix: string, name: string, value: string): string =>
  `<nvpair id="${esc(`${idPrefix}-${name}`)}" name="${esc(name)}" value="${esc(value)}"/>`;

/**
 * The lab fence device's `passwd`: a real PDU or IPMI agent carries its login in the
 * CIB, so the lab does too. Tests check this value never reaches anything a viewer reads.
 */
export const LAB_FENCE_PASSWD = 'lab-PDU-pw-7f3c9e21';

/** Ids of the VM resources (vm1…vm6). */
export function labVmIds(): string[] {
  return Array.from({ length: LAB_VM_COUNT }, (_, i) => `vm${i + 1}`);
}

/**
 * The lab's pre-written CIB, shaped like the seed's cluster: a fence device, a cloned
 * shared file system (a Dummy standing in for OCFS2), and VMs that live-migrate, each
 * ordered after and colocated with the file system. Written to every node's
 * /var/lib/pacemaker/cib/cib.xml before the first boot; no crm_feature_set, the DC writes
 * its own (2.1.5's scheduler tools refuse one above 3.16.1).
 */
export function labCib(layout: LabLayout, o: LabCibOptions): string {
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
  ];
  const nodes = layout.nodes
    .map((n, i) => `      <node id="${i + 1}" uname="${esc(n.name)}"/>`)
    .join('\n');
  const vms = labVmIds();
  const vmPrimitives = vms
    .map((vm) => {
      const migrateTimeout = Math.max(60, Math.ceil((o.migrationTimeMs * 3) / 1000));
      return `      <primitive id="${vm}" class="ocf" provider="hasf" type="domU">
        <instance_attributes id="${vm}-instance_attributes">
          ${nv(`${vm}-instance_attributes`, 'migration_time_ms', String(o.migrationTimeMs))}
        </instance_attributes>
        <meta_attributes id="${vm}-meta_attributes">
          ${nv(`${vm}-meta_attributes`, 'allow-migrate', 'true')}
        </meta_attributes>
        <operations>
          <op id="${vm}-monitor-10s" name="monitor" interval="10s" timeout="20s"/>
          <op id="${vm}-start-0" name="start" interval="0" timeout="20s"/>
          <op id="${vm}-stop-0" name="stop" interval="0" timeout="20s"/>
          <op id="${vm}-migrate_to-0" name="migrate_to" interval="0" timeout="${migrateTimeout}s"/>
          <op id="${vm}-migrate_from-0" name="migrate_from" interval="0" timeout="20s"/>
        </operations>
      </primitive>`;
    })
    .join('\n');
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
    </resources>
    <constraints>
${constraints}
    </constraints>
    <rsc_defaults>
      <meta_attributes id="rsc-defaults-options">
        ${nv('rsc-defaults-options', 'resource-stickiness', '100')}
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
