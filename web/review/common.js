// web/review/common.js: what the review pages share: the module's stylesheet (a <link> added
// once through lib/styles.js; pages await `stylesReady`), the strings, the caller's
// production role as the server decides it (src/production/access.c), and small pieces:
// version labels, review-status badges.
import { html } from '/lib/html.js';
import { t, registerStrings } from '/lib/i18n.js';
import strings from './strings.js';
import { loadStylesheet } from '/lib/styles.js';

registerStrings(strings);

export const stylesReady = loadStylesheet('/review/review.css');

// The production role of the caller, from the project's access (the server's rules in
// access.c): manage level -> supervisor; role vendor -> vendor; other edit level -> artist;
// role client -> client; anything else -> viewer.
export function productionRole(project) {
  const a = (project && project.access) || {};
  if (a.level === 'manage' || a.level === 'own') return 'supervisor';
  if (a.role === 'vendor') return 'vendor';
  if (a.level === 'edit') return 'artist';
  if (a.role === 'client') return 'client';
  return 'viewer';
}

// The statuses this role may set (the server refuses the others with status-not-allowed).
export function allowedStatuses(role, statuses) {
  if (role === 'supervisor') return statuses;
  if (role === 'artist' || role === 'vendor') return statuses.filter((s) => s.is_artist_allowed);
  if (role === 'client') return statuses.filter((s) => s.is_client_allowed);
  return [];
}

// Who may approve or ask for changes on a version (PATCH /versions/{id} {review_status}).
export const mayReview = (role) => role === 'supervisor' || role === 'client';
export const mayComment = (role) => role !== 'viewer';

export const versionLabel = (n) => `v${String(n || 1).padStart(3, '0')}`;

const REVIEW_KINDS = { pending: 'muted', approved: 'ok', changes_requested: 'warn' };
export function reviewStatusLabel(s) {
  if (s === 'approved') return t('review.status.approved');
  if (s === 'changes_requested') return t('review.status.changes_requested');
  return t('review.status.pending');
}
export function ReviewBadge({ status }) {
  return html`<span class=${`badge badge-${REVIEW_KINDS[status] || 'muted'} rv-review-badge`} data-testid="review-status"
    data-status=${status || 'pending'}>${reviewStatusLabel(status)}</span>`;
}

// A status chip in the status's own colour class (colours come from the stylesheet's palette,
// picked by the nearest of a few hues: no inline styles under the CSP).
const HUES = [['grey', [150, 150, 150]], ['blue', [59, 130, 246]], ['green', [34, 197, 94]], ['orange', [249, 115, 22]],
  ['red', [239, 68, 68]], ['purple', [168, 85, 247]], ['yellow', [234, 179, 8]], ['teal', [20, 184, 166]]];
export function hueOf(color) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color || '');
  if (!m) return 'grey';
  const c = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  const spread = Math.max(...c) - Math.min(...c);
  if (spread < 30) return 'grey';
  let best = 'grey';
  let bd = Infinity;
  for (const [name, h] of HUES) {
    const d = (h[0] - c[0]) ** 2 + (h[1] - c[1]) ** 2 + (h[2] - c[2]) ** 2;
    if (d < bd) {
      bd = d;
      best = name;
    }
  }
  return best;
}
export function StatusChip({ status, color }) {
  return html`<span class=${`rv-chip rv-hue-${hueOf(color)}`} data-testid="status-chip">${status || '—'}</span>`;
}
