import type { Plan, PredictedAction } from '../../jobs/types.ts';
import { html, type Html } from '../html.ts';

/** Where one resource is before and after the predicted transition. */
export interface MoveRow {
  resource: string;
  before: string[];
  after: string[];
  actions: string[];
}

const BEFORE_ON_NODE = new Set(['stop', 'restart', 'recover', 'promote', 'demote', 'reload', 'monitor']);
const AFTER_ON_NODE = new Set(['start', 'restart', 'recover', 'promote', 'demote', 'reload', 'monitor']);

/**
 * Before → after per resource, from the scheduler's actions (where each starts) and its
 * placement (where each ends). Resources the prediction does not touch are left out.
 */
export function moveRows(prediction: NonNullable<Plan['prediction']>): MoveRow[] {
  const rows = new Map<string, MoveRow>();
  for (const a of prediction.actions) {
    if (!a.resource) continue;
    const row = rows.get(a.resource) ?? { resource: a.resource, before: [], after: [], actions: [] };
    rows.set(a.resource, row);
    row.actions.push(a.action);
    const add = (list: string[], n?: string) => n && !list.includes(n) && list.push(n);
    if (a.from) add(row.before, a.from);
    else if (BEFORE_ON_NODE.has(a.action)) add(row.before, a.node);
    if (a.to) add(row.after, a.to);
    else if (AFTER_ON_NODE.has(a.action)) add(row.after, a.node);
  }
  for (const row of rows.values()) {
    const placed = prediction.placement[row.resource];
    if (placed) row.after = [...placed];
  }
  return [...rows.values()];
}

/** Nodes a fence action takes down. */
export function fencedNodes(actions: readonly PredictedAction[]): { node: string; detail?: string }[] {
  return actions.filter((a) => a.action === 'fence' && a.node).map((a) => ({ node: a.node!, detail: a.detail }));
}

function grid(title: string, nodes: readonly string[], rows: readonly MoveRow[], side: 'before' | 'after', fenced: ReadonlySet<string>): Html {
  const nowhere = rows.filter((r) => r[side].length === 0);
  const cols = [...nodes, ...(nowhere.length ? ['(not running)'] : [])];
  return html`<figure class="tgrid">
  <figcaption>${title}</figcaption>
  <div class="tcols">${cols.map((n) => {
    const here = n === '(not running)' ? nowhere : rows.filter((r) => r[side].includes(n));
    return html`<div class="tcol${side === 'after' && fenced.has(n) ? ' fenced' : ''}">
    <div class="tnode">${n}${side === 'after' && fenced.has(n) ? html` <span class="badge">fenced</span>` : ''}</div>
    <ul>${here.map((r) => {
      const moved = r.before.join() !== r.after.join();
      return html`<li class="ttile${moved ? ' moved' : ''}">${r.resource}</li>`;
    })}</ul>
  </div>`;
  })}</div>
</figure>`;
}

/**
 * The predicted transition drawn as before → after: the nodes as columns, each resource
 * the scheduler would touch placed where it runs before and after (moved ones marked),
 * fenced nodes marked, and the scheduler's own lines for screen readers and the record.
 */
export function transitionHtml(plan: Plan, nodes: readonly string[]): Html {
  const p = plan.prediction;
  if (!p) return html`<p>No scheduler prediction for this operation (it does not change the cluster's placement).</p>`;
  if (p.actions.length === 0) return html`<p>The scheduler predicts no change: the cluster stays as it is.</p>`;
  const rows = moveRows(p);
  const fenced = fencedNodes(p.actions);
  const fencedSet = new Set(fenced.map((f) => f.node));
  const allNodes = [...new Set([...nodes, ...rows.flatMap((r) => [...r.before, ...r.after])])];
  return html`<div class="transition">
  ${rows.length || fenced.length ? html`<div class="tpair" aria-hidden="true">
    ${grid('Before', allNodes, rows, 'before', fencedSet)}
    <div class="arrow">→</div>
    ${grid('After', allNodes, rows, 'after', fencedSet)}
  </div>` : ''}
  <table class="moves">
    <caption>What the scheduler (crm_simulate) predicts</caption>
    <thead><tr><th scope="col">resource</th><th scope="col">before</th><th scope="col">after</th><th scope="col">actions</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><th scope="row">${r.resource}</th><td>${r.before.join(', ') || '—'}</td><td>${r.after.join(', ') || 'stopped'}</td><td>${r.actions.join(', ')}</td></tr>`)}
    ${fenced.map((f) => html`<tr><th scope="row">node ${f.node}</th><td>up</td><td>fenced${f.detail ? ` (${f.detail})` : ''}</td><td>fence</td></tr>`)}</tbody>
  </table>
  ${p.steps
    ? html`<ol class="actions-text">${p.steps.map((st) => html`<li>${st.change}: ${st.actions.length ? st.actions.map((a) => html`<code>${a.text}</code> `) : 'nothing moves'}</li>`)}</ol>`
    : html`<ul class="actions-text">${p.actions.map((a) => html`<li><code>${a.text}</code></li>`)}</ul>`}
</div>`;
}
