// web/lib/format.js: dates, relative times, names and sizes in the current UI language.
// Pure functions of their input and the locale; no DOM.
import { locale, t } from './i18n.js';

const cache = new Map();
function dtf(opts) {
  const key = locale() + JSON.stringify(opts);
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(locale(), opts));
  return cache.get(key);
}

function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtDate(iso) {
  const d = toDate(iso);
  return d ? dtf({ year: 'numeric', month: 'short', day: 'numeric' }).format(d) : '';
}

export function fmtDateTime(iso) {
  const d = toDate(iso);
  return d ? dtf({ year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d) : '';
}

export function fmtRelative(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '';
  const s = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return t('time.just_now');
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 7 * 86400) return rtf.format(Math.round(s / 86400), 'day');
  return fmtDate(iso);
}

// Initials for an avatar: the first character of a CJK name, else the first letters of the
// first two words.
export function initials(name) {
  const n = (name || '').trim();
  if (!n) return '?';
  const first = Array.from(n)[0];
  if (/[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]/.test(first)) return first;
  const words = n.split(/[\s._@-]+/).filter(Boolean);
  const a = Array.from(words[0] || n)[0] || '?';
  const b = words.length > 1 ? Array.from(words[1])[0] : '';
  return (a + b).toUpperCase();
}

// A stable colour class (av-0 ... av-7) from an id or a name.
export function hueClass(key) {
  let h = 0;
  for (const ch of String(key || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `av-${h % 8}`;
}

// "zh-CN" -> "zh-CN"; anything starting with zh is Chinese, everything else English.
export function uiLanguage(tag) {
  return /^zh/i.test(tag || '') ? 'zh-CN' : 'en';
}
