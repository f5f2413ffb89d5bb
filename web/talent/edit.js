// web/talent/edit.js: /talent/p/<id>/edit, a profile an organization keeps for a person who
// has not claimed it yet, edited by the organization's members (the API's can_edit): the same
// editor as my profile (fields with their visibilities, one PATCH under If-Match), the
// credits and the unavailable days. The person's own profile is edited at /talent/me; a
// claimed profile is the person's alone, so this page says so instead.
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useAsync, useTitle, Empty, ErrorBox, Loading, PageHeader } from '/lib/ui.js';
import { useCrafts } from './common.js';
import { Editor, MyCredits, MyUnavailable } from './me.js';

export default function EditProfilePage({ id }) {
  const r = useAsync(() => api.request('GET', `/api/v1/talent/profiles/${encodeURIComponent(id)}`), [id]);
  const crafts = useCrafts();
  const p = r.data && r.data.data;
  useTitle(p ? p.primary_name : t('talent.profile'));
  let body;
  if (r.error && r.error.status === 404) body = html`<${Empty} icon="user" title=${t('talent.profile_missing')} />`;
  else if (r.error && !p) body = html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  else if (!p) body = html`<${Loading} />`;
  else if (p.is_self) body = html`<${Empty} icon="user" title=${t('talent.edit_yours_at_me')}><a href="/talent/me">${t('talent.my_profile')}</a><//>`;
  else if (!p.can_edit) body = html`<${Empty} icon="lock" title=${t('talent.cannot_edit')} />`;
  else {
    body = html`<div class="stack">
      <${Editor} profile=${p} etag=${r.data.etag} reload=${r.reload} onSaved=${(data, etag) => r.setData({ data, etag })} />
      <${MyCredits} profile=${p} crafts=${crafts} />
      <${MyUnavailable} profile=${p} />
    </div>`;
  }
  return html`<div class="page page-medium tl-page" data-testid="edit-kept-profile">
    <${PageHeader} title=${p ? p.primary_name : t('talent.profile')}
      subtitle=${p && p.steward_org ? t('talent.kept_by', { org: p.steward_org.name }) : ''}
      crumbs=${html`<a href="/talent">${t('talent.title')}</a><span aria-hidden="true">/</span>`}
      actions=${p && html`<a class="btn" href=${`/talent/p/${p.id}`}><${Icon} name="user" />${t('talent.view_profile_page')}</a>`} />
    ${body}
  </div>`;
}
