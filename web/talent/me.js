// web/talent/me.js: /talent/me, my own talent profile. Without one: create it (names and a
// headline, with my consent to be listed). With one: edit every field, each with the
// visibility chosen next to it (public, platform members, my organizations, private; names
// only public or platform), saved together with one PATCH under If-Match (a stale version
// reloads and says so); my credits (self-declared entries added and removed here); the days
// I am unavailable (added and removed; the calendar shows them with the booked ones); the
// invitations organizations sent me (accept or decline); and my data: download all of it
// (GET /talent/me/export) or delete the profile.
//
// Field errors of the problem document ("languages/1/level") are shown in their section.
import { html, useEffect, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { confirmAction } from '/lib/dialog.js';
import { useSession } from '/lib/session.js';
import { toast } from '/lib/toast.js';
import { useAsync, useTitle, errorMessage, Badge, ErrorBox, Loading, Notice, PageHeader, Spinner } from '/lib/ui.js';
import { projectRoleLabel } from '/lib/labels.js';
import { OrgPicker } from '/lib/org-picker.js';
import {
  LEVELS, TRAVEL, VIS, NAME_VIS, SCRIPTS, levelLabel, travelLabel, visLabel, scriptLabel, langName, craftLabel, useCrafts,
  splitList, today, dayNum, dayStr, fmtRange, isDay,
} from './common.js';
import { AvailabilityCalendar } from './calendar.js';
import { CreditsTimeline } from './profile.js';

// ---- The editable copy of a profile and what changed. ----

function toDraft(p) {
  const loc = p.location || {};
  const rates = p.rates || {};
  const contacts = p.contacts || {};
  return {
    names: (p.names && p.names.length ? p.names : [{ name: p.primary_name || '', script: 'Latn', primary: true }])
      .map((n) => ({ name: n.name || '', script: n.script || '', primary: !!n.primary })),
    headline: p.headline || '',
    bio: p.bio || '',
    crafts: [...(p.crafts || [])],
    skills: (p.skills || []).join(', '),
    languages: (p.languages || []).map((l) => ({ tag: l.tag || '', level: l.level || 'professional' })),
    location: { country: loc.country || '', region: loc.region || '', city: loc.city || '', travel: loc.travel || 'national' },
    affiliations: (p.affiliations || []).map((a) => ({ name: a.name || '', kind: a.kind || 'agency', member_id: a.member_id || '' })),
    education: (p.education || []).map((e) => ({ school: e.school || '', program: e.program || '', year: e.year ? String(e.year) : '' })),
    showreel: (p.showreel && p.showreel.asset_id) || '',
    portfolio: (p.portfolio || []).map((x) => x.asset_id || x).join('\n'),
    rates: { currency: rates.currency || '', day: rates.day || '', week: rates.week || '' },
    contacts: { email: contacts.email || '', phone: contacts.phone || '', website: contacts.website || '', wechat: contacts.wechat || '' },
    listed: p.listed !== false,
    visibility: { ...(p.visibility || {}) },
  };
}

// The API's value of each field from the draft.
function toBody(d) {
  const trimObj = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v).trim()]));
  const body = {
    names: d.names.filter((n) => n.name.trim()).map((n) => {
      const x = { name: n.name.trim(), primary: n.primary };
      if (n.script) x.script = n.script;
      return x;
    }),
    headline: d.headline.trim(),
    bio: d.bio,
    crafts: d.crafts,
    skills: splitList(d.skills),
    languages: d.languages.filter((l) => l.tag.trim()).map((l) => ({ tag: l.tag.trim(), level: l.level })),
    location: trimObj(d.location),
    affiliations: d.affiliations.filter((a) => a.name.trim()).map((a) => {
      const x = { name: a.name.trim(), kind: a.kind };
      if (a.member_id.trim()) x.member_id = a.member_id.trim();
      return x;
    }),
    education: d.education.filter((e) => e.school.trim()).map((e) => {
      const x = { school: e.school.trim() };
      if (e.program.trim()) x.program = e.program.trim();
      if (e.year.trim()) x.year = Number(e.year.trim());
      return x;
    }),
    showreel: d.showreel.trim() ? { asset_id: d.showreel.trim() } : null,
    portfolio: splitList(d.portfolio).map((id) => ({ asset_id: id })),
    rates: d.rates.day.trim() || d.rates.week.trim() ? (() => {
      const x = { currency: d.rates.currency.trim().toUpperCase() };
      if (d.rates.day.trim()) x.day = d.rates.day.trim();
      if (d.rates.week.trim()) x.week = d.rates.week.trim();
      return x;
    })() : null,
    contacts: Object.fromEntries(Object.entries(trimObj(d.contacts)).filter(([, v]) => v)),
    listed: d.listed,
  };
  return body;
}

