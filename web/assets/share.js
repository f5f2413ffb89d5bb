// web/assets/share.js: share links for one asset. Make a link (view only, or with download;
// an expiry; an optional passphrase; a note for whom it is), copy it — the server shows a
// link's address once, at creation, because it keeps only a hash of its token — and see
// and revoke the asset's links (status, how often they were opened).
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { useForm, TextField, SelectField, FormError, check } from '/lib/forms.js';
import { toast } from '/lib/toast.js';
import { useAsync, Badge, CopyField, ErrorBox, Loading, Spinner, errorMessage } from '/lib/ui.js';
import { fmtDateTime, fmtRelative } from '/lib/format.js';

const EXPIRIES = [['86400', 'assets.share.exp_1d'], ['604800', 'assets.share.exp_7d'], ['2592000', 'assets.share.exp_30d'], ['', 'assets.share.exp_never']];

function ShareRow({ s, onRevoke }) {
  const status = s.status || (s.revoked_at ? 'revoked' : 'active');
  const kind = status === 'active' ? 'ok' : status === 'expired' ? 'warn' : 'muted';
  return html`<li class="share-row" data-testid="share-row" data-status=${status}>
    <div class="share-main">
      <div class="share-line">
        <${Badge} kind=${kind}>${t(`assets.share.status_${status}`)}<//>
        <span class="share-mode">${s.mode === 'download' ? t('assets.share.mode_download') : t('assets.share.mode_view')}</span>
        ${s.has_passphrase ? html`<span class="muted" title=${t('assets.share.has_passphrase')}><${Icon} name="lock" size=${13} label=${t('assets.share.has_passphrase')} /></span>` : null}
      </div>
      ${s.note && html`<div class="small share-note">${s.note}</div>`}
      <div class="muted small">${[
        t('assets.share.created', { when: fmtRelative(s.created_at) }),
        s.expires_at && html`<span title=${fmtDateTime(s.expires_at)}>${status === 'expired'
          ? t('assets.share.expired_at', { when: fmtRelative(s.expires_at) }) : t('assets.share.expires_at', { when: fmtRelative(s.expires_at) })}</span>`,
        t('assets.share.opened', { n: s.access_count || 0 }),
      ].filter(Boolean).map((x, i) => html`${i ? ' · ' : ''}${x}`)}</div>
    </div>
    ${status === 'active' && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${() => onRevoke(s)} data-testid="share-revoke">${t('assets.share.revoke')}</button>`}
  </li>`;
}

export function ShareDialog({ asset, onClose }) {
  const list = useAsync(() => api.get(`/api/v1/assets/${asset.id}/shares`), [asset.id]);
  const [created, setCreated] = useState(null);
  const f = useForm({ mode: 'view', expires_in: '604800', passphrase: '', note: '' });
  const create = f.submit(async (v) => {
    check({ passphrase: [!v.passphrase || v.passphrase.length >= 6, t('assets.share.passphrase_rule')] });
    const body = { mode: v.mode, note: v.note.trim() };
    if (v.expires_in) body.expires_in = Number(v.expires_in);
    if (v.passphrase) body.passphrase = v.passphrase;
    const s = await api.post(`/api/v1/assets/${asset.id}/shares`, body);
    setCreated({ ...s, passphrase: v.passphrase });
    f.reset({ ...v, passphrase: '', note: '' });
    list.reload();
  });
  const revoke = async (s) => {
    const ok = await confirmAction({
      title: t('assets.share.revoke_title'),
      message: t('assets.share.revoke_confirm'),
      confirmLabel: t('assets.share.revoke'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/assets/${asset.id}/shares/${s.id}`);
      toast(t('assets.share.revoked'));
      if (created && created.id === s.id) setCreated(null);
      list.reload();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  const items = (list.data && list.data.items) || [];
  return html`<${Dialog} title=${t('assets.share.title', { name: asset.name })} onClose=${onClose} label=${t('assets.share.dialog')}>
    <div class="stack">
      <form class="form share-form" onSubmit=${create} novalidate data-testid="share-form">
        <div class="field">
          <span class="field-label">${t('assets.share.access')}</span>
          <div class="segmented share-mode-pick" role="radiogroup" aria-label=${t('assets.share.access')}>
            ${['view', 'download'].map((m) => html`<button key=${m} type="button" role="radio" aria-checked=${f.values.mode === m ? 'true' : 'false'}
              class=${`seg ${f.values.mode === m ? 'on' : ''}`} onClick=${() => f.set('mode', m)}>
              <${Icon} name=${m === 'view' ? 'play' : 'download'} size=${13} />${m === 'view' ? t('assets.share.mode_view') : t('assets.share.mode_download')}</button>`)}
          </div>
        </div>
        <div class="form-row">
          <${SelectField} form=${f} name="expires_in" label=${t('assets.share.expires')} options=${EXPIRIES.map(([v, k]) => [v, t(k)])} />
          <${TextField} form=${f} name="passphrase" type="password" autocomplete="new-password" class="grow"
            label=${t('assets.share.passphrase')} hint=${t('assets.share.passphrase_hint')} />
        </div>
        <${TextField} form=${f} name="note" label=${t('assets.share.note')} placeholder=${t('assets.share.note_placeholder')} maxlength="500" />
        <${FormError} form=${f} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled=${f.busy}>${f.busy ? html`<${Spinner} />` : html`<${Icon} name="link" />`}${t('assets.share.create')}</button>
        </div>
      </form>
      ${created && html`<div class="reveal" data-testid="share-created">
        <div class="reveal-head"><${Icon} name="check" class="accent" />${t('assets.share.ready')}</div>
        <${CopyField} value=${created.url} label=${t('assets.share.link')} testid="share-url" />
        <div class="muted small">${created.mode === 'download' ? t('assets.share.mode_download') : t('assets.share.mode_view')}
          ${created.expires_at ? ` · ${t('assets.share.expires_at', { when: fmtDateTime(created.expires_at) })}` : ` · ${t('assets.share.exp_never')}`}
          ${created.passphrase ? ` · ${t('assets.share.has_passphrase')}` : ''}</div>
        <div class="reveal-warn"><${Icon} name="info" size=${14} />${t('assets.share.once')}</div>
      </div>`}
      <section>
        <h3 class="detail-h">${t('assets.share.existing')}${items.length > 0 && html`<span class="count">${items.length}</span>`}</h3>
        ${list.error ? html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`
          : !list.data ? html`<${Loading} />`
          : !items.length ? html`<p class="muted small">${t('assets.share.none')}</p>`
          : html`<ul class="share-list">${items.map((s) => html`<${ShareRow} key=${s.id} s=${s} onRevoke=${revoke} />`)}</ul>`}
      </section>
    </div>
  <//>`;
}
