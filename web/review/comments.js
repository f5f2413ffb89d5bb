// web/review/comments.js: a task's comment thread (GET/POST /tasks/{id}/comments): each
// comment with its author, status change, checklist and attachments; the composer with
// @mention autocomplete from the project's people, a status to set with the comment (only
// those the caller's role may set), checklist items and attachments picked from the
// project's assets.
import { html, useState, useRef, useLayoutEffect } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Spinner, Avatar, useDebounced, useAsync } from '/lib/ui.js';
import { fmtDateTime } from '/lib/format.js';

// The "@word" being typed just before the caret, or null.
export function mentionAt(text, caret) {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,40})$/.exec(before);
  return m ? { start: caret - m[2].length - 1, query: m[2] } : null;
}

function Comment({ c, projectId, statuses }) {
  const st = c.status_id && statuses.find((s) => s.id === c.status_id);
  return html`<li class="rv-comment" data-testid="comment">
    <${Avatar} name=${c.author_name} id=${c.author_id} size="sm" />
    <div class="rv-comment-body">
      <div class="rv-comment-head">
        <strong>${c.author_name}</strong>
        <span class="muted small">${fmtDateTime(c.created_at)}</span>
        ${c.status_id && html`<span class="rv-comment-status small">→ <span class="rv-chip rv-chip-sm">${c.status || (st && st.short_name) || ''}</span></span>`}
      </div>
      ${c.text && html`<div class="prewrap rv-comment-text" data-testid="comment-text">${c.text}</div>`}
      ${Array.isArray(c.checklist) && c.checklist.length > 0 && html`<ul class="rv-checklist">
        ${c.checklist.map((it, i) => html`<li key=${i} class=${it.checked ? 'is-checked' : ''}>
          <${Icon} name=${it.checked ? 'check' : 'x'} size=${12} />${it.text}</li>`)}
      </ul>`}
      ${Array.isArray(c.attachments) && c.attachments.length > 0 && html`<div class="rv-attachments">
        ${c.attachments.map((a) => html`<a key=${a} class="rv-attachment" href=${`/projects/${projectId}/assets?asset=${a}`}>
          <${Icon} name="file" size=${12} />${t('review.attachment')}</a>`)}
      </div>`}
    </div>
  </li>`;
}

function AssetPicker({ projectId, onPick, kind, testid }) {
  const [q, setQ] = useState('');
  const dq = useDebounced(q, 250);
  const found = useAsync(() => api.get(`/api/v1/projects/${projectId}/assets`, { name: dq, kind, limit: 20 }), [projectId, dq, kind]);
  const items = (found.data && found.data.items) || [];
  return html`<div class="rv-asset-picker" data-testid=${testid}>
    <input class="input" type="search" value=${q} placeholder=${t('review.search_assets')} aria-label=${t('review.search_assets')}
      onInput=${(e) => setQ(e.target.value)} />
    <${ErrorBox} error=${found.error} />
    ${found.loading && !items.length ? html`<${Spinner} />` : items.length === 0
      ? html`<p class="muted small">${t('review.no_assets')}</p>`
      : html`<ul class="rv-asset-list">${items.map((a) => html`<li key=${a.id}>
          <button type="button" class="rv-asset-row" data-testid="asset-option" onClick=${() => onPick(a)}>
            <${Icon} name=${a.kind === 'video' ? 'film' : 'file'} size=${14} />
            <span class="truncate">${a.name}</span><span class="muted small">${a.folder}</span>
          </button></li>`)}</ul>`}
  </div>`;
}
export { AssetPicker };

