// web/app/project-activity.js: the project's activity feed (every change in every module,
// newest first), with "load more".
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { EventFeed } from '/lib/feed.js';

export default function ProjectActivity({ project }) {
  return html`<section class="card">
    <h2 class="card-title">${t('tab.activity')}</h2>
    <${EventFeed} query=${{ project_id: project.id }} limit=${40} empty=${t('feed.empty_project')} />
  </section>`;
}
