// web/rights/market.js: the program market, seen as the organization of the page:
//   market                    listings it may see (GET /market/listings?org=), its own marked;
//                             "New listing" (POST /orgs/{id}/listings)
//   market/listings/<id>      a listing: titles, rights on offer, asking terms; the seller
//                             invites buyers and closes it; a buyer requests access or sends
//                             an offer (POST /listings/{id}/offers)
//   market/offers             the offers inbox, as seller or as buyer (GET /orgs/{id}/offers)
//   market/offers/<id>        an offer's thread (GET /offers/{id}/events) and what the caller
//                             may do next (`may`): counter, message, accept, reject, withdraw;
//                             an accepted offer links to its signed deal.
// Everything goes through the public API as wt-market documents it; nothing is decided here.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog, confirmAction } from '/lib/dialog.js';
import { OrgPicker } from '/lib/org-picker.js';
import { navigate } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { fmtDateTime, fmtRelative } from '/lib/format.js';
import { useAsync, usePaged, useDebounced, Badge, Empty, ErrorBox, LoadMore, Loading, PageHeader, Spinner, TabNav, errorMessage } from '/lib/ui.js';
import {
  EXCLUSIVITY, MediaField, TerritoryField, TitlePicker, exclLabel, fmtLanguages, fmtMoney, fmtTerm, fmtTerritories, mediaName, parseLanguages,
  parseTerritories, rightSummary, rowErrors, titleLine, useMedia, today,
} from './common.js';
import { ConflictList, RowsEditor, fromApiRow, newRow, rowComplete, toApiRow } from './rows.js';

const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);
const isManager = (org) => ['owner', 'admin'].includes(org.my_role);
const sellerId = (l) => l.org_id || l.seller_org_id;
const isOwn = (l, org) => l.own === true || l.your_side === 'seller' || sellerId(l) === org.id;

export default function MarketPage({ org, base, rest = '' }) {
  const parts = rest.split('/').filter(Boolean);
  const mbase = `${base}/market`;
  const sub = html`<${TabNav} label=${t('rights.market_sections')} items=${[
    { href: mbase, label: t('rights.listings'), active: !parts[0] || parts[0] === 'listings' },
    { href: `${mbase}/offers`, label: t('rights.offers_inbox'), active: parts[0] === 'offers' },
  ]} />`;
  let body;
  if (parts[0] === 'listings' && parts[1]) body = html`<${ListingPage} key=${parts[1]} org=${org} base=${base} id=${parts[1]} />`;
  else if (parts[0] === 'offers' && parts[1]) body = html`<${OfferPage} key=${parts[1]} org=${org} base=${base} id=${parts[1]} />`;
  else if (parts[0] === 'offers') body = html`<${Inbox} org=${org} base=${base} />`;
  else body = html`<${Listings} org=${org} base=${base} />`;
  return html`<div class="rt-market"><div class="rt-subsub">${sub}</div>${body}</div>`;
}

// ---- Listings. ----

