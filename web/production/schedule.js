// web/production/schedule.js: the project's schedule from GET /projects/{id}/schedule: a
// Gantt chart drawn in SVG (bars per task grouped by entity, dependency arrows, the critical
// path highlighted, milestones as diamonds, a line for today, late tasks marked), zoom by day
// or week, filters (episode, task type, assignee); and the workload (people x weeks, planned
// and logged hours as a heat table) from GET /projects/{id}/workload.
//
// Everything positioned from data is an SVG attribute (x, y, width, points): no inline styles
// under the page's CSP. The labels are one SVG on the left, the timeline another on the
// right that scrolls sideways; both scroll up and down together.
import { html, useMemo, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale } from '/lib/i18n.js';
import { useAsync, Empty, ErrorBox, Loading } from '/lib/ui.js';
import { fmtDay, listAll, personName, taskHref, Swatch } from './common.js';

const ROW = 26;
const HEAD = 58;
const LABEL_W = 260;
const ZOOM = { day: 28, week: 7 };

const dayNum = (s) => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
};
const dayDate = (n) => new Date(n * 86400000);
const dayStr = (n) => dayDate(n).toISOString().slice(0, 10);

// Rows: a header per entity, then its dated tasks. Undated tasks are counted, not drawn.
function layout(data) {
  const dated = data.tasks.filter((x) => x.start_date || x.due_date);
  const byEntity = new Map();
  for (const x of dated) {
    if (!byEntity.has(x.entity_id)) byEntity.set(x.entity_id, { id: x.entity_id, name: x.entity_name, parent: x.parent_name, tasks: [] });
    byEntity.get(x.entity_id).tasks.push(x);
  }
  const groups = [...byEntity.values()].sort((a, b) => (a.parent || '').localeCompare(b.parent || '', undefined, { numeric: true })
    || a.name.localeCompare(b.name, undefined, { numeric: true }));
  const rows = [];
  const rowOf = new Map();
  for (const g of groups) {
    rows.push({ group: g });
    g.tasks.sort((a, b) => dayNum(a.start_date || a.due_date) - dayNum(b.start_date || b.due_date));
    for (const x of g.tasks) {
      rowOf.set(x.id, rows.length);
      const s = dayNum(x.start_date || x.due_date);
      const e = Math.max(s, dayNum(x.due_date || x.start_date));
      rows.push({ task: x, s, e });
    }
  }
  const todayN = dayNum(data.today);
  let lo = todayN;
  let hi = todayN;
  for (const r of rows) if (r.task) {
    lo = Math.min(lo, r.s);
    hi = Math.max(hi, r.e);
  }
  for (const m of data.milestones) {
    lo = Math.min(lo, dayNum(m.date));
    hi = Math.max(hi, dayNum(m.date));
  }
  return { rows, rowOf, undated: data.tasks.length - dated.length, lo: lo - 3, hi: hi + 5, todayN };
}

