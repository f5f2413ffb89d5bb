// web/talent/org.js: an organization's Talent tab (/orgs/<id>/talent/...), shown by
// app/org.js:
//   '' | shortlists     the organization's shortlists: list and create
//   shortlists/<id>     one shortlist: the people on it as cards with their notes; remove,
//                       rename, delete
//   match               "Find crew": a project need (craft, dates, languages with levels,
//                       skills, location, budget) -> POST /orgs/{id}/talent/match, the ranked
//                       people with each score explained (a bar per factor: points of max and
//                       the reason in words) and their availability in the dates
//   people              the profiles the organization keeps (GET /orgs/{id}/talent/profiles)
//   credits             credits that name the organization as producer: verify them
// What a viewer of the organization may not do (create, remove) is not offered.
import { html, useState } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { useAsync, usePaged, errorMessage, Empty, ErrorBox, LoadMore, Loading, Spinner, TabNav } from '/lib/ui.js';
import { fmtRelative } from '/lib/format.js';
import {
  useStyles, useCrafts, craftLabel, nPeople, LEVELS, levelLabel, langName, TalentCard, splitList, isDay, fmtRange,
} from './common.js';

const canEdit = (org) => ['owner', 'admin', 'member'].includes(org.my_role);

const SECTIONS = [
  { id: '', label: 'talent.nav.shortlists', match: ['', 'shortlists'] },
  { id: 'match', label: 'talent.nav.match', match: ['match'] },
  { id: 'people', label: 'talent.nav.people', match: ['people'] },
  { id: 'credits', label: 'talent.nav.credits', match: ['credits'] },
];

// ---- Shortlists. ----

const entryCount = (x) => x.entries_n ?? x.n ?? (Array.isArray(x.entries) ? x.entries.length : null);