function Listings({ org, base }) {
  const media = useMedia(org.id);
  const [q, setQ] = useState('');
  const [med, setMed] = useState('');
  const [terr, setTerr] = useState('');
  const dq = useDebounced(q.trim(), 250);
  const dt = useDebounced(terr.trim().toUpperCase(), 250);
  const [creating, setCreating] = useState(false);
  const [mine, setMine] = useState(false);
  const list = usePaged((cursor) => (mine ? api.get(`/api/v1/orgs/${org.id}/listings`, { cursor, limit: 50 })
    : api.get('/api/v1/market/listings', { org: org.id, q: dq, media: med, territory: dt, cursor, limit: 50 })), [org.id, dq, med, dt, mine]);
  return html`<div class="stack" data-testid="listings">
    <div class="toolbar rt-toolbar">
      <div class="segmented" role="group" aria-label=${t('rights.listings')}>
        <button type="button" class=${`seg ${!mine ? 'on' : ''}`} onClick=${() => setMine(false)}>${t('rights.on_the_market')}</button>
        <button type="button" class=${`seg ${mine ? 'on' : ''}`} data-testid="my-listings" onClick=${() => setMine(true)}>${t('rights.my_listings')}</button>
      </div>
      ${!mine && html`<label class="search"><${Icon} name="search" class="muted" />
        <input class="search-input" type="search" value=${q} placeholder=${t('rights.search_listings')} aria-label=${t('rights.search_listings')}
          onInput=${(e) => setQ(e.target.value)} /></label>
      <select class="input select rt-filter" value=${med} aria-label=${t('rights.medium')} onChange=${(e) => setMed(e.target.value)}>
        <option value="">${t('rights.any_media')}</option>
        ${(media || []).map((m) => html`<option key=${m.code} value=${m.code}>${mediaName(m.code, media)}</option>`)}
      </select>
      <input class="input rt-filter rt-year mono" value=${terr} placeholder="FR" maxLength="2" aria-label=${t('rights.territory')} onInput=${(e) => setTerr(e.target.value)} />`}
      <span class="toolbar-spacer"></span>
      ${canEdit(org) && html`<button type="button" class="btn btn-primary" data-testid="new-listing" onClick=${() => setCreating(true)}><${Icon} name="plus" />${t('rights.new_listing')}</button>`}
    </div>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />` : list.items.length === 0 ? (list.error ? null : html`<${Empty} icon="tag" title=${t('rights.no_listings')}>${t('rights.no_listings_hint')}<//>`)
      : html`<div class="rt-cards" data-testid="listing-list">${list.items.map((l) => html`<a key=${l.id} class="card rt-listing" href=${`${base}/market/listings/${l.id}`} data-listing=${l.name}>
        <div class="rt-listing-head"><span class="strong rt-wrap">${l.name}</span>
          ${isOwn(l, org) ? html`<${Badge} kind="accent">${t('rights.yours')}<//>` : html`<${Badge} kind="shared">${l.seller_name || l.org_name || ''}<//>`}</div>
        ${l.description && html`<div class="muted small rt-clamp">${l.description}</div>`}
        ${l.rights && html`<div class="small rt-wrap">${rightSummary(l.rights, media)}</div>`}
        <div class="rt-listing-foot small">
          ${l.asking && html`<span class="strong">${fmtMoney(l.asking.amount, l.asking.currency)}</span>`}
          <span class="muted">${t('rights.n_titles', { n: (l.title_ids || l.titles || []).length })}</span>
          ${l.status && l.status !== 'open' && html`<${Badge} kind="muted">${t(`rights.listing_status.${l.status}`)}<//>`}
          ${l.visibility === 'invited' && html`<${Badge} kind="warn">${t('rights.invited_only')}<//>`}
        </div>
      </a>`)}</div>`}
    <${LoadMore} paged=${list} />
    ${creating && html`<${ListingDialog} org=${org} media=${media} onClose=${() => setCreating(false)} onSaved=${(l) => {
      setCreating(false);
      toast(t('rights.listing_created'));
      navigate(`${base}/market/listings/${l.id}`);
    }} />`}
  </div>`;
}

function ListingDialog({ org, media, onClose, onSaved }) {
  const [v, setV] = useState({
    name: '', description: '', titles: [], territories: 'WORLD', media: [], languages: '', start: today(), end: '',
    exclusivity: 'non_exclusive', currency: 'USD', amount: '', terms: '', visibility: 'market',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const set = (p) => setV((x) => ({ ...x, ...p }));
  const save = async (e) => {
    e.preventDefault();
    const local = {};
    if (!v.name.trim()) local.name = t('form.required');
    if (!v.titles.length) local.title_ids = t('rights.pick_a_title');
    if (!v.media.length) local['rights.media'] = t('rights.pick_media');
    if (Object.keys(local).length) {
      setErrs(local);
      return;
    }
    setBusy(true);
    setError(null);
    setErrs({});
    try {
      const l = await api.post(`/api/v1/orgs/${org.id}/listings`, {
        name: v.name.trim(), description: v.description, title_ids: v.titles.map((x) => x.id),
        rights: { territories: parseTerritories(v.territories), media: v.media, languages: parseLanguages(v.languages), start: v.start, end: v.end || null, exclusivity: v.exclusivity },
        asking: { currency: v.currency.trim().toUpperCase(), amount: v.amount.trim() || '0', terms: v.terms },
        visibility: v.visibility,
      });
      onSaved(l);
    } catch (err) {
      setError(err);
      const fe = {};
      for (const f of err.fieldErrors || []) fe[f.field] = f.message;
      setErrs(fe);
    } finally {
      setBusy(false);
    }
  };
  const fe = (k) => errs[k] && html`<div class="field-error">${errs[k]}</div>`;
  return html`<${Dialog} title=${t('rights.new_listing')} onClose=${onClose} size="lg">
    <form class="form form-2col" onSubmit=${save} novalidate data-testid="listing-form">
      ${error && html`<${ErrorBox} error=${error} />`}
      <label class="field span-2"><span class="field-label">${t('rights.listing_name')}</span>
        <input class="input" value=${v.name} maxLength="300" data-testid="listing-name" onInput=${(e) => set({ name: e.target.value })} />${fe('name')}</label>
      <label class="field span-2"><span class="field-label">${t('field.description')}</span>
        <textarea class="input textarea" rows="2" value=${v.description} onInput=${(e) => set({ description: e.target.value })}></textarea></label>
      <div class="span-2">
        <${TitlePicker} orgId=${org.id} label=${t('rights.titles_on_offer')} value=${null} testid="listing-title"
          onPick=${(x) => x && !v.titles.some((y) => y.id === x.id) && set({ titles: [...v.titles, x] })} error=${errs.title_ids} />
        <ul class="rt-tags">${v.titles.map((x) => html`<li key=${x.id} class="rt-tag"><span class="truncate">${titleLine(x)}</span>
          <button type="button" class="icon-btn" aria-label=${t('rights.remove')} onClick=${() => set({ titles: v.titles.filter((y) => y.id !== x.id) })}><${Icon} name="x" size=${12} /></button></li>`)}</ul>
      </div>
      <div class="span-2"><${TerritoryField} label=${t('rights.territories')} value=${v.territories} onInput=${(s) => set({ territories: s })} error=${errs['rights.territories']} /></div>
      <div class="span-2"><${MediaField} label=${t('rights.media')} media=${media} value=${v.media} onChange=${(m) => set({ media: m })} error=${errs['rights.media']} testid="listing-media" /></div>
      <label class="field"><span class="field-label">${t('rights.start')}</span><input class="input" type="date" value=${v.start} onInput=${(e) => set({ start: e.target.value })} />${fe('rights.start')}</label>
      <label class="field"><span class="field-label">${t('rights.end')}</span><input class="input" type="date" value=${v.end} onInput=${(e) => set({ end: e.target.value })} />${fe('rights.end')}</label>
      <label class="field"><span class="field-label">${t('rights.exclusivity')}</span>
        <select class="input select" value=${v.exclusivity} onChange=${(e) => set({ exclusivity: e.target.value })}>
          ${EXCLUSIVITY.map((x) => html`<option key=${x} value=${x}>${exclLabel(x)}</option>`)}</select></label>
      <label class="field"><span class="field-label">${t('rights.languages')}</span>
        <input class="input mono" value=${v.languages} placeholder="fr:dubbed, en" onInput=${(e) => set({ languages: e.target.value })} /></label>
      <label class="field"><span class="field-label">${t('rights.currency')}</span>
        <input class="input mono" value=${v.currency} maxLength="3" onInput=${(e) => set({ currency: e.target.value })} />${fe('asking.currency')}</label>
      <label class="field"><span class="field-label">${t('rights.asking')}</span>
        <input class="input" inputmode="decimal" value=${v.amount} data-testid="listing-amount" onInput=${(e) => set({ amount: e.target.value })} />${fe('asking.amount')}</label>
      <label class="field span-2"><span class="field-label">${t('rights.asking_terms')}</span>
        <input class="input" value=${v.terms} onInput=${(e) => set({ terms: e.target.value })} /></label>
      <label class="field span-2"><span class="field-label">${t('rights.visibility')}</span>
        <select class="input select" value=${v.visibility} data-testid="listing-visibility" onChange=${(e) => set({ visibility: e.target.value })}>
          <option value="market">${t('rights.visibility_market')}</option><option value="invited">${t('rights.visibility_invited')}</option></select></label>
      <div class="form-actions span-2">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="listing-save">${busy && html`<${Spinner} />`}${t('rights.publish')}</button>
      </div>
    </form>
  <//>`;
}

