// The UI's words: every key exists in English and in Simplified Chinese, every literal
// t('key') and tab label used under web/ is defined, and every value of the API's
// enumerations (kinds, roles, statuses, levels) has a label. Runs in node: i18n.js and
// labels.js import nothing from the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const web = resolve(new URL('../../web', import.meta.url).pathname);
const { STRINGS, t, setLocale, registerStrings } = await import(join(web, 'lib/i18n.js'));
const labels = await import(join(web, 'lib/labels.js'));

// Modules keep their words in web/<module>/strings.js (default export { en, 'zh-CN' }, no
// imports); their pages registerStrings() them. Load them all, as the app would.
for (const dir of readdirSync(web)) {
  const f = join(web, dir, 'strings.js');
  let isFile = false;
  try {
    isFile = statSync(f).isFile();
  } catch {
    // No strings of its own.
  }
  if (isFile) registerStrings((await import(f)).default);
}

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'vendor' || name === 'i18n.js' || name === 'strings.js') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

test('English and Chinese have the same keys, none empty', () => {
  const en = Object.keys(STRINGS.en).sort();
  const zh = Object.keys(STRINGS['zh-CN']).sort();
  assert.deepEqual(zh.filter((k) => !en.includes(k)), [], 'keys only in Chinese');
  assert.deepEqual(en.filter((k) => !zh.includes(k)), [], 'keys missing in Chinese');
  for (const [lang, d] of Object.entries(STRINGS)) {
    for (const [k, v] of Object.entries(d)) assert.ok(typeof v === 'string' && v.trim(), `${lang} ${k} is empty`);
  }
});

test('placeholders agree between the languages', () => {
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(STRINGS.en)) {
    assert.equal(vars(STRINGS['zh-CN'][k]), vars(STRINGS.en[k]), `placeholders of ${k}`);
  }
});

test('every key the code uses is defined', () => {
  const missing = [];
  for (const file of sources(web)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([^'$]+)'/g)) if (!(m[1] in STRINGS.en)) missing.push(`${file}: ${m[1]}`);
    for (const m of src.matchAll(/\blabel: '([a-z_.]+)'/g)) if (!(m[1] in STRINGS.en)) missing.push(`${file}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});

test('every enumeration value has a label in both languages', () => {
  const keys = [
    ...labels.ORG_KINDS.map((k) => `kind.${k}`),
    ...labels.ORG_ROLES.map((r) => `role.org.${r}`),
    ...labels.PROJECT_ROLES.map((r) => `role.project.${r}`),
    ...labels.PARTNER_ROLES.map((r) => `role.partner.${r}`),
    ...['active', 'archived'].map((s) => `status.${s}`),
    ...['none', 'view', 'edit', 'manage', 'own'].map((l) => `level.${l}`),
    ...['pending', 'accepted', 'revoked', 'expired'].map((s) => `invite.status.${s}`),
  ];
  for (const lang of Object.keys(STRINGS)) for (const k of keys) assert.ok(k in STRINGS[lang], `${lang} lacks ${k}`);
});

test('t() fills placeholders and follows the language', () => {
  setLocale('zh-Hans-CN');
  assert.equal(t('project.shared_by', { org: '常州影视' }), '由 常州影视 共享');
  setLocale('en-GB');
  assert.equal(t('project.shared_by', { org: 'Acme' }), 'Shared by Acme');
  assert.equal(t('no.such.key'), 'no.such.key');
});
