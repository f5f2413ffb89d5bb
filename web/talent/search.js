// web/talent/search.js: /talent, the search over the people of the instance (GET
// /talent/search): a text box (substring search, Chinese included), facets in a side panel
// (craft, language and level, country, city, organization) with the counts the API answers
// for what the searcher may see, an availability window, result cards and "load more".
//
// The question lives in the URL (?q=&craft=&language=&level=&country=&city=&org=&from=&to=),
// so a search can be shared, reloaded and gone back to. What the cards show is only what the
// API returned: hidden fields are absent, never guessed.
import { html, useEffect, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { navigate, useRoute } from '/lib/router.js';
import { useDebounced, useTitle, Empty, ErrorBox, Loading, Spinner, PageHeader } from '/lib/ui.js';
import {
  LEVELS, levelLabel, langName, countryName, craftLabel, useCrafts, TalentCard, isDay, nPeople,
} from './common.js';

const KEYS = ['q', 'craft', 'language', 'level', 'country', 'city', 'org', 'from', 'to'];
const FACETS = ['craft', 'language', 'country', 'city', 'org'];
const PAGE = 24;

function readQuery(search) {
  const sp = new URLSearchParams(search);
  const out = {};
  for (const k of KEYS) out[k] = sp.get(k) || '';
  return out;
}

function toSearch(q) {
  const sp = new URLSearchParams();
  for (const k of KEYS) if (q[k]) sp.set(k, q[k]);
  const s = sp.toString();
  return s ? `?${s}` : '';
}

// The API's parameters for a question.
function params(q, cursor) {
  const from = isDay(q.from) ? q.from : '';
  const to = isDay(q.to) ? q.to : '';
  return {
    q: q.q.trim(), craft: q.craft, language: q.language, level: q.language ? q.level : '', country: q.country,
    city: q.city, org: q.org, available_from: from || (to ? to : ''), available_to: to || (from ? from : ''),
    limit: PAGE, cursor,
  };
}

// One search: the first page brings total and facets; "more" appends.
function useSearch(q) {
  const key = JSON.stringify(params(q, ''));
  const [state, setState] = useState({ items: [], total: null, facets: null, cursor: null, loading: true, error: null, started: false });
  const gen = useRef(0);
  const load = (cursor) => {
    const g = cursor ? gen.current : ++gen.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    api.get('/api/v1/talent/search', params(q, cursor || '')).then((r) => {
      if (g !== gen.current) return;
      setState((s) => ({
        items: cursor ? [...s.items, ...(r.items || [])] : r.items || [],
        total: cursor ? s.total : r.total,
        facets: cursor ? s.facets : r.facets || {},
        cursor: r.next_cursor || null,
        loading: false,
        error: null,
        started: true,
      }));
    }, (error) => g === gen.current && setState((s) => ({ ...s, loading: false, error, started: true })));
  };
  useEffect(() => {
    load('');
    return () => {
      gen.current++;
    };
  }, [key]);
  return { ...state, more: () => load(state.cursor), reload: () => load('') };
}

function facetLabel(name, v, crafts) {
  if (name === 'craft') return craftLabel(v.value, crafts);
  if (name === 'language') return langName(v.value);
  if (name === 'country') return countryName(v.value);
  if (name === 'org') return v.name || v.value;
  // Cities come folded ("xining"): shown with capitals where the text is plain lower-case Latin.
  return /^[a-z][a-z\s'-]*$/.test(v.value) ? v.value.replace(/(^|[\s'-])([a-z])/g, (m, a, b) => a + b.toUpperCase()) : v.value;
}

function Facet({ name, values, selected, onPick, crafts }) {
  const [all, setAll] = useState(false);
  const list = values || [];
  // The chosen value stays in view even when the answer no longer counts it.
  const shown = all ? list : list.slice(0, 8);
  if (selected && !shown.some((v) => v.value === selected)) shown.unshift({ value: selected, count: null, name: selected });
  return html`<section class="tl-facet" data-facet=${name} aria-labelledby=${`facet-${name}`}>
    <h3 class="tl-facet-title" id=${`facet-${name}`}>${t(`talent.facet.${name}`)}</h3>
    ${!shown.length ? html`<p class="muted small">${t('talent.facet_none')}</p>` : html`<ul class="tl-facet-list">
      ${shown.map((v) => html`<li key=${v.value}><button type="button" class=${`tl-facet-item ${selected === v.value ? 'on' : ''}`}
        aria-pressed=${selected === v.value ? 'true' : 'false'} data-value=${v.value} onClick=${() => onPick(selected === v.value ? '' : v.value)}>
        <span class="tl-facet-label">${facetLabel(name, v, crafts)}</span>
        ${v.count !== null && v.count !== undefined && html`<span class="tl-facet-count">${v.count}</span>`}
        ${selected === v.value && html`<${Icon} name="x" size=${12} />`}
      </button></li>`)}
    </ul>`}
    ${list.length > 8 && html`<button type="button" class="rt-link-btn tl-facet-more" onClick=${() => setAll(!all)}>
      ${all ? t('talent.show_fewer') : t('talent.show_all_n', { n: list.length })}</button>`}
  </section>`;
}

