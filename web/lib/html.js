// web/lib/html.js: the one UI stack — Preact with htm tagged templates, no build step.
// Every page imports `html`, the hooks and render from here, never from /vendor directly,
// so that the stack is named in one place. Not a component library: see the other lib files.
import { h, render, Fragment, createContext, toChildArray } from '/vendor/preact.js';
import htm from '/vendor/htm.js';

export const html = htm.bind(h);
export { h, render, Fragment, createContext, toChildArray };
export {
  useState, useEffect, useLayoutEffect, useMemo, useCallback, useRef, useReducer, useContext, useId,
} from '/vendor/preact-hooks.js';
