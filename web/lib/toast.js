// web/lib/toast.js: short notices in the corner ("Project created", "Copied"). Errors that
// belong to a form are shown in the form, not here.
import { html } from './html.js';
import { createStore, useStore } from './store.js';
import { Icon } from './icons.js';

const toasts = createStore({ items: [] });
let next = 1;

export function toast(message, kind = 'ok', ms = 3500) {
  const id = next++;
  toasts.set((s) => ({ items: [...s.items, { id, message, kind }].slice(-4) }));
  setTimeout(() => dismiss(id), ms);
  return id;
}

export function dismiss(id) {
  toasts.set((s) => ({ items: s.items.filter((x) => x.id !== id) }));
}

export function ToastHost() {
  const { items } = useStore(toasts);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${items.map((x) => html`<div key=${x.id} class=${`toast toast-${x.kind}`}>
      <${Icon} name=${x.kind === 'error' ? 'alert' : 'check'} />
      <span class="toast-text">${x.message}</span>
      <button class="icon-btn" type="button" aria-label="×" onClick=${() => dismiss(x.id)}><${Icon} name="x" size=${14} /></button>
    </div>`)}
  </div>`;
}
