// web/production/my-tasks.js: "My tasks" (/tasks): the signed-in person's tasks in every
// project they still reach (GET /me/tasks, all pages), grouped by project, with due dates
// (late ones marked), status chips with an inline status change (the statuses the person's
// role in that project may set), filters by status and due date, and links to the task page.
import { html, useEffect, useMemo, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { toast } from '/lib/toast.js';
import { useAsync, useTitle, Empty, ErrorBox, Loading, PageHeader, errorMessage } from '/lib/ui.js';
import { allowedStatuses, fmtDay, listAll, taskHref, today, useStyles, StatusChip } from './common.js';

async function load() {
  const tasks = await listAll('/api/v1/me/tasks');
  const pids = [...new Set(tasks.map((x) => x.project_id))];
  const projects = new Map();
  await Promise.all(pids.map(async (pid) => {
    const [p, s] = await Promise.all([
      api.get(`/api/v1/projects/${pid}`).catch(() => null),
      api.get(`/api/v1/projects/${pid}/task-statuses`).catch(() => ({ items: [] })),
    ]);
    if (p) projects.set(pid, { project: p, statuses: s.items });
  }));
  return { tasks, projects };
}

// Monday..Sunday of this week, as YYYY-MM-DD.
function weekEnd() {
  const d = new Date();
  d.setDate(d.getDate() + ((7 - d.getDay()) % 7));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function StatusMenu({ task, project, statuses, onChange }) {
  const [open, setOpen] = useState(false);
  const ref = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const first = ref.current && ref.current.querySelector('.pg-menu button:not([disabled])');
    if (first) first.focus();
    const onDoc = (e) => {
      if (ref.current && !ref.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [open]);
  const settable = allowedStatuses(project, statuses);
  const cur = statuses.find((s) => s.id === task.status_id) || { short_name: task.status, name: task.status, color: task.status_color };
  return html`<div class="pg-cellmenu" ref=${ref}>
    <button type="button" class="pg-chip-btn" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${t('production.cell_label', { row: task.entity_name, col: task.task_type, status: cur.name })}
      disabled=${settable.length === 0} onClick=${() => setOpen(!open)}><${StatusChip} status=${cur} /></button>
    ${open && html`<div class="pg-menu" role="menu" data-testid="status-menu" onKeyDown=${(e) => e.key === 'Escape' && setOpen(false)}>
      ${settable.map((s) => html`<button key=${s.id} type="button" role="menuitemradio" class="pg-menu-item"
        aria-checked=${s.id === task.status_id ? 'true' : 'false'} disabled=${s.id === task.status_id}
        onClick=${() => {
          setOpen(false);
          onChange(s);
        }}><${StatusChip} status=${s} /><span>${s.name}</span></button>`)}
    </div>`}
  </div>`;
}

export function MyTasksPage() {
  const ready = useStyles();
  useTitle(t('production.mytasks.title'));
  const r = useAsync(load, []);
  const [status, setStatus] = useState('open');
  const [due, setDue] = useState('');
  const now = today();

  const groups = useMemo(() => {
    if (!r.data) return [];
    const wk = weekEnd();
    const keep = r.data.tasks.filter((x) => {
      if (status === 'open' && x.is_done) return false;
      if (status === 'done' && !x.is_done) return false;
      if (status !== 'open' && status !== 'done' && status !== 'all' && x.status !== status) return false;
      if (due === 'late' && !(x.due_date && x.due_date < now && !x.is_done)) return false;
      if (due === 'week' && !(x.due_date && x.due_date <= wk)) return false;
      if (due === 'none' && x.due_date) return false;
      return true;
    });
    const by = new Map();
    for (const x of keep) {
      if (!r.data.projects.has(x.project_id)) continue;
      if (!by.has(x.project_id)) by.set(x.project_id, []);
      by.get(x.project_id).push(x);
    }
    const out = [...by.entries()].map(([pid, tasks]) => ({
      ...r.data.projects.get(pid),
      tasks: tasks.sort((a, b) => (a.due_date || '9999').localeCompare(b.due_date || '9999')
        || b.priority - a.priority || a.entity_name.localeCompare(b.entity_name, undefined, { numeric: true })),
    }));
    return out.sort((a, b) => a.project.name.localeCompare(b.project.name));
  }, [r.data, status, due]);

  const change = async (task, s) => {
    try {
      const cur = await api.request('GET', `/api/v1/tasks/${task.id}`);
      const upd = await api.patch(`/api/v1/tasks/${task.id}`, { status_id: s.id }, { etag: cur.etag });
      r.setData((d) => ({ ...d, tasks: d.tasks.map((x) => (x.id === task.id ? { ...x, ...upd } : x)) }));
      toast(t('production.status_set', { name: `${task.entity_name} ${task.task_type}`, status: s.name }));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };

  const names = r.data ? [...new Set(r.data.tasks.map((x) => x.status))].sort() : [];
  if (!ready) return html`<div class="page"><${Loading} /></div>`;
  return html`<div class="page pg-mytasks">
    <${PageHeader} title=${t('production.mytasks.title')} subtitle=${t('production.mytasks.subtitle')} />
    <div class="pg-toolbar">
      <select class="input select" aria-label=${t('production.filter_status')} data-testid="mytasks-status" value=${status}
        onChange=${(e) => setStatus(e.target.value)}>
        <option value="open">${t('production.mytasks.open')}</option>
        <option value="done">${t('production.mytasks.done')}</option>
        <option value="all">${t('production.mytasks.all')}</option>
        ${names.map((n) => html`<option key=${n} value=${n}>${n}</option>`)}
      </select>
      <select class="input select" aria-label=${t('production.mytasks.due')} data-testid="mytasks-due" value=${due} onChange=${(e) => setDue(e.target.value)}>
        <option value="">${t('production.mytasks.any_due')}</option>
        <option value="late">${t('production.mytasks.late')}</option>
        <option value="week">${t('production.mytasks.this_week')}</option>
        <option value="none">${t('production.mytasks.no_due')}</option>
      </select>
    </div>
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${!r.data ? !r.error && html`<${Loading} />`
      : groups.length === 0 ? html`<${Empty} icon="check" title=${t('production.mytasks.none')} />`
      : groups.map((g) => html`<section key=${g.project.id} class="card card-flush pg-mt-project" data-project=${g.project.name}>
        <div class="pg-mt-head">
          <a class="pg-mt-pname" href=${`/projects/${g.project.id}/production`}>
            ${g.project.code && html`<span class="code-chip">${g.project.code}</span>`}${g.project.name}</a>
          <span class="muted">${t('production.mytasks.n', { n: g.tasks.length })}</span>
        </div>
        <ul class="pg-mt-list">
          ${g.tasks.map((x) => {
            const late = x.due_date && x.due_date < now && !x.is_done;
            return html`<li key=${x.id} class=${`pg-mt-row ${late ? 'pg-late' : ''}`} data-task=${`${x.entity_name} ${x.task_type}`}>
              <${StatusMenu} task=${x} project=${g.project} statuses=${g.statuses} onChange=${(s) => change(x, s)} />
              <a class="pg-mt-name" href=${taskHref(x.project_id, x.id)}>
                <span class="pg-mt-entity">${x.parent_name ? `${x.parent_name} / ` : ''}${x.entity_name}</span>
                <span class="pg-mt-type">${x.task_type}</span>
              </a>
              ${x.priority >= 2 && html`<span class="badge badge-warn">${t(`production.priority.${x.priority}`)}</span>`}
              <span class=${`pg-mt-due ${late ? 'pg-late-text' : ''}`} data-testid="due">
                ${late && html`<${Icon} name="alert" size=${13} />`}
                ${x.due_date ? (late ? t('production.mytasks.late_since', { date: fmtDay(x.due_date) }) : fmtDay(x.due_date)) : t('production.mytasks.no_due')}
              </span>
            </li>`;
          })}
        </ul>
      </section>`)}
  </div>`;
}

export default MyTasksPage;
