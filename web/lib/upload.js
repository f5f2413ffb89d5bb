// web/lib/upload.js: the browser's upload queue: files go to the server by tus 1.0.0
// (POST /api/v1/uploads, then PATCHes) through tus-js-client, three at a time, each with its
// own progress, and each resumable: tus-js-client remembers an upload's URL in localStorage
// under a fingerprint (project, folder, name, size, modification time), so the same file
// dropped again after a reload, a crash or a failure carries on from the server's offset
// instead of starting over. The final PATCH answers X-Asset-Id / X-Asset-Version: the new
// asset version, kept on the item so the UI can open it.
//
// `uploads` is a store: { items: [{ id, projectId, folder, name, size, sent, state, error,
// assetId, version, resumed }] } with state queued | uploading | finishing | paused | done |
// error | canceled. The library (vendor/tus.js, ~90 KB) is loaded on the first upload, so
// pages that never upload do not pay for it. Not a UI: the tray and the drop zone live in
// web/assets/.
import { createStore } from './store.js';
import { api, csrf, setCsrf } from './api.js';

export const CONCURRENCY = 3;
// One PATCH per 32 MiB: each is made durable by the server before it answers, so an
// interrupted upload loses at most one piece, and the progress bar moves request by request.
const CHUNK = 32 * 1024 * 1024;

export const uploads = createStore({ items: [] });
const handles = new Map(); // item id -> { file, upload }
const finished = new Set(); // callbacks (item) on every completed upload
let seq = 0;
let tusLib = null;

async function loadTus() {
  if (!tusLib) tusLib = (await import('/vendor/tus.js')).default;
  return tusLib;
}

function patch(id, p) {
  uploads.set((s) => ({ items: s.items.map((x) => (x.id === id ? { ...x, ...p } : x)) }));
}

function item(id) {
  return uploads.get().items.find((x) => x.id === id);
}

export const isActive = (x) => x.state === 'queued' || x.state === 'uploading' || x.state === 'finishing';

// Subscribe to completed uploads; returns the unsubscribe function.
export function onUploaded(fn) {
  finished.add(fn);
  return () => finished.delete(fn);
}

// Add files: entries [{ file, folder, name? }] (name: the asset's file name when it differs
// from the file's own, as for a new version of an existing asset).
export function enqueue(projectId, entries) {
  const added = entries.map(({ file, folder, name }) => {
    const id = `u${Date.now().toString(36)}${(seq++).toString(36)}`;
    handles.set(id, { file, upload: null });
    return {
      id, projectId, folder: folder || '/', name: name || file.name, size: file.size, sent: 0,
      state: 'queued', error: null, assetId: null, version: null, resumed: false,
    };
  });
  uploads.set((s) => ({ items: [...s.items, ...added] }));
  pump();
  return added.map((x) => x.id);
}

function pump() {
  const items = uploads.get().items;
  let running = items.filter((x) => x.state === 'uploading' || x.state === 'finishing').length;
  for (const x of items) {
    if (running >= CONCURRENCY) break;
    if (x.state !== 'queued') continue;
    running++;
    patch(x.id, { state: 'uploading', error: null });
    start(x.id).catch((e) => fail(x.id, e));
  }
}

// The problem document's detail from a failed tus request, or the library's message.
function messageOf(err) {
  const res = err && err.originalResponse;
  if (res) {
    try {
      const p = JSON.parse(res.getBody() || '{}');
      if (p.detail) return p.detail;
    } catch {
      // Not JSON.
    }
    if (res.getStatus()) return `HTTP ${res.getStatus()}`;
  }
  const m = /response text: (.*?), request id/.exec((err && err.message) || '');
  return m ? m[1] : (err && err.message) || String(err);
}

function fail(id, err) {
  if (!item(id) || item(id).state === 'canceled' || item(id).state === 'paused') return;
  patch(id, { state: 'error', error: messageOf(err) });
  pump();
}

async function start(id) {
  const h = handles.get(id);
  const it = item(id);
  if (!h || !it) return;
  const tus = await loadTus();
  if (h.upload) {
    // Paused or failed earlier: the same Upload knows its URL and asks the server's offset.
    h.upload.start();
    return;
  }
  const upload = new tus.Upload(h.file, {
    endpoint: `${location.origin}/api/v1/uploads`,
    chunkSize: CHUNK,
    retryDelays: [0, 1000, 3000, 6000, 12000],
    metadata: { filename: it.name, project_id: it.projectId, folder: it.folder, filetype: h.file.type || '' },
    // Read at every request (tus-js-client copies the headers for each one), so a token
    // renewed since the queue started is the one sent.
    headers: {
      get 'X-CSRF-Token'() {
        return csrf() || '';
      },
    },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: (file) => Promise.resolve(['mstation-tus', it.projectId, it.folder, it.name, file.size,
      file.lastModified || 0].join('|')),
    onShouldRetry: (err, attempt, options) => {
      const res = err && err.originalResponse;
      const status = res ? res.getStatus() : 0;
      // The token is stale (another tab signed in again): fetch the current one, try again.
      if (status === 403 && /csrf-failed/.test(res.getBody() || '')) {
        if (attempt > 1) return false;
        api.get('/api/v1/users/me', {}, { auth: false }).then((me) => setCsrf(me.csrf_token), () => {});
        return true;
      }
      // tus-js-client's rule: retry what is not a client error, and 409/423 (busy, offset).
      return !status || status >= 500 || status === 409 || status === 423 || status === 429 ? attempt < options.retryDelays.length : false;
    },
    onAfterResponse: (req, res) => {
      const assetId = res.getHeader('X-Asset-Id');
      if (assetId) patch(id, { assetId, version: Number(res.getHeader('X-Asset-Version')) || null });
    },
    onProgress: (sent, total) => {
      const cur = item(id);
      if (!cur || cur.state === 'canceled' || cur.state === 'paused') return;
      // All bytes sent: the server now chunks, hashes and stores the file before it answers.
      patch(id, { sent, state: sent >= total && total > 0 ? 'finishing' : 'uploading' });
    },
    onSuccess: () => {
      patch(id, { state: 'done', sent: it.size });
      handles.delete(id);
      const done = item(id);
      for (const f of [...finished]) {
        try {
          f(done);
        } catch {
          // A listener's failure is not the upload's.
        }
      }
      pump();
    },
    onError: (err) => fail(id, err),
  });
  h.upload = upload;
  const previous = await upload.findPreviousUploads();
  if (previous.length) {
    upload.resumeFromPreviousUpload(previous[0]);
    patch(id, { resumed: true });
  }
  if (item(id) && item(id).state === 'uploading') upload.start();
}

