// web/talent/calendar.js: a person's availability as a three-month calendar (GET
// /talent/profiles/{id}/availability?from&to): days booked by assigned production work and
// days the person marked unavailable are coloured, with a legend and the ranges listed in
// words under the grid (what a screen reader and a phone read best). Used by the profile page
// and by my-profile editor (which passes `reloadKey` after a change).
//
// Not an editor: me.js adds and removes unavailable ranges through the API and reloads this.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useAsync, ErrorBox, Loading } from '/lib/ui.js';
import {
  today, monthStart, monthEnd, monthTitle, weekdays, dayNum, dayStr, fmtRange,
} from './common.js';

const MONTHS = 3;

function inRanges(d, ranges) {
  for (const r of ranges) if (r.s <= d && d <= r.e) return r;
  return null;
}

function Month({ first, booked, unavailable, now }) {
  const start = dayNum(first);
  const end = dayNum(monthEnd(first));
  // Monday first: getUTCDay() is 0 on Sunday.
  const lead = (new Date(start * 86400000).getUTCDay() + 6) % 7;
  const cells = [];
  for (let i = 0; i < lead; i++) cells.push(html`<span key=${`b${i}`} class="tl-day tl-day-blank" aria-hidden="true"></span>`);
  for (let d = start; d <= end; d++) {
    const b = inRanges(d, booked);
    const u = inRanges(d, unavailable);
    const state = b ? 'booked' : u ? 'unavailable' : 'free';
    const why = b ? `${t('talent.cal.booked')}${b.label ? `: ${b.label}` : ''}` : u ? `${t('talent.cal.unavailable')}${u.label ? `: ${u.label}` : ''}` : t('talent.cal.free');
    cells.push(html`<span key=${d} class=${`tl-day tl-day-${state} ${d === now ? 'tl-today' : ''} ${b && u ? 'tl-day-both' : ''}`}
      data-day=${dayStr(d)} data-state=${state} title=${`${dayStr(d)} · ${why}`}>${d - start + 1}</span>`);
  }
  return html`<div class="tl-month" data-month=${first.slice(0, 7)}>
    <div class="tl-month-title">${monthTitle(first)}</div>
    <div class="tl-month-grid" role="presentation">
      ${weekdays().map((w, i) => html`<span key=${`w${i}`} class="tl-wd" aria-hidden="true">${w}</span>`)}
      ${cells}
    </div>
  </div>`;
}

export function Legend() {
  return html`<ul class="rt-legend tl-legend" data-testid="cal-legend">
    ${['free', 'booked', 'unavailable'].map((k) => html`<li key=${k}><span class=${`tl-swatch tl-day-${k}`} aria-hidden="true"></span>${t(`talent.cal.${k}`)}</li>`)}
    <li><span class="tl-swatch tl-today" aria-hidden="true"></span>${t('talent.cal.today')}</li>
  </ul>`;
}

export function AvailabilityCalendar({ profileId, reloadKey = 0 }) {
  const now = today();
  const [first, setFirst] = useState(monthStart(now));
  const last = monthEnd(monthStart(first, MONTHS - 1));
  const r = useAsync(() => api.get(`/api/v1/talent/profiles/${profileId}/availability`, { from: first, to: last }),
    [profileId, first, reloadKey]);
  const data = r.data;
  const booked = ((data && data.booked) || []).map((x) => ({ s: dayNum(x.start), e: dayNum(x.end), label: (x.project && (x.project.name || x.project)) || '' }));
  const unavailable = ((data && data.unavailable) || []).map((x) => ({ s: dayNum(x.start), e: dayNum(x.end), label: x.note || '' }));
  const months = Array.from({ length: MONTHS }, (_, i) => monthStart(first, i));
  const hidden = r.error && (r.error.status === 404 || r.error.status === 403);
  if (hidden) return html`<p class="muted small" data-testid="cal-hidden">${t('talent.cal.hidden')}</p>`;
  return html`<div class="tl-cal" data-testid="availability">
    <div class="tl-cal-nav">
      <button type="button" class="icon-btn" aria-label=${t('talent.cal.prev')} data-testid="cal-prev"
        onClick=${() => setFirst(monthStart(first, -1))}><${Icon} name="chevronRight" class="tl-flip" /></button>
      <span class="tl-cal-range">${fmtRange(first, last)}</span>
      <button type="button" class="icon-btn" aria-label=${t('talent.cal.next')} data-testid="cal-next"
        onClick=${() => setFirst(monthStart(first, 1))}><${Icon} name="chevronRight" /></button>
      ${first !== monthStart(now) && html`<button type="button" class="btn btn-sm btn-ghost" onClick=${() => setFirst(monthStart(now))}>${t('talent.cal.today')}</button>`}
    </div>
    ${r.error ? html`<${ErrorBox} error=${r.error} onRetry=${r.reload} />`
      : !data ? html`<${Loading} />`
      : html`<div class="tl-months">${months.map((m) => html`<${Month} key=${m} first=${m} booked=${booked} unavailable=${unavailable} now=${dayNum(now)} />`)}</div>
        <${Legend} />
        ${(booked.length > 0 || unavailable.length > 0) && html`<ul class="tl-ranges" data-testid="cal-ranges">
          ${[...booked.map((x) => ({ ...x, k: 'booked' })), ...unavailable.map((x) => ({ ...x, k: 'unavailable' }))].sort((a, b) => a.s - b.s)
            .map((x, i) => html`<li key=${i} data-state=${x.k}><span class=${`tl-swatch tl-day-${x.k}`} aria-hidden="true"></span>
              <span class="tl-range-when">${fmtRange(dayStr(x.s), dayStr(x.e))}</span>
              <span class="muted">${t(`talent.cal.${x.k}`)}${x.label ? ` · ${x.label}` : ''}</span></li>`)}
        </ul>`}`}
  </div>`;
}
