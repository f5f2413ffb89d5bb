// web/app/shell.js: the top bar: the organization switcher (the choice is remembered in this
// browser), and the account menu (account settings, language, sign out).
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { navigate } from '/lib/router.js';
import { Menu, Avatar } from '/lib/ui.js';
import { useSession, setCurrentOrg, signOut, loadMe } from '/lib/session.js';
import { orgRoleLabel } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { CreateOrgDialog } from './welcome.js';
/* wt-web talent */
import { registerStrings } from '/lib/i18n.js';
import talentStrings from '/talent/strings.js';

registerStrings(talentStrings);

// The talent data center's search (icon only on a phone).
function TalentLink() {
  return html`<a class="btn btn-ghost btn-sm topbar-talent" href="/talent" data-testid="talent-link"><${Icon} name="users" />
    <span class="topbar-link-text">${t('talent.title')}</span></a>`;
}
/* end wt-web talent */

function OrgSwitcher() {
  const { me, orgId } = useSession();
  const [creating, setCreating] = useState(false);
  const cur = me.orgs.find((o) => o.id === orgId);
  const choose = (id) => {
    setCurrentOrg(id);
    navigate(`/orgs/${id}/projects`);
  };
  const trigger = html`<span class="switcher-trigger">
    ${cur ? html`<${Avatar} name=${cur.name} id=${cur.id} size="sm" />` : html`<${Icon} name="building" />`}
    <span class="switcher-name truncate">${cur ? cur.name : t('org.none')}</span>
    <${Icon} name="chevronDown" size=${14} class="muted" />
  </span>`;
  return html`<${Menu} trigger=${trigger} label=${t('org.switch')} align="left" class="switcher">
    <div class="menu-label">${t('org.your_orgs')}</div>
    <div class="menu-scroll">
      ${me.orgs.map((o) => html`<button key=${o.id} type="button" role="menuitemradio" aria-checked=${o.id === orgId ? 'true' : 'false'}
        class=${`menu-item ${o.id === orgId ? 'current' : ''}`} onClick=${() => choose(o.id)}>
        <${Avatar} name=${o.name} id=${o.id} size="sm" />
        <span class="menu-item-main"><span class="truncate">${o.name}</span><span class="menu-item-sub">${orgRoleLabel(o.role)}</span></span>
        ${o.id === orgId && html`<${Icon} name="check" class="accent" />`}
      </button>`)}
    </div>
    <div class="menu-sep"></div>
    ${cur && html`<a class="menu-item" role="menuitem" href=${`/orgs/${cur.id}/settings`}><${Icon} name="settings" />${t('org.settings')}</a>`}
    <button type="button" class="menu-item" role="menuitem" onClick=${() => setCreating(true)}><${Icon} name="plus" />${t('org.create')}</button>
  <//>
  ${creating && html`<${CreateOrgDialog} onClose=${() => setCreating(false)} />`}`;
}

function AccountMenu() {
  const { me } = useSession();
  const switchLanguage = async (tag) => {
    try {
      await api.patch('/api/v1/users/me', { locale: tag });
      await loadMe();
    } catch (e) {
      toast(e.message, 'error');
    }
  };
  const other = locale() === 'zh-CN' ? ['en', 'English'] : ['zh-CN', '简体中文'];
  const trigger = html`<span class="account-trigger"><${Avatar} name=${me.display_name} id=${me.id} size="sm" />
    <span class="account-name truncate">${me.display_name}</span><${Icon} name="chevronDown" size=${14} class="muted" /></span>`;
  return html`<${Menu} trigger=${trigger} label=${t('account.menu')} class="account-menu">
    <div class="menu-head">
      <div class="menu-head-name truncate">${me.display_name}</div>
      <div class="menu-head-sub truncate">${me.email}</div>
    </div>
    <div class="menu-sep"></div>
    <a class="menu-item" role="menuitem" href="/account"><${Icon} name="user" />${t('account.settings')}</a>
    <button type="button" class="menu-item" role="menuitem" lang=${other[0]} onClick=${() => switchLanguage(other[0])}>
      <${Icon} name="globe" />${other[1]}</button>
    <div class="menu-sep"></div>
    <button type="button" class="menu-item" role="menuitem" data-testid="sign-out" onClick=${async () => {
      await signOut();
      navigate('/signin', { replace: true });
    }}><${Icon} name="logout" />${t('account.sign_out')}</button>
  <//>`;
}

export function TopBar() {
  const { orgId } = useSession();
  return html`<header class="topbar">
    <a class="logo" href=${orgId ? `/orgs/${orgId}/projects` : '/'} aria-label="mstation">
      <span class="logo-mark" aria-hidden="true">m</span><span class="logo-text">mstation</span>
    </a>
    <span class="topbar-sep" aria-hidden="true">/</span>
    <${OrgSwitcher} />
    <div class="topbar-spacer"></div>
    <!-- wt-web talent --><${TalentLink} /><!-- end wt-web talent -->
    <a class="btn btn-ghost btn-sm" href="/tasks" data-testid="my-tasks-link"><${Icon} name="check" />${t('production.mytasks.title')}</a>
    <${AccountMenu} />
  </header>`;
}
