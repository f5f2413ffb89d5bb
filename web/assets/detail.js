// web/assets/detail.js: the panel beside the grid for one asset: its preview (the proxy in a
// <video> with filmstrip scrubbing, the waveform for sound, the picture for stills), the
// probe's facts, tags, name and folder, version history (download, restore, compare two),
// a new version from a file, share links, and delete. Viewers see; editors change.
import { html, useState, useEffect, useRef } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { useForm, TextField, FormError, check } from '/lib/forms.js';
import { toast } from '/lib/toast.js';
import { useAsync, Badge, ErrorBox, Loading, Notice, Spinner, errorMessage } from '/lib/ui.js';
import { fmtDateTime, fmtRelative } from '/lib/format.js';
import { enqueue, onUploaded } from '/lib/upload.js';
import { Waveform, FilmstripStrip, FramePreview, useSprite } from '/lib/player.js';
import {
  channelLayout, fmtBytes, fmtCodec, fmtContainer, fmtFps, fmtResolution, fmtSampleRate, fmtTimecode, folderJoin, resolutionClass,
} from '/lib/media.js';
import { KindIcon, assetKindLabel, isProcessing, versionLabel } from './common.js';
import { ShareDialog } from './share.js';

const derivativeUrl = (a, kind) => `/api/v1/assets/${a.id}/derivatives/${kind}?v=${a.version_id}`;

function useWaveform(a) {
  const d = a.derivatives && a.derivatives.waveform;
  const done = d && d.state === 'done';
  const r = useAsync(() => (done ? api.get(`/api/v1/assets/${a.id}/derivatives/waveform`) : null), [a.id, a.version_id, done]);
  return r.data || null;
}

// ---- Preview. ----

