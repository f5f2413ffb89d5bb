// web/review/links.js: client review links of a playlist or of one version: the list
// (status, expiry, passphrase, notes allowed; revoke) and the dialog that makes one (expiry,
// optional passphrase, whether guests may leave notes, a message) and shows its address once.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Spinner, useAsync, CopyField } from '/lib/ui.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { toast } from '/lib/toast.js';
import { fmtDateTime } from '/lib/format.js';

export function LinkDialog({ path, onClose, onDone }) {
  const [days, setDays] = useState('7');
  const [pass, setPass] = useState('');
  const [allowNotes, setAllowNotes] = useState(true);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [made, setMade] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = { allow_notes: allowNotes };
      if (days !== 'never') body.expires_in = Number(days) * 86400;
      if (pass) body.passphrase = pass;
      if (note.trim()) body.note = note.trim();
      const link = await api.post(path, body);
      setMade(link);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (made) {
    const url = new URL(made.url, window.location.origin).href;
    return html`<${Dialog} title=${t('review.link_made')} onClose=${onClose}
      footer=${html`<button type="button" class="btn btn-primary" onClick=${onClose}>${t('review.done_btn')}</button>`}>
      <p>${t('review.link_once')}</p>
      <${CopyField} value=${url} label=${t('review.link_url')} testid="review-link-url" />
      <p class="muted small">${made.expires_at ? t('review.expires', { when: fmtDateTime(made.expires_at) }) : t('review.never_expires')}
        ${made.has_passphrase ? ` · ${t('review.with_passphrase')}` : ''}</p>
    <//>`;
  }
  return html`<${Dialog} title=${t('review.new_link')} onClose=${onClose}
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="submit" form="rv-link-form" class="btn btn-primary" disabled=${busy} data-testid="link-create-go">
        ${busy && html`<${Spinner} />`}${t('review.create')}</button>`}>
    <form id="rv-link-form" class="form" onSubmit=${submit} novalidate>
      <div class="field">
        <label class="field-label" for="rv-link-exp">${t('review.expiry')}</label>
        <select id="rv-link-exp" class="input select" value=${days} onChange=${(e) => setDays(e.target.value)}>
          <option value="1">${t('review.days', { n: 1 })}</option>
          <option value="7">${t('review.days', { n: 7 })}</option>
          <option value="30">${t('review.days', { n: 30 })}</option>
          <option value="never">${t('review.never')}</option>
        </select>
      </div>
      <div class="field">
        <label class="field-label" for="rv-link-pass">${t('review.passphrase_optional')}</label>
        <input id="rv-link-pass" class="input" type="text" autocomplete="off" value=${pass} maxlength="200" onInput=${(e) => setPass(e.target.value)} />
      </div>
      <label class="rv-check"><input type="checkbox" checked=${allowNotes} onChange=${(e) => setAllowNotes(e.target.checked)} />${t('review.allow_notes')}</label>
      <div class="field">
        <label class="field-label" for="rv-link-note">${t('review.link_note')}</label>
        <textarea id="rv-link-note" class="input textarea" rows="2" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea>
      </div>
      <${ErrorBox} error=${error} />
    </form>
  <//>`;
}

// The links of `query` ({playlist_id} or {version_id}) with a button to make one at createPath.
export function ReviewLinks({ projectId, query, createPath, body }) {
  const key = JSON.stringify(query);
  const links = useAsync(() => api.get(`/api/v1/projects/${projectId}/review-links`, query), [projectId, key]);
  const [linking, setLinking] = useState(false);
  const [error, setError] = useState(null);
  const items = (links.data && links.data.items) || [];
  return html`<section class="card card-pad rv-links" data-testid="review-links">
    <div class="card-head"><h2 class="card-title">${t('review.links')}</h2>
      <button type="button" class="btn btn-sm" data-testid="link-new" onClick=${() => setLinking(true)}><${Icon} name="link" />${t('review.new_link')}</button></div>
    <p class="muted small">${body}</p>
    <${ErrorBox} error=${error || links.error} />
    ${items.length === 0 ? html`<p class="muted small">${t('review.no_links')}</p>`
      : html`<ul class="mini-list">${items.map((l) => html`<li key=${l.id} class="mini-row" data-testid="review-link">
          <${Icon} name=${l.has_passphrase ? 'lock' : 'link'} size=${14} />
          <span>${l.status === 'active' ? t('review.link_active') : l.status === 'expired' ? t('review.link_expired') : t('review.link_revoked')}</span>
          <span class="muted small">${l.expires_at ? t('review.expires', { when: fmtDateTime(l.expires_at) }) : t('review.never_expires')}</span>
          ${l.allow_notes && html`<span class="muted small">· ${t('review.notes_allowed')}</span>`}
          ${l.note_count > 0 && html`<span class="muted small">· ${t('review.link_notes', { n: l.note_count })}</span>`}
          <span class="toolbar-spacer"></span>
          ${l.status === 'active' && html`<button type="button" class="btn btn-sm btn-ghost-danger" data-testid="link-revoke" onClick=${async () => {
            if (!(await confirmAction({ title: t('review.revoke_link'), message: t('review.revoke_body'), confirmLabel: t('review.revoke'), danger: true }))) return;
            setError(null);
            try {
              await api.del(`/api/v1/review-links/${l.id}`);
              toast(t('review.revoked'));
              links.reload();
            } catch (err) {
              setError(err);
            }
          }}>${t('review.revoke')}</button>`}
        </li>`)}</ul>`}
    ${linking && html`<${LinkDialog} path=${createPath} onClose=${() => setLinking(false)} onDone=${links.reload} />`}
  </section>`;
}
