// web/rights/deals.js: the organization's deals (GET /orgs/{id}/deals): as licensor (rights
// out) or as licensee (rights bought from others on mstation), filtered by status and searched
// by reference or licensee; each opens the deal editor (deal.js). Not the editor itself.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { usePaged, useDebounced, Badge, Empty, ErrorBox, LoadMore, Loading } from '/lib/ui.js';
import { DEAL_STATUSES, fmtMoney, statusBadge, statusLabel } from './common.js';

const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);

export default function DealsPage({ org, base }) {
  const [role, setRole] = useState('licensor');
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 250);
  const list = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/deals`, { role, status, q: dq, limit: 50, cursor }), [org.id, role, status, dq]);
  return html`<div class="stack" data-testid="deals">
    <div class="toolbar rt-toolbar">
      <div class="segmented" role="group" aria-label=${t('rights.deal_role')}>
        <button type="button" class=${`seg ${role === 'licensor' ? 'on' : ''}`} onClick=${() => setRole('licensor')}>${t('rights.rights_out')}</button>
        <button type="button" class=${`seg ${role === 'licensee' ? 'on' : ''}`} data-testid="deals-bought" onClick=${() => setRole('licensee')}>${t('rights.rights_bought')}</button>
      </div>
      <label class="search">
        <${Icon} name="search" class="muted" />
        <input class="search-input" type="search" value=${q} placeholder=${t('rights.search_deals')} aria-label=${t('rights.search_deals')}
          onInput=${(e) => setQ(e.target.value)} />
      </label>
      <select class="input select rt-filter" aria-label=${t('field.status')} value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">${t('rights.any_status')}</option>
        ${DEAL_STATUSES.map((s) => html`<option key=${s} value=${s}>${statusLabel(s)}</option>`)}
      </select>
      <span class="toolbar-spacer"></span>
      ${canEdit(org) && html`<a class="btn btn-primary" href=${`${base}/deals/new`} data-testid="new-deal"><${Icon} name="plus" />${t('rights.new_deal')}</a>`}
    </div>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />` : list.items.length === 0 ? (list.error ? null : html`<${Empty} icon="file" title=${t('rights.no_deals')} />`)
      : html`<div class="card card-flush"><ul class="rt-list" data-testid="deal-list">
        ${list.items.map((d) => html`<li key=${d.id}><a class="rt-row" href=${`${base}/deals/${d.id}`} data-deal=${d.reference}>
          <span class="rt-row-icon"><${Icon} name="file" /></span>
          <span class="rt-row-main">
            <span class="rt-row-title">${d.reference || t('rights.untitled_deal')}</span>
            <span class="rt-row-sub muted small"><span class="truncate">${role === 'licensor' ? d.licensee_name : d.org_name}</span>
              ${d.rights && html`<span>· ${t('rights.n_rows', { n: d.rights.length })}</span>`}</span>
          </span>
          <span class="rt-row-meta">
            <span class="small rt-nowrap">${fmtMoney(d.fee, d.currency)}</span>
            <${Badge} kind=${statusBadge(d.status)}>${statusLabel(d.status)}<//>
          </span>
        </a></li>`)}
      </ul></div>`}
    <${LoadMore} paged=${list} />
  </div>`;
}
