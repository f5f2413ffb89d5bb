// web/production/grid.js: the production grid: rows are the entities of one type (shots,
// assets, episodes...), columns the task types of that kind, cells the tasks as status chips
// with their assignees. From GET /projects/{id}/grid (one answer for the whole type).
//
// - Inline edit: a chip opens a menu of the statuses the caller's role may set; the choice is
//   a PATCH /tasks/{id} with If-Match (the task is read first for its version). An empty
//   cell offers to create the task to those who may plan.
// - Multi-select: row checkboxes, shift-click for ranges, "select all" over the filtered rows;
//   the bulk bar changes status, assignee, priority or due date of the selected rows' tasks
//   (one column or all) in one POST /projects/{id}/tasks/bulk.
// - Filter (a column's status, an assignee, text over names, an episode), sort (name, frames,
//   a column's status), grouping by parent or grandparent with collapsible headers.
// - Virtual scrolling: rows have a fixed height; only the visible window (plus an overscan)
//   is in the DOM, between two spacers sized with SVG height attributes (no inline styles
//   under the CSP). The header row and the name column are sticky.
// - Keyboard: arrows move the focused cell, Enter opens its status menu, Escape closes it.
import { html, useEffect, useLayoutEffect, useMemo, useRef, useState } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog } from '/lib/dialog.js';
import { useForm, TextField, SelectField, Submit, FormError } from '/lib/forms.js';
import { toast } from '/lib/toast.js';
import { navigate } from '/lib/router.js';
import { useAsync, useDebounced, Empty, ErrorBox, Loading, errorMessage } from '/lib/ui.js';
import { allowedStatuses, canPlan, listAll, taskHref, Initials, StatusChip } from './common.js';

export const ROW_H = 36;
// The grid's view (type, episode, filters, sort, grouping, scroll) per project, kept while the
// app runs, so that coming back from a task page finds the grid as it was left.
const memory = new Map();
const remember = (key, patch) => memory.set(key, { ...(memory.get(key) || {}), ...patch });
const collator = new Intl.Collator(undefined, { numeric: true });
const OVERSCAN = 8;
const CREATE_CHUNK = 5000;

function frames(row) {
  return row.frame_in != null && row.frame_out != null ? row.frame_out - row.frame_in + 1 : null;
}

// The parent and grandparent entities (names for grouping, the episode filter).
function useAncestors(project, vocab, type) {
  const parentType = type && vocab.entityTypes.find((x) => x.id === type.parent_type_id);
  const grandType = parentType && vocab.entityTypes.find((x) => x.id === parentType.parent_type_id);
  const r = useAsync(async () => {
    const P = `/api/v1/projects/${project.id}/entities`;
    const [parents, grands] = await Promise.all([
      parentType ? listAll(P, { type_id: parentType.id }) : [],
      grandType ? listAll(P, { type_id: grandType.id }) : [],
    ]);
    return { parents: new Map(parents.map((e) => [e.id, e])), grands };
  }, [project.id, type && type.id]);
  return { parentType, grandType, parents: r.data ? r.data.parents : new Map(), grands: r.data ? r.data.grands : [], reload: r.reload };
}

