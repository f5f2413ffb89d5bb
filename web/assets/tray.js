// web/assets/tray.js: the upload tray, in a corner of every signed-in page while the queue of
// lib/upload.js has items: overall progress, and per file its bar, state and the buttons
// that apply (pause, resume, retry, cancel, open the new asset). Uploads go on while the
// person moves around the app; the tray folds to one line.
import { html, useState } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useStore } from '/lib/store.js';
import { uploads, pause, resume, cancel, cancelAll, clearFinished, summary, isActive } from '/lib/upload.js';
import { fmtBytes } from '/lib/media.js';
import './common.js'; // the module's stylesheet

function stateText(x) {
  const pct = x.size ? Math.floor((x.sent / x.size) * 100) : 0;
  switch (x.state) {
    case 'queued': return t('assets.up.queued');
    case 'uploading': return `${pct}% · ${fmtBytes(x.sent)} / ${fmtBytes(x.size)}${x.resumed ? ` · ${t('assets.up.resumed')}` : ''}`;
    case 'finishing': return t('assets.up.finishing');
    case 'paused': return t('assets.up.paused', { pct });
    case 'done': return x.version > 1 ? t('assets.up.done_version', { v: `v${String(x.version).padStart(3, '0')}` }) : t('assets.up.done');
    case 'canceled': return t('assets.up.canceled');
    default: return x.error || t('assets.up.failed');
  }
}

function Row({ x }) {
  const href = x.assetId ? `/projects/${x.projectId}/assets?${new URLSearchParams({ ...(x.folder !== '/' ? { folder: x.folder } : {}), asset: x.assetId })}` : null;
  return html`<li class=${`up-row up-${x.state}`} data-testid="upload-row" data-state=${x.state} data-name=${x.name}>
    <div class="up-main">
      <div class="up-name" title=${`${x.folder === '/' ? '' : x.folder}/${x.name}`}>
        <span class="truncate">${x.name}</span>
        ${x.folder !== '/' && html`<span class="up-folder truncate">${x.folder}</span>`}
      </div>
      ${x.state !== 'done' && x.state !== 'canceled' && html`<progress class="up-bar" max=${x.size || 1} value=${x.state === 'queued' ? 0 : x.sent}
        aria-label=${t('assets.up.progress_of', { name: x.name })}></progress>`}
      <div class=${`up-state small ${x.state === 'error' ? 'danger' : 'muted'}`}>${stateText(x)}</div>
    </div>
    <div class="up-actions">
      ${(x.state === 'uploading' || x.state === 'queued') && html`<button type="button" class="icon-btn" title=${t('assets.up.pause')} aria-label=${t('assets.up.pause')} onClick=${() => pause(x.id)}><${Icon} name="pause" size=${14} /></button>`}
      ${x.state === 'paused' && html`<button type="button" class="icon-btn" title=${t('assets.up.resume')} aria-label=${t('assets.up.resume')} onClick=${() => resume(x.id)}><${Icon} name="play" size=${14} /></button>`}
      ${x.state === 'error' && html`<button type="button" class="icon-btn" title=${t('assets.up.retry')} aria-label=${t('assets.up.retry')} onClick=${() => resume(x.id)}><${Icon} name="refresh" size=${14} /></button>`}
      ${x.state === 'done' && href && html`<a class="btn btn-sm btn-ghost" href=${href}>${t('assets.up.open')}</a>`}
      ${x.state !== 'done' && x.state !== 'canceled' && html`<button type="button" class="icon-btn" title=${t('assets.up.cancel')} aria-label=${t('assets.up.cancel_file', { name: x.name })}
        onClick=${() => cancel(x.id)} data-testid="upload-cancel"><${Icon} name="x" size=${14} /></button>`}
    </div>
  </li>`;
}

export function UploadTray() {
  const { items } = useStore(uploads);
  const [folded, setFolded] = useState(false);
  if (!items.length) return null;
  const s = summary(items);
  const active = items.some(isActive);
  return html`<section class=${`upload-tray ${folded ? 'folded' : ''}`} aria-label=${t('assets.up.title')} data-testid="upload-tray">
    <header class="up-head">
      <div class="up-head-main">
        <div class="up-title">${active ? t('assets.up.uploading', { done: s.done, n: s.count }) : s.failed ? t('assets.up.some_failed', { n: s.failed }) : t('assets.up.all_done', { n: s.done })}</div>
        <progress class="up-bar up-total" max="1" value=${s.fraction} aria-label=${t('assets.up.title')}></progress>
      </div>
      <button type="button" class="icon-btn" aria-expanded=${folded ? 'false' : 'true'} aria-label=${folded ? t('assets.expand') : t('assets.collapse')}
        onClick=${() => setFolded(!folded)}><${Icon} name=${folded ? 'chevronRight' : 'chevronDown'} size=${14} /></button>
      ${!active && html`<button type="button" class="icon-btn" aria-label=${t('action.close')} onClick=${() => clearFinished({ all: true })}><${Icon} name="x" size=${14} /></button>`}
    </header>
    ${!folded && html`<ul class="up-list">${items.map((x) => html`<${Row} key=${x.id} x=${x} />`)}</ul>
      <footer class="up-foot">
        ${items.some((x) => x.state === 'done' || x.state === 'canceled') && html`<button type="button" class="btn btn-sm btn-ghost" onClick=${() => clearFinished()}>${t('assets.up.clear')}</button>`}
        ${active && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${cancelAll}>${t('assets.up.cancel_all')}</button>`}
      </footer>`}
  </section>`;
}