function Preview({ a }) {
  const ders = a.derivatives || {};
  const media = useRef(null);
  const [time, setTime] = useState(0);
  const [dur, setDur] = useState(a.duration || 0);
  const [hover, setHover] = useState(null);
  const film = useSprite(ders.filmstrip && ders.filmstrip.state === 'done' ? derivativeUrl(a, 'filmstrip') : null);
  const geometry = ders.filmstrip && ders.filmstrip.meta;
  const wave = useWaveform(a);
  const seek = (s) => {
    if (media.current && Number.isFinite(s)) media.current.currentTime = s;
    setTime(s);
  };
  const events = {
    onTimeUpdate: (e) => setTime(e.currentTarget.currentTime),
    onLoadedMetadata: (e) => Number.isFinite(e.currentTarget.duration) && setDur(e.currentTarget.duration),
  };
  const proxy = a.proxy_url ? `${a.proxy_url}?v=${a.version_id}` : null;
  const poster = a.thumbnail_url ? derivativeUrl(a, 'thumbnail') : undefined;
  const failed = Object.entries(ders).filter(([, d]) => d.state === 'failed');

  let body;
  if (a.kind === 'video' && proxy) {
    body = html`<div class="player">
        <video ref=${media} class="player-video" controls playsinline preload="metadata" poster=${poster} src=${proxy}
          data-testid="asset-video" ...${events}></video>
        ${hover !== null && film && html`<${FramePreview} film=${film} geometry=${geometry} index=${hover} class="player-overlay" />`}
      </div>
      ${film && html`<${FilmstripStrip} film=${film} geometry=${geometry} duration=${dur} current=${time} onSeek=${seek}
        onHover=${(i) => setHover(i)} label=${t('assets.filmstrip')} />`}
      ${wave && html`<${Waveform} data=${wave} progress=${dur ? time / dur : 0} onSeek=${(f) => seek(f * dur)} label=${t('assets.waveform')} class="waveform-sm" />`}`;
  } else if (a.kind === 'audio' && (proxy || wave)) {
    body = html`<div class="audio-box">
      <div class="audio-head"><${KindIcon} kind="audio" size=${18} /><span class="mono">${fmtTimecode(time)} / ${fmtTimecode(dur)}</span></div>
      ${wave ? html`<${Waveform} data=${wave} progress=${dur ? time / dur : 0} onSeek=${(f) => seek(f * dur)} label=${t('assets.waveform')} />`
        : html`<div class="waveform-ph"><${Spinner} /></div>`}
      ${proxy && html`<audio ref=${media} class="player-audio" controls preload="metadata" src=${proxy} data-testid="asset-audio" ...${events}></audio>`}
    </div>`;
  } else if (a.thumbnail_url) {
    body = html`<div class="player player-still"><img class="player-img" src=${poster} alt=${a.name} /></div>`;
  } else if (isProcessing(a)) {
    body = html`<div class="player player-ph"><${Spinner} /><span>${t('assets.making_previews')}</span></div>`;
  } else {
    body = html`<div class="player player-ph"><${KindIcon} kind=${a.kind} size=${32} /><span>${t('assets.no_preview')}</span></div>`;
  }
  return html`<div class="detail-preview">
    ${body}
    ${a.kind === 'video' && !proxy && isProcessing(a) && a.thumbnail_url && html`<p class="muted small detail-note"><${Spinner} />${t('assets.making_proxy')}</p>`}
    ${a.probe_state === 'failed' && html`<${Notice} kind="warn">${t('assets.probe_failed')}${a.probe_error ? `: ${a.probe_error}` : ''}<//>`}
    ${failed.length > 0 && a.probe_state !== 'failed' && html`<${Notice} kind="warn">${failed.map(([k, d]) => html`<div key=${k}>${t('assets.derivative_failed', { kind: k })}${d.error ? `: ${d.error}` : ''}</div>`)}<//>`}
  </div>`;
}

// ---- Facts. ----

function Facts({ a, current }) {
  const rows = [];
  const add = (label, value, extra) => value && rows.push(html`<dt>${label}</dt><dd>${value}${extra || ''}</dd>`);
  add(t('assets.fact.kind'), assetKindLabel(a.kind));
  add(t('assets.fact.size'), html`<span title=${`${a.size} B`}>${fmtBytes(a.size)}</span>`);
  const rc = resolutionClass(a.width, a.height);
  add(t('assets.fact.resolution'), fmtResolution(a.width, a.height), rc && rc !== 'SD' ? html` <${Badge} kind="accent">${rc}<//>` : '');
  add(t('assets.fact.fps'), fmtFps(a.fps) && html`<span title=${a.fps}>${fmtFps(a.fps)}</span>`);
  add(t('assets.fact.duration'), a.duration ? html`<span class="mono" title=${`${a.duration} s`}>${fmtTimecode(a.duration, a.kind === 'video' ? a.fps : null)}</span>` : '');
  add(t('assets.fact.video'), fmtCodec(a.video_codec, a.video_profile));
  if (a.kind === 'video' && a.probe_state === 'done') add(t('assets.fact.range'), a.hdr ? html`<${Badge} kind="warn">HDR ${a.hdr}<//>` : 'SDR');
  const audio = [fmtCodec(a.audio_codec), channelLayout(a.audio_channels), fmtSampleRate(a.sample_rate)].filter(Boolean).join(' · ');
  add(t('assets.fact.audio'), audio);
  add(t('assets.fact.container'), fmtContainer(a.container));
  add(t('assets.fact.version'), html`<span class="mono">${versionLabel(a.current_number)}</span>`);
  if (current) {
    add(t('assets.fact.uploaded'), html`<span title=${fmtDateTime(current.created_at)}>${t('assets.uploaded_by', {
      name: current.uploaded_by_name || '—', when: fmtRelative(current.created_at) })}</span>`);
  }
  add(t('assets.fact.digest'), a.digest && html`<span class="mono digest" title=${`BLAKE3 ${a.digest}`}>${a.digest.slice(0, 16)}…</span>`);
  if (a.probe_state === 'pending') add(t('assets.fact.probe'), html`<span class="muted"><${Spinner} /> ${t('assets.probing')}</span>`);
  return html`<dl class="details detail-facts" data-testid="asset-facts">${rows}</dl>`;
}

