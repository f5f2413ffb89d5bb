// web/talent/common.js: what the talent pages share: the module's stylesheet and words, the
// enumerations of the API (language levels, travel, field visibilities, scripts), the crafts
// list (GET /talent/crafts, loaded once), names of languages and countries in the UI's
// language, days and month grids, and the small pieces several pages draw: the result card,
// chips, the availability badge, a lazy loader.
//
// It deliberately holds no page: search.js, profile.js, me.js and org.js are the pages
// (page.js and org.js dispatch). Sizes that come from data are SVG attributes, never style
// attributes (the CSP forbids inline styles).
import { html, useEffect, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale, registerStrings } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Loading } from '/lib/ui.js';
import { loadStylesheet, useStylesheet } from '/lib/styles.js';
import strings from './strings.js';

registerStrings(strings);

export const stylesReady = loadStylesheet('/talent/talent.css');
export const useStyles = () => useStylesheet(stylesReady);

export const LEVELS = ['native', 'fluent', 'professional', 'conversational', 'basic'];
export const TRAVEL = ['local', 'regional', 'national', 'international'];
export const VIS = ['public', 'platform', 'orgs', 'private'];
export const NAME_VIS = ['public', 'platform'];
export const SCRIPTS = ['Hani', 'Hans', 'Hant', 'Latn', 'Tibt', 'Mong', 'Arab', 'Cyrl', 'Jpan', 'Hang', 'Kore', 'Deva', 'Thai'];
export const FIELDS = ['names', 'headline', 'bio', 'crafts', 'skills', 'languages', 'location', 'affiliations',
  'education', 'showreel', 'rates', 'contacts', 'credits', 'availability'];
export const AVAIL = ['free', 'partly', 'booked', 'unknown'];

export const levelLabel = (l) => t(`talent.level.${l}`);
export const travelLabel = (x) => t(`talent.travel.${x}`);
export const visLabel = (v) => t(`talent.vis.${v}`);
export const scriptLabel = (s) => t(`talent.script.${s}`);
export const availLabel = (a) => t(`talent.avail.${a}`);

// ---- Names of languages and countries (Intl, in the UI's language). ----

const displayNames = new Map();
function dn(type) {
  const key = `${locale()}|${type}`;
  if (!displayNames.has(key)) {
    let d = null;
    try {
      d = new Intl.DisplayNames([locale()], { type });
    } catch {
      d = null;
    }
    displayNames.set(key, d);
  }
  return displayNames.get(key);
}

// Languages of China that the browser's own list may not name.
const OUR_LANGS = ['bo', 'ug', 'ii', 'za', 'mn', 'kk', 'ky', 'yue', 'nan', 'hak', 'wuu'];

export function langName(tag) {
  if (!tag) return '';
  let name = tag;
  try {
    const d = dn('language');
    name = (d && d.of(tag)) || tag;
  } catch {
    name = tag;
  }
  const base = String(tag).toLowerCase();
  if ((name === tag || name.toLowerCase() === base) && OUR_LANGS.includes(base)) return t(`talent.lang.${base}`);
  return name;
}

export function countryName(code) {
  if (!code) return '';
  try {
    const d = dn('region');
    return (d && d.of(String(code).toUpperCase())) || code;
  } catch {
    return code;
  }
}

export function placeText(loc) {
  if (!loc) return '';
  const parts = [loc.city, loc.region, loc.country ? countryName(loc.country) : ''].filter(Boolean);
  // "Xining, Qinghai, China"; without repeats (a city that is its own region).
  return parts.filter((p, i) => parts.indexOf(p) === i).join(locale() === 'zh-CN' ? '，' : ', ');
}

// ---- Crafts. ----

let craftsPromise = null;
export function loadCrafts() {
  if (!craftsPromise) {
    craftsPromise = api.get('/api/v1/talent/crafts').then((r) => (r && r.items) || [], (e) => {
      craftsPromise = null;
      throw e;
    });
  }
  return craftsPromise;
}

export function useCrafts() {
  const [items, setItems] = useState(null);
  useEffect(() => {
    let live = true;
    loadCrafts().then((c) => live && setItems(c), () => live && setItems([]));
    return () => {
      live = false;
    };
  }, []);
  return items;
}

// A craft's words: the list's label in the UI's language, else our own, else the code.
export function craftLabel(code, crafts) {
  const c = crafts && crafts.find((x) => x.code === code);
  if (c) return locale() === 'zh-CN' ? c.label_zh || c.label || code : c.label || code;
  return code;
}

// ---- Days. ----

export const pad2 = (n) => String(n).padStart(2, '0');
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}
export const dayNum = (s) => {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
};
export const dayStr = (n) => new Date(n * 86400000).toISOString().slice(0, 10);
export const isDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);

export function fmtDay(day) {
  if (!day || !/^\d{4}-\d{2}-\d{2}/.test(day)) return '';
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}

export function fmtRange(a, b) {
  if (!a) return '';
  return a === b || !b ? fmtDay(a) : `${fmtDay(a)} – ${fmtDay(b)}`;
}

// The first day of the month `add` months after the month of `day` (YYYY-MM-01).
export function monthStart(day, add = 0) {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + add;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${yy}-${pad2(mm + 1)}-01`;
}

export function monthEnd(first) {
  return dayStr(dayNum(monthStart(first, 1)) - 1);
}

export function monthTitle(first) {
  const [y, m] = first.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'long' }).format(new Date(y, m - 1, 1));
}

// Short weekday names, Monday first.
export function weekdays() {
  const f = new Intl.DateTimeFormat(locale(), { weekday: 'narrow' });
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(2024, 0, 1 + i)));
}

// ---- Money: amounts are decimal strings. ----

export function fmtMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '';
  const n = Number(amount);
  if (!Number.isFinite(n)) return `${amount} ${currency || ''}`;
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toLocaleString(locale())} ${currency || ''}`;
  }
}