function Shortlists({ org, base }) {
  const list = useAsync(() => api.get(`/api/v1/orgs/${org.id}/talent/shortlists`, { limit: 200 }), [org.id]);
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim() };
      if (note.trim()) body.note = note.trim();
      const x = await api.post(`/api/v1/orgs/${org.id}/talent/shortlists`, body);
      toast(t('talent.shortlist_created'));
      navigate(`${base}/shortlists/${x.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const items = (list.data && list.data.items) || [];
  return html`<div class="stack" data-testid="shortlists">
    ${canEdit(org) && html`<form class="card tl-add-credit" onSubmit=${create} novalidate data-testid="new-shortlist">
      <label class="field tl-grow"><span class="field-label">${t('talent.shortlist_name')}</span>
        <input class="input" value=${name} maxLength="200" data-testid="shortlist-name" onInput=${(e) => setName(e.target.value)} /></label>
      <label class="field tl-grow"><span class="field-label">${t('talent.note_optional')}</span>
        <input class="input" value=${note} maxLength="500" onInput=${(e) => setNote(e.target.value)} /></label>
      <div class="inline-actions"><button type="submit" class="btn btn-primary" disabled=${busy || !name.trim()} data-testid="create-shortlist">
        ${busy ? html`<${Spinner} />` : html`<${Icon} name="plus" />`}${t('talent.new_shortlist')}</button></div>
      ${error && html`<div class="inline-error"><${ErrorBox} error=${error} /></div>`}
    </form>`}
    ${list.error ? html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`
      : !list.data ? html`<${Loading} />`
      : !items.length ? html`<${Empty} icon="list" title=${t('talent.no_shortlists')}>${t('talent.no_shortlists_hint')}<//>`
      : html`<div class="card card-flush"><ul class="rt-list" data-testid="shortlist-list">
        ${items.map((x) => html`<li key=${x.id}><a class="rt-row" href=${`${base}/shortlists/${x.id}`} data-name=${x.name}>
          <span class="rt-row-icon"><${Icon} name="list" /></span>
          <span class="rt-row-main"><span class="rt-row-title">${x.name}</span>
            <span class="rt-row-sub muted small">${x.note ? html`<span class="truncate">${x.note}</span>` : html`<span>${fmtRelative(x.updated_at || x.created_at)}</span>`}</span></span>
          <span class="rt-row-meta">${entryCount(x) !== null && html`<span class="count">${nPeople(entryCount(x))}</span>`}</span>
        </a></li>`)}
      </ul></div>`}
  </div>`;
}

function Shortlist({ org, base, id }) {
  const crafts = useCrafts();
  const r = useAsync(() => api.request('GET', `/api/v1/talent/shortlists/${id}`), [id]);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState('');
  const x = r.data && r.data.data;
  const etag = (r.data && r.data.etag) || etagOf(x);
  if (r.error && r.error.status === 404) return html`<${Empty} icon="list" title=${t('talent.shortlist_missing')}><a href=${base}>${t('talent.nav.shortlists')}</a><//>`;
  if (r.error && !x) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!x) return html`<${Loading} />`;
  const entries = (x.entries || x.items || []).map((e) => (e.profile ? { ...e, card: e.profile } : { card: e, note: e.note, profile_id: e.id }));
  const remove = async (e) => {
    const pid = e.profile_id || e.card.id;
    try {
      await api.del(`/api/v1/talent/shortlists/${id}/entries/${pid}`);
      r.reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const rename = async (ev) => {
    ev.preventDefault();
    if (!name.trim()) return;
    try {
      const res = await api.request('PATCH', `/api/v1/talent/shortlists/${id}`, { body: { name: name.trim() }, etag });
      r.setData({ data: { ...x, ...res.data, entries: x.entries, items: x.items }, etag: res.etag });
      setRenaming(false);
    } catch (err) {
      toast(errorMessage(err), 'error');
      if (err.status === 412) r.reload();
    }
  };
  const del = async () => {
    const ok = await confirmAction({ title: t('talent.delete_shortlist'), message: t('talent.delete_shortlist_confirm', { name: x.name }), danger: true, confirmLabel: t('talent.delete_shortlist') });
    if (!ok) return;
    try {
      await api.del(`/api/v1/talent/shortlists/${id}`, { etag });
      toast(t('talent.shortlist_deleted'));
      navigate(base);
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  return html`<div class="stack" data-testid="shortlist">
    <div class="card-head tl-sl-head">
      ${renaming ? html`<form class="tl-rename" onSubmit=${rename}>
          <input class="input" value=${name} maxLength="200" aria-label=${t('talent.shortlist_name')} onInput=${(e) => setName(e.target.value)} />
          <button type="submit" class="btn btn-primary btn-sm">${t('action.save')}</button>
          <button type="button" class="btn btn-sm" onClick=${() => setRenaming(false)}>${t('action.cancel')}</button></form>`
        : html`<div class="tl-sl-title"><a class="muted small" href=${base}>${t('talent.nav.shortlists')}</a>
          <h2 class="tl-sl-name" data-testid="shortlist-title">${x.name}</h2>
          ${x.project && x.project.id && html`<p class="small"><a href=${`/projects/${x.project.id}`}>${t('talent.for_project', { project: x.project.name })}</a></p>`}
          ${x.note && html`<p class="muted small prewrap">${x.note}</p>`}</div>`}
      ${canEdit(org) && !renaming && html`<div class="card-actions">
        <button type="button" class="btn btn-sm" onClick=${() => {
          setName(x.name);
          setRenaming(true);
        }}>${t('talent.rename')}</button>
        <button type="button" class="btn btn-sm btn-ghost-danger" onClick=${del}>${t('talent.delete_shortlist')}</button>
      </div>`}
    </div>
    ${x.hidden > 0 && html`<p class="muted small">${t('talent.n_hidden', { n: x.hidden })}</p>`}
    ${!entries.length ? html`<${Empty} icon="users" title=${t('talent.shortlist_empty')}>${t('talent.shortlist_empty_hint')}
        <p><a href="/talent">${t('talent.search_title')}</a> · <a href=${`${base}/match`}>${t('talent.nav.match')}</a></p><//>`
      : html`<div class="tl-cards" data-testid="shortlist-entries">
        ${entries.map((e) => html`<${TalentCard} key=${e.card.id || e.profile_id} p=${e.card} crafts=${crafts} testid="shortlist-entry"
          extra=${e.note && html`<p class="tl-note" data-testid="entry-note"><${Icon} name="text" size=${13} /><span>${e.note}</span></p>`}
          actions=${canEdit(org) && html`<button type="button" class="btn btn-sm btn-ghost-danger" data-testid="remove-entry" onClick=${() => remove(e)}>
            <${Icon} name="x" />${t('talent.remove')}</button>`} />`)}
      </div>`}
  </div>`;
}

// ---- Find crew. ----

const FACTOR_KEYS = ['availability', 'craft', 'credits', 'skills', 'languages', 'location', 'budget', 'verified'];
const factorLabel = (f) => (FACTOR_KEYS.includes(f) ? t(`talent.factor.${f}`) : f);

function Explain({ items }) {
  if (!items || !items.length) return null;
  const W = 100;
  return html`<ul class="tl-explain" data-testid="explain">
    ${items.map((x, i) => {
      const max = Number(x.max) || 0;
      const pts = Number(x.points) || 0;
      const w = max > 0 ? Math.max(0, Math.min(W, (pts / max) * W)) : 0;
      return html`<li key=${i} class="tl-factor" data-factor=${x.factor} data-points=${pts} data-max=${max}>
        <span class="tl-factor-name">${factorLabel(x.factor)}</span>
        <svg class="tl-factor-bar" viewBox=${`0 0 ${W} 8`} preserveAspectRatio="none" aria-hidden="true">
          <rect class="tl-bar-bg" x="0" y="0" width=${W} height="8" rx="4" />
          ${w > 0 && html`<rect class=${`tl-bar-fg ${pts >= max ? 'full' : ''}`} x="0" y="0" width=${w} height="8" rx="4" />`}
        </svg>
        <span class="tl-factor-pts">${t('talent.points_of', { points: fmtPts(pts), max: fmtPts(max) })}</span>
        ${x.detail && html`<span class="tl-factor-detail muted small">${x.detail}</span>`}
      </li>`;
    })}
  </ul>`;
}

const fmtPts = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function Match({ org }) {
  const crafts = useCrafts();
  const [v, setV] = useState({ craft: '', from: '', to: '', languages: [{ tag: '', level: 'professional' }], skills: '', country: '', city: '', currency: 'CNY', day: '' });
  const [res, setRes] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (patch) => setV((x) => ({ ...x, ...patch }));
  // A need names one craft: the first of the list until one is chosen.
  const craft = v.craft || (crafts && crafts.length ? crafts[0].code : '');
  const run = async (e) => {
    if (e) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { limit: 25 };
      if (craft) body.craft = craft;
      if (isDay(v.from)) body.from = v.from;
      if (isDay(v.to)) body.to = v.to;
      else if (isDay(v.from)) body.to = v.from;
      const langs = v.languages.filter((l) => l.tag.trim()).map((l) => ({ tag: l.tag.trim(), level: l.level }));
      if (langs.length) body.languages = langs;
      const skills = splitList(v.skills);
      if (skills.length) body.skills = skills;
      if (v.country.trim() || v.city.trim()) {
        body.location = {};
        if (v.country.trim()) body.location.country = v.country.trim().toUpperCase();
        if (v.city.trim()) body.location.city = v.city.trim();
      }
      if (v.day.trim()) body.budget = { currency: v.currency.trim().toUpperCase() || 'CNY', day: v.day.trim() };
      setRes(await api.post(`/api/v1/orgs/${org.id}/talent/match`, body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const setLang = (i, patch) => set({ languages: v.languages.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
  return html`<div class="tl-match" data-testid="match">
    <form class="card tl-need" onSubmit=${run} novalidate data-testid="need-form">
      <h2 class="card-title">${t('talent.need')}</h2>
      <p class="card-desc">${t('talent.need_desc')}</p>
      <div class="form tl-need-grid">
        <label class="field"><span class="field-label">${t('talent.craft')}</span>
          <select class="input select" value=${craft} data-testid="need-craft" onChange=${(e) => set({ craft: e.target.value })}>
            ${(crafts || []).map((c) => html`<option key=${c.code} value=${c.code}>${craftLabel(c.code, crafts)}</option>`)}
          </select></label>
        <div class="tl-window">
          <label class="field"><span class="field-label">${t('talent.from')}</span>
            <input class="input" type="date" value=${v.from} data-testid="need-from" onInput=${(e) => set({ from: e.target.value })} /></label>
          <label class="field"><span class="field-label">${t('talent.to')}</span>
            <input class="input" type="date" value=${v.to} min=${v.from || undefined} data-testid="need-to" onInput=${(e) => set({ to: e.target.value })} /></label>
        </div>
        <div class="field"><span class="field-label">${t('talent.languages')}</span>
          ${v.languages.map((l, i) => html`<div key=${i} class="tl-need-lang">
            <input class="input" value=${l.tag} list="tl-need-langs" placeholder="zh, bo…" aria-label=${t('talent.language')}
              data-testid=${`need-lang-${i}`} onInput=${(e) => setLang(i, { tag: e.target.value.trim() })} />
            <select class="input select" value=${l.level} aria-label=${t('talent.level')} data-testid=${`need-level-${i}`}
              onChange=${(e) => setLang(i, { level: e.target.value })}>
              ${LEVELS.map((x) => html`<option key=${x} value=${x}>${levelLabel(x)}</option>`)}</select>
            ${v.languages.length > 1 && html`<button type="button" class="icon-btn" aria-label=${t('talent.remove_row')}
              onClick=${() => set({ languages: v.languages.filter((_, j) => j !== i) })}><${Icon} name="x" /></button>`}
          </div>`)}
          <datalist id="tl-need-langs">${['zh', 'bo', 'en', 'ug', 'mn', 'yue', 'fr', 'ja', 'ko'].map((x) => html`<option key=${x} value=${x}>${langName(x)}</option>`)}</datalist>
          <div><button type="button" class="btn btn-sm btn-ghost" data-testid="need-add-lang"
            onClick=${() => set({ languages: [...v.languages, { tag: '', level: 'professional' }] })}><${Icon} name="plus" />${t('talent.add_language')}</button></div>
        </div>
        <label class="field"><span class="field-label">${t('talent.skills')}</span>
          <input class="input" value=${v.skills} placeholder=${t('talent.skills_placeholder')} data-testid="need-skills" onInput=${(e) => set({ skills: e.target.value })} /></label>
        <div class="tl-window">
          <label class="field"><span class="field-label">${t('talent.country')}</span>
            <input class="input" value=${v.country} maxLength="2" placeholder="CN" data-testid="need-country" onInput=${(e) => set({ country: e.target.value.toUpperCase() })} /></label>
          <label class="field"><span class="field-label">${t('talent.city')}</span>
            <input class="input" value=${v.city} data-testid="need-city" onInput=${(e) => set({ city: e.target.value })} /></label>
        </div>
        <div class="tl-window">
          <label class="field"><span class="field-label">${t('talent.currency')}</span>
            <input class="input" value=${v.currency} maxLength="3" data-testid="need-currency" onInput=${(e) => set({ currency: e.target.value.toUpperCase() })} /></label>
          <label class="field"><span class="field-label">${t('talent.budget_day')}</span>
            <input class="input" value=${v.day} inputmode="decimal" data-testid="need-budget" onInput=${(e) => set({ day: e.target.value })} /></label>
        </div>
      </div>
      <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=${busy} data-testid="find-crew">
        ${busy ? html`<${Spinner} />` : html`<${Icon} name="search" />`}${t('talent.find_crew')}</button></div>
    </form>
    <section class="tl-match-results" aria-live="polite">
      ${error && html`<${ErrorBox} error=${error} />`}
      ${!res ? !error && html`<${Empty} icon="users" title=${t('talent.match_start')}>${t('talent.match_start_hint')}<//>`
        : !(res.items || []).length ? html`<div data-testid="match-empty"><${Empty} icon="users" title=${t('talent.no_candidates')}>${t('talent.no_candidates_hint')}<//></div>`
        : html`<p class="muted small" data-testid="match-considered">${t('talent.considered', { n: res.considered ?? res.items.length, shown: res.items.length })}</p>
          <ol class="tl-ranked" data-testid="match-results">
          ${res.items.map((m, i) => html`<li key=${m.profile.id} class="tl-ranked-item" data-testid="match-item" data-score=${m.score}>
            <div class="tl-rank"><span class="tl-rank-n">${i + 1}</span>
              <span class="tl-score" title=${t('talent.score')}>${fmtPts(Number(m.score) || 0)}</span></div>
            <${TalentCard} p=${m.profile} crafts=${crafts} available=${m.available}
              extra=${html`${isDay(v.from) && html`<p class="muted small">${t('talent.in_dates', { dates: fmtRange(v.from, isDay(v.to) ? v.to : v.from) })}</p>`}
                <${Explain} items=${m.explain} />`} />
          </li>`)}
        </ol>`}
    </section>
  </div>`;
}

// ---- Credits that name the organization, to verify. ----

function OrgCredits({ org }) {
  const [status, setStatus] = useState('pending');
  const [busy, setBusy] = useState('');
  const list = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/talent/credits`, { status, limit: 100, cursor }), [org.id, status]);
  const verify = async (c, verified) => {
    setBusy(c.id);
    try {
      await api.post(`/api/v1/talent/credits/${c.id}/verify`, { verified });
      toast(verified ? t('talent.credit_verified') : t('talent.credit_unverified'));
      list.setItems((items) => items.filter((x) => x.id !== c.id));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy('');
    }
  };
  return html`<div class="stack" data-testid="org-credits">
    <p class="muted small">${t('talent.org_credits_desc')}</p>
    <div class="segmented tl-self-start" role="group">
      ${['pending', 'verified'].map((s) => html`<button key=${s} type="button" class=${`seg ${status === s ? 'on' : ''}`}
        aria-pressed=${status === s ? 'true' : 'false'} onClick=${() => setStatus(s)}>${t(`talent.credits_${s}`)}</button>`)}
    </div>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />`
      : !list.items.length ? (list.error ? null : html`<${Empty} icon="check" title=${t(status === 'pending' ? 'talent.no_pending_credits' : 'talent.no_verified_credits')} />`)
      : html`<div class="card card-flush"><ul class="rt-list">
        ${list.items.map((c) => html`<li key=${c.id} class="tl-org-credit" data-testid="org-credit">
          <div class="rt-row-main">
            <span class="rt-row-title">${c.title}${c.year ? html` <span class="muted">· ${c.year}</span>` : ''}</span>
            <span class="muted small"><a href=${`/talent/p/${c.profile_id}`}>${c.profile_name}</a> · ${c.role}${c.company ? ` · ${c.company}` : ''}</span>
          </div>
          ${c.source !== 'production' && html`<button type="button" class=${`btn btn-sm ${c.verified ? '' : 'btn-primary'}`} disabled=${busy === c.id}
            data-testid="verify" onClick=${() => verify(c, !c.verified)}>${c.verified ? t('talent.unverify') : html`<${Icon} name="check" />${t('talent.verify')}`}</button>`}
        </li>`)}
      </ul></div>`}
    <${LoadMore} paged=${list} />
  </div>`;
}

// ---- The organization's own people. ----

function People({ org }) {
  const crafts = useCrafts();
  const list = usePaged((cursor) => api.get(`/api/v1/orgs/${org.id}/talent/profiles`, { limit: 48, cursor }), [org.id]);
  return html`<div class="stack" data-testid="org-people">
    <p class="muted small">${t('talent.people_desc')}</p>
    ${list.error && !list.items.length && html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`}
    ${!list.started ? html`<${Loading} />`
      : !list.items.length ? (list.error ? null : html`<${Empty} icon="users" title=${t('talent.no_people_kept')} />`)
      : html`<div class="tl-cards">${list.items.map((p) => html`<${TalentCard} key=${p.id} p=${p} crafts=${crafts} />`)}</div>`}
    <${LoadMore} paged=${list} />
  </div>`;
}

