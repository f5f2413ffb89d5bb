// web/lib/modules.js: the one place where project-page tabs are registered.
//
// Each entry: { id, label (an i18n key), route (the path under /projects/<id>/; '' is the
// project's front page), order, load (a dynamic import of the module's page; its default
// export is a component that receives { project, etag, reload, setProject }), visible (an
// optional predicate on the project, e.g. only for managers) }.
//
// A module adds its tab here and its strings with registerStrings() from i18n.js; its pages
// live under web/<module>/. Modules take orders between the shell's Overview (0) and the
// shell's Activity/Members/Partners/Settings (900+), so production, assets and so on sit
// next to the overview and administration stays at the end.
import { registerStrings } from './i18n.js';
import assetsStrings from '/assets/strings.js';
// wt-webgrid: the Production tab's words.
import productionStrings from '/production/strings.js';

// Tab labels are shown before a module's page is loaded: modules whose label is their own
// word register their strings here.
registerStrings(assetsStrings);
registerStrings(productionStrings); // wt-webgrid

export const projectTabs = [
  { id: 'overview', label: 'tab.overview', route: '', order: 0, load: () => import('/app/project-overview.js') },
  // wide: the page may use the whole window (grids of thumbnails, a detail panel beside them).
  { id: 'assets', label: 'assets.tab', route: 'assets', order: 200, wide: true, load: () => import('/assets/page.js') },
  { id: 'activity', label: 'tab.activity', route: 'activity', order: 900, load: () => import('/app/project-activity.js') },
  { id: 'members', label: 'tab.members', route: 'members', order: 910, load: () => import('/app/project-members.js') },
  { id: 'partners', label: 'tab.partners', route: 'partners', order: 920, load: () => import('/app/project-partners.js') },
  {
    id: 'settings',
    label: 'tab.settings',
    route: 'settings',
    order: 990,
    load: () => import('/app/project-settings.js'),
    visible: (project) => project.access && project.access.level === 'manage',
  },
  // wt-webgrid: the Production tab (grid, schedule, stats; the task page and playlists of wt-webreview).
  { id: 'production', label: 'production.tab', route: 'production', order: 100, wide: true, load: () => import('/production/page.js') },
];

export function tabsFor(project) {
  return projectTabs
    .filter((tab) => !tab.visible || tab.visible(project))
    .sort((a, b) => a.order - b.order);
}

// The tab for the path after /projects/<id>/ ("" or "members" or "members/...").
export function tabForRoute(project, rest) {
  const first = (rest || '').split('/')[0];
  return tabsFor(project).find((tab) => tab.route === first) || null;
}
