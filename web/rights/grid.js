// web/rights/grid.js: the avails grid (GET /orgs/{id}/avails/grid): the catalogue's titles ×
// territories for one medium on one day, one coloured cell per territory (A available,
// N no rights, L rights level too low, X exclusive license, E non-exclusive license,
// H holdback), with a legend, filters (medium, day, territories, exclusivity wanted, text,
// kind), CSV and XLSX export links of the same query, and an inspector line that names the
// cell under the pointer (or the tapped one on a phone).
//
// Built for 10,000 titles: pages of 500 rows are fetched as the person scrolls towards the end;
// only the rows in view (plus an overscan) are in the DOM, between two spacers sized with SVG
// height attributes; a row's cells are one SVG, and a row's virtual node is cached so that
// scrolling diffs only rows entering the view. No inline styles (CSP).
import { html, useEffect, useLayoutEffect, useMemo, useRef, useState } from '/lib/html.js';
import { api, query } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useDebounced, Empty, ErrorBox, Loading, Spinner } from '/lib/ui.js';
import {
  COLORS, EXCLUSIVITY, KINDS, LETTERS, Legend, TerritoryField, exclLabel, kindLabel, mediaName, parseTerritories, reasonLabel,
  titleLine, today, useMedia, useTerritories,
} from './common.js';

export const ROW_H = 24;
const CW = 22;
const OVERSCAN = 10;
const PAGE = 500;
const DARK = new Set(['A', 'X', 'H', 'L']);

export default function GridPage({ org, base }) {
  const media = useMedia(org.id);
  const terrRef = useTerritories();
  const [med, setMed] = useState('svod');
  const [date, setDate] = useState(today());
  const [terr, setTerr] = useState('WORLD');
  const [excl, setExcl] = useState('non_exclusive');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const params = JSON.parse(useDebounced(JSON.stringify({ med, date, terr, excl, q: q.trim(), kind }), 300));
  const e = parseTerritories(params.terr);
  const qp = {
    media: params.med, date: params.date, territories: [...e.include, ...e.exclude.map((c) => `-${c}`)].join(','),
    exclusivity: params.excl, q: params.q, kind: params.kind,
  };
  const key = JSON.stringify(qp);
  const [state, setState] = useState({ key: '', rows: [], territories: [], cursor: null, loading: true, error: null, done: false });
  const gen = useRef(0);
  const load = (append) => {
    const g = append ? gen.current : ++gen.current;
    const cursor = append ? state.cursor : null;
    setState((s) => (append ? { ...s, loading: true, error: null } : { key, rows: [], territories: s.territories, cursor: null, loading: true, error: null, done: false }));
    api.get(`/api/v1/orgs/${org.id}/avails/grid`, { ...qp, limit: PAGE, cursor }).then(
      (r) => g === gen.current && setState((s) => ({
        key, rows: append ? [...s.rows, ...r.rows] : r.rows, territories: r.territories || s.territories,
        cursor: r.next_cursor || null, loading: false, error: null, done: !r.next_cursor,
      })),
      (err) => g === gen.current && setState((s) => ({ ...s, loading: false, error: err })),
    );
  };
  useEffect(() => {
    load(false);
  }, [key, org.id]);
  const exportHref = (format) => `/api/v1/orgs/${org.id}/avails/grid${query({ ...qp, format })}`;
  return html`<div class="stack" data-testid="avails-grid-page">
    <div class="rt-filters rt-grid-filters">
      <label class="field"><span class="field-label">${t('rights.medium')}</span>
        <select class="input select" value=${med} data-testid="grid-media" onChange=${(ev) => setMed(ev.target.value)}>
          ${(media || [{ code: 'svod' }]).map((m) => html`<option key=${m.code} value=${m.code}>${mediaName(m.code, media)}</option>`)}
        </select></label>
      <label class="field"><span class="field-label">${t('rights.on_day')}</span>
        <input class="input" type="date" value=${date} data-testid="grid-date" onInput=${(ev) => ev.target.value && setDate(ev.target.value)} /></label>
      <${TerritoryField} label=${t('rights.territories')} value=${terr} onInput=${setTerr} testid="grid-territories" />
      <label class="field"><span class="field-label">${t('rights.exclusivity_wanted')}</span>
        <select class="input select" value=${excl} data-testid="grid-exclusivity" onChange=${(ev) => setExcl(ev.target.value)}>
          ${EXCLUSIVITY.map((x) => html`<option key=${x} value=${x}>${exclLabel(x)}</option>`)}
        </select></label>
      <label class="field"><span class="field-label">${t('rights.search')}</span>
        <input class="input" type="search" value=${q} placeholder=${t('rights.search_titles')} data-testid="grid-search" onInput=${(ev) => setQ(ev.target.value)} /></label>
      <label class="field"><span class="field-label">${t('rights.kind')}</span>
        <select class="input select" value=${kind} onChange=${(ev) => setKind(ev.target.value)}>
          <option value="">${t('rights.any_kind')}</option>
          ${KINDS.map((k) => html`<option key=${k} value=${k}>${kindLabel(k)}</option>`)}
        </select></label>
    </div>
    <div class="toolbar rt-toolbar">
      <${Legend} items=${['available', 'exclusive', 'non_exclusive', 'holdback', 'no_rights', 'rights_level']} letters=${true} />
      <span class="toolbar-spacer"></span>
      <a class="btn btn-sm" href=${exportHref('csv')} download data-native data-testid="export-csv"><${Icon} name="download" />CSV</a>
      <a class="btn btn-sm" href=${exportHref('xlsx')} download data-native data-testid="export-xlsx"><${Icon} name="download" />XLSX</a>
    </div>
    ${state.error && html`<${ErrorBox} error=${state.error} onRetry=${() => load(state.rows.length > 0)} />`}
    ${state.key !== key && state.loading && !state.rows.length ? html`<${Loading} />`
      : state.rows.length === 0 && !state.loading ? html`<${Empty} icon="grid" title=${t('rights.grid_empty')} />`
      : html`<${Grid} base=${base} state=${state} terrRef=${terrRef} onNeedMore=${() => !state.loading && state.cursor && load(true)} />`}
  </div>`;
}

