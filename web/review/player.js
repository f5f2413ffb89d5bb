// web/review/player.js: the version player of review pages — the version's proxy in a <video>
// stepped frame by frame at the version's own rate, its SMPTE timecode (drop-frame at 29.97
// and 59.94, from the version's start timecode), a timeline with a marker per note, the notes
// (click one: the player goes to its frame and shows its drawing), and the composer of a new
// note at the current frame with a drawing over the picture.
//
//   <ReviewPlayer version notes onCreate(body) onResolve(note) onDelete(note) canDelete(note)
//     canNote guestName onEnded autoPlay />
//
// Keys (when no text field has the focus): ← / → one frame, with Shift ten; Space plays and
// pauses. The frame is the player's own state while paused (the <video>'s clock is put in the
// middle of that frame, so decoders' rounding never shows the neighbour); while playing it
// follows the frames the browser presents (requestVideoFrameCallback).
import { html, useEffect, useMemo, useRef, useState } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { ErrorBox, Spinner } from '/lib/ui.js';
import { fmtDateTime } from '/lib/format.js';
import { parseRate, framesToTc, tcToFrames, secondsToFrame, frameSeekTime, frameToSeconds, rateLabel } from './timecode.js';
import { DrawOverlay, TOOLS, COLORS, MAX_SHAPES } from './draw.js';
import { FilmstripStrip, FramePreview, useSprite } from '/lib/player.js';

const TOOL_LABELS = {
  pen: () => t('review.draw.pen'),
  line: () => t('review.draw.line'),
  arrow: () => t('review.draw.arrow'),
  rect: () => t('review.draw.rect'),
  ellipse: () => t('review.draw.ellipse'),
  text: () => t('review.draw.text'),
};

const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

export function usePlayerClock(version) {
  const rate = useMemo(() => parseRate(version && version.fps) || parseRate('24'), [version && version.fps]);
  const offset = useMemo(() => {
    const f = version && version.start_timecode ? tcToFrames(version.start_timecode, rate) : 0;
    return f || 0;
  }, [version && version.start_timecode, rate]);
  return { rate, offset, tc: (frame) => framesToTc(offset + frame, rate) };
}

function Timeline({ total, frame, notes, onSeek, selected }) {
  const ref = useRef(null);
  const dragging = useRef(false);
  const at = (e) => {
    const r = ref.current.getBoundingClientRect();
    const f = Math.floor(((e.clientX - r.left) / Math.max(1, r.width)) * total);
    return Math.min(total - 1, Math.max(0, f));
  };
  const x = (f) => (total > 0 ? (f / total) * 1000 : 0);
  const cw = total > 0 ? Math.max(1000 / total, 2) : 2;
  return html`<svg ref=${ref} class="rv-timeline" viewBox="0 0 1000 28" preserveAspectRatio="none" role="slider"
    aria-label=${t('review.timeline')} aria-valuemin="0" aria-valuemax=${Math.max(0, total - 1)} aria-valuenow=${frame}
    data-testid="timeline"
    onPointerDown=${(e) => {
      if (!total) return;
      dragging.current = true;
      e.currentTarget.setPointerCapture(e.pointerId);
      onSeek(at(e));
    }}
    onPointerMove=${(e) => dragging.current && onSeek(at(e))}
    onPointerUp=${() => {
      dragging.current = false;
    }}>
    <rect x="0" y="10" width="1000" height="8" class="rv-tl-track" />
    <rect x="0" y="10" width=${x(frame) + cw} height="8" class="rv-tl-played" />
    ${notes.map((n) => html`<rect key=${n.id} x=${x(n.frame)} y="2" width=${Math.max(cw, 4)} height="24"
      class=${`rv-tl-note ${n.resolved ? 'is-resolved' : ''} ${selected === n.id ? 'is-selected' : ''}`} data-testid="note-marker" />`)}
    <rect x=${x(frame)} y="0" width=${cw} height="28" class="rv-tl-head" />
  </svg>`;
}

