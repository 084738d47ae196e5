/**
 * Node capacity as the scheduler reports it with --show-utilization (placement-strategy
 * other than default): what each node has in all, what is left after its assignments,
 * and what each resource it assigned takes. From crm_simulate's XML (2.1+:
 * `<utilizations><capacity node= comment="Original|Remaining"><memory>N</memory>…`) or its
 * text ("Original: node1 capacity: memory=65536", "…: vm4 utilization on node1: memory=49152").
 */
export interface Utilization {
  capacity: Record<string, Record<string, number>>;
  remaining: Record<string, Record<string, number>>;
  /** resource → node it was assigned to and what it takes there. */
  assigned: Record<string, { node: string; uses: Record<string, number> }>;
}

/** The scheduler's utilization report, or undefined when it printed none (placement-strategy default). */
export function parseUtilization(output: string, format: 'xml' | 'text'): Utilization | undefined {
  const u: Utilization = { capacity: {}, remaining: {}, assigned: {} };
  let any = false;
  if (format === 'xml') {
    const section = /<utilizations>([\s\S]*?)<\/utilizations>/.exec(output)?.[1];
    if (!section) return undefined;
    for (const m of section.matchAll(/<capacity node="([^"]+)" comment="(Original|Remaining)">([\s\S]*?)<\/capacity>/g)) {
      (m[2] === 'Original' ? u.capacity : u.remaining)[m[1]!] = values(m[3]!);
      any = true;
    }
    for (const m of section.matchAll(/<utilization resource="([^"]+)" node="([^"]+)"[^>]*?(?:\/>|>([\s\S]*?)<\/utilization>)/g)) {
      u.assigned[m[1]!] = { node: m[2]!, uses: values(m[3] ?? '') };
    }
  } else {
    for (const m of output.matchAll(/^\s*(Original|Remaining): (\S+) capacity:(.*)$/gm)) {
      (m[1] === 'Original' ? u.capacity : u.remaining)[m[2]!] = pairs(m[3]!);
      any = true;
    }
    for (const m of output.matchAll(/^\s*\S+: (\S+) utilization on (\S+):(.*)$/gm)) u.assigned[m[1]!] = { node: m[2]!, uses: pairs(m[3]!) };
  }
  return any ? u : undefined;
}

/** `<memory>4096</memory><cpu>2</cpu>` → {memory: 4096, cpu: 2}. */
function values(xml: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of xml.matchAll(/<([A-Za-z_][\w.-]*)>\s*(-?\d+)\s*<\/\1>/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/** ` memory=65536 cpu=8` → {memory: 65536, cpu: 8}. */
function pairs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/([A-Za-z_][\w.-]*)=(-?\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}