function diff(base, draft) {
  const a = toBody(base);
  const b = toBody(draft);
  const out = {};
  for (const k of Object.keys(b)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = b[k];
  const vis = {};
  for (const [k, v] of Object.entries(draft.visibility)) if (base.visibility[k] !== v) vis[k] = v;
  if (Object.keys(vis).length) out.visibility = vis;
  return out;
}

// Field errors by the section they belong to: "languages/1/level" -> languages.
function sectionErrors(err) {
  const out = {};
  for (const f of (err && err.fieldErrors) || []) {
    const [head, ...rest] = String(f.field || '').split(/[/.[\]]+/).filter(Boolean);
    const key = head === 'primary_name' ? 'names' : head === 'showreel_asset_id' ? 'showreel' : head || '_';
    out[key] = (out[key] ? `${out[key]}; ` : '') + (rest.length ? `${rest.join('/')}: ${f.message}` : f.message);
  }
  return out;
}

// ---- Pieces of the editor. ----

function VisSelect({ field, value, onChange }) {
  const opts = field === 'names' ? NAME_VIS : VIS;
  return html`<label class="tl-vis">
    <${Icon} name=${value === 'public' ? 'globe' : value === 'private' ? 'lock' : 'users'} size=${13} />
    <span class="offscreen">${t('talent.visibility_of', { field: t(`talent.field.${field}`) })}</span>
    <select class="input select select-sm" value=${value || ''} data-testid=${`vis-${field}`} data-field=${field}
      onChange=${(e) => onChange(e.target.value)}>
      ${!value && html`<option value="">—</option>`}
      ${opts.map((v) => html`<option key=${v} value=${v}>${visLabel(v)}</option>`)}
    </select>
  </label>`;
}

function EditSection({ field, title, vis, setVis, error, children, hint }) {
  return html`<section class="card tl-edit" data-testid=${`edit-${field}`} id=${`edit-${field}`}>
    <div class="tl-edit-head">
      <h2 class="card-title">${title}</h2>
      ${setVis && html`<${VisSelect} field=${field} value=${vis[field]} onChange=${(v) => setVis(field, v)} />`}
    </div>
    ${hint && html`<p class="card-desc">${hint}</p>`}
    <div class="tl-edit-body">${children}</div>
    ${error && html`<div class="field-error" role="alert" data-testid=${`error-${field}`}>${error}</div>`}
  </section>`;
}

function Input({ label, value, onInput, testid, class: cls = '', ...rest }) {
  return html`<label class=${`field ${cls}`}>
    <span class="field-label">${label}</span>
    <input class="input" value=${value} data-testid=${testid} onInput=${(e) => onInput(e.target.value)} ...${rest} />
  </label>`;
}

function Select({ label, value, onChange, options, testid, class: cls = '' }) {
  return html`<label class=${`field ${cls}`}>
    <span class="field-label">${label}</span>
    <select class="input select" value=${value} data-testid=${testid} onChange=${(e) => onChange(e.target.value)}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select>
  </label>`;
}

// Rows of a list field: render(row, set) draws one row; blank() makes a new one.
function Rows({ rows, onChange, blank, render, addLabel, testid }) {
  const set = (i, patch) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return html`<div class="tl-rows" data-testid=${testid}>
    ${rows.map((r, i) => html`<div key=${i} class="tl-row-edit" data-row=${i}>
      ${render(r, (patch) => set(i, patch), i)}
      <button type="button" class="icon-btn tl-row-remove" aria-label=${t('talent.remove_row')} onClick=${() => onChange(rows.filter((_, j) => j !== i))}>
        <${Icon} name="x" /></button>
    </div>`)}
    <div><button type="button" class="btn btn-sm" data-testid=${testid && `${testid}-add`} onClick=${() => onChange([...rows, blank()])}>
      <${Icon} name="plus" />${addLabel}</button></div>
  </div>`;
}

function CraftPicker({ value, onChange, crafts }) {
  if (!crafts) return html`<${Spinner} />`;
  const set = new Set(value);
  const toggle = (code) => {
    if (set.has(code)) onChange(value.filter((c) => c !== code));
    else onChange([...value, code]);
  };
  return html`<div class="rt-chips" role="group" aria-label=${t('talent.crafts')} data-testid="craft-picker">
    ${crafts.map((c) => html`<button key=${c.code} type="button" class=${`rt-chip ${set.has(c.code) ? 'on' : ''}`}
      aria-pressed=${set.has(c.code) ? 'true' : 'false'} data-craft=${c.code} onClick=${() => toggle(c.code)}>${craftLabel(c.code, crafts)}</button>`)}
  </div>`;
}

const AFF_KINDS = ['agency', 'union', 'guild', 'association'];

// A datalist of common language tags, named in the UI's language.
const LANG_TAGS = ['zh', 'yue', 'en', 'bo', 'ug', 'mn', 'ii', 'za', 'ko', 'ja', 'fr', 'de', 'es', 'pt', 'it', 'ru', 'ar', 'hi', 'th', 'vi', 'id', 'ms', 'tr', 'fa'];
function LangDatalist() {
  return html`<datalist id="tl-lang-tags">${LANG_TAGS.map((x) => html`<option key=${x} value=${x}>${langName(x)}</option>`)}</datalist>`;
}

// ---- Create. ----

function CreateProfile({ onCreated }) {
  const { me } = useSession();
  const [name, setName] = useState(me.display_name || '');
  const [script, setScript] = useState(/[\u3400-\u9fff]/.test(me.display_name || '') ? 'Hans' : 'Latn');
  const [headline, setHeadline] = useState('');
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    if (!consent || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const body = { names: [{ name: name.trim(), script, primary: true }], consent: { given: true } };
      if (headline.trim()) body.headline = headline.trim();
      const r = await api.request('POST', '/api/v1/talent/profiles', { body });
      toast(t('talent.profile_created'));
      onCreated(r.data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card tl-create" data-testid="create-profile">
    <h2 class="card-title">${t('talent.create_title')}</h2>
    <p class="card-desc">${t('talent.create_desc')}</p>
    <form class="form form-2col" onSubmit=${create} novalidate>
      ${error && html`<${ErrorBox} error=${error} />`}
      <${Input} label=${t('talent.primary_name')} value=${name} onInput=${setName} testid="create-name" maxLength="200" required />
      <${Select} label=${t('talent.script')} value=${script} onChange=${setScript} testid="create-script"
        options=${SCRIPTS.map((s) => [s, scriptLabel(s)])} />
      <${Input} label=${t('talent.headline')} value=${headline} onInput=${setHeadline} testid="create-headline" class="span-2" maxLength="200" />
      <label class="tl-consent span-2">
        <input type="checkbox" checked=${consent} data-testid="create-consent" onChange=${(e) => setConsent(e.target.checked)} />
        <span>${t('talent.consent')}</span>
      </label>
      <div class="form-actions span-2">
        <button type="submit" class="btn btn-primary" disabled=${busy || !consent || !name.trim()} data-testid="create-submit">
          ${busy && html`<${Spinner} />`}${t('talent.create_action')}</button>
      </div>
    </form>
  </section>`;
}

// ---- Credits I declare. ----

export function MyCredits({ profile, crafts }) {
  const [key, setKey] = useState(0);
  const [v, setV] = useState({ title: '', role: '', year: '', company: '', craft: '', org: null });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    if (!v.title.trim() || !v.role.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const body = { title: v.title.trim(), role: v.role.trim() };
      if (/^\d{4}$/.test(v.year.trim())) body.year = Number(v.year.trim());
      if (v.company.trim()) body.company = v.company.trim();
      if (v.craft) body.craft = v.craft;
      if (v.org) body.org_id = v.org.id;
      await api.post(`/api/v1/talent/profiles/${profile.id}/credits`, body);
      setV({ title: '', role: '', year: '', company: '', craft: '', org: null });
      setKey(key + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (c) => {
    const ok = await confirmAction({ title: t('talent.remove_credit'), message: t('talent.remove_credit_confirm', { title: c.title }), danger: true, confirmLabel: t('talent.remove') });
    if (!ok) return;
    try {
      await api.del(`/api/v1/talent/credits/${c.id}`, { etag: c.version !== undefined ? `"${c.version}"` : undefined });
      setKey(key + 1);
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  return html`<section class="card" id="credits" data-testid="my-credits">
    <h2 class="card-title">${t('talent.credits')}</h2>
    <p class="card-desc">${t('talent.my_credits_desc')}</p>
    <${CreditsTimeline} profileId=${profile.id} crafts=${crafts} reloadKey=${key} onDelete=${remove} />
    <form class="tl-add-credit" onSubmit=${add} novalidate data-testid="credit-form">
      <${Input} label=${t('talent.credit_title')} value=${v.title} onInput=${(x) => setV({ ...v, title: x })} testid="credit-title" class="tl-grow" />
      <${Input} label=${t('talent.credit_role')} value=${v.role} onInput=${(x) => setV({ ...v, role: x })} testid="credit-role" />
      <${Select} label=${t('talent.craft')} value=${v.craft} onChange=${(x) => setV({ ...v, craft: x })}
        options=${[['', '—'], ...(crafts || []).map((c) => [c.code, craftLabel(c.code, crafts)])]} />
      <${Input} label=${t('talent.year')} value=${v.year} onInput=${(x) => setV({ ...v, year: x })} inputmode="numeric" maxLength="4" class="tl-year" />
      <${Input} label=${t('talent.company')} value=${v.company} onInput=${(x) => setV({ ...v, company: x })} />
      <div class="tl-grow tl-org-pick"><${OrgPicker} value=${v.org} onChange=${(o) => setV({ ...v, org: o })} label=${t('talent.producing_org')} /></div>
      <div class="inline-actions"><button type="submit" class="btn" disabled=${busy || !v.title.trim() || !v.role.trim()} data-testid="credit-add">
        <${Icon} name="plus" />${t('talent.add_credit')}</button></div>
      ${error && html`<div class="inline-error"><${ErrorBox} error=${error} /></div>`}
    </form>
  </section>`;
}

// ---- Days I am unavailable. ----

export function MyUnavailable({ profile }) {
  const [key, setKey] = useState(0);
  const from = today();
  const to = dayStr(dayNum(from) + 399); // the API answers at most 400 days
  const r = useAsync(() => api.get(`/api/v1/talent/profiles/${profile.id}/availability`, { from, to }), [profile.id, key]);
  const [v, setV] = useState({ start: '', end: '', note: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    if (!isDay(v.start)) return;
    setBusy(true);
    setError(null);
    try {
      const body = { start: v.start, end: isDay(v.end) ? v.end : v.start };
      if (v.note.trim()) body.note = v.note.trim();
      await api.post(`/api/v1/talent/profiles/${profile.id}/unavailable`, body);
      setV({ start: '', end: '', note: '' });
      setKey(key + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (x) => {
    try {
      await api.del(`/api/v1/talent/unavailable/${x.id}`);
      setKey(key + 1);
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const list = (r.data && r.data.unavailable) || [];
  return html`<section class="card" id="unavailable" data-testid="my-unavailable">
    <h2 class="card-title">${t('talent.unavailable_title')}</h2>
    <p class="card-desc">${t('talent.unavailable_desc')}</p>
    <${AvailabilityCalendar} profileId=${profile.id} reloadKey=${key} />
    ${r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />` : list.length > 0 && html`<ul class="tl-unav-list" data-testid="unavailable-list">
      ${list.map((x) => html`<li key=${x.id} class="tl-unav" data-id=${x.id}>
        <span class="tl-swatch tl-day-unavailable" aria-hidden="true"></span>
        <span class="tl-range-when">${fmtRange(x.start, x.end)}</span>
        <span class="muted truncate">${x.note || ''}</span>
        <button type="button" class="icon-btn" aria-label=${t('talent.remove')} data-testid="remove-unavailable" onClick=${() => remove(x)}><${Icon} name="trash" /></button>
      </li>`)}
    </ul>`}
    <form class="tl-add-credit" onSubmit=${add} novalidate data-testid="unavailable-form">
      <${Input} label=${t('talent.from')} type="date" value=${v.start} onInput=${(x) => setV({ ...v, start: x })} testid="unav-start" />
      <${Input} label=${t('talent.to')} type="date" value=${v.end} min=${v.start || undefined} onInput=${(x) => setV({ ...v, end: x })} testid="unav-end" />
      <${Input} label=${t('talent.note_optional')} value=${v.note} onInput=${(x) => setV({ ...v, note: x })} testid="unav-note" class="tl-grow" maxLength="200" />
      <div class="inline-actions"><button type="submit" class="btn" disabled=${busy || !isDay(v.start)} data-testid="unav-add">
        <${Icon} name="plus" />${t('talent.add_unavailable')}</button></div>
      ${error && html`<div class="inline-error"><${ErrorBox} error=${error} /></div>`}
    </form>
  </section>`;
}

// ---- Invitations to projects. ----

function MyInvites() {
  const r = useAsync(() => api.get('/api/v1/talent/me/invites', { limit: 100 }), []);
  const [busy, setBusy] = useState('');
  const answer = async (x, how) => {
    setBusy(x.id);
    try {
      await api.request('POST', `/api/v1/talent/invites/${x.id}/${how}`);
      toast(how === 'accept' ? t('talent.invite_accepted') : t('talent.invite_declined'));
      r.reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy('');
    }
  };
  const items = (r.data && r.data.items) || [];
  const projectName = (x) => (x.project && x.project.name) || x.project_name || x.project_id;
  const orgName = (x) => (x.org && x.org.name) || x.org_name || '';
  return html`<section class="card" id="invites" data-testid="my-invites">
    <h2 class="card-title">${t('talent.my_invites')}</h2>
    ${r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />` : !r.data ? html`<${Loading} />`
      : !items.length ? html`<p class="muted small">${t('talent.no_invites')}</p>`
      : html`<ul class="tl-invites">${items.map((x) => html`<li key=${x.id} class="tl-invite" data-testid="invite-row" data-status=${x.status}>
        <div class="tl-invite-main">
          <div class="strong">${x.status === 'accepted' && x.project_id ? html`<a href=${`/projects/${x.project_id}`}>${projectName(x)}</a>` : projectName(x)}</div>
          <div class="muted small">${[orgName(x), x.role ? projectRoleLabel(x.role) : '', x.craft, x.start_date || x.start ? fmtRange(x.start_date || x.start, x.end_date || x.end) : ''].filter(Boolean).join(' · ')}</div>
          ${x.message && html`<p class="prewrap small tl-invite-msg">${x.message}</p>`}
        </div>
        <div class="tl-invite-actions">
          ${x.status === 'pending' ? html`
            <button type="button" class="btn btn-sm" disabled=${busy === x.id} data-testid="decline" onClick=${() => answer(x, 'decline')}>${t('talent.decline')}</button>
            <button type="button" class="btn btn-sm btn-primary" disabled=${busy === x.id} data-testid="accept" onClick=${() => answer(x, 'accept')}>${t('talent.accept')}</button>`
            : html`<${Badge} kind=${x.status === 'accepted' ? 'ok' : 'muted'}>${t(`talent.invite_status.${x.status}`)}<//>`}
        </div>
      </li>`)}</ul>`}
  </section>`;
}

// ---- My data. ----

function MyData({ profile, etag, onDeleted }) {
  const remove = async () => {
    const ok = await confirmAction({
      title: t('talent.delete_profile'),
      message: t('talent.delete_confirm'),
      confirmLabel: t('talent.delete_profile'),
      danger: true,
      typeToConfirm: profile.primary_name,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/talent/profiles/${profile.id}`, { etag });
      toast(t('talent.profile_deleted'));
      onDeleted();
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  return html`<section class="card card-danger" id="data" data-testid="my-data">
    <h2 class="card-title">${t('talent.your_data')}</h2>
    <p class="card-desc">${t('talent.your_data_desc')}</p>
    <div class="card-actions">
      <a class="btn" href="/api/v1/talent/me/export" download="talent-profile.json" data-native data-testid="export">
        <${Icon} name="download" />${t('talent.export')}</a>
      <button type="button" class="btn btn-danger-outline" data-testid="delete-profile" onClick=${remove}>
        <${Icon} name="trash" />${t('talent.delete_profile')}</button>
    </div>
  </section>`;
}

// ---- The editor. ----

export function Editor({ profile, etag, onSaved, reload }) {
  const crafts = useCrafts();
  const [base, setBase] = useState(() => toDraft(profile));
  const [d, setD] = useState(base);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const b = toDraft(profile);
    setBase(b);
    setD(b);
  }, [etag]);
  const set = (k, v) => {
    setD((x) => ({ ...x, [k]: v }));
    setErrors((e) => (e[k] ? { ...e, [k]: undefined } : e));
  };
  const setVis = (f, v) => setD((x) => ({ ...x, visibility: { ...x.visibility, [f]: v } }));
  const changes = diff(base, d);
  const dirty = Object.keys(changes).length > 0;
  const save = async (e) => {
    if (e) e.preventDefault();
    if (!dirty || busy) return;
    const bad = {};
    if (!d.names.some((n) => n.name.trim())) bad.names = t('talent.need_a_name');
    else if (d.names.filter((n) => n.name.trim() && n.primary).length !== 1) bad.names = t('talent.one_primary');
    if (d.education.some((x) => x.year.trim() && !/^\d{4}$/.test(x.year.trim()))) bad.education = t('talent.bad_year');
    if ((d.rates.day.trim() || d.rates.week.trim()) && !/^[A-Za-z]{3}$/.test(d.rates.currency.trim())) bad.rates = t('talent.need_currency');
    if (Object.keys(bad).length) {
      setErrors(bad);
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const r = await api.request('PATCH', `/api/v1/talent/profiles/${profile.id}`, { body: changes, etag });
      toast(t('state.saved'));
      onSaved(r.data, r.etag);
    } catch (err) {
      if (err.status === 412) {
        setError(err);
        reload();
      } else {
        const se = sectionErrors(err);
        setErrors(se);
        if (!err.fieldErrors.length || se._) setError(err);
      }
    } finally {
      setBusy(false);
    }
  };
  const S = (field, title, children, hint) => html`<${EditSection} field=${field} title=${title} vis=${d.visibility} setVis=${setVis}
    error=${errors[field]} hint=${hint}>${children}<//>`;
  const names = d.names;
  return html`<form class="stack tl-editor" onSubmit=${save} novalidate data-testid="profile-editor">
    ${error && html`<${ErrorBox} error=${error} />`}
    ${S('names', t('talent.names'), html`<${Rows} testid="names" rows=${names} onChange=${(v) => set('names', v)}
      blank=${() => ({ name: '', script: 'Hans', primary: false })} addLabel=${t('talent.add_name')}
      render=${(n, up, i) => html`
        <${Input} label=${t('talent.name')} value=${n.name} onInput=${(x) => up({ name: x })} testid=${`name-${i}`} class="tl-grow" maxLength="200" />
        <${Select} label=${t('talent.script')} value=${n.script} onChange=${(x) => up({ script: x })} testid=${`script-${i}`}
          options=${[['', t('talent.script_guess')], ...(n.script && !SCRIPTS.includes(n.script) ? [[n.script, n.script]] : []),
            ...SCRIPTS.map((s) => [s, scriptLabel(s)])]} />
        <label class="tl-primary"><input type="radio" name="primary-name" checked=${n.primary} data-testid=${`primary-${i}`}
          onChange=${() => set('names', names.map((m, j) => ({ ...m, primary: j === i })))} />${t('talent.primary')}</label>`} />`,
      t('talent.names_hint'))}
    ${S('headline', t('talent.headline'), html`<input class="input" value=${d.headline} maxLength="200" aria-label=${t('talent.headline')}
      data-testid="headline" onInput=${(e) => set('headline', e.target.value)} />`)}
    ${S('bio', t('talent.bio'), html`<textarea class="input textarea" rows="5" value=${d.bio} aria-label=${t('talent.bio')} data-testid="bio"
      onInput=${(e) => set('bio', e.target.value)}></textarea>`)}
    ${S('crafts', t('talent.crafts'), html`<${CraftPicker} value=${d.crafts} crafts=${crafts} onChange=${(v) => set('crafts', v)} />`, t('talent.crafts_hint'))}
    ${S('skills', t('talent.skills'), html`<input class="input" value=${d.skills} aria-label=${t('talent.skills')} data-testid="skills"
      placeholder=${t('talent.skills_placeholder')} onInput=${(e) => set('skills', e.target.value)} />`, t('talent.skills_hint'))}
    ${S('languages', t('talent.languages'), html`<${LangDatalist} /><${Rows} testid="languages" rows=${d.languages} onChange=${(v) => set('languages', v)}
      blank=${() => ({ tag: '', level: 'professional' })} addLabel=${t('talent.add_language')}
      render=${(l, up, i) => html`
        <label class="field tl-grow"><span class="field-label">${t('talent.language')}${l.tag ? html` <span class="muted">· ${langName(l.tag)}</span>` : ''}</span>
          <input class="input" value=${l.tag} list="tl-lang-tags" placeholder="zh, bo, en…" spellcheck="false" data-testid=${`lang-${i}`}
            onInput=${(e) => up({ tag: e.target.value.trim() })} /></label>
        <${Select} label=${t('talent.level')} value=${l.level} onChange=${(x) => up({ level: x })} testid=${`level-${i}`}
          options=${LEVELS.map((x) => [x, levelLabel(x)])} />`} />`)}
    ${S('location', t('talent.location'), html`<div class="form form-2col">
      <${Input} label=${t('talent.country')} value=${d.location.country} maxLength="2" placeholder="CN" testid="loc-country"
        onInput=${(x) => set('location', { ...d.location, country: x.toUpperCase() })} />
      <${Input} label=${t('talent.region')} value=${d.location.region} testid="loc-region" onInput=${(x) => set('location', { ...d.location, region: x })} />
      <${Input} label=${t('talent.city')} value=${d.location.city} testid="loc-city" onInput=${(x) => set('location', { ...d.location, city: x })} />
      <${Select} label=${t('talent.travel')} value=${d.location.travel} testid="loc-travel" onChange=${(x) => set('location', { ...d.location, travel: x })}
        options=${TRAVEL.map((x) => [x, travelLabel(x)])} />
    </div>`)}
    ${S('affiliations', t('talent.affiliations'), html`<${Rows} testid="affiliations" rows=${d.affiliations} onChange=${(v) => set('affiliations', v)}
      blank=${() => ({ name: '', kind: 'union', member_id: '' })} addLabel=${t('talent.add_affiliation')}
      render=${(a, up) => html`
        <${Input} label=${t('talent.aff_name')} value=${a.name} onInput=${(x) => up({ name: x })} class="tl-grow" />
        <${Select} label=${t('talent.aff_kind')} value=${a.kind} onChange=${(x) => up({ kind: x })}
          options=${AFF_KINDS.map((k) => [k, t(`talent.aff.${k}`)])} />
        <${Input} label=${t('talent.member_id')} value=${a.member_id} onInput=${(x) => up({ member_id: x })} />`} />`)}
    ${S('education', t('talent.education'), html`<${Rows} testid="education" rows=${d.education} onChange=${(v) => set('education', v)}
      blank=${() => ({ school: '', program: '', year: '' })} addLabel=${t('talent.add_education')}
      render=${(x, up) => html`
        <${Input} label=${t('talent.school')} value=${x.school} onInput=${(v) => up({ school: v })} class="tl-grow" />
        <${Input} label=${t('talent.program')} value=${x.program} onInput=${(v) => up({ program: v })} />
        <${Input} label=${t('talent.year')} value=${x.year} onInput=${(v) => up({ year: v })} inputmode="numeric" maxLength="4" class="tl-year" />`} />`)}
    ${S('showreel', t('talent.showreel'), html`<div class="form">
      <${Input} label=${t('talent.showreel_asset')} value=${d.showreel} onInput=${(v) => set('showreel', v)} testid="showreel"
        class="mono-input" spellcheck="false" placeholder="0190…" />
      ${profile.showreel && profile.showreel.asset_id === d.showreel.trim() && html`<div class="tl-reel-current" data-testid="showreel-current">
        ${profile.showreel.thumbnail && html`<img src=${profile.showreel.thumbnail} alt="" />`}
        <span class="truncate">${profile.showreel.name || profile.showreel.asset_id}</span>
        <span class="muted small">v${profile.showreel.number}</span>
      </div>`}
      <label class="field"><span class="field-label">${t('talent.portfolio_assets')}</span>
        <textarea class="input textarea mono" rows="2" value=${d.portfolio} spellcheck="false" data-testid="portfolio"
          onInput=${(e) => set('portfolio', e.target.value)}></textarea></label>
    </div>`, t('talent.showreel_hint'))}
    ${S('rates', t('talent.rates'), html`<div class="form form-3col">
      <${Input} label=${t('talent.currency')} value=${d.rates.currency} maxLength="3" placeholder="CNY" testid="rate-currency"
        onInput=${(v) => set('rates', { ...d.rates, currency: v.toUpperCase() })} />
      <${Input} label=${t('talent.rate_day')} value=${d.rates.day} inputmode="decimal" testid="rate-day" onInput=${(v) => set('rates', { ...d.rates, day: v })} />
      <${Input} label=${t('talent.rate_week')} value=${d.rates.week} inputmode="decimal" testid="rate-week" onInput=${(v) => set('rates', { ...d.rates, week: v })} />
    </div>`)}
    ${S('contacts', t('talent.contacts'), html`<div class="form form-2col">
      ${['email', 'phone', 'website', 'wechat'].map((k) => html`<${Input} key=${k} label=${t(`talent.contact.${k}`)} value=${d.contacts[k]}
        type=${k === 'email' ? 'email' : k === 'website' ? 'url' : 'text'} testid=${`contact-${k}`}
        onInput=${(v) => set('contacts', { ...d.contacts, [k]: v })} />`)}
    </div>`)}
    <section class="card tl-edit" data-testid="edit-sharing">
      <h2 class="card-title">${t('talent.sharing')}</h2>
      <div class="tl-sharing">
        ${['credits', 'availability'].map((f) => html`<div key=${f} class="tl-sharing-row"><span>${t(`talent.field.${f}`)}</span>
          <${VisSelect} field=${f} value=${d.visibility[f]} onChange=${(v) => setVis(f, v)} /></div>`)}
        <label class="tl-consent"><input type="checkbox" checked=${d.listed} data-testid="listed" onChange=${(e) => set('listed', e.target.checked)} />
          <span>${t('talent.listed')}</span></label>
      </div>
    </section>
    <div class=${`tl-savebar ${dirty ? 'is-dirty' : ''}`} data-testid="savebar">
      <span class="muted small">${dirty ? t('talent.unsaved') : t('talent.all_saved')}</span>
      <button type="button" class="btn" disabled=${!dirty || busy} onClick=${() => {
        setD(base);
        setErrors({});
      }}>${t('talent.discard')}</button>
      <button type="submit" class="btn btn-primary" disabled=${!dirty || busy} data-testid="save-profile">${busy && html`<${Spinner} />`}${t('action.save')}</button>
    </div>
  </form>`;
}