// ---- Pieces. ----

export function Lazy({ load, name = 'default', ...props }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    load().then(setMod, setError);
  }, []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  const Page = mod[name];
  return html`<${Page} ...${props} />`;
}

export function Chips({ items, crafts, kind = 'craft' }) {
  if (!items || !items.length) return null;
  return html`<ul class="tl-chips">
    ${items.map((c) => html`<li key=${c} class=${`tl-chip tl-chip-${kind}`} data-craft=${kind === 'craft' ? c : undefined}>
      ${kind === 'craft' ? craftLabel(c, crafts) : c}</li>`)}
  </ul>`;
}

export function LangList({ items }) {
  if (!items || !items.length) return null;
  return html`<span class="tl-langs">
    ${items.map((l, i) => html`<span key=${`${l.tag}-${i}`} class="tl-lang" data-lang=${l.tag}>
      <span class="tl-lang-name">${langName(l.tag)}</span>${l.level && html`<span class="tl-lang-level">${levelLabel(l.level)}</span>`}
    </span>`)}
  </span>`;
}

// The names in other scripts than the primary one.
export function otherNames(p) {
  const primary = p.primary_name || '';
  return (p.names || []).filter((n) => n && n.name && n.name !== primary).map((n) => n.name);
}

export function AvailBadge({ value }) {
  if (value === undefined || value === null) return null;
  // Search answers true/false; matching answers free/partly/booked/unknown.
  const v = value === true ? 'free' : value === false ? 'booked' : value;
  if (!AVAIL.includes(v)) return null;
  return html`<span class=${`badge tl-avail tl-avail-${v}`} data-available=${v}>
    <svg class="tl-dot" viewBox="0 0 8 8" aria-hidden="true"><circle cx="4" cy="4" r="4" /></svg>${availLabel(v)}</span>`;
}

// "1 person", "3 people" (and the same for credits): the only plurals the pages need.
export const nPeople = (n) => (n === 1 ? t('talent.one_person') : t('talent.n_people', { n }));
const nCredits = (n) => (n === 1 ? t('talent.one_credit') : t('talent.n_credits', { n }));

export function CreditCount({ summary }) {
  if (!summary || !summary.n) return null;
  const n = summary.n;
  const v = summary.verified || 0;
  return html`<span class="tl-credits-count" data-credits=${n} data-verified=${v}>
    <${Icon} name="film" size=${13} />${nCredits(n)}
    ${v > 0 && html`<span class="tl-verified-n"><${Icon} name="check" size=${13} />${t('talent.n_verified', { n: v })}</span>`}
  </span>`;
}

// A person in search results, shortlists and matches. `extra` goes under the body.
export function TalentCard({ p, crafts, href, available, extra, actions, testid = 'talent-card' }) {
  const others = otherNames(p);
  const place = placeText(p.location);
  const link = href || `/talent/p/${p.id}`;
  return html`<article class="card tl-card" data-testid=${testid} data-id=${p.id} data-name=${p.primary_name}>
    <div class="tl-card-head">
      <span class=${`tl-portrait av-${hue(p.id)}`} aria-hidden="true">${initial(p.primary_name)}</span>
      <div class="tl-card-names">
        <a class="tl-card-name" href=${link} data-testid="card-name">${p.primary_name}</a>
        ${others.length > 0 && html`<span class="tl-card-alt" lang="und">${others.join(' · ')}</span>`}
      </div>
      <div class="tl-card-badges">
        ${available !== undefined && html`<${AvailBadge} value=${available} />`}
        ${p.claimed && html`<span class="badge badge-ok tl-claimed" title=${t('talent.claimed_hint')}><${Icon} name="user" size=${12} />${t('talent.claimed')}</span>`}
      </div>
    </div>
    ${p.headline && html`<p class="tl-card-headline">${p.headline}</p>`}
    <${Chips} items=${p.crafts} crafts=${crafts} />
    <div class="tl-card-meta">
      ${p.languages && p.languages.length > 0 && html`<${LangList} items=${p.languages} />`}
      ${place && html`<span class="tl-place"><${Icon} name="globe" size=${13} /><span>${place}</span></span>`}
      <${CreditCount} summary=${p.credit_summary} />
    </div>
    ${extra}
    ${actions && html`<div class="tl-card-actions">${actions}</div>`}
  </article>`;
}

export function initial(name) {
  const n = (name || '').trim();
  if (!n) return '?';
  const first = Array.from(n)[0];
  if (/[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u0f00-\u0fff]/.test(first)) return first;
  const words = n.split(/[\s._-]+/).filter(Boolean);
  return ((Array.from(words[0] || n)[0] || '') + (words.length > 1 ? Array.from(words[1])[0] : '')).toUpperCase();
}

export function hue(key) {
  let h = 0;
  for (const ch of String(key || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 8;
}

// Lists typed as text: "Pro Tools, boom operation、同期录音" -> ["Pro Tools", ...].
export const splitList = (s) => String(s || '').split(/[,，、;\n]/).map((x) => x.trim()).filter(Boolean);

// The organizations the caller may act for (shortlists, matching): members and above.
export const actingOrgs = (me) => ((me && me.orgs) || []).filter((o) => ['owner', 'admin', 'member'].includes(o.role));
