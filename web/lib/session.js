// web/lib/session.js: who is signed in and which organization they are working in.
//
// `session` holds { status: 'loading' | 'anon' | 'ready', me, meEtag, orgId, ended }. `me` is
// GET /users/me (profile, orgs with my role, csrf_token), meEtag its ETag. The current organization is
// remembered in localStorage per browser; when it is gone (left, removed) the first of the
// user's organizations takes its place. The CSRF token goes to the API client, never to
// storage: after a reload it comes again from /users/me.
import { api, setCsrf } from './api.js';
import { createStore, useStore } from './store.js';
import { setLocale } from './i18n.js';
import { uiLanguage } from './format.js';

const ORG_KEY = 'mstation.org';

export const session = createStore({ status: 'loading', me: null, orgId: null, ended: null });

export function useSession() {
  return useStore(session);
}

function storedOrg() {
  try {
    return localStorage.getItem(ORG_KEY);
  } catch {
    return null;
  }
}

function pickOrg(me, wanted) {
  const orgs = me.orgs || [];
  if (wanted && orgs.some((o) => o.id === wanted)) return wanted;
  const s = storedOrg();
  if (s && orgs.some((o) => o.id === s)) return s;
  return orgs.length ? orgs[0].id : null;
}

function applyMe(me, etag, wantedOrg) {
  setCsrf(me.csrf_token);
  setLocale(uiLanguage(me.locale));
  const orgId = pickOrg(me, wantedOrg || session.get().orgId);
  session.set({ status: 'ready', me, meEtag: etag, orgId, ended: null });
  return me;
}

// Load the signed-in user; resolves to null when nobody is signed in.
export async function loadMe(wantedOrg) {
  try {
    const r = await api.request('GET', '/api/v1/users/me', { auth: false });
    return applyMe(r.data, r.etag, wantedOrg);
  } catch (e) {
    if (e.status === 401) {
      setCsrf(null);
      session.set({ status: 'anon', me: null });
      return null;
    }
    throw e;
  }
}

export async function signIn(email, password) {
  const r = await api.post('/api/v1/sessions', { email, password }, { auth: false });
  setCsrf(r.csrf_token);
  return loadMe();
}

export async function signOut() {
  try {
    await api.del('/api/v1/sessions/current', { auth: false });
  } catch {
    // Already ended: signing out is done either way.
  }
  setCsrf(null);
  session.set({ status: 'anon', me: null, ended: null });
}

// The session ended under us (401 from any call): remember why, for the sign-in page.
export function sessionEnded(err) {
  setCsrf(null);
  session.set({ status: 'anon', me: null, ended: err ? err.slug || 'ended' : 'ended' });
}

export function setCurrentOrg(id) {
  try {
    localStorage.setItem(ORG_KEY, id);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (session.get().orgId !== id) session.set({ orgId: id });
}

export function currentOrg() {
  const { me, orgId } = session.get();
  return (me && me.orgs.find((o) => o.id === orgId)) || null;
}

export function myOrgRole(orgId) {
  const { me } = session.get();
  const o = me && me.orgs.find((x) => x.id === orgId);
  return o ? o.role : null;
}

export const isOrgAdmin = (role) => role === 'owner' || role === 'admin';
export const canCreateProjects = (role) => role === 'owner' || role === 'admin' || role === 'member';
