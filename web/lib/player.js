// web/lib/player.js: pictures of media on <canvas> (the CSP allows no inline styles, so
// positions and sizes that follow the pointer are drawn, not styled):
//
//   <Waveform data={buckets,min,max} progress=0..1 onSeek=(fraction) />
//       the server's waveform peaks, the played part in the accent colour; click or arrow
//       keys to seek.
//   useSprite(src) + <FilmstripStrip film geometry duration current onSeek onHover />
//       the filmstrip sprite (one row of tiles, geometry from the derivative's meta) laid out
//       to the strip's width; hovering names the time under the pointer and reports the tile,
//       clicking seeks.
//   <FramePreview film geometry index />: one tile of the sprite, letterboxed to its box
//       (laid over a player while the filmstrip is hovered).
//
// Colours come from the canvas element's CSS (color, and the --wave-played custom
// property), so the stylesheet stays the one place for the look. Sizes follow the element's
// box (ResizeObserver) and the device pixel ratio.
import { html, useEffect, useRef, useState } from './html.js';
import { fmtClock } from './media.js';

// Keep a canvas's backing store at its CSS size × devicePixelRatio; calls draw(ctx, w, h)
// whenever the size or the inputs change.
function useCanvas(draw, deps) {
  const ref = useRef(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => setSize({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const el = ref.current;
    if (!el || !size.w || !size.h) return;
    const dpr = window.devicePixelRatio || 1;
    const W = Math.round(size.w * dpr);
    const H = Math.round(size.h * dpr);
    if (el.width !== W) el.width = W;
    if (el.height !== H) el.height = H;
    const ctx = el.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.w, size.h);
    draw(ctx, size.w, size.h, el);
  }, [size.w, size.h, ...deps]);
  return ref;
}

function cssColor(el, prop, fallback) {
  const cs = getComputedStyle(el);
  const v = prop === 'color' ? cs.color : cs.getPropertyValue(prop).trim();
  return v || fallback;
}

export function Waveform({ data, progress = 0, onSeek, label, class: cls = '' }) {
  const ref = useCanvas((ctx, w, h, el) => {
    if (!data || !Array.isArray(data.min) || !data.min.length) return;
    const n = data.min.length;
    const mid = h / 2;
    // Scaled to the loudest peak (as review tools draw it), but at most 8×, so that near
    // silence stays flat instead of becoming loud-looking noise.
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(data.min[i]), Math.abs(data.max[i]));
    const gain = peak > 0 ? Math.min(8, 0.95 / peak) : 1;
    const base = cssColor(el, 'color', '#9aa0ad');
    const played = cssColor(el, '--wave-played', '#4338ca');
    const cut = progress * w;
    for (let x = 0; x < w; x++) {
      const a = Math.floor((x / w) * n);
      const b = Math.max(a + 1, Math.floor(((x + 1) / w) * n));
      let lo = 0;
      let hi = 0;
      for (let i = a; i < b && i < n; i++) {
        lo = Math.min(lo, data.min[i]);
        hi = Math.max(hi, data.max[i]);
      }
      const top = mid - Math.max(hi * gain, 0.01) * mid;
      const bottom = mid - Math.min(lo * gain, -0.01) * mid;
      ctx.fillStyle = x < cut ? played : base;
      ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
  }, [data, progress]);
  const seek = (fraction) => onSeek && onSeek(Math.min(1, Math.max(0, fraction)));
  return html`<canvas ref=${ref} class=${`waveform ${onSeek ? 'is-seekable' : ''} ${cls}`}
    role=${onSeek ? 'slider' : 'img'} tabindex=${onSeek ? 0 : undefined} aria-label=${label}
    aria-valuemin=${onSeek ? 0 : undefined} aria-valuemax=${onSeek ? 100 : undefined}
    aria-valuenow=${onSeek ? Math.round(progress * 100) : undefined}
    onClick=${(e) => {
      const r = e.currentTarget.getBoundingClientRect();
      seek((e.clientX - r.left) / r.width);
    }}
    onKeyDown=${(e) => {
      if (e.key === 'ArrowRight') seek(progress + 0.05);
      else if (e.key === 'ArrowLeft') seek(progress - 0.05);
      else return;
      e.preventDefault();
    }}></canvas>`;
}

// The sprite as a loaded <img> (null until it is).
export function useSprite(src) {
  const [img, setImg] = useState(null);
  useEffect(() => {
    setImg(null);
    if (!src) return undefined;
    let live = true;
    const im = new Image();
    im.onload = () => live && setImg(im);
    im.src = src;
    return () => {
      live = false;
    };
  }, [src]);
  return img;
}

