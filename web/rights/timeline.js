// web/rights/timeline.js: a title's avails timeline (GET /titles/{id}/avails) drawn in SVG:
// one row per cell the engine answers (a group of territories × a medium [× a language]),
// time running left to right over the query's window, each segment coloured by availability
// or by the reason it is blocked. Every segment carries a native tooltip (<title>) naming the
// blocking deal or holdback; clicking one lists its reasons below with links to the deals
// (phones have no hover). Filters: territories, media, languages, window, exclusivity wanted.
//
// Sizes come from the container's measured width (ResizeObserver) and are SVG attributes:
// no inline styles under the CSP. Not an editor: changes happen in the deal editor and the
// rights-in forms.
import { html, useLayoutEffect, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale } from '/lib/i18n.js';
import { useAsync, useDebounced, Empty, ErrorBox, Loading } from '/lib/ui.js';
import {
  COLORS, EXCLUSIVITY, Legend, MediaField, TerritoryField, addYears, dayNum, dayStr, describeCodes, exclLabel, expandTerritories,
  fmtDay, fmtTerm, mediaName, parseLanguages, parseTerritories, reasonLabel, today, useMedia, useTerritories,
} from './common.js';

const ROW = 34;
const HEAD = 26;

function useWidth(ref) {
  const [w, setW] = useState(800);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => setW(Math.max(280, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return w;
}

// Cut a label to about `max` columns (a CJK character counts two).
function clip(s, max) {
  let w = 0;
  let out = '';
  for (const ch of String(s || '')) {
    w += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
    if (w > max) return `${out}…`;
    out += ch;
  }
  return out;
}

export function reasonText(r) {
  const who = [r.reference, r.licensee_name].filter(Boolean).join(' · ');
  if (r.reason === 'holdback') return who ? `${reasonLabel('holdback')}: ${who}` : reasonLabel('holdback');
  if (r.deal_id) return `${reasonLabel(r.reason)}: ${t('rights.deal_named', { name: who || r.deal_id.slice(0, 8) })}`;
  return reasonLabel(r.reason);
}

function segColor(s) {
  if (s.available) return COLORS.available;
  const r = (s.reasons && s.reasons[0] && s.reasons[0].reason) || 'no_rights';
  return COLORS[r] || COLORS.no_rights;
}

export function AvailsTimeline({ org, base, title }) {
  const media = useMedia(org.id);
  const [terr, setTerr] = useState('WORLD');
  const [med, setMed] = useState([]);
  const [langs, setLangs] = useState('');
  const [start, setStart] = useState(today());
  const [end, setEnd] = useState(addYears(today(), 5));
  const [excl, setExcl] = useState('non_exclusive');
  const [picked, setPicked] = useState(null);
  const q = JSON.parse(useDebounced(JSON.stringify({ terr, med: med.join(','), langs, start, end, excl }), 350));
  const r = useAsync(() => {
    const e = parseTerritories(q.terr);
    const territories = [...e.include, ...e.exclude.map((c) => `-${c}`)].join(',');
    return api.get(`/api/v1/titles/${title.id}/avails`, {
      territories, media: q.med, languages: parseLanguages(q.langs).map((l) => (typeof l === 'string' ? l : `${l.tag}:${l.kinds.join('+')}`)).join(','),
      start: q.start, end: q.end, exclusivity: q.excl,
    });
  }, [title.id, q.terr, q.med, q.langs, q.start, q.end, q.excl]);
  return html`<section class="card" data-testid="avails-timeline">
    <div class="card-head"><h2 class="card-title">${t('rights.avails_timeline')}</h2></div>
    <div class="rt-filters">
      <${TerritoryField} label=${t('rights.territories')} value=${terr} onInput=${setTerr} testid="tl-territories" />
      <label class="field"><span class="field-label">${t('rights.languages')}</span>
        <input class="input mono" value=${langs} placeholder="fr:dubbed, en" spellcheck="false" data-testid="tl-languages"
          onInput=${(e) => setLangs(e.target.value)} /></label>
      <label class="field"><span class="field-label">${t('rights.from')}</span>
        <input class="input" type="date" value=${start} data-testid="tl-start" onInput=${(e) => e.target.value && setStart(e.target.value)} /></label>
      <label class="field"><span class="field-label">${t('rights.to')}</span>
        <input class="input" type="date" value=${end} data-testid="tl-end" onInput=${(e) => e.target.value && setEnd(e.target.value)} /></label>
      <label class="field"><span class="field-label">${t('rights.exclusivity_wanted')}</span>
        <select class="input select" value=${excl} data-testid="tl-exclusivity" onChange=${(e) => setExcl(e.target.value)}>
          ${EXCLUSIVITY.map((x) => html`<option key=${x} value=${x}>${exclLabel(x)}</option>`)}
        </select></label>
    </div>
    <${MediaField} label=${t('rights.media_all_when_none')} media=${media} value=${med} onChange=${setMed} testid="tl-media" />
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${!r.data ? !r.error && html`<${Loading} />` : html`<${TimelineChart} data=${r.data} media=${media} onPick=${setPicked} picked=${picked} terr=${q.terr} />`}
    <${Legend} />
    ${picked && html`<div class="rt-picked-seg" data-testid="segment-detail">
      <div class="strong">${picked.label} · ${fmtTerm(picked.seg.start, picked.seg.end)}</div>
      ${picked.seg.available ? html`<div class="rt-ok">${t('rights.available')}</div>`
        : html`<ul class="rt-reasons">${(picked.seg.reasons || []).map((x, i) => html`<li key=${i}>
          <svg class="rt-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill=${COLORS[x.reason] || COLORS.no_rights} /></svg>
          ${x.deal_id ? html`<span>${reasonLabel(x.reason)}: <a href=${`${base}/deals/${x.deal_id}`}>${[x.reference, x.licensee_name].filter(Boolean).join(' · ') || t('rights.open_deal')}</a></span>`
            : html`<span>${reasonText(x)}</span>`}
        </li>`)}
        ${picked.seg.more ? html`<li class="muted">${t('rights.more_reasons', { n: picked.seg.more })}</li>` : ''}</ul>`}
    </div>`}
  </section>`;
}

// A cell with nothing held anywhere in the window: folded into one line under the chart.
const bare = (c) => (c.segments || []).every((s) => !s.available && (s.reasons || []).every((x) => x.reason === 'no_rights'));

function TimelineChart({ data, media, onPick, picked, terr: terrText }) {
  const box = useRef(null);
  const ref = useTerritories();
  const asked = expandTerritories(parseTerritories(terrText), ref).codes;
  const W = useWidth(box);
  const [all, setAll] = useState(false);
  const folded = (data.cells || []).filter(bare);
  const cells = all || folded.length === (data.cells || []).length ? data.cells || [] : (data.cells || []).filter((c) => !bare(c));
  const foldedMedia = [...new Set(folded.map((c) => mediaName(c.media, media)))];
  const LABEL = Math.min(230, Math.round(W * 0.38));
  const plotW = W - LABEL - 8;
  const lo = dayNum(data.start);
  const hi = dayNum(data.end) + 1;
  const span = Math.max(1, hi - lo);
  const X = (d, isEnd) => {
    const n = d == null || d === 'open' ? hi : dayNum(d) + (isEnd ? 1 : 0);
    return LABEL + (Math.min(hi, Math.max(lo, n)) - lo) / span * plotW;
  };
  const H = HEAD + cells.length * ROW + 4;
  // Year ticks (or months when the window is short).
  const ticks = [];
  const years = span / 365;
  const y0 = Number(data.start.slice(0, 4));
  const y1 = Number(data.end.slice(0, 4));
  if (years >= 2) {
    const step = years > 12 ? 5 : years > 6 ? 2 : 1;
    for (let y = y0 + 1; y <= y1; y += 1) if (y % step === 0) ticks.push({ x: X(`${y}-01-01`), label: String(y) });
  } else {
    for (let n = lo; n < hi; n++) {
      const s = dayStr(n);
      if (s.endsWith('-01')) ticks.push({ x: X(s), label: new Intl.DateTimeFormat(locale(), { month: 'short', year: '2-digit' }).format(new Date(`${s}T00:00:00Z`)) });
    }
  }
  const labelChars = Math.max(8, Math.floor((LABEL - 10) / 6.6));
  return html`<div class="rt-timeline" ref=${box}>
    ${cells.length === 0 ? html`<${Empty} icon="info" title=${t('rights.no_cells')} />`
      : html`<svg class="rt-tl-svg" width=${W} height=${H} viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${t('rights.avails_timeline')} data-testid="timeline-svg">
      <text x="4" y="16" class="rt-tl-axis">${fmtDay(data.start)}</text>
      ${ticks.map((k) => html`<g key=${k.label + k.x}><line x1=${k.x} x2=${k.x} y1=${HEAD - 6} y2=${H} class="rt-tl-grid" />
        <text x=${k.x + 3} y="16" class="rt-tl-axis">${k.label}</text></g>`)}
      ${cells.map((c, i) => {
        const y = HEAD + i * ROW;
        const terr = describeCodes(c.territories, ref, asked, 6);
        const mname = mediaName(c.media, media);
        const label = `${mname}${c.language ? ` · ${c.language}` : ''}`;
        const fullLabel = `${label} · ${(c.territories || []).join(', ')}`;
        return html`<g key=${i} class="rt-tl-row" data-media=${c.media} data-territories=${(c.territories || []).join(',')}>
          ${i % 2 === 1 && html`<rect x="0" y=${y} width=${W} height=${ROW} class="rt-tl-band" />`}
          <text x="4" y=${y + 14} class="rt-tl-label"><title>${fullLabel}</title>${clip(label, labelChars)}</text>
          <text x="4" y=${y + 28} class="rt-tl-sub">${clip(terr, labelChars + 4)}</text>
          ${(c.segments || []).map((s, k) => {
            const x1 = X(s.start, false);
            const x2 = X(s.end, true);
            const on = picked && picked.i === i && picked.k === k;
            const tip = `${fullLabel}\n${fmtTerm(s.start, s.end)}\n${s.available ? t('rights.available')
              : (s.reasons || []).map(reasonText).join('\n')}${s.more ? `\n${t('rights.more_reasons', { n: s.more })}` : ''}`;
            return html`<rect key=${k} x=${x1} y=${y + 5} width=${Math.max(1.5, x2 - x1 - 1)} height=${ROW - 10} rx="3"
              fill=${segColor(s)} class=${`rt-seg ${on ? 'on' : ''}`} data-available=${s.available ? 'true' : 'false'}
              data-reason=${s.available ? 'available' : (s.reasons && s.reasons[0] && s.reasons[0].reason) || ''}
              data-deal=${(s.reasons || []).map((x) => x.reference || '').join(',')}
              tabindex="0" role="button" aria-label=${tip}
              onClick=${() => onPick({ i, k, seg: s, label: fullLabel.length > 120 ? `${label} · ${terr}` : fullLabel })}
              onKeyDown=${(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onPick({ i, k, seg: s, label: `${label} · ${terr}` });
                }
              }}><title>${tip}</title></rect>`;
          })}
        </g>`;
      })}
    </svg>`}
    <div class="muted small rt-avail-count">
      ${data.available && html`<span>${t('rights.n_windows_available', { n: data.available.length })}</span>`}
      ${folded.length > 0 && cells.length < (data.cells || []).length && html`<span class="rt-folded" data-testid="timeline-folded">${t('rights.no_rights_rows', { media: foldedMedia.join(', ') })}</span>`}
      ${folded.length > 0 && folded.length < (data.cells || []).length && html`<button type="button" class="rt-link-btn" onClick=${() => setAll(!all)}>${all ? t('rights.hide_bare') : t('rights.show_all_rows', { n: (data.cells || []).length })}</button>`}
    </div>
  </div>`;
}
