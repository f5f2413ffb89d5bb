// web/review/review-mode.js: review mode — a list of versions played one after another (the
// next starts when one ends, unless auto-advance is off), a strip to jump between them, and
// each item's notes with the composer (ReviewPlayer). Used by a playlist's review mode and by
// the public client review page /r/<token>; the caller passes how notes are loaded and saved.
import { html, useState, useEffect } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Empty } from '/lib/ui.js';
import { versionLabel, ReviewBadge } from './common.js';
import { ReviewPlayer } from './player.js';

export function ReviewMode({ items, title, back, canNote, loadNotes, createNote, onResolve, onDelete, canDelete, guestName, extra }) {
  const [index, setIndex] = useState(0);
  const [auto, setAuto] = useState(true);
  const [started, setStarted] = useState(false);
  const [notes, setNotes] = useState({});
  const [error, setError] = useState(null);
  const item = items[index];
  useEffect(() => {
    if (!item || notes[item.id]) return;
    loadNotes(item).then((list) => setNotes((n) => ({ ...n, [item.id]: list })), setError);
  }, [item && item.id]);
  if (!item) return html`<${Empty} icon="film" title=${t('review.empty_playlist')} />`;
  const list = notes[item.id] || [];
  const setList = (f) => setNotes((n) => ({ ...n, [item.id]: f(n[item.id] || []) }));
  return html`<div class="rv-review" data-testid="review-mode" data-index=${index}>
    <div class="rv-review-head">
      ${back}
      <h1 class="rv-review-title truncate">${title}</h1>
      <span class="toolbar-spacer"></span>
      <label class="rv-check small"><input type="checkbox" checked=${auto} onChange=${(e) => setAuto(e.target.checked)} />${t('review.auto_advance')}</label>
    </div>
    <ol class="rv-strip" data-testid="review-strip">${items.map((it, i) => html`<li key=${it.id}>
      <button type="button" class=${`rv-strip-item ${i === index ? 'is-active' : ''}`} aria-current=${i === index ? 'true' : undefined}
        data-testid="strip-item" onClick=${() => setIndex(i)}>
        ${it.media && it.media.thumbnail ? html`<img src=${it.media.thumbnail} alt="" />` : html`<span class="rv-item-ph"><${Icon} name="film" /></span>`}
        <span class="truncate small">${i + 1}. ${it.entity_name} · ${versionLabel(it.number)}</span>
      </button></li>`)}</ol>
    <div class="rv-review-now">
      <span class="strong" data-testid="review-current">${item.entity_name}</span>
      <span class="muted">${item.task_type_name} · ${versionLabel(item.number)}</span>
      ${item.review_status && html`<${ReviewBadge} status=${item.review_status} />`}
      <span class="toolbar-spacer"></span>
      <button type="button" class="btn btn-sm" disabled=${index === 0} onClick=${() => setIndex(index - 1)} data-testid="review-prev">${t('review.previous')}</button>
      <button type="button" class="btn btn-sm" disabled=${index >= items.length - 1} onClick=${() => setIndex(index + 1)} data-testid="review-next">${t('review.next')}</button>
    </div>
    ${extra && extra(item)}
    <${ErrorBox} error=${error} />
    <${ReviewPlayer} key=${item.id} version=${item} notes=${list} canNote=${canNote} guestName=${guestName}
      autoPlay=${started}
      onCreate=${async (body) => {
        const n = await createNote(item, body);
        setList((l) => [...l, n]);
        return n;
      }}
      onResolve=${onResolve ? async (n) => {
        const u = await onResolve(n).catch((e) => (setError(e), null));
        if (u) setList((l) => l.map((x) => (x.id === u.id ? u : x)));
      } : null}
      onDelete=${onDelete ? async (n) => {
        if (await onDelete(n).catch((e) => (setError(e), false))) setList((l) => l.filter((x) => x.id !== n.id));
      } : null}
      canDelete=${canDelete}
      onEnded=${() => {
        if (auto && index < items.length - 1) {
          setStarted(true);
          setIndex(index + 1);
        }
      }} />
  </div>`;
}

