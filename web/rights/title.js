// web/rights/title.js: one title of the catalogue (/orgs/<id>/rights/titles/<titleId>): its
// metadata (edit, delete), its seasons or episodes (add one), the rights the organization
// holds in it (rights in: add, edit, remove), holdbacks (add, remove), the organization's deals
// touching it (and "new deal" for it), and the avails timeline (timeline.js).
// The server decides what the caller may do; buttons are offered to members and above.
import { html, useState } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { useForm, TextField, TextArea, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { useAsync, Badge, Empty, ErrorBox, Loading, PageHeader } from '/lib/ui.js';
import {
  EXCLUSIVITY, SOURCES, MediaField, TerritoryField, exclLabel, fmtLanguages, fmtMoney, fmtTerm, fmtTerritories, kindLabel,
  mediaName, parseLanguages, parseTerritories, sourceLabel, statusBadge, statusLabel, titleLine, useMedia,
} from './common.js';
import { TitleDialog } from './catalogue.js';
import { AvailsTimeline } from './timeline.js';

const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);

export default function TitlePage({ org, base, titleId }) {
  const r = useAsync(() => api.request('GET', `/api/v1/titles/${titleId}`), [titleId]);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  if (r.error && !r.data) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  const x = r.data.data;
  const level = x.acting_level || (canEdit(org) ? 'edit' : 'view');
  const edit = (level === 'edit' || level === 'manage') && x.org_id === org.id;
  const editRights = level === 'edit' || level === 'manage';
  const del = async () => {
    const ok = await confirmAction({ title: t('rights.delete_title'), message: t('rights.delete_title_confirm', { name: x.title }), confirmLabel: t('rights.delete'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/titles/${x.id}`, { etag: r.data.etag });
      toast(t('rights.title_deleted'));
      navigate(base);
    } catch (e) {
      toast(e.detail || e.message, 'error');
    }
  };
  const canHaveChildren = x.kind === 'series' || x.kind === 'season' || x.kind === 'micro_drama';
  return html`<div class="stack" data-testid="title-page">
    <${PageHeader}
      crumbs=${html`<a href=${base}>${t('rights.nav.catalogue')}</a>${x.parent_id && html`<span>/</span><a href=${`${base}/titles/${x.parent_id}`}>${t('rights.parent')}</a>`}`}
      title=${html`<span class="title-text rt-title-text" data-testid="title-name">${titleLine(x)}</span>`}
      subtitle=${html`<span class="meta-row">
        <${Badge} kind="accent">${kindLabel(x.kind)}<//>
        ${x.year && html`<span>${x.year}</span>`}
        ${x.runtime_min && html`<span>· ${t('rights.minutes', { n: x.runtime_min })}</span>`}
        ${x.eidr && html`<span class="mono">· ${x.eidr}</span>`}
        ${x.org_id !== org.id && html`<${Badge} kind="shared">${t('rights.acquired')}<//>`}
      </span>`}
      actions=${html`
        <a class="btn" href=${`${base}/deals/new?title_id=${x.id}`} data-testid="new-deal-for-title"><${Icon} name="plus" />${t('rights.new_deal')}</a>
        ${edit && html`<button type="button" class="btn" onClick=${() => setEditing(true)} data-testid="edit-title"><${Icon} name="settings" />${t('action.edit')}</button>`}
        ${edit && html`<button type="button" class="btn btn-ghost-danger" onClick=${del}><${Icon} name="trash" />${t('rights.delete')}</button>`}`} />
    <div class="rt-title-grid">
      <section class="card">
        <h2 class="card-title">${t('rights.metadata')}</h2>
        <dl class="details">
          <dt>${t('rights.original_title')}</dt><dd>${x.title}</dd>
          ${(x.localizations || []).map((l) => html`<dt key=${`l${l.language}`}>${t('rights.title_in', { lang: l.language })}</dt><dd>${l.title}</dd>`)}
          ${x.original_language && html`<dt>${t('rights.original_language')}</dt><dd>${x.original_language}</dd>`}
          ${x.country_of_origin && html`<dt>${t('rights.country_of_origin')}</dt><dd>${x.country_of_origin}</dd>`}
          ${x.genres && x.genres.length > 0 && html`<dt>${t('rights.genres')}</dt><dd>${x.genres.join(', ')}</dd>`}
          ${x.season_number != null && html`<dt>${t('rights.season_number')}</dt><dd>${x.season_number}</dd>`}
          ${x.episode_number != null && html`<dt>${t('rights.episode_number')}</dt><dd>${x.episode_number}</dd>`}
          ${x.other_ids && Object.keys(x.other_ids).length > 0 && html`<dt>${t('rights.other_ids')}</dt><dd class="mono">${Object.entries(x.other_ids).map(([k, v]) => `${k}: ${v}`).join(', ')}</dd>`}
          ${x.synopsis && html`<dt>${t('rights.synopsis')}</dt><dd class="prewrap">${x.synopsis}</dd>`}
        </dl>
      </section>
      ${(canHaveChildren || (x.children && x.children.length > 0)) && html`<section class="card" data-testid="children">
        <div class="card-head"><h2 class="card-title">${x.kind === 'season' ? t('rights.episodes') : t('rights.seasons_episodes')}</h2>
          ${edit && html`<button type="button" class="btn btn-sm" data-testid="add-child" onClick=${() => setAdding(true)}><${Icon} name="plus" />${x.kind === 'season' ? t('rights.add_episode') : t('rights.add_season')}</button>`}</div>
        ${(x.children || []).length === 0 ? html`<p class="muted small">${t('rights.no_children')}</p>`
          : html`<ul class="mini-list">${x.children.map((c) => html`<li key=${c.id} class="mini-row">
            <${Icon} name=${c.kind === 'season' ? 'layers' : 'film'} class="muted" />
            <a class="truncate" href=${`${base}/titles/${c.id}`} title=${c.title}>${titleLine(c)}</a>
          </li>`)}</ul>`}
      </section>`}
    </div>
    <${AvailsTimeline} org=${org} base=${base} title=${x} />
    <${RightsIn} org=${org} title=${x} edit=${editRights} />
    <${Holdbacks} org=${org} base=${base} title=${x} edit=${editRights} />
    <${TitleDeals} org=${org} base=${base} title=${x} />
    ${editing && html`<${TitleDialog} org=${org} title=${x} etag=${r.data.etag} onClose=${() => setEditing(false)}
      onSaved=${(data, etag) => {
        setEditing(false);
        r.setData({ data: { ...x, ...data, children: data.children || x.children }, etag });
        toast(t('state.saved'));
      }} />`}
    ${adding && html`<${TitleDialog} org=${org} parent=${x} onClose=${() => setAdding(false)}
      onSaved=${() => {
        setAdding(false);
        toast(t('rights.title_created'));
        r.reload();
      }} />`}
  </div>`;
}

// ---- Rights in. ----

function RightsIn({ org, title, edit }) {
  const media = useMedia(org.id);
  const r = useAsync(() => api.get(`/api/v1/titles/${title.id}/rights-in`), [title.id]);
  const [dialog, setDialog] = useState(null); // {row} | {}
  const remove = async (row) => {
    const ok = await confirmAction({ title: t('rights.remove_right'), message: t('rights.remove_right_confirm'), confirmLabel: t('rights.remove'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/rights-in/${row.id}`, { etag: etagOf(row) });
      toast(t('rights.right_removed'));
      r.reload();
    } catch (e) {
      toast(e.detail || e.message, 'error');
    }
  };
  const items = (r.data && r.data.items) || [];
  return html`<section class="card" data-testid="rights-in">
    <div class="card-head"><h2 class="card-title">${t('rights.rights_in')}</h2>
      ${edit && html`<button type="button" class="btn btn-sm" data-testid="add-right-in" onClick=${() => setDialog({})}><${Icon} name="plus" />${t('rights.add_right_in')}</button>`}</div>
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${!r.data ? !r.error && html`<${Loading} />` : items.length === 0 ? html`<p class="muted small">${t('rights.no_rights_in')}</p>`
      : html`<div class="rt-table-wrap"><table class="rt-table">
        <thead><tr><th>${t('rights.source')}</th><th>${t('rights.territories')}</th><th>${t('rights.media')}</th><th>${t('rights.languages')}</th>
          <th>${t('rights.term')}</th><th>${t('rights.exclusivity')}</th><th></th></tr></thead>
        <tbody>${items.map((x) => html`<tr key=${x.id} data-testid="right-in-row">
          <td data-label=${t('rights.source')}><div>${sourceLabel(x.source)}${(x.licensor || x.contract_ref) && html`<div class="muted small rt-wrap">${[x.licensor, x.contract_ref].filter(Boolean).join(' · ')}</div>`}</div></td>
          <td data-label=${t('rights.territories')} class="mono rt-wrap">${fmtTerritories(x.territories)}</td>
          <td data-label=${t('rights.media')} class="rt-wrap">${(x.media || []).map((m) => mediaName(m, media)).join(', ')}</td>
          <td data-label=${t('rights.languages')} class="mono">${fmtLanguages(x.languages) || t('rights.all_languages')}</td>
          <td data-label=${t('rights.term')} class="rt-nowrap">${fmtTerm(x.start, x.end)}</td>
          <td data-label=${t('rights.exclusivity')}><div>${exclLabel(x.exclusivity)}${x.runs ? html`<div class="muted small">${t('rights.n_runs', { n: x.runs })}</div>` : ''}</div></td>
          <td class="rt-actions">${edit && !x.deal_id && html`
            <button type="button" class="icon-btn" aria-label=${t('action.edit')} title=${t('action.edit')} onClick=${() => setDialog({ row: x })}><${Icon} name="settings" /></button>
            <button type="button" class="icon-btn" aria-label=${t('rights.remove')} title=${t('rights.remove')} onClick=${() => remove(x)}><${Icon} name="trash" /></button>`}</td>
        </tr>`)}</tbody></table></div>`}
    ${dialog && html`<${RightInDialog} org=${org} title=${title} media=${media} row=${dialog.row} onClose=${() => setDialog(null)}
      onSaved=${() => {
        setDialog(null);
        toast(t('state.saved'));
        r.reload();
      }} />`}
  </section>`;
}

function RightInDialog({ org, title, media, row, onClose, onSaved }) {
  const x = row || {};
  const f = useForm({
    source: x.source || 'own_production', licensor: x.licensor || '', contract_ref: x.contract_ref || '',
    territories: x.territories ? fmtTerritories(x.territories) : 'WORLD', media: x.media || [],
    languages: fmtLanguages(x.languages), start: x.start || '', end: x.end && x.end !== 'open' ? x.end : '',
    exclusivity: x.exclusivity || 'exclusive', runs: x.runs != null ? String(x.runs) : '', notes: x.notes || '',
  });
  const v = f.values;
  const save = f.submit(async (vals) => {
    check({
      territories: [parseTerritories(vals.territories).include.length > 0, t('form.required')],
      media: [vals.media.length > 0, t('rights.pick_media')],
      start: [/^\d{4}-\d{2}-\d{2}$/.test(vals.start), t('form.required')],
      runs: [vals.runs.trim() === '' || /^\d{1,6}$/.test(vals.runs.trim()), t('rights.bad_number')],
    });
    const body = {
      source: vals.source, licensor: vals.licensor, contract_ref: vals.contract_ref,
      territories: parseTerritories(vals.territories), media: vals.media, languages: parseLanguages(vals.languages),
      start: vals.start, end: vals.end || null, exclusivity: vals.exclusivity,
      runs: vals.runs.trim() ? Number(vals.runs) : null, notes: vals.notes,
    };
    if (row) await api.patch(`/api/v1/rights-in/${row.id}`, body, { etag: etagOf(row) });
    else await api.post(`/api/v1/titles/${title.id}/rights-in`, body);
    onSaved();
  });
  return html`<${Dialog} title=${row ? t('rights.edit_right_in') : t('rights.add_right_in')} onClose=${onClose} size="lg">
    <form class="form form-2col" onSubmit=${save} novalidate data-testid="right-in-form">
      <${FormError} form=${f} />
      <${SelectField} form=${f} name="source" label=${t('rights.source')} options=${SOURCES.map((s) => [s, sourceLabel(s)])} />
      <${SelectField} form=${f} name="exclusivity" label=${t('rights.exclusivity')} options=${EXCLUSIVITY.map((s) => [s, exclLabel(s)])} />
      ${v.source === 'acquired' && html`<${TextField} form=${f} name="licensor" label=${t('rights.licensor')} />`}
      <${TextField} form=${f} name="contract_ref" label=${t('rights.contract_ref')} />
      <div class="span-2"><${TerritoryField} label=${t('rights.territories')} value=${v.territories} onInput=${(s) => f.set('territories', s)} error=${f.errors.territories} testid="ri-territories" /></div>
      <div class="span-2"><${MediaField} label=${t('rights.media')} media=${media} value=${v.media} onChange=${(m) => f.set('media', m)} error=${f.errors.media} testid="ri-media" /></div>
      <${TextField} form=${f} name="languages" label=${t('rights.languages')} hint=${t('rights.languages_hint')} placeholder="fr:dubbed, en" class="mono-input" />
      <${TextField} form=${f} name="runs" label=${t('rights.runs')} inputmode="numeric" />
      <${TextField} form=${f} name="start" type="date" label=${t('rights.start')} />
      <${TextField} form=${f} name="end" type="date" label=${t('rights.end')} hint=${t('rights.end_hint')} />
      <${TextArea} form=${f} name="notes" label=${t('rights.notes')} rows="2" class="span-2" />
      <div class="form-actions span-2">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${row ? t('action.save') : t('action.add')}<//>
      </div>
    </form>
  <//>`;
}

// ---- Holdbacks. ----

function Holdbacks({ org, base, title, edit }) {
  const media = useMedia(org.id);
  const r = useAsync(() => api.get(`/api/v1/titles/${title.id}/holdbacks`), [title.id]);
  const [adding, setAdding] = useState(false);
  const items = (r.data && r.data.items) || [];
  const remove = async (x) => {
    const ok = await confirmAction({ title: t('rights.remove_holdback'), message: t('rights.remove_holdback_confirm'), confirmLabel: t('rights.remove'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/holdbacks/${x.id}`);
      r.reload();
    } catch (e) {
      toast(e.detail || e.message, 'error');
    }
  };
  return html`<section class="card" data-testid="holdbacks">
    <div class="card-head"><h2 class="card-title">${t('rights.holdbacks')}</h2>
      ${edit && html`<button type="button" class="btn btn-sm" data-testid="add-holdback" onClick=${() => setAdding(true)}><${Icon} name="plus" />${t('rights.add_holdback')}</button>`}</div>
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${!r.data ? !r.error && html`<${Loading} />` : items.length === 0 ? html`<p class="muted small">${t('rights.no_holdbacks')}</p>`
      : html`<ul class="mini-list">${items.map((x) => html`<li key=${x.id} class="mini-row rt-mini">
        <span class="rt-mini-main">
          <span class="rt-wrap">${(x.media || []).map((m) => mediaName(m, media)).join(', ')} · <span class="mono">${fmtTerritories(x.territories)}</span></span>
          <span class="muted small">${fmtTerm(x.start, x.end)}${x.reason ? ` · ${x.reason}` : ''}${x.deal_id ? ' · ' : ''}${x.deal_id && html`<a href=${`${base}/deals/${x.deal_id}`}>${t('rights.open_deal')}</a>`}</span>
        </span>
        ${edit && !x.deal_id && html`<button type="button" class="icon-btn" aria-label=${t('rights.remove')} onClick=${() => remove(x)}><${Icon} name="trash" /></button>`}
      </li>`)}</ul>`}
    ${adding && html`<${HoldbackDialog} title=${title} media=${media} onClose=${() => setAdding(false)} onSaved=${() => {
      setAdding(false);
      r.reload();
    }} />`}
  </section>`;
}

function HoldbackDialog({ title, media, onClose, onSaved }) {
  const f = useForm({ territories: 'WORLD', media: [], start: '', end: '', reason: '' });
  const v = f.values;
  const save = f.submit(async (vals) => {
    check({
      media: [vals.media.length > 0, t('rights.pick_media')],
      end: [/^\d{4}-\d{2}-\d{2}$/.test(vals.end), t('form.required')],
    });
    await api.post(`/api/v1/titles/${title.id}/holdbacks`, {
      territories: parseTerritories(vals.territories), media: vals.media, start: vals.start || null, end: vals.end, reason: vals.reason,
    });
    onSaved();
  });
  return html`<${Dialog} title=${t('rights.add_holdback')} onClose=${onClose} size="lg">
    <form class="form form-2col" onSubmit=${save} novalidate>
      <${FormError} form=${f} />
      <div class="span-2"><${TerritoryField} label=${t('rights.territories')} value=${v.territories} onInput=${(s) => f.set('territories', s)} error=${f.errors.territories} /></div>
      <div class="span-2"><${MediaField} label=${t('rights.media')} media=${media} value=${v.media} onChange=${(m) => f.set('media', m)} error=${f.errors.media} /></div>
      <${TextField} form=${f} name="start" type="date" label=${t('rights.start_optional')} />
      <${TextField} form=${f} name="end" type="date" label=${t('rights.holdback_until')} />
      <${TextField} form=${f} name="reason" label=${t('rights.reason')} class="span-2" />
      <div class="form-actions span-2">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${t('action.add')}<//>
      </div>
    </form>
  <//>`;
}

// ---- Deals touching the title. ----

function TitleDeals({ org, base, title }) {
  const r = useAsync(() => api.get(`/api/v1/titles/${title.id}/deals`), [title.id]);
  const items = (r.data && r.data.items) || [];
  return html`<section class="card" data-testid="title-deals">
    <div class="card-head"><h2 class="card-title">${t('rights.deals')}</h2></div>
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${!r.data ? !r.error && html`<${Loading} />` : items.length === 0 ? html`<${Empty} icon="file" title=${t('rights.no_deals')} />`
      : html`<ul class="mini-list">${items.map((d) => html`<li key=${d.id} class="mini-row">
        <a class="truncate" href=${`${base}/deals/${d.id}`}>${d.reference || t('rights.untitled_deal')}</a>
        <span class="muted small truncate">${d.org_id === org.id ? d.licensee_name : d.org_name}</span>
        <${Badge} kind=${statusBadge(d.status)}>${statusLabel(d.status)}<//>
        <span class="small rt-nowrap">${fmtMoney(d.fee, d.currency)}</span>
      </li>`)}</ul>`}
  </section>`;
}
