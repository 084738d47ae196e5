import type { Utilization } from './utilization.ts';
import { attr, kid, kids, parseXml, type XEl } from './xml.ts';

/** One thing in the CIB that decides where a resource goes. */
export interface PlacementReason {
  /** The constraint's id, when a constraint is the reason. */
  constraint?: string;
  /** Its score as the CIB spells it (200, INFINITY, -INFINITY). */
  score?: string;
  /** One sentence: "vm3-prefers-node3 (200 for node3) outweighs resource-stickiness 100". */
  text: string;
}

/** Why `resource` does not end up on `node`, read from the CIB and the scheduler's utilization. */
export interface PlacementExplanation {
  resource: string;
  node: string;
  /** Where it ends up instead (empty: stopped). */
  endsOn: string[];
  reasons: PlacementReason[];
  /** resource-stickiness in force for it (its own meta, else rsc_defaults), as a number. */
  stickiness: number;
}

const num = (s: string | undefined): number => {
  if (s === undefined) return 0;
  if (/^[+]?INFINITY$/i.test(s)) return 1_000_000;
  if (/^-INFINITY$/i.test(s)) return -1_000_000;
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
};

function nvpairs(el: XEl | undefined, set: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of kids(el, set)) for (const nv of kids(s, 'nvpair')) if (attr(nv, 'name')) out[attr(nv, 'name')!] = attr(nv, 'value') ?? '';
  return out;
}

/** The element of `id` among the resources, with the ids of the group/clone around it. */
function findResource(resources: XEl | undefined, id: string): { el: XEl; ancestors: string[] } | undefined {
  const walk = (parent: XEl | undefined, ancestors: string[]): { el: XEl; ancestors: string[] } | undefined => {
    for (const tag of ['primitive', 'group', 'clone', 'master', 'bundle']) {
      for (const el of kids(parent, tag)) {
        if (attr(el, 'id') === id) return { el, ancestors };
        const inner = walk(el, [attr(el, 'id') ?? '', ...ancestors]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(resources, []);
}

/** The node a location constraint is about: its node attribute, or a rule on #uname. */
function locationNode(c: XEl): { node?: string; score?: string } {
  if (attr(c, 'node')) return { node: attr(c, 'node'), score: attr(c, 'score') };
  for (const rule of kids(c, 'rule')) {
    for (const e of kids(rule, 'expression')) {
      if (attr(e, 'attribute') === '#uname' && attr(e, 'operation') === 'eq') return { node: attr(e, 'value'), score: attr(rule, 'score') ?? attr(c, 'score') };
    }
  }
  return {};
}

/**
 * Why the scheduler does not leave `resource` on `node` once the sequence is done: location
 * preferences stronger than stickiness, colocations, capacity. `endsOn` is where the
 * prediction puts it; `placement` where everything else ends up (for colocations);
 * `utilization` the scheduler's capacity report of the step that tried to place it.
 */
export function explainPlacement(opts: {
  cib: string;
  resource: string;
  node: string;
  endsOn: string[];
  placement: Record<string, string[]>;
  utilization?: Utilization;
  /** Leave out the move's own constraints (cli-prefer-/cli-ban-), which the sequence clears. */
  ignoreCli?: boolean;
}): PlacementExplanation {
  const { resource, node, endsOn, placement } = opts;
  const doc = parseXml(opts.cib, 'cibadmin -Q');
  const conf = kid(kid(doc, 'cib'), 'configuration');
  const found = findResource(kid(conf, 'resources'), resource);
  const ids = new Set([resource, ...(found?.ancestors ?? [])]);
  const own = found ? nvpairs(found.el, 'meta_attributes')['resource-stickiness'] : undefined;
  const defaults = nvpairs(kid(conf, 'rsc_defaults'), 'meta_attributes')['resource-stickiness'];
  const stickiness = num(own ?? defaults);
  const reasons: PlacementReason[] = [];
  const constraints = kid(conf, 'constraints');

  for (const c of kids(constraints, 'rsc_location')) {
    const id = attr(c, 'id') ?? '';
    if (!ids.has(attr(c, 'rsc') ?? '') || (opts.ignoreCli && /^cli-(prefer|ban)-/.test(id))) continue;
    if (attr(c, 'role') && !/^(Started)$/i.test(attr(c, 'role')!)) continue;
    const { node: on, score } = locationNode(c);
    if (!on || score === undefined) continue;
    const s = num(score);
    if (s > 0 && endsOn.includes(on) && on !== node) {
      reasons.push({
        constraint: id,
        score,
        text: s > stickiness ? `${id} (${score} for ${on}) outweighs resource-stickiness ${stickiness}` : `${id} (${score} for ${on}) pulls it to ${on}`,
      });
    } else if (s < 0 && on === node) {
      reasons.push({ constraint: id, score, text: `${id} (${score} for ${node}) keeps it off ${node}` });
    }
  }

  for (const c of kids(constraints, 'rsc_colocation')) {
    const id = attr(c, 'id') ?? '';
    const rsc = attr(c, 'rsc') ?? '';
    const withRsc = attr(c, 'with-rsc') ?? '';
    if (!ids.has(rsc)) continue;
    const score = attr(c, 'score') ?? '0';
    const s = num(score);
    const withNodes = placement[withRsc] ?? membersPlacement(conf, withRsc, placement);
    if (s < 0 && withNodes.includes(node)) {
      reasons.push({ constraint: id, score, text: `${id} (${score}): ${resource} must not run with ${withRsc}, which runs on ${node}` });
    } else if (s > 0 && withNodes.length && !withNodes.includes(node) && s >= 1_000_000) {
      reasons.push({ constraint: id, score, text: `${id} (${score}): ${resource} must run with ${withRsc}, which runs on ${withNodes.join(', ')}` });
    }
  }

  const u = opts.utilization;
  if (u && found) {
    const needs = { ...u.assigned[resource]?.uses, ...numbers(nvpairs(found.el, 'utilization')) };
    const free = u.remaining[node] ?? u.capacity[node];
    for (const [k, need] of Object.entries(needs)) {
      const have = free?.[k];
      if (have === undefined || need <= have) continue;
      const total = u.capacity[node]?.[k];
      reasons.push({ text: `${node} has ${k} ${have} free${total !== undefined ? ` of ${total}` : ''}; ${resource} needs ${need} (placement-strategy utilization)` });
    }
  }
  return { resource, node, endsOn, reasons, stickiness };
}

function numbers(r: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (/^-?\d+$/.test(v)) out[k] = Number(v);
  return out;
}

/** Where a group runs: where its members run (placement is kept per primitive). */
function membersPlacement(conf: XEl | undefined, id: string, placement: Record<string, string[]>): string[] {
  const found = findResource(kid(conf, 'resources'), id);
  if (!found) return [];
  const nodes = new Set<string>();
  for (const p of kids(found.el, 'primitive')) for (const n of placement[attr(p, 'id') ?? ''] ?? []) nodes.add(n);
  return [...nodes];
}

/** "vm3-prefers-node3 (200 for node3) outweighs resource-stickiness 100; …", or a fallback sentence. */
export function reasonsText(e: PlacementExplanation): string {
  if (e.reasons.length) return e.reasons.map((r) => r.text).join('; ');
  return `the scheduler places it on ${e.endsOn.join(', ') || 'no node'} (no single constraint explains it: see crm_simulate --show-scores)`;
}
