// web/rights/common.js: what the rights pages share: the module's stylesheet and words, the
// enumerations of the API (title kinds, media, exclusivity, deal statuses, avails reasons and
// their colours), the dimension fields (a territory expression "EUROPE -GB", media chips, a
// language list "fr:dubbed, en"), a title picker, and formatting of days, money and rights rows.
//
// It deliberately holds no page: catalogue.js, title.js, grid.js, deal.js, market.js and
// dashboard.js are the pages (page.js dispatches to them). Colours that come from data are SVG
// fill attributes or classes, never style attributes (the CSP forbids inline styles).
import { html, useEffect, useId, useMemo, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale, registerStrings } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Spinner, useLookup, errorMessage } from '/lib/ui.js';
import strings from './strings.js';
import { loadStylesheet, useStylesheet } from '/lib/styles.js';

registerStrings(strings);

export const stylesReady = loadStylesheet('/rights/rights.css');

export const useStyles = () => useStylesheet(stylesReady);

export const KINDS = ['feature', 'series', 'season', 'episode', 'micro_drama', 'short', 'documentary', 'format'];
export const EXCLUSIVITY = ['exclusive', 'sole', 'non_exclusive'];
export const DEAL_STATUSES = ['draft', 'offered', 'negotiating', 'signed', 'active', 'expired', 'terminated'];
export const LOCKED_STATUSES = ['signed', 'active', 'expired', 'terminated'];
export const SOURCES = ['own_production', 'acquired'];
export const REASONS = ['exclusive', 'non_exclusive', 'holdback', 'no_rights', 'rights_level', 'pending'];

// Availability colours (timeline segments, grid cells, legends).
export const COLORS = {
  available: '#2f9e5f',
  exclusive: '#d64545',
  non_exclusive: '#e3a03a',
  holdback: '#8b5cf6',
  no_rights: '#d9dce3',
  rights_level: '#9aa0ad',
  pending: '#f2d36b',
};
// The grid's one-letter codes.
export const LETTERS = {
  A: 'available', N: 'no_rights', L: 'rights_level', X: 'exclusive', E: 'non_exclusive', H: 'holdback',
};

export const kindLabel = (k) => t(`rights.kind.${k}`);
export const exclLabel = (x) => t(`rights.excl.${x}`);
export const statusLabel = (s) => t(`rights.status.${s}`);
export const reasonLabel = (r) => t(`rights.reason.${r}`);
export const sourceLabel = (s) => t(`rights.source.${s}`);

export function statusBadge(s) {
  if (s === 'signed' || s === 'active') return 'ok';
  if (s === 'terminated') return 'warn';
  if (s === 'expired') return 'muted';
  return 'accent';
}

// ---- Days. ----

export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const dayNum = (s) => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
};
export const dayStr = (n) => new Date(n * 86400000).toISOString().slice(0, 10);
export const addYears = (s, n) => `${Number(s.slice(0, 4)) + n}${s.slice(4, 10)}`;

export function fmtDay(day) {
  if (!day || !/^\d{4}-\d{2}-\d{2}/.test(day)) return '';
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}

export function fmtTerm(start, end) {
  return `${fmtDay(start) || '…'} – ${end && end !== 'open' ? fmtDay(end) : t('rights.open_end')}`;
}

// ---- Money: amounts come as decimal strings ("125000.00"). ----