export function CommentThread({ task, projectId, statuses, allowed, people, canComment, comments, onPosted }) {
  const [text, setText] = useState('');
  const [statusId, setStatusId] = useState('');
  const [mentions, setMentions] = useState([]);
  const [checklist, setChecklist] = useState([]);
  const [attachments, setAttachments] = useState([]);
  const [picking, setPicking] = useState(false);
  const [suggest, setSuggest] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const area = useRef(null);
  const caretAt = useRef(null);

  const onInput = (e) => {
    setText(e.target.value);
    const m = mentionAt(e.target.value, e.target.selectionStart);
    if (!m) return setSuggest(null);
    const q = m.query.toLowerCase();
    const list = people.filter((p) => (p.display_name || '').toLowerCase().includes(q) || (p.email || '').toLowerCase().startsWith(q)).slice(0, 6);
    setSuggest(list.length ? { ...m, list, index: 0 } : null);
  };
  const choose = (p) => {
    const name = (p.display_name || p.email || '').replace(/\s+/g, '_');
    const caret = suggest.start + 1 + suggest.query.length;
    const next = `${text.slice(0, suggest.start)}@${name} ${text.slice(caret)}`;
    setText(next);
    if (!mentions.includes(p.user_id)) setMentions([...mentions, p.user_id]);
    setSuggest(null);
    // The caret goes after the inserted name once the new text is drawn (before any next key).
    caretAt.current = suggest.start + name.length + 2;
  };
  useLayoutEffect(() => {
    if (caretAt.current === null || !area.current) return;
    area.current.focus();
    area.current.setSelectionRange(caretAt.current, caretAt.current);
    caretAt.current = null;
  }, [text]);
  const onKeyDown = (e) => {
    if (!suggest) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const d = e.key === 'ArrowDown' ? 1 : -1;
      setSuggest({ ...suggest, index: (suggest.index + d + suggest.list.length) % suggest.list.length });
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      choose(suggest.list[suggest.index]);
    } else if (e.key === 'Escape') {
      setSuggest(null);
    } else {
      return;
    }
    e.preventDefault();
  };

  const post = async (e) => {
    e.preventDefault();
    const items = checklist.map((c) => ({ text: c.text.trim(), checked: !!c.checked })).filter((c) => c.text);
    if (busy || (!text.trim() && !statusId && !items.length && !attachments.length)) return;
    setBusy(true);
    setError(null);
    try {
      // Only the people still named in the text are mentioned.
      const named = mentions.filter((id) => {
        const p = people.find((x) => x.user_id === id);
        return p && text.includes(`@${(p.display_name || p.email || '').replace(/\s+/g, '_')}`);
      });
      const body = { text: text.trim() };
      if (statusId) body.status_id = statusId;
      if (named.length) body.mentions = named;
      if (items.length) body.checklist = items;
      if (attachments.length) body.attachments = attachments.map((a) => a.id);
      await api.post(`/api/v1/tasks/${task.id}/comments`, body);
      setText('');
      setStatusId('');
      setMentions([]);
      setChecklist([]);
      setAttachments([]);
      onPosted(!!statusId);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="rv-thread" data-testid="comment-thread">
    <h2 class="rv-section-title">${t('review.comments')} <span class="count">${comments.length}</span></h2>
    ${comments.length === 0 ? html`<p class="muted small">${t('review.no_comments')}</p>`
      : html`<ul class="rv-comments">${comments.map((c) => html`<${Comment} key=${c.id} c=${c} projectId=${projectId} statuses=${statuses} />`)}</ul>`}
    ${canComment && html`<form class="rv-comment-form" onSubmit=${post} novalidate data-testid="comment-form">
      <div class="rv-mention-wrap">
        <textarea ref=${area} class="input textarea" rows="3" value=${text} maxlength="20000" placeholder=${t('review.comment_placeholder')}
          aria-label=${t('review.comment')} data-testid="comment-input" onInput=${onInput} onKeyDown=${onKeyDown}
          onBlur=${() => setTimeout(() => setSuggest(null), 150)}></textarea>
        ${suggest && html`<ul class="rv-mentions" role="listbox" data-testid="mention-list">
          ${suggest.list.map((p, i) => html`<li key=${p.user_id} role="option" aria-selected=${i === suggest.index ? 'true' : 'false'}
            class=${i === suggest.index ? 'is-active' : ''} onMouseDown=${(e) => {
              e.preventDefault();
              choose(p);
            }}><${Avatar} name=${p.display_name} id=${p.user_id} size="sm" />${p.display_name || p.email}</li>`)}
        </ul>`}
      </div>
      ${checklist.length > 0 && html`<ul class="rv-checklist-edit">
        ${checklist.map((c, i) => html`<li key=${i}>
          <input type="checkbox" checked=${c.checked} aria-label=${t('review.done')}
            onChange=${(e) => setChecklist(checklist.map((x, j) => (j === i ? { ...x, checked: e.target.checked } : x)))} />
          <input class="input" value=${c.text} maxlength="500" aria-label=${t('review.checklist_item')} data-testid="checklist-item"
            onInput=${(e) => setChecklist(checklist.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))} />
          <button type="button" class="icon-btn" aria-label=${t('review.remove')} onClick=${() => setChecklist(checklist.filter((_, j) => j !== i))}>
            <${Icon} name="x" size=${14} /></button>
        </li>`)}
      </ul>`}
      ${attachments.length > 0 && html`<div class="rv-attachments">
        ${attachments.map((a) => html`<span key=${a.id} class="rv-attachment"><${Icon} name="file" size=${12} />${a.name}
          <button type="button" class="icon-btn" aria-label=${t('review.remove')} onClick=${() => setAttachments(attachments.filter((x) => x.id !== a.id))}>
            <${Icon} name="x" size=${12} /></button></span>`)}
      </div>`}
      ${picking && html`<${AssetPicker} projectId=${projectId} testid="attach-picker" onPick=${(a) => {
        if (!attachments.some((x) => x.id === a.id)) setAttachments([...attachments, a]);
        setPicking(false);
      }} />`}
      <${ErrorBox} error=${error} />
      <div class="rv-comment-foot">
        <button type="button" class="btn btn-sm btn-ghost" data-testid="add-checklist"
          onClick=${() => setChecklist([...checklist, { text: '', checked: false }])}><${Icon} name="check" size=${13} />${t('review.add_checklist')}</button>
        <button type="button" class="btn btn-sm btn-ghost" onClick=${() => setPicking(!picking)} data-testid="add-attachment">
          <${Icon} name="file" size=${13} />${t('review.attach')}</button>
        <span class="toolbar-spacer"></span>
        ${allowed.length > 0 && html`<select class="input select select-sm" value=${statusId} aria-label=${t('review.status_with_comment')}
          data-testid="comment-status" onChange=${(e) => setStatusId(e.target.value)}>
          <option value="">${t('review.keep_status')}</option>
          ${allowed.map((s) => html`<option key=${s.id} value=${s.id}>${s.name}</option>`)}
        </select>`}
        <button type="submit" class="btn btn-primary btn-sm" disabled=${busy} data-testid="comment-post">
          ${busy && html`<${Spinner} />`}${t('review.post')}</button>
      </div>
    </form>`}
  </section>`;
}