// ---- Tags. ----

function Tags({ a, etag, canEdit, onSaved }) {
  const [tags, setTags] = useState(a.tags || []);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => setTags(a.tags || []), [JSON.stringify(a.tags || [])]);
  const dirty = JSON.stringify(tags) !== JSON.stringify(a.tags || []);
  const addTag = () => {
    const v = text.trim().replace(/,$/, '');
    if (v && !tags.includes(v) && v.length <= 64) setTags([...tags, v]);
    setText('');
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.request('PATCH', `/api/v1/assets/${a.id}`, { body: { tags }, etag });
      onSaved(r.data, r.etag);
      toast(t('assets.tags_saved'));
    } catch (e) {
      setError(e);
      if (e.status === 412) onSaved(null);
    } finally {
      setBusy(false);
    }
  };
  if (!canEdit && !tags.length) return html`<p class="muted small">${t('assets.no_tags')}</p>`;
  return html`<div class="tags" data-testid="asset-tags">
    <div class="tag-list">
      ${tags.map((tag) => html`<span key=${tag} class="tag-chip"><span class="truncate">${tag}</span>
        ${canEdit && html`<button type="button" class="tag-x" aria-label=${t('assets.remove_tag', { tag })} onClick=${() => setTags(tags.filter((x) => x !== tag))}><${Icon} name="x" size=${11} /></button>`}</span>`)}
      ${canEdit && html`<input class="tag-input" value=${text} placeholder=${t('assets.add_tag')} aria-label=${t('assets.add_tag')} maxlength="64"
        onInput=${(e) => setText(e.target.value)}
        onKeyDown=${(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            addTag();
          } else if (e.key === 'Backspace' && !text && tags.length) setTags(tags.slice(0, -1));
        }} onBlur=${addTag} />`}
    </div>
    ${error && html`<${ErrorBox} error=${error} />`}
    ${dirty && html`<div class="tag-actions">
      <button type="button" class="btn btn-sm" onClick=${() => setTags(a.tags || [])}>${t('action.cancel')}</button>
      <button type="button" class="btn btn-sm btn-primary" disabled=${busy} onClick=${save}>${busy && html`<${Spinner} />`}${t('assets.save_tags')}</button>
    </div>`}
  </div>`;
}

// ---- Name and folder. ----

function EditDialog({ a, etag, onClose, onSaved }) {
  const f = useForm({ name: a.name, folder: a.folder });
  const go = f.submit(async (v) => {
    check({ name: [v.name.trim() !== '' && !/[/\\]/.test(v.name), t('assets.name_rule')] });
    const r = await api.request('PATCH', `/api/v1/assets/${a.id}`, { body: { name: v.name.trim(), folder: folderJoin(v.folder) }, etag });
    onSaved(r.data, r.etag);
    toast(t('state.saved'));
    onClose();
  });
  return html`<${Dialog} title=${t('assets.rename_move')} onClose=${onClose}
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="submit" form="asset-edit-form" class="btn btn-primary" disabled=${f.busy}>${f.busy && html`<${Spinner} />`}${t('action.save')}</button>`}>
    <form id="asset-edit-form" class="form" onSubmit=${go} novalidate>
      <${FormError} form=${f} />
      <${TextField} form=${f} name="name" label=${t('assets.fact.name')} />
      <${TextField} form=${f} name="folder" label=${t('assets.fact.folder')} hint=${t('assets.folder_hint')} />
    </form>
  <//>`;
}

// ---- Versions. ----

const COMPARE_FIELDS = ['filename', 'size', 'digest', 'kind', 'container', 'duration', 'width', 'height', 'fps',
  'video_codec', 'video_profile', 'hdr', 'audio_codec', 'audio_channels', 'sample_rate'];

