// web/lib/dialog.js: modal dialogs on the native <dialog> element (focus trap, Escape and
// the backdrop come from the browser), and confirmAction(), a promise-returning confirmation
// for destructive actions (optionally "type the name to confirm").
//
// A <Dialog> opens when it mounts and calls onClose on Escape, backdrop click or its close
// button; parents mount it conditionally, so its form state starts fresh every time.
import { html, useEffect, useRef, useState } from './html.js';
import { createStore, useStore } from './store.js';
import { Icon } from './icons.js';
import { t } from './i18n.js';

export function Dialog({ title, onClose, children, footer, size = 'md', label }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d && d.open) d.close();
    };
  }, []);
  return html`<dialog ref=${ref} class=${`dialog dialog-${size}`} aria-label=${label || title}
    onCancel=${(e) => {
      e.preventDefault();
      onClose();
    }}
    onMouseDown=${(e) => {
      if (e.target === ref.current) onClose();
    }}>
    <div class="dialog-box">
      <div class="dialog-head">
        <h2 class="dialog-title">${title}</h2>
        <button type="button" class="icon-btn" aria-label=${t('action.close')} onClick=${onClose}><${Icon} name="x" /></button>
      </div>
      <div class="dialog-body">${children}</div>
      ${footer && html`<div class="dialog-foot">${footer}</div>`}
    </div>
  </dialog>`;
}

const pending = createStore({ req: null });

export function confirmAction({ title, message, confirmLabel, danger = false, typeToConfirm = '' }) {
  return new Promise((resolve) => {
    pending.set({ req: { title, message, confirmLabel, danger, typeToConfirm, resolve } });
  });
}

export function ConfirmHost() {
  const { req } = useStore(pending);
  const [typed, setTyped] = useState('');
  if (!req) return null;
  const done = (ok) => {
    pending.set({ req: null });
    setTyped('');
    req.resolve(ok);
  };
  const blocked = req.typeToConfirm && typed.trim() !== req.typeToConfirm;
  return html`<${Dialog} title=${req.title} size="sm" onClose=${() => done(false)}
    footer=${html`
      <button type="button" class="btn" onClick=${() => done(false)}>${t('action.cancel')}</button>
      <button type="button" class=${`btn ${req.danger ? 'btn-danger' : 'btn-primary'}`} disabled=${blocked}
        data-testid="confirm" onClick=${() => done(true)}>${req.confirmLabel || t('action.confirm')}</button>`}>
    <p class="dialog-text">${req.message}</p>
    ${req.typeToConfirm && html`<label class="field">
      <span class="field-label">${t('confirm.type_to_confirm', { text: req.typeToConfirm })}</span>
      <input class="input" value=${typed} onInput=${(e) => setTyped(e.target.value)} autocomplete="off" />
    </label>`}
  <//>`;
}
