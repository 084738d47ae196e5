import { parseCrmMonXml } from '../src/cluster/index.ts';

/** Size of the generated cluster. */
export interface StatusParseBenchOptions {
  /** Default 32. */
  nodes?: number;
  /** Default 5,000 primitives (VMs), spread round-robin over the nodes. */
  resources?: number;
  /** Timed runs; the median is reported. Default 10. */
  runs?: number;
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
  const xml = generateCrmMonXml(nodeCount, resourceCount);
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
