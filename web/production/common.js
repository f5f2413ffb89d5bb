// web/production/common.js: what the production pages share: the module's stylesheet (a
// <link> added once; pages await `stylesReady`), the caller's production role and what it
// may do (the server's rules from docs/production.md, mirrored so the UI offers only what
// will be accepted), the project's vocabulary (entity types, task types, statuses), the
// people who may appear as assignees, status chips and small SVG pieces.
//
// Colours and sizes that come from data (a status colour, a bar's length) are drawn with SVG
// attributes, never with style attributes: the page's Content-Security-Policy forbids inline
// styles.
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale, registerStrings } from '/lib/i18n.js';
import { initials, hueClass } from '/lib/format.js';
import strings from './strings.js';
import { loadStylesheet, useStylesheet } from '/lib/styles.js';

registerStrings(strings);

export const stylesReady = loadStylesheet('/production/production.css');

export const useStyles = () => useStylesheet(stylesReady);

// The production role the server gives the caller (access.c: prod_scope_get).
export function prodRole(project) {
  const a = (project && project.access) || {};
  if (a.level === 'manage' || a.level === 'own') return 'supervisor';
  if (a.role === 'vendor') return 'vendor';
  if (a.level === 'edit') return 'artist';
  if (a.role === 'client') return 'client';
  return 'viewer';
}

export const canPlan = (project) => ['supervisor', 'artist'].includes(prodRole(project));
export const canSetup = (project) => prodRole(project) === 'supervisor';

// The statuses the caller may set.
export function allowedStatuses(project, statuses) {
  const role = prodRole(project);
  if (role === 'supervisor') return statuses;
  if (role === 'artist' || role === 'vendor') return statuses.filter((s) => s.is_artist_allowed);
  if (role === 'client') return statuses.filter((s) => s.is_client_allowed);
  return [];
}

// All pages of a cursor list (vocabulary and parents are small; capped for safety).
export async function listAll(path, params = {}, max = 20000) {
  const out = [];
  let cursor = null;
  do {
    const page = await api.get(path, { ...params, limit: 500, cursor });
    out.push(...(page.items || []));
    cursor = page.next_cursor || null;
  } while (cursor && out.length < max);
  return out;
}

export async function loadVocab(projectId) {
  const P = `/api/v1/projects/${projectId}`;
  const [entityTypes, taskTypes, statuses] = await Promise.all([
    api.get(`${P}/entity-types`), api.get(`${P}/task-types`), api.get(`${P}/task-statuses`),
  ]);
  return { entityTypes: entityTypes.items, taskTypes: taskTypes.items, statuses: statuses.items };
}

// People whose names the pages show: the project's own members, the owning organization's
// members (asked only of its members, who may list them) and the caller. Unknown ids are
// drawn as "?".
export async function loadPeople(project, me) {
  const people = new Map();
  if (me) people.set(me.id, { id: me.id, name: me.display_name });
  const add = (items) => items.forEach((m) => people.set(m.user_id, { id: m.user_id, name: m.display_name || m.email }));
  await Promise.all([
    listAll(`/api/v1/projects/${project.id}/members`).then(add, () => {}),
    me && (me.orgs || []).some((o) => o.id === project.org_id)
      ? listAll(`/api/v1/orgs/${project.org_id}/members`).then(add, () => {}) : null,
  ]);
  return people;
}

export const personName = (people, id) => (people && people.get(id) ? people.get(id).name : t('production.unknown_person'));

export function Initials({ id, people }) {
  const name = people && people.get(id) ? people.get(id).name : '';
  return html`<span class=${`pg-avatar ${hueClass(id)}`} title=${name}>${name ? initials(name) : '?'}</span>`;
}

// A status chip: the status's short name on its colour (an SVG rectangle behind the text).
export function StatusChip({ status, class: cls = '' }) {
  if (!status) return html`<span class=${`pg-chip pg-chip-none ${cls}`}>—</span>`;
  return html`<span class=${`pg-chip ${cls}`} title=${status.name} data-status=${status.short_name}>
    <svg class="pg-chip-bg" aria-hidden="true" preserveAspectRatio="none" viewBox="0 0 10 10"><rect width="10" height="10" rx="2" fill=${status.color || '#888888'} /></svg>
    <span class="pg-chip-text">${status.short_name}</span>
  </span>`;
}

// A small colour square (task type colours in legends).
export function Swatch({ color }) {
  return html`<svg class="pg-swatch" aria-hidden="true" viewBox="0 0 10 10"><rect width="10" height="10" rx="2" fill=${color || '#888888'} /></svg>`;
}

export function taskHref(projectId, taskId) {
  return `/projects/${projectId}/production/tasks/${taskId}`;
}

// Today as YYYY-MM-DD in the browser's time zone.
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// A calendar day (YYYY-MM-DD) in the UI language, without a time-zone shift.
export function fmtDay(day) {
  if (!day || !/^\d{4}-\d{2}-\d{2}/.test(day)) return '';
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}
