// web/assets/common.js: what the asset pages share: the module's stylesheet (a <link> added
// once through lib/styles.js; pages await `stylesReady`), kind icons and labels, the
// thumbnail with its processing state, and the one-line probe summary of an asset.
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { fmtBytes, fmtClock, fmtCodec, fmtFps, resolutionClass } from '/lib/media.js';
import { loadStylesheet } from '/lib/styles.js';

export const stylesReady = loadStylesheet('/assets/assets.css');

export const ASSET_KINDS = ['video', 'audio', 'image', 'image_sequence', 'subtitle', 'document', 'other'];
const KIND_ICONS = { video: 'film', audio: 'music', image: 'image', image_sequence: 'layers', subtitle: 'text', document: 'text', other: 'file' };

export const assetKindLabel = (k) => t(`assets.kind.${k || 'other'}`);

export function KindIcon({ kind, size = 16 }) {
  return html`<${Icon} name=${KIND_ICONS[kind] || 'file'} size=${size} />`;
}

// Derivatives still being made (or the probe still running): the page polls these.
export function isProcessing(a) {
  return a.probe_state === 'pending' || a.thumbnail_state === 'pending' || a.proxy_state === 'pending';
}

export const versionLabel = (n) => `v${String(n || 1).padStart(3, '0')}`;

// The thumbnail, or what stands in for it: a spinner while it is being made, the kind's
// icon when there will be none.
export function Thumb({ asset, size = 'md' }) {
  if (asset.thumbnail_url) {
    // The version in the URL: a new version's thumbnail is a new picture to the browser's cache.
    const src = asset.version_id ? `${asset.thumbnail_url}?v=${asset.version_id}` : asset.thumbnail_url;
    return html`<img class="thumb-img" src=${src} alt="" loading="lazy" decoding="async" draggable="false" />`;
  }
  const pending = isProcessing(asset);
  return html`<span class=${`thumb-ph thumb-ph-${asset.kind || 'other'}`}>
    <${KindIcon} kind=${asset.kind} size=${size === 'sm' ? 16 : 28} />
    ${pending && size !== 'sm' && html`<span class="thumb-ph-note"><span class="spinner"></span>${t('assets.processing')}</span>`}
  </span>`;
}

// Badges for the picture: "4K", "HDR PQ".
export function pictureBadges(a) {
  const out = [];
  const rc = resolutionClass(a.width, a.height);
  if (rc && rc !== 'SD' && rc !== '720p') out.push(rc);
  if (a.hdr) out.push(`HDR ${a.hdr}`);
  return out;
}

// One line: "1920 × 1080 · 25 fps · H.264 · 0:12" for pictures, "AAC · stereo · 3:01" for sound.
export function probeLine(a) {
  const parts = [];
  if (a.width && a.height) parts.push(`${a.width}×${a.height}`);
  const fps = fmtFps(a.fps);
  if (fps && a.kind === 'video') parts.push(`${fps} fps`);
  if (a.video_codec && a.kind === 'video') parts.push(fmtCodec(a.video_codec));
  else if (a.audio_codec && a.kind === 'audio') parts.push(fmtCodec(a.audio_codec));
  if (a.duration && (a.kind === 'video' || a.kind === 'audio')) parts.push(fmtClock(a.duration));
  if (!parts.length) parts.push(fmtBytes(a.size));
  return parts.join(' · ');
}
