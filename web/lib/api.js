// web/lib/api.js: the browser's client for the mstation REST API (/api/v1).
//
// Every call goes through request(): JSON in and out, the session cookie (same origin), the
// CSRF token on every write, If-Match when the caller passes the ETag it read. Failures are
// thrown as ApiError carrying the RFC 9457 problem document (type slug, detail, field errors,
// request id), which forms and <ErrorBox> display. Two failures are handled here, once for
// the whole app:
//   - 403 csrf-failed: the token is stale (another tab signed in again); fetch a fresh one
//     from GET /users/me and retry the write once;
//   - 401: the session ended or expired; the handler installed by the app goes to sign-in.
// It deliberately knows nothing about pages or components.

const PROBLEM_PREFIX = 'urn:mstation:problem:';

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrf(token) {
  csrfToken = token || null;
}

// The current CSRF token, for requests made outside request() (tus uploads).
export function csrf() {
  return csrfToken;
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.type = problem.type || '';
    this.slug = this.type.startsWith(PROBLEM_PREFIX) ? this.type.slice(PROBLEM_PREFIX.length) : this.type;
    this.detail = problem.detail || '';
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.request_id || '';
  }
}

export function query(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// An ETag for a list item: the server's ETag of an object is its quoted version.
export function etagOf(obj) {
  return obj && obj.version !== undefined ? `"${obj.version}"` : undefined;
}

async function parse(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  if (/json/.test(res.headers.get('content-type') || '')) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return null;
}

// request(method, path, opts) -> { data, etag, status }
//   opts.body     JSON body (object)
//   opts.query    query parameters (object; empty values are left out)
//   opts.etag     sent as If-Match
//   opts.auth     false: a 401 is the caller's to handle (sign-in, public pages)
export async function request(method, path, opts = {}) {
  const { body, etag, auth = true, retried = false } = opts;
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (etag) headers['If-Match'] = etag;
  let res;
  try {
    res = await fetch(path + query(opts.query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { type: PROBLEM_PREFIX + 'network', detail: e.message });
  }
  const data = await parse(res);
  if (res.ok) return { data, etag: res.headers.get('ETag'), status: res.status };
  const err = new ApiError(res.status, data || { title: res.statusText });
  if (res.status === 403 && err.slug === 'csrf-failed' && !retried) {
    const me = await request('GET', '/api/v1/users/me', { auth });
    setCsrf(me.data && me.data.csrf_token);
    return request(method, path, { ...opts, retried: true });
  }
  if (res.status === 401 && auth && unauthorizedHandler) unauthorizedHandler(err);
  throw err;
}

export const api = {
  request,
  async get(path, q, opts) {
    return (await request('GET', path, { ...opts, query: q })).data;
  },
  async post(path, body = {}, opts) {
    return (await request('POST', path, { ...opts, body })).data;
  },
  async patch(path, body, opts) {
    return (await request('PATCH', path, { ...opts, body })).data;
  },
  async del(path, opts) {
    return (await request('DELETE', path, opts)).data;
  },
};

export function uuidLike(s) {
  return typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