function showValue(field, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'size') return fmtBytes(v);
  if (field === 'digest') return `${String(v).slice(0, 12)}…`;
  if (field === 'fps') return fmtFps(v);
  if (field === 'duration') return fmtTimecode(v);
  if (field === 'video_codec' || field === 'audio_codec') return fmtCodec(v);
  if (field === 'sample_rate') return fmtSampleRate(v);
  if (field === 'audio_channels') return channelLayout(v);
  if (field === 'container') return fmtContainer(v);
  return String(v);
}

function CompareDialog({ a, pair, onClose }) {
  const [x, y] = pair;
  const r = useAsync(() => api.get(`/api/v1/assets/${a.id}/compare`, { a: x, b: y }), [a.id, x, y]);
  const c = r.data;
  return html`<${Dialog} title=${t('assets.compare_title', { a: versionLabel(x), b: versionLabel(y) })} onClose=${onClose}>
    ${r.error ? html`<${ErrorBox} error=${r.error} />` : !c ? html`<${Loading} />` : html`<div class="stack" data-testid="compare">
      <div class="compare-share">
        <div class="compare-meter"><progress max="1" value=${c.shared.fraction_of_b}></progress></div>
        <div>${t('assets.compare_shared', { pct: Math.round(c.shared.fraction_of_b * 100), b: versionLabel(y), a: versionLabel(x) })}</div>
        <div class="muted small">${t('assets.compare_chunks', { n: c.shared.chunks, bytes: fmtBytes(c.shared.bytes) })}</div>
      </div>
      ${c.differences.length === 0 ? html`<${Notice}>${t('assets.compare_same')}<//>` : html`<table class="compare-table">
        <thead><tr><th>${t('assets.compare_field')}</th><th>${versionLabel(x)}</th><th>${versionLabel(y)}</th></tr></thead>
        <tbody>${c.differences.filter((d) => COMPARE_FIELDS.includes(d.field)).map((d) => html`<tr key=${d.field}>
          <th>${t(`assets.cmp.${d.field}`)}</th><td>${showValue(d.field, d.a)}</td><td>${showValue(d.field, d.b)}</td>
        </tr>`)}</tbody>
      </table>`}
    </div>`}
  <//>`;
}

