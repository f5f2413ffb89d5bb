// web/rights/catalogue.js: the organization's catalogue: the titles it owns and the ones it
// holds rights in (GET /orgs/{id}/titles), searched by text and filtered by kind, genre and
// year, with "load more" paging; and the title form (create and edit, used by title.js too),
// whose EIDR and other fields are checked by the server and shown next to their fields.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { useForm, TextField, TextArea, SelectField, Submit, FormError, FieldErrors, check } from '/lib/forms.js';
import { usePaged, useDebounced, Badge, Empty, ErrorBox, LoadMore, Loading } from '/lib/ui.js';
import { KINDS, kindLabel, titleLine } from './common.js';

const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);

export default function CataloguePage({ org, base }) {
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [genre, setGenre] = useState('');
  const [year, setYear] = useState('');
  const dq = useDebounced(q.trim(), 250);
  const dg = useDebounced(genre.trim(), 250);
  const dy = useDebounced(/^\d{4}$/.test(year.trim()) ? year.trim() : '', 250);
  const [creating, setCreating] = useState(false);
  const list = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/titles`, {
    q: dq, kind, genre: dg, year: dy, limit: 50, cursor, top: dq || kind ? '' : 'true',
  }),
    [org.id, dq, kind, dg, dy]);
  const filtered = dq || kind || dg || dy;
  return html`<div class="stack" data-testid="catalogue">
    <div class="toolbar rt-toolbar">
      <label class="search">
        <${Icon} name="search" class="muted" />
        <input class="search-input" type="search" value=${q} placeholder=${t('rights.search_titles')}
          aria-label=${t('rights.search_titles')} data-testid="catalogue-search" onInput=${(e) => setQ(e.target.value)} />
      </label>
      <select class="input select rt-filter" aria-label=${t('rights.kind')} data-testid="filter-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="">${t('rights.any_kind')}</option>
        ${KINDS.map((k) => html`<option key=${k} value=${k}>${kindLabel(k)}</option>`)}
      </select>
      <input class="input rt-filter" value=${genre} placeholder=${t('rights.genre')} aria-label=${t('rights.genre')}
        data-testid="filter-genre" onInput=${(e) => setGenre(e.target.value)} />
      <input class="input rt-filter rt-year" value=${year} inputmode="numeric" maxLength="4" placeholder=${t('rights.year')}
        aria-label=${t('rights.year')} data-testid="filter-year" onInput=${(e) => setYear(e.target.value)} />
      <span class="toolbar-spacer"></span>
      ${canEdit(org) && html`<button type="button" class="btn btn-primary" data-testid="new-title" onClick=${() => setCreating(true)}>
        <${Icon} name="plus" />${t('rights.new_title')}</button>`}
    </div>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />`
      : list.items.length === 0 ? (list.error ? null : html`<${Empty} icon="film" title=${filtered ? t('rights.no_titles_match') : t('rights.no_titles')}>
          ${!filtered && canEdit(org) ? t('rights.no_titles_hint') : ''}<//>`)
      : html`<div class="card card-flush">
        <ul class="rt-list" data-testid="title-list">
          ${list.items.map((x) => html`<li key=${x.id}><a class="rt-row" href=${`${base}/titles/${x.id}`} data-title=${x.title}>
            <span class="rt-row-icon"><${Icon} name=${x.kind === 'series' || x.kind === 'micro_drama' ? 'layers' : 'film'} /></span>
            <span class="rt-row-main">
              <span class="rt-row-title" title=${x.title}>${titleLine(x)}</span>
              <span class="rt-row-sub muted small">
                <span>${kindLabel(x.kind)}</span>
                ${x.year && html`<span>· ${x.year}</span>`}
                ${x.genres && x.genres.length > 0 && html`<span class="truncate">· ${x.genres.join(', ')}</span>`}
                ${x.eidr && html`<span class="mono truncate rt-eidr">· ${x.eidr}</span>`}
              </span>
            </span>
            <span class="rt-row-meta">
              ${x.owned === false || x.is_owned === 0 ? html`<${Badge} kind="shared">${t('rights.acquired')}<//>` : html`<${Badge} kind="muted">${t('rights.owned')}<//>`}
            </span>
          </a></li>`)}
        </ul>
      </div>`}
    <${LoadMore} paged=${list} />
    ${creating && html`<${TitleDialog} org=${org} onClose=${() => setCreating(false)} onSaved=${(x) => {
      setCreating(false);
      toast(t('rights.title_created'));
      navigate(`${base}/titles/${x.id}`);
    }} />`}
  </div>`;
}

// Create (no `title`) or edit a title. `parent` presets a season's series or an episode's
// season. onSaved(title, etag).
export function TitleDialog({ org, title, etag, parent, onClose, onSaved }) {
  const x = title || {};
  const defaultKind = parent ? (parent.kind === 'season' ? 'episode' : 'season') : 'feature';
  const loc = (x.localizations || []).map((l) => `${l.language}: ${l.title}`).join('\n');
  const f = useForm({
    kind: x.kind || defaultKind,
    title: x.title || '',
    synopsis: x.synopsis || '',
    original_language: x.original_language || '',
    country_of_origin: x.country_of_origin || '',
    year: x.year != null ? String(x.year) : '',
    runtime_min: x.runtime_min != null ? String(x.runtime_min) : '',
    season_number: x.season_number != null ? String(x.season_number) : parent && parent.kind !== 'season' ? String((parent.children || []).filter((c) => c.kind === 'season').length + 1) : '',
    episode_number: x.episode_number != null ? String(x.episode_number) : parent && parent.kind === 'season' ? String((parent.children || []).length + 1) : '',
    genres: (x.genres || []).join(', '),
    eidr: x.eidr || '',
    localizations: loc,
  });
  const v = f.values;
  const num = (s) => (s.trim() === '' ? null : Number(s.trim()));
  const save = f.submit(async (vals) => {
    check({
      title: [vals.title.trim() !== '', t('form.required')],
      year: [vals.year.trim() === '' || /^\d{4}$/.test(vals.year.trim()), t('rights.bad_year')],
      runtime_min: [vals.runtime_min.trim() === '' || /^\d{1,4}$/.test(vals.runtime_min.trim()), t('rights.bad_number')],
      season_number: [vals.season_number.trim() === '' || /^\d{1,4}$/.test(vals.season_number.trim()), t('rights.bad_number')],
      episode_number: [vals.episode_number.trim() === '' || /^\d{1,5}$/.test(vals.episode_number.trim()), t('rights.bad_number')],
      localizations: [vals.localizations.split('\n').every((l) => !l.trim() || /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\s*:\s*\S/.test(l.trim())), t('rights.bad_localizations')],
    });
    const body = {
      kind: vals.kind,
      title: vals.title.trim(),
      synopsis: vals.synopsis,
      original_language: vals.original_language.trim() || null,
      country_of_origin: vals.country_of_origin.trim().toUpperCase() || null,
      year: num(vals.year),
      runtime_min: num(vals.runtime_min),
      genres: vals.genres.split(/[,，、]/).map((g) => g.trim()).filter(Boolean),
      eidr: vals.eidr.trim() || null,
      localizations: vals.localizations.split('\n').filter((l) => l.trim()).map((l) => {
        const i = l.indexOf(':');
        return { language: l.slice(0, i).trim(), title: l.slice(i + 1).trim() };
      }),
    };
    if (vals.kind === 'season' || vals.kind === 'episode') body.season_number = num(vals.season_number);
    if (vals.kind === 'episode') body.episode_number = num(vals.episode_number);
    if (!title && parent) body.parent_id = parent.id;
    try {
      const r = title ? await api.request('PATCH', `/api/v1/titles/${title.id}`, { body, etag })
        : await api.request('POST', `/api/v1/orgs/${org.id}/titles`, { body });
      onSaved(r.data, r.etag);
    } catch (err) {
      // "localizations/1/language" belongs to the localizations field, "genres/0" to genres.
      const known = Object.keys(f.values);
      const fe = {};
      for (const x of err.fieldErrors || []) {
        const [head, ...rest] = String(x.field || '').split('/');
        if (!known.includes(head)) throw err;
        fe[head] = rest.length ? `${rest.join('/')}: ${x.message}` : x.message;
      }
      if (Object.keys(fe).length) throw new FieldErrors(fe);
      throw err;
    }
  });
  return html`<${Dialog} title=${title ? t('rights.edit_title') : parent ? t('rights.add_child', { parent: parent.title }) : t('rights.new_title')}
    onClose=${onClose} size="lg">
    <form class="form form-2col" onSubmit=${save} novalidate data-testid="title-form">
      <${FormError} form=${f} />
      <${TextField} form=${f} name="title" label=${t('rights.original_title')} maxLength="500" required class="span-2" />
      <${SelectField} form=${f} name="kind" label=${t('rights.kind')} options=${KINDS.map((k) => [k, kindLabel(k)])} />
      <${TextField} form=${f} name="eidr" label=${t('rights.eidr')} placeholder="10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C"
        hint=${t('rights.eidr_hint')} class="mono-input" autocapitalize="characters" spellcheck="false" />
      ${(v.kind === 'season' || v.kind === 'episode') && html`<${TextField} form=${f} name="season_number" label=${t('rights.season_number')} inputmode="numeric" />`}
      ${v.kind === 'episode' && html`<${TextField} form=${f} name="episode_number" label=${t('rights.episode_number')} inputmode="numeric" />`}
      <${TextField} form=${f} name="year" label=${t('rights.year')} inputmode="numeric" maxLength="4" />
      <${TextField} form=${f} name="runtime_min" label=${t('rights.runtime_min')} inputmode="numeric" />
      <${TextField} form=${f} name="original_language" label=${t('rights.original_language')} placeholder="zh-CN" spellcheck="false" />
      <${TextField} form=${f} name="country_of_origin" label=${t('rights.country_of_origin')} placeholder="CN" maxLength="2" spellcheck="false" />
      <${TextField} form=${f} name="genres" label=${t('rights.genres')} hint=${t('rights.genres_hint')} class="span-2" />
      <${TextArea} form=${f} name="synopsis" label=${t('rights.synopsis')} rows="3" class="span-2" />
      <${TextArea} form=${f} name="localizations" label=${t('rights.localizations')} hint=${t('rights.localizations_hint')} rows="2" class="span-2" />
      <div class="form-actions span-2">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${title ? t('action.save') : t('rights.create_title')}<//>
      </div>
    </form>
  <//>`;
}
