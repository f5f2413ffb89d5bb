// web/production/stats.js: the project's progress from GET /projects/{id}/stats: a table of
// episodes (or sequences) x task types whose cells are bars stacked by status (in the
// statuses' colours) with done/total, the retakes per task type, and a burn-up chart (scope
// and done per day, SVG lines) from GET /projects/{id}/stats/burnup.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { useAsync, Empty, ErrorBox, Loading } from '/lib/ui.js';
import { fmtDay, Swatch } from './common.js';

const pct = (done, total) => (total ? Math.round((100 * done) / total) : 0);

// One bar stacked by status, statuses in their order; done statuses first.
function StackBar({ cell, statuses, width = 140 }) {
  if (!cell || !cell.total) return html`<span class="faint">—</span>`;
  let x = 0;
  const segs = [];
  const ordered = [...statuses].sort((a, b) => (b.is_done ? 1 : 0) - (a.is_done ? 1 : 0));
  for (const s of ordered) {
    const n = (cell.by_status || {})[s.id] || 0;
    if (!n) continue;
    const w = (n / cell.total) * width;
    segs.push(html`<rect key=${s.id} x=${x} y="0" width=${w} height="10" fill=${s.color || '#888888'}><title>${s.name}: ${n}</title></rect>`);
    x += w;
  }
  return html`<span class="st-cell" data-done=${cell.done} data-total=${cell.total}>
    <svg class="st-bar" width=${width} height="10" viewBox=${`0 0 ${width} 10`} role="img"
      aria-label=${t('production.stats.cell', { done: cell.done, total: cell.total })}>
      <rect width=${width} height="10" class="st-bar-bg" />${segs}</svg>
    <span class="st-num">${cell.done}/${cell.total}</span>
  </span>`;
}

function Progress({ data, statuses }) {
  const types = data.task_types.filter((x) => data.totals.by_type[x.id] && data.totals.by_type[x.id].total > 0);
  if (!types.length) return html`<${Empty} icon="activity" title=${t('production.stats.no_tasks')} />`;
  return html`<div class="pg-table-wrap"><table class="pg-table st-table" data-testid="stats-progress">
    <thead><tr>
      <th>${data.group === 'sequence' ? t('production.stats.sequence') : t('production.stats.episode')}</th>
      ${types.map((x) => html`<th key=${x.id}><span class="st-th"><${Swatch} color=${x.color} />${x.name}</span></th>`)}
      <th>${t('production.stats.total')}</th>
    </tr></thead>
    <tbody>
      ${data.groups.map((g) => html`<tr key=${g.id || '-'} data-group=${g.name || t('production.no_group')}>
        <th>${g.name || t('production.no_group')}</th>
        ${types.map((x) => html`<td key=${x.id} data-type=${x.name}><${StackBar} cell=${g.by_type[x.id]} statuses=${statuses} /></td>`)}
        <td class="st-total" data-testid="group-total">${g.done}/${g.total} · ${pct(g.done, g.total)}%</td>
      </tr>`)}
    </tbody>
    <tfoot><tr data-group="total">
      <th>${t('production.stats.total')}</th>
      ${types.map((x) => html`<td key=${x.id} data-type=${x.name}><${StackBar} cell=${data.totals.by_type[x.id]} statuses=${statuses} /></td>`)}
      <td class="st-total" data-testid="project-total">${data.totals.done}/${data.totals.total} · ${pct(data.totals.done, data.totals.total)}%</td>
    </tr></tfoot>
  </table></div>`;
}

function Retakes({ data }) {
  const rows = data.task_types.map((x) => ({ type: x, n: (data.totals.by_type[x.id] || {}).retakes || 0, total: (data.totals.by_type[x.id] || {}).total || 0 }))
    .filter((r) => r.total > 0);
  const max = Math.max(1, ...rows.map((r) => r.n));
  const W = 260;
  if (!rows.length) return null;
  return html`<div class="card" data-testid="stats-retakes">
    <h2 class="card-title">${t('production.stats.retakes')}</h2>
    <p class="card-desc">${t('production.stats.retakes_desc')}</p>
    <table class="st-retakes">
      <tbody>${rows.map((r) => html`<tr key=${r.type.id} data-type=${r.type.name}>
        <th>${r.type.name}</th>
        <td><svg class="st-rbar" width=${W} height="12" viewBox=${`0 0 ${W} 12`} aria-hidden="true">
          <rect width=${W} height="12" class="st-bar-bg" /><rect width=${(r.n / max) * W} height="12" fill=${r.type.color || '#c2410c'} /></svg></td>
        <td class="st-num" data-testid="retakes-n">${r.n}</td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}

