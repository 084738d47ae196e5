import { parseCrmMonXml } from '../src/cluster/index.ts';

/** Size of the generated cluster. */
export interface StatusParseBenchOptions {
  /** Default 32. */
  nodes?: number;
  /** Default 5,000 primitives (VMs), spread round-robin over the nodes. */
  resources?: number;
  /** Timed runs; the median is reported. Default 10. */
  runs?: number;
  /** `vms` (the default: VMs on cluster nodes) or `bundles-remote` (generateShapesCrmMonXml). */
  shape?: 'vms' | 'bundles-remote';
}

/**
 * The shapes Pacemaker's corpus has and a VM cluster doesn't, at scale: `nodes` cluster
 * nodes, `remotes` Pacemaker Remote nodes (their connections are resources), `bundles`
 * podman bundles of 4 replicas each (address, container, connection and the resource inside
 * per replica; every replica a guest node), a promotable clone on the cluster nodes, and
 * VMs on the cluster and remote nodes to make up `resources` resource elements.
 */
export function generateShapesCrmMonXml(nodes: number, remotes: number, bundles: number, resources: number): string {
  const replicas = 4;
  const out: string[] = [];
  const guests = bundles * replicas;
  out.push('<pacemaker-result api-version="2.42" request="crm_mon --output-as=xml">', '  <summary>', '    <stack type="corosync" pacemakerd-state="running"/>');
  out.push('    <current_dc present="true" version="3.0.2-1.el10" name="node1" id="1" with_quorum="true" mixed_version="false"/>');
  out.push(`    <nodes_configured number="${nodes + remotes + guests}"/>`, `    <resources_configured number="${resources}" disabled="0" blocked="0"/>`);
  out.push('    <cluster_options fencing-enabled="true" stonith-enabled="true" symmetric-cluster="true" no-quorum-policy="stop" maintenance-mode="false"/>');
  out.push('  </summary>', '  <nodes>');
  const flags = 'standby="false" standby_onfail="false" maintenance="false" pending="false" unclean="false" health="green" shutdown="false"';
  for (let i = 1; i <= nodes; i++) out.push(`    <node name="node${i}" id="${i}" online="true" ${flags} expected_up="true" is_dc="${i === 1}" resources_running="0" type="member"/>`);
  for (let i = 1; i <= remotes; i++) out.push(`    <node name="remote${i}" id="remote${i}" online="true" ${flags} expected_up="false" is_dc="false" resources_running="0" type="remote"/>`);
  for (let b = 1; b <= bundles; b++) for (let r = 0; r < replicas; r++) out.push(`    <node name="app${b}-bundle-${r}" id="app${b}-bundle-${r}" online="true" ${flags} expected_up="false" is_dc="false" resources_running="1" type="remote" id_as_resource="app${b}-bundle-podman-${r}"/>`);
  out.push('  </nodes>', '  <resources>');
  const rsc = (id: string, agent: string, node: string, role = 'Started') =>
    `<resource id="${id}" resource_agent="${agent}" role="${role}" active="true" orphaned="false" removed="false" blocked="false" maintenance="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="1"><node name="${node}" id="${node}" cached="true"/></resource>`;
  let count = 0;
  for (let i = 1; i <= remotes; i++, count++) out.push(`    ${rsc(`remote${i}`, 'ocf:pacemaker:remote', `node${((i - 1) % nodes) + 1}`)}`);
  out.push('    <clone id="db-clone" multi_state="true" unique="false" maintenance="false" managed="true" disabled="false" failed="false" failure_ignored="false">');
  for (let i = 1; i <= nodes; i++, count++) out.push(`      ${rsc('db', 'ocf:pacemaker:Stateful', `node${i}`, i === 1 ? 'Promoted' : 'Unpromoted')}`);
  out.push('    </clone>');
  for (let b = 1; b <= bundles; b++) {
    out.push(`    <bundle id="app${b}-bundle" type="podman" image="localhost/app:${b}" unique="false" maintenance="false" managed="true" failed="false">`);
    for (let r = 0; r < replicas; r++) {
      const host = `node${((b * replicas + r) % nodes) + 1}`;
      out.push(`      <replica id="${r}">`);
      out.push(`        ${rsc(`app${b}-bundle-ip-10.${b >> 8}.${b & 255}.${r + 1}`, 'ocf:heartbeat:IPaddr2', host)}`);
      out.push(`        ${rsc(`app${b}`, 'ocf:heartbeat:apache', `app${b}-bundle-${r}`)}`);
      out.push(`        ${rsc(`app${b}-bundle-podman-${r}`, 'ocf:heartbeat:podman', host)}`);
      out.push(`        ${rsc(`app${b}-bundle-${r}`, 'ocf:pacemaker:remote', host)}`);
      out.push('      </replica>');
      count += 4;
    }
    out.push('    </bundle>');
  }
  for (let v = 1; count < resources; v++, count++) {
    const on = v % 4 === 0 && remotes ? `remote${(v % remotes) + 1}` : `node${(v % nodes) + 1}`;
    out.push(`    ${rsc(`vm${v}`, 'ocf:heartbeat:VirtualDomain', on)}`);
  }
  out.push('  </resources>', '  <status code="0" message="OK"/>', '</pacemaker-result>');
  return out.join('\n');
}

