// web/review/task.js: the task page, /projects/<id>/production/tasks/<taskId> (mounted by the
// production tab, web/production/page.js): the task's header (entity, task type, status with
// the statuses the caller's role may set, assignees, dates, priority), its versions with the
// review player (frame-accurate notes with drawings, approve / request changes for
// supervisors and clients), submitting a version from the project's assets, and the comment
// thread.
import { html, useState, useEffect } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Loading, Spinner, useAsync, useTitle, Avatar } from '/lib/ui.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { toast } from '/lib/toast.js';
import { fmtDate, fmtDateTime } from '/lib/format.js';
import { useSession } from '/lib/session.js';
import { stylesReady, productionRole, allowedStatuses, mayReview, mayComment, versionLabel, ReviewBadge, StatusChip } from './common.js';
import { ReviewPlayer } from './player.js';
import { CommentThread, AssetPicker } from './comments.js';
import { ReviewLinks } from './links.js';

await stylesReady;

const PRIORITIES = () => [t('review.priority.0'), t('review.priority.1'), t('review.priority.2'), t('review.priority.3')];

async function allPages(path, q = {}) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const page = await api.get(path, { ...q, limit: 100, cursor });
    out.push(...(page.items || []));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

// The people of the project (its members and the owning organization's), for names and
// @mentions. The organization's list only for its members (others may not read it).
async function loadPeople(project, me) {
  const byId = new Map();
  if (me) byId.set(me.id, { user_id: me.id, display_name: me.display_name, email: me.email });
  const lists = await Promise.all([
    allPages(`/api/v1/projects/${project.id}/members`).catch(() => []),
    project.org_id && me && (me.orgs || []).some((o) => o.id === project.org_id) ? allPages(`/api/v1/orgs/${project.org_id}/members`).catch(() => []) : [],
  ]);
  for (const m of lists.flat()) if (m.user_id && !byId.has(m.user_id)) byId.set(m.user_id, m);
  return [...byId.values()];
}