function Versions({ a, versions, canEdit, onRestored }) {
  const [picked, setPicked] = useState([]);
  const [comparing, setComparing] = useState(null);
  const [busy, setBusy] = useState(0);
  const items = (versions.data && versions.data.items) || [];
  useEffect(() => {
    // Two versions to compare by default: the current one and the one before it.
    if (items.length >= 2 && picked.length === 0) setPicked([items[1].number, items[0].number]);
  }, [items.length]);
  const toggle = (n) => setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p, n].slice(-2)));
  const restore = async (v) => {
    const ok = await confirmAction({
      title: t('assets.restore_title', { v: versionLabel(v.number) }),
      message: t('assets.restore_confirm', { v: versionLabel(v.number), next: versionLabel((a.latest_number || a.current_number) + 1) }),
      confirmLabel: t('assets.restore'),
    });
    if (!ok) return;
    setBusy(v.number);
    try {
      const r = await api.request('POST', `/api/v1/assets/${a.id}/versions/${v.number}/restore`);
      toast(t('assets.restored', { v: versionLabel(v.number) }));
      onRestored(r.data, r.etag);
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(0);
    }
  };
  if (versions.error) return html`<${ErrorBox} error=${versions.error} onRetry=${versions.reload} />`;
  if (!versions.data) return html`<${Loading} />`;
  return html`<div>
    <ul class="version-list" data-testid="versions">
      ${items.map((v) => {
        const current = v.number === a.current_number;
        return html`<li key=${v.id} class=${`version-row ${current ? 'current' : ''}`} data-testid="version-row">
          ${items.length > 1 && html`<input type="checkbox" class="version-pick" checked=${picked.includes(v.number)}
            aria-label=${t('assets.pick_version', { v: versionLabel(v.number) })} onChange=${() => toggle(v.number)} />`}
          <div class="version-main">
            <div class="version-line">
              <span class="version-label mono">${versionLabel(v.number)}</span>
              ${current && html`<${Badge} kind="ok">${t('assets.current')}<//>`}
              <span class="muted small truncate">${fmtBytes(v.size)}</span>
            </div>
            <div class="muted small truncate" title=${fmtDateTime(v.created_at)}>${t('assets.uploaded_by', { name: v.uploaded_by_name || '—', when: fmtRelative(v.created_at) })}</div>
            ${v.comment && html`<div class="small version-comment">${v.restored_from ? t('assets.restored_from', { v: versionLabel(v.restored_from) }) : v.comment}</div>`}
          </div>
          <div class="version-actions">
            <a class="icon-btn" href=${`/api/v1/assets/${a.id}/content?version=${v.number}`} download data-native
              title=${t('assets.download_version', { v: versionLabel(v.number) })} aria-label=${t('assets.download_version', { v: versionLabel(v.number) })}><${Icon} name="download" /></a>
            ${canEdit && !current && html`<button type="button" class="btn btn-sm" disabled=${busy === v.number} onClick=${() => restore(v)}>
              ${busy === v.number ? html`<${Spinner} />` : html`<${Icon} name="history" />`}${t('assets.restore')}</button>`}
          </div>
        </li>`;
      })}
    </ul>
    ${items.length > 1 && html`<div class="version-compare">
      <button type="button" class="btn btn-sm" disabled=${picked.length !== 2} onClick=${() => setComparing([...picked].sort((x, y) => x - y))}>
        <${Icon} name="compare" />${picked.length === 2 ? t('assets.compare_pair', { a: versionLabel(Math.min(...picked)), b: versionLabel(Math.max(...picked)) }) : t('assets.compare_pick')}</button>
    </div>`}
    ${comparing && html`<${CompareDialog} a=${a} pair=${comparing} onClose=${() => setComparing(null)} />`}
  </div>`;
}

// ---- The panel. ----

