// web/assets/share-page.js: /s/<token>, where a share link lands — for anyone, with or without
// an account. It asks for the passphrase when the link has one, then shows the asset's name
// and facts, the proxy in a player (or the picture, or the waveform for sound) and, for a
// download link, a download button. A revoked, expired or unknown link says which it is.
//
// With a passphrase the server answers an `access` value that the media URLs already carry
// (?access=...), because a <video> element cannot send the X-Share-Passphrase header.
import { html, useState, useEffect, useRef } from '/lib/html.js';
import { ApiError } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useTitle, Loading, Spinner, ErrorBox } from '/lib/ui.js';
import { Waveform } from '/lib/player.js';
import { fmtBytes, fmtFps, fmtResolution, fmtTimecode } from '/lib/media.js';
import { stylesReady, KindIcon, assetKindLabel } from './common.js';

await stylesReady;

async function openShare(token, passphrase) {
  const headers = { Accept: 'application/json' };
  if (passphrase) headers['X-Share-Passphrase'] = passphrase;
  let res;
  try {
    res = await fetch(`/api/v1/shares/${encodeURIComponent(token)}`, { headers, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { detail: e.message });
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON.
  }
  if (!res.ok) throw new ApiError(res.status, body || { title: res.statusText });
  return body;
}

function Gone({ error }) {
  const which = error.slug === 'share-revoked' ? 'revoked' : error.slug === 'share-expired' ? 'expired' : error.status === 404 ? 'missing' : '';
  if (!which) return html`<${ErrorBox} error=${error} />`;
  return html`<div class="share-gone" data-testid="share-gone" data-reason=${which}>
    <div class="empty-icon"><${Icon} name=${which === 'expired' ? 'history' : which === 'revoked' ? 'lock' : 'link'} size=${22} /></div>
    <h1 class="share-gone-title">${t(`assets.public.${which}_title`)}</h1>
    <p class="muted">${t(`assets.public.${which}_body`)}</p>
  </div>`;
}

function PassphraseForm({ onSubmit, error, busy }) {
  const [value, setValue] = useState('');
  const wrong = error && error.slug === 'wrong-passphrase';
  return html`<form class="form share-pass" onSubmit=${(e) => {
    e.preventDefault();
    if (value) onSubmit(value);
  }} novalidate data-testid="share-passphrase-form">
    <div class="share-pass-head">
      <span class="share-pass-icon"><${Icon} name="lock" size=${20} /></span>
      <div>
        <h1 class="auth-title">${t('assets.public.pass_title')}</h1>
        <p class="muted">${t('assets.public.pass_body')}</p>
      </div>
    </div>
    <div class=${`field ${wrong ? 'has-error' : ''}`}>
      <label class="field-label" for="share-pass">${t('assets.public.passphrase')}</label>
      <input id="share-pass" class="input" type="password" autocomplete="off" autofocus value=${value}
        aria-invalid=${wrong ? 'true' : undefined} onInput=${(e) => setValue(e.target.value)} />
      ${wrong && html`<div class="field-error" role="alert">${t('assets.public.wrong')}</div>`}
    </div>
    ${error && !wrong && error.status !== 401 && html`<${ErrorBox} error=${error} />`}
    <button type="submit" class="btn btn-primary btn-block" disabled=${busy || !value}>${busy && html`<${Spinner} />`}${t('assets.public.open')}</button>
  </form>`;
}

function Viewer({ share }) {
  const a = share.asset;
  const u = share.urls || {};
  const media = useRef(null);
  const [time, setTime] = useState(0);
  const [dur, setDur] = useState(a.duration || 0);
  const [wave, setWave] = useState(null);
  useEffect(() => {
    if (!u.waveform) return;
    fetch(u.waveform, { credentials: 'omit' }).then((r) => (r.ok ? r.json() : null)).then(setWave, () => {});
  }, [u.waveform]);
  const events = {
    onTimeUpdate: (e) => setTime(e.currentTarget.currentTime),
    onLoadedMetadata: (e) => Number.isFinite(e.currentTarget.duration) && setDur(e.currentTarget.duration),
  };
  const seek = (f) => {
    if (media.current && dur) media.current.currentTime = f * dur;
  };
  const facts = [
    assetKindLabel(a.kind),
    fmtResolution(a.width, a.height),
    a.fps && a.kind === 'video' ? `${fmtFps(a.fps)} fps` : '',
    a.duration ? fmtTimecode(a.duration, a.kind === 'video' ? a.fps : null) : '',
    a.hdr ? `HDR ${a.hdr}` : '',
    fmtBytes(a.size),
  ].filter(Boolean);
  let player;
  if (a.kind === 'video' && u.proxy) {
    player = html`<video ref=${media} class="share-video" controls playsinline preload="metadata" poster=${u.thumbnail} src=${u.proxy}
      data-testid="share-video" ...${events}></video>`;
  } else if (a.kind === 'audio' && (u.proxy || wave)) {
    player = html`<div class="audio-box share-audio">
      ${wave ? html`<${Waveform} data=${wave} progress=${dur ? time / dur : 0} onSeek=${seek} label=${t('assets.waveform')} />` : null}
      ${u.proxy && html`<audio ref=${media} class="player-audio" controls preload="metadata" src=${u.proxy} ...${events}></audio>`}
    </div>`;
  } else if (u.thumbnail) {
    player = html`<img class="share-img" src=${u.thumbnail} alt=${a.name} />`;
  } else {
    player = html`<div class="player-ph share-ph"><${KindIcon} kind=${a.kind} size=${36} /><span>${t('assets.no_preview')}</span></div>`;
  }
  return html`<article class="share-view" data-testid="share-view">
    <div class="share-stage">${player}</div>
    <div class="share-info">
      <div class="share-info-main">
        <h1 class="share-name" title=${a.name} data-testid="share-name">${a.name}</h1>
        <div class="share-facts muted">${facts.map((f, i) => html`${i ? html`<span class="dot" aria-hidden="true">·</span>` : null}<span>${f}</span>`)}</div>
      </div>
      ${share.mode === 'download' && u.content
        ? html`<a class="btn btn-primary" href=${u.content} download data-native data-testid="share-download"><${Icon} name="download" />${t('assets.public.download')}</a>`
        : html`<span class="muted small share-viewonly"><${Icon} name="play" size=${13} />${t('assets.public.view_only')}</span>`}
    </div>
  </article>`;
}

export function SharePage({ token }) {
  const [state, setState] = useState({ phase: 'loading', share: null, error: null, busy: false });
  useTitle(state.share ? state.share.asset.name : t('assets.public.title'));
  const open = async (passphrase) => {
    setState((s) => ({ ...s, busy: true }));
    try {
      const share = await openShare(token, passphrase);
      setState({ phase: 'ready', share, error: null, busy: false });
    } catch (error) {
      const needPass = error.slug === 'passphrase-required' || error.slug === 'wrong-passphrase';
      setState({ phase: needPass ? 'passphrase' : 'gone', share: null, error: passphrase || error.slug !== 'passphrase-required' ? error : null, busy: false });
    }
  };
  useEffect(() => {
    open('');
  }, [token]);
  let body;
  if (state.phase === 'loading') body = html`<${Loading} />`;
  else if (state.phase === 'passphrase') body = html`<div class="auth-card"><${PassphraseForm} onSubmit=${open} error=${state.error} busy=${state.busy} /></div>`;
  else if (state.phase === 'gone') body = html`<div class="auth-card"><${Gone} error=${state.error} /></div>`;
  else body = html`<${Viewer} share=${state.share} />`;
  return html`<div class="share-layout">
    <header class="share-top">
      <span class="auth-brand"><span class="logo-mark" aria-hidden="true">m</span><span class="logo-text">mstation</span></span>
      <span class="muted small">${t('assets.public.shared_with_you')}</span>
    </header>
    <main class="share-body">${body}</main>
    <footer class="auth-foot">${t('app.tagline')}</footer>
  </div>`;
}

export default SharePage;
