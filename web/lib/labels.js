// web/lib/labels.js: the words for the API's enumerations (roles, kinds, statuses, access
// levels, event actions) in the current language, and the option lists for their selects.
import { t, hasKey } from './i18n.js';

export const ORG_KINDS = ['studio', 'broadcaster', 'platform', 'distributor', 'agency', 'school', 'other'];
export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'];
export const PROJECT_ROLES = ['admin', 'member', 'vendor', 'client', 'viewer'];
export const PARTNER_ROLES = ['co-producer', 'vendor', 'distributor', 'client'];

export const kindLabel = (k) => t(`kind.${k}`);
export const orgRoleLabel = (r) => t(`role.org.${r}`);
export const projectRoleLabel = (r) => t(`role.project.${r}`);
export const partnerRoleLabel = (r) => t(`role.partner.${r}`);
export const statusLabel = (s) => t(`status.${s}`);
export const levelLabel = (l) => t(`level.${l}`);

// The role in a project's `access`, named in the vocabulary of the path that gave it.
export function accessRoleLabel(access) {
  if (!access) return '';
  if (access.via === 'partner') return partnerRoleLabel(access.role);
  if (access.via === 'member') return projectRoleLabel(access.role);
  return orgRoleLabel(access.role);
}

export function actionLabel(action) {
  const key = `event.${action}`;
  return hasKey(key) ? t(key) : action;
}

export const options = (values, label) => values.map((v) => [v, label(v)]);
