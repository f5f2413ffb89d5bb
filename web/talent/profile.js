// web/talent/profile.js: /talent/p/<id>, a person's profile as the caller may see it (GET
// /talent/profiles/{id}: fields the caller may not read are absent, and so are their
// sections): the header (names in their scripts, crafts, base and travel, claimed or kept by
// an organization), the showreel in a player with its filmstrip and the portfolio's pictures (the
// profile's media routes), the credits timeline by year (verified or self-declared), the
// availability calendar, and what a member of an organization may do: add the person to one
// of the organization's shortlists, invite them to a project they manage.
import { html, useEffect, useRef, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog } from '/lib/dialog.js';
import { useForm, TextField, TextArea, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { useSession } from '/lib/session.js';
import { toast } from '/lib/toast.js';
import { FilmstripStrip, useSprite } from '/lib/player.js';
import { useAsync, useTitle, Badge, CopyField, Empty, ErrorBox, Loading } from '/lib/ui.js';
import { fmtDate } from '/lib/format.js';
import { projectRoleLabel } from '/lib/labels.js';
import {
  useCrafts, Chips, LangList, placeText, travelLabel, scriptLabel, fmtMoney, initial, hue, actingOrgs,
  craftLabel,
} from './common.js';
import { AvailabilityCalendar } from './calendar.js';

// ---- Showreel and portfolio: the profile serves their media (thumbnail, proxy, filmstrip)
// to whoever may read the field (GET /talent/profiles/{id}/media/{asset}/{kind}). ----

function Reel({ media, profileId }) {
  const ref = useRef(null);
  const [time, setTime] = useState(0);
  const [dur, setDur] = useState(0);
  const base = `/api/v1/talent/profiles/${profileId}/media/${media.asset_id}`;
  const film = useSprite(media.proxy ? `${base}/filmstrip` : null);
  useEffect(() => {
    setTime(0);
    setDur(0);
  }, [media.asset_id]);
  // The filmstrip is one row of tiles in the picture's aspect ratio (16:9 unless told).
  const geometry = film ? (() => {
    const frames = Math.max(1, Math.round(film.naturalWidth / (film.naturalHeight * (16 / 9))));
    return { frames, tile_width: film.naturalWidth / frames, tile_height: film.naturalHeight };
  })() : null;
  return html`<div class="tl-reel" data-testid="showreel" data-asset=${media.asset_id}>
    ${media.proxy ? html`<video key=${media.asset_id} ref=${ref} class="tl-video" controls playsinline preload="metadata"
        poster=${media.thumbnail} src=${media.proxy} data-testid="showreel-video"
        onTimeUpdate=${(e) => setTime(e.currentTarget.currentTime)}
        onLoadedMetadata=${(e) => Number.isFinite(e.currentTarget.duration) && setDur(e.currentTarget.duration)}></video>
        ${film && dur > 0 && html`<${FilmstripStrip} film=${film} geometry=${geometry} duration=${dur} current=${time}
          onSeek=${(sec) => { if (ref.current) ref.current.currentTime = sec; }} label=${t('talent.showreel')} />`}`
      : media.thumbnail ? html`<img class="tl-video" src=${media.thumbnail} alt=${media.name || ''} />`
      : html`<div class="tl-reel-ph"><${Icon} name="film" size=${28} /></div>`}
    ${media.name && html`<div class="muted small truncate" title=${media.name}>${media.name}</div>`}
  </div>`;
}

function ShowreelSection({ p }) {
  const items = [...(p.showreel ? [p.showreel] : []), ...(p.portfolio || [])].filter((x) => x && x.asset_id);
  const [current, setCurrent] = useState(items[0] || null);
  if (!items.length) return null;
  return html`<div class="stack tl-reel-box">
    ${current && html`<${Reel} media=${current} profileId=${p.id} />`}
    ${items.length > 1 && html`<ul class="tl-portfolio" data-testid="portfolio">
      ${items.map((x) => html`<li key=${x.asset_id}><button type="button" class=${`tl-thumb ${current && current.asset_id === x.asset_id ? 'on' : ''}`}
        title=${x.name || ''} aria-pressed=${current && current.asset_id === x.asset_id ? 'true' : 'false'} onClick=${() => setCurrent(x)}>
        ${x.thumbnail ? html`<img src=${x.thumbnail} alt=${x.name || ''} loading="lazy" />` : html`<${Icon} name="image" size=${22} />`}
      </button></li>`)}
    </ul>`}
  </div>`;
}

// ---- Credits by year. ----

const verifiedOf = (c) => c.verified === true || !!c.verified_at;

export function CreditsTimeline({ profileId, crafts, reloadKey = 0, onDelete }) {
  const r = useAsync(() => api.get(`/api/v1/talent/profiles/${profileId}/credits`, { limit: 500 }), [profileId, reloadKey]);
  if (r.error && (r.error.status === 404 || r.error.status === 403)) return html`<p class="muted small">${t('talent.credits_hidden')}</p>`;
  if (r.error) return html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`;
  if (!r.data) return html`<${Loading} />`;
  const items = r.data.items || [];
  if (!items.length) return html`<p class="muted small" data-testid="no-credits">${t('talent.no_credits')}</p>`;
  const groups = new Map();
  for (const c of [...items].sort((a, b) => (b.year || 0) - (a.year || 0))) {
    const y = c.year || '';
    if (!groups.has(y)) groups.set(y, []);
    groups.get(y).push(c);
  }
  return html`<ol class="tl-timeline" data-testid="credits">
    ${[...groups.entries()].map(([year, list]) => html`<li key=${year} class="tl-year" data-year=${year}>
      <div class="tl-year-label">${year || t('talent.undated')}</div>
      <ul class="tl-year-items">
        ${list.map((c) => html`<li key=${c.id} class=${`tl-credit ${verifiedOf(c) ? 'is-verified' : 'is-self'}`} data-testid="credit"
          data-verified=${verifiedOf(c) ? 'true' : 'false'}>
          <svg class="tl-credit-dot" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="4" /></svg>
          <div class="tl-credit-main">
            <div class="tl-credit-title">${c.title}</div>
            <div class="muted small">${[c.role, c.craft ? craftLabel(c.craft, crafts) : '', c.company || (c.org && c.org.name) || ''].filter(Boolean).join(' · ')}</div>
          </div>
          ${verifiedOf(c) ? html`<${Badge} kind="ok" title=${t('talent.verified_hint')}><${Icon} name="check" size=${12} />${t('talent.verified')}<//>`
            : html`<${Badge} kind="muted" title=${t('talent.self_declared_hint')}>${t('talent.self_declared')}<//>`}
          ${onDelete && c.source !== 'production' && html`<button type="button" class="icon-btn" aria-label=${t('talent.remove_credit')}
            onClick=${() => onDelete(c)}><${Icon} name="trash" /></button>`}
        </li>`)}
      </ul>
    </li>`)}
  </ol>`;
}

// ---- Actions of an organization's member. ----

function ShortlistDialog({ profile, orgs, onClose }) {
  const [orgId, setOrgId] = useState(orgs[0].id);
  const lists = useAsync(() => api.get(`/api/v1/orgs/${orgId}/talent/shortlists`, { limit: 200 }), [orgId]);
  const f = useForm({ shortlist: '', name: '', note: '' });
  const items = (lists.data && lists.data.items) || [];
  useEffect(() => {
    if (!lists.data) return;
    f.set('shortlist', items.length ? items[0].id : '__new');
  }, [lists.data]);
  const save = f.submit(async (v) => {
    let id = v.shortlist;
    if (!id || id === '__new') {
      check({ name: [v.name.trim() !== '', t('form.required')] });
      const sl = await api.post(`/api/v1/orgs/${orgId}/talent/shortlists`, { name: v.name.trim() });
      id = sl.id;
    }
    await api.post(`/api/v1/talent/shortlists/${id}/entries`, { profile_id: profile.id, note: v.note.trim() });
    toast(t('talent.added_to_shortlist'));
    onClose();
  });
  return html`<${Dialog} title=${t('talent.add_to_shortlist')} onClose=${onClose}>
    <form class="form" onSubmit=${save} novalidate data-testid="shortlist-form">
      <${FormError} form=${f} />
      ${orgs.length > 1 && html`<label class="field"><span class="field-label">${t('talent.organization')}</span>
        <select class="input select" value=${orgId} onChange=${(e) => setOrgId(e.target.value)}>
          ${orgs.map((o) => html`<option key=${o.id} value=${o.id}>${o.name}</option>`)}</select></label>`}
      ${lists.error ? html`<${ErrorBox} error=${lists.error} />` : !lists.data ? html`<${Loading} />`
        : html`<${SelectField} form=${f} name="shortlist" label=${t('talent.shortlist')}
          options=${[...items.map((x) => [x.id, x.name]), ['__new', t('talent.new_shortlist_option')]]} />`}
      ${(f.values.shortlist === '__new' || (lists.data && !items.length)) && html`<${TextField} form=${f} name="name"
        label=${t('talent.shortlist_name')} maxLength="200" />`}
      <${TextArea} form=${f} name="note" label=${t('talent.note_optional')} rows="2" />
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${t('talent.add')}<//>
      </div>
    </form>
  <//>`;
}

function InviteDialog({ profile, onClose }) {
  const projects = useAsync(() => api.get('/api/v1/projects', { status: 'active', limit: 200 }), []);
  const managed = ((projects.data && projects.data.items) || []).filter((p) => p.access && ['manage', 'own'].includes(p.access.level));
  const crafts = useCrafts();
  const f = useForm({ project: '', role: 'member', craft: (profile.crafts && profile.crafts[0]) || '', start_date: '', end_date: '', message: '' });
  useEffect(() => {
    if (managed.length && !f.values.project) f.set('project', managed[0].id);
  }, [projects.data]);
  const save = f.submit(async (v) => {
    check({
      project: [!!v.project, t('form.required')],
      end_date: [!v.end_date || !v.start_date || v.end_date >= v.start_date, t('talent.end_before_start')],
    });
    const body = { profile_id: profile.id, role: v.role };
    if (v.craft) body.craft = v.craft;
    if (v.start_date) body.start_date = v.start_date;
    if (v.end_date || v.start_date) body.end_date = v.end_date || v.start_date;
    if (v.message.trim()) body.message = v.message.trim();
    await api.post(`/api/v1/projects/${v.project}/talent-invites`, body);
    toast(t('talent.invited', { name: profile.primary_name }));
    onClose();
  });
  return html`<${Dialog} title=${t('talent.invite_to_project')} onClose=${onClose}>
    <form class="form" onSubmit=${save} novalidate data-testid="invite-form">
      <p class="muted small">${t('talent.invite_desc', { name: profile.primary_name })}</p>
      <${FormError} form=${f} />
      ${projects.error ? html`<${ErrorBox} error=${projects.error} />` : !projects.data ? html`<${Loading} />`
        : !managed.length ? html`<p class="muted" data-testid="no-projects">${t('talent.no_managed_projects')}</p>`
        : html`<${SelectField} form=${f} name="project" label=${t('talent.project')}
          options=${managed.map((p) => [p.id, p.code ? `${p.code} · ${p.name}` : p.name])} />
          <div class="form form-2col">
            <${SelectField} form=${f} name="role" label=${t('talent.role_on_accept')}
              options=${['member', 'vendor', 'viewer'].map((r) => [r, projectRoleLabel(r)])} />
            <${SelectField} form=${f} name="craft" label=${t('talent.craft')}
              options=${[['', '—'], ...(crafts || []).map((c) => [c.code, craftLabel(c.code, crafts)])]} />
            <${TextField} form=${f} name="start_date" type="date" label=${t('talent.from')} />
            <${TextField} form=${f} name="end_date" type="date" label=${t('talent.to')} min=${f.values.start_date || undefined} />
          </div>
          <${TextArea} form=${f} name="message" label=${t('talent.message_optional')} rows="3" maxLength="2000" />`}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f} disabled=${!managed.length}>${t('talent.send_invite')}<//>
      </div>
    </form>
  <//>`;
}

// A claim link for the person of a kept profile: shown once, to send them.
function ClaimLinkDialog({ profile, onClose }) {
  const f = useForm({ email: (profile.contacts && profile.contacts.email) || '', days: '14' });
  const [link, setLink] = useState(null);
  const save = f.submit(async (v) => {
    check({ days: [/^\d{1,2}$/.test(v.days) && Number(v.days) >= 1 && Number(v.days) <= 60, t('talent.days_rule')] });
    const body = { expires_in_days: Number(v.days) };
    if (v.email.trim()) body.email = v.email.trim();
    const r = await api.post(`/api/v1/talent/profiles/${profile.id}/claim-links`, body);
    setLink({ url: `${location.origin}/talent/claim/${r.token}`, expires: r.expires_at });
  });
  return html`<${Dialog} title=${t('talent.claim_link')} onClose=${onClose}>
    ${link ? html`<div class="reveal" data-testid="claim-link-made">
        <div class="reveal-head"><${Icon} name="key" />${t('talent.claim_link_made', { name: profile.primary_name })}</div>
        <${CopyField} value=${link.url} label=${t('talent.claim_link')} testid="claim-url" />
        <div class="reveal-warn"><${Icon} name="alert" size=${14} /><span>${t('talent.claim_link_once', { date: fmtDate(link.expires) })}</span></div>
      </div>`
      : html`<form class="form" onSubmit=${save} novalidate data-testid="claim-link-form">
        <p class="muted small">${t('talent.claim_link_desc')}</p>
        <${FormError} form=${f} />
        <${TextField} form=${f} name="email" type="email" label=${t('talent.claim_email')} hint=${t('talent.claim_email_hint')} />
        <${TextField} form=${f} name="days" label=${t('talent.claim_days')} inputmode="numeric" maxLength="2" />
        <div class="form-actions">
          <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
          <${Submit} form=${f}>${t('talent.make_claim_link')}<//>
        </div>
      </form>`}
  <//>`;
}

// ---- The page. ----

function Section({ title, children, testid, id }) {
  return html`<section class="card tl-section" data-testid=${testid} id=${id}>
    <h2 class="card-title">${title}</h2>
    ${children}
  </section>`;
}

export default function ProfilePage({ id }) {
  const { me } = useSession();
  const crafts = useCrafts();
  const r = useAsync(() => api.get(`/api/v1/talent/profiles/${encodeURIComponent(id)}`), [id]);
  const [dialog, setDialog] = useState(null);
  const p = r.data;
  useTitle(p ? p.primary_name : t('talent.profile'));
  if (r.error && r.error.status === 404) {
    return html`<div class="page"><${Empty} icon="user" title=${t('talent.profile_missing')}>
      <a href="/talent">${t('talent.back_to_search')}</a><//></div>`;
  }
  if (r.error && !p) return html`<div class="page"><${ErrorBox} error=${r.error} onRetry=${r.reload} /></div>`;
  if (!p) return html`<div class="page"><${Loading} /></div>`;
  const orgs = actingOrgs(me);
  const others = (p.names || []).filter((n) => n.name !== p.primary_name);
  const place = placeText(p.location);
  const has = (k) => p[k] !== undefined && p[k] !== null;
  const hasList = (k) => Array.isArray(p[k]) && p[k].length > 0;
  const contacts = p.contacts ? Object.entries(p.contacts).filter(([, v]) => v) : [];
  const rates = p.rates && (p.rates.day || p.rates.week) ? p.rates : null;
  const hasSide = hasList('languages') || hasList('affiliations') || hasList('education') || !!rates || contacts.length > 0;
  return html`<div class="page tl-page" data-testid="talent-profile" data-id=${p.id}>
    <nav class="crumbs" aria-label=${t('nav.breadcrumb')}><a href="/talent">${t('talent.title')}</a><span aria-hidden="true">/</span></nav>
    <header class="card tl-hero">
      <span class=${`tl-portrait tl-portrait-lg av-${hue(p.id)}`} aria-hidden="true">${initial(p.primary_name)}</span>
      <div class="tl-hero-main">
        <h1 class="tl-hero-name" data-testid="profile-name">${p.primary_name}</h1>
        ${others.length > 0 && html`<div class="tl-hero-alt" data-testid="profile-names">
          ${others.map((n, i) => html`<span key=${i} title=${n.script ? scriptLabel(n.script) : ''}>${n.name}</span>`)}</div>`}
        ${p.headline && html`<p class="tl-hero-headline" data-testid="profile-headline">${p.headline}</p>`}
        <${Chips} items=${p.crafts} crafts=${crafts} />
        <div class="tl-card-meta">
          ${place && html`<span class="tl-place" data-testid="profile-location"><${Icon} name="globe" size=${13} /><span>${place}</span>
            ${p.location.travel && html`<span class="muted">· ${travelLabel(p.location.travel)}</span>`}</span>`}
          ${p.claimed ? html`<${Badge} kind="ok" title=${t('talent.claimed_hint')}><${Icon} name="user" size=${12} />${t('talent.claimed')}<//>`
            : html`<${Badge} kind="muted" title=${t('talent.unclaimed_hint')}>${t('talent.unclaimed')}<//>`}
          ${p.steward_org && html`<span class="muted small">${t('talent.kept_by', { org: p.steward_org.name })}</span>`}
          ${p.listed === false && html`<${Badge} kind="warn">${t('talent.unlisted')}<//>`}
        </div>
      </div>
      <div class="tl-hero-actions">
        ${p.is_self && html`<a class="btn" href="/talent/me" data-testid="edit-profile"><${Icon} name="settings" />${t('talent.edit_my_profile')}</a>`}
        ${!p.is_self && p.can_edit && html`<a class="btn" href=${`/talent/p/${p.id}/edit`} data-testid="edit-kept"><${Icon} name="settings" />${t('talent.edit_profile')}</a>`}
        ${!p.is_self && p.can_edit && !p.claimed && html`<button type="button" class="btn" data-testid="claim-link" onClick=${() => setDialog('claim')}>
          <${Icon} name="key" />${t('talent.claim_link')}</button>`}
        ${!p.is_self && orgs.length > 0 && html`<button type="button" class="btn" data-testid="add-shortlist" onClick=${() => setDialog('shortlist')}>
          <${Icon} name="plus" />${t('talent.add_to_shortlist')}</button>`}
        ${!p.is_self && p.claimed && orgs.length > 0 && html`<button type="button" class="btn btn-primary" data-testid="invite"
          onClick=${() => setDialog('invite')}><${Icon} name="mail" />${t('talent.invite_to_project')}</button>`}
      </div>
    </header>
    <div class=${`tl-profile-grid ${hasSide ? '' : 'tl-one-col'}`}>
      <div class="stack">
        ${(p.bio || hasList('skills')) && html`<${Section} title=${t('talent.about')} testid="profile-about">
          ${p.bio && html`<p class="prewrap tl-bio" data-testid="profile-bio">${p.bio}</p>`}
          ${hasList('skills') && html`<div class="tl-kv"><span class="field-label">${t('talent.skills')}</span>
            <${Chips} items=${p.skills} kind="skill" /></div>`}
        <//>`}
        ${has('showreel') || hasList('portfolio') ? html`<${Section} title=${t('talent.showreel')} testid="profile-reel">
          <${ShowreelSection} p=${p} />
        <//>` : null}
        ${p.credit_summary !== undefined && html`<${Section} title=${t('talent.credits')} testid="profile-credits">
          <${CreditsTimeline} profileId=${p.id} crafts=${crafts} />
        <//>`}
        <${Section} title=${t('talent.availability')} testid="profile-availability">
          <${AvailabilityCalendar} profileId=${p.id} />
        <//>
      </div>
      <div class="stack">
        ${hasList('languages') && html`<${Section} title=${t('talent.languages')} testid="profile-languages"><${LangList} items=${p.languages} /><//>`}
        ${hasList('affiliations') && html`<${Section} title=${t('talent.affiliations')} testid="profile-affiliations">
          <ul class="tl-plain">${p.affiliations.map((a, i) => html`<li key=${i}><span class="strong">${a.name}</span>
            <span class="muted small"> · ${t(`talent.aff.${['union', 'guild', 'association'].includes(a.kind) ? a.kind : 'agency'}`)}${a.member_id ? ` · ${a.member_id}` : ''}</span></li>`)}</ul><//>`}
        ${hasList('education') && html`<${Section} title=${t('talent.education')} testid="profile-education">
          <ul class="tl-plain">${p.education.map((e, i) => html`<li key=${i}><span class="strong">${e.school}</span>
            <span class="muted small">${[e.program, e.year].filter(Boolean).map((x) => ` · ${x}`).join('')}</span></li>`)}</ul><//>`}
        ${rates && html`<${Section} title=${t('talent.rates')} testid="profile-rates"><dl class="details details-stacked">
          ${rates.day && html`<dt>${t('talent.rate_day')}</dt><dd>${fmtMoney(rates.day, rates.currency)}</dd>`}
          ${rates.week && html`<dt>${t('talent.rate_week')}</dt><dd>${fmtMoney(rates.week, rates.currency)}</dd>`}</dl><//>`}
        ${contacts.length > 0 && html`<${Section} title=${t('talent.contacts')} testid="profile-contacts"><dl class="details details-stacked">
          ${contacts.map(([k, v]) => html`<dt key=${`t${k}`}>${t(`talent.contact.${k}`)}</dt>
            <dd key=${`d${k}`}>${k === 'email' ? html`<a href=${`mailto:${v}`} data-native>${v}</a>`
              : k === 'website' && /^https?:\/\//.test(v) ? html`<a href=${v} data-native target="_blank" rel="noopener nofollow">${v}</a>` : v}</dd>`)}
        </dl><//>`}
      </div>
    </div>
    ${dialog === 'shortlist' && html`<${ShortlistDialog} profile=${p} orgs=${orgs} onClose=${() => setDialog(null)} />`}
    ${dialog === 'invite' && html`<${InviteDialog} profile=${p} onClose=${() => setDialog(null)} />`}
    ${dialog === 'claim' && html`<${ClaimLinkDialog} profile=${p} onClose=${() => setDialog(null)} />`}
  </div>`;
}

