// styles.js: a module's stylesheet, linked once. Pages wait for it (`await` the promise, or
// the hook in a component) so they never draw unstyled. Not a CSS loader for anything else.
import { useEffect, useState } from '/lib/html.js';

/** Link `href` once; the promise resolves when it has loaded (or failed: a missing
 *  stylesheet must not keep the page from drawing). */
export function loadStylesheet(href) {
  if (typeof document === 'undefined') return Promise.resolve();
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = resolve;
    link.onerror = resolve;
    document.head.appendChild(link);
  });
}

/** True once `ready` (a loadStylesheet promise) has settled. */
export function useStylesheet(ready) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    ready.then(() => setDone(true));
  }, []);
  return done;
}
