// web/rights/rows.js: the rights rows editor shared by the deal editor and the market's offer
// and counter-offer forms: per row a title (picked from the catalogue, or chosen among a
// listing's titles), a territory expression with groups and exclusions, media, languages,
// dates, exclusivity, runs and the row's share of the fee; and the list of conflicts the
// server reports for such rows (POST /orgs/{id}/avails/check, or a 409's "conflicts"), each
// naming the deal, rights-in gap or holdback that blocks it.
//
// Rows are kept as the person types them (texts); toApiRow() turns one into the API's shape.
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import {
  COLORS, EXCLUSIVITY, MediaField, TerritoryField, TitlePicker, exclLabel, fmtLanguages, fmtTerm, fmtTerritories,
  mediaName, parseLanguages, parseTerritories, reasonLabel, shortCodes, titleLine,
} from './common.js';

let nextKey = 1;

export function newRow(init = {}) {
  return {
    key: nextKey++, title: null, territories: 'WORLD', media: [], languages: '', start: '', end: '',
    exclusivity: 'exclusive', runs: '', allocation: '', ...init,
  };
}

export function fromApiRow(r) {
  return newRow({
    title: r.title_id ? { id: r.title_id, title: r.title || r.title_id } : null,
    territories: fmtTerritories(r.territories),
    media: r.media || [],
    languages: fmtLanguages(r.languages),
    start: r.start || '',
    end: r.end && r.end !== 'open' ? r.end : '',
    exclusivity: r.exclusivity || 'exclusive',
    runs: r.runs != null ? String(r.runs) : '',
    allocation: r.allocation != null ? String(r.allocation) : '',
  });
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function rowComplete(r) {
  return !!(r.title && r.media.length && parseTerritories(r.territories).include.length && DAY.test(r.start)
    && (!r.end || (DAY.test(r.end) && r.end >= r.start)));
}

export function toApiRow(r) {
  const out = {
    title_id: r.title && r.title.id,
    territories: parseTerritories(r.territories),
    media: r.media,
    languages: parseLanguages(r.languages),
    start: r.start,
    end: r.end || null,
    exclusivity: r.exclusivity,
  };
  if (String(r.runs).trim()) out.runs = Number(r.runs);
  if (String(r.allocation).trim()) out.allocation = String(r.allocation).trim();
  return out;
}

// rows, onChange(rows); orgId: the catalogue to pick titles from, or `titles` [{id, title}]
// to choose among; errors {index: {field: message}}; conflicted: Set of row indexes.
export function RowsEditor({ orgId, titles, media, rows, onChange, errors = {}, conflicted = new Set(), readOnly, allocation = true }) {
  const set = (i, patch) => onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  if (readOnly) {
    return html`<ol class="rt-rows-ro" data-testid="rights-rows">${rows.map((r, i) => html`<li key=${r.key} class=${`rt-row-ro ${conflicted.has(i) ? 'rt-conflicted' : ''}`}>
      <div class="strong rt-wrap">${r.title ? titleLine(r.title) : '—'}</div>
      <div class="small rt-wrap"><span class="mono">${r.territories}</span> · ${r.media.map((m) => mediaName(m, media)).join(', ')}
        ${r.languages && html` · <span class="mono">${r.languages}</span>`} · ${fmtTerm(r.start, r.end)} · ${exclLabel(r.exclusivity)}
        ${r.runs && ` · ${t('rights.n_runs', { n: r.runs })}`}${r.allocation && ` · ${t('rights.allocation')}: ${r.allocation}`}</div>
    </li>`)}</ol>`;
  }
  return html`<div class="rt-rows" data-testid="rights-rows">
    ${rows.map((r, i) => {
      const e = errors[i] || {};
      return html`<fieldset key=${r.key} class=${`rt-rowbox ${conflicted.has(i) ? 'rt-conflicted' : ''}`} data-row=${i} data-testid="rights-row">
        <legend class="rt-rowbox-legend">${t('rights.row_n', { n: i + 1 })}</legend>
        ${rows.length > 1 && html`<button type="button" class="icon-btn rt-row-remove" aria-label=${t('rights.remove_row', { n: i + 1 })}
          title=${t('rights.remove_row', { n: i + 1 })} onClick=${() => onChange(rows.filter((_, k) => k !== i))}><${Icon} name="x" /></button>`}
        <div class="rt-rowgrid">
          <div class="rt-span-2">
            ${titles ? html`<label class="field"><span class="field-label">${t('rights.title')}</span>
              <select class="input select" value=${r.title ? r.title.id : ''} data-testid="row-title-select"
                onChange=${(ev) => set(i, { title: titles.find((x) => x.id === ev.target.value) || null })}>
                <option value="">${t('rights.choose_title')}</option>
                ${titles.map((x) => html`<option key=${x.id} value=${x.id}>${x.title}</option>`)}
              </select>${e.title_id && html`<div class="field-error">${e.title_id}</div>`}</label>`
            : html`<${TitlePicker} orgId=${orgId} label=${t('rights.title')} value=${r.title} onPick=${(x) => set(i, { title: x })}
                error=${e.title_id} testid="row-title" />`}
          </div>
          <div class="rt-span-2"><${TerritoryField} label=${t('rights.territories')} value=${r.territories}
            onInput=${(s) => set(i, { territories: s })} error=${e.territories} testid="row-territories" /></div>
          <div class="rt-span-4"><${MediaField} label=${t('rights.media')} media=${media} value=${r.media}
            onChange=${(m) => set(i, { media: m })} error=${e.media} testid="row-media" /></div>
          <label class=${`field ${e.start ? 'has-error' : ''}`}><span class="field-label">${t('rights.start')}</span>
            <input class="input" type="date" value=${r.start} data-testid="row-start" onInput=${(ev) => set(i, { start: ev.target.value })} />
            ${e.start && html`<div class="field-error">${e.start}</div>`}</label>
          <label class=${`field ${e.end ? 'has-error' : ''}`}><span class="field-label">${t('rights.end')}</span>
            <input class="input" type="date" value=${r.end} data-testid="row-end" onInput=${(ev) => set(i, { end: ev.target.value })} />
            ${e.end ? html`<div class="field-error">${e.end}</div>` : html`<div class="field-hint">${t('rights.end_hint')}</div>`}</label>
          <label class="field"><span class="field-label">${t('rights.exclusivity')}</span>
            <select class="input select" value=${r.exclusivity} data-testid="row-exclusivity" onChange=${(ev) => set(i, { exclusivity: ev.target.value })}>
              ${EXCLUSIVITY.map((x) => html`<option key=${x} value=${x}>${exclLabel(x)}</option>`)}
            </select></label>
          <label class=${`field ${e.languages ? 'has-error' : ''}`}><span class="field-label">${t('rights.languages')}</span>
            <input class="input mono" value=${r.languages} placeholder="fr:dubbed, en" spellcheck="false" data-testid="row-languages"
              onInput=${(ev) => set(i, { languages: ev.target.value })} />
            ${e.languages ? html`<div class="field-error">${e.languages}</div>` : html`<div class="field-hint">${t('rights.all_when_empty')}</div>`}</label>
          <label class=${`field ${e.runs ? 'has-error' : ''}`}><span class="field-label">${t('rights.runs')}</span>
            <input class="input" inputmode="numeric" value=${r.runs} onInput=${(ev) => set(i, { runs: ev.target.value })} />
            ${e.runs && html`<div class="field-error">${e.runs}</div>`}</label>
          ${allocation && html`<label class=${`field ${e.allocation ? 'has-error' : ''}`}><span class="field-label">${t('rights.allocation')}</span>
            <input class="input" inputmode="decimal" value=${r.allocation} placeholder=${t('rights.allocation_auto')} onInput=${(ev) => set(i, { allocation: ev.target.value })} />
            ${e.allocation && html`<div class="field-error">${e.allocation}</div>`}</label>`}
        </div>
        ${e._ && html`<div class="field-error">${e._}</div>`}
      </fieldset>`;
    })}
  </div>`;
}

// The conflicts of rows: index = the row the server numbered (`right`), mapped back through
// `indexMap` (the rows actually sent). `base` links the blocking deals.
export function ConflictList({ conflicts, rows, indexMap, media, base, title }) {
  if (!conflicts || !conflicts.length) return null;
  return html`<div class="rt-conflicts" role="alert" data-testid="conflicts">
    <div class="rt-conflicts-head"><${Icon} name="alert" />${title || t('rights.n_conflicts', { n: conflicts.length })}</div>
    <ul>${conflicts.slice(0, 50).map((c, k) => {
      const ri = indexMap ? indexMap[c.right] : c.right;
      const row = rows && rows[ri];
      const who = [c.reference, c.licensee_name].filter(Boolean).join(' · ');
      return html`<li key=${k} class="rt-conflict" data-testid="conflict" data-reason=${c.reason}>
        <svg class="rt-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=${COLORS[c.reason] || COLORS.no_rights} /></svg>
        <div class="rt-conflict-main">
          <div><span class="strong">${ri != null ? t('rights.row_n', { n: ri + 1 }) : ''}</span>
            ${row && row.title ? html` · <span class="rt-wrap">${titleLine(row.title)}</span>` : ''}</div>
          <div class="small rt-wrap"><span class="mono">${shortCodes(c.territories, 8)}</span> · ${mediaName(c.media, media)}${c.language ? ` · ${c.language}` : ''} · ${fmtTerm(c.start, c.end)}</div>
          <div class="small">${reasonLabel(c.reason)}${c.deal_id ? html`: <a href=${`${base}/deals/${c.deal_id}`} data-testid="conflict-deal">${t('rights.deal_named', { name: who || c.deal_id.slice(0, 8) })}</a>`
            : c.holdback_id ? ` (${t('rights.holdback_blocks')})` : ''}</div>
        </div>
      </li>`;
    })}
    ${conflicts.length > 50 && html`<li class="muted small">${t('rights.more_conflicts', { n: conflicts.length - 50 })}</li>`}</ul>
  </div>`;
}
