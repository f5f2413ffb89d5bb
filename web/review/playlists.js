// web/review/playlists.js: the Playlists page of the production tab,
// /projects/<id>/production/playlists[/<playlistId>[/review]]:
//   - the list of the project's playlists (team or client) and creating one;
//   - a playlist: its versions in order (add from a task's versions, move up and down, remove:
//     PUT /playlists/{id}/items replaces the order), its client review links (create one with
//     an expiry, a passphrase and whether guests may leave notes: the URL is shown once with a
//     copy field; revoke);
//   - the review mode (<playlistId>/review): the versions played in sequence (the next one
//     starts when one ends), with each item's notes and the note composer, as in the task page.
import { html, useState, useEffect } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Loading, Spinner, Empty, useAsync, usePaged, LoadMore, useTitle, Badge } from '/lib/ui.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { fmtDateTime } from '/lib/format.js';
import { useSession } from '/lib/session.js';
import { stylesReady, productionRole, mayComment, versionLabel, ReviewBadge } from './common.js';
import { ReviewMode } from './review-mode.js';
import { ReviewLinks } from './links.js';

await stylesReady;

const audienceLabel = (a) => (a === 'client' ? t('review.audience.client') : t('review.audience.team'));

function CreatePlaylist({ projectId, onClose, onDone }) {
  const [name, setName] = useState('');
  const [audience, setAudience] = useState('team');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.post(`/api/v1/projects/${projectId}/playlists`, { name: name.trim(), audience }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${t('review.new_playlist')} onClose=${onClose} size="sm"
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="submit" form="rv-pl-form" class="btn btn-primary" disabled=${!name.trim() || busy} data-testid="playlist-create-go">
        ${busy && html`<${Spinner} />`}${t('review.create')}</button>`}>
    <form id="rv-pl-form" class="form" onSubmit=${submit} novalidate>
      <div class="field">
        <label class="field-label" for="rv-pl-name">${t('review.playlist_name')}</label>
        <input id="rv-pl-name" class="input" value=${name} maxlength="200" autofocus onInput=${(e) => setName(e.target.value)} />
      </div>
      <div class="field">
        <label class="field-label" for="rv-pl-aud">${t('review.audience')}</label>
        <select id="rv-pl-aud" class="input select" value=${audience} onChange=${(e) => setAudience(e.target.value)}>
          <option value="team">${t('review.audience.team')}</option>
          <option value="client">${t('review.audience.client')}</option>
        </select>
      </div>
      <${ErrorBox} error=${error} />
    </form>
  <//>`;
}

function PlaylistList({ project, base }) {
  const role = productionRole(project);
  const [creating, setCreating] = useState(false);
  const list = useAsync(() => api.get(`/api/v1/projects/${project.id}/playlists`), [project.id]);
  useTitle(t('review.playlists'));
  const items = (list.data && list.data.items) || [];
  return html`<div class="page page-wide rv-playlists" data-testid="playlists-page">
    <header class="page-header"><div class="page-header-row">
      <div class="page-title-block"><h1 class="page-title">${t('review.playlists')}</h1>
        <div class="page-subtitle">${t('review.playlists_sub')}</div></div>
      ${(role === 'supervisor' || role === 'artist') && html`<div class="page-actions"><button type="button" class="btn btn-primary" data-testid="playlist-new"
        onClick=${() => setCreating(true)}><${Icon} name="plus" />${t('review.new_playlist')}</button></div>`}
    </div></header>
    <${ErrorBox} error=${list.error} onRetry=${list.reload} />
    ${list.loading && !list.data ? html`<${Loading} />` : items.length === 0
      ? html`<${Empty} icon="list" title=${t('review.no_playlists')}>${t('review.no_playlists_body')}<//>`
      : html`<ul class="rv-pl-list">${items.map((p) => html`<li key=${p.id}>
          <a class="rv-pl-row" href=${`${base}/${p.id}`} data-testid="playlist-row">
            <${Icon} name="list" /><span class="strong truncate">${p.name}</span>
            <${Badge} kind=${p.audience === 'client' ? 'accent' : 'muted'}>${audienceLabel(p.audience)}<//>
            <span class="muted small">${t('review.n_versions', { n: p.item_count || 0 })}</span>
            <span class="toolbar-spacer"></span><span class="muted small">${fmtDateTime(p.created_at)}</span>
          </a></li>`)}</ul>`}
    ${creating && html`<${CreatePlaylist} projectId=${project.id} onClose=${() => setCreating(false)}
      onDone=${(p) => navigate(`${base}/${p.id}`)} />`}
  </div>`;
}

// Pick versions to add: the project's versions, newest first (GET /projects/{id}/versions),
// narrowed by review status and by a shot, sequence or task type name.
function AddVersions({ project, onClose, onAdd, have, busy }) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const paged = usePaged((cursor) => api.get(`/api/v1/projects/${project.id}/versions`, { limit: 50, cursor, review_status: status }),
    [project.id, status]);
  const needle = q.trim().toLowerCase();
  const shown = paged.items.filter((v) => !needle
    || `${v.entity_name} ${v.parent_name || ''} ${v.task_type_name} ${v.asset_name || ''}`.toLowerCase().includes(needle));
  return html`<${Dialog} title=${t('review.add_versions')} onClose=${onClose}
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.close')}</button>`}>
    <div class="rv-add">
      <div class="rv-add-filters">
        <input class="input" type="search" value=${q} placeholder=${t('review.find_version')} aria-label=${t('review.find_version')}
          onInput=${(e) => setQ(e.target.value)} />
        <select class="input select" value=${status} aria-label=${t('review.review_status')} onChange=${(e) => setStatus(e.target.value)}>
          <option value="">${t('review.any_status')}</option>
          <option value="pending">${t('review.status.pending')}</option>
          <option value="approved">${t('review.status.approved')}</option>
          <option value="changes_requested">${t('review.status.changes_requested')}</option>
        </select>
      </div>
      <${ErrorBox} error=${paged.error} />
      ${paged.loading && !paged.items.length ? html`<${Loading} />` : shown.length === 0 ? html`<p class="muted">${t('review.no_versions')}</p>`
        : html`<ul class="rv-asset-list">${shown.map((v) => html`<li key=${v.id}>
            <button type="button" class="rv-asset-row" disabled=${busy || have.includes(v.id)} data-testid="add-version" onClick=${() => onAdd(v)}>
              ${v.media && v.media.thumbnail ? html`<img class="rv-add-thumb" src=${v.media.thumbnail} alt="" />`
                : html`<span class="rv-add-thumb rv-item-ph"><${Icon} name="film" size=${14} /></span>`}
              <span class="rv-item-main"><span class="strong truncate">${v.entity_name} · ${versionLabel(v.number)}</span>
                <span class="muted small truncate">${[v.parent_name, v.task_type_name, v.text].filter(Boolean).join(' · ')}</span></span>
              <${ReviewBadge} status=${v.review_status} />
              ${have.includes(v.id) && html`<${Icon} name="check" size=${14} />`}
            </button></li>`)}</ul>`}
      <${LoadMore} paged=${paged} />
    </div>
  <//>`;
}