function ListingPage({ org, base, id }) {
  const media = useMedia(org.id);
  const r = useAsync(() => api.request('GET', `/api/v1/listings/${id}`, { query: { org: org.id } }), [id, org.id]);
  const [offering, setOffering] = useState(false);
  if (r.error && !r.data) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  const l = r.data.data;
  const seller = isOwn(l, org);
  const titles = l.titles || (l.title_ids || []).map((x) => ({ id: x, title: x }));
  const setStatus = async (status) => {
    try {
      const res = await api.request('PATCH', `/api/v1/listings/${l.id}`, { body: { status }, etag: r.data.etag });
      r.setData({ data: res.data, etag: res.etag });
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  const requestAccess = async () => {
    try {
      await api.post(`/api/v1/listings/${l.id}/access-requests`, { org_id: org.id });
      toast(t('rights.access_requested'));
      r.reload();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  return html`<div class="stack" data-testid="listing-page">
    <${PageHeader} crumbs=${html`<a href=${`${base}/market`}>${t('rights.listings')}</a>`}
      title=${html`<span class="title-text">${l.name}</span>`}
      subtitle=${html`<span class="meta-row"><span>${seller ? t('rights.your_listing') : t('rights.listed_by', { name: l.seller_name || l.org_name || '' })}</span>
        ${!seller && l.buyer_status && html`<${Badge} kind="accent">${t(`rights.buyer_status.${l.buyer_status}`)}<//>`}
        ${l.status && html`<${Badge} kind=${l.status === 'open' ? 'ok' : 'muted'}>${t(`rights.listing_status.${l.status}`)}<//>`}
        ${l.visibility === 'invited' && html`<${Badge} kind="warn">${t('rights.invited_only')}<//>`}</span>`}
      actions=${html`
        ${!seller && canEdit(org) && (l.may_offer ?? (!l.status || l.status === 'open')) && html`<button type="button" class="btn btn-primary" data-testid="make-offer" onClick=${() => setOffering(true)}>${t('rights.make_offer')}</button>`}
        ${!seller && canEdit(org) && !['approved', 'requested'].includes(l.buyer_status) && (l.screener_count > 0 || l.visibility === 'invited') && html`<button type="button" class="btn" onClick=${requestAccess}>${t('rights.request_access')}</button>`}
        ${seller && canEdit(org) && html`<button type="button" class="btn" onClick=${() => setStatus(l.status === 'closed' ? 'open' : 'closed')}>
          ${l.status === 'closed' ? t('rights.reopen') : t('rights.close_listing')}</button>`}`} />
    <section class="card">
      ${l.description && html`<p class="prewrap rt-desc">${l.description}</p>`}
      <dl class="details">
        <dt>${t('rights.titles_on_offer')}</dt><dd><ul class="rt-inline-list">${titles.map((x) => html`<li key=${x.id}>${seller ? html`<a href=${`${base}/titles/${x.id}`}>${titleLine(x)}</a>` : titleLine(x)}</li>`)}</ul></dd>
        ${l.rights && html`<dt>${t('rights.rights_on_offer')}</dt><dd>${rightSummary(l.rights, media)}</dd>`}
        ${l.asking && html`<dt>${t('rights.asking')}</dt><dd><span class="strong">${fmtMoney(l.asking.amount, l.asking.currency)}</span>${l.asking.terms ? ` · ${l.asking.terms}` : ''}</dd>`}
        ${l.screeners && l.screeners.length > 0 && html`<dt>${t('rights.screeners')}</dt><dd><ul>${l.screeners.map((s, i) => html`<li key=${i}><a href=${s.url || s.share_url} target="_blank" rel="noopener">${s.name || t('rights.screener')}</a></li>`)}</ul></dd>`}
      </dl>
    </section>
    ${seller && html`<${Buyers} org=${org} listing=${l} />`}
    ${offering && html`<${OfferDialog} org=${org} base=${base} listing=${l} titles=${titles} media=${media} onClose=${() => setOffering(false)} />`}
  </div>`;
}

function Buyers({ org, listing }) {
  const r = useAsync(() => api.get(`/api/v1/listings/${listing.id}/buyers`), [listing.id]);
  const [pick, setPick] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const setBuyer = async (body) => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/listings/${listing.id}/buyers`, body);
      setPick(null);
      r.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const items = (r.data && r.data.items) || [];
  return html`<section class="card" data-testid="buyers">
    <h2 class="card-title">${t('rights.buyers')}</h2>
    <p class="card-desc">${t('rights.buyers_desc')}</p>
    ${r.error && html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`}
    ${items.length > 0 && html`<ul class="mini-list">${items.map((b) => html`<li key=${b.org_id} class="mini-row">
      <span class="truncate">${b.org_name || b.name || b.org_id}</span>
      <${Badge} kind=${b.status === 'approved' ? 'ok' : b.status === 'declined' ? 'muted' : 'accent'}>${t(`rights.buyer_status.${b.status}`)}<//>
      ${b.status !== 'approved' && html`<button type="button" class="btn btn-sm" onClick=${() => setBuyer({ org_id: b.org_id, status: 'approved' })}>${t('rights.approve')}</button>`}
      ${b.status !== 'declined' && html`<button type="button" class="btn btn-sm btn-ghost" onClick=${() => setBuyer({ org_id: b.org_id, status: 'declined' })}>${t('rights.decline')}</button>`}
    </li>`)}</ul>`}
    ${error && html`<${ErrorBox} error=${error} />`}
    <div class="rt-invite">
      <${OrgPicker} label=${t('rights.invite_buyer')} value=${pick} onChange=${setPick} exclude=${{ [org.id]: t('rights.yourself') }} />
      ${pick && html`<button type="button" class="btn btn-primary" disabled=${busy} data-testid="invite-buyer" onClick=${() => setBuyer({ org_id: pick.id, status: 'invited' })}>${t('rights.invite')}</button>`}
    </div>
  </section>`;
}

// ---- Offers: terms editor shared by the first offer and counter-offers. ----

function termsState(terms, titles) {
  return {
    rows: terms && terms.rights && terms.rights.length ? terms.rights.map(fromApiRow) : titles.map((x) => newRow({ title: x })),
    currency: (terms && terms.currency) || 'USD',
    fee: terms && terms.fee != null ? String(terms.fee) : '',
    mg: terms && terms.minimum_guarantee != null && Number(terms.minimum_guarantee) ? String(terms.minimum_guarantee) : '',
    message: '',
  };
}

function termsBody(s) {
  const b = { rights: s.rows.map(toApiRow), currency: s.currency.trim().toUpperCase(), fee: s.fee.trim() || '0' };
  if (s.mg.trim()) b.minimum_guarantee = s.mg.trim();
  if (s.message.trim()) b.message = s.message.trim();
  return b;
}

function TermsForm({ s, set, titles, media, errors }) {
  return html`<div class="stack">
    <${RowsEditor} titles=${titles} media=${media} rows=${s.rows} onChange=${(rows) => set({ rows })} errors=${errors} allocation=${false} />
    <button type="button" class="btn btn-sm rt-self-start" onClick=${() => set({ rows: [...s.rows, newRow({ title: titles[0] || null })] })}><${Icon} name="plus" />${t('rights.add_row')}</button>
    <div class="form form-3col">
      <label class="field"><span class="field-label">${t('rights.currency')}</span><input class="input mono" maxLength="3" value=${s.currency} onInput=${(e) => set({ currency: e.target.value })} /></label>
      <label class="field"><span class="field-label">${t('rights.fee')}</span><input class="input" inputmode="decimal" value=${s.fee} data-testid="offer-fee" onInput=${(e) => set({ fee: e.target.value })} /></label>
      <label class="field"><span class="field-label">${t('rights.mg')}</span><input class="input" inputmode="decimal" value=${s.mg} onInput=${(e) => set({ mg: e.target.value })} /></label>
    </div>
    <label class="field"><span class="field-label">${t('rights.message_optional')}</span>
      <textarea class="input textarea" rows="2" value=${s.message} data-testid="offer-message" onInput=${(e) => set({ message: e.target.value })}></textarea></label>
  </div>`;
}

function OfferDialog({ org, base, listing, titles, media, onClose }) {
  const lr = listing.rights || {};
  const [s, setS] = useState(() => termsState({
    rights: titles.map((x) => ({ title_id: x.id, title: x.title, territories: lr.territories, media: lr.media, languages: lr.languages, start: lr.start, end: lr.end, exclusivity: lr.exclusivity })),
    currency: listing.asking && listing.asking.currency, fee: listing.asking && listing.asking.amount,
  }, titles));
  const set = (p) => setS((v) => ({ ...v, ...p }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      const o = await api.post(`/api/v1/listings/${listing.id}/offers`, { org_id: org.id, ...termsBody(s) });
      toast(t('rights.offer_sent'));
      navigate(`${base}/market/offers/${o.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const errs = error ? rowErrors(error).rows : {};
  return html`<${Dialog} title=${t('rights.offer_for', { name: listing.name })} onClose=${onClose} size="lg"
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="button" class="btn btn-primary" disabled=${busy || !s.rows.every(rowComplete)} data-testid="send-offer" onClick=${send}>${busy && html`<${Spinner} />`}${t('rights.send_offer')}</button>`}>
    ${error && html`<${ErrorBox} error=${error} />`}
    <${TermsForm} s=${s} set=${set} titles=${titles} media=${media} errors=${errs} />
  <//>`;
}

// ---- Inbox. ----

function Inbox({ org, base }) {
  const [role, setRole] = useState('seller');
  const [status, setStatus] = useState('');
  const list = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/offers`, { role, status, cursor, limit: 50 }), [org.id, role, status]);
  return html`<div class="stack" data-testid="offers-inbox">
    <div class="toolbar rt-toolbar">
      <div class="segmented" role="group" aria-label=${t('rights.offers_inbox')}>
        <button type="button" class=${`seg ${role === 'seller' ? 'on' : ''}`} data-testid="inbox-seller" onClick=${() => setRole('seller')}>${t('rights.as_seller')}</button>
        <button type="button" class=${`seg ${role === 'buyer' ? 'on' : ''}`} data-testid="inbox-buyer" onClick=${() => setRole('buyer')}>${t('rights.as_buyer')}</button>
      </div>
      <select class="input select rt-filter" value=${status} aria-label=${t('field.status')} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">${t('rights.any_status')}</option>
        ${['open', 'countered', 'accepted', 'rejected', 'withdrawn'].map((x) => html`<option key=${x} value=${x}>${t(`rights.offer_status.${x}`)}</option>`)}
      </select>
    </div>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />` : list.items.length === 0 ? (list.error ? null : html`<${Empty} icon="mail" title=${t('rights.no_offers')} />`)
      : html`<div class="card card-flush"><ul class="rt-list" data-testid="offer-list">${list.items.map((o) => html`<li key=${o.id}>
        <a class="rt-row" href=${`${base}/market/offers/${o.id}`} data-offer=${o.id}>
          <span class="rt-row-icon"><${Icon} name="mail" /></span>
          <span class="rt-row-main">
            <span class="rt-row-title">${role === 'seller' ? o.buyer_name : o.seller_name}${o.listing_name ? html` · <span class="muted">${o.listing_name}</span>` : ''}</span>
            <span class="rt-row-sub muted small"><span>${t('rights.round_n', { n: o.round || 1 })}</span>
              <span>· ${o.last_by === (o.your_side || role) ? t('rights.waiting_for_them') : t('rights.your_turn')}</span>
              ${o.updated_at && html`<span>· ${fmtRelative(o.updated_at)}</span>`}</span>
          </span>
          <span class="rt-row-meta">
            ${o.terms && html`<span class="small rt-nowrap">${fmtMoney(o.terms.fee, o.terms.currency)}</span>`}
            <${Badge} kind=${offerBadge(o.status)}>${t(`rights.offer_status.${o.status}`)}<//>
          </span>
        </a></li>`)}</ul></div>`}
    <${LoadMore} paged=${list} />
  </div>`;
}

const offerBadge = (s) => (s === 'accepted' ? 'ok' : s === 'rejected' || s === 'withdrawn' ? 'muted' : s === 'countered' ? 'warn' : 'accent');

// ---- One offer's thread. ----

function OfferPage({ org, base, id }) {
  const media = useMedia(org.id);
  const r = useAsync(() => api.request('GET', `/api/v1/offers/${id}`), [id]);
  const ev = useAsync(() => api.get(`/api/v1/offers/${id}/events`), [id]);
  const listingId = r.data && r.data.data.listing_id;
  const lr = useAsync(() => (listingId ? api.get(`/api/v1/listings/${listingId}`, { org: org.id }).catch(() => null) : null), [listingId, org.id]);
  const [mode, setMode] = useState(null); // 'counter'
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  if (r.error && !r.data) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  const o = r.data.data;
  const may = o.may || {};
  const terms = o.terms || {};
  // Titles by name: the listing's (rows carry only ids).
  const named = new Map(((lr.data && lr.data.titles) || []).map((x) => [x.id, x]));
  const titleOf = (tid) => named.get(tid) || { id: tid, title: t('rights.a_title') };
  const titles = [...new Set([...(terms.rights || []).map((x) => x.title_id), ...named.keys()])].map(titleOf);
  const refresh = () => {
    r.reload();
    ev.reload();
  };
  const act = async (what, body) => {
    if (what === 'reject' || what === 'withdraw') {
      const ok = await confirmAction({ title: t(`rights.offer_${what}`), message: t(`rights.offer_${what}_confirm`), confirmLabel: t(`rights.offer_${what}`), danger: true });
      if (!ok) return;
    }
    setBusy(what);
    setError(null);
    try {
      const res = await api.request('POST', `/api/v1/offers/${o.id}/${what}`, { body: body || {}, etag: r.data.etag });
      if (what === 'accept') toast(t('rights.offer_accepted_toast'));
      if (what === 'messages') setMsg('');
      if (what === 'counter') setMode(null);
      if (res.data && res.data.offer) r.setData({ data: res.data.offer, etag: res.etag });
      refresh();
    } catch (e) {
      setError(e);
      if (e.status === 412) refresh();
    } finally {
      setBusy('');
    }
  };
  const other = o.your_side === 'seller' ? o.buyer_name : o.seller_name;
  const conflicts = error && error.status === 409 && error.problem && error.problem.conflicts;
  return html`<div class="stack" data-testid="offer-page">
    <${PageHeader} crumbs=${html`<a href=${`${base}/market/offers`}>${t('rights.offers_inbox')}</a>`}
      title=${html`<span class="title-text">${t('rights.offer_with', { name: other || '' })}</span>
        <${Badge} kind=${offerBadge(o.status)}><span data-testid="offer-status">${t(`rights.offer_status.${o.status}`)}</span><//>`}
      subtitle=${html`<span class="meta-row">
        <span>${o.your_side === 'seller' ? t('rights.you_sell') : t('rights.you_buy')}</span>
        <span>· ${t('rights.round_n', { n: o.round || 1 })}</span>
        ${o.listing_id && html`<span>· <a href=${`${base}/market/listings/${o.listing_id}`}>${t('rights.the_listing')}</a></span>`}
      </span>`}
      actions=${html`
        ${o.deal_id && html`<a class="btn btn-primary" href=${`${base}/deals/${o.deal_id}`} data-testid="offer-deal"><${Icon} name="file" />${t('rights.open_deal')}</a>`}
        ${may.accept && html`<button type="button" class="btn btn-primary" data-testid="offer-accept" disabled=${!!busy} onClick=${() => act('accept')}>${busy === 'accept' && html`<${Spinner} />`}${t('rights.accept')}</button>`}
        ${may.counter && html`<button type="button" class="btn" data-testid="offer-counter" disabled=${!!busy} onClick=${() => setMode(mode === 'counter' ? null : 'counter')}>${t('rights.counter')}</button>`}
        ${may.reject && html`<button type="button" class="btn btn-danger-outline" disabled=${!!busy} onClick=${() => act('reject')}>${t('rights.offer_reject')}</button>`}
        ${may.withdraw && html`<button type="button" class="btn btn-ghost-danger" disabled=${!!busy} onClick=${() => act('withdraw')}>${t('rights.offer_withdraw')}</button>`}`} />
    ${error && !conflicts && html`<${ErrorBox} error=${error} />`}
    ${conflicts && html`<${ConflictList} conflicts=${conflicts} rows=${(terms.rights || []).map((x) => fromApiRow({ ...x, title: titleOf(x.title_id).title }))} media=${media} base=${base}
      title=${t('rights.accept_conflicts', { n: conflicts.length })} />`}
    ${!conflicts && o.your_side === 'seller' && o.conflicts && o.conflicts.length > 0 && !['accepted', 'rejected', 'withdrawn'].includes(o.status)
      && html`<${ConflictList} conflicts=${o.conflicts} rows=${(terms.rights || []).map((x) => fromApiRow({ ...x, title: titleOf(x.title_id).title }))} media=${media} base=${base}
        title=${t('rights.offer_conflicts', { n: o.conflicts.length })} />`}
    ${mode === 'counter' && html`<${CounterForm} terms=${terms} titles=${titles} media=${media} busy=${busy === 'counter'}
      onCancel=${() => setMode(null)} onSend=${(b) => act('counter', b)} error=${error} />`}
    <div class="rt-offer-grid">
      <section class="card" data-testid="offer-terms">
        <h2 class="card-title">${t('rights.current_terms')}</h2>
        <p class="muted small">${o.last_by === o.your_side ? t('rights.terms_by_you') : t('rights.terms_by_them', { name: other || '' })}</p>
        <dl class="details">
          <dt>${t('rights.fee')}</dt><dd class="strong" data-testid="terms-fee">${fmtMoney(terms.fee, terms.currency)}</dd>
          ${terms.minimum_guarantee && Number(terms.minimum_guarantee) > 0 && html`<dt>${t('rights.mg')}</dt><dd>${fmtMoney(terms.minimum_guarantee, terms.currency)}</dd>`}
        </dl>
        <ol class="rt-rows-ro">${(terms.rights || []).map((x, i) => html`<li key=${i} class="rt-row-ro">
          <div class="strong rt-wrap">${titleLine(titleOf(x.title_id))}</div>
          <div class="small rt-wrap"><span class="mono">${fmtTerritories(x.territories)}</span> · ${(x.media || []).map((m) => mediaName(m, media)).join(', ')}
            ${x.languages && x.languages.length ? ` · ${fmtLanguages(x.languages)}` : ''} · ${fmtTerm(x.start, x.end)} · ${exclLabel(x.exclusivity)}</div>
        </li>`)}</ol>
      </section>
      <section class="card" data-testid="offer-thread">
        <h2 class="card-title">${t('rights.thread')}</h2>
        ${ev.error && html`<${ErrorBox} error=${ev.error} onRetry=${ev.reload} />`}
        ${!ev.data ? !ev.error && html`<${Loading} />` : html`<ol class="rt-thread">${(ev.data.items || []).map((e) => html`<li key=${e.id}
          class=${`rt-event rt-event-${e.side === o.your_side ? 'mine' : 'theirs'}`} data-kind=${e.kind}>
          <div class="rt-event-head small"><span class="strong">${e.org_name}</span>${e.actor_name && html`<span class="muted"> · ${e.actor_name}</span>`}
            <span class="muted"> · ${fmtDateTime(e.created_at)}</span></div>
          <div class="rt-event-kind small">${t(`rights.event.${e.kind}`)}${e.terms ? ` · ${fmtMoney(e.terms.fee, e.terms.currency)}` : ''}</div>
          ${e.body && html`<div class="prewrap rt-event-body">${e.body}</div>`}
        </li>`)}</ol>`}
        ${may.message && html`<form class="rt-msg" onSubmit=${(e) => {
          e.preventDefault();
          if (msg.trim()) act('messages', { body: msg.trim() });
        }}>
          <textarea class="input textarea" rows="2" value=${msg} placeholder=${t('rights.write_message')} aria-label=${t('rights.write_message')}
            data-testid="offer-msg" onInput=${(e) => setMsg(e.target.value)}></textarea>
          <button type="submit" class="btn" disabled=${!msg.trim() || !!busy} data-testid="offer-send-msg">${t('rights.send')}</button>
        </form>`}
      </section>
    </div>
  </div>`;
}

function CounterForm({ terms, titles, media, busy, onCancel, onSend, error }) {
  const [s, setS] = useState(() => termsState(terms, titles));
  const set = (p) => setS((v) => ({ ...v, ...p }));
  const errs = error ? rowErrors(error).rows : {};
  return html`<section class="card" data-testid="counter-form">
    <h2 class="card-title">${t('rights.counter_title')}</h2>
    <${TermsForm} s=${s} set=${set} titles=${titles} media=${media} errors=${errs} />
    <div class="form-actions">
      <button type="button" class="btn" onClick=${onCancel}>${t('action.cancel')}</button>
      <button type="button" class="btn btn-primary" disabled=${busy || !s.rows.every(rowComplete)} data-testid="send-counter" onClick=${() => onSend(termsBody(s))}>
        ${busy && html`<${Spinner} />`}${t('rights.send_counter')}</button>
    </div>
  </section>`;
}
