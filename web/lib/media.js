// web/lib/media.js: how media facts read to a person: sizes (1.4 GB), frame rates as decimals
// (30000/1001 -> 29.97), durations as timecode (00:01:02:12 when the frame rate is known),
// resolutions with their common names (3840 × 2160 · UHD), audio layouts. Pure functions of
// their input; no DOM, no words that need translating beyond units.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

// 1000-based, as file managers and camera cards count.
export function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '';
  let v = Number(n);
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

// "30000/1001" or "25/1" or "25" or 25 -> 29.97 (a number), or null.
export function fpsValue(fps) {
  if (fps === null || fps === undefined || fps === '') return null;
  if (typeof fps === 'number') return fps > 0 ? fps : null;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(String(fps).trim());
  if (!m) return null;
  const v = Number(m[1]) / (m[2] ? Number(m[2]) : 1);
  return Number.isFinite(v) && v > 0 ? v : null;
}

// 29.97002997 -> "29.97"; 25 -> "25"; 23.976 -> "23.976".
export function fmtFps(fps) {
  const v = fpsValue(fps);
  if (v === null) return '';
  const r3 = Math.round(v * 1000) / 1000;
  return String(Math.abs(r3 - Math.round(r3 * 100) / 100) < 0.0005 ? Math.round(v * 100) / 100 : r3);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// Seconds -> "HH:MM:SS:FF" when the frame rate is known (frames counted at the rounded rate,
// non-drop), else "H:MM:SS" (or "M:SS" under an hour).
export function fmtTimecode(seconds, fps) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return '';
  const s = Math.max(0, Number(seconds));
  const rate = fpsValue(fps);
  if (rate) {
    const nominal = Math.round(rate);
    const frames = Math.floor(s * rate + 1e-6);
    const ff = frames % nominal;
    const total = Math.floor(frames / nominal);
    return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}:${pad(ff)}`;
  }
  return fmtClock(s);
}

// Seconds -> "1:02:03" or "2:03" (players, lists).
export function fmtClock(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

// The common name of a frame size, by width (DCI and UHD share the class).
export function resolutionClass(width, height) {
  const w = Number(width) || 0;
  const h = Number(height) || 0;
  if (!w || !h) return '';
  const long = Math.max(w, h);
  if (long >= 7680) return '8K';
  if (long >= 5760) return '6K';
  if (long >= 4800) return '5K';
  if (long >= 3840) return '4K';
  if (long >= 2560) return '2.5K';
  if (long >= 1920) return 'HD';
  if (long >= 1280) return '720p';
  return 'SD';
}

export function fmtResolution(width, height) {
  if (!width || !height) return '';
  return `${width} × ${height}`;
}

const LAYOUTS = { 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' };
export function channelLayout(n) {
  return LAYOUTS[n] || (n ? `${n} ch` : '');
}

// Upper-case short codec names as editors say them (H264, PRORES, AAC, PCM_S24LE -> PCM 24-bit).
export function fmtCodec(codec, profile) {
  if (!codec) return '';
  const names = { h264: 'H.264', hevc: 'HEVC', prores: 'ProRes', dnxhd: 'DNxHD', av1: 'AV1', vp9: 'VP9',
    mpeg2video: 'MPEG-2', mjpeg: 'MJPEG', aac: 'AAC', mp3: 'MP3', opus: 'Opus', flac: 'FLAC', ac3: 'AC-3', eac3: 'E-AC-3' };
  let name = names[codec];
  if (!name) {
    const pcm = /^pcm_([fsu])(\d+)/.exec(codec);
    name = pcm ? `PCM ${pcm[2]}-bit${pcm[1] === 'f' ? ' float' : ''}` : codec.toUpperCase();
  }
  return profile ? `${name} · ${profile}` : name;
}

// libav's demuxer names ("mov,mp4,m4a,3gp,3g2,mj2") as people call the formats.
export function fmtContainer(name) {
  if (!name) return '';
  const known = { 'mov,mp4,m4a,3gp,3g2,mj2': 'QuickTime / MP4', 'matroska,webm': 'Matroska / WebM', mxf: 'MXF', avi: 'AVI',
    mpegts: 'MPEG-TS', wav: 'WAV', aiff: 'AIFF', mp3: 'MP3', flac: 'FLAC', ogg: 'Ogg', image2: 'Image', png_pipe: 'PNG',
    jpeg_pipe: 'JPEG', tiff_pipe: 'TIFF', dpx_pipe: 'DPX', exr_pipe: 'OpenEXR', webp_pipe: 'WebP' };
  return known[name] || name.split(',')[0].replace(/_pipe$/, '').toUpperCase();
}

export function fmtSampleRate(hz) {
  if (!hz) return '';
  const k = Number(hz) / 1000;
  return `${Number.isInteger(k) ? k : k.toFixed(1)} kHz`;
}

// Paths of folders: "/EP01/camera" <-> ["EP01", "camera"].
export function folderParts(folder) {
  return String(folder || '/').split('/').filter(Boolean);
}

export function folderJoin(...parts) {
  const segs = [];
  for (const p of parts) for (const s of String(p || '').split('/')) if (s && s !== '.' && s !== '..') segs.push(s);
  return `/${segs.join('/')}`;
}

export function folderParent(folder) {
  const p = folderParts(folder);
  return `/${p.slice(0, -1).join('/')}`;
}

export function folderName(folder) {
  const p = folderParts(folder);
  return p.length ? p[p.length - 1] : '';
}

// Is `folder` inside `parent` (or the same)?
export function folderWithin(folder, parent) {
  if (!parent || parent === '/') return true;
  return folder === parent || String(folder).startsWith(`${parent}/`);
}