// Stop for now; the server keeps what it has (resume() carries on from there).
export function pause(id) {
  const h = handles.get(id);
  const it = item(id);
  if (!it || !(it.state === 'uploading' || it.state === 'queued')) return;
  patch(id, { state: 'paused' });
  if (h && h.upload) h.upload.abort(false);
  pump();
}

export function resume(id) {
  const it = item(id);
  if (!it || !(it.state === 'paused' || it.state === 'error')) return;
  patch(id, { state: 'queued', error: null });
  pump();
}

// Give up: the server deletes what it received (tus termination), the fingerprint is forgotten.
export function cancel(id) {
  const h = handles.get(id);
  const it = item(id);
  if (!it || it.state === 'done' || it.state === 'canceled') return;
  patch(id, { state: 'canceled' });
  if (h && h.upload) h.upload.abort(true).catch(() => {});
  handles.delete(id);
  pump();
}

export function cancelAll() {
  for (const x of uploads.get().items) if (isActive(x) || x.state === 'paused') cancel(x.id);
}

// Drop finished, canceled (and, with all = true, failed) items from the list.
export function clearFinished({ all = false } = {}) {
  uploads.set((s) => ({
    items: s.items.filter((x) => {
      const gone = x.state === 'done' || x.state === 'canceled' || (all && x.state === 'error');
      if (gone) handles.delete(x.id);
      return !gone;
    }),
  }));
}

export function summary(items = uploads.get().items) {
  const total = items.filter((x) => x.state !== 'canceled');
  const bytes = total.reduce((n, x) => n + x.size, 0);
  const sent = total.reduce((n, x) => n + (x.state === 'done' ? x.size : x.sent), 0);
  return {
    count: total.length,
    done: total.filter((x) => x.state === 'done').length,
    active: items.filter(isActive).length,
    failed: items.filter((x) => x.state === 'error').length,
    fraction: bytes ? sent / bytes : total.length ? 1 : 0,
  };
}

// Leaving the page while bytes are in flight loses the upload's place in this queue (the
// server keeps the bytes, and dropping the same file again resumes): ask first.
if (typeof window !== 'undefined') {
  window.addEventListener('beforeunload', (e) => {
    if (uploads.get().items.some(isActive)) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
}

// Files from a drop, folders included: DataTransferItem.webkitGetAsEntry() walks dropped
// directories, so their files come with their relative paths ("Day 1/A001.mov") which the
// caller turns into sub-folders. Plain files have relPath "".
export async function filesFromDrop(dataTransfer) {
  const items = Array.from(dataTransfer.items || []);
  const entries = items.map((it) => (it.kind === 'file' && it.webkitGetAsEntry ? it.webkitGetAsEntry() : null));
  if (!entries.some(Boolean)) return Array.from(dataTransfer.files || []).map((file) => ({ file, relPath: '' }));
  const out = [];
  const fileOf = (entry) => new Promise((res, rej) => entry.file(res, rej));
  const readAll = async (dir) => {
    const reader = dir.createReader();
    const all = [];
    // readEntries returns at most 100 at a time: call until it returns nothing.
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      all.push(...batch);
    }
    return all;
  };
  const walk = async (entry, path) => {
    if (entry.isFile) {
      out.push({ file: await fileOf(entry), relPath: path });
    } else if (entry.isDirectory) {
      const sub = path ? `${path}/${entry.name}` : entry.name;
      for (const child of await readAll(entry)) {
        if (child.name.startsWith('.')) continue; // .DS_Store and friends
        await walk(child, sub);
      }
    }
  };
  for (const e of entries) if (e) await walk(e, '');
  return out;
}

// Files from <input type="file" webkitdirectory>: webkitRelativePath is "Folder/sub/name".
export function filesFromInput(fileList) {
  return Array.from(fileList || [])
    .filter((file) => !file.name.startsWith('.'))
    .map((file) => {
      const rel = file.webkitRelativePath || '';
      return { file, relPath: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '' };
    });
}
