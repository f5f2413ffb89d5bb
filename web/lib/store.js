// web/lib/store.js: a tiny observable store for state that several pages share (the session,
// the current organization, toasts). Components subscribe with useStore(); writes replace
// the state object, so a component re-renders on every change. Not a general state library.
import { useLayoutEffect, useReducer } from './html.js';

export function createStore(initial) {
  let state = initial;
  const subs = new Set();
  return {
    get: () => state,
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...next };
      for (const f of [...subs]) f(state);
    },
    subscribe(f) {
      subs.add(f);
      return () => subs.delete(f);
    },
  };
}

// Subscribes in a layout effect (same task as the render) and re-checks the state, so that a
// change between the first render and the subscription (a fetch that resolved in between)
// is not missed.
export function useStore(store) {
  const [, force] = useReducer((n) => n + 1, 0);
  const state = store.get();
  useLayoutEffect(() => {
    const unsubscribe = store.subscribe(() => force());
    if (store.get() !== state) force();
    return unsubscribe;
  }, [store]);
  return state;
}