function NoteItem({ note, tc, selected, onPick, onResolve, onDelete, canDelete }) {
  const shapes = Array.isArray(note.annotations) ? note.annotations.length : 0;
  return html`<li class=${`rv-note ${selected ? 'is-selected' : ''} ${note.resolved ? 'is-resolved' : ''}`} data-testid="note"
    data-frame=${note.frame}>
    <button type="button" class="rv-note-main" onClick=${() => onPick(note)}>
      <span class="rv-note-tc mono" data-testid="note-tc">${note.timecode || tc(note.frame)}</span>
      <span class="rv-note-meta">
        <strong>${note.author_name || '—'}</strong>
        ${note.guest && html`<span class="badge badge-muted">${t('review.guest')}</span>`}
        ${shapes > 0 && html`<span class="rv-note-shapes" title=${t('review.drawing')}><${Icon} name="image" size=${12} />${shapes}</span>`}
        <span class="muted small">${fmtDateTime(note.created_at)}</span>
      </span>
      <span class="rv-note-text prewrap" data-testid="note-text">${note.text}</span>
    </button>
    ${(onResolve || (onDelete && canDelete && canDelete(note))) && html`<div class="rv-note-actions">
      ${onResolve && html`<button type="button" class="btn btn-sm btn-ghost" data-testid="note-resolve" onClick=${() => onResolve(note)}>
        <${Icon} name="check" size=${13} />${note.resolved ? t('review.reopen') : t('review.resolve')}</button>`}
      ${onDelete && canDelete && canDelete(note) && html`<button type="button" class="btn btn-sm btn-ghost-danger" data-testid="note-delete"
        onClick=${() => onDelete(note)}><${Icon} name="trash" size=${13} />${t('review.delete')}</button>`}
    </div>`}
  </li>`;
}