function SubmitDialog({ task, projectId, statuses, onClose, onDone }) {
  const [asset, setAsset] = useState(null);
  const [text, setText] = useState('');
  const [statusId, setStatusId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (!asset || busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = { asset_id: asset.id };
      if (text.trim()) body.text = text.trim();
      if (statusId) body.status_id = statusId;
      const v = await api.post(`/api/v1/tasks/${task.id}/versions`, body);
      onDone(v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${t('review.submit_title')} onClose=${onClose}
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="submit" form="rv-submit-form" class="btn btn-primary" disabled=${!asset || busy} data-testid="submit-version-go">
        ${busy && html`<${Spinner} />`}${t('review.submit')}</button>`}>
    <form id="rv-submit-form" class="form" onSubmit=${submit} novalidate>
      ${asset
        ? html`<div class="picked" data-testid="picked-asset"><${Icon} name="film" /><span class="picked-main truncate">${asset.name}</span>
            <button type="button" class="btn btn-sm btn-ghost" onClick=${() => setAsset(null)}>${t('review.change')}</button></div>`
        : html`<${AssetPicker} projectId=${projectId} onPick=${setAsset} testid="version-asset-picker" />`}
      <div class="field">
        <label class="field-label" for="rv-submit-text">${t('review.version_text')}</label>
        <textarea id="rv-submit-text" class="input textarea" rows="3" maxlength="20000" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
      </div>
      ${statuses.length > 0 && html`<div class="field">
        <label class="field-label" for="rv-submit-status">${t('review.status_with_version')}</label>
        <select id="rv-submit-status" class="input select" value=${statusId} onChange=${(e) => setStatusId(e.target.value)}>
          <option value="">${t('review.keep_status')}</option>
          ${statuses.map((s) => html`<option key=${s.id} value=${s.id}>${s.name}</option>`)}
        </select>
      </div>`}
      <${ErrorBox} error=${error} />
    </form>
  <//>`;
}

function VersionPanel({ version, role, me, onChanged }) {
  const notes = useAsync(() => api.get(`/api/v1/versions/${version.id}/notes`), [version.id]);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  const items = (notes.data && notes.data.items) || [];
  const review = async (status) => {
    setBusy(status);
    setError(null);
    try {
      const v = await api.patch(`/api/v1/versions/${version.id}`, { review_status: status }, { etag: etagOf(version) });
      onChanged(v);
      toast(status === 'approved' ? t('review.approved_toast') : t('review.changes_toast'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const setNotes = (f) => notes.setData((d) => ({ ...(d || {}), items: f((d && d.items) || []) }));
  // A version just submitted may still have its preview made by the server's jobs: look
  // again every few seconds until the proxy is there.
  const waiting = !(version.media && version.media.proxy);
  const [poll, setPoll] = useState(0);
  useEffect(() => {
    if (!waiting) return undefined;
    const id = setTimeout(() => {
      api.get(`/api/v1/versions/${version.id}`).then(onChanged, () => {}).then(() => setPoll((n) => n + 1));
    }, 3000);
    return () => clearTimeout(id);
  }, [waiting, version.id, poll]);
  return html`<section class="rv-version" data-testid="version-panel">
    <div class="rv-version-head">
      <h2 class="rv-section-title">${versionLabel(version.number)} <${ReviewBadge} status=${version.review_status} /></h2>
      <span class="muted small">${version.submitted_by_name || ''} ${fmtDateTime(version.created_at)}</span>
      <span class="toolbar-spacer"></span>
      ${mayReview(role) && html`<div class="inline-actions">
        <button type="button" class="btn btn-sm" disabled=${!!busy || version.review_status === 'changes_requested'}
          data-testid="request-changes" onClick=${() => review('changes_requested')}>${busy === 'changes_requested' && html`<${Spinner} />`}${t('review.request_changes')}</button>
        <button type="button" class="btn btn-sm btn-primary" disabled=${!!busy || version.review_status === 'approved'}
          data-testid="approve" onClick=${() => review('approved')}>${busy === 'approved' && html`<${Spinner} />`}<${Icon} name="check" size=${13} />${t('review.approve')}</button>
      </div>`}
    </div>
    ${version.text && html`<p class="prewrap rv-version-text">${version.text}</p>`}
    <${ErrorBox} error=${error || notes.error} />
    <${ReviewPlayer} version=${version} notes=${items} canNote=${mayComment(role)}
      onCreate=${async (body) => {
        const n = await api.post(`/api/v1/versions/${version.id}/notes`, body);
        setNotes((l) => [...l, n]);
        return n;
      }}
      onResolve=${mayComment(role) ? async (n) => {
        try {
          const u = await api.patch(`/api/v1/notes/${n.id}`, { resolved: !n.resolved }, { etag: etagOf(n) });
          setNotes((l) => l.map((x) => (x.id === u.id ? u : x)));
        } catch (err) {
          setError(err);
        }
      } : null}
      canDelete=${(n) => role === 'supervisor' || (me && n.author_id === me.id)}
      onDelete=${async (n) => {
        if (!(await confirmAction({ title: t('review.delete_note'), message: t('review.delete_note_body'), confirmLabel: t('review.delete'), danger: true }))) return;
        try {
          await api.del(`/api/v1/notes/${n.id}`, { etag: etagOf(n) });
          setNotes((l) => l.filter((x) => x.id !== n.id));
        } catch (err) {
          setError(err);
        }
      }} />
  </section>`;
}

export default function TaskPage({ project, taskId }) {
  const role = productionRole(project);
  const [tick, setTick] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [current, setCurrent] = useState(null);
  const [statusErr, setStatusErr] = useState(null);
  const { me } = useSession();
  const data = useAsync(async () => {
    const [task, statuses, people, versions, comments] = await Promise.all([
      api.request('GET', `/api/v1/tasks/${taskId}`).then((r) => ({ ...r.data, etag: r.etag })),
      allPages(`/api/v1/projects/${project.id}/task-statuses`),
      loadPeople(project, me),
      api.get(`/api/v1/tasks/${taskId}/versions`),
      allPages(`/api/v1/tasks/${taskId}/comments`),
    ]);
    return { task, statuses, people, versions: versions.items || [], comments };
  }, [project.id, taskId, tick]);
  const d = data.data;
  useTitle(d ? `${d.task.entity_name} · ${d.task.task_type}` : t('review.task'));
  useEffect(() => {
    if (!d) return;
    if (!current || !d.versions.some((v) => v.id === current)) setCurrent(d.versions.length ? d.versions[0].id : null);
  }, [d]);

  if (data.error && !d) return html`<div class="page"><${ErrorBox} error=${data.error} onRetry=${data.reload} /></div>`;
  if (!d) return html`<${Loading} />`;
  const { task, statuses, people, versions, comments } = d;
  const allowed = allowedStatuses(role, statuses);
  const reload = () => setTick((n) => n + 1);
  const person = (id) => people.find((p) => p.user_id === id);
  const version = versions.find((v) => v.id === current);
  const base = `/projects/${project.id}/production`;

  const setStatus = async (statusId) => {
    setStatusErr(null);
    try {
      await api.patch(`/api/v1/tasks/${task.id}`, { status_id: statusId }, { etag: task.etag || etagOf(task) });
      reload();
    } catch (err) {
      setStatusErr(err);
      if (err.slug === 'stale-version') reload();
    }
  };

  return html`<div class="page page-wide rv-task" data-testid="task-page">
    <header class="page-header">
      <nav class="crumbs" aria-label=${t('nav.breadcrumb')}>
        <a href=${base}>${t('review.production')}</a><span aria-hidden="true"> / </span>
        ${task.parent_name && html`<span>${task.parent_name}</span><span aria-hidden="true"> / </span>`}<span>${task.entity_name}</span>
      </nav>
      <div class="page-header-row">
        <div class="page-title-block">
          <h1 class="page-title" data-testid="task-title">${task.entity_name} <span class="muted">· ${task.task_type}</span></h1>
          <div class="page-subtitle">${task.entity_type}</div>
        </div>
        <div class="page-actions">
          ${allowed.length > 0
            ? html`<label class="rv-status-pick"><span class="offscreen">${t('review.status')}</span>
                <${StatusChip} status=${task.status} color=${task.status_color} />
                <select class="input select select-sm" value=${task.status_id} data-testid="task-status"
                  onChange=${(e) => setStatus(e.target.value)}>
                  ${!allowed.some((s) => s.id === task.status_id) && html`<option value=${task.status_id}>${(statuses.find((x) => x.id === task.status_id) || {}).name || task.status}</option>`}
                  ${allowed.map((s) => html`<option key=${s.id} value=${s.id}>${s.name}</option>`)}
                </select></label>`
            : html`<${StatusChip} status=${task.status} color=${task.status_color} />`}
          ${mayComment(role) && role !== 'client' && html`<button type="button" class="btn btn-primary" data-testid="submit-version"
            onClick=${() => setSubmitting(true)}><${Icon} name="upload" />${t('review.submit_version')}</button>`}
        </div>
      </div>
      <dl class="rv-facts">
        <div><dt>${t('review.assignees')}</dt><dd data-testid="task-assignees">${(task.assignees || []).length === 0 ? html`<span class="muted">—</span>`
          : task.assignees.map((id) => {
            const p = person(id);
            return html`<span key=${id} class="rv-person"><${Avatar} name=${p ? p.display_name : '?'} id=${id} size="sm" />${p ? p.display_name : t('review.someone')}</span>`;
          })}</dd></div>
        <div><dt>${t('review.start')}</dt><dd>${task.start_date ? fmtDate(task.start_date) : '—'}</dd></div>
        <div><dt>${t('review.due')}</dt><dd>${task.due_date ? fmtDate(task.due_date) : '—'}</dd></div>
        <div><dt>${t('review.priority')}</dt><dd>${PRIORITIES()[task.priority] || task.priority}</dd></div>
        <div><dt>${t('review.retakes')}</dt><dd>${task.retake_count || 0}</dd></div>
      </dl>
      <${ErrorBox} error=${statusErr} />
    </header>
    <div class="rv-task-body">
      <div class="rv-task-main">
        <div class="rv-versions" role="tablist" aria-label=${t('review.versions')} data-testid="versions">
          ${versions.length === 0 && html`<p class="muted">${t('review.no_versions')}</p>`}
          ${versions.map((v) => html`<button key=${v.id} type="button" role="tab" aria-selected=${v.id === current ? 'true' : 'false'}
            class=${`rv-version-tab ${v.id === current ? 'is-active' : ''}`} data-testid="version-tab" onClick=${() => setCurrent(v.id)}>
            <span class="strong">${versionLabel(v.number)}</span><${ReviewBadge} status=${v.review_status} />
            ${v.note_count > 0 && html`<span class="count">${v.note_count}</span>`}
          </button>`)}
        </div>
        ${version && html`<${VersionPanel} key=${version.id} version=${version} role=${role} me=${me}
          onChanged=${(v) => data.setData((x) => ({ ...x, versions: x.versions.map((o) => (o.id === v.id ? { ...o, ...v } : o)) }))} />`}
        ${version && (role === 'supervisor' || role === 'artist') && html`<${ReviewLinks} key=${`links-${version.id}`} projectId=${project.id}
          query=${{ version_id: version.id }} createPath=${`/api/v1/versions/${version.id}/review-links`}
          body=${t('review.version_links_body', { version: versionLabel(version.number) })} />`}
      </div>
      <${CommentThread} task=${task} projectId=${project.id} statuses=${statuses} allowed=${allowed} people=${people}
        canComment=${mayComment(role)} comments=${comments} onPosted=${reload} />
    </div>
    ${submitting && html`<${SubmitDialog} task=${task} projectId=${project.id} statuses=${allowed} onClose=${() => setSubmitting(false)}
      onDone=${(v) => {
        setSubmitting(false);
        setCurrent(v.id);
        toast(t('review.submitted', { version: versionLabel(v.number) }));
        reload();
      }} />`}
  </div>`;
}