function tileGeometry(img, g) {
  const frames = (g && g.frames) || 1;
  const tw = (g && g.tile_width) || img.naturalWidth / frames;
  const th = (g && g.tile_height) || img.naturalHeight;
  return { frames, tw, th, cols: (g && g.columns) || frames };
}

function tileTime(g, index, duration) {
  if (g && Array.isArray(g.times) && g.times[index] !== undefined) return g.times[index];
  const frames = (g && g.frames) || 1;
  return duration ? ((index + 0.5) / frames) * duration : 0;
}

function drawTile(ctx, img, geo, index, x, y, w, h) {
  const col = index % geo.cols;
  const row = Math.floor(index / geo.cols);
  ctx.drawImage(img, col * geo.tw, row * geo.th, geo.tw, geo.th, x, y, w, h);
}

export function FilmstripStrip({ film, geometry, duration, current = 0, onSeek, onHover, label }) {
  const [hoverX, setHoverX] = useState(null);
  const ref = useCanvas((ctx, w, h, el) => {
    if (!film) return;
    const geo = tileGeometry(film, geometry);
    const slotW = Math.max(8, (h * geo.tw) / geo.th);
    const slots = Math.max(1, Math.ceil(w / slotW));
    for (let i = 0; i < slots; i++) {
      const idx = Math.min(geo.frames - 1, Math.floor(((i + 0.5) / slots) * geo.frames));
      drawTile(ctx, film, geo, idx, i * slotW, 0, slotW, h);
    }
    const accent = cssColor(el, '--wave-played', '#4338ca');
    if (duration > 0) {
      const px = Math.min(w - 1, (current / duration) * w);
      ctx.fillStyle = accent;
      ctx.fillRect(px - 1, 0, 2, h);
    }
    if (hoverX !== null) {
      ctx.fillStyle = 'rgba(255,255,255,0.9)';
      ctx.fillRect(hoverX, 0, 1, h);
      if (duration > 0) {
        const text = fmtClock((hoverX / w) * duration);
        ctx.font = '600 11px system-ui, sans-serif';
        const tw = ctx.measureText(text).width + 10;
        const bx = Math.min(Math.max(0, hoverX - tw / 2), w - tw);
        ctx.fillStyle = 'rgba(15,18,30,0.82)';
        ctx.fillRect(bx, h - 18, tw, 16);
        ctx.fillStyle = '#fff';
        ctx.fillText(text, bx + 5, h - 6);
      }
    }
  }, [film, geometry, duration, current, hoverX]);
  const at = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: Math.min(r.width, Math.max(0, e.clientX - r.left)), w: r.width };
  };
  const tileAt = (x, w) => {
    const frames = (geometry && geometry.frames) || 1;
    return Math.min(frames - 1, Math.floor((x / w) * frames));
  };
  return html`<canvas ref=${ref} class="filmstrip" role="slider" tabindex="0" aria-label=${label}
    aria-valuemin="0" aria-valuemax=${Math.round(duration || 0)} aria-valuenow=${Math.round(current)}
    onPointerMove=${(e) => {
      const { x, w } = at(e);
      setHoverX(x);
      if (onHover) onHover(tileAt(x, w), (x / w) * (duration || 0));
    }}
    onPointerLeave=${() => {
      setHoverX(null);
      if (onHover) onHover(null, null);
    }}
    onClick=${(e) => {
      const { x, w } = at(e);
      if (onSeek && duration) onSeek((x / w) * duration);
    }}
    onKeyDown=${(e) => {
      if (!onSeek || !duration) return;
      if (e.key === 'ArrowRight') onSeek(Math.min(duration, current + duration / 20));
      else if (e.key === 'ArrowLeft') onSeek(Math.max(0, current - duration / 20));
      else return;
      e.preventDefault();
    }}></canvas>`;
}

export function FramePreview({ film, geometry, index, class: cls = '' }) {
  const ref = useCanvas((ctx, w, h) => {
    if (!film || index === null || index === undefined) return;
    const geo = tileGeometry(film, geometry);
    const scale = Math.min(w / geo.tw, h / geo.th);
    const dw = geo.tw * scale;
    const dh = geo.th * scale;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, w, h);
    ctx.imageSmoothingQuality = 'high';
    drawTile(ctx, film, geo, index, (w - dw) / 2, (h - dh) / 2, dw, dh);
  }, [film, geometry, index]);
  return html`<canvas ref=${ref} class=${`frame-preview ${cls}`} aria-hidden="true"></canvas>`;
}

export { tileTime };