function Gantt({ project, data, zoom, people }) {
  const L = useMemo(() => layout(data), [data]);
  const dw = ZOOM[zoom];
  const days = L.hi - L.lo + 1;
  const W = days * dw;
  const H = HEAD + L.rows.length * ROW + 8;
  const X = (n) => (n - L.lo) * dw;
  const Y = (i) => HEAD + i * ROW;
  const onPath = new Set(data.critical_path || []);

  // Header ticks: every day (day zoom) or every Monday (week zoom); month labels.
  const ticks = [];
  const months = [];
  for (let n = L.lo; n <= L.hi; n++) {
    const d = dayDate(n);
    // A month's name where it starts (and at the left edge), when there is room for it.
    if ((d.getUTCDate() === 1 || n === L.lo) && (L.hi - n + 1) * dw >= 64) {
      months.push({ n, label: new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d) });
    }
    if (zoom === 'day') ticks.push({ n, label: String(d.getUTCDate()), weekend: d.getUTCDay() === 0 || d.getUTCDay() === 6 });
    else if (d.getUTCDay() === 1) ticks.push({ n, label: String(d.getUTCDate()) });
  }

  const arrows = data.dependencies.map((dep) => {
    const a = L.rowOf.get(dep.depends_on);
    const b = L.rowOf.get(dep.task_id);
    if (a == null || b == null) return null;
    const ra = L.rows[a];
    const rb = L.rows[b];
    const x1 = X(ra.e + 1);
    const y1 = Y(a) + ROW / 2;
    const x2 = X(rb.s);
    const y2 = Y(b) + ROW / 2;
    const mid = Math.max(x1 + 6, Math.min(x2 - 6, x1 + 10));
    const d = x2 - 6 >= x1 + 6 ? `M${x1},${y1} H${mid} V${y2} H${x2 - 2}`
      : `M${x1},${y1} h6 V${(y1 + y2) / 2} H${x2 - 12} V${y2} H${x2 - 2}`;
    const critical = onPath.has(dep.task_id) && onPath.has(dep.depends_on);
    return html`<path key=${dep.id} d=${d} class=${`gt-dep ${dep.violated ? 'gt-dep-violated' : ''} ${critical ? 'gt-dep-critical' : ''}`}
      marker-end=${dep.violated ? 'url(#gt-arrow-bad)' : critical ? 'url(#gt-arrow-crit)' : 'url(#gt-arrow)'} data-dep=${dep.id} />`;
  });

  const labels = html`<svg class="gt-labels" width=${LABEL_W} height=${H} aria-hidden="true">
    <text x="10" y=${HEAD - 12} class="gt-head-text">${t('production.schedule.task')}</text>
    ${L.rows.map((r, i) => r.group
      ? html`<g key=${`g${r.group.id}`}><rect x="0" y=${Y(i)} width=${LABEL_W} height=${ROW} class="gt-group-bg" />
          <text x="10" y=${Y(i) + 17} class="gt-group-text">${r.group.parent ? `${r.group.parent} / ` : ''}${r.group.name}</text></g>`
      : html`<g key=${r.task.id}><text x="22" y=${Y(i) + 17} class=${`gt-label ${r.task.late ? 'gt-label-late' : ''}`}>${r.task.task_type_name}${
        r.task.assignees.length ? ` · ${r.task.assignees.map((id) => personName(people, id)).join(', ')}` : ''}</text></g>`)}
  </svg>`;

  const chart = html`<svg class="gt-chart" width=${W} height=${H} role="img" aria-label=${t('production.schedule.gantt')} data-testid="gantt">
    <defs>
      <marker id="gt-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="gt-arrowhead" /></marker>
      <marker id="gt-arrow-crit" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="gt-arrowhead-crit" /></marker>
      <marker id="gt-arrow-bad" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="gt-arrowhead-bad" /></marker>
      <pattern id="gt-late-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" class="gt-hatch" /></pattern>
    </defs>
    ${ticks.map((k) => html`<g key=${`t${k.n}`}>
      ${k.weekend && html`<rect x=${X(k.n)} y=${HEAD} width=${dw} height=${H - HEAD} class="gt-weekend" />`}
      <line x1=${X(k.n)} x2=${X(k.n)} y1=${HEAD - 14} y2=${H} class="gt-grid" />
      <text x=${X(k.n) + (zoom === 'day' ? dw / 2 : 2)} y=${HEAD - 4} class=${`gt-tick ${zoom === 'day' ? 'gt-tick-mid' : ''}`}>${k.label}</text>
    </g>`)}
    ${months.map((m) => html`<text key=${`m${m.n}`} x=${X(m.n) + 4} y="14" class="gt-month">${m.label}</text>`)}
    ${L.rows.map((r, i) => (r.group ? html`<rect key=${`gb${i}`} x="0" y=${Y(i)} width=${W} height=${ROW} class="gt-group-bg" />` : null))}
    ${arrows}
    ${L.rows.map((r, i) => {
      if (!r.task) return null;
      const x = r.task;
      const crit = x.critical || onPath.has(x.id);
      const title = `${x.entity_name} · ${x.task_type_name} · ${fmtDay(x.start_date || x.due_date)} – ${fmtDay(x.due_date || x.start_date)}${
        x.late ? ` · ${t('production.schedule.late')}` : ''}${x.slack_days != null ? ` · ${t('production.schedule.slack', { n: x.slack_days })}` : ''}`;
      return html`<a key=${x.id} href=${taskHref(project.id, x.id)} class="gt-bar-link">
        <g class=${`gt-task ${x.is_done ? 'gt-done' : ''} ${x.late ? 'gt-late' : ''} ${crit ? 'gt-critical' : ''}`}
          data-task=${`${x.entity_name} ${x.task_type_name}`} data-critical=${crit ? 'true' : 'false'} data-late=${x.late ? 'true' : 'false'}>
          <title>${title}</title>
          <rect x=${X(r.s) + 1} y=${Y(i) + 5} width=${Math.max(4, (r.e - r.s + 1) * dw - 2)} height=${ROW - 10} rx="3" fill=${x.color || '#7b8494'} class="gt-bar" />
          ${x.late && html`<rect x=${X(r.s) + 1} y=${Y(i) + 5} width=${Math.max(4, (r.e - r.s + 1) * dw - 2)} height=${ROW - 10} rx="3" fill="url(#gt-late-hatch)" class="gt-bar-late" />`}
        </g>
      </a>`;
    })}
    ${data.milestones.map((m) => {
      const cx = X(dayNum(m.date)) + dw / 2;
      return html`<g key=${m.id} class="gt-milestone" data-milestone=${m.name}>
        <title>${m.name} · ${fmtDay(m.date)}</title>
        <line x1=${cx} x2=${cx} y1=${HEAD - 18} y2=${H} class="gt-milestone-line" />
        <polygon points=${`${cx},${HEAD - 32} ${cx + 7},${HEAD - 25} ${cx},${HEAD - 18} ${cx - 7},${HEAD - 25}`} fill=${m.color || '#4338ca'} class="gt-diamond" />
        <text x=${cx + 10} y=${HEAD - 21} class="gt-milestone-text">${m.name}</text>
      </g>`;
    })}
    <line x1=${X(L.todayN) + dw / 2} x2=${X(L.todayN) + dw / 2} y1=${HEAD - 14} y2=${H} class="gt-today" data-testid="today-line" data-day=${dayStr(L.todayN)} />
  </svg>`;

  if (!L.rows.length) {
    return html`<${Empty} icon="activity" title=${t('production.schedule.no_dates')}>${t('production.schedule.no_dates_hint')}<//>`;
  }
  return html`<div>
    <div class="gt-wrap">${labels}<div class="gt-scroll-x">${chart}</div></div>
    ${L.undated > 0 && html`<p class="muted pg-note">${t('production.schedule.undated', { n: L.undated })}</p>`}
  </div>`;
}

