// web/app/project-members.js: people added to the project individually (a freelance editor,
// a client's reviewer), beside the members of the owning and partner organizations who reach
// it through their organization. Managers add people by e-mail, change roles and remove
// them; anyone may leave.
import { html } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, TextField, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { useSession } from '/lib/session.js';
import { PROJECT_ROLES, projectRoleLabel, options } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { usePaged, Avatar, Badge, Empty, ErrorBox, LoadMore, Loading, Notice, errorMessage } from '/lib/ui.js';
import { fmtRelative } from '/lib/format.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function AddForm({ project, onAdded }) {
  const f = useForm({ email: '', role: 'member' });
  const add = f.submit(async (v) => {
    check({ email: [EMAIL_RE.test(v.email.trim()), t('form.email')] });
    const m = await api.post(`/api/v1/projects/${project.id}/members`, { email: v.email.trim(), role: v.role });
    toast(t('members.added', { name: m.display_name }));
    f.reset({ email: '', role: v.role });
    onAdded(m);
  });
  return html`<form class="inline-form" onSubmit=${add} novalidate data-testid="add-project-member">
    <${TextField} form=${f} name="email" type="email" label=${t('members.add_by_email')} placeholder="name@example.com" class="grow" />
    <${SelectField} form=${f} name="role" label=${t('field.role')} options=${options(PROJECT_ROLES, projectRoleLabel)} />
    <div class="inline-actions"><${Submit} form=${f}><${Icon} name="plus" />${t('action.add')}<//></div>
    <div class="inline-error"><${FormError} form=${f} /></div>
  </form>`;
}

export default function ProjectMembers({ project }) {
  const { me } = useSession();
  const manage = project.access.level === 'manage';
  const paged = usePaged((cursor) => api.get(`/api/v1/projects/${project.id}/members`, { limit: 100, cursor }), [project.id]);
  const setRole = async (m, role) => {
    try {
      const r = await api.patch(`/api/v1/projects/${project.id}/members/${m.user_id}`, { role }, { etag: etagOf(m) });
      paged.setItems((xs) => xs.map((x) => (x.user_id === m.user_id ? r : x)));
      toast(t('members.role_changed', { name: m.display_name, role: projectRoleLabel(role) }));
    } catch (e) {
      toast(errorMessage(e), 'error');
      paged.reload();
    }
  };
  const remove = async (m) => {
    const self = m.user_id === me.id;
    const ok = await confirmAction({
      title: self ? t('project.leave') : t('members.remove'),
      message: self
        ? t('project.leave_confirm', { name: project.name })
        : t('members.remove_project_confirm', { name: m.display_name, project: project.name }),
      confirmLabel: self ? t('project.leave') : t('members.remove'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/projects/${project.id}/members/${m.user_id}`, { etag: etagOf(m) });
      toast(t('members.removed', { name: m.display_name }));
      if (self && project.access.via === 'member') {
        navigate('/', { replace: true });
        return;
      }
      paged.setItems((xs) => xs.filter((x) => x.user_id !== m.user_id));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  return html`<div class="stack">
    <${Notice}>${t('pmembers.explain', { org: project.org_name })}<//>
    ${manage && html`<section class="card">
      <h2 class="card-title">${t('pmembers.add')}</h2>
      <p class="card-desc">${t('pmembers.add_desc')}</p>
      <${AddForm} project=${project} onAdded=${(m) => paged.setItems((xs) => [...xs, m])} />
    </section>`}
    <section class="card card-flush">
      <h2 class="card-title card-pad">${t('pmembers.title')}</h2>
      ${!paged.started && paged.loading ? html`<${Loading} />`
        : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
        : !paged.items.length ? html`<${Empty} icon="users" title=${t('pmembers.none')} />`
        : html`<ul class="mrow-list">${paged.items.map((m) => {
          const self = m.user_id === me.id;
          return html`<li key=${m.user_id} class="mrow" data-testid="member-row">
            <${Avatar} name=${m.display_name} id=${m.user_id} />
            <div class="mrow-main">
              <div class="mrow-name"><span class="truncate">${m.display_name}</span>${self && html`<${Badge} kind="muted">${t('members.you')}<//>`}</div>
              <div class="mrow-sub truncate">${m.email}</div>
            </div>
            <div class="mrow-role">${manage
              ? html`<select class="input select select-sm" value=${m.role} aria-label=${t('members.role_of', { name: m.display_name })}
                  onChange=${(e) => setRole(m, e.target.value)}>
                  ${options(PROJECT_ROLES, projectRoleLabel).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
                </select>`
              : html`<${Badge}>${projectRoleLabel(m.role)}<//>`}</div>
            <div class="mrow-since muted small">${t('members.since', { when: fmtRelative(m.created_at) })}</div>
            <div class="mrow-actions">${(manage || self) && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${() => remove(m)}>
              ${self ? t('project.leave') : t('members.remove')}</button>`}</div>
          </li>`;
        })}</ul>`}
      <${LoadMore} paged=${paged} />
    </section>
  </div>`;
}