export default function MyProfilePage() {
  const r = useAsync(() => api.request('GET', '/api/v1/talent/me'), []);
  const crafts = useCrafts();
  useTitle(t('talent.my_profile'));
  const none = r.error && r.error.status === 404;
  const p = !none && r.data && r.data.data;
  let body;
  if (none) body = html`<${CreateProfile} onCreated=${() => r.reload()} />`;
  else if (r.error && !p) body = html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  else if (!p) body = html`<${Loading} />`;
  else {
    body = html`<nav class="anchor-nav" aria-label=${t('talent.my_profile')}>
        <a href="#edit-names" data-native>${t('talent.profile')}</a>
        <a href="#credits" data-native>${t('talent.credits')}</a>
        <a href="#unavailable" data-native>${t('talent.unavailable_title')}</a>
        <a href="#invites" data-native>${t('talent.my_invites')}</a>
        <a href="#data" data-native>${t('talent.your_data')}</a>
      </nav>
      ${p.listed === false && html`<${Notice}>${t('talent.unlisted_notice')}<//>`}
      <div class="stack">
        <${Editor} profile=${p} etag=${r.data.etag} reload=${r.reload}
          onSaved=${(data, etag) => r.setData({ data, etag })} />
        <${MyCredits} profile=${p} crafts=${crafts} />
        <${MyUnavailable} profile=${p} />
        <${MyInvites} />
        <${MyData} profile=${p} etag=${r.data.etag} onDeleted=${() => r.reload()} />
      </div>`;
  }
  return html`<div class="page page-medium tl-page" data-testid="my-profile">
    <${PageHeader} title=${t('talent.my_profile')} subtitle=${t('talent.my_profile_subtitle')}
      crumbs=${html`<a href="/talent">${t('talent.title')}</a><span aria-hidden="true">/</span>`}
      actions=${p && html`<a class="btn" href=${`/talent/p/${p.id}`} data-testid="view-public"><${Icon} name="user" />${t('talent.view_profile')}</a>`} />
    ${body}
  </div>`;
}
