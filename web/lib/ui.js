// web/lib/ui.js: small shared components and data hooks used by every page: error and
// empty states, badges, avatars, page headers, tab bars, menus, copy fields, and the
// useAsync / usePaged hooks that load API data (with cursor paging and "load more").
import { html, useState, useEffect, useLayoutEffect, useRef, useCallback, useReducer } from './html.js';
import { t, hasKey, locale, onLocaleChange } from './i18n.js';
import { Icon } from './icons.js';
import { initials, hueClass } from './format.js';
import { toast } from './toast.js';

// ---- Errors. ----

// The text to show for a failed request: the server's own detail (precise, English) or, in
// Chinese, the translation of the problem type when there is one.
export function errorMessage(err) {
  if (!err) return '';
  if (err.status === 0) return t('problem.network');
  const key = `problem.${err.slug}`;
  // Our own words where the client adds something (a stale version has been reloaded).
  if (err.slug === 'stale-version') return t(key);
  if (err.slug && hasKey(key) && (locale() !== 'en' || !err.detail)) return t(key);
  if (err.detail) return err.detail;
  if (err.status === 404) return t('problem.not-found');
  if (err.status === 403) return t('problem.forbidden');
  return err.message || t('problem.generic');
}

export function ErrorBox({ error, onRetry }) {
  if (!error) return null;
  return html`<div class="alert alert-error" role="alert">
    <${Icon} name="alert" />
    <div class="alert-body">
      <div>${errorMessage(error)}</div>
      ${error.requestId && error.status >= 500 && html`<div class="alert-meta">${t('error.request_id')}: <code>${error.requestId}</code></div>`}
    </div>
    ${onRetry && html`<button type="button" class="btn btn-sm" onClick=${onRetry}>${t('action.retry')}</button>`}
  </div>`;
}

export function Notice({ kind = 'info', children }) {
  return html`<div class=${`alert alert-${kind}`} role=${kind === 'warn' ? 'alert' : undefined}>
    <${Icon} name=${kind === 'warn' ? 'alert' : 'info'} />
    <div class="alert-body">${children}</div>
  </div>`;
}

// ---- Small pieces. ----

export function Spinner({ label }) {
  return html`<span class="spinner" role="status" aria-label=${label || t('state.loading')}></span>`;
}

export function Loading() {
  return html`<div class="loading"><${Spinner} /><span>${t('state.loading')}</span></div>`;
}

export function Empty({ icon = 'folder', title, children }) {
  return html`<div class="empty">
    <div class="empty-icon"><${Icon} name=${icon} size=${22} /></div>
    <div class="empty-title">${title}</div>
    ${children && html`<div class="empty-body">${children}</div>`}
  </div>`;
}

export function Badge({ kind = '', children, title }) {
  return html`<span class=${`badge ${kind ? `badge-${kind}` : ''}`} title=${title}>${children}</span>`;
}

export function Avatar({ name, id, size = 'md' }) {
  return html`<span class=${`avatar avatar-${size} ${hueClass(id || name)}`} aria-hidden="true">${initials(name)}</span>`;
}

export function PageHeader({ title, subtitle, actions, children, crumbs }) {
  return html`<header class="page-header">
    ${crumbs && html`<nav class="crumbs" aria-label=${t('nav.breadcrumb')}>${crumbs}</nav>`}
    <div class="page-header-row">
      <div class="page-title-block">
        <h1 class="page-title">${title}</h1>
        ${subtitle && html`<div class="page-subtitle">${subtitle}</div>`}
      </div>
      ${actions && html`<div class="page-actions">${actions}</div>`}
    </div>
    ${children}
  </header>`;
}

// A row of links styled as tabs; `items`: [{href, label, active, icon}].
export function TabNav({ items, label }) {
  return html`<nav class="tabs" aria-label=${label}>
    ${items.map((it) => html`<a key=${it.href} href=${it.href} class=${`tab ${it.active ? 'active' : ''}`}
      aria-current=${it.active ? 'page' : undefined}>${it.label}</a>`)}
  </nav>`;
}

// A drop-down menu: a trigger button and a panel that closes on outside click and Escape.
export function Menu({ trigger, label, align = 'right', class: cls = '', children }) {
  const [open, setOpen] = useState(false);
  const ref = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const onDoc = (e) => {
      if (ref.current && !ref.current.contains(e.target)) setOpen(false);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDoc);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDoc);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return html`<div class=${`menu ${cls}`} ref=${ref}>
    <button type="button" class="menu-trigger" aria-haspopup="true" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${label} onClick=${() => setOpen(!open)}>${trigger}</button>
    ${open && html`<div class=${`menu-panel menu-${align}`} role="menu" onClick=${(e) => {
      if (e.target.closest('a,button')) setOpen(false);
    }}>${children}</div>`}
  </div>`;
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without clipboard permission (plain http on another host): select-and-copy fallback.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    try {
      document.execCommand('copy');
    } finally {
      ta.remove();
    }
  }
  toast(t('copy.done'));
}