function Composer({ frame, tcLabel, shapes, setShapes, tool, setTool, color, setColor, label, setLabel, onSave, guestName, labelRef }) {
  const [text, setText] = useState('');
  const [name, setName] = useState(() => (guestName ? localStorage.getItem('mstation.review.name') || '' : ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    if (busy || (!text.trim() && !shapes.length) || (guestName && !name.trim())) return;
    setBusy(true);
    setError(null);
    try {
      const body = { frame, text: text.trim(), annotations: shapes };
      if (guestName) {
        body.name = name.trim();
        localStorage.setItem('mstation.review.name', body.name);
      }
      await onSave(body);
      setText('');
      setShapes([]);
      setTool(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="rv-composer" onSubmit=${save} data-testid="note-composer" novalidate>
    <div class="rv-composer-head">
      <span class="strong">${t('review.note_at')}</span>
      <span class="mono rv-composer-tc" data-testid="composer-tc">${tcLabel}</span>
      <span class="muted small">${t('review.frame_n', { n: frame })}</span>
    </div>
    <div class="rv-tools" role="toolbar" aria-label=${t('review.draw.tools')}>
      ${TOOLS.map((k) => html`<button key=${k} type="button" class=${`btn btn-sm rv-tool ${tool === k ? 'is-active' : ''}`}
        aria-pressed=${tool === k ? 'true' : 'false'} data-testid=${`tool-${k}`} onClick=${() => setTool(tool === k ? null : k)}>${TOOL_LABELS[k]()}</button>`)}
      <span class="rv-colors">
        ${COLORS.map((c) => html`<button key=${c} type="button" class=${`rv-swatch rv-swatch-${c.slice(1)} ${color === c ? 'is-active' : ''}`}
          aria-label=${t('review.draw.color', { color: c })} aria-pressed=${color === c ? 'true' : 'false'} onClick=${() => setColor(c)}></button>`)}
      </span>
      <button type="button" class="btn btn-sm btn-ghost" disabled=${!shapes.length} data-testid="draw-undo"
        onClick=${() => setShapes(shapes.slice(0, -1))}>${t('review.draw.undo')}</button>
      <button type="button" class="btn btn-sm btn-ghost" disabled=${!shapes.length} data-testid="draw-clear"
        onClick=${() => setShapes([])}>${t('review.draw.clear')}</button>
    </div>
    ${tool === 'text' && html`<input ref=${labelRef} class="input rv-label-input" value=${label} maxlength="500"
      placeholder=${t('review.draw.text_hint')} aria-label=${t('review.draw.text_label')} onInput=${(e) => setLabel(e.target.value)} />`}
    ${shapes.length > 0 && html`<div class="muted small" data-testid="draft-shapes">${t('review.draw.count', { n: shapes.length, max: MAX_SHAPES })}</div>`}
    ${guestName && html`<input class="input" value=${name} maxlength="100" placeholder=${t('review.your_name')}
      aria-label=${t('review.your_name')} data-testid="guest-name" onInput=${(e) => setName(e.target.value)} />`}
    <textarea class="input textarea" rows="2" value=${text} maxlength="20000" placeholder=${t('review.note_placeholder')}
      aria-label=${t('review.note_text')} data-testid="note-text-input" onInput=${(e) => setText(e.target.value)}></textarea>
    <${ErrorBox} error=${error} />
    <div class="rv-composer-foot">
      <button type="submit" class="btn btn-primary btn-sm" data-testid="note-save"
        disabled=${busy || (!text.trim() && !shapes.length) || (guestName && !name.trim())}>
        ${busy && html`<${Spinner} />`}${t('review.save_note')}</button>
    </div>
  </form>`;
}

export function ReviewPlayer({ version, notes = [], canNote = false, onCreate, onResolve, onDelete, canDelete, guestName = false,
  onEnded, autoPlay = false, children }) {
  const video = useRef(null);
  const labelRef = useRef(null);
  const { rate, tc } = usePlayerClock(version);
  const [frame, setFrameState] = useState(0);
  // The frame as of now (state lags a render behind: quick key presses must add up).
  const frameRef = useRef(0);
  const setFrame = (f) => {
    frameRef.current = f;
    setFrameState(f);
  };
  const [playing, setPlaying] = useState(false);
  const [dims, setDims] = useState({ W: 1600, H: 900 });
  const [duration, setDuration] = useState(0);
  const [selected, setSelected] = useState(null);
  const [shapes, setShapes] = useState([]);
  const [tool, setTool] = useState(null);
  const [color, setColor] = useState(COLORS[0]);
  const [label, setLabel] = useState('');
  const [failed, setFailed] = useState(false);
  const proxy = version && version.media && version.media.proxy;
  // The filmstrip sprite: a strip to scrub by, and the tile under the pointer over the picture.
  const film = useSprite(version && version.media && version.media.filmstrip);
  const [hover, setHover] = useState(null);

  const total = version && version.frame_count ? version.frame_count : duration ? Math.max(1, Math.round(secondsToFrame(duration, rate) || 0)) : 0;
  const last = Math.max(0, total - 1);

  // A new version starts at its first frame with nothing selected or drafted.
  useEffect(() => {
    setFrame(0);
    setSelected(null);
    setShapes([]);
    setTool(null);
    setPlaying(false);
    setFailed(false);
    setHover(null);
  }, [version && version.id]);

  const seek = (f) => {
    const v = video.current;
    const target = Math.min(last, Math.max(0, Math.round(f)));
    if (v) {
      if (!v.paused) v.pause();
      v.currentTime = frameSeekTime(target, rate);
    }
    setFrame(target);
  };

  const toggle = () => {
    const v = video.current;
    if (!v) return;
    if (v.paused) {
      setTool(null);
      if (frameRef.current >= last) v.currentTime = 0;
      v.play().catch(() => {});
    } else {
      v.pause();
    }
  };

  // Follow the presented frames while playing.
  useEffect(() => {
    const v = video.current;
    if (!v || !playing) return undefined;
    let id = 0;
    let live = true;
    if (v.requestVideoFrameCallback) {
      const cb = (_now, meta) => {
        if (!live) return;
        setFrame(secondsToFrame(meta.mediaTime, rate));
        id = v.requestVideoFrameCallback(cb);
      };
      id = v.requestVideoFrameCallback(cb);
      return () => {
        live = false;
        v.cancelVideoFrameCallback(id);
      };
    }
    const tick = () => {
      if (!live) return;
      setFrame(secondsToFrame(v.currentTime, rate));
      id = requestAnimationFrame(tick);
    };
    id = requestAnimationFrame(tick);
    return () => {
      live = false;
      cancelAnimationFrame(id);
    };
  }, [playing, rate]);

  // Keys: frames and play/pause, unless a field has the focus.
  useEffect(() => {
    const onKey = (e) => {
      if (typing(document.activeElement) || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const step = (e.shiftKey ? 10 : 1) * (e.key === 'ArrowRight' ? 1 : -1);
        seek(frameRef.current + step);
      } else if (e.key === ' ' && !(document.activeElement && document.activeElement.tagName === 'BUTTON')) {
        toggle();
      } else {
        return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  useEffect(() => {
    if (tool === 'text' && labelRef.current) labelRef.current.focus();
  }, [tool]);

  const pick = (note) => {
    setSelected(note.id);
    setTool(null);
    seek(note.frame);
  };

  const showing = useMemo(() => {
    if (playing) return [];
    const here = notes.filter((n) => n.frame === frame && Array.isArray(n.annotations));
    const sel = here.find((n) => n.id === selected);
    return (sel ? [sel] : here).flatMap((n) => n.annotations);
  }, [notes, frame, selected, playing]);

  const events = {
    onLoadedMetadata: (e) => {
      const v = e.currentTarget;
      if (v.videoWidth && v.videoHeight) setDims({ W: v.videoWidth, H: v.videoHeight });
      if (Number.isFinite(v.duration)) setDuration(v.duration);
      v.currentTime = frameSeekTime(0, rate);
      if (autoPlay) v.play().catch(() => {});
    },
    onPlay: () => setPlaying(true),
    onPause: (e) => {
      setPlaying(false);
      const f = Math.min(last, secondsToFrame(e.currentTarget.currentTime, rate));
      setFrame(f);
    },
    onEnded: () => {
      setPlaying(false);
      if (onEnded) onEnded();
    },
    onError: () => setFailed(true),
  };

  const sorted = useMemo(() => [...notes].sort((a, b) => a.frame - b.frame || String(a.created_at).localeCompare(String(b.created_at))), [notes]);
  const tcLabel = tc(frame);

  return html`<div class="rv-player" data-testid="review-player" data-version=${version && version.id}>
    <div class="rv-main">
      <div class="rv-stage">
        ${proxy && !failed
          ? html`<video ref=${video} key=${version.id} class="rv-video" src=${proxy} poster=${version.media.thumbnail || undefined}
              preload="auto" playsinline muted=${false} data-testid="review-video" ...${events}></video>`
          : html`<div class="rv-noproxy"><${Icon} name="film" size=${32} /><span>${failed ? t('review.media_failed') : t('review.no_proxy')}</span></div>`}
        <${DrawOverlay} W=${dims.W} H=${dims.H} shapes=${[...showing, ...shapes]} tool=${canNote ? tool : null} color=${color}
          label=${label}
          onAdd=${(s) => {
            if (shapes.length >= MAX_SHAPES) return;
            if (video.current && !video.current.paused) video.current.pause();
            setSelected(null);
            setShapes([...shapes, s]);
          }}
          onTextMissing=${() => labelRef.current && labelRef.current.focus()} />
        ${hover !== null && film && html`<${FramePreview} film=${film} geometry=${version.filmstrip_meta} index=${hover} class="rv-preview" />`}
      </div>
      <div class="rv-controls">
        <button type="button" class="btn btn-sm" onClick=${toggle} disabled=${!proxy || failed} data-testid="play"
          aria-label=${playing ? t('review.pause') : t('review.play')}><${Icon} name=${playing ? 'pause' : 'play'} size=${14} /></button>
        <button type="button" class="btn btn-sm btn-ghost" onClick=${() => seek(frameRef.current - 1)} aria-label=${t('review.prev_frame')}
          data-testid="prev-frame">‹</button>
        <button type="button" class="btn btn-sm btn-ghost" onClick=${() => seek(frameRef.current + 1)} aria-label=${t('review.next_frame')}
          data-testid="next-frame">›</button>
        <span class="rv-tc mono" data-testid="timecode">${tcLabel}</span>
        <span class="muted small rv-frame" data-testid="frame">${t('review.frame_of', { n: frame, total: total || '?' })}</span>
        <span class="toolbar-spacer"></span>
        <span class="muted small">${rateLabel(rate)} fps</span>
      </div>
      ${film && total > 0 && html`<${FilmstripStrip} film=${film} geometry=${version.filmstrip_meta} duration=${frameToSeconds(total, rate)}
        current=${frameToSeconds(frame, rate)} onSeek=${(sec) => seek(secondsToFrame(sec, rate))} onHover=${(i) => setHover(i)}
        label=${t('review.filmstrip')} />`}
      <${Timeline} total=${total} frame=${frame} notes=${sorted} onSeek=${seek} selected=${selected} />
      <p class="muted small rv-keys">${t('review.keys')}</p>
      ${children}
    </div>
    <aside class="rv-side">
      ${canNote && html`<${Composer} frame=${frame} tcLabel=${tcLabel} shapes=${shapes} setShapes=${setShapes} tool=${tool} setTool=${(k) => {
        if (k && video.current && !video.current.paused) video.current.pause();
        setTool(k);
      }}
        color=${color} setColor=${setColor} label=${label} setLabel=${setLabel} guestName=${guestName} labelRef=${labelRef}
        onSave=${async (body) => {
          const note = await onCreate(body);
          if (note && note.id) setSelected(note.id);
        }} />`}
      <h3 class="rv-side-title">${t('review.notes')} <span class="count">${notes.length}</span></h3>
      ${sorted.length === 0
        ? html`<p class="muted small">${t('review.no_notes')}</p>`
        : html`<ul class="rv-notes" data-testid="notes">${sorted.map((n) => html`<${NoteItem} key=${n.id} note=${n} tc=${tc}
            selected=${selected === n.id} onPick=${pick} onResolve=${onResolve} onDelete=${onDelete} canDelete=${canDelete} />`)}</ul>`}
    </aside>
  </div>`;
}
