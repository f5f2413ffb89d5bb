// web/rights/deal.js: the deal editor (/orgs/<id>/rights/deals/new[?title_id=] and
// /orgs/<id>/rights/deals/<dealId>): licensee (an organization on mstation or a name),
// reference, currency, fee, minimum guarantee, notes, the payment schedule, and the rights
// rows (rows.js). While the person types, the complete rows are checked against what is still
// available (debounced POST /orgs/{id}/avails/check) and every conflict is listed with the deal
// that blocks it. Save keeps the deal a draft (POST, or PATCH with If-Match); the status bar
// moves it on (offered, negotiating, signed, active, expired, terminated) with
// POST /deals/{id}/status — a 409 lists the conflicts found at that moment.
//
// A signed deal's rights cannot change: the editor shows them read-only and still lets the
// licensor mark payments paid and edit the reference and notes. The licensee organization sees
// the deal read-only.
import { html, useEffect, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { confirmAction } from '/lib/dialog.js';
import { OrgPicker } from '/lib/org-picker.js';
import { navigate, useRoute } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { useAsync, useDebounced, Badge, ErrorBox, Loading, Notice, PageHeader, Spinner, errorMessage } from '/lib/ui.js';
import { fmtDateTime } from '/lib/format.js';
import { LOCKED_STATUSES, fmtMoney, rowErrors, statusBadge, statusLabel, useMedia } from './common.js';
import { ConflictList, RowsEditor, fromApiRow, newRow, rowComplete, toApiRow } from './rows.js';

const NEXT = {
  draft: ['offered', 'negotiating', 'signed'],
  offered: ['negotiating', 'signed', 'draft'],
  negotiating: ['offered', 'signed', 'draft'],
  signed: ['active', 'expired', 'terminated'],
  active: ['expired', 'terminated'],
  expired: [],
  terminated: [],
};
const MANAGE = ['signed', 'active', 'terminated'];
const isManager = (org) => ['owner', 'admin'].includes(org.my_role);
const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);

export default function DealPage({ org, base, dealId }) {
  const { search } = useRoute();
  const titleId = new URLSearchParams(search).get('title_id');
  const r = useAsync(async () => {
    if (dealId) return api.request('GET', `/api/v1/deals/${dealId}`);
    if (titleId) {
      const x = await api.get(`/api/v1/titles/${titleId}`).catch(() => null);
      return { data: null, title: x };
    }
    return { data: null };
  }, [dealId, titleId]);
  if (r.error && !r.data) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  if (!r.data.data && !canEdit(org)) return html`<${Notice}>${t('rights.viewers_cannot_deal')}<//>`;
  return html`<${DealEditor} key=${r.data.etag || 'new'} org=${org} base=${base} deal=${r.data.data} etag=${r.data.etag}
    presetTitle=${r.data.title} onLoaded=${(data, etag) => r.setData({ data, etag })} reload=${r.reload} />`;
}

function initialState(deal, presetTitle) {
  if (!deal) {
    return {
      licenseeMode: 'org', licensee: null, licenseeName: '', reference: '', currency: 'USD', fee: '', mg: '', notes: '',
      rows: [newRow(presetTitle ? { title: presetTitle } : {})], payments: [],
    };
  }
  return {
    licenseeMode: deal.licensee_org_id ? 'org' : 'name',
    licensee: deal.licensee_org_id ? { id: deal.licensee_org_id, name: deal.licensee_name, slug: '', kind: 'other' } : null,
    licenseeName: deal.licensee_org_id ? '' : deal.licensee_name || '',
    reference: deal.reference || '',
    currency: deal.currency || 'USD',
    fee: deal.fee && Number(deal.fee) !== 0 ? String(deal.fee) : '',
    mg: deal.minimum_guarantee && Number(deal.minimum_guarantee) !== 0 ? String(deal.minimum_guarantee) : '',
    notes: deal.notes || '',
    rows: (deal.rights || []).map(fromApiRow),
    payments: (deal.payments || []).map((p) => ({ id: p.id, due_date: p.due_date || '', amount: String(p.amount ?? ''), note: p.note || '', paid_at: p.paid_at || null })),
  };
}