export default function SearchPage() {
  const { search } = useRoute();
  const q = readQuery(search);
  const [text, setText] = useState(q.q);
  const [panel, setPanel] = useState(false);
  const dtext = useDebounced(text, 300);
  const crafts = useCrafts();
  useTitle(t('talent.search_title'));
  const set = (patch) => navigate(`/talent${toSearch({ ...q, ...patch })}`, { replace: true });
  // The box writes the URL once typing stops; back, forward and "clear" write the box. `pushed`
  // is the text the box last wrote, so its own change never comes back to overwrite typing.
  const pushed = useRef(q.q);
  useEffect(() => {
    if (dtext.trim() === q.q.trim()) return;
    pushed.current = dtext.trim();
    set({ q: dtext.trim() });
  }, [dtext]);
  useEffect(() => {
    if (q.q === pushed.current) return;
    pushed.current = q.q;
    setText(q.q);
  }, [q.q]);
  const res = useSearch(q);
  const facets = res.facets || {};
  const active = FACETS.filter((f) => q[f]).length + (q.from || q.to ? 1 : 0);
  const clear = () => {
    setText('');
    navigate('/talent', { replace: true });
  };
  const chip = (k, label) => html`<button key=${k} type="button" class="rt-tag tl-active" data-testid=${`active-${k}`}
    onClick=${() => set(k === 'window' ? { from: '', to: '' } : k === 'language' ? { language: '', level: '' } : { [k]: '' })}>
    <span class="truncate">${label}</span><${Icon} name="x" size=${12} /></button>`;
  const orgName = q.org && ((facets.org || []).find((o) => o.value === q.org) || {}).name;
  return html`<div class="page page-wide tl-page" data-testid="talent-search">
    <${PageHeader} title=${t('talent.search_title')} subtitle=${t('talent.search_subtitle')}
      actions=${html`<a class="btn" href="/talent/me" data-testid="my-profile-link"><${Icon} name="user" />${t('talent.my_profile')}</a>`} />
    <div class="toolbar tl-toolbar">
      <label class="search tl-searchbox">
        <${Icon} name="search" class="muted" />
        <input class="search-input" type="search" value=${text} placeholder=${t('talent.search_placeholder')}
          aria-label=${t('talent.search_placeholder')} data-testid="talent-q" onInput=${(e) => setText(e.target.value)} />
        ${res.loading && html`<${Spinner} />`}
      </label>
      <button type="button" class="btn tl-filters-btn" aria-expanded=${panel ? 'true' : 'false'} data-testid="toggle-filters"
        onClick=${() => setPanel(!panel)}><${Icon} name="sliders" />${t('talent.filters')}${active > 0 && html`<span class="count">${active}</span>`}</button>
    </div>
    <div class="tl-search">
      <aside class=${`tl-side ${panel ? 'open' : ''}`} aria-label=${t('talent.filters')} data-testid="facets">
        <section class="tl-facet" aria-labelledby="facet-window">
          <h3 class="tl-facet-title" id="facet-window">${t('talent.available_between')}</h3>
          <div class="tl-window">
            <label class="field"><span class="field-label">${t('talent.from')}</span>
              <input class="input" type="date" value=${q.from} data-testid="avail-from" onChange=${(e) => set({ from: e.target.value })} /></label>
            <label class="field"><span class="field-label">${t('talent.to')}</span>
              <input class="input" type="date" value=${q.to} min=${q.from || undefined} data-testid="avail-to" onChange=${(e) => set({ to: e.target.value })} /></label>
          </div>
        </section>
        ${FACETS.map((f) => html`<${Facet} key=${f} name=${f} values=${facets[f]} selected=${q[f]} crafts=${crafts}
          onPick=${(v) => set(f === 'language' ? { language: v, level: '' } : { [f]: v })} />
          ${f === 'language' && q.language && html`<label class="field tl-level">
            <span class="field-label">${t('talent.at_least_level')}</span>
            <select class="input select select-sm" value=${q.level} data-testid="language-level" onChange=${(e) => set({ level: e.target.value })}>
              <option value="">${t('talent.any_level')}</option>
              ${LEVELS.map((l) => html`<option key=${l} value=${l}>${levelLabel(l)}</option>`)}
            </select></label>`}`)}
        ${active > 0 && html`<button type="button" class="btn btn-sm tl-clear" onClick=${clear}>${t('talent.clear_filters')}</button>`}
      </aside>
      <section class="tl-results" aria-live="polite">
        <div class="tl-results-head">
          <span class="strong" data-testid="talent-total">${res.total !== null && res.total !== undefined ? nPeople(res.total) : ''}</span>
          ${q.craft && chip('craft', craftLabel(q.craft, crafts))}
          ${q.language && chip('language', q.level ? `${langName(q.language)} · ${levelLabel(q.level)}+` : langName(q.language))}
          ${q.country && chip('country', countryName(q.country))}
          ${q.city && chip('city', q.city)}
          ${q.org && chip('org', orgName || t('talent.facet.org'))}
          ${(q.from || q.to) && chip('window', t('talent.free_window', { from: q.from || q.to, to: q.to || q.from }))}
        </div>
        ${res.error && html`<${ErrorBox} error=${res.error} onRetry=${res.reload} />`}
        ${!res.started ? html`<${Loading} />`
          : res.items.length === 0 ? (res.error ? null : html`<div data-testid="talent-empty"><${Empty} icon="users"
              title=${q.q || active ? t('talent.no_match') : t('talent.no_people')}>
              ${q.q || active ? html`<button type="button" class="btn btn-sm" onClick=${clear}>${t('talent.clear_search')}</button>` : t('talent.no_people_hint')}<//></div>`)
          : html`<div class="tl-cards" data-testid="talent-results">
              ${res.items.map((p) => html`<${TalentCard} key=${p.id} p=${p} crafts=${crafts}
                available=${q.from || q.to || p.available === true ? p.available : undefined} />`)}
            </div>`}
        ${res.cursor && html`<div class="load-more">
          <button type="button" class="btn" disabled=${res.loading} data-testid="talent-more" onClick=${res.more}>
            ${res.loading && html`<${Spinner} />`}${t('talent.more')}</button></div>`}
      </section>
    </div>
  </div>`;
}