function PlaylistDetail({ project, id, base }) {
  const role = productionRole(project);
  // Playlists and review links are for artists and supervisors (the server's rule).
  const manage = role === 'supervisor' || role === 'artist';
  const pl = useAsync(() => api.request('GET', `/api/v1/playlists/${id}`).then((r) => ({ ...r.data, etag: r.etag })), [id]);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (!pl.loading) setSaving(false);
  }, [pl.loading, pl.data]);
  useTitle(pl.data ? pl.data.name : t('review.playlists'));
  if (pl.error && !pl.data) return html`<div class="page"><${ErrorBox} error=${pl.error} onRetry=${pl.reload} /></div>`;
  if (!pl.data) return html`<${Loading} />`;
  const p = pl.data;
  const items = p.items || [];
  const ids = items.map((it) => it.version.id);
  // One change at a time: each PUT replaces the whole order, so the next one waits for the
  // reloaded playlist.
  const put = async (next) => {
    if (saving) return;
    setSaving(true);
    setError(null);
    try {
      await api.request('PUT', `/api/v1/playlists/${p.id}/items`, { body: { version_ids: next }, etag: p.etag || etagOf(p) });
    } catch (err) {
      setError(err);
    }
    pl.reload();
  };
  const move = (i, d) => {
    const next = [...ids];
    const j = i + d;
    if (j < 0 || j >= next.length) return;
    [next[i], next[j]] = [next[j], next[i]];
    put(next);
  };
  return html`<div class="page page-wide rv-playlist" data-testid="playlist-page">
    <header class="page-header">
      <nav class="crumbs" aria-label=${t('nav.breadcrumb')}><a href=${base}>${t('review.playlists')}</a></nav>
      <div class="page-header-row">
        <div class="page-title-block"><h1 class="page-title">${p.name}</h1>
          <div class="page-subtitle">${audienceLabel(p.audience)} · ${t('review.n_versions', { n: items.length })}</div></div>
        <div class="page-actions">
          <a class=${`btn btn-primary ${items.length ? '' : 'is-disabled'}`} href=${`${base}/${p.id}/review`} data-testid="playlist-review"
            aria-disabled=${items.length ? undefined : 'true'}><${Icon} name="play" />${t('review.review_mode')}</a>
          ${manage && html`<button type="button" class="btn" data-testid="playlist-add" onClick=${() => setAdding(true)}>
            <${Icon} name="plus" />${t('review.add_versions')}</button>`}
          ${manage && html`<button type="button" class="btn btn-ghost-danger" onClick=${async () => {
            if (!(await confirmAction({ title: t('review.delete_playlist'), message: p.name, confirmLabel: t('review.delete'), danger: true }))) return;
            try {
              await api.del(`/api/v1/playlists/${p.id}`, { etag: p.etag || etagOf(p) });
              navigate(base);
            } catch (err) {
              setError(err);
            }
          }}><${Icon} name="trash" />${t('review.delete')}</button>`}
        </div>
      </div>
    </header>
    <${ErrorBox} error=${error} />
    ${items.length === 0 ? html`<${Empty} icon="film" title=${t('review.empty_playlist')}>${t('review.empty_playlist_body')}<//>`
      : html`<ol class="rv-items" data-testid="playlist-items">${items.map((it, i) => html`<li key=${it.version.id} class="rv-item" data-testid="playlist-item">
          <span class="rv-item-pos muted">${i + 1}</span>
          ${it.version.media && it.version.media.thumbnail ? html`<img class="rv-item-thumb" src=${it.version.media.thumbnail} alt="" />`
            : html`<span class="rv-item-thumb rv-item-ph"><${Icon} name="film" /></span>`}
          <span class="rv-item-main">
            <a class="strong" href=${`/projects/${project.id}/production/tasks/${it.version.task_id}`}>${it.version.entity_name}</a>
            <span class="muted small">${it.version.task_type_name} · ${versionLabel(it.version.number)}</span>
          </span>
          <${ReviewBadge} status=${it.version.review_status} />
          ${manage && html`<span class="inline-actions">
            <button type="button" class="icon-btn" disabled=${saving || i === 0} aria-label=${t('review.move_up')} data-testid="item-up" onClick=${() => move(i, -1)}>↑</button>
            <button type="button" class="icon-btn" disabled=${saving || i === items.length - 1} aria-label=${t('review.move_down')} data-testid="item-down" onClick=${() => move(i, 1)}>↓</button>
            <button type="button" class="icon-btn" disabled=${saving} aria-label=${t('review.remove')} data-testid="item-remove" onClick=${() => put(ids.filter((x) => x !== it.version.id))}>
              <${Icon} name="x" size=${14} /></button>
          </span>`}
        </li>`)}</ol>`}
    ${manage && html`<${ReviewLinks} projectId=${project.id} query=${{ playlist_id: p.id }} createPath=${`/api/v1/playlists/${p.id}/review-links`}
      body=${t('review.links_body')} />`}
    ${adding && html`<${AddVersions} project=${project} have=${ids} busy=${saving} onClose=${() => setAdding(false)} onAdd=${(v) => put([...ids, v.id])} />`}
  </div>`;
}

function PlaylistReview({ project, id, base }) {
  const role = productionRole(project);
  const { me } = useSession();
  const pl = useAsync(() => api.get(`/api/v1/playlists/${id}`), [id]);
  useTitle(pl.data ? pl.data.name : t('review.review_mode'));
  if (pl.error && !pl.data) return html`<div class="page"><${ErrorBox} error=${pl.error} onRetry=${pl.reload} /></div>`;
  if (!pl.data) return html`<${Loading} />`;
  const items = (pl.data.items || []).map((it) => ({ ...it.version, version_id: it.version.id }));
  return html`<div class="page page-wide">
    <${ReviewMode} items=${items} title=${pl.data.name} canNote=${mayComment(role)}
      back=${html`<a class="btn btn-sm btn-ghost" href=${`${base}/${id}`}>← ${t('review.back_playlist')}</a>`}
      loadNotes=${async (v) => (await api.get(`/api/v1/versions/${v.id}/notes`)).items || []}
      createNote=${(v, body) => api.post(`/api/v1/versions/${v.id}/notes`, body)}
      onResolve=${mayComment(role) ? (n) => api.patch(`/api/v1/notes/${n.id}`, { resolved: !n.resolved }, { etag: etagOf(n) }) : null}
      onDelete=${async (n) => {
        if (!(await confirmAction({ title: t('review.delete_note'), message: t('review.delete_note_body'), confirmLabel: t('review.delete'), danger: true }))) return false;
        await api.del(`/api/v1/notes/${n.id}`, { etag: etagOf(n) });
        return true;
      }}
      canDelete=${(n) => role === 'supervisor' || (me && n.author_id === me.id)} />
  </div>`;
}

export default function PlaylistsPage({ project, rest = '' }) {
  const base = `/projects/${project.id}/production/playlists`;
  const parts = String(rest || '').split('/').filter(Boolean);
  if (!parts.length) return html`<${PlaylistList} project=${project} base=${base} />`;
  if (parts[1] === 'review') return html`<${PlaylistReview} key=${parts[0]} project=${project} id=${parts[0]} base=${base} />`;
  return html`<${PlaylistDetail} key=${parts[0]} project=${project} id=${parts[0]} base=${base} />`;
}
