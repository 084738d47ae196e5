import type { DemoPerson } from '../context.ts';
import { html, type Html } from '../html.ts';
import { csrfField } from './layout.ts';

/** The sign-in page: an API token, or (in the demo) one of the demo people. */
export function signInBody(o: { csrf: string; next: string; error?: string; ended?: boolean; signedOut?: boolean; demoPeople: readonly DemoPerson[] }): Html {
  return html`<h1>Sign in to HASF Ops</h1>
${o.ended ? html`<p class="notice" role="status">Your session ended (signed out elsewhere, idle too long, or its token was revoked or expired). Sign in again.</p>` : ''}
${o.signedOut ? html`<p class="notice" role="status">You are signed out.</p>` : ''}
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
<form class="signin" method="post" action="/ui/signin">
  ${csrfField(o.csrf)}
  <input type="hidden" name="next" value="${o.next}">
  <label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required minlength="10" maxlength="200" placeholder="hasf_…" aria-describedby="token-help">
  <p id="token-help" class="help">A token from <code>hasf token create NAME</code> (or from your admin). It stays on the server; the browser only gets a session cookie, which ends when the token is revoked or expires.</p>
  <button type="submit" class="primary">Sign in</button>
</form>
${o.demoPeople.length
  ? html`<section class="demo" aria-labelledby="h-demo"><h2 id="h-demo">Demo people</h2>
<p>This is the demo (<code>hasf start</code>): sign in as one of its people.</p>
<ul class="demo-people">${o.demoPeople.map(
      (p) => html`<li><form method="post" action="/ui/signin">${csrfField(o.csrf)}<input type="hidden" name="next" value="${o.next}"><input type="hidden" name="demo" value="${p.name}"><button type="submit" aria-label="Sign in as ${p.name} (${p.roles.join(', ')})">${p.name} <small>${p.roles.join(', ')}</small></button></form></li>`,
    )}</ul></section>`
  : ''}`;
}
