// web/lib/forms.js: form state and fields.
//
// useForm(initial) keeps the values, runs a submit function, and turns its failure into what
// the person needs to see: field errors from the problem document's `errors` (or from local
// checks, thrown as FieldErrors) next to their fields, anything else in the form's alert.
// Fields are plain inputs wired by name: <${TextField} form=${f} name="email" label=... />.
import { html, useState, useId, useRef, useEffect } from './html.js';
import { ApiError } from './api.js';
import { ErrorBox, Spinner } from './ui.js';

export class FieldErrors extends Error {
  constructor(fields) {
    super('invalid fields');
    this.fields = fields;
  }
}

// Local checks before a request: check({name: [cond, message], ...}) throws FieldErrors for
// every failed condition.
export function check(rules) {
  const bad = {};
  for (const [name, [ok, message]] of Object.entries(rules)) if (!ok) bad[name] = message;
  if (Object.keys(bad).length) throw new FieldErrors(bad);
}

export function useForm(initial = {}, { fields: known } = {}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const knownFields = known || Object.keys(initial);

  const set = (name, value) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
  };

  const submit = (fn) => async (e) => {
    if (e && e.preventDefault) e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      await fn(values);
    } catch (err) {
      if (err instanceof FieldErrors) {
        setErrors(err.fields);
      } else if (err instanceof ApiError) {
        const fe = {};
        let unmapped = err.fieldErrors.length === 0;
        for (const f of err.fieldErrors) {
          if (knownFields.includes(f.field)) fe[f.field] = f.message;
          else unmapped = true;
        }
        setErrors(fe);
        if (unmapped) setError(err);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return {
    values, setValues, set, errors, setErrors, error, setError, busy, submit,
    reset: (v = initial) => {
      setValues(v);
      setErrors({});
      setError(null);
    },
  };
}

// Reset the form to `values` when `key` (an ETag, a version) changes after the first render —
// the object was saved or reloaded — but not on mount, where the values are already set and
// the person may have started typing.
export function useResetOn(form, key, values) {
  const last = useRef(key);
  useEffect(() => {
    if (last.current === key) return;
    last.current = key;
    // The values and field errors go; the form's alert stays (it may say why this reloaded).
    form.setValues(values);
    form.setErrors({});
  }, [key]);
}

export function FormError({ form }) {
  if (!form.error) return null;
  if (form.error instanceof ApiError) return html`<${ErrorBox} error=${form.error} />`;
  return html`<div class="alert alert-error" role="alert"><div class="alert-body">${form.error.message}</div></div>`;
}

function FieldShell({ id, label, hint, error, children, class: cls = '' }) {
  return html`<div class=${`field ${error ? 'has-error' : ''} ${cls}`}>
    ${label && html`<label class="field-label" for=${id}>${label}</label>`}
    ${children}
    ${error ? html`<div class="field-error" id=${`${id}-err`} role="alert">${error}</div>`
      : hint && html`<div class="field-hint" id=${`${id}-hint`}>${hint}</div>`}
  </div>`;
}

export function TextField({ form, name, label, hint, type = 'text', class: cls, ...rest }) {
  const id = `f-${useId()}-${name}`;
  const err = form.errors[name];
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${err} class=${cls}>
    <input id=${id} name=${name} class="input" type=${type} value=${form.values[name] ?? ''}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${err ? `${id}-err` : hint ? `${id}-hint` : undefined}
      onInput=${(e) => form.set(name, e.target.value)} ...${rest} />
  <//>`;
}

export function TextArea({ form, name, label, hint, rows = 4, class: cls, ...rest }) {
  const id = `f-${useId()}-${name}`;
  const err = form.errors[name];
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${err} class=${cls}>
    <textarea id=${id} name=${name} class="input textarea" rows=${rows} value=${form.values[name] ?? ''}
      aria-invalid=${err ? 'true' : undefined} onInput=${(e) => form.set(name, e.target.value)} ...${rest}></textarea>
  <//>`;
}

// options: [[value, label], ...]
export function SelectField({ form, name, label, hint, options, class: cls, ...rest }) {
  const id = `f-${useId()}-${name}`;
  const err = form.errors[name];
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${err} class=${cls}>
    <select id=${id} name=${name} class="input select" value=${form.values[name] ?? ''}
      aria-invalid=${err ? 'true' : undefined} onChange=${(e) => form.set(name, e.target.value)} ...${rest}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select>
  <//>`;
}

export function Submit({ form, children, class: cls = 'btn-primary', disabled }) {
  return html`<button type="submit" class=${`btn ${cls}`} disabled=${form.busy || disabled}>
    ${form.busy && html`<${Spinner} />`}${children}
  </button>`;
}