// A read-only value with a copy button (tokens, invitation links).
export function CopyField({ value, label, testid }) {
  return html`<div class="copy-field">
    <input class="input mono" readonly value=${value} aria-label=${label} data-testid=${testid}
      onFocus=${(e) => e.target.select()} />
    <button type="button" class="btn" onClick=${() => copyText(value)}><${Icon} name="copy" />${t('action.copy')}</button>
  </div>`;
}

export function LoadMore({ paged }) {
  if (!paged.hasMore && !paged.error) return null;
  return html`<div class="load-more">
    ${paged.error && paged.items.length > 0 && html`<${ErrorBox} error=${paged.error} />`}
    ${paged.hasMore && html`<button type="button" class="btn" disabled=${paged.loading} onClick=${paged.loadMore}>
      ${paged.loading ? html`<${Spinner} />` : null}${t('action.load_more')}
    </button>`}
  </div>`;
}

// ---- Data hooks. ----

// useAsync(fn, deps): run fn() when deps change; { data, error, loading, reload, setData }.
// A result that arrives after deps changed again is dropped.
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const gen = useRef(0);
  const run = useCallback(() => {
    const g = ++gen.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(fn)
      .then(
        (data) => g === gen.current && setState({ data, error: null, loading: false }),
        (error) => g === gen.current && setState((s) => ({ data: s.data, error, loading: false })),
      );
  }, deps);
  useEffect(() => {
    run();
    return () => {
      gen.current++;
    };
  }, [run]);
  return {
    ...state,
    reload: run,
    setData: (d) => setState((s) => ({ ...s, data: typeof d === 'function' ? d(s.data) : d })),
  };
}

// usePaged(fetchPage, deps): a cursor-paged list. fetchPage(cursor) returns the API's
// { items, next_cursor }. { items, loading, error, hasMore, loadMore, reload, setItems }.
export function usePaged(fetchPage, deps) {
  const [state, setState] = useState({ items: [], cursor: null, loading: true, error: null, started: false });
  const gen = useRef(0);
  const load = useCallback((cursor, append) => {
    const g = append ? gen.current : ++gen.current;
    setState((s) => ({ ...s, loading: true, error: null, ...(append ? {} : { items: s.started ? s.items : [] }) }));
    fetchPage(cursor).then(
      (page) => {
        if (g !== gen.current) return;
        setState((s) => ({
          items: append ? [...s.items, ...(page.items || [])] : page.items || [],
          cursor: page.next_cursor || null,
          loading: false,
          error: null,
          started: true,
        }));
      },
      (error) => g === gen.current && setState((s) => ({ ...s, loading: false, error, started: true })),
    );
  }, deps);
  useEffect(() => {
    load(null, false);
    return () => {
      gen.current++;
    };
  }, [load]);
  return {
    items: state.items,
    loading: state.loading,
    started: state.started,
    error: state.error,
    hasMore: !!state.cursor,
    loadMore: () => load(state.cursor, true),
    reload: () => load(null, false),
    setItems: (f) => setState((s) => ({ ...s, items: typeof f === 'function' ? f(s.items) : f })),
  };
}

export function useDebounced(value, ms = 250) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/**
 * The answer of a lookup box: while `open`, `load(q)` (a promise of {items}) runs for the
 * typed text once it has stood still for 200 ms, again when `key` changes; answers that
 * arrive after a newer question are dropped. Returns {items, loading, error}.
 */
export function useLookup(q, open, load, key = '') {
  const dq = useDebounced(q.trim(), 200);
  const [state, setState] = useState({ items: [], loading: false, error: null });
  useEffect(() => {
    if (!open) return undefined;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load(dq).then(
      (r) => live && setState({ items: (r && r.items) || [], loading: false, error: null }),
      (e) => live && setState({ items: [], loading: false, error: e }),
    );
    return () => {
      live = false;
    };
  }, [dq, open, key]);
  return state;
}

export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · mstation` : 'mstation';
  }, [title]);
}

// Re-render the caller when the UI language changes; returns the language.
export function useLocale() {
  const [, force] = useReducer((n) => n + 1, 0);
  const lang = locale();
  useLayoutEffect(() => {
    const off = onLocaleChange(() => force());
    if (locale() !== lang) force();
    return off;
  }, []);
  return lang;
}