const HOURS = (m) => Math.round((m / 60) * 10) / 10;

function Workload({ project, people }) {
  const r = useAsync(() => api.get(`/api/v1/projects/${project.id}/workload`), [project.id]);
  if (r.error) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  const w = r.data;
  if (!w.people.length) return html`<${Empty} icon="users" title=${t('production.workload.none')} />`;
  const heat = (m) => `pg-heat-${Math.min(5, Math.ceil(m / 480))}`; // a step per 8 hours, 5 = over 32 h
  return html`<div class="card card-flush pg-table-wrap"><table class="pg-table pg-workload" data-testid="workload">
    <thead><tr><th>${t('production.workload.person')}</th>
      ${w.weeks.map((wk) => html`<th key=${wk}>${wk}</th>`)}
      <th>${t('production.workload.total')}</th></tr></thead>
    <tbody>${w.people.map((p) => html`<tr key=${p.user_id} data-person=${p.name || personName(people, p.user_id)}>
      <th>${p.name || personName(people, p.user_id)}</th>
      ${w.weeks.map((wk) => {
        const c = p.weeks[wk] || { planned_minutes: 0, logged_minutes: 0, tasks: 0 };
        return html`<td key=${wk} class=${heat(c.planned_minutes)} data-week=${wk}
          title=${t('production.workload.cell', { planned: HOURS(c.planned_minutes), logged: HOURS(c.logged_minutes), n: c.tasks })}>
          <span class="pg-wl-planned">${c.planned_minutes ? `${HOURS(c.planned_minutes)} h` : ''}</span>
          ${c.logged_minutes > 0 && html`<span class="pg-wl-logged">${t('production.workload.logged', { h: HOURS(c.logged_minutes) })}</span>`}
        </td>`;
      })}
      <td class="pg-wl-total">${HOURS(p.planned_minutes || 0)} h</td>
    </tr>`)}</tbody>
  </table></div>`;
}

