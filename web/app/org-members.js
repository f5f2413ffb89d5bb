// web/app/org-members.js: an organization's members (add an existing account by e-mail,
// change roles, remove) and invitations (invite by e-mail, copy the accept link — shown
// once — revoke). Only owners grant or change the owner role; the server keeps the last
// owner in place and says so, which is shown as the error it is.
import { html, useState } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, TextField, TextArea, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { confirmAction } from '/lib/dialog.js';
import { useSession, isOrgAdmin, loadMe } from '/lib/session.js';
import { ORG_ROLES, orgRoleLabel, options } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { usePaged, Avatar, Badge, CopyField, Empty, ErrorBox, LoadMore, Loading, Notice, errorMessage } from '/lib/ui.js';
import { fmtDate, fmtRelative } from '/lib/format.js';
import { navigate } from '/lib/router.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function roleChoices(myRole) {
  // Only an owner may hand out the owner role.
  return ORG_ROLES.filter((r) => r !== 'owner' || myRole === 'owner');
}

function AddMemberForm({ org, onAdded }) {
  const f = useForm({ email: '', role: 'member' });
  const add = f.submit(async (v) => {
    check({ email: [EMAIL_RE.test(v.email.trim()), t('form.email')] });
    const m = await api.post(`/api/v1/orgs/${org.id}/members`, { email: v.email.trim(), role: v.role });
    toast(t('members.added', { name: m.display_name }));
    f.reset({ email: '', role: v.role });
    onAdded(m);
  });
  return html`<form class="inline-form" onSubmit=${add} novalidate data-testid="add-org-member">
    <${TextField} form=${f} name="email" type="email" label=${t('members.add_by_email')} placeholder="name@example.com" class="grow" />
    <${SelectField} form=${f} name="role" label=${t('field.role')} options=${options(roleChoices(org.my_role), orgRoleLabel)} />
    <div class="inline-actions"><${Submit} form=${f}><${Icon} name="plus" />${t('action.add')}<//></div>
    <div class="inline-error"><${FormError} form=${f} /></div>
  </form>`;
}