export default function OrgTalent({ org, rest = '' }) {
  const ready = useStyles();
  const parts = rest.split('/').filter(Boolean);
  const section = parts[0] || '';
  const base = `/orgs/${org.id}/talent`;
  if (!ready) return html`<${Loading} />`;
  const nav = html`<${TabNav} label=${t('talent.sections')} items=${SECTIONS.map((s) => ({
    href: s.id ? `${base}/${s.id}` : base, label: t(s.label), active: s.match.includes(section),
  }))} />`;
  let body;
  if (section === '' || (section === 'shortlists' && !parts[1])) body = html`<${Shortlists} key="sl" org=${org} base=${base} />`;
  else if (section === 'shortlists') body = html`<${Shortlist} key=${`sl-${parts[1]}`} org=${org} base=${base} id=${parts[1]} />`;
  else if (section === 'match') body = html`<${Match} key="match" org=${org} />`;
  else if (section === 'people') body = html`<${People} key="people" org=${org} />`;
  else if (section === 'credits') body = html`<${OrgCredits} key="credits" org=${org} />`;
  else body = html`<${Empty} icon="alert" title=${t('talent.no_such_page')} />`;
  return html`<div class="tl-org" data-testid="org-talent">
    <div class="tl-subnav">${nav}</div>
    ${body}
  </div>`;
}
