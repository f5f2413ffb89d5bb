// web/app/project-settings.js: the project's settings, for its managers: name, code and
// description (saved with If-Match: a concurrent change is reported, and the form reloads),
// archive / restore, and deletion (type the name to confirm).
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, useResetOn, TextField, TextArea, Submit, FormError, check } from '/lib/forms.js';
import { confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { useSession } from '/lib/session.js';
import { toast } from '/lib/toast.js';
import { errorMessage } from '/lib/ui.js';
import { CODE_RE } from './projects.js';
import { setProjectStatus } from './project-overview.js';

export default function ProjectSettings(props) {
  const { project, etag, reload, setProject } = props;
  const { me } = useSession();
  const initial = { name: project.name, code: project.code || '', description: project.description || '' };
  const f = useForm(initial);
  useResetOn(f, etag, initial);
  const save = f.submit(async (v) => {
    check({
      name: [v.name.trim() !== '', t('form.required')],
      code: [CODE_RE.test(v.code), t('project.code_rule')],
    });
    try {
      const r = await api.request('PATCH', `/api/v1/projects/${project.id}`, {
        body: { name: v.name.trim(), code: v.code, description: v.description },
        etag,
      });
      setProject(r.data, r.etag);
      toast(t('state.saved'));
    } catch (e) {
      if (e.status === 412) reload();
      throw e;
    }
  });
  const archived = project.status === 'archived';
  const del = async () => {
    const ok = await confirmAction({
      title: t('project.delete'),
      message: t('project.delete_confirm', { name: project.name }),
      confirmLabel: t('project.delete'),
      danger: true,
      typeToConfirm: project.name,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/projects/${project.id}`, { etag });
      toast(t('project.deleted', { name: project.name }));
      const owner = me.orgs.some((o) => o.id === project.org_id);
      navigate(owner ? `/orgs/${project.org_id}/projects` : '/', { replace: true });
    } catch (e) {
      toast(errorMessage(e), 'error');
      if (e.status === 412) reload();
    }
  };
  return html`<div class="stack settings">
    <section class="card">
      <h2 class="card-title">${t('project.details')}</h2>
      <form class="form" onSubmit=${save} novalidate data-testid="project-settings">
        <${FormError} form=${f} />
        <div class="form-row">
          <${TextField} form=${f} name="name" label=${t('project.name')} required maxLength="200" class="grow" />
          <${TextField} form=${f} name="code" label=${t('project.code')} hint=${t('project.code_hint')} maxLength="16"
            class="field-code" spellcheck="false" onInput=${(e) => f.set('code', e.target.value.toUpperCase())} />
        </div>
        <${TextArea} form=${f} name="description" label=${t('field.description')} rows="6" maxLength="8000" />
        <div class="form-actions"><${Submit} form=${f}>${t('action.save')}<//></div>
      </form>
    </section>
    <section class="card">
      <h2 class="card-title">${t('field.status')}</h2>
      <p class="card-desc">${archived ? t('project.restore_desc') : t('project.archive_desc')}</p>
      <div><button type="button" class="btn" onClick=${() => setProjectStatus(props, archived ? 'active' : 'archived')}>
        <${Icon} name="archive" />${archived ? t('project.restore') : t('project.archive')}</button></div>
    </section>
    <section class="card card-danger">
      <h2 class="card-title">${t('project.delete')}</h2>
      <p class="card-desc">${t('project.delete_desc')}</p>
      <div><button type="button" class="btn btn-danger" onClick=${del} data-testid="delete-project">
        <${Icon} name="trash" />${t('project.delete')}</button></div>
    </section>
  </div>`;
}
