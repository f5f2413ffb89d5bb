// web/lib/router.js: History API routing for the single-page app.
//
// The server answers every extension-less path with index.html, so any URL here survives a
// reload. navigate() pushes a path; a document-level click handler turns ordinary same-origin
// <a href="/..."> clicks into navigate() calls (modifier keys, target=_blank, download and
// data-native links are left to the browser). match() compares a path with a pattern such as
// "/projects/:id/:tab*" (":name*" takes the rest of the path, possibly empty).
import { createStore, useStore } from './store.js';

export const route = createStore({ path: location.pathname, search: location.search });

function sync() {
  route.set({ path: location.pathname, search: location.search });
}

export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, location.origin);
  const target = url.pathname + url.search + url.hash;
  if (target === location.pathname + location.search + location.hash && !replace) return;
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  sync();
  if (!url.hash) window.scrollTo(0, 0);
}

export function useRoute() {
  return useStore(route);
}

export function searchParam(name) {
  return new URLSearchParams(route.get().search).get(name);
}

export function match(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  const params = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg.startsWith(':') && seg.endsWith('*')) {
      params[seg.slice(1, -1)] = s.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    if (i >= s.length) return null;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(s[i]);
    else if (seg !== s[i]) return null;
  }
  return p.length === s.length ? params : null;
}

// A post-sign-in destination from ?next=: only a path on this site.
export function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
}

let installed = false;
export function installLinkHandler() {
  if (installed) return;
  installed = true;
  window.addEventListener('popstate', sync);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.native !== undefined) return;
    const href = a.getAttribute('href');
    if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    e.preventDefault();
    navigate(href);
  });
}
