// web/review/draw.js: the drawings of review notes — shapes in the API's normalized JSON
// (coordinates 0..1 of the picture, y down; see docs/production-review.md) drawn as SVG over
// the <video>, and the pointer gestures that make them.
//
// The overlay's viewBox is the picture's own size (videoWidth × videoHeight) with
// preserveAspectRatio "xMidYMid meet", and the <video> uses object-fit: contain in the same
// box, so both letterbox alike and a shape sits on the same pixels at any player size. All
// geometry is in SVG attributes (the CSP allows no inline styles).
//
// Widths and text sizes are in thousandths of the picture's height (width 4 is 4.3 px on a
// 1080-line picture), so a drawing looks the same on the proxy as on the original.
import { html, useRef, useState } from '/lib/html.js';

export const TOOLS = ['pen', 'line', 'arrow', 'rect', 'ellipse', 'text'];
export const COLORS = ['#ff3b30', '#ffcc00', '#34c759', '#0a84ff', '#ffffff', '#000000'];
export const DEFAULT_WIDTH = 4;
export const DEFAULT_TEXT_SIZE = 40;
export const MAX_SHAPES = 200;
export const MAX_POINTS = 5000;

const clamp01 = (v) => Math.min(1, Math.max(0, v));
const round4 = (v) => Math.round(v * 10000) / 10000;

// A shape's points as picture pixels.
function px(p, W, H) {
  return [p[0] * W, p[1] * H];
}

function arrowHead(from, to, w) {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const size = Math.max(w * 4, 10);
  const bx = to[0] - ux * size;
  const by = to[1] - uy * size;
  const nx = -uy * size * 0.5;
  const ny = ux * size * 0.5;
  return `${to[0]},${to[1]} ${bx + nx},${by + ny} ${bx - nx},${by - ny}`;
}

export function ShapeView({ s, W, H }) {
  const unit = H / 1000;
  const color = /^#[0-9a-f]{6}$/i.test(s.color || '') ? s.color : COLORS[0];
  const sw = Math.max(1, (Number(s.width) || DEFAULT_WIDTH) * unit);
  const common = { stroke: color, 'stroke-width': sw, fill: 'none', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };
  if (s.type === 'path' && Array.isArray(s.points) && s.points.length) {
    const pts = s.points.map((p) => px(p, W, H).join(',')).join(' ');
    if (s.points.length === 1) {
      const [x, y] = px(s.points[0], W, H);
      return html`<circle cx=${x} cy=${y} r=${sw / 2} fill=${color} data-shape="path" />`;
    }
    return html`<polyline points=${pts} ...${common} data-shape="path" />`;
  }
  if ((s.type === 'line' || s.type === 'arrow' || s.type === 'rect' || s.type === 'ellipse') && s.from && s.to) {
    const a = px(s.from, W, H);
    const b = px(s.to, W, H);
    if (s.type === 'line') return html`<line x1=${a[0]} y1=${a[1]} x2=${b[0]} y2=${b[1]} ...${common} data-shape="line" />`;
    if (s.type === 'arrow') {
      return html`<g data-shape="arrow"><line x1=${a[0]} y1=${a[1]} x2=${b[0]} y2=${b[1]} ...${common} />
        <polygon points=${arrowHead(a, b, sw)} fill=${color} stroke=${color} stroke-width=${sw / 2} stroke-linejoin="round" /></g>`;
    }
    const x = Math.min(a[0], b[0]);
    const y = Math.min(a[1], b[1]);
    const w = Math.abs(a[0] - b[0]);
    const h = Math.abs(a[1] - b[1]);
    if (s.type === 'rect') return html`<rect x=${x} y=${y} width=${w} height=${h} ...${common} data-shape="rect" />`;
    return html`<ellipse cx=${x + w / 2} cy=${y + h / 2} rx=${w / 2} ry=${h / 2} ...${common} data-shape="ellipse" />`;
  }
  if (s.type === 'text' && s.at && s.text) {
    const [x, y] = px(s.at, W, H);
    const size = Math.max(6, (Number(s.size) || DEFAULT_TEXT_SIZE) * unit);
    return html`<text x=${x} y=${y} fill=${color} font-size=${size} class="rv-shape-text" data-shape="text"
      stroke="rgba(0,0,0,0.55)" stroke-width=${size / 14} paint-order="stroke">${s.text}</text>`;
  }
  return null;
}

// The overlay: shows `shapes` (finished drawings) and, when `tool` is set, turns pointer
// gestures into new shapes passed to onAdd(shape).
export function DrawOverlay({ W, H, shapes = [], tool = null, color = COLORS[0], label = '', onAdd, onTextMissing }) {
  const ref = useRef(null);
  const [draft, setDraft] = useState(null);

  const toPicture = (e) => {
    const svg = ref.current;
    const ctm = svg && svg.getScreenCTM();
    if (!ctm) return [0, 0];
    const pt = svg.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    const p = pt.matrixTransform(ctm.inverse());
    return [round4(clamp01(p.x / W)), round4(clamp01(p.y / H))];
  };

  const down = (e) => {
    if (!tool || e.button > 0) return;
    e.preventDefault();
    const p = toPicture(e);
    if (tool === 'text') {
      if (!label.trim()) {
        if (onTextMissing) onTextMissing();
        return;
      }
      onAdd({ type: 'text', at: p, text: label.trim().slice(0, 500), color, size: DEFAULT_TEXT_SIZE });
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    if (tool === 'pen') setDraft({ type: 'path', points: [p], color, width: DEFAULT_WIDTH });
    else setDraft({ type: tool, from: p, to: p, color, width: DEFAULT_WIDTH });
  };
  const move = (e) => {
    if (!draft) return;
    const p = toPicture(e);
    if (draft.type === 'path') {
      const last = draft.points[draft.points.length - 1];
      if (draft.points.length >= MAX_POINTS || (Math.abs(last[0] - p[0]) < 0.001 && Math.abs(last[1] - p[1]) < 0.001)) return;
      setDraft({ ...draft, points: [...draft.points, p] });
    } else {
      setDraft({ ...draft, to: p });
    }
  };
  const up = () => {
    if (!draft) return;
    const d = draft;
    setDraft(null);
    // A click without a drag makes no line or box (a pen's dot is kept).
    if (d.type !== 'path' && d.from[0] === d.to[0] && d.from[1] === d.to[1]) return;
    onAdd(d);
  };

  return html`<svg ref=${ref} class=${`rv-overlay ${tool ? `is-drawing tool-${tool}` : ''}`} viewBox=${`0 0 ${W} ${H}`}
    preserveAspectRatio="xMidYMid meet" data-testid="draw-overlay" data-shapes=${shapes.length}
    onPointerDown=${down} onPointerMove=${move} onPointerUp=${up} onPointerCancel=${up}>
    ${tool && html`<rect x="0" y="0" width=${W} height=${H} class="rv-overlay-hit" />`}
    ${shapes.map((s, i) => html`<${ShapeView} key=${i} s=${s} W=${W} H=${H} />`)}
    ${draft && html`<${ShapeView} s=${draft} W=${W} H=${H} />`}
  </svg>`;
}
