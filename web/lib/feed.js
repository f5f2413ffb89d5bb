// web/lib/feed.js: the activity feed (GET /api/v1/events), newest first, grouped by day,
// with "load more". Used by the organization and project pages; modules can show the feed
// of one object with query={{ object_id }}.
import { html } from './html.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { usePaged, Avatar, Empty, ErrorBox, LoadMore, Loading } from './ui.js';
import { fmtDate, fmtDateTime, fmtRelative } from './format.js';
import { actionLabel } from './labels.js';

function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function dayTitle(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (dayKey(d) === dayKey(today)) return t('time.today');
  if (dayKey(d) === dayKey(yesterday)) return t('time.yesterday');
  return fmtDate(iso);
}

export function EventRow({ ev, linkProjects }) {
  const actor = ev.actor_name || t('feed.system');
  return html`<li class="feed-item" data-action=${ev.action}>
    <${Avatar} name=${actor} id=${ev.actor_id || 'system'} size="sm" />
    <div class="feed-main">
      <div class="feed-line">
        <span class="feed-actor">${actor}</span>
        <span class="feed-action">${actionLabel(ev.action)}</span>
      </div>
      ${ev.summary && (linkProjects && ev.project_id
        ? html`<a class="feed-summary feed-link" href=${`/projects/${ev.project_id}`}>${ev.summary}</a>`
        : html`<div class="feed-summary">${ev.summary}</div>`)}
    </div>
    <time class="feed-time" datetime=${ev.at} title=${fmtDateTime(ev.at)}>${fmtRelative(ev.at)}</time>
  </li>`;
}

export function EventFeed({ query = {}, limit = 30, empty, moreHref }) {
  const key = JSON.stringify(query);
  const paged = usePaged((cursor) => api.get('/api/v1/events', { ...query, limit, cursor }), [key, limit]);
  if (!paged.started && paged.loading) return html`<${Loading} />`;
  if (paged.error && paged.items.length === 0) return html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`;
  if (paged.items.length === 0) return html`<${Empty} icon="activity" title=${empty || t('feed.empty')} />`;
  const groups = [];
  for (const ev of paged.items) {
    const k = dayKey(ev.at);
    if (!groups.length || groups[groups.length - 1].k !== k) groups.push({ k, at: ev.at, items: [] });
    groups[groups.length - 1].items.push(ev);
  }
  return html`<div class="feed" data-testid="feed">
    ${groups.map((g) => html`<section key=${g.k} class="feed-day">
      <h3 class="feed-day-title">${dayTitle(g.at)}</h3>
      <ul class="feed-list">${g.items.map((ev) => html`<${EventRow} key=${ev.seq} ev=${ev} linkProjects=${!query.project_id} />`)}</ul>
    </section>`)}
    ${moreHref
      ? paged.hasMore && html`<div class="load-more"><a class="btn btn-sm" href=${moreHref}>${t('feed.view_all')}</a></div>`
      : html`<${LoadMore} paged=${paged} />`}
  </div>`;
}