function Grid({ base, state, terrRef, onNeedMore }) {
  const { rows, territories } = state;
  const scroller = useRef(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const [inspect, setInspect] = useState(null);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(view.top / ROW_H) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_H) + OVERSCAN);
  useEffect(() => {
    if (last >= rows.length - OVERSCAN && !state.done) onNeedMore();
  }, [last, rows.length, state.done]);
  const W = territories.length * CW;
  const names = useMemo(() => new Map(((terrRef && terrRef.territories) || []).map((x) => [x.code, x.name])), [terrRef]);

  // A row's node is built once per (row, columns) and reused while scrolling.
  const cache = useRef({ cols: null, map: new Map() });
  if (cache.current.cols !== territories) cache.current = { cols: territories, map: new Map() };
  const rowNode = (r, i) => {
    const k = `${r.title_id}:${i % 2}`;
    let n = cache.current.map.get(k);
    if (n && n.row === r) return n.node;
    // Runs of equal letters as one rectangle each, a pattern of gaps over them, and the letters
    // as two <text> elements with one x per glyph: a row is a handful of SVG nodes, not 500.
    const runs = [];
    for (let c = 0; c < territories.length;) {
      const L = r.cells[c] || 'N';
      let e = c + 1;
      while (e < territories.length && (r.cells[e] || 'N') === L) e++;
      runs.push(html`<rect x=${c * CW} y="2" width=${(e - c) * CW} height=${ROW_H - 4} fill=${COLORS[LETTERS[L]] || COLORS.no_rights} />`);
      c = e;
    }
    const light = [];
    const dark = [];
    let lightText = '';
    let darkText = '';
    for (let c = 0; c < territories.length; c++) {
      const L = r.cells[c] || 'N';
      if (L === 'A') continue;
      if (DARK.has(L)) {
        light.push(c * CW + CW / 2);
        lightText += L;
      } else {
        dark.push(c * CW + CW / 2);
        darkText += L;
      }
    }
    const cells = html`${runs}
      <rect x="0" y="0" width=${W} height=${ROW_H} fill=${`url(#rt-gaps-${i % 2})`} />
      ${lightText && html`<text x=${light.join(' ')} y=${ROW_H / 2 + 4} class="rt-gl rt-gl-light">${lightText}</text>`}
      ${darkText && html`<text x=${dark.join(' ')} y=${ROW_H / 2 + 4} class="rt-gl">${darkText}</text>`}`;
    const node = html`<div key=${r.title_id} class=${`rt-grid-row ${i % 2 ? 'rt-grid-row-odd' : ''}`} data-title=${r.title} data-cells=${r.cells}>
      <a class="rt-gname" href=${`${base}/titles/${r.title_id}`} title=${r.title}>${titleLine(r)}</a>
      <svg class="rt-gcells" width=${W} height=${ROW_H} data-row=${i}>${cells}</svg>
    </div>`;
    cache.current.map.set(k, { row: r, node });
    return node;
  };
  const pointAt = (ev) => {
    const svg = ev.target.closest && ev.target.closest('svg.rt-gcells');
    if (!svg) return;
    const i = Number(svg.dataset.row);
    const c = Math.floor((ev.clientX - svg.getBoundingClientRect().left) / CW);
    const r = rows[i];
    if (!r || c < 0 || c >= territories.length) return;
    if (!inspect || inspect.row !== r || inspect.c !== c) setInspect({ row: r, c });
  };
  // What the inspector names, while that row and column are still shown.
  const ins = inspect && rows.includes(inspect.row) && inspect.c < territories.length
    ? { row: inspect.row, code: territories[inspect.c], L: inspect.row.cells[inspect.c] || 'N' } : null;
  return html`<div class="rt-grid-wrap">
    <div class="rt-inspector small" aria-live="polite" data-testid="grid-inspector">
      ${ins ? html`<svg class="rt-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=${COLORS[LETTERS[ins.L]]} /></svg>
        <span class="strong truncate">${ins.row.title}</span><span class="mono">${ins.code}</span><span class="muted truncate">${names.get(ins.code) || ''}</span>
        <span>${LETTERS[ins.L] === 'available' ? t('rights.available') : reasonLabel(LETTERS[ins.L])}</span>`
        : html`<span class="muted">${t('rights.grid_hint')}</span>`}
    </div>
    <div class="rt-grid-scroll" ref=${scroller} data-testid="avails-grid" tabindex="0" role="region" aria-label=${t('rights.nav.grid')}
      onScroll=${(ev) => setView({ top: ev.currentTarget.scrollTop, height: ev.currentTarget.clientHeight })}
      onMouseMove=${pointAt} onClick=${pointAt}>
      <svg class="rt-defs" width="0" height="0" aria-hidden="true"><defs>
        <pattern id="rt-gaps-0" width=${CW} height=${ROW_H} patternUnits="userSpaceOnUse"><rect x=${CW - 2} width="2" height=${ROW_H} class="rt-gap-0" /></pattern>
        <pattern id="rt-gaps-1" width=${CW} height=${ROW_H} patternUnits="userSpaceOnUse"><rect x=${CW - 2} width="2" height=${ROW_H} class="rt-gap-1" /></pattern>
      </defs></svg>
      <div class="rt-grid-inner">
        <div class="rt-ghead">
          <div class="rt-gname rt-gname-head">${t('rights.n_titles_loaded', { n: rows.length })}${!state.done ? '+' : ''}</div>
          <svg class="rt-gcodes" width=${W} height="28">
            ${territories.map((code, c) => html`<text key=${code} x=${c * CW + CW / 2} y="18" class="rt-gcode"><title>${names.get(code) || code}</title>${code}</text>`)}
          </svg>
        </div>
        <svg class="rt-spacer" width="1" height=${first * ROW_H} aria-hidden="true"></svg>
        ${rows.slice(first, last).map((r, k) => rowNode(r, first + k))}
        <svg class="rt-spacer" width="1" height=${(rows.length - last) * ROW_H} aria-hidden="true"></svg>
      </div>
    </div>
    ${state.loading && html`<div class="muted small rt-grid-more"><${Spinner} /> ${t('state.loading')}</div>`}
  </div>`;
}
