// web/review/timecode.js: SMPTE ST 12-1 timecode labels and frame rates in the browser, with
// the same rules as the server's src/core/timecode.c (so a note's timecode reads the same in
// the player as in the API):
//   - a rate is a whole rate 1..1000 or a 1001 rate N*1000/1001 ("24000/1001", "29.97", 25);
//   - labels count frames at the nominal rate N (30 for 29.97);
//   - drop-frame exists only at 30000/1001 and 60000/1001: labels ;00 and ;01 (;00 to ;03 at
//     59.94) are left out of every minute not divisible by ten; no frame is dropped. Frame
//     1800 at 29.97 drop-frame is 00:01:00;02;
//   - 24 hours wrap; counts are frames since 00:00:00:00.
// Pure functions, no DOM, no imports: tests load this file in node directly.

function gcd(a, b) {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
}

// A rate as { num, den, nominal, drop } (drop: labels left out a minute, 0 without
// drop-frame), or null when it is not a timecode rate. Accepts "24000/1001", "25", "25/1",
// "29.97", "23.976", 24, 29.97.
export function parseRate(fps) {
  if (fps === null || fps === undefined || fps === '') return null;
  let n;
  let d;
  if (typeof fps === 'object' && fps.num) return parseRate(`${fps.num}/${fps.den}`);
  const s = String(fps).trim();
  let m = /^(\d{1,10})\/(\d{1,10})$/.exec(s);
  if (m) {
    n = Number(m[1]);
    d = Number(m[2]);
  } else if ((m = /^(\d{1,4})(?:\.(\d{1,9}))?$/.exec(s))) {
    const w = Number(m[1]);
    const frac = m[2] || '';
    if (!frac || Number(frac) === 0) {
      n = w;
      d = 1;
    } else {
      // A decimal of a 1001 rate with at least two decimals that rounds to it (29.97).
      const k = frac.length;
      const p10 = 10 ** k;
      const v = w * p10 + Number(frac);
      const nominal = w + 1;
      if (k < 2 || 2 * Math.abs(1001 * v - nominal * 1000 * p10) > 1001) return null;
      n = nominal * 1000;
      d = 1001;
    }
  } else {
    return null;
  }
  if (!(n > 0 && d > 0)) return null;
  const g = gcd(n, d);
  n /= g;
  d /= g;
  let nominal;
  if (d === 1) {
    nominal = n;
  } else {
    const t = n * 1001;
    if (t % (1000 * d) !== 0) return null;
    nominal = t / (1000 * d);
    n = nominal * 1000;
    d = 1001;
  }
  if (nominal < 1 || nominal > 1000) return null;
  const drop = d === 1001 && (nominal === 30 || nominal === 60) ? nominal / 15 : 0;
  return { num: n, den: d, nominal, drop };
}

// The rate as people write it: 24, 25, 23.976, 29.97.
export function rateLabel(rate) {
  if (!rate) return '';
  if (rate.den === 1) return String(rate.nominal);
  return String(Math.round((rate.num * 1000) / rate.den) / 1000);
}

// Frames in 24 hours of labels.
export function dayFrames(rate, drop) {
  const day = rate.nominal * 86400;
  return drop ? day - rate.drop * 9 * 144 : day;
}

const pad = (v, w = 2) => String(v).padStart(w, '0');

// The label of a frame count: "HH:MM:SS:FF", drop-frame "HH:MM:SS;FF". `drop` defaults to
// drop-frame wherever it exists (29.97, 59.94), as the API writes notes' timecodes.
export function framesToTc(frames, rate, { drop } = {}) {
  if (!rate || !Number.isFinite(frames) || frames < 0) return '';
  const df = drop === undefined ? rate.drop > 0 : !!drop && rate.drop > 0;
  let f = Math.floor(frames) % dayFrames(rate, df);
  const n = rate.nominal;
  if (df) {
    const d = rate.drop;
    const per10 = 600 * n - 9 * d;
    const per1 = 60 * n - d;
    const blocks = Math.floor(f / per10);
    const rem = f % per10;
    let skipped = 9 * d * blocks;
    if (rem >= 60 * n) skipped += d * (1 + Math.floor((rem - 60 * n) / per1));
    f += skipped;
  }
  const ff = f % n;
  const secs = Math.floor(f / n);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${df ? ';' : ':'}${pad(ff, n > 100 ? 3 : 2)}`;
}

// A label to a frame count, or null when it is not a valid label at this rate (the same
// separators as the server: "HH:MM:SS:FF", drop-frame "HH:MM:SS;FF", "HH:MM:SS.FF",
// "HH;MM;SS;FF"; the labels drop-frame leaves out are refused).
export function tcToFrames(label, rate) {
  if (!rate || typeof label !== 'string') return null;
  const fw = rate.nominal > 100 ? 3 : 2;
  const m = new RegExp(`^(\\d{2})([:;])(\\d{2})([:;])(\\d{2})([:;.])(\\d{${fw}})$`).exec(label);
  if (!m) return null;
  const [, hs, s1, ms, s2, ss, s3, fs] = m;
  let df;
  if (s1 === ':' && s2 === ':' && s3 === ':') df = false;
  else if (s1 === ':' && s2 === ':' && (s3 === ';' || s3 === '.')) df = true;
  else if (s1 === ';' && s2 === ';' && s3 === ';') df = true;
  else return null;
  const hh = Number(hs);
  const mm = Number(ms);
  const sec = Number(ss);
  const ff = Number(fs);
  if (df && !rate.drop) return null;
  if (hh > 23 || mm > 59 || sec > 59 || ff >= rate.nominal) return null;
  if (df && sec === 0 && ff < rate.drop && mm % 10 !== 0) return null;
  const minutes = hh * 60 + mm;
  let f = (minutes * 60 + sec) * rate.nominal + ff;
  if (df) f -= rate.drop * (minutes - Math.floor(minutes / 10));
  return f;
}

// The start time of a frame, in seconds (frames * den / num).
export function frameToSeconds(frame, rate) {
  return (frame * rate.den) / rate.num;
}

// The frame showing at a time: the last frame that starts at or before it (a hair of slack
// for the float rounding of media clocks).
export function secondsToFrame(seconds, rate) {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.floor((seconds * rate.num) / rate.den + 1e-6);
}

// Where to put a media element's clock to show a frame: the middle of the frame, so that
// decoders' rounding of timestamps never lands on the neighbour.
export function frameSeekTime(frame, rate) {
  return ((frame + 0.5) * rate.den) / rate.num;
}
