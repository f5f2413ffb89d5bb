// web/lib/icons.js: the few line icons the shell uses, as inline SVG elements (allowed by
// the CSP: they are markup, not script or style). 16px, stroke = currentColor.
import { html } from './html.js';

const paths = {
  chevronDown: 'M4 6l4 4 4-4',
  chevronRight: 'M6 4l4 4-4 4',
  plus: 'M8 3v10M3 8h10',
  search: 'M7 12.5a5.5 5.5 0 1 1 0-11 5.5 5.5 0 0 1 0 11zM11 11l3.5 3.5',
  x: 'M4 4l8 8M12 4l-8 8',
  check: 'M3 8.5l3 3 7-7',
  copy: 'M5.5 5.5V3.2c0-.4.3-.7.7-.7h6.6c.4 0 .7.3.7.7v6.6c0 .4-.3.7-.7.7h-2.3M3.2 5.5h6.6c.4 0 .7.3.7.7v6.6c0 .4-.3.7-.7.7H3.2a.7.7 0 0 1-.7-.7V6.2c0-.4.3-.7.7-.7z',
  folder: 'M2 4.5c0-.6.4-1 1-1h3.2l1.5 1.5H13c.6 0 1 .4 1 1v6c0 .6-.4 1-1 1H3c-.6 0-1-.4-1-1z',
  share: 'M11.5 5.5a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM4.5 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM11.5 14.5a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM6.3 9l3.4 2M9.7 5L6.3 7',
  users: 'M6 7.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM1.5 13.5c0-2.2 2-4 4.5-4s4.5 1.8 4.5 4M10.5 2.7a2.5 2.5 0 0 1 0 4.6M12 9.7c1.5.5 2.5 1.9 2.5 3.8',
  building: 'M3 14V3c0-.6.4-1 1-1h5c.6 0 1 .4 1 1v11M10 6h2c.6 0 1 .4 1 1v7M1.5 14h13M5.5 5h2M5.5 8h2M5.5 11h2',
  activity: 'M1.5 8h3l2-5 3 10 2-5h3',
  settings: 'M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM13 8c0-.4 0-.8-.1-1.1l1.4-1.1-1.3-2.3-1.7.6c-.6-.5-1.2-.9-1.9-1.1L9.1 1.3H6.9L6.6 3c-.7.2-1.3.6-1.9 1.1L3 3.5 1.7 5.8l1.4 1.1C3 7.2 3 7.6 3 8s0 .8.1 1.1l-1.4 1.1L3 12.5l1.7-.6c.6.5 1.2.9 1.9 1.1l.3 1.7h2.2l.3-1.7c.7-.2 1.3-.6 1.9-1.1l1.7.6 1.3-2.3-1.4-1.1c.1-.3.1-.7.1-1.1z',
  logout: 'M6 2.5H3.5c-.6 0-1 .4-1 1v9c0 .6.4 1 1 1H6M10.5 11l3-3-3-3M13.5 8H6',
  user: 'M8 7.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2.5 14.5c0-2.8 2.5-5 5.5-5s5.5 2.2 5.5 5',
  key: 'M10 9.5a3.5 3.5 0 1 0-3.3-2.3L2 12v2h2v-1.5h1.5V11H7l1-1c.3.1.6.2 1 .2',
  mail: 'M2 3.5h12v9H2zM2 4l6 5 6-5',
  globe: 'M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM1.5 8h13M8 1.5c1.8 1.8 2.5 4 2.5 6.5s-.7 4.7-2.5 6.5C6.2 12.7 5.5 10.5 5.5 8S6.2 3.3 8 1.5z',
  monitor: 'M2 3h12v8H2zM6 14h4M8 11v3',
  archive: 'M2 3h12v3H2zM3 6v7h10V6M6.5 8.5h3',
  trash: 'M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4',
  link: 'M6.5 9.5l3-3M7 4.5l1.3-1.3a2.5 2.5 0 0 1 3.5 3.5L10.5 8M9 11.5l-1.3 1.3a2.5 2.5 0 0 1-3.5-3.5L5.5 8',
  alert: 'M8 1.8l6.5 11.5h-13zM8 6v3.5M8 11.3v.2',
  info: 'M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM8 7v4.5M8 4.8v.2',
  more: 'M3.5 8h.01M8 8h.01M12.5 8h.01',
  refresh: 'M13.5 3v3.5H10M2.5 13V9.5H6M3.3 6a5 5 0 0 1 9.6-.5M12.7 10a5 5 0 0 1-9.6.5',
  lock: 'M4 7V5a4 4 0 0 1 8 0v2M3 7h10v7H3z',
  grid: 'M2.5 2.5h4.5v4.5H2.5zM9 2.5h4.5v4.5H9zM2.5 9h4.5v4.5H2.5zM9 9h4.5v4.5H9z',
  list: 'M5.5 4h8M5.5 8h8M5.5 12h8M2.5 4h.01M2.5 8h.01M2.5 12h.01',
  upload: 'M8 10.5V2.5M5 5.5l3-3 3 3M2.5 10.5v2c0 .6.4 1 1 1h9c.6 0 1-.4 1-1v-2',
  download: 'M8 2.5v8M5 7.5l3 3 3-3M2.5 10.5v2c0 .6.4 1 1 1h9c.6 0 1-.4 1-1v-2',
  film: 'M2 3h12v10H2zM5 3v10M11 3v10M2 5.5h3M2 8h3M2 10.5h3M11 5.5h3M11 8h3M11 10.5h3',
  music: 'M6 12V3.5l7-1.5V10.5M6 12a2 2 0 1 1-4 0 2 2 0 0 1 4 0zM13 10.5a2 2 0 1 1-4 0 2 2 0 0 1 4 0z',
  image: 'M2 3h12v10H2zM2 11l3.5-3.5 3 3 2-2L14 12M10.5 6.5h.01',
  file: 'M4 1.5h5.5L13 5v9.5H4zM9.5 1.5V5H13',
  text: 'M4 1.5h5.5L13 5v9.5H4zM9.5 1.5V5H13M6 8h5M6 10.5h5',
  layers: 'M8 2l6 3-6 3-6-3zM2 8l6 3 6-3M2 11l6 3 6-3',
  play: 'M5 3l8 5-8 5z',
  pause: 'M5 3v10M11 3v10',
  folderPlus: 'M2 4.5c0-.6.4-1 1-1h3.2l1.5 1.5H13c.6 0 1 .4 1 1v6c0 .6-.4 1-1 1H3c-.6 0-1-.4-1-1zM8 7v4M6 9h4',
  history: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2.5v2.5H5M8 5v3l2 1.5',
  tag: 'M2 2h5.5L14 8.5 8.5 14 2 7.5zM5 5h.01',
  compare: 'M6 2.5v11M10 2.5v11M2.5 5h3.5M2.5 11h3.5M10 5h3.5M10 11h3.5',
  sliders: 'M2.5 4.5h11M2.5 11.5h11M5.5 3v3M10.5 10v3',
};

export function Icon({ name, size = 16, class: cls = '', label }) {
  const d = paths[name] || paths.info;
  return html`<svg class=${`icon ${cls}`} width=${size} height=${size} viewBox="0 0 16 16" fill="none"
    stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round"
    aria-hidden=${label ? undefined : 'true'} role=${label ? 'img' : undefined} aria-label=${label}>
    <path d=${d} />
  </svg>`;
}
