// web/assets/page.js: a project's Assets tab (/projects/<id>/assets?folder=/EP01&asset=<id>).
//
// Left, the folder tree: folders are implicit on the server (an asset's `folder`), so the tree
// is derived from every asset's folder (the whole project, paged), plus folders made here
// that have no file yet. Middle, the current folder's sub-folders and assets as a grid of
// thumbnails or a table, with filters (kind, name, 4K/HD, HDR, codec; any filter searches the
// sub-folders too). Right, the selected asset's detail panel (detail.js). Files and whole
// folders dropped anywhere on the page, or picked, go to the upload queue (lib/upload.js),
// folders keeping their relative paths as sub-folders of the current one.
//
// The URL carries the state (folder, asset, view, filters), so every view has a link and
// the back button works. Assets whose probe or previews are still being made are polled.
import { html, useState, useEffect, useMemo, useRef } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { Dialog } from '/lib/dialog.js';
import { navigate, useRoute } from '/lib/router.js';
import { usePaged, useDebounced, Badge, Empty, ErrorBox, Loading, LoadMore, Menu, Spinner } from '/lib/ui.js';
import { enqueue, onUploaded, filesFromDrop, filesFromInput } from '/lib/upload.js';
import { fmtBytes, fmtClock, fmtCodec, fmtFps, fmtResolution, folderJoin, folderName, folderParent, folderParts, folderWithin } from '/lib/media.js';
import { stylesReady, ASSET_KINDS, KindIcon, Thumb, assetKindLabel, isProcessing, pictureBadges, probeLine, versionLabel } from './common.js';
import { FramePreview, useSprite } from '/lib/player.js';
import { AssetDetail } from './detail.js';

await stylesReady;

const CODECS = [['h264', 'H.264'], ['hevc', 'HEVC'], ['prores', 'ProRes'], ['dnxhd', 'DNxHD'], ['av1', 'AV1'], ['vp9', 'VP9'], ['mpeg2video', 'MPEG-2']];
const RESOLUTIONS = { hd: 1920, '4k': 3840, '8k': 7680 };
const TREE_PAGES = 20; // 20 × 500 assets: the tree of a very large project may miss folders

// ---- URL state. ----

function normFolder(f) {
  return folderJoin(f || '/');
}

function useParams() {
  const { path, search } = useRoute();
  const sp = new URLSearchParams(search);
  const params = {
    folder: normFolder(sp.get('folder')),
    asset: sp.get('asset') || '',
    view: sp.get('view') === 'list' ? 'list' : 'grid',
    kind: sp.get('kind') || '',
    q: sp.get('q') || '',
    res: sp.get('res') || '',
    hdr: sp.get('hdr') || '',
    codec: sp.get('codec') || '',
  };
  // set(patch, {replace, keepScroll}): a new URL with the patch applied (defaults left out).
  const set = (p, { replace = false, keepScroll = false } = {}) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(p)) {
      if (v === '' || v === null || v === undefined || (k === 'folder' && v === '/') || (k === 'view' && v === 'grid')) next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    const y = window.scrollY;
    navigate(path + (s ? `?${s}` : ''), { replace });
    if (keepScroll) window.scrollTo(0, y);
  };
  return [params, set, path];
}

function hrefWith(path, search, p) {
  const next = new URLSearchParams(search);
  for (const [k, v] of Object.entries(p)) {
    if (v === '' || v === null || v === undefined || (k === 'folder' && v === '/')) next.delete(k);
    else next.set(k, v);
  }
  const s = next.toString();
  return path + (s ? `?${s}` : '');
}

// ---- The folder tree. ----

