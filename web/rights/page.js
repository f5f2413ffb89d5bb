// web/rights/page.js: an organization's Rights section (/orgs/<id>/rights/...), shown as a tab
// of the organization's page. Draws the sub-navigation and dispatches the rest of the path
// (docs/web-rights.md):
//   ''  | titles              the catalogue (catalogue.js)
//   titles/<id>               a title: metadata, rights in, holdbacks, deals, avails timeline
//   grid                      the avails grid (grid.js)
//   deals                     the deals list; deals/new[?title_id=] and deals/<id>: the editor
//   market[/...]              listings, a listing, offers inbox and an offer's thread
//   dashboard                 revenue, payments due, deals expiring
// Pages are loaded when opened. Not a page itself beyond the navigation.
import { html, useEffect, useState } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { ErrorBox, Loading, TabNav, Empty } from '/lib/ui.js';
import { useStyles } from './common.js';

const SECTIONS = [
  { id: '', label: 'rights.nav.catalogue', match: ['', 'titles'] },
  { id: 'grid', label: 'rights.nav.grid', match: ['grid'] },
  { id: 'deals', label: 'rights.nav.deals', match: ['deals'] },
  { id: 'market', label: 'rights.nav.market', match: ['market'] },
  { id: 'dashboard', label: 'rights.nav.dashboard', match: ['dashboard'] },
];

function Lazy({ load, name = 'default', ...props }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    load().then(setMod, setError);
  }, []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  const Page = mod[name];
  return html`<${Page} ...${props} />`;
}

export default function RightsPage({ org, rest = '' }) {
  const ready = useStyles();
  const parts = rest.split('/').filter(Boolean);
  const section = parts[0] || '';
  const base = `/orgs/${org.id}/rights`;
  if (!ready) return html`<${Loading} />`;
  const nav = html`<${TabNav} label=${t('rights.sections')} items=${SECTIONS.map((s) => ({
    href: s.id ? `${base}/${s.id}` : base, label: t(s.label), active: s.match.includes(section),
  }))} />`;
  const props = { org, base };
  let body;
  if (section === '' || (section === 'titles' && !parts[1])) {
    body = html`<${Lazy} key="cat" load=${() => import('./catalogue.js')} ...${props} />`;
  } else if (section === 'titles') {
    body = html`<${Lazy} key=${`title-${parts[1]}`} load=${() => import('./title.js')} ...${props} titleId=${parts[1]} />`;
  } else if (section === 'grid') {
    body = html`<${Lazy} key="grid" load=${() => import('./grid.js')} ...${props} />`;
  } else if (section === 'deals' && !parts[1]) {
    body = html`<${Lazy} key="deals" load=${() => import('./deals.js')} ...${props} />`;
  } else if (section === 'deals') {
    body = html`<${Lazy} key=${`deal-${parts[1]}`} load=${() => import('./deal.js')} ...${props} dealId=${parts[1] === 'new' ? null : parts[1]} />`;
  } else if (section === 'market') {
    body = html`<${Lazy} key="market" load=${() => import('./market.js')} ...${props} rest=${parts.slice(1).join('/')} />`;
  } else if (section === 'dashboard') {
    body = html`<${Lazy} key="dash" load=${() => import('./dashboard.js')} ...${props} />`;
  } else {
    body = html`<${Empty} icon="alert" title=${t('rights.no_such_page')} />`;
  }
  return html`<div class="rt-page">
    <div class="rt-subnav">${nav}</div>
    ${body}
  </div>`;
}
