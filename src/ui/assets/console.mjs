// HASF Ops web console (an ES module, so deferred and strict): live updates over server-sent events, and action forms that
// stay on the page. The pages work without it (forms post and redirect; reload to refresh).
// No framework: the server renders every fragment (escaped there); this only swaps them in.
(function () {
  const statusLine = document.querySelector('[data-livestatus]');
  const say = (text) => {
    if (statusLine) statusLine.textContent = text;
  };

  /** Replace each live section the server sent (keyed by data-live). */
  function apply(sections) {
    for (const [name, markup] of Object.entries(sections)) {
      const el = document.querySelector('[data-live="' + CSS.escape(name) + '"]');
      if (!el || el.innerHTML === markup) continue;
      // Keep what the person is typing: a section holding a focused field is replaced once they leave it.
      const active = document.activeElement;
      if (active && el.contains(active) && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA') && active.value) {
        active.addEventListener('blur', () => apply({ [name]: markup }), { once: true });
        continue;
      }
      // Folded lists the person opened stay open across the update.
      const opened = new Set(Array.from(el.querySelectorAll('details[open]'), key));
      el.innerHTML = markup;
      for (const d of el.querySelectorAll('details')) if (opened.has(key(d))) d.open = true;
    }
  }

  /** A stable name for a folded list: its phase (or row) and its place there. */
  function key(details) {
    const row = details.closest('[data-phase], tr, li');
    const name = row ? row.getAttribute('data-phase') || row.id || '' : '';
    return name + '#' + Array.from((row || document).querySelectorAll('details')).indexOf(details);
  }

  const source = document.querySelector('[data-live-src]');
  if (source && 'EventSource' in window) {
    const es = new EventSource(source.getAttribute('data-live-src'));
    es.addEventListener('open', () => say('Live: updates appear as they happen.'));
    es.addEventListener('sections', (e) => {
      apply(JSON.parse(e.data));
      say('Live: updated ' + new Date().toLocaleTimeString() + '.');
    });
    es.addEventListener('signedout', () => {
      es.close();
      location.assign('/ui/signin?ended=1&next=' + encodeURIComponent(location.pathname));
    });
    es.addEventListener('error', () => say('Live updates interrupted; reconnecting…'));
  }

  // Action forms (approve, reject, cancel, review) post in the background; the live
  // stream then shows what changed. The answer's message goes to the notice area.
  document.addEventListener('submit', async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return;
    ev.preventDefault();
    const notice = document.querySelector('[data-notice]');
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => (b.disabled = true));
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      const body = await res.json().catch(() => ({}));
      if (notice) {
        notice.textContent = res.ok ? body.message || 'Done.' : (body.detail || 'The console refused this.') + (body.code ? ' (' + body.code + ')' : '');
        notice.classList.toggle('bad', !res.ok);
      }
      if (res.status === 401) location.assign('/ui/signin?ended=1&next=' + encodeURIComponent(location.pathname));
    } catch (err) {
      if (notice) {
        notice.textContent = 'The console could not be reached: ' + err.message;
        notice.classList.add('bad');
      }
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
})();
