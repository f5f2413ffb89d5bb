// web/app/notfound.js: what a wrong address, or an object the caller may not see, shows
// (the API answers 404 for both, on purpose).
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Empty, useTitle } from '/lib/ui.js';

export function NotFound({ what }) {
  useTitle(t('notfound.title'));
  return html`<div class="page page-narrow">
    <${Empty} icon="search" title=${what === 'project' ? t('notfound.project') : t('notfound.title')}>
      <p>${t('notfound.body')}</p>
      <p><a class="btn" href="/">${t('notfound.home')}</a></p>
    <//>
  </div>`;
}
