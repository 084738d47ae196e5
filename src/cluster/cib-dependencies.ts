import { attr, kid, kids, parseXml, type XEl } from './xml.ts';

/** Why one resource depends on another: the constraint (or group) that ties them. */
export interface Dependant {
  resource: string;
  /** Constraint id, or the group's id for a later member of a group. */
  via: string;
  how: 'order' | 'colocation' | 'group';
}

/** For each resource id: who depends on it (stops when it stops), and every constraint naming it. */
export interface Dependencies {
  dependants: Record<string, Dependant[]>;
  /** Every constraint (location, order, colocation, ticket) naming a resource, by resource id. */
  constraintsOf: Record<string, { tag: 'rsc_location' | 'rsc_order' | 'rsc_colocation' | 'rsc_ticket'; id: string }[]>;
}

const INFINITY = /^\+?INFINITY$/i;

const push = <T>(m: Record<string, T[]>, k: string, v: T) => (m[k] ??= []).push(v);

/** Resource ids named by a constraint's resource sets (<resource_set><resource_ref id=…>). */
const setRefs = (c: XEl) => kids(c, 'resource_set').flatMap((s) => kids(s, 'resource_ref').map((r) => attr(r, 'id') ?? '')).filter(Boolean);

/**
 * Order and colocation dependencies from `cibadmin -Q`: a mandatory order `first → then`
 * (kind Mandatory or a positive score, the default) and an INFINITY colocation `rsc with
 * with-rsc` both make the second stop when the first stops; so do a group's later
 * members. The scheduler's prediction says what will stop; this says why.
 */
export function parseDependencies(xml: string): Dependencies {
  const cib = kid(parseXml(xml, 'cibadmin -Q'), 'cib');
  const conf = kid(cib, 'configuration');
  const cons = kid(conf, 'constraints');
  const dependants: Record<string, Dependant[]> = {};
  const constraintsOf: Dependencies['constraintsOf'] = {};
  for (const tag of ['rsc_location', 'rsc_order', 'rsc_colocation', 'rsc_ticket'] as const) {
    for (const c of kids(cons, tag)) {
      const id = attr(c, 'id') ?? '?';
      const named = new Set([attr(c, 'rsc'), attr(c, 'with-rsc'), attr(c, 'first'), attr(c, 'then'), ...setRefs(c)].filter((x): x is string => !!x));
      for (const r of named) push(constraintsOf, r, { tag, id });
      if (tag === 'rsc_order') {
        const first = attr(c, 'first');
        const then = attr(c, 'then');
        const kind = attr(c, 'kind');
        const score = attr(c, 'score');
        const mandatory = kind ? kind === 'Mandatory' : score === undefined || INFINITY.test(score) || Number(score) > 0;
        if (first && then && mandatory) push(dependants, first, { resource: then, via: id, how: 'order' });
      } else if (tag === 'rsc_colocation') {
        const rsc = attr(c, 'rsc');
        const withRsc = attr(c, 'with-rsc');
        if (rsc && withRsc && INFINITY.test(attr(c, 'score') ?? '')) push(dependants, withRsc, { resource: rsc, via: id, how: 'colocation' });
      }
    }
  }
  // Groups at the top, or inside a clone.
  const groups = (el: XEl | undefined): XEl[] => [...kids(el, 'group'), ...['clone', 'master'].flatMap((t) => kids(el, t)).flatMap(groups)];
  for (const g of groups(kid(conf, 'resources'))) {
    const members = kids(g, 'primitive').map((p) => attr(p, 'id') ?? '');
    for (let i = 0; i + 1 < members.length; i++) push(dependants, members[i]!, { resource: members[i + 1]!, via: attr(g, 'id') ?? '?', how: 'group' });
  }
  return { dependants, constraintsOf };
}

/** Everything that stops when `ids` stop, transitively, each with the tie that brings it along. */
export function dependantsOf(deps: Dependencies, ids: readonly string[]): Dependant[] {
  const out: Dependant[] = [];
  const seen = new Set(ids);
  const queue = [...ids];
  while (queue.length) {
    const id = queue.shift()!;
    for (const d of deps.dependants[id] ?? []) {
      if (seen.has(d.resource)) continue;
      seen.add(d.resource);
      out.push(d);
      queue.push(d.resource);
    }
  }
  return out;
}