// Every folder of the project, with the number of assets directly in it.
function useFolders(projectId, version) {
  const [state, setState] = useState({ counts: new Map(), loading: true, error: null, partial: false });
  useEffect(() => {
    let live = true;
    (async () => {
      const counts = new Map([['/', 0]]);
      let cursor = null;
      let pages = 0;
      try {
        do {
          const page = await api.get(`/api/v1/projects/${projectId}/assets`, { folder: '/', recursive: 'true', limit: 500, cursor });
          for (const a of page.items || []) {
            counts.set(a.folder, (counts.get(a.folder) || 0) + 1);
            // Ancestors exist too, with no file of their own.
            let f = folderParent(a.folder);
            while (!counts.has(f)) {
              counts.set(f, 0);
              f = folderParent(f);
            }
          }
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < TREE_PAGES && live);
        if (live) setState({ counts, loading: false, error: null, partial: !!cursor });
      } catch (error) {
        if (live) setState((s) => ({ ...s, loading: false, error }));
      }
    })();
    return () => {
      live = false;
    };
  }, [projectId, version]);
  return state;
}

function childrenOf(all, parent) {
  const depth = folderParts(parent).length + 1;
  return [...all].filter((f) => f !== '/' && folderParts(f).length === depth && folderWithin(f, parent))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

function TreeNode({ folder, all, counts, current, open, toggle, hrefFor }) {
  const kids = childrenOf(all, folder);
  const isOpen = open.has(folder) || folderWithin(current, folder);
  const active = current === folder;
  const n = counts.get(folder);
  return html`<li role="treeitem" aria-expanded=${kids.length ? (isOpen ? 'true' : 'false') : undefined} aria-selected=${active ? 'true' : 'false'}>
    <div class=${`tree-row ${active ? 'active' : ''}`}>
      ${kids.length ? html`<button type="button" class="tree-toggle" aria-label=${isOpen ? t('assets.collapse') : t('assets.expand')}
          onClick=${() => toggle(folder, !isOpen)}><${Icon} name=${isOpen ? 'chevronDown' : 'chevronRight'} size=${12} /></button>`
        : html`<span class="tree-toggle"></span>`}
      <a class="tree-link" href=${hrefFor(folder)} title=${folder} data-folder=${folder}>
        <${Icon} name="folder" size=${15} />
        <span class="truncate">${folder === '/' ? t('assets.root') : folderName(folder)}</span>
        ${n ? html`<span class="tree-count">${n}</span>` : null}
      </a>
    </div>
    ${kids.length > 0 && isOpen && html`<ul role="group">${kids.map((k) => html`<${TreeNode} key=${k} folder=${k} all=${all}
      counts=${counts} current=${current} open=${open} toggle=${toggle} hrefFor=${hrefFor} />`)}</ul>`}
  </li>`;
}

function FolderTree({ tree, extra, current, hrefFor }) {
  const [open, setOpen] = useState(() => new Set(['/']));
  const all = useMemo(() => {
    const s = new Set(tree.counts.keys());
    for (const f of [...extra, current]) {
      for (let x = f; x !== '/'; x = folderParent(x)) s.add(x);
    }
    s.add('/');
    return s;
  }, [tree.counts, extra, current]);
  const toggle = (f, on) => setOpen((o) => {
    const n = new Set(o);
    if (on) n.add(f);
    else n.delete(f);
    return n;
  });
  return html`<nav class="assets-tree" aria-label=${t('assets.folders')}>
    <div class="assets-tree-head">${t('assets.folders')}${tree.loading && html`<${Spinner} />`}</div>
    ${tree.error && html`<${ErrorBox} error=${tree.error} />`}
    <ul class="tree" role="tree">
      <${TreeNode} folder="/" all=${all} counts=${tree.counts} current=${current} open=${open} toggle=${toggle} hrefFor=${hrefFor} />
    </ul>
    ${tree.partial && html`<p class="muted small tree-note">${t('assets.tree_partial')}</p>`}
  </nav>`;
}

function Crumbs({ folder, hrefFor }) {
  const parts = folderParts(folder);
  return html`<nav class="assets-crumbs" aria-label=${t('assets.path')}>
    <a href=${hrefFor('/')} class=${parts.length ? '' : 'current'}><${Icon} name="folder" size=${15} />${t('assets.root')}</a>
    ${parts.map((p, i) => {
      const f = `/${parts.slice(0, i + 1).join('/')}`;
      const last = i === parts.length - 1;
      return html`<${Icon} name="chevronRight" size=${12} class="faint" />
        ${last ? html`<span class="current truncate" title=${p} aria-current="page">${p}</span>`
          : html`<a href=${hrefFor(f)} class="truncate" title=${p}>${p}</a>`}`;
    })}
  </nav>`;
}

// ---- Grid and table. ----

function FolderTile({ folder, href, count }) {
  return html`<a class="folder-tile" href=${href} data-testid="folder-tile" title=${folder}>
    <span class="folder-tile-icon"><${Icon} name="folder" size=${22} /></span>
    <span class="folder-tile-main">
      <span class="folder-tile-name truncate">${folderName(folder)}</span>
      ${count ? html`<span class="muted small">${t('assets.n_files', { n: count })}</span>` : null}
    </span>
  </a>`;
}

// Hover scrubbing on a video's thumbnail: the filmstrip frame under the mouse. The list does
// not say whether a filmstrip exists (nor its geometry), so the first hover asks the asset;
// the answer is kept per version (a miss is asked again next time: it may be made by then).
const filmstrips = new Map();
function filmstripOf(a) {
  if (!filmstrips.has(a.version_id)) {
    filmstrips.set(a.version_id, api.get(`/api/v1/assets/${a.id}`).then((x) => {
      const d = x.derivatives && x.derivatives.filmstrip;
      const g = d && d.state === 'done' && x.version_id === a.version_id ? d.meta : null;
      if (!g) filmstrips.delete(a.version_id);
      return g;
    }, () => {
      filmstrips.delete(a.version_id);
      return null;
    }));
  }
  return filmstrips.get(a.version_id);
}

function AssetCard({ a, selected, onOpen, href, showFolder }) {
  const badges = pictureBadges(a);
  const [strip, setStrip] = useState(null); // { version, geometry }
  const [tile, setTile] = useState(null);
  const canScrub = a.kind === 'video' && !!a.thumbnail_url && !!a.proxy_url;
  // Only the filmstrip of the version on screen (a new version may have come in since).
  const geometry = canScrub && strip && strip.version === a.version_id ? strip.geometry : null;
  const film = useSprite(geometry ? `/api/v1/assets/${a.id}/derivatives/filmstrip?v=${a.version_id}` : null);
  const scrub = canScrub ? {
    onPointerEnter: (e) => {
      if (e.pointerType !== 'mouse' || geometry) return;
      const version = a.version_id;
      filmstripOf(a).then((g) => g && setStrip({ version, geometry: g }));
    },
    onPointerMove: (e) => {
      if (!geometry || e.pointerType !== 'mouse') return;
      const r = e.currentTarget.getBoundingClientRect();
      const frames = geometry.frames || 1;
      setTile(Math.min(frames - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * frames))));
    },
    onPointerLeave: () => setTile(null),
  } : {};
  return html`<a class=${`asset-card ${selected ? 'selected' : ''}`} href=${href} data-testid="asset-card" data-name=${a.name}
    aria-current=${selected ? 'true' : undefined} onClick=${(e) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      onOpen(a);
    }}>
    <span class="asset-thumb" ...${scrub}>
      <${Thumb} asset=${a} />
      ${film && tile !== null && html`<${FramePreview} film=${film} geometry=${geometry} index=${tile} class="thumb-scrub" />`}
      ${badges.length > 0 && html`<span class="thumb-badges">${badges.map((b) => html`<span key=${b} class="thumb-badge">${b}</span>`)}</span>`}
      ${a.duration && (a.kind === 'video' || a.kind === 'audio') ? html`<span class="thumb-duration">${fmtClock(a.duration)}</span>` : null}
      ${a.current_number > 1 && html`<span class="thumb-version">${versionLabel(a.current_number)}</span>`}
    </span>
    <span class="asset-card-body">
      <span class="asset-card-name" title=${a.name}>${a.name}</span>
      <span class="asset-card-meta truncate">
        <${KindIcon} kind=${a.kind} size=${13} />
        <span class="truncate">${showFolder ? `${a.folder} · ` : ''}${probeLine(a)}</span>
      </span>
    </span>
  </a>`;
}

