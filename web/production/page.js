// web/production/page.js: the project's Production tab. It loads the project's production
// vocabulary, draws the sub-navigation (Grid | Schedule | Stats | Playlists) and dispatches
// the rest of the path (docs/web-production.md):
//   ''                      the grid (grid.js)
//   schedule                the Gantt and the workload (schedule.js)
//   stats                   progress, retakes, burn-up (stats.js)
//   tasks/<taskId>          /review/task.js      TaskPage({project, taskId})
//   playlists[/<id>]        /review/playlists.js PlaylistsPage({project, rest})
// A project without production setup offers the templates to its supervisors.
import { html, useEffect, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useSession } from '/lib/session.js';
import { toast } from '/lib/toast.js';
import { useAsync, Empty, ErrorBox, Loading, TabNav } from '/lib/ui.js';
import { useStyles, loadVocab, loadPeople, canSetup } from './common.js';

const TEMPLATES = ['series', 'feature', 'micro-drama'];

// A module of another area, loaded on demand; a clear error box while it is not there.
const external = new Map();
function External({ path, exportName = 'default', ...props }) {
  const [state, setState] = useState(() => ({ mod: external.get(path) || null, error: null }));
  useEffect(() => {
    if (external.has(path)) return;
    import(path).then(
      (mod) => {
        external.set(path, mod);
        setState({ mod, error: null });
      },
      (error) => setState({ mod: null, error }),
    );
  }, [path]);
  if (state.error) {
    return html`<div class="alert alert-error" role="alert" data-testid="module-missing">
      <${Icon} name="alert" /><div class="alert-body">
        <div>${t('production.module_missing', { path })}</div>
        <div class="alert-meta">${String(state.error.message || state.error)}</div>
      </div></div>`;
  }
  if (!state.mod) return html`<${Loading} />`;
  const Page = state.mod[exportName];
  return html`<${Page} ...${props} />`;
}

function Setup({ project, onDone }) {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  if (!canSetup(project)) {
    return html`<${Empty} icon="layers" title=${t('production.not_set_up')}>${t('production.not_set_up_ask')}<//>`;
  }
  const run = async (template) => {
    setBusy(template);
    setError(null);
    try {
      await api.post(`/api/v1/projects/${project.id}/production/setup`, { template });
      toast(t('production.setup_done'));
      onDone();
    } catch (e) {
      setError(e);
      setBusy('');
    }
  };
  return html`<div class="pg-setup card" data-testid="production-setup">
    <h2 class="card-title">${t('production.setup_title')}</h2>
    <p class="card-desc">${t('production.setup_desc')}</p>
    <${ErrorBox} error=${error} />
    <div class="pg-setup-grid">
      ${TEMPLATES.map((tpl) => html`<button key=${tpl} type="button" class="pg-template" disabled=${!!busy}
        data-template=${tpl} onClick=${() => run(tpl)}>
        <span class="pg-template-name">${t(`production.template.${tpl}`)}</span>
        <span class="pg-template-desc">${t(`production.template.${tpl}_desc`)}</span>
      </button>`)}
    </div>
  </div>`;
}

export default function ProductionPage({ project, rest = '' }) {
  const ready = useStyles();
  const { me } = useSession();
  const vocab = useAsync(() => loadVocab(project.id), [project.id]);
  const people = useAsync(() => loadPeople(project, me), [project.id]);
  const parts = rest.split('/').filter(Boolean);
  const section = parts[0] || '';
  const base = `/projects/${project.id}/production`;
  if (!ready) return html`<${Loading} />`;

  // The task page and playlists belong to the review module.
  if (section === 'tasks' && parts[1]) {
    return html`<${External} key="task" path="/review/task.js" project=${project} taskId=${parts[1]} />`;
  }
  const nav = html`<${TabNav} label=${t('production.sections')} items=${[
    { href: base, label: t('production.nav.grid'), active: section === '' },
    { href: `${base}/schedule`, label: t('production.nav.schedule'), active: section === 'schedule' },
    { href: `${base}/stats`, label: t('production.nav.stats'), active: section === 'stats' },
    { href: `${base}/playlists`, label: t('production.nav.playlists'), active: section === 'playlists' },
  ]} />`;
  let body;
  if (section === 'playlists') {
    body = html`<${External} key="playlists" path="/review/playlists.js" project=${project} rest=${parts.slice(1).join('/')} />`;
  } else if (vocab.error) {
    body = html`<${ErrorBox} error=${vocab.error} onRetry=${vocab.reload} />`;
  } else if (!vocab.data || (!people.data && !people.error)) {
    body = html`<${Loading} />`;
  } else if (vocab.data.entityTypes.length === 0) {
    body = html`<${Setup} project=${project} onDone=${vocab.reload} />`;
  } else {
    const props = { project, vocab: vocab.data, people: people.data || new Map(), reloadVocab: vocab.reload };
    if (section === '') body = html`<${Lazy} key="grid" load=${() => import('./grid.js')} ...${props} />`;
    else if (section === 'schedule') body = html`<${Lazy} key="schedule" load=${() => import('./schedule.js')} ...${props} />`;
    else if (section === 'stats') body = html`<${Lazy} key="stats" load=${() => import('./stats.js')} ...${props} />`;
    else body = html`<${Empty} icon="alert" title=${t('production.no_such_page')} />`;
  }
  return html`<div class="pg-page">
    <div class="pg-subnav">${nav}</div>
    ${body}
  </div>`;
}

function Lazy({ load, ...props }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    load().then(setMod, setError);
  }, []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  const Page = mod.default;
  return html`<${Page} ...${props} />`;
}