export default function GridPage({ project, vocab, people }) {
  const types = vocab.entityTypes.filter((et) => vocab.taskTypes.some((tt) => tt.for_kind === et.kind));
  const saved = memory.get(project.id) || {};
  const [typeId, setTypeId] = useState(() => (vocab.entityTypes.some((x) => x.id === saved.typeId) ? saved.typeId
    : (types.find((x) => x.kind === 'shot') || types[0] || vocab.entityTypes[0]).id));
  const type = vocab.entityTypes.find((x) => x.id === typeId);
  const anc = useAncestors(project, vocab, type);
  const [episode, setEpisode] = useState(saved.episode || '');
  useEffect(() => {
    remember(project.id, { typeId, episode });
  }, [typeId, episode]);
  const grid = useAsync(() => api.get(`/api/v1/projects/${project.id}/grid`, {
    entity_type_id: typeId, ancestor_id: anc.grandType ? episode : '',
  }), [project.id, typeId, episode]);

  return html`<div class="pg-grid-page">
    <div class="pg-toolbar pg-toolbar-top">
      <label class="pg-field">
        <span class="pg-field-label">${t('production.entity_type')}</span>
        <select class="input select" data-testid="entity-type" value=${typeId} onChange=${(e) => {
          setTypeId(e.target.value);
          setEpisode('');
        }}>
          ${vocab.entityTypes.map((et) => html`<option key=${et.id} value=${et.id}>${et.name}</option>`)}
        </select>
      </label>
      ${anc.grandType && html`<label class="pg-field">
        <span class="pg-field-label">${anc.grandType.name}</span>
        <select class="input select" data-testid="episode-filter" value=${episode} onChange=${(e) => setEpisode(e.target.value)}>
          <option value="">${t('production.all')}</option>
          ${anc.grands.map((g) => html`<option key=${g.id} value=${g.id}>${g.name}</option>`)}
        </select>
      </label>`}
    </div>
    ${grid.error && html`<${ErrorBox} error=${grid.error} onRetry=${grid.reload} />`}
    ${!grid.data ? (!grid.error && html`<${Loading} />`) : html`<${Grid} key=${typeId} project=${project} vocab=${vocab} people=${people}
      type=${type} anc=${anc} data=${grid.data} setData=${grid.setData} reload=${grid.reload} loading=${grid.loading} />`}
  </div>`;
}