function DealEditor({ org, base, deal, etag, presetTitle, onLoaded, reload }) {
  const media = useMedia(org.id);
  const [init] = useState(() => initialState(deal, presetTitle));
  const [s, setS] = useState(init);
  const saved = useRef(JSON.stringify(init));
  const [saveConflicts, setSaveConflicts] = useState(null);
  const set = (patch) => {
    setS((v) => ({ ...v, ...patch }));
    // A change to the rights replaces the refused save's list with the live check.
    if (patch.rows) setSaveConflicts(null);
  };
  const mine = !deal || deal.org_id === org.id;
  const locked = !!deal && LOCKED_STATUSES.includes(deal.status);
  const editable = mine && canEdit(org) && !locked;
  const dirty = JSON.stringify(s) !== saved.current;
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  const [fieldErrs, setFieldErrs] = useState({ rows: {}, pay: {}, top: {} });

  // ---- The live check: complete rows only, debounced. ----
  const complete = s.rows.map((x, i) => [x, i]).filter(([x]) => rowComplete(x));
  const indexMap = complete.map(([, i]) => i);
  const checkBody = JSON.stringify({ rows: complete.map(([x]) => toApiRow(x)), idx: indexMap });
  const debounced = useDebounced(checkBody, 400);
  const [check, setCheck] = useState({ conflicts: [], idx: [], error: null, loading: false, body: '' });
  useEffect(() => {
    if (!editable) return undefined;
    const { rows, idx } = JSON.parse(debounced);
    if (!rows.length) {
      setCheck({ conflicts: [], idx, error: null, loading: false, body: debounced });
      return undefined;
    }
    let live = true;
    setCheck((c) => ({ ...c, loading: true }));
    api.post(`/api/v1/orgs/${org.id}/avails/check`, { rights: rows, ...(deal ? { deal_id: deal.id } : {}) }).then(
      (res) => live && setCheck({ conflicts: res.conflicts || [], idx, error: null, loading: false, body: debounced }),
      (e) => live && setCheck({ conflicts: [], idx, error: e, loading: false, body: debounced }),
    );
    return () => {
      live = false;
    };
  }, [debounced, editable]);
  const stale = check.body !== checkBody;
  const liveIndexMap = check.idx;
  const conflicted = new Set((check.conflicts || []).map((c) => liveIndexMap[c.right]));
  const checkErrors = check.error ? rowErrors(check.error) : { rows: {}, other: [] };

  // ---- Saving. ----
  const body = () => {
    const b = {
      reference: s.reference.trim(),
      currency: s.currency.trim().toUpperCase(),
      fee: s.fee.trim() || '0',
      minimum_guarantee: s.mg.trim() || '0',
      notes: s.notes,
      rights: s.rows.map(toApiRow),
      payments: s.payments.map((p) => ({ due_date: p.due_date, amount: p.amount.trim() || '0', note: p.note, paid_at: p.paid_at || null })),
    };
    if (s.licenseeMode === 'org' && s.licensee) b.licensee_org_id = s.licensee.id;
    else b.licensee_name = s.licenseeName.trim();
    return b;
  };
  const fail = (e) => {
    setError(e);
    if (e.status === 409 && e.problem && Array.isArray(e.problem.conflicts)) setSaveConflicts(e.problem.conflicts);
    const re = rowErrors(e);
    const pe = rowErrors(e, 'payments');
    const top = {};
    for (const f of re.other) top[f.field] = f.message;
    setFieldErrs({ rows: re.rows, pay: pe.rows, top });
  };
  const clearErrors = () => {
    setError(null);
    setSaveConflicts(null);
    setFieldErrs({ rows: {}, pay: {}, top: {} });
  };
  const save = async () => {
    const local = {};
    if (s.licenseeMode === 'org' && !s.licensee) local.licensee = t('rights.pick_licensee');
    if (s.licenseeMode === 'name' && !s.licenseeName.trim()) local.licensee_name = t('form.required');
    if (!/^[A-Za-z]{3}$/.test(s.currency.trim())) local.currency = t('rights.bad_currency');
    if (Object.keys(local).length && editable) {
      setFieldErrs({ rows: {}, pay: {}, top: local });
      return;
    }
    clearErrors();
    setBusy('save');
    try {
      if (!deal) {
        const created = await api.post(`/api/v1/orgs/${org.id}/deals`, { ...body(), status: 'draft' });
        toast(t('rights.deal_saved'));
        navigate(`${base}/deals/${created.id}`, { replace: true });
        return;
      }
      const patch = locked
        ? { reference: s.reference.trim(), notes: s.notes, payments: body().payments }
        : body();
      const res = await api.request('PATCH', `/api/v1/deals/${deal.id}`, { body: patch, etag });
      toast(t('rights.deal_saved'));
      onLoaded(res.data, res.etag);
    } catch (e) {
      if (e.status === 412) {
        toast(t('problem.stale-version'), 'error');
        reload();
      }
      fail(e);
    } finally {
      setBusy('');
    }
  };
  const move = async (status) => {
    if (status === 'terminated') {
      const ok = await confirmAction({ title: t('rights.terminate'), message: t('rights.terminate_confirm'), confirmLabel: t('rights.terminate'), danger: true });
      if (!ok) return;
    }
    clearErrors();
    setBusy(status);
    try {
      const res = await api.request('POST', `/api/v1/deals/${deal.id}/status`, { body: { status }, etag });
      toast(t('rights.status_now', { status: statusLabel(status) }));
      onLoaded(res.data, res.etag);
    } catch (e) {
      if (e.status === 412) reload();
      fail(e);
    } finally {
      setBusy('');
    }
  };
  const remove = async () => {
    const ok = await confirmAction({ title: t('rights.delete_deal'), message: t('rights.delete_deal_confirm'), confirmLabel: t('rights.delete'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/deals/${deal.id}`, { etag });
      toast(t('rights.deal_deleted'));
      navigate(`${base}/deals`);
    } catch (e) {
      fail(e);
    }
  };

  const next = deal && mine ? NEXT[deal.status].filter((x) => (MANAGE.includes(x) ? isManager(org) : canEdit(org))) : [];
  const errs = fieldErrs.top;
  const total = s.payments.reduce((a, p) => a + (Number(p.amount) || 0), 0);
  const showLiveConflicts = editable && !saveConflicts && check.conflicts.length > 0;

  return html`<div class="stack rt-deal" data-testid="deal-editor">
    <${PageHeader}
      crumbs=${html`<a href=${`${base}/deals`}>${t('rights.nav.deals')}</a>`}
      title=${html`<span class="title-text">${deal ? deal.reference || t('rights.deal_with', { name: mine ? deal.licensee_name : deal.org_name }) : t('rights.new_deal')}</span>
        ${deal && html`<${Badge} kind=${statusBadge(deal.status)}><span data-testid="deal-status">${statusLabel(deal.status)}</span><//>`}`}
      subtitle=${deal && html`<span class="meta-row">
        <span>${mine ? t('rights.licensed_to', { name: deal.licensee_name }) : t('rights.licensed_by', { name: deal.org_name })}</span>
        ${deal.signed_at && html`<span>· ${t('rights.signed_on', { when: fmtDateTime(deal.signed_at) })}</span>`}
        ${deal.offer_id && html`<span>· <a href=${`${base}/market/offers/${deal.offer_id}`}>${t('rights.from_offer')}</a></span>`}
      </span>`}
      actions=${html`
        ${(editable || (locked && mine && canEdit(org))) && html`<button type="button" class="btn btn-primary" data-testid="save-deal" disabled=${!!busy || (deal && !dirty)} onClick=${save}>
          ${busy === 'save' && html`<${Spinner} />`}${deal ? t('action.save') : t('rights.save_draft')}</button>`}
        ${next.map((st) => html`<button key=${st} type="button" class=${`btn ${st === 'signed' ? 'btn-primary' : st === 'terminated' ? 'btn-danger-outline' : ''}`}
          data-testid=${`status-${st}`} disabled=${!!busy || dirty} title=${dirty ? t('rights.save_first') : ''} onClick=${() => move(st)}>
          ${busy === st && html`<${Spinner} />`}${t(`rights.to_status.${st}`)}</button>`)}
        ${deal && mine && deal.status === 'draft' && canEdit(org) && html`<button type="button" class="btn btn-ghost-danger" onClick=${remove}><${Icon} name="trash" />${t('rights.delete')}</button>`}`} />
    ${dirty && deal && next.length > 0 && html`<div class="muted small">${t('rights.save_first')}</div>`}
    ${error && error.slug !== 'rights-conflict' && error.fieldErrors.length === 0 && html`<${ErrorBox} error=${error} />`}
    ${error && error.fieldErrors.length > 0 && html`<div class="alert alert-error" role="alert" data-testid="field-errors"><${Icon} name="alert" />
      <div class="alert-body"><div>${errorMessage(error)}</div>
      <ul class="rt-errlist">${error.fieldErrors.map((f, i) => html`<li key=${i}><span class="mono">${f.field}</span>: ${f.message}</li>`)}</ul></div></div>`}
    ${saveConflicts && html`<${ConflictList} conflicts=${saveConflicts} rows=${s.rows} media=${media} base=${base}
      title=${t('rights.not_saved_conflicts', { n: saveConflicts.length })} />`}

    <section class="card">
      <h2 class="card-title">${t('rights.terms')}</h2>
      <div class="form form-2col">
        ${editable ? html`<div class="field span-2">
          <div class="segmented" role="group" aria-label=${t('rights.licensee')}>
            <button type="button" class=${`seg ${s.licenseeMode === 'org' ? 'on' : ''}`} onClick=${() => set({ licenseeMode: 'org' })}>${t('rights.licensee_org')}</button>
            <button type="button" class=${`seg ${s.licenseeMode === 'name' ? 'on' : ''}`} data-testid="licensee-mode-name" onClick=${() => set({ licenseeMode: 'name' })}>${t('rights.licensee_other')}</button>
          </div>
          ${s.licenseeMode === 'org' ? html`<${OrgPicker} label=${t('rights.licensee')} value=${s.licensee} onChange=${(o) => set({ licensee: o })}
              exclude=${{ [org.id]: t('rights.yourself') }} error=${errs.licensee || errs.licensee_org_id} />`
            : html`<label class=${`field ${errs.licensee_name ? 'has-error' : ''}`}><span class="field-label">${t('rights.licensee_name')}</span>
              <input class="input" value=${s.licenseeName} maxLength="200" data-testid="licensee-name" onInput=${(e) => set({ licenseeName: e.target.value })} />
              ${errs.licensee_name && html`<div class="field-error">${errs.licensee_name}</div>`}</label>`}
        </div>` : html`<dl class="details span-2">
          <dt>${t('rights.licensor')}</dt><dd>${deal.org_name}</dd>
          <dt>${t('rights.licensee')}</dt><dd>${deal.licensee_name}</dd>
          <dt>${t('rights.fee')}</dt><dd data-testid="deal-fee">${fmtMoney(deal.fee, deal.currency)}</dd>
          ${deal.minimum_guarantee && Number(deal.minimum_guarantee) > 0 && html`<dt>${t('rights.mg')}</dt><dd>${fmtMoney(deal.minimum_guarantee, deal.currency)}</dd>`}
        </dl>`}
        ${(editable || (locked && mine && canEdit(org))) ? html`
          <${Input} label=${t('rights.reference')} value=${s.reference} onInput=${(v) => set({ reference: v })} error=${errs.reference} testid="deal-reference" />
          ${editable && html`<${Input} label=${t('rights.currency')} value=${s.currency} onInput=${(v) => set({ currency: v })} error=${errs.currency} mono maxLength="3" testid="deal-currency" />
          <${Input} label=${t('rights.fee')} value=${s.fee} onInput=${(v) => set({ fee: v })} error=${errs.fee} inputmode="decimal" testid="deal-fee-input" />
          <${Input} label=${t('rights.mg')} value=${s.mg} onInput=${(v) => set({ mg: v })} error=${errs.minimum_guarantee} inputmode="decimal" />`}
          <label class="field span-2"><span class="field-label">${t('rights.notes')}</span>
            <textarea class="input textarea" rows="2" value=${s.notes} onInput=${(e) => set({ notes: e.target.value })}></textarea></label>`
        : html`${deal.reference && html`<dl class="details span-2"><dt>${t('rights.reference')}</dt><dd>${deal.reference}</dd></dl>`}
          ${deal.notes && html`<p class="prewrap span-2">${deal.notes}</p>`}`}
      </div>
    </section>

    <section class="card" data-testid="rights-card">
      <div class="card-head"><h2 class="card-title">${mine ? t('rights.rights_out') : t('rights.licensed_rights')}</h2>
        ${editable && html`<span class="rt-check-state small" data-testid="check-state">
          ${check.loading || stale ? html`<${Spinner} /> ${t('rights.checking')}`
            : check.error ? html`<span class="rt-warn">${t('rights.check_failed')}</span>`
            : complete.length === 0 ? html`<span class="muted">${t('rights.check_waits')}</span>`
            : check.conflicts.length ? html`<span class="rt-bad">${t('rights.n_conflicts', { n: check.conflicts.length })}</span>`
            : html`<span class="rt-ok" data-testid="no-conflicts"><${Icon} name="check" /> ${t('rights.all_available')}</span>`}
        </span>`}</div>
      ${check.error && editable && html`<div class="alert alert-warn"><${Icon} name="alert" /><div class="alert-body">
        ${errorMessage(check.error)}${checkErrors.other.length > 0 && html`<ul class="rt-errlist">${checkErrors.other.map((f, i) => html`<li key=${i}>${f.field}: ${f.message}</li>`)}</ul>`}</div></div>`}
      ${showLiveConflicts && html`<${ConflictList} conflicts=${check.conflicts} rows=${s.rows} indexMap=${liveIndexMap} media=${media} base=${base} />`}
      <${RowsEditor} orgId=${org.id} media=${media} rows=${s.rows} onChange=${(rows) => set({ rows })} readOnly=${!editable}
        errors=${mergeErrors(fieldErrs.rows, remap(checkErrors.rows, liveIndexMap))} conflicted=${editable ? conflicted : new Set()} />
      ${editable && html`<div class="rt-add-row"><button type="button" class="btn btn-sm" data-testid="add-row" onClick=${() => {
        const last = s.rows[s.rows.length - 1];
        set({ rows: [...s.rows, newRow(last ? { title: last.title, territories: last.territories, start: last.start, end: last.end, exclusivity: last.exclusivity } : {})] });
      }}><${Icon} name="plus" />${t('rights.add_row')}</button></div>`}
    </section>

    <section class="card" data-testid="payments">
      <div class="card-head"><h2 class="card-title">${t('rights.payments')}</h2>
        ${s.payments.length > 0 && html`<span class="muted small">${t('rights.payments_total', { amount: fmtMoney(total, s.currency) })}</span>`}</div>
      ${s.payments.length === 0 && html`<p class="muted small">${t('rights.no_payments')}</p>`}
      <div class="rt-payments">${s.payments.map((p, i) => {
        const pe = fieldErrs.pay[i] || {};
        const setP = (patch) => set({ payments: s.payments.map((x, k) => (k === i ? { ...x, ...patch } : x)) });
        return html`<div key=${i} class="rt-payment">
          <label class=${`field ${pe.due_date ? 'has-error' : ''}`}><span class="field-label">${t('rights.due_date')}</span>
            <input class="input" type="date" value=${p.due_date} disabled=${!editable} data-testid="payment-due" onInput=${(e) => setP({ due_date: e.target.value })} />
            ${pe.due_date && html`<div class="field-error">${pe.due_date}</div>`}</label>
          <label class=${`field ${pe.amount ? 'has-error' : ''}`}><span class="field-label">${t('rights.amount')}</span>
            <input class="input" inputmode="decimal" value=${p.amount} disabled=${!editable} data-testid="payment-amount" onInput=${(e) => setP({ amount: e.target.value })} />
            ${pe.amount && html`<div class="field-error">${pe.amount}</div>`}</label>
          <label class="field rt-grow"><span class="field-label">${t('rights.note')}</span>
            <input class="input" value=${p.note} disabled=${!editable} onInput=${(e) => setP({ note: e.target.value })} /></label>
          <label class="rt-paid"><input type="checkbox" data-testid="payment-paid" checked=${!!p.paid_at} disabled=${!(mine && canEdit(org))}
            onChange=${(e) => setP({ paid_at: e.target.checked ? new Date().toISOString().slice(0, 10) : null })} />${t('rights.paid')}</label>
          ${editable && html`<button type="button" class="icon-btn" aria-label=${t('rights.remove')} onClick=${() => set({ payments: s.payments.filter((_, k) => k !== i) })}><${Icon} name="x" /></button>`}
        </div>`;
      })}</div>
      ${editable && html`<div class="rt-add-row"><button type="button" class="btn btn-sm" data-testid="add-payment" onClick=${() => set({ payments: [...s.payments, { due_date: '', amount: '', note: '', paid_at: null }] })}>
        <${Icon} name="plus" />${t('rights.add_payment')}</button></div>`}
    </section>
  </div>`;
}

function remap(rows, indexMap) {
  const out = {};
  for (const [k, v] of Object.entries(rows)) out[indexMap[Number(k)] ?? k] = v;
  return out;
}
function mergeErrors(a, b) {
  const out = { ...b };
  for (const [k, v] of Object.entries(a)) out[k] = { ...(out[k] || {}), ...v };
  return out;
}

function Input({ label, value, onInput, error, mono, testid, ...rest }) {
  return html`<label class=${`field ${error ? 'has-error' : ''}`}><span class="field-label">${label}</span>
    <input class=${`input ${mono ? 'mono' : ''}`} value=${value} data-testid=${testid} onInput=${(e) => onInput(e.target.value)} ...${rest} />
    ${error && html`<div class="field-error" role="alert">${error}</div>`}</label>`;
}