function AssetTable({ items, folders, selected, onOpen, hrefFor, hrefAsset, showFolder, counts }) {
  return html`<div class="asset-table-wrap">
    <table class="asset-table">
      <thead><tr>
        <th class="col-name">${t('assets.col.name')}</th>
        <th class="col-kind">${t('assets.col.kind')}</th>
        <th class="col-res">${t('assets.col.resolution')}</th>
        <th class="col-fps">${t('assets.col.fps')}</th>
        <th class="col-dur">${t('assets.col.duration')}</th>
        <th class="col-codec">${t('assets.col.codec')}</th>
        <th class="col-size num">${t('assets.col.size')}</th>
        <th class="col-ver">${t('assets.col.version')}</th>
      </tr></thead>
      <tbody>
        ${folders.map((f) => html`<tr key=${`f:${f}`} class="row-folder">
          <td class="col-name" colspan="8"><a class="cell-name" href=${hrefFor(f)} data-testid="folder-row">
            <span class="cell-icon folder"><${Icon} name="folder" size=${16} /></span>
            <span class="truncate">${folderName(f)}</span>
            ${counts.get(f) ? html`<span class="muted small">${t('assets.n_files', { n: counts.get(f) })}</span>` : null}</a></td>
        </tr>`)}
        ${items.map((a) => html`<tr key=${a.id} class=${selected === a.id ? 'selected' : ''} data-testid="asset-row">
          <td class="col-name"><a class="cell-name" href=${hrefAsset(a)} title=${a.name} onClick=${(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            onOpen(a);
          }}>
            <span class="cell-thumb"><${Thumb} asset=${a} size="sm" /></span>
            <span class="cell-name-text">
              <span class="truncate">${a.name}</span>
              ${showFolder && html`<span class="muted small truncate">${a.folder}</span>`}
            </span>
          </a></td>
          <td class="col-kind">${assetKindLabel(a.kind)}</td>
          <td class="col-res">${fmtResolution(a.width, a.height)}${pictureBadges(a).map((b) => html` <${Badge} kind="accent">${b}<//>`)}</td>
          <td class="col-fps">${fmtFps(a.fps)}</td>
          <td class="col-dur mono">${a.duration ? fmtClock(a.duration) : ''}</td>
          <td class="col-codec">${fmtCodec(a.video_codec || a.audio_codec)}</td>
          <td class="col-size num">${fmtBytes(a.size)}</td>
          <td class="col-ver mono">${versionLabel(a.current_number)}</td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

// ---- Uploading. ----

function NewFolderDialog({ parent, onClose, onCreate }) {
  const [name, setName] = useState('');
  const [err, setErr] = useState('');
  const submit = (e) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return setErr(t('form.required'));
    if (/[/\\]/.test(n) || n === '.' || n === '..') return setErr(t('assets.folder_bad_name'));
    onCreate(folderJoin(parent, n));
    return undefined;
  };
  return html`<${Dialog} title=${t('assets.new_folder')} size="sm" onClose=${onClose}
    footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
      <button type="submit" form="new-folder-form" class="btn btn-primary">${t('assets.create_folder')}</button>`}>
    <form id="new-folder-form" class="form" onSubmit=${submit} novalidate>
      <div class=${`field ${err ? 'has-error' : ''}`}>
        <label class="field-label" for="new-folder-name">${t('assets.folder_name')}</label>
        <input id="new-folder-name" class="input" value=${name} autofocus onInput=${(e) => {
          setName(e.target.value);
          setErr('');
        }} />
        ${err ? html`<div class="field-error" role="alert">${err}</div>` : html`<div class="field-hint">${t('assets.new_folder_hint', { parent: parent === '/' ? t('assets.root') : parent })}</div>`}
      </div>
    </form>
  <//>`;
}