/**
 * A `crm_mon --output-as=xml` document of `nodes` nodes and `resources` VMs in the exact
 * shape Pacemaker 2.1.5 prints it (summary, nodes, resources, node_history with two
 * operations per resource, status), as captured in test/fixtures/pacemaker/2.1.5.
 */
export function generateCrmMonXml(nodes: number, resources: number): string {
  const out: string[] = [];
  out.push('<pacemaker-result api-version="2.25" request="crm_mon --output-as=xml">', '  <summary>', '    <stack type="corosync"/>');
  out.push('    <current_dc present="true" version="2.1.5-a3f44794f94" name="node1" id="1" with_quorum="true" mixed_version="false"/>');
  out.push('    <last_update time="Wed Nov 25 14:24:13 2026"/>', '    <last_change time="Wed Nov 25 14:00:00 2026" user="root" client="crm_resource" origin="node1"/>');
  out.push(`    <nodes_configured number="${nodes}"/>`, `    <resources_configured number="${resources}" disabled="0" blocked="0"/>`);
  out.push('    <cluster_options stonith-enabled="true" symmetric-cluster="true" no-quorum-policy="stop" maintenance-mode="false" stop-all-resources="false" stonith-timeout-ms="60000" priority-fencing-delay-ms="0"/>');
  out.push('  </summary>', '  <nodes>');
  const perNode = Math.ceil(resources / nodes);
  for (let i = 1; i <= nodes; i++) {
    out.push(`    <node name="node${i}" id="${i}" online="true" standby="false" standby_onfail="false" maintenance="false" pending="false" unclean="false" health="green" feature_set="3.16.2" shutdown="false" expected_up="true" is_dc="${i === 1}" resources_running="${perNode}" type="member"/>`);
  }
  out.push('  </nodes>', '  <resources>');
  for (let r = 1; r <= resources; r++) {
    const n = ((r - 1) % nodes) + 1;
    out.push(`    <resource id="vm${r}" resource_agent="ocf:heartbeat:Xen" role="Started" active="true" orphaned="false" blocked="false" maintenance="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="1">`);
    out.push(`      <node name="node${n}" id="${n}" cached="true"/>`, '    </resource>');
  }
  out.push('  </resources>', '  <node_history>');
  for (let i = 1; i <= nodes; i++) {
    out.push(`    <node name="node${i}">`);
    for (let r = i; r <= resources; r += nodes) {
      out.push(`      <resource_history id="vm${r}" orphan="false" migration-threshold="1000000">`);
      out.push('        <operation_history call="2" task="start" rc="0" rc_text="ok" last-rc-change="Wed Nov 25 14:24:13 2026" exec-time="1204ms" queue-time="0ms"/>');
      out.push('        <operation_history call="3" task="monitor" rc="0" rc_text="ok" interval="10000ms" last-rc-change="Wed Nov 25 14:24:15 2026" exec-time="32ms" queue-time="0ms"/>');
      out.push('      </resource_history>');
    }
    out.push('    </node>');
  }
  out.push('  </node_history>', '  <status code="0" message="OK"/>', '</pacemaker-result>');
  return out.join('\n');
}

/** Parse a 32-node, 5,000-resource status ~10 times: median time, heap growth, sizes. */
export async function benchStatusParse(opts: StatusParseBenchOptions = {}): Promise<{
  medianMs: number;
  heapGrowthMB: number;
  nodes: number;
  resources: number;
  xmlMB: number;
}> {
  const nodeCount = opts.nodes ?? 32;
  const resourceCount = opts.resources ?? 5000;
  const runs = opts.runs ?? 10;
  const xml = opts.shape === 'bundles-remote' ? generateShapesCrmMonXml(nodeCount, 16, 100, resourceCount) : generateCrmMonXml(nodeCount, resourceCount);
  const gc = (globalThis as { gc?: () => void }).gc;
  parseCrmMonXml(xml); // warm-up: JIT and parser setup are not what we measure
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const times: number[] = [];
  let last = parseCrmMonXml(xml);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = parseCrmMonXml(xml);
    times.push(performance.now() - t0);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return {
    medianMs: Math.round(medianMs * 10) / 10,
    // Peak heap above the baseline while parsing repeatedly (garbage included: what a
    // worker must have room for), not only what survives.
    heapGrowthMB: Math.round(((peak - heapBefore) / 1024 / 1024) * 10) / 10,
    nodes: last.nodes.length,
    resources: last.resources.length,
    xmlMB: Math.round((xml.length / 1024 / 1024) * 100) / 100,
  };
}