export default function SchedulePage({ project, vocab, people }) {
  const [view, setView] = useState('gantt');
  const [zoom, setZoom] = useState('day');
  const [parent, setParent] = useState('');
  const [ttype, setTtype] = useState('');
  const [who, setWho] = useState('');
  const groupType = vocab.entityTypes.find((x) => x.kind === 'episode') || vocab.entityTypes.find((x) => x.kind === 'sequence');
  const parents = useAsync(() => (groupType ? listAll(`/api/v1/projects/${project.id}/entities`, { type_id: groupType.id }) : []), [project.id]);
  const r = useAsync(() => api.get(`/api/v1/projects/${project.id}/schedule`, { parent_id: parent, task_type_id: ttype, assignee: who }),
    [project.id, parent, ttype, who]);
  const peopleList = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  const lateN = r.data ? r.data.tasks.filter((x) => x.late).length : 0;
  return html`<div class="pg-schedule">
    <div class="pg-toolbar">
      <div class="pg-seg" role="group" aria-label=${t('production.schedule.view')}>
        <button type="button" class=${`btn btn-sm ${view === 'gantt' ? 'btn-primary' : ''}`} aria-pressed=${view === 'gantt' ? 'true' : 'false'}
          onClick=${() => setView('gantt')}>${t('production.schedule.gantt')}</button>
        <button type="button" class=${`btn btn-sm ${view === 'workload' ? 'btn-primary' : ''}`} aria-pressed=${view === 'workload' ? 'true' : 'false'}
          data-testid="view-workload" onClick=${() => setView('workload')}>${t('production.workload.title')}</button>
      </div>
      ${view === 'gantt' && html`
        <div class="pg-seg" role="group" aria-label=${t('production.schedule.zoom')}>
          ${['day', 'week'].map((z) => html`<button key=${z} type="button" class=${`btn btn-sm ${zoom === z ? 'btn-primary' : ''}`}
            aria-pressed=${zoom === z ? 'true' : 'false'} data-testid=${`zoom-${z}`} onClick=${() => setZoom(z)}>${t(`production.schedule.zoom_${z}`)}</button>`)}
        </div>
        ${groupType && html`<select class="input select" aria-label=${groupType.name} data-testid="schedule-parent" value=${parent}
          onChange=${(e) => setParent(e.target.value)}>
          <option value="">${t('production.schedule.all_of', { name: groupType.name })}</option>
          ${(parents.data || []).map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
        </select>`}
        <select class="input select" aria-label=${t('production.filter_column')} data-testid="schedule-type" value=${ttype} onChange=${(e) => setTtype(e.target.value)}>
          <option value="">${t('production.any_task_type')}</option>
          ${vocab.taskTypes.map((x) => html`<option key=${x.id} value=${x.id}>${x.name}</option>`)}
        </select>
        <select class="input select" aria-label=${t('production.filter_assignee')} data-testid="schedule-assignee" value=${who} onChange=${(e) => setWho(e.target.value)}>
          <option value="">${t('production.anyone')}</option>
          ${peopleList.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
        </select>
        ${r.data && html`<span class="pg-count" data-testid="schedule-summary">${t('production.schedule.summary', {
          n: r.data.tasks.length, late: lateN, end: r.data.project_end ? fmtDay(r.data.project_end) : '—' })}</span>`}`}
    </div>
    ${view === 'gantt' && html`<div class="pg-legend">
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" class="gt-legend-critical" /></svg>${t('production.schedule.critical')}</span>
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" class="gt-legend-late" /></svg>${t('production.schedule.late')}</span>
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><polygon points="5,0 10,5 5,10 0,5" class="gt-legend-milestone" /></svg>${t('production.schedule.milestone')}</span>
      <span><svg class="pg-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect x="4" width="2" height="10" class="gt-legend-today" /></svg>${t('production.schedule.today')}</span>
      ${vocab.taskTypes.filter((x) => r.data && r.data.tasks.some((k) => k.task_type_id === x.id)).map((x) => html`<span key=${x.id}><${Swatch} color=${x.color} />${x.name}</span>`)}
    </div>`}
    ${view === 'workload' ? html`<${Workload} project=${project} people=${people} />`
      : r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`
      : !r.data ? html`<${Loading} />`
      : html`<${Gantt} project=${project} data=${r.data} zoom=${zoom} people=${people} />`}
  </div>`;
}