function Burnup({ project }) {
  const [range, setRange] = useState(30);
  const r = useAsync(() => {
    const to = new Date();
    const from = new Date(to.getTime() - (range - 1) * 86400000);
    const ds = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    return api.get(`/api/v1/projects/${project.id}/stats/burnup`, { from: ds(from), to: ds(to) });
  }, [project.id, range]);
  const W = 1000;
  const H = 260;
  const P = { l: 44, r: 16, t: 12, b: 28 };
  let chart = html`<${Loading} />`;
  if (r.error) chart = html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  else if (r.data) {
    const days = r.data.days;
    const max = Math.max(1, ...days.map((d) => d.scope));
    const x = (i) => P.l + (days.length > 1 ? (i * (W - P.l - P.r)) / (days.length - 1) : 0);
    const y = (v) => H - P.b - (v / max) * (H - P.t - P.b);
    const line = (k) => days.map((d, i) => `${x(i).toFixed(1)},${y(d[k]).toFixed(1)}`).join(' ');
    const yTicks = [0, Math.round(max / 2), max];
    const step = Math.max(1, Math.ceil(days.length / 6));
    const last = days[days.length - 1] || { scope: 0, done: 0 };
    chart = html`<svg class="st-burnup" viewBox=${`0 0 ${W} ${H}`} width=${W} height=${H} role="img" data-testid="burnup"
      aria-label=${t('production.stats.burnup_label', { scope: last.scope, done: last.done })}>
      ${yTicks.map((v) => html`<g key=${`y${v}`}><line x1=${P.l} x2=${W - P.r} y1=${y(v)} y2=${y(v)} class="st-gridline" />
        <text x=${P.l - 6} y=${y(v) + 4} class="st-axis st-axis-y">${v}</text></g>`)}
      ${days.map((d, i) => (i % step === 0 || i === days.length - 1) && html`<text key=${d.day} x=${x(i)} y=${H - 8} class=${`st-axis ${i === days.length - 1 ? 'st-axis-end' : i === 0 ? 'st-axis-start' : 'st-axis-x'}`}>${fmtDay(d.day).replace(/,? \d{4}$/, '')}</text>`)}
      <polyline points=${line('scope')} class="st-line-scope" data-testid="line-scope" />
      <polyline points=${line('done')} class="st-line-done" data-testid="line-done" />
      <circle cx=${x(days.length - 1)} cy=${y(last.scope)} r="3" class="st-dot-scope" />
      <circle cx=${x(days.length - 1)} cy=${y(last.done)} r="3" class="st-dot-done" />
    </svg>
    <div class="pg-legend">
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" class="st-key-scope" /></svg>${t('production.stats.scope')}: <b data-testid="scope-now">${last.scope}</b></span>
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" class="st-key-done" /></svg>${t('production.stats.done')}: <b data-testid="done-now">${last.done}</b></span>
    </div>`;
  }
  return html`<div class="card">
    <div class="card-head">
      <h2 class="card-title">${t('production.stats.burnup')}</h2>
      <select class="input select select-sm st-range" aria-label=${t('production.stats.range')} value=${String(range)} onChange=${(e) => setRange(Number(e.target.value))}>
        ${[14, 30, 90, 180].map((n) => html`<option key=${n} value=${String(n)}>${t('production.stats.last_days', { n })}</option>`)}
      </select>
    </div>
    ${chart}
  </div>`;
}

export default function StatsPage({ project, vocab }) {
  const hasEpisodes = vocab.entityTypes.some((x) => x.kind === 'episode');
  const hasSequences = vocab.entityTypes.some((x) => x.kind === 'sequence');
  const [group, setGroup] = useState(hasEpisodes ? 'episode' : 'sequence');
  const r = useAsync(() => api.get(`/api/v1/projects/${project.id}/stats`, { group }), [project.id, group]);
  return html`<div class="pg-stats stack">
    <div class="card">
      <div class="card-head">
        <h2 class="card-title">${t('production.stats.progress')}</h2>
        <select class="input select select-sm st-range" aria-label=${t('production.group')} data-testid="stats-group" value=${group}
          onChange=${(e) => setGroup(e.target.value)}>
          ${hasEpisodes && html`<option value="episode">${t('production.stats.by_episode')}</option>`}
          ${(hasSequences || !hasEpisodes) && html`<option value="sequence">${t('production.stats.by_sequence')}</option>`}
        </select>
      </div>
      ${r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />` : !r.data ? html`<${Loading} />`
        : html`<${Progress} data=${r.data} statuses=${vocab.statuses} />`}
      <div class="pg-legend">${vocab.statuses.map((s) => html`<span key=${s.id}><${Swatch} color=${s.color} />${s.name}</span>`)}</div>
    </div>
    ${r.data && html`<${Retakes} data=${r.data} />`}
    <${Burnup} project=${project} />
  </div>`;
}