function Grid({ project, vocab, people, type, anc, data, setData, reload }) {
  const columns = data.columns;
  const statusById = useMemo(() => new Map(vocab.statuses.map((s) => [s.id, s])), [vocab.statuses]);
  const statusOrder = useMemo(() => new Map(vocab.statuses.map((s, i) => [s.id, i])), [vocab.statuses]);
  const plan = canPlan(project);
  const settable = useMemo(() => allowedStatuses(project, vocab.statuses), [project, vocab.statuses]);

  const mkey = `${project.id}:${type.id}`;
  const saved = memory.get(mkey) || {};
  const [text, setText] = useState(saved.text || '');
  const q = useDebounced(text.trim().toLowerCase(), 150);
  const [assignee, setAssignee] = useState(saved.assignee || '');
  const [fCol, setFCol] = useState(saved.fCol || '');
  const [fStatus, setFStatus] = useState(saved.fStatus || '');
  const [sort, setSort] = useState(saved.sort || 'name');
  const [group, setGroup] = useState(saved.group || 'none');
  const [collapsed, setCollapsed] = useState(() => new Set(saved.collapsed || []));
  useEffect(() => {
    remember(mkey, { text, assignee, fCol, fStatus, sort, group, collapsed: [...collapsed] });
  }, [text, assignee, fCol, fStatus, sort, group, collapsed]);
  const [selected, setSelected] = useState(() => new Set());
  const [anchor, setAnchor] = useState(null);
  const [focus, setFocus] = useState({ r: 0, c: 0 });
  const [menu, setMenu] = useState(null); // {rowId, ttid}
  const [adding, setAdding] = useState(false);

  // Group key and label of a row.
  const groupOf = (row) => {
    if (group === 'parent') return [row.parent_id || '', row.parent_name || t('production.no_group')];
    if (group === 'grand') {
      const p = anc.parents.get(row.parent_id);
      return [p ? p.parent_id || '' : '', p ? p.parent_name || t('production.no_group') : t('production.no_group')];
    }
    return null;
  };

  // Filter, sort.
  const rows = useMemo(() => {
    let out = data.rows.filter((row) => {
      if (q && !(row.name.toLowerCase().includes(q) || (row.parent_name || '').toLowerCase().includes(q))) return false;
      if (assignee) {
        const cells = Object.values(row.tasks);
        if (assignee === '-') {
          if (!cells.some((c) => c.assignees.length === 0)) return false;
        } else if (!cells.some((c) => c.assignees.includes(assignee))) return false;
      }
      if (fCol && fStatus) {
        const c = row.tasks[fCol];
        if (fStatus === '-' ? c : !c || c.status_id !== fStatus) return false;
      }
      return true;
    });
    const byName = (a, b) => collator.compare(a.parent_name || '', b.parent_name || '') || collator.compare(a.name, b.name);
    let cmp = byName;
    if (sort === 'frames') cmp = (a, b) => (frames(b) ?? -1) - (frames(a) ?? -1) || byName(a, b);
    else if (sort.startsWith('status:')) {
      const tt = sort.slice(7);
      const rank = (r) => (r.tasks[tt] ? statusOrder.get(r.tasks[tt].status_id) ?? 999 : 1000);
      cmp = (a, b) => rank(a) - rank(b) || byName(a, b);
    }
    out = out.slice().sort(cmp);
    return out;
  }, [data, q, assignee, fCol, fStatus, sort, statusOrder]);

  // The flat list of what is drawn: group headers and rows.
  const items = useMemo(() => {
    if (group === 'none') return rows.map((row) => ({ row }));
    const groups = new Map();
    for (const row of rows) {
      const [key, name] = groupOf(row);
      if (!groups.has(key)) groups.set(key, { key, name, rows: [] });
      groups.get(key).rows.push(row);
    }
    const out = [];
    const sorted = [...groups.values()].sort((a, b) => collator.compare(a.name, b.name));
    for (const g of sorted) {
      out.push({ group: g });
      if (!collapsed.has(g.key)) for (const row of g.rows) out.push({ row });
    }
    return out;
  }, [rows, group, collapsed, anc.parents]);
  // rowIndex: the item index of each row (for the keyboard); rowOfItem: the reverse.
  const [rowIndex, rowOfItem, posOfRow] = useMemo(() => {
    const idx = [];
    const rev = new Int32Array(items.length).fill(-1);
    const pos = new Map();
    items.forEach((it, i) => {
      if (it.row) {
        rev[i] = idx.length;
        pos.set(it.row.id, idx.length);
        idx.push(i);
      }
    });
    return [idx, rev, pos];
  }, [items]);
  // Columns where some shown row has no task yet (offered "create for all").
  const missing = useMemo(() => new Set(columns.filter((c) => rows.some((r) => !r.tasks[c.id])).map((c) => c.id)), [columns, rows]);

  // Virtual window.
  const scroller = useRef(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    if (saved.scrollTop) el.scrollTop = saved.scrollTop;
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(view.top / ROW_H) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / ROW_H) + OVERSCAN);
  const visible = items.slice(first, last);

  // Keep the focused cell in view.
  const scrollToItem = (i) => {
    const el = scroller.current;
    if (!el || i == null) return;
    const top = i * ROW_H;
    const visibleH = el.clientHeight - ROW_H; // the sticky header
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_H > el.scrollTop + visibleH) el.scrollTop = top + ROW_H - visibleH;
  };

  const onKeyDown = (e) => {
    if (e.key === 'Escape' && e.target.closest('.pg-menu')) {
      e.preventDefault();
      setMenu(null);
      scroller.current.focus();
      return;
    }
    if (e.target.closest('input,select,textarea,.pg-menu')) return;
    const nr = rowIndex.length;
    if (!nr || !columns.length) return;
    // Filtering may have left the focus past the end.
    let r = Math.min(focus.r, nr - 1);
    let c = Math.min(focus.c, columns.length - 1);
    if (e.key === 'ArrowDown') r = Math.min(nr - 1, r + 1);
    else if (e.key === 'ArrowUp') r = Math.max(0, r - 1);
    else if (e.key === 'ArrowRight') c = Math.min(columns.length - 1, c + 1);
    else if (e.key === 'ArrowLeft') c = Math.max(0, c - 1);
    else if (e.key === 'Enter') {
      const row = items[rowIndex[r]].row;
      setMenu({ rowId: row.id, ttid: columns[c].id });
      e.preventDefault();
      return;
    } else if (e.key === 'Escape') {
      setMenu(null);
      return;
    } else if (e.key === ' ') {
      // Space selects or unselects the focused row.
      const row = items[rowIndex[r]].row;
      const next = new Set(selected);
      if (next.has(row.id)) next.delete(row.id);
      else next.add(row.id);
      setSelected(next);
      setAnchor(row.id);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    setMenu(null);
    setFocus({ r, c });
    scrollToItem(rowIndex[r]);
  };

  // Selection.
  const toggle = (row, e) => {
    const idx = rows.indexOf(row);
    const next = new Set(selected);
    if (e.shiftKey && anchor != null) {
      const a = rows.findIndex((x) => x.id === anchor);
      const [lo, hi] = a < idx ? [a, idx] : [idx, a];
      const on = !selected.has(row.id);
      for (let i = lo; i <= hi; i++) {
        if (on) next.add(rows[i].id);
        else next.delete(rows[i].id);
      }
    } else if (next.has(row.id)) next.delete(row.id);
    else next.add(row.id);
    setAnchor(row.id);
    setSelected(next);
  };
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const selectAll = () => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)));

  // Edits.
  const updateCell = (rowId, ttid, cell) => setData((d) => ({
    ...d,
    rows: d.rows.map((row) => (row.id === rowId ? { ...row, tasks: { ...row.tasks, [ttid]: cell } } : row)),
  }));

  // A menu's choice closes it and gives the focus back to the grid (keyboard users go on).
  const closeMenu = () => {
    setMenu(null);
    if (scroller.current) scroller.current.focus({ preventScroll: true });
  };

  const setStatus = async (row, ttid, statusId) => {
    const cell = row.tasks[ttid];
    closeMenu();
    try {
      const cur = await api.request('GET', `/api/v1/tasks/${cell.id}`);
      const task = await api.patch(`/api/v1/tasks/${cell.id}`, { status_id: statusId }, { etag: cur.etag || etagOf(cur.data) });
      updateCell(row.id, ttid, { ...cell, status_id: task.status_id, retake_count: task.retake_count });
      toast(t('production.status_set', { name: row.name, status: (statusById.get(statusId) || {}).name || '' }));
    } catch (err) {
      toast(errorMessage(err), 'error');
      if (err.status === 412) reload();
    }
  };

  const createTask = async (row, ttid) => {
    closeMenu();
    try {
      const task = await api.post(`/api/v1/projects/${project.id}/tasks`, { entity_id: row.id, task_type_id: ttid });
      updateCell(row.id, ttid, {
        id: task.id, status_id: task.status_id, priority: task.priority, due_date: task.due_date,
        retake_count: task.retake_count, assignees: task.assignees || [],
      });
      toast(t('production.task_created'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  // A column for every (filtered) row that lacks the task.
  const createColumn = async (col) => {
    const ids = rows.filter((r) => !r.tasks[col.id]).map((r) => r.id);
    if (!ids.length) return;
    try {
      for (let i = 0; i < ids.length; i += CREATE_CHUNK) {
        await api.post(`/api/v1/projects/${project.id}/tasks`, { entity_ids: ids.slice(i, i + CREATE_CHUNK), task_type_id: col.id });
      }
      toast(t('production.column_created', { n: ids.length, name: col.name }));
      reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
      reload();
    }
  };

  // Rows are drawn by pure functions without closures (events are delegated to the scroller,
  // reading data-* attributes), so a row's virtual node is cached and reused while its inputs
  // are unchanged: scrolling diffs only the rows that enter the window.
  const ctx = useMemo(() => ({}), [columns, statusById, people, plan, settable, group, project.id]);
  const cache = useRef({ ctx: null, map: new Map() });
  if (cache.current.ctx !== ctx || cache.current.map.size > 2000) cache.current = { ctx, map: new Map() };
  const cachedRow = (row, i, sel, focusC, menuC, up) => {
    const hit = cache.current.map.get(row.id);
    if (hit && hit.row === row && hit.i === i && hit.sel === sel && hit.focusC === focusC && hit.menuC === menuC && hit.up === up) return hit.vnode;
    const vnode = rowView(row, i, sel, focusC, menuC, up);
    cache.current.map.set(row.id, { row, i, sel, focusC, menuC, up, vnode });
    return vnode;
  };
  const rowView = (row, i, sel, focusC, menuC, up) => {
    const firstTask = columns.map((c) => row.tasks[c.id]).find(Boolean);
    const f = frames(row);
    return html`<div key=${row.id} class=${`pg-row ${sel ? 'pg-selected' : ''}`} role="row" aria-rowindex=${i + 2}
      data-row=${row.name} data-rid=${row.id}>
      <div class="pg-cell pg-check pg-sticky" role="gridcell">
        <input type="checkbox" aria-label=${t('production.select_row', { name: row.name })} checked=${sel} data-act="select" />
      </div>
      <div class="pg-cell pg-name pg-sticky" role="rowheader">
        ${firstTask ? html`<a class="truncate" href=${taskHref(project.id, firstTask.id)}>${row.name}</a>`
          : html`<span class="truncate">${row.name}</span>`}
        ${group === 'none' && row.parent_name && html`<span class="pg-parent truncate">${row.parent_name}</span>`}
      </div>
      <div class="pg-cell pg-frames" role="gridcell">${f ?? ''}</div>
      ${columns.map((c, ci) => cellView(row, c, ci === focusC, menuC === c.id, up))}
    </div>`;
  };
  const cellView = (row, col, focused, open, up) => {
    const cell = row.tasks[col.id];
    const status = cell && statusById.get(cell.status_id);
    return html`<div key=${col.id} class=${`pg-cell pg-col pg-task ${focused ? 'pg-focus' : ''} ${open ? 'pg-open' : ''}`} role="gridcell"
      data-col=${col.name} data-ttid=${col.id} data-task=${cell ? cell.id : undefined}>
      ${cell ? html`<button type="button" class="pg-chip-btn" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'} data-act="open"
          aria-label=${t('production.cell_label', { row: row.name, col: col.name, status: status ? status.name : '' })}>
          <${StatusChip} status=${status} />
        </button>
        <span class="pg-assignees">${cell.assignees.slice(0, 3).map((id) => html`<${Initials} key=${id} id=${id} people=${people} />`)}
          ${cell.assignees.length > 3 && html`<span class="pg-more">+${cell.assignees.length - 3}</span>`}</span>
        ${cell.retake_count > 0 && html`<span class="pg-retakes" title=${t('production.retakes', { n: cell.retake_count })}>↺${cell.retake_count}</span>`}`
      : plan ? html`<button type="button" class="pg-empty-btn" aria-label=${t('production.create_task_in', { row: row.name, col: col.name })}
          aria-haspopup="menu" data-act="open">+</button>` : html`<span class="pg-empty"></span>`}
      ${open && html`<div class=${`pg-menu ${up ? 'pg-menu-up' : ''}`} role="menu" data-testid="status-menu">
        ${cell ? html`
          ${settable.length === 0 && html`<div class="pg-menu-note">${t('production.no_status_allowed')}</div>`}
          ${settable.map((x) => html`<button key=${x.id} type="button" role="menuitemradio" class="pg-menu-item"
            aria-checked=${x.id === cell.status_id ? 'true' : 'false'} disabled=${x.id === cell.status_id}
            data-act="status" data-sid=${x.id}><${StatusChip} status=${x} /><span>${x.name}</span></button>`)}
          <div class="pg-menu-sep"></div>
          <a class="pg-menu-item" role="menuitem" href=${taskHref(project.id, cell.id)}><${Icon} name="link" size=${14} />${t('production.open_task')}</a>`
        : html`<button type="button" role="menuitem" class="pg-menu-item" data-act="create"><${Icon} name="plus" size=${14} />
            ${t('production.create_task')}</button>`}
      </div>`}
    </div>`;
  };

  // The delegated events of the rows.
  const rowById = useMemo(() => new Map(data.rows.map((r) => [r.id, r])), [data]);
  const onGridClick = (e) => {
    const el = e.target.closest('[data-act]');
    if (!el || !scroller.current || !scroller.current.contains(el)) return;
    const act = el.dataset.act;
    if (act === 'group') {
      const next = new Set(collapsed);
      if (next.has(el.dataset.key)) next.delete(el.dataset.key);
      else next.add(el.dataset.key);
      setCollapsed(next);
      return;
    }
    const rowEl = el.closest('[data-rid]');
    const row = rowEl && rowById.get(rowEl.dataset.rid);
    if (!row) return;
    const ttid = el.closest('[data-ttid]') ? el.closest('[data-ttid]').dataset.ttid : null;
    if (act === 'select') toggle(row, e);
    else if (act === 'open') {
      const ci = columns.findIndex((c) => c.id === ttid);
      const r = posOfRow.get(row.id);
      if (r != null) setFocus({ r, c: ci });
      setMenu(menu && menu.rowId === row.id && menu.ttid === ttid ? null : { rowId: row.id, ttid });
    } else if (act === 'status') setStatus(row, ttid, el.dataset.sid);
    else if (act === 'create') createTask(row, ttid);
  };
  const onGridDblClick = (e) => {
    const c = e.target.closest('.pg-task[data-task]');
    if (c && !e.target.closest('.pg-menu')) navigate(taskHref(project.id, c.dataset.task));
  };
  // An open menu: its first choice takes the focus; a click elsewhere closes it.
  useEffect(() => {
    if (!menu) return undefined;
    const el = scroller.current && scroller.current.querySelector('.pg-open .pg-menu button:not([disabled]), .pg-open .pg-menu a');
    if (el) el.focus();
    const onDoc = (e) => {
      if (!e.target.closest('.pg-open')) setMenu(null);
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [menu]);

  const peopleList = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  const colStatuses = fCol ? vocab.statuses : [];

  return html`<div class="pg-grid-wrap">
    <div class="pg-toolbar" role="search">
      <label class="pg-search">
        <${Icon} name="search" />
        <input class="input" type="search" placeholder=${t('production.search')} aria-label=${t('production.search')}
          data-testid="grid-search" value=${text} onInput=${(e) => setText(e.target.value)} />
      </label>
      <select class="input select" aria-label=${t('production.filter_column')} data-testid="filter-column" value=${fCol}
        onChange=${(e) => {
          setFCol(e.target.value);
          setFStatus('');
        }}>
        <option value="">${t('production.any_task_type')}</option>
        ${columns.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
      </select>
      ${fCol && html`<select class="input select" aria-label=${t('production.filter_status')} data-testid="filter-status" value=${fStatus}
        onChange=${(e) => setFStatus(e.target.value)}>
        <option value="">${t('production.any_status')}</option>
        ${colStatuses.map((s) => html`<option key=${s.id} value=${s.id}>${s.name}</option>`)}
        <option value="-">${t('production.no_task')}</option>
      </select>`}
      <select class="input select" aria-label=${t('production.filter_assignee')} data-testid="filter-assignee" value=${assignee}
        onChange=${(e) => setAssignee(e.target.value)}>
        <option value="">${t('production.anyone')}</option>
        <option value="-">${t('production.unassigned')}</option>
        ${peopleList.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
      </select>
      <select class="input select" aria-label=${t('production.sort')} data-testid="grid-sort" value=${sort} onChange=${(e) => setSort(e.target.value)}>
        <option value="name">${t('production.sort_name')}</option>
        <option value="frames">${t('production.sort_frames')}</option>
        ${columns.map((c) => html`<option key=${c.id} value=${`status:${c.id}`}>${t('production.sort_status', { name: c.name })}</option>`)}
      </select>
      ${anc.parentType && html`<select class="input select" aria-label=${t('production.group')} data-testid="grid-group" value=${group}
        onChange=${(e) => {
          setGroup(e.target.value);
          setCollapsed(new Set());
        }}>
        <option value="none">${t('production.group_none')}</option>
        <option value="parent">${t('production.group_by', { name: anc.parentType.name })}</option>
        ${anc.grandType && html`<option value="grand">${t('production.group_by', { name: anc.grandType.name })}</option>`}
      </select>`}
      <button type="button" class="btn btn-sm btn-ghost" data-testid="grid-refresh" title=${t('production.refresh')}
        aria-label=${t('production.refresh')} onClick=${reload}><${Icon} name="refresh" size=${14} /></button>
      <span class="pg-count" data-testid="grid-count">${t('production.n_rows', { n: rows.length, total: data.rows.length })}</span>
      <span class="pg-spacer-flex"></span>
      ${plan && html`<button type="button" class="btn btn-primary btn-sm" data-testid="add-entity" onClick=${() => setAdding(true)}>
        <${Icon} name="plus" />${t('production.add_entity', { type: type.name })}</button>`}
    </div>
    ${selected.size > 0 && html`<${BulkBar} project=${project} vocab=${vocab} columns=${columns} people=${peopleList}
      rows=${data.rows.filter((r) => selected.has(r.id))} settable=${settable} plan=${plan}
      onDone=${() => {
        setSelected(new Set());
        reload();
      }} onClear=${() => setSelected(new Set())} />`}
    ${data.rows.length === 0 ? html`<${Empty} icon="layers" title=${t('production.no_rows', { type: type.name })}>
        ${plan ? t('production.no_rows_plan') : ''}<//>`
    : html`<div class="pg-scroll" ref=${scroller} tabindex="0" role="grid" aria-label=${t('production.grid')}
      aria-rowcount=${rows.length + 1} data-testid="grid" onKeyDown=${onKeyDown} onClick=${onGridClick} onDblClick=${onGridDblClick}
      onScroll=${(e) => {
        const el = e.currentTarget;
        setView({ top: el.scrollTop, height: el.clientHeight });
        remember(mkey, { scrollTop: el.scrollTop });
      }}>
      <div class="pg-inner">
        <div class="pg-row pg-head" role="row">
          <div class="pg-cell pg-check pg-sticky" role="columnheader">
            <input type="checkbox" aria-label=${t('production.select_all')} data-testid="select-all" checked=${allSelected} onChange=${selectAll} />
          </div>
          <div class="pg-cell pg-name pg-sticky" role="columnheader">${type.name}</div>
          <div class="pg-cell pg-frames" role="columnheader">${t('production.frames')}</div>
          ${columns.map((c) => html`<div key=${c.id} class="pg-cell pg-col" role="columnheader" data-col=${c.name}>
            <svg class="pg-col-mark" aria-hidden="true" viewBox="0 0 4 10" preserveAspectRatio="none"><rect width="4" height="10" fill=${c.color || '#888888'} /></svg>
            <span class="truncate">${c.name}</span>
            ${plan && missing.has(c.id) && html`<button type="button" class="icon-btn pg-col-add"
              title=${t('production.create_column', { name: c.name })} aria-label=${t('production.create_column', { name: c.name })}
              onClick=${() => createColumn(c)}><${Icon} name="plus" size=${14} /></button>`}
          </div>`)}
        </div>
        <svg class="pg-spacer" width="1" height=${first * ROW_H} aria-hidden="true"></svg>
        ${visible.map((it, k) => {
          const i = first + k;
          if (it.group) {
            const open = !collapsed.has(it.group.key);
            return html`<div key=${`g:${it.group.key}`} class="pg-row pg-group" role="row">
              <button type="button" class="pg-group-btn pg-sticky" aria-expanded=${open ? 'true' : 'false'} data-act="group" data-key=${it.group.key}>
                <${Icon} name=${open ? 'chevronDown' : 'chevronRight'} size=${14} />
                <span class="truncate">${it.group.name}</span><span class="pg-group-n">${it.group.rows.length}</span></button>
            </div>`;
          }
          const row = it.row;
          const r = rowOfItem[i];
          const menuC = menu && menu.rowId === row.id ? menu.ttid : null;
          const up = menuC != null && i > first + (last - first) / 2 && i > 6;
          return cachedRow(row, i, selected.has(row.id), r === focus.r ? focus.c : -1, menuC, up);
        })}
        <svg class="pg-spacer" width="1" height=${(items.length - last) * ROW_H} aria-hidden="true"></svg>
      </div>
    </div>`}
    ${adding && html`<${AddEntityDialog} project=${project} type=${type} anc=${anc} onClose=${() => setAdding(false)}
      onAdded=${() => {
        setAdding(false);
        reload();
      }} />`}
  </div>`;
}

function BulkBar({ project, vocab, columns, people, rows, settable, plan, onDone, onClear }) {
  const [col, setCol] = useState('');
  const [status, setStatus] = useState('');
  const [who, setWho] = useState('');
  const [whoMode, setWhoMode] = useState('add'); // add | replace | remove (the others stay, or not)
  const [priority, setPriority] = useState('');
  const [due, setDue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const taskIds = rows.flatMap((r) => (col ? [r.tasks[col]] : Object.values(r.tasks))).filter(Boolean).map((c) => c.id);
  const apply = async () => {
    const body = { task_ids: taskIds };
    if (status) body.status_id = status;
    if (who === '-') body.assignees = [];
    else if (who && whoMode === 'replace') body.assignees = [who];
    else if (who && whoMode === 'remove') body.remove_assignees = [who];
    else if (who) body.add_assignees = [who];
    if (priority !== '') body.priority = Number(priority);
    if (due) body.due_date = due;
    setBusy(true);
    setError(null);
    try {
      const r = await api.post(`/api/v1/projects/${project.id}/tasks/bulk`, body);
      toast(t('production.bulk_done', { n: r.changed }));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const changes = status || who || priority !== '' || due;
  return html`<div class="pg-bulk" role="region" aria-label=${t('production.bulk')} data-testid="bulk-bar">
    <span class="pg-bulk-n">${t('production.n_selected', { n: rows.length, tasks: taskIds.length })}</span>
    <select class="input select" aria-label=${t('production.bulk_column')} data-testid="bulk-column" value=${col} onChange=${(e) => setCol(e.target.value)}>
      <option value="">${t('production.all_task_types')}</option>
      ${columns.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
    </select>
    <select class="input select" aria-label=${t('production.bulk_status')} data-testid="bulk-status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
      <option value="">${t('production.bulk_status')}</option>
      ${settable.map((s) => html`<option key=${s.id} value=${s.id}>${s.name}</option>`)}
    </select>
    ${plan && html`
      <select class="input select" aria-label=${t('production.bulk_assignee')} data-testid="bulk-assignee" value=${who} onChange=${(e) => setWho(e.target.value)}>
        <option value="">${t('production.bulk_assignee')}</option>
        <option value="-">${t('production.unassign')}</option>
        ${people.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
      </select>
      ${who && who !== '-' && html`<select class="input select" aria-label=${t('production.bulk_assignee_mode')} data-testid="bulk-assignee-mode"
        value=${whoMode} onChange=${(e) => setWhoMode(e.target.value)}>
        <option value="add">${t('production.assignee_add')}</option>
        <option value="replace">${t('production.assignee_replace')}</option>
        <option value="remove">${t('production.assignee_remove')}</option>
      </select>`}
      <select class="input select" aria-label=${t('production.bulk_priority')} data-testid="bulk-priority" value=${priority} onChange=${(e) => setPriority(e.target.value)}>
        <option value="">${t('production.bulk_priority')}</option>
        ${[0, 1, 2, 3].map((p) => html`<option key=${p} value=${String(p)}>${t(`production.priority.${p}`)}</option>`)}
      </select>
      <input class="input" type="date" aria-label=${t('production.bulk_due')} data-testid="bulk-due" value=${due} onInput=${(e) => setDue(e.target.value)} />`}
    <button type="button" class="btn btn-primary btn-sm" data-testid="bulk-apply" disabled=${busy || !changes || !taskIds.length} onClick=${apply}>
      ${t('production.apply')}</button>
    <button type="button" class="btn btn-ghost btn-sm" onClick=${onClear}>${t('production.clear_selection')}</button>
    ${error && html`<div class="pg-bulk-error"><${ErrorBox} error=${error} /></div>`}
  </div>`;
}

function AddEntityDialog({ project, type, anc, onClose, onAdded }) {
  const parents = [...anc.parents.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const f = useForm({ name: '', parent_id: parents[0] ? parents[0].id : '', frame_in: '', frame_out: '' });
  const save = f.submit(async (v) => {
    const body = { type_id: type.id, name: v.name.trim() };
    if (anc.parentType) body.parent_id = v.parent_id;
    if (v.frame_in !== '') body.frame_in = Number(v.frame_in);
    if (v.frame_out !== '') body.frame_out = Number(v.frame_out);
    const e = await api.post(`/api/v1/projects/${project.id}/entities`, body);
    toast(t('production.entity_added', { name: e.name }));
    onAdded(e);
  });
  return html`<${Dialog} title=${t('production.add_entity', { type: type.name })} onClose=${onClose}>
    <form onSubmit=${save} novalidate class="stack" data-testid="add-entity-form">
      <${FormError} form=${f} />
      <${TextField} form=${f} name="name" label=${t('production.name')} required autofocus />
      ${anc.parentType && html`<${SelectField} form=${f} name="parent_id" label=${anc.parentType.name}
        options=${parents.map((p) => [p.id, p.parent_name ? `${p.parent_name} / ${p.name}` : p.name])} />`}
      <div class="pg-form-row">
        <${TextField} form=${f} name="frame_in" type="number" label=${t('production.frame_in')} />
        <${TextField} form=${f} name="frame_out" type="number" label=${t('production.frame_out')} />
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${t('action.add')}<//>
      </div>
    </form>
  <//>`;
}

