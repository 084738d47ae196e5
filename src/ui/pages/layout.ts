import type { Principal } from '../../auth/index.ts';
import { html, type Html, type Part } from '../html.ts';

/** What the page shell needs to know about who is looking. */
export interface ShellViewer {
  principal: Principal;
  csrf: string;
}

/** Options of {@link page}. */
export interface PageOptions {
  title: string;
  /** The main content. */
  body: Part;
  /** URLs of the stylesheet and script (content-hashed). */
  css: string;
  js: string;
  icon: string;
  /** Signed-in viewer (absent on the sign-in page). */
  viewer?: ShellViewer;
  /** Configured cluster names, for the navigation. */
  clusters?: readonly string[];
  /** Which navigation entry is current. */
  current?: 'home' | 'cluster' | 'jobs' | 'audit';
  currentCluster?: string;
}

/** The hidden field every form carries. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

function navLink(href: string, label: string, current: boolean): Html {
  return html`<a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
}

/**
 * The shell of every console page: one stylesheet and one script of HASF's own (the CSP
 * allows nothing else), a skip link, the navigation, who is signed in and sign-out.
 */
export function page(o: PageOptions): Html {
  const v = o.viewer;
  const nav = v
    ? html`<nav aria-label="Console">
  ${navLink('/ui/', 'Overview', o.current === 'home')}
  ${(o.clusters ?? []).map((c) => navLink(`/ui/clusters/${encodeURIComponent(c)}`, `Cluster ${c}`, o.current === 'cluster' && o.currentCluster === c))}
  ${navLink('/ui/jobs', 'Jobs', o.current === 'jobs')}
  ${navLink('/ui/audit', 'Audit', o.current === 'audit')}
</nav>
<form class="who" method="post" action="/ui/signout">
  <span>Signed in as <strong>${v.principal.person.displayName}</strong> (${v.principal.person.roles.join(', ') || 'no role'})</span>
  ${csrfField(v.csrf)}
  <button type="submit">Sign out</button>
</form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · HASF Ops</title>
<link rel="icon" href="${o.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${o.css}">
<script type="module" src="${o.js}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/ui/">HASF Ops</a>
  ${nav}
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
</body>
</html>
`;
}
