// web/lib/org-picker.js: choose an organization from the directory of all organizations
// (GET /api/v1/orgs?scope=all&q=), by name or slug — how a studio finds the partner it
// shares a project with, and how modules will pick a buyer or a vendor. A combobox: type,
// then pick with the mouse or the arrow keys and Enter. `exclude` maps ids to a reason shown
// instead of picking them (the owner, an existing partner).
import { html, useState, useEffect, useId } from './html.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { Icon } from './icons.js';
import { Avatar, Spinner, useLookup, errorMessage } from './ui.js';
import { kindLabel } from './labels.js';

export function OrgPicker({ value, onChange, exclude = {}, label, error }) {
  const id = `op-${useId()}`;
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const state = useLookup(q, open, (dq) => api.get('/api/v1/orgs', { scope: 'all', q: dq, limit: 8 }));
  const [active, setActive] = useState(0);
  useEffect(() => {
    const first = state.items.findIndex((o) => !exclude[o.id]);
    setActive(first < 0 ? 0 : first);
  }, [state.items]);

  if (value) {
    return html`<div class="field">
      ${label && html`<span class="field-label">${label}</span>`}
      <div class="picked">
        <${Avatar} name=${value.name} id=${value.id} size="sm" />
        <span class="picked-main"><span class="truncate strong">${value.name}</span><span class="muted small mono truncate">${value.slug} · ${kindLabel(value.kind)}</span></span>
        <button type="button" class="btn btn-sm btn-ghost" onClick=${() => onChange(null)}>${t('action.change')}</button>
      </div>
      ${error && html`<div class="field-error" role="alert">${error}</div>`}
    </div>`;
  }
  const pick = (o) => {
    if (!o || exclude[o.id]) return;
    onChange(o);
    setOpen(false);
    setQ('');
  };
  const onKey = (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, state.items.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      pick(state.items[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };
  return html`<div class=${`field combo ${error ? 'has-error' : ''}`}>
    ${label && html`<label class="field-label" for=${id}>${label}</label>`}
    <div class="combo-input">
      <${Icon} name="search" class="muted" />
      <input id=${id} class="input" role="combobox" aria-expanded=${open ? 'true' : 'false'} aria-controls=${`${id}-list`}
        aria-autocomplete="list" autocomplete="off" placeholder=${t('partners.search_placeholder')} value=${q}
        onInput=${(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus=${() => setOpen(true)} onBlur=${() => setTimeout(() => setOpen(false), 150)} onKeyDown=${onKey}
        data-testid="org-picker" />
      ${state.loading && html`<${Spinner} />`}
    </div>
    ${open && html`<ul class="combo-list" id=${`${id}-list`} role="listbox">
      ${state.error ? html`<li class="combo-empty">${errorMessage(state.error)}</li>`
        : !state.items.length && !state.loading ? html`<li class="combo-empty">${t('partners.no_match')}</li>`
        : state.items.map((o, i) => html`<li key=${o.id} role="option" aria-selected=${i === active ? 'true' : 'false'}
            aria-disabled=${exclude[o.id] ? 'true' : undefined}
            class=${`combo-option ${i === active ? 'active' : ''} ${exclude[o.id] ? 'disabled' : ''}`}
            onMouseDown=${(e) => {
              e.preventDefault();
              pick(o);
            }} onMouseEnter=${() => setActive(i)}>
            <${Avatar} name=${o.name} id=${o.id} size="sm" />
            <span class="combo-main"><span class="truncate">${o.name}</span><span class="muted small mono truncate">${o.slug} · ${kindLabel(o.kind)}</span></span>
            ${exclude[o.id] && html`<span class="muted small">${exclude[o.id]}</span>`}
          </li>`)}
    </ul>`}
    ${error && html`<div class="field-error" role="alert">${error}</div>`}
  </div>`;
}
