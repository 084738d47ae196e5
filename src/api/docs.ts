/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is untyped YAML, walked generically */
import { CODE_INFO } from '../errors/index.ts';
import { SPEC } from './spec.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Paragraphs, `code`, **bold** and "- " lists of the spec's Markdown descriptions; everything escaped first. */
function md(text: string | undefined): string {
  if (!text) return '';
  const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*- |^\s{2,}\S/.test(l))) {
        const items = block.split(/\n\s*- /).map((i) => i.replace(/^\s*- /, '').replace(/\n\s+/g, ' '));
        return `<ul>${items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
      }
      return `<p>${inline(block.replace(/\n/g, ' '))}</p>`;
    })
    .join('\n');
}

function refName(ref: string): string {
  return ref.split('/').pop()!;
}

/** A schema as one short line: `JobState`, `string (date-time)`, `array of Job`, … */
function typeOf(s: any): string {
  if (!s) return 'any';
  if (s.$ref) return `<a href="#schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.oneOf) return s.oneOf.map(typeOf).join(' | ');
  if (s.enum) return s.enum.map((v: unknown) => `<code>${esc(v)}</code>`).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  if (t === 'array') return `array of ${typeOf(s.items)}`;
  const extra = [s.format, s.pattern && `pattern ${s.pattern}`, s.maxLength !== undefined && `≤ ${s.maxLength} chars`, s.minimum !== undefined && `≥ ${s.minimum}`, s.maximum !== undefined && `≤ ${s.maximum}`]
    .filter(Boolean)
    .map((x) => esc(x))
    .join(', ');
  return `${esc(t)}${extra ? ` <small>(${extra})</small>` : ''}`;
}

function propsTable(s: any): string {
  if (!s?.properties) return `<p>${typeOf(s)}</p>`;
  const req = new Set<string>(s.required ?? []);
  const rows = Object.entries<any>(s.properties)
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code>${req.has(k) ? ' <em>required</em>' : ''}</td><td>${typeOf(v)}</td><td>${md(v.description)}</td></tr>`)
    .join('');
  return `<table><tr><th>field</th><th>type</th><th>meaning</th></tr>${rows}</table>${s.additionalProperties === false ? '<p><small>Unknown fields are refused.</small></p>' : ''}`;
}

function operationHtml(method: string, path: string, op: any, shared: any[]): string {
  const params = [...shared, ...(op.parameters ?? [])].map((p) => (p.$ref ? SPEC.components.parameters[refName(p.$ref)] : p));
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries<any>(op.responses)
    .map(([code, r]) => {
      const resp = r.$ref ? SPEC.components.responses[refName(r.$ref)] : r;
      const types = Object.entries<any>(resp.content ?? {}).map(([t, m]) => `<code>${esc(t)}</code> ${typeOf(m.schema)}`).join('; ');
      return `<tr><td>${esc(code)}</td><td>${esc(resp.description)}</td><td>${types}</td></tr>`;
    })
    .join('');
  return `<section class="op" id="op-${esc(op.operationId)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</h3>
${md(op.description)}
${op.security && op.security.length === 0 ? '<p><small>No token needed.</small></p>' : ''}
${params.length ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <em>required</em>' : ''}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${md(p.description)}</td></tr>`).join('')}</table>` : ''}
${body ? `<h4>Body</h4><p>${typeOf(body)}</p>` : ''}
<h4>Responses</h4><table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses}</table>
</section>`;
}

/**
 * The documentation page of openapi.yaml, rendered by us (no CDN, no script): the
 * introduction, every operation, every schema and the error codes (problem types
 * link here as /docs#problem-CODE).
 */
export function renderDocs(): string {
  const ops = Object.entries(SPEC.paths)
    .flatMap(([path, item]) => ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => operationHtml(m, path, item[m], item.parameters ?? [])))
    .join('\n');
  const schemas = Object.entries<any>(SPEC.components.schemas)
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${md(s.description)}${s.oneOf ? `<p>One of: ${s.oneOf.map(typeOf).join(', ')}</p>` : ''}${propsTable(s)}</section>`)
    .join('\n');
  const codes = Object.entries(CODE_INFO)
    .map(([code, i]) => `<tr id="problem-${esc(code)}"><td><code>${esc(code)}</code></td><td>${i.status}</td><td>${esc(i.title)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(SPEC.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.op{border-top:2px solid #eee;margin-top:1.5em}.m{display:inline-block;min-width:4.5em;text-align:center;color:#fff;border-radius:3px;font-size:.8em;padding:.1em .3em}
.get{background:#2b7bb9}.post{background:#3a9a52}.delete{background:#c0392b}.put,.patch{background:#b9772b}
nav a{margin-right:1em}
</style></head><body>
<h1>${esc(SPEC.info.title)} <small>${esc(SPEC.info.version)}</small></h1>
<nav><a href="#operations">Operations</a><a href="#schemas">Schemas</a><a href="#problems">Error codes</a><a href="/openapi.yaml">openapi.yaml</a></nav>
${md(SPEC.info.summary)}
${md(SPEC.info.description)}
<h2 id="operations">Operations</h2>
${ops}
<h2 id="schemas">Schemas</h2>
${schemas}
<h2 id="problems">Error codes</h2>
<p>Every error is <code>application/problem+json</code> with one of these <code>code</code>s.</p>
<table><tr><th>code</th><th>HTTP status</th><th>title</th></tr>${codes}</table>
</body></html>
`;
}
