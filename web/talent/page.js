// web/talent/page.js: the talent data center's own pages, under /talent (docs: issue 7):
//   /talent            search with facets (search.js)
//   /talent/p/<id>     a person's profile (profile.js)
//   /talent/p/<id>/edit  a profile an organization keeps, edited by its members (edit.js)
//   /talent/me         my profile editor (me.js)
//   /talent/claim/<token>  claiming a kept profile with a claim link (claim.js)
// An organization's Talent tab (shortlists, finding crew) is org.js, shown by app/org.js.
// Pages are loaded when opened. Not a page itself beyond the choice.
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Empty, Loading } from '/lib/ui.js';
import { useStyles, Lazy } from './common.js';

export default function TalentPage({ rest = '' }) {
  const ready = useStyles();
  const parts = rest.split('/').filter(Boolean);
  if (!ready) return html`<div class="page"><${Loading} /></div>`;
  if (!parts.length) return html`<${Lazy} key="search" load=${() => import('./search.js')} />`;
  if (parts[0] === 'p' && parts[1] && parts.length === 2) {
    return html`<${Lazy} key=${`p-${parts[1]}`} load=${() => import('./profile.js')} id=${parts[1]} />`;
  }
  if (parts[0] === 'p' && parts[1] && parts[2] === 'edit' && parts.length === 3) {
    return html`<${Lazy} key=${`e-${parts[1]}`} load=${() => import('./edit.js')} id=${parts[1]} />`;
  }
  if (parts[0] === 'me' && parts.length === 1) return html`<${Lazy} key="me" load=${() => import('./me.js')} />`;
  if (parts[0] === 'claim' && parts[1] && parts.length === 2) {
    return html`<${Lazy} key="claim" load=${() => import('./claim.js')} token=${parts[1]} />`;
  }
  return html`<div class="page"><${Empty} icon="alert" title=${t('talent.no_such_page')} /></div>`;
}
