// web/rights/dashboard.js: the sales dashboard: revenue by title, territory, media or licensee
// over a period (GET /orgs/{id}/rights/revenue) as a horizontal bar chart in SVG (one chart per
// currency: amounts in different currencies are never added), and the payments due and deals
// expiring in the next 90 days (GET /orgs/{id}/rights/due?days=90). Read-only.
import { html, useLayoutEffect, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { useAsync, Badge, Empty, ErrorBox, Loading } from '/lib/ui.js';
import { fmtDay, fmtMoney, mediaName, statusBadge, statusLabel, useMedia, useTerritories } from './common.js';

const BYS = ['title', 'territory', 'media', 'licensee'];
const BAR = 26;
const PALETTE = ['#4338ca', '#0b6e80', '#2f9e5f', '#b45309', '#9333ea', '#be123c'];

export default function DashboardPage({ org, base }) {
  const media = useMedia(org.id);
  const terr = useTerritories();
  const [by, setBy] = useState('title');
  const [from, setFrom] = useState(`${new Date().getFullYear()}-01-01`);
  const [to, setTo] = useState(`${new Date().getFullYear()}-12-31`);
  const rev = useAsync(() => api.get(`/api/v1/orgs/${org.id}/rights/revenue`, { by, from, to }), [org.id, by, from, to]);
  const due = useAsync(() => api.get(`/api/v1/orgs/${org.id}/rights/due`, { days: 90 }), [org.id]);
  const items = (rev.data && rev.data.items) || [];
  const byCur = new Map();
  for (const x of items) {
    if (!byCur.has(x.currency)) byCur.set(x.currency, []);
    byCur.get(x.currency).push(x);
  }
  const terrName = (code) => ((terr && terr.territories.find((x) => x.code === code)) || {}).name;
  const label = (x) => (by === 'media' ? mediaName(x.key, media) : by === 'territory' ? terrName(x.key) || x.label || x.key : x.label || x.key);
  return html`<div class="stack" data-testid="dashboard">
    <section class="card" data-testid="revenue">
      <div class="card-head"><h2 class="card-title">${t('rights.revenue')}</h2>
        <div class="toolbar">
          <div class="segmented" role="group" aria-label=${t('rights.revenue_by')}>
            ${BYS.map((b) => html`<button key=${b} type="button" class=${`seg ${by === b ? 'on' : ''}`} data-by=${b} onClick=${() => setBy(b)}>${t(`rights.by.${b}`)}</button>`)}
          </div>
          <input class="input rt-date" type="date" value=${from} aria-label=${t('rights.from')} onInput=${(e) => e.target.value && setFrom(e.target.value)} />
          <input class="input rt-date" type="date" value=${to} aria-label=${t('rights.to')} onInput=${(e) => e.target.value && setTo(e.target.value)} />
        </div></div>
      ${rev.error && html`<${ErrorBox} error=${rev.error} onRetry=${rev.reload} />`}
      ${!rev.data ? !rev.error && html`<${Loading} />` : items.length === 0 ? html`<${Empty} icon="activity" title=${t('rights.no_revenue')}>${t('rights.no_revenue_hint')}<//>`
        : [...byCur.entries()].map(([cur, list], ci) => html`<${Bars} key=${cur} currency=${cur} items=${list} label=${label} color=${PALETTE[ci % PALETTE.length]}
            href=${by === 'title' ? (x) => `${base}/titles/${x.key}` : null} />`)}
    </section>
    <div class="rt-dash-grid">
      <section class="card" data-testid="payments-due">
        <h2 class="card-title">${t('rights.payments_due')}</h2>
        ${due.error && html`<${ErrorBox} error=${due.error} onRetry=${due.reload} />`}
        ${!due.data ? !due.error && html`<${Loading} />` : due.data.payments.length === 0 ? html`<p class="muted small">${t('rights.none_due')}</p>`
          : html`<ul class="mini-list">${due.data.payments.map((p, i) => html`<li key=${i} class="mini-row rt-mini">
            <span class="rt-mini-main"><a class="truncate" href=${`${base}/deals/${p.deal_id}`}>${p.reference || t('rights.untitled_deal')}</a>
              <span class="muted small truncate">${p.licensee_name}</span></span>
            <span class="rt-mini-side"><span class="strong rt-nowrap">${fmtMoney(p.amount, p.currency)}</span>
              <span class=${`small rt-nowrap ${p.overdue ? 'rt-bad' : 'muted'}`}>${p.overdue ? t('rights.overdue_since', { day: fmtDay(p.due_date) }) : fmtDay(p.due_date)}</span></span>
          </li>`)}</ul>`}
      </section>
      <section class="card" data-testid="expiring">
        <h2 class="card-title">${t('rights.expiring')}</h2>
        ${!due.data ? !due.error && html`<${Loading} />` : due.data.expiring.length === 0 ? html`<p class="muted small">${t('rights.none_expiring')}</p>`
          : html`<ul class="mini-list">${due.data.expiring.map((d, i) => html`<li key=${i} class="mini-row rt-mini">
            <span class="rt-mini-main"><a class="truncate" href=${`${base}/deals/${d.deal_id}`}>${d.reference || t('rights.untitled_deal')}</a>
              <span class="muted small truncate">${d.licensee_name}</span></span>
            <span class="rt-mini-side"><${Badge} kind=${statusBadge(d.status)}>${statusLabel(d.status)}<//>
              <span class="small muted rt-nowrap">${t('rights.ends_on', { day: fmtDay(d.end) })}</span></span>
          </li>`)}</ul>`}
      </section>
    </div>
  </div>`;
}

function Bars({ currency, items, label, color, href }) {
  const box = useRef(null);
  const [W, setW] = useState(700);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const measure = () => setW(Math.max(260, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const sorted = [...items].sort((a, b) => Number(b.amount) - Number(a.amount)).slice(0, 25);
  const max = Math.max(1, ...sorted.map((x) => Number(x.amount) || 0));
  const LABEL = Math.min(220, Math.round(W * 0.34));
  const VALUE = Math.min(130, Math.round(W * 0.3));
  const plot = W - LABEL - VALUE - 8;
  const H = sorted.length * BAR + 6;
  const chars = Math.max(6, Math.floor((LABEL - 8) / 7));
  const clip = (s) => {
    let w = 0;
    let out = '';
    for (const ch of String(s)) {
      w += /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
      if (w > chars) return `${out}…`;
      out += ch;
    }
    return out;
  };
  const total = sorted.reduce((a, x) => a + (Number(x.amount) || 0), 0);
  return html`<div class="rt-bars" ref=${box}>
    <div class="rt-bars-head small"><span class="strong">${currency}</span><span class="muted">${t('rights.total', { amount: fmtMoney(total, currency) })}</span>
      ${items.length > sorted.length && html`<span class="muted">${t('rights.top_n', { n: sorted.length, total: items.length })}</span>`}</div>
    <svg width=${W} height=${H} role="img" aria-label=${t('rights.revenue')} data-testid="revenue-chart">
      ${sorted.map((x, i) => {
        const y = i * BAR + 3;
        const w = Math.max(2, (Number(x.amount) || 0) / max * plot);
        const name = label(x);
        const tip = `${name}: ${fmtMoney(x.amount, currency)} · ${t('rights.n_deals', { n: x.deals })}`;
        return html`<g key=${x.key} class="rt-bar">
          <title>${tip}</title>
          ${href ? html`<a href=${href(x)}><text x="0" y=${y + 16} class="rt-bar-label rt-bar-link">${clip(name)}</text></a>`
            : html`<text x="0" y=${y + 16} class="rt-bar-label">${clip(name)}</text>`}
          <rect x=${LABEL} y=${y + 3} width=${w} height=${BAR - 8} rx="3" fill=${color} data-amount=${x.amount} />
          <text x=${LABEL + w + 6} y=${y + 16} class="rt-bar-value">${fmtMoney(x.amount, currency)}</text>
        </g>`;
      })}
    </svg>
  </div>`;
}