// ---- The page. ----

export default function AssetsPage({ project }) {
  const [p, set, path] = useParams();
  const { search } = useRoute();
  const canEdit = project.access.level === 'edit' || project.access.level === 'manage';
  const [treeVersion, setTreeVersion] = useState(0);
  const tree = useFolders(project.id, treeVersion);
  const [extra, setExtra] = useState([]);
  const [newFolder, setNewFolder] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [q, setQ] = useState(p.q);
  const dq = useDebounced(q, 300);
  const fileInput = useRef(null);
  const dirInput = useRef(null);
  const dragDepth = useRef(0);

  useEffect(() => {
    if (dq !== p.q) set({ q: dq }, { replace: true, keepScroll: true });
  }, [dq]);
  useEffect(() => setQ(p.q), [p.q]);

  const filtered = !!(p.kind || p.q || p.res || p.hdr || p.codec);
  const listQuery = {
    folder: p.folder,
    recursive: filtered ? 'true' : undefined,
    kind: p.kind || undefined,
    name: p.q || undefined,
    min_width: RESOLUTIONS[p.res] || undefined,
    hdr: p.hdr || undefined,
    video_codec: p.codec || undefined,
    limit: 100,
  };
  const key = JSON.stringify(listQuery);
  // The items on screen belong to the query that last answered: while another folder or
  // filter loads, the old folder's files are not shown as if they were the new one's.
  const keyNow = useRef(key);
  keyNow.current = key;
  const answered = useRef(null);
  const paged = usePaged((cursor) => {
    const k = key;
    const done = () => {
      if (keyNow.current === k) answered.current = k;
    };
    return api.get(`/api/v1/projects/${project.id}/assets`, { ...listQuery, cursor }).then((page) => {
      done();
      return page;
    }, (e) => {
      done();
      throw e;
    });
  }, [project.id, key]);

  // Refresh after uploads into this project (several finishing together: once).
  const refreshTimer = useRef(null);
  const pagedRef = useRef(paged);
  pagedRef.current = paged;
  useEffect(() => onUploaded((item) => {
    if (item.projectId !== project.id) return;
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => {
      pagedRef.current.reload();
      setTreeVersion((v) => v + 1);
    }, 800);
  }), [project.id]);
  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  // Poll assets whose probe or previews are being made.
  const pending = paged.items.filter(isProcessing).map((a) => a.id).slice(0, 24);
  const pendingKey = pending.join(',');
  useEffect(() => {
    if (!pending.length) return undefined;
    const timer = setTimeout(async () => {
      const fresh = await Promise.all(pending.map((id) => api.get(`/api/v1/assets/${id}`).catch(() => null)));
      const byId = new Map(fresh.filter(Boolean).map((a) => [a.id, a]));
      // Whole objects, not merged: a key the server leaves out (thumbnail_url of a version whose
      // thumbnail is not made yet) must not survive from the older copy.
      paged.setItems((xs) => xs.map((x) => byId.get(x.id) || x));
    }, 1500);
    return () => clearTimeout(timer);
  }, [pendingKey, paged.items]);

  const hrefFor = (folder) => hrefWith(path, search, { folder, asset: '' });
  const hrefAsset = (a) => hrefWith(path, search, { asset: a.id });
  const open = (a) => set({ asset: a.id }, { keepScroll: true });

  const allFolders = useMemo(() => {
    const s = new Set(tree.counts.keys());
    for (const f of extra) s.add(f);
    return s;
  }, [tree.counts, extra]);
  const subfolders = filtered ? [] : childrenOf(allFolders, p.folder);

  const addFiles = (list) => {
    if (!list.length) return;
    enqueue(project.id, list.map(({ file, relPath }) => ({ file, folder: folderJoin(p.folder, relPath) })));
  };

  const dropProps = canEdit ? {
    onDragEnter: (e) => {
      if (!Array.from(e.dataTransfer.types || []).includes('Files')) return;
      e.preventDefault();
      dragDepth.current++;
      setDragging(true);
    },
    onDragOver: (e) => {
      if (!Array.from(e.dataTransfer.types || []).includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: () => {
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (!dragDepth.current) setDragging(false);
    },
    onDrop: async (e) => {
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      addFiles(await filesFromDrop(e.dataTransfer));
    },
  } : {};

  const clearFilters = () => {
    setQ('');
    set({ kind: '', q: '', res: '', hdr: '', codec: '' }, { replace: true });
  };
  const select = (name, value, options, label) => html`<select class=${`input select select-sm filter ${value ? 'is-set' : ''}`}
    aria-label=${label} value=${value} onChange=${(e) => set({ [name]: e.target.value }, { replace: true, keepScroll: true })}>
    ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
  </select>`;

  const loadingFirst = answered.current !== key;
  const empty = !loadingFirst && !paged.error && paged.items.length === 0 && subfolders.length === 0;
  const zipHref = `/api/v1/projects/${project.id}/folders/zip?${new URLSearchParams({ folder: p.folder, mhl: 'true' })}`;

  return html`<div class=${`assets-layout ${p.asset ? 'has-detail' : ''}`} ...${dropProps} data-testid="assets-page">
    <${FolderTree} tree=${tree} extra=${extra} current=${p.folder} hrefFor=${hrefFor} />
    <section class="assets-main" aria-label=${t('assets.files')}>
      <div class="assets-bar">
        <${Crumbs} folder=${p.folder} hrefFor=${hrefFor} />
        <div class="assets-actions">
          ${canEdit && html`<button type="button" class="btn btn-sm" onClick=${() => setNewFolder(true)}>
            <${Icon} name="folderPlus" /><span class="hide-phone">${t('assets.new_folder')}</span></button>`}
          <a class="btn btn-sm" href=${zipHref} download data-native title=${t('assets.download_zip_hint')}>
            <${Icon} name="download" /><span class="hide-phone">${t('assets.download_zip')}</span></a>
          ${canEdit && html`<${Menu} label=${t('assets.upload')} class="upload-menu"
              trigger=${html`<span class="btn btn-sm btn-primary"><${Icon} name="upload" />${t('assets.upload')}<${Icon} name="chevronDown" size=${12} /></span>`}>
            <button type="button" class="menu-item" role="menuitem" onClick=${() => fileInput.current.click()}><${Icon} name="file" />${t('assets.upload_files')}</button>
            <button type="button" class="menu-item" role="menuitem" onClick=${() => dirInput.current.click()}><${Icon} name="folder" />${t('assets.upload_folder')}</button>
          <//>`}
          <input ref=${fileInput} type="file" multiple class="offscreen" tabindex="-1" aria-hidden="true" data-testid="upload-files"
            onChange=${(e) => {
              addFiles(filesFromInput(e.target.files).map((x) => ({ ...x, relPath: '' })));
              e.target.value = '';
            }} />
          <input ref=${dirInput} type="file" multiple webkitdirectory class="offscreen" tabindex="-1" aria-hidden="true" data-testid="upload-folder"
            onChange=${(e) => {
              addFiles(filesFromInput(e.target.files));
              e.target.value = '';
            }} />
        </div>
      </div>
      <div class="assets-filters" role="search">
        <label class="search search-sm">
          <${Icon} name="search" class="muted" />
          <input class="search-input" type="search" value=${q} placeholder=${t('assets.search')} aria-label=${t('assets.search')}
            onInput=${(e) => setQ(e.target.value)} data-testid="asset-search" />
        </label>
        ${select('kind', p.kind, [['', t('assets.all_kinds')], ...ASSET_KINDS.map((k) => [k, assetKindLabel(k)])], t('assets.col.kind'))}
        ${select('res', p.res, [['', t('assets.any_resolution')], ['hd', t('assets.res_hd')], ['4k', t('assets.res_4k')], ['8k', t('assets.res_8k')]], t('assets.col.resolution'))}
        ${select('hdr', p.hdr, [['', t('assets.any_range')], ['any', 'HDR'], ['none', 'SDR'], ['PQ', 'HDR PQ'], ['HLG', 'HDR HLG']], t('assets.dynamic_range'))}
        ${select('codec', p.codec, [['', t('assets.any_codec')], ...CODECS], t('assets.col.codec'))}
        ${filtered && html`<button type="button" class="btn btn-sm btn-ghost" onClick=${clearFilters}><${Icon} name="x" />${t('assets.clear_filters')}</button>`}
        <span class="toolbar-spacer"></span>
        <div class="segmented" role="group" aria-label=${t('assets.view')}>
          <button type="button" class=${`seg ${p.view === 'grid' ? 'on' : ''}`} aria-pressed=${p.view === 'grid' ? 'true' : 'false'}
            title=${t('assets.view_grid')} aria-label=${t('assets.view_grid')} onClick=${() => set({ view: 'grid' }, { replace: true, keepScroll: true })}><${Icon} name="grid" /></button>
          <button type="button" class=${`seg ${p.view === 'list' ? 'on' : ''}`} aria-pressed=${p.view === 'list' ? 'true' : 'false'}
            title=${t('assets.view_list')} aria-label=${t('assets.view_list')} onClick=${() => set({ view: 'list' }, { replace: true, keepScroll: true })}><${Icon} name="list" /></button>
        </div>
      </div>
      ${filtered && html`<p class="muted small assets-scope">${t('assets.searching_in', { folder: p.folder === '/' ? t('assets.root') : p.folder })}</p>`}
      ${paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
        : loadingFirst ? html`<${Loading} />`
        : empty ? html`<div class="assets-empty">${filtered
          ? html`<${Empty} icon="search" title=${t('assets.no_match')}><button type="button" class="btn btn-sm" onClick=${clearFilters}>${t('assets.clear_filters')}</button><//>`
          : html`<${Empty} icon="upload" title=${t('assets.empty_title')}>${canEdit ? t('assets.empty_body') : t('assets.empty_view')}<//>`}</div>`
        : p.view === 'list'
          ? html`<${AssetTable} items=${paged.items} folders=${subfolders} selected=${p.asset} onOpen=${open}
              hrefFor=${hrefFor} hrefAsset=${hrefAsset} showFolder=${filtered} counts=${tree.counts} />`
          : html`<div class="asset-grid">
              ${subfolders.map((f) => html`<${FolderTile} key=${`f:${f}`} folder=${f} href=${hrefFor(f)} count=${tree.counts.get(f)} />`)}
              ${paged.items.map((a) => html`<${AssetCard} key=${a.id} a=${a} selected=${p.asset === a.id} onOpen=${open}
                href=${hrefAsset(a)} showFolder=${filtered && a.folder !== p.folder} />`)}
            </div>`}
      <${LoadMore} paged=${paged} />
      ${canEdit && html`<p class="assets-drop-hint muted small"><${Icon} name="upload" size=${14} />${t('assets.drop_hint')}</p>`}
    </section>
    ${p.asset && html`<${AssetDetail} key=${p.asset} id=${p.asset} project=${project} canEdit=${canEdit}
      onClose=${() => set({ asset: '' }, { keepScroll: true })}
      hrefFor=${hrefFor}
      onChanged=${(a) => {
        const before = paged.items.find((x) => x.id === a.id);
        paged.setItems((xs) => xs.map((x) => (x.id === a.id ? a : x)));
        // Renamed or moved: the folder's listing and the tree change.
        if (before && (before.folder !== a.folder || before.name !== a.name)) {
          setTreeVersion((v) => v + 1);
          if (before.folder !== a.folder) paged.reload();
        }
      }}
      onDeleted=${(id) => {
        paged.setItems((xs) => xs.filter((x) => x.id !== id));
        setTreeVersion((v) => v + 1);
        set({ asset: '' }, { replace: true, keepScroll: true });
      }} />`}
    ${dragging && html`<div class="drop-overlay" aria-hidden="true">
      <div class="drop-overlay-box"><${Icon} name="upload" size=${28} />
        <div class="drop-overlay-title">${t('assets.drop_here')}</div>
        <div class="drop-overlay-sub truncate">${t('assets.drop_into', { folder: p.folder === '/' ? t('assets.root') : p.folder })}</div>
      </div>
    </div>`}
    ${newFolder && html`<${NewFolderDialog} parent=${p.folder} onClose=${() => setNewFolder(false)} onCreate=${(f) => {
      setExtra((x) => (x.includes(f) ? x : [...x, f]));
      setNewFolder(false);
      set({ folder: f, asset: '' });
    }} />`}
  </div>`;
}
