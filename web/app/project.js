// web/app/project.js: a project's page: header (name, code, status, owner, the caller's
// access) and the tab bar from the module registry (web/lib/modules.js). The tab's page is
// loaded on demand and receives { project, etag, reload, setProject }.
import { html, useEffect, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { tabsFor, tabForRoute } from '/lib/modules.js';
import { useSession } from '/lib/session.js';
import { accessRoleLabel, levelLabel, statusLabel } from '/lib/labels.js';
import { useAsync, useTitle, Badge, ErrorBox, Loading, PageHeader, TabNav } from '/lib/ui.js';
import { NotFound } from './notfound.js';

const loaded = new Map();

function TabContent({ tab, ...props }) {
  const [mod, setMod] = useState(() => loaded.get(tab.id) || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (loaded.has(tab.id)) {
      setMod(loaded.get(tab.id));
      return undefined;
    }
    let live = true;
    setMod(null);
    tab.load().then(
      (m) => {
        loaded.set(tab.id, m);
        if (live) setMod(m);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [tab.id]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  const Page = mod.default;
  return html`<${Page} ...${props} />`;
}

export function ProjectPage({ id, rest }) {
  const { me, orgId } = useSession();
  const r = useAsync(() => api.request('GET', `/api/v1/projects/${encodeURIComponent(id)}`), [id]);
  const project = r.data && r.data.data;
  useTitle(project ? project.name : '');
  if (r.error && r.error.status === 404) return html`<${NotFound} what="project" />`;
  if (r.error && !project) return html`<div class="page"><${ErrorBox} error=${r.error} onRetry=${r.reload} /></div>`;
  if (!project) return html`<div class="page"><${Loading} /></div>`;
  const tab = tabForRoute(project, rest);
  if (!tab) return html`<${NotFound} />`;
  const ownerMember = me.orgs.some((o) => o.id === project.org_id);
  const home = ownerMember ? project.org_id : orgId;
  const a = project.access;
  const crumbs = html`
    <a href=${home ? `/orgs/${home}/projects` : '/'}>${ownerMember ? project.org_name : t('project.projects')}</a>
    <${Icon} name="chevronRight" size=${12} class="faint" />
    <span class="truncate">${project.name}</span>`;
  const setProject = (data, etag) => r.setData({ data, etag: etag || r.data.etag });
  return html`<div class=${`page ${tab.wide ? 'page-wide' : ''}`}>
    <${PageHeader} crumbs=${crumbs}
      title=${html`${project.code && html`<span class="code-chip code-chip-lg">${project.code}</span>`}<span class="title-text">${project.name}</span>`}
      subtitle=${html`<span class="meta-row">
        ${project.status !== 'active' && html`<${Badge} kind="warn"><${Icon} name="archive" size=${12} />${statusLabel(project.status)}<//>`}
        <span>${t('project.owned_by', { org: project.org_name })}</span>
        <span class="dot" aria-hidden="true">·</span>
        <span title=${levelLabel(a.level)}>${t('project.your_role', { role: accessRoleLabel(a) })}</span>
        ${a.via === 'partner' && html`<${Badge} kind="shared"><${Icon} name="share" size=${12} />${t('project.via_partner')}<//>`}
      </span>`} />
    <${TabNav} label=${t('project.sections')} items=${tabsFor(project).map((x) => ({
      href: `/projects/${project.id}${x.route ? `/${x.route}` : ''}`, label: t(x.label), active: x.id === tab.id,
    }))} />
    <div class="tab-body">
      <${TabContent} key=${tab.id} tab=${tab} project=${project} etag=${r.data.etag} reload=${r.reload}
        setProject=${setProject} rest=${(rest || '').split('/').slice(1).join('/')} />
    </div>
  </div>`;
}