export function AssetDetail({ id, project, canEdit, onClose, onChanged, onDeleted, hrefFor }) {
  const r = useAsync(() => api.request('GET', `/api/v1/assets/${id}`), [id]);
  const a = r.data && r.data.data;
  const etag = r.data && r.data.etag;
  const versions = useAsync(() => api.get(`/api/v1/assets/${id}/versions`), [id, a && a.current_number]);
  const [sharing, setSharing] = useState(false);
  const [editing, setEditing] = useState(false);
  const newVersion = useRef(null);
  const [uploading, setUploading] = useState(false);

  const refresh = async () => {
    try {
      const res = await api.request('GET', `/api/v1/assets/${id}`);
      r.setData({ data: res.data, etag: res.etag });
      onChanged(res.data);
    } catch (e) {
      if (e.status === 404) onDeleted(id);
    }
  };
  const saved = (data, newEtag) => {
    if (!data) {
      refresh();
      return;
    }
    r.setData({ data, etag: newEtag });
    onChanged(data);
  };

  // While the probe or the previews are being made, look again.
  const processing = a && isProcessing(a);
  useEffect(() => {
    if (!processing) return undefined;
    const timer = setTimeout(refresh, 1500);
    return () => clearTimeout(timer);
  }, [processing, a]);

  // A new version uploaded from here: show it when it is in.
  useEffect(() => onUploaded((item) => {
    if (item.assetId === id) {
      setUploading(false);
      refresh();
    }
  }), [id]);

  useEffect(() => {
    const onKey = (e) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const remove = async () => {
    const ok = await confirmAction({
      title: t('assets.delete_title'),
      message: t('assets.delete_confirm', { name: a.name }),
      confirmLabel: t('assets.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/assets/${a.id}`, { etag });
      toast(t('assets.deleted', { name: a.name }));
      onDeleted(a.id);
    } catch (e) {
      toast(errorMessage(e), 'error');
      if (e.status === 412) refresh();
    }
  };

  const current = versions.data && (versions.data.items || []).find((v) => a && v.number === a.current_number);
  return html`<aside class="asset-detail" aria-label=${t('assets.detail')} data-testid="asset-detail">
    <div class="detail-head">
      ${a ? html`<div class="detail-title-block">
          <h2 class="detail-title" title=${a.name}>${a.name}</h2>
          <a class="detail-folder small truncate" href=${hrefFor(a.folder)} title=${a.folder}><${Icon} name="folder" size=${13} />${a.folder === '/' ? t('assets.root') : a.folder}</a>
        </div>` : html`<div class="detail-title-block"></div>`}
      <button type="button" class="icon-btn" aria-label=${t('action.close')} onClick=${onClose} data-testid="detail-close"><${Icon} name="x" /></button>
    </div>
    ${r.error && !a ? html`<div class="detail-body"><${ErrorBox} error=${r.error} onRetry=${r.reload} /></div>`
      : !a ? html`<${Loading} />`
      : html`<div class="detail-body">
        <${Preview} key=${a.version_id} a=${a} />
        <div class="detail-actions">
          <a class="btn btn-sm" href=${`${a.content_url}?disposition=attachment`} download data-native data-testid="asset-download"><${Icon} name="download" />${t('assets.download')}</a>
          ${canEdit && html`<button type="button" class="btn btn-sm" onClick=${() => setSharing(true)} data-testid="asset-share"><${Icon} name="link" />${t('assets.share')}</button>`}
          ${canEdit && html`<button type="button" class="btn btn-sm" disabled=${uploading} onClick=${() => newVersion.current.click()}>
            ${uploading ? html`<${Spinner} />` : html`<${Icon} name="upload" />`}${t('assets.new_version')}</button>`}
          ${canEdit && html`<button type="button" class="btn btn-sm" onClick=${() => setEditing(true)}><${Icon} name="settings" />${t('assets.rename_move')}</button>`}
          ${canEdit && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${remove}><${Icon} name="trash" />${t('assets.delete')}</button>`}
          <input ref=${newVersion} type="file" class="offscreen" tabindex="-1" aria-hidden="true" data-testid="upload-version" onChange=${(e) => {
            const file = e.target.files && e.target.files[0];
            e.target.value = '';
            if (!file) return;
            enqueue(project.id, [{ file, folder: a.folder, name: a.name }]);
            setUploading(true);
          }} />
        </div>
        <section class="detail-section">
          <h3 class="detail-h">${t('assets.details')}</h3>
          <${Facts} a=${a} current=${current} />
        </section>
        <section class="detail-section">
          <h3 class="detail-h"><${Icon} name="tag" size=${14} />${t('assets.tags')}</h3>
          <${Tags} a=${a} etag=${etag} canEdit=${canEdit} onSaved=${saved} />
        </section>
        <section class="detail-section">
          <h3 class="detail-h"><${Icon} name="history" size=${14} />${t('assets.versions')}
            ${versions.data && html`<span class="count">${(versions.data.items || []).length}</span>`}</h3>
          <${Versions} a=${a} versions=${versions} canEdit=${canEdit} onRestored=${(data, newEtag) => {
            saved(data, newEtag);
            versions.reload();
          }} />
        </section>
      </div>`}
    ${sharing && a && html`<${ShareDialog} asset=${a} onClose=${() => setSharing(false)} />`}
    ${editing && a && html`<${EditDialog} a=${a} etag=${etag} onClose=${() => setEditing(false)} onSaved=${saved} />`}
  </aside>`;
}