function MemberRow({ m, org, me, onChanged, onRemoved }) {
  const admin = isOrgAdmin(org.my_role);
  const self = m.user_id === me.id;
  const owner = org.my_role === 'owner';
  const canEditRole = admin && !self && (owner || m.role !== 'owner');
  const canRemove = self || (admin && (owner || m.role !== 'owner'));
  const setRole = async (role) => {
    try {
      const r = await api.patch(`/api/v1/orgs/${org.id}/members/${m.user_id}`, { role }, { etag: etagOf(m) });
      onChanged(r);
      toast(t('members.role_changed', { name: m.display_name, role: orgRoleLabel(role) }));
    } catch (e) {
      toast(errorMessage(e), 'error');
      onChanged(m, true);
    }
  };
  const remove = async () => {
    const ok = await confirmAction({
      title: self ? t('org.leave') : t('members.remove'),
      message: self ? t('org.leave_confirm', { name: org.name }) : t('members.remove_confirm', { name: m.display_name, org: org.name }),
      confirmLabel: self ? t('org.leave') : t('members.remove'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/orgs/${org.id}/members/${m.user_id}`, { etag: etagOf(m) });
      if (self) {
        await loadMe();
        navigate('/', { replace: true });
        return;
      }
      onRemoved(m);
      toast(t('members.removed', { name: m.display_name }));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  return html`<li class="mrow" data-testid="member-row">
    <${Avatar} name=${m.display_name} id=${m.user_id} />
    <div class="mrow-main">
      <div class="mrow-name"><span class="truncate">${m.display_name}</span>${self && html`<${Badge} kind="muted">${t('members.you')}<//>`}</div>
      <div class="mrow-sub truncate">${m.email}</div>
    </div>
    <div class="mrow-role">
      ${canEditRole
        ? html`<select class="input select select-sm" aria-label=${t('members.role_of', { name: m.display_name })} value=${m.role}
            onChange=${(e) => setRole(e.target.value)}>
            ${options(roleChoices(org.my_role).includes(m.role) ? roleChoices(org.my_role) : ORG_ROLES, orgRoleLabel)
              .map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
          </select>`
        : html`<${Badge} kind=${m.role === 'owner' ? 'accent' : ''}>${orgRoleLabel(m.role)}<//>`}
    </div>
    <div class="mrow-since muted small" title=${fmtDate(m.created_at)}>${t('members.since', { when: fmtRelative(m.created_at) })}</div>
    <div class="mrow-actions">
      ${canRemove && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${remove}>
        ${self ? t('org.leave') : t('members.remove')}</button>`}
    </div>
  </li>`;
}

export function OrgMembers({ org }) {
  const { me } = useSession();
  const paged = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/members`, { limit: 100, cursor }), [org.id]);
  const admin = isOrgAdmin(org.my_role);
  const replace = (m, reload) => (reload ? paged.reload() : paged.setItems((xs) => xs.map((x) => (x.user_id === m.user_id ? m : x))));
  return html`<div class="stack">
    ${admin && html`<section class="card">
      <h2 class="card-title">${t('members.add')}</h2>
      <p class="card-desc">${t('members.add_desc')} <a href=${`/orgs/${org.id}/invitations`}>${t('members.invite_instead')}</a></p>
      <${AddMemberForm} org=${org} onAdded=${(m) => paged.setItems((xs) => [...xs, m])} />
    </section>`}
    <section class="card card-flush">
      <h2 class="card-title card-pad">${t('members.title')}${paged.items.length
        ? html` <span class="count">${paged.items.length}${paged.hasMore ? '+' : ''}</span>` : ''}</h2>
      ${!paged.started && paged.loading ? html`<${Loading} />`
        : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
        : html`<ul class="mrow-list">${paged.items.map((m) => html`<${MemberRow} key=${m.user_id} m=${m} org=${org} me=${me}
            onChanged=${replace} onRemoved=${(x) => paged.setItems((xs) => xs.filter((y) => y.user_id !== x.user_id))} />`)}</ul>`}
      <${LoadMore} paged=${paged} />
    </section>
  </div>`;
}

// ---- Invitations. ----

function InviteForm({ org, onCreated }) {
  const f = useForm({ email: '', role: 'member', message: '' });
  const send = f.submit(async (v) => {
    check({ email: [EMAIL_RE.test(v.email.trim()), t('form.email')] });
    const body = { email: v.email.trim(), role: v.role };
    if (v.message.trim()) body.message = v.message.trim();
    const inv = await api.post(`/api/v1/orgs/${org.id}/invitations`, body);
    f.reset({ email: '', role: v.role, message: '' });
    onCreated(inv);
  });
  return html`<form class="form form-2col" onSubmit=${send} novalidate data-testid="invite-form">
    <${FormError} form=${f} />
    <${TextField} form=${f} name="email" type="email" label=${t('field.email')} placeholder="name@example.com" required />
    <${SelectField} form=${f} name="role" label=${t('field.role')} options=${options(roleChoices(org.my_role), orgRoleLabel)} />
    <${TextArea} form=${f} name="message" label=${t('invite.message_optional')} rows="2" class="span-2" maxLength="2000" />
    <div class="form-actions span-2"><${Submit} form=${f}><${Icon} name="mail" />${t('invite.send')}<//></div>
  </form>`;
}

// The link as this browser reaches the server (the server's accept_url uses its configured
// public_url, which is what the e-mail carries; the two agree in a configured deployment).
function acceptLink(inv) {
  return inv.token ? `${location.origin}/invite/${inv.token}` : inv.accept_url;
}

const STATUS_KIND = { pending: 'accent', accepted: 'ok', revoked: 'muted', expired: 'muted' };

export function OrgInvitations({ org }) {
  const [created, setCreated] = useState(null);
  const paged = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/invitations`, { limit: 100, cursor }), [org.id]);
  const revoke = async (inv) => {
    const ok = await confirmAction({
      title: t('invite.revoke'),
      message: t('invite.revoke_confirm', { email: inv.email }),
      confirmLabel: t('invite.revoke'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/orgs/${org.id}/invitations/${inv.id}`);
      paged.setItems((xs) => xs.map((x) => (x.id === inv.id ? { ...x, status: 'revoked' } : x)));
      if (created && created.id === inv.id) setCreated(null);
      toast(t('invite.revoked'));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  const items = [...paged.items].reverse();
  return html`<div class="stack">
    <section class="card">
      <h2 class="card-title">${t('invite.title')}</h2>
      <p class="card-desc">${t('invite.desc')}</p>
      <${InviteForm} org=${org} onCreated=${(inv) => {
        setCreated(inv);
        paged.setItems((xs) => [...xs.map((x) => (x.email === inv.email && x.status === 'pending' ? { ...x, status: 'revoked' } : x)), inv]);
      }} />
      ${created && html`<div class="reveal" data-testid="invite-link">
        <div class="reveal-head"><${Icon} name="link" />${t('invite.link_for', { email: created.email })}</div>
        <${CopyField} value=${acceptLink(created)} label=${t('invite.link')} testid="invite-url" />
        <p class="muted small">${t('invite.link_once')}</p>
      </div>`}
    </section>
    <section class="card card-flush">
      <h2 class="card-title card-pad">${t('invite.list')}</h2>
      ${!paged.started && paged.loading ? html`<${Loading} />`
        : paged.error && !items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
        : !items.length ? html`<${Empty} icon="mail" title=${t('invite.none')} />`
        : html`<ul class="mrow-list">${items.map((inv) => html`<li key=${inv.id} class="mrow" data-testid="invitation-row">
            <${Avatar} name=${inv.email} id=${inv.email} />
            <div class="mrow-main">
              <div class="mrow-name"><span class="truncate">${inv.email}</span></div>
              <div class="mrow-sub truncate">${t('invite.by', { name: inv.invited_by_name || '—', when: fmtRelative(inv.created_at) })}</div>
            </div>
            <div class="mrow-role"><${Badge}>${orgRoleLabel(inv.role)}<//></div>
            <div class="mrow-since"><${Badge} kind=${STATUS_KIND[inv.status] || ''}>${t(`invite.status.${inv.status}`)}<//></div>
            <div class="mrow-actions">${inv.status === 'pending' && html`<button type="button"
              class="btn btn-sm btn-ghost-danger" onClick=${() => revoke(inv)}>${t('invite.revoke')}</button>`}</div>
          </li>`)}</ul>`}
      <${LoadMore} paged=${paged} />
    </section>
    ${org.my_role !== 'owner' && html`<${Notice}>${t('invite.owner_note')}<//>`}
  </div>`;
}