export function fmtMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return `${amount} ${currency || ''}`;
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toLocaleString(locale())} ${currency || ''}`;
  }
}

// ---- Territories: an expression of codes and groups, "-" before an exclusion. ----

let territoriesPromise = null;
export function loadTerritories() {
  if (!territoriesPromise) {
    territoriesPromise = api.get('/api/v1/rights/territories').catch((e) => {
      territoriesPromise = null;
      throw e;
    });
  }
  return territoriesPromise;
}

export function useTerritories() {
  const [data, setData] = useState(null);
  useEffect(() => {
    let live = true;
    loadTerritories().then((d) => live && setData(d), () => {});
    return () => {
      live = false;
    };
  }, []);
  return data;
}

// "EUROPE, -GB FR" -> {include: ["EUROPE", "FR"], exclude: ["GB"]}
export function parseTerritories(text) {
  const include = [];
  const exclude = [];
  for (const raw of String(text || '').split(/[\s,;]+/)) {
    if (!raw) continue;
    const neg = raw.startsWith('-') || raw.startsWith('!') || raw.startsWith('−');
    const code = (neg ? raw.slice(1) : raw).toUpperCase();
    if (!code) continue;
    (neg ? exclude : include).push(code);
  }
  return { include, exclude };
}

export function fmtTerritories(v) {
  if (!v) return '';
  if (Array.isArray(v)) return v.join(', ');
  const inc = (v.include || []).join(', ');
  const exc = (v.exclude || []).map((c) => `-${c}`).join(' ');
  return exc ? `${inc} ${exc}` : inc;
}

// The set of codes an expression names, with the tokens nobody knows.
export function expandTerritories(expr, ref) {
  if (!ref) return { codes: null, unknown: [] };
  const groups = new Map(ref.groups.map((g) => [g.name, g.codes]));
  const known = new Set(ref.territories.map((x) => x.code));
  const unknown = [];
  const add = (set, code, del) => {
    const list = groups.get(code) || (known.has(code) ? [code] : null);
    if (!list) {
      unknown.push(code);
      return;
    }
    for (const c of list) if (del) set.delete(c); else set.add(c);
  };
  const codes = new Set();
  for (const c of expr.include) add(codes, c, false);
  for (const c of expr.exclude) add(codes, c, true);
  return { codes, unknown };
}

// Short text for a list of codes in a label: "FR, DE, IT +12".
export function shortCodes(codes, max = 4) {
  if (!codes || !codes.length) return '—';
  if (codes.length <= max) return codes.join(', ');
  return `${codes.slice(0, max).join(', ')} +${codes.length - max}`;
}

// Words for a set of codes out of a wider set asked about: "all 55", a group's name, "all but
// KP, CN", or the first codes.
export function describeCodes(codes, ref, asked, max = 4) {
  if (!codes || !codes.length) return '—';
  const set = new Set(codes);
  if (asked && asked.size && codes.length === asked.size && codes.every((c) => asked.has(c))) {
    return codes.length === 1 ? codes[0] : t('rights.all_n', { n: codes.length });
  }
  if (ref) {
    for (const g of ref.groups) if (g.codes.length === set.size && g.codes.every((c) => set.has(c))) return g.name;
  }
  if (asked && asked.size && codes.length > asked.size / 2 && codes.length > max) {
    const missing = [...asked].filter((c) => !set.has(c));
    return t('rights.all_but', { codes: shortCodes(missing, max) });
  }
  return shortCodes(codes, max);
}

export function TerritoryField({ label, value, onInput, error, testid, hint = true }) {
  const id = `tf-${useId()}`;
  const ref = useTerritories();
  const expr = parseTerritories(value);
  const { codes, unknown } = expandTerritories(expr, ref);
  const err = error || (unknown.length ? t('rights.unknown_territory', { codes: unknown.join(', ') }) : '');
  return html`<div class=${`field ${err ? 'has-error' : ''}`}>
    ${label && html`<label class="field-label" for=${id}>${label}</label>`}
    <input id=${id} class="input mono" value=${value} list="rights-territory-list" autocomplete="off" spellcheck="false"
      autocapitalize="characters" placeholder="WORLD -CN" data-testid=${testid} aria-invalid=${err ? 'true' : undefined}
      onInput=${(e) => onInput(e.target.value)} />
    ${err ? html`<div class="field-error" role="alert">${err}</div>`
      : hint && html`<div class="field-hint">${codes ? t('rights.n_territories', { n: codes.size }) : t('rights.territory_hint')}</div>`}
    <${TerritoryDatalist} ref_=${ref} />
  </div>`;
}

function TerritoryDatalist({ ref_ }) {
  if (!ref_) return null;
  return html`<datalist id="rights-territory-list">
    ${ref_.groups.map((g) => html`<option key=${g.name} value=${g.name}>${t('rights.group_of', { n: g.codes.length })}</option>`)}
    ${ref_.territories.map((x) => html`<option key=${x.code} value=${x.code}>${x.name}</option>`)}
  </datalist>`;
}

// ---- Media. ----

const mediaCache = new Map();
export function loadMedia(orgId) {
  if (!mediaCache.has(orgId)) {
    mediaCache.set(orgId, api.get(`/api/v1/orgs/${orgId}/rights/media`).then((r) => r.items, (e) => {
      mediaCache.delete(orgId);
      throw e;
    }));
  }
  return mediaCache.get(orgId);
}

export function useMedia(orgId) {
  const [items, setItems] = useState(null);
  useEffect(() => {
    let live = true;
    loadMedia(orgId).then((m) => live && setItems(m), () => live && setItems([]));
    return () => {
      live = false;
    };
  }, [orgId]);
  return items;
}

export function mediaName(code, media) {
  const key = `rights.media.${code}`;
  const m = media && media.find((x) => x.code === code);
  if (m && !m.builtin) return m.name;
  const s = t(key);
  return s === key ? (m ? m.name : code) : s;
}

// Toggle chips, one per medium. value: an array of codes.
export function MediaField({ label, media, value, onChange, error, testid }) {
  const set = new Set(value || []);
  const toggle = (code) => {
    const next = new Set(set);
    if (next.has(code)) next.delete(code); else next.add(code);
    onChange((media || []).map((m) => m.code).filter((c) => next.has(c)));
  };
  return html`<div class=${`field ${error ? 'has-error' : ''}`} role="group" aria-label=${label} data-testid=${testid}>
    ${label && html`<span class="field-label">${label}</span>`}
    ${!media ? html`<${Spinner} />` : html`<div class="rt-chips">
      ${media.map((m) => html`<button key=${m.code} type="button" class=${`rt-chip ${set.has(m.code) ? 'on' : ''}`}
        aria-pressed=${set.has(m.code) ? 'true' : 'false'} data-media=${m.code} onClick=${() => toggle(m.code)}>${mediaName(m.code, media)}</button>`)}
    </div>`}
    ${error && html`<div class="field-error" role="alert">${error}</div>`}
  </div>`;
}

// ---- Languages: "fr:dubbed+subtitled, en" <-> [{tag, kinds}, "en"]. ----

export function parseLanguages(text) {
  const out = [];
  for (const raw of String(text || '').split(/[\s,;]+/)) {
    if (!raw) continue;
    const [tag, kinds] = raw.split(':');
    if (!tag) continue;
    if (kinds) out.push({ tag, kinds: kinds.split(/[+|/]/).filter(Boolean) });
    else out.push(tag);
  }
  return out;
}

export function fmtLanguages(v) {
  if (!v || !v.length) return '';
  return v.map((l) => (typeof l === 'string' ? l : l.kinds && l.kinds.length ? `${l.tag}:${l.kinds.join('+')}` : l.tag)).join(', ');
}

// A rights row in one line: "EUROPE -GB · SVOD, AVOD · fr:dubbed · 1 Jan 2026 – open · Exclusive".
export function rightSummary(r, media) {
  const parts = [fmtTerritories(r.territories), (r.media || []).map((m) => mediaName(m, media)).join(', ')];
  if (r.languages && r.languages.length) parts.push(fmtLanguages(r.languages));
  parts.push(fmtTerm(r.start, r.end));
  if (r.exclusivity) parts.push(exclLabel(r.exclusivity));
  return parts.join(' · ');
}

// ---- Titles. ----

export function titleLine(x) {
  if (!x) return '';
  const bits = [];
  if (x.kind === 'season' && x.season_number != null) bits.push(t('rights.season_n', { n: x.season_number }));
  if (x.kind === 'episode' && x.episode_number != null) bits.push(t('rights.episode_n', { n: x.episode_number }));
  return bits.length ? `${bits.join(' ')} · ${x.title}` : x.title;
}

// A search box over the organization's catalogue; onPick(title).
export function TitlePicker({ orgId, value, onPick, label, error, testid, placeholder }) {
  const id = `tp-${useId()}`;
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const state = useLookup(q, open, (dq) => api.get(`/api/v1/orgs/${orgId}/titles`, { q: dq, limit: 10 }), orgId);
  const [active, setActive] = useState(0);
  if (value) {
    return html`<div class=${`field ${error ? 'has-error' : ''}`}>
      ${label && html`<span class="field-label">${label}</span>`}
      <div class="picked rt-picked" data-testid=${testid && `${testid}-picked`}>
        <${Icon} name="film" class="muted" />
        <span class="picked-main"><span class="truncate strong" title=${value.title}>${titleLine(value)}</span>
          ${value.kind && html`<span class="muted small">${kindLabel(value.kind)}${value.year ? ` · ${value.year}` : ''}</span>`}</span>
        ${onPick && html`<button type="button" class="btn btn-sm btn-ghost" onClick=${() => onPick(null)}>${t('action.change')}</button>`}
      </div>
      ${error && html`<div class="field-error" role="alert">${error}</div>`}
    </div>`;
  }
  const pick = (x) => {
    if (!x) return;
    onPick(x);
    setOpen(false);
    setQ('');
  };
  return html`<div class=${`field combo ${error ? 'has-error' : ''}`}>
    ${label && html`<label class="field-label" for=${id}>${label}</label>`}
    <div class="combo-input">
      <${Icon} name="search" class="muted" />
      <input id=${id} class="input" role="combobox" aria-expanded=${open ? 'true' : 'false'} autocomplete="off"
        placeholder=${placeholder || t('rights.search_titles')} value=${q} data-testid=${testid}
        onInput=${(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus=${() => setOpen(true)} onBlur=${() => setTimeout(() => setOpen(false), 150)}
        onKeyDown=${(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, state.items.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            pick(state.items[active]);
          } else if (e.key === 'Escape') setOpen(false);
        }} />
      ${state.loading && html`<${Spinner} />`}
    </div>
    ${open && html`<ul class="combo-list" role="listbox">
      ${state.error ? html`<li class="combo-empty">${errorMessage(state.error)}</li>`
        : !state.items.length && !state.loading ? html`<li class="combo-empty">${t('rights.no_titles_match')}</li>`
        : state.items.map((x, i) => html`<li key=${x.id} role="option" aria-selected=${i === active ? 'true' : 'false'}
            class=${`combo-option ${i === active ? 'active' : ''}`}
            onMouseDown=${(e) => {
              e.preventDefault();
              pick(x);
            }} onMouseEnter=${() => setActive(i)}>
            <${Icon} name="film" class="muted" />
            <span class="combo-main"><span class="truncate">${titleLine(x)}</span>
              <span class="muted small truncate">${kindLabel(x.kind)}${x.year ? ` · ${x.year}` : ''}</span></span>
          </li>`)}
    </ul>`}
    ${error && html`<div class="field-error" role="alert">${error}</div>`}
  </div>`;
}

// Titles by id, fetched once per page (names in rows that carry only ids).
export function useTitleNames(ids) {
  const key = [...new Set(ids.filter(Boolean))].sort().join(',');
  const [names, setNames] = useState({});
  useEffect(() => {
    let live = true;
    const missing = key ? key.split(',').filter((id) => !(id in names)) : [];
    if (!missing.length) return undefined;
    Promise.all(missing.map((id) => api.get(`/api/v1/titles/${id}`).then((x) => [id, x], () => [id, null]))).then((pairs) => {
      if (!live) return;
      setNames((n) => {
        const next = { ...n };
        for (const [id, x] of pairs) next[id] = x;
        return next;
      });
    });
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

// A legend of availability colours.
export function Legend({ items = ['available', ...REASONS], letters = false }) {
  const inv = Object.fromEntries(Object.entries(LETTERS).map(([k, v]) => [v, k]));
  return html`<ul class="rt-legend" data-testid="legend">
    ${items.map((k) => html`<li key=${k}>
      <svg class="rt-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=${COLORS[k]} /></svg>
      ${letters && inv[k] ? html`<span class="mono strong">${inv[k]}</span> ` : ''}${k === 'available' ? t('rights.available') : reasonLabel(k)}
    </li>`)}
  </ul>`;
}

// Map the problem document's field errors ("rights/1/territories") to {row: {field: msg}}.
export function rowErrors(err, list = 'rights') {
  const rows = {};
  const other = [];
  for (const f of (err && err.fieldErrors) || []) {
    const m = new RegExp(`^${list}[/[](\\d+)\\]?[/.]?(\\w*)`).exec(f.field || '');
    if (m) {
      const i = Number(m[1]);
      rows[i] = rows[i] || {};
      rows[i][m[2] || '_'] = f.message;
    } else other.push(f);
  }
  return { rows, other };
}

export function useMemoJSON(v) {
  const s = JSON.stringify(v);
  return useMemo(() => v, [s]);
}
