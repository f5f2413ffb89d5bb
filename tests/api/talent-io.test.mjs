// CSV import and export of an organization's people and credits (src/talent/io.c): creates,
// updates and unchanged rows, export -> import round trips, every kind of row error with its
// row and column, all or nothing, dry runs, BOM / CRLF / quoted fields / header case, consent,
// permissions (non-members 404, viewers 403), export only as the organization may see, claimed
// profiles left alone, and the command line (`mstation talent import|export`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, addMember, sql, anon, events } from './helpers.mjs';

let srv, owner, member, viewer, outsider, org, other, scratch;

before(async () => {
  srv = await startServer();
  owner = await person(srv, 'owner', 'Owner');
  member = await person(srv, 'member', 'Member');
  viewer = await person(srv, 'viewer', 'Viewer');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(owner.c, 'Qinghai Crew Office');
  await addMember(owner.c, org.id, member.id, 'member');
  await addMember(owner.c, org.id, viewer.id, 'viewer');
  other = await mkOrg(outsider.c, 'Elsewhere Films');
  scratch = await mkdtemp(join(tmpdir(), 'mstation-talent-io-'));
});
after(async () => {
  await srv.stop();
  await rm(scratch, { recursive: true, force: true });
});

const I = (o, q) => `/api/v1/orgs/${o.id}/talent/import?${q}`;
const E = (o, kind) => `/api/v1/orgs/${o.id}/talent/export?kind=${kind}`;
const post = (c, path, text, type = 'text/csv') => c.req('POST', path, { body: text, headers: { 'Content-Type': type } });
const PEOPLE = 'ref,profile_id,primary_name,other_names,crafts,skills,languages,country,region,city,travel,affiliations,email,phone,website,day_rate,week_rate,currency,listed,consent_attested';

/** One people row in the PEOPLE column order from an object (missing keys: empty cells). */
const prow = (o) => PEOPLE.split(',').map((k) => o[k] ?? '').join(',');

/** CSV text -> array of objects keyed by the header (RFC 4180, enough for our exports). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r') continue;
    else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const [head, ...body] = rows;
  return { head, rows: body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? '']))) };
}

async function exportOf(c, o, kind) {
  const r = await c.get(E(o, kind));
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  return { text: r.text, ...parseCsv(r.text) };
}

/** An organization of the owner's with the member as a member. */
async function mkTalentOrg(name) {
  const o = await mkOrg(owner.c, name);
  await addMember(owner.c, o.id, member.id, 'member');
  return o;
}

async function count(o) {
  return Number(await sql(srv, `SELECT COUNT(*) FROM talent_profile WHERE steward_org_id = '${o.id}'`));
}

test('people: create, export the same columns, import the export back unchanged, then update', async () => {
  const file = [
    PEOPLE,
    'crew-001,,扎西,Tashi Dhondup|Latn; བཀྲ་ཤིས|Tibt,sound;composer,Pro Tools; boom operation,bo:native; zh:fluent,CN,Qinghai,Xining,international,China Film Sound Union|union|M-1024,tashi@example.com,+86 971 555 0101,https://tashi.example.com,1200,6000.50,CNY,yes,yes',
    'crew-002,,Li Na,李娜|Hans,editor,DaVinci Resolve,zh:native; en:professional,cn,,Beijing,national,,,,,,,,,yes',
    'crew-003,,"Wang, Fang",,director,,en:basic,FR,,Paris,,Star Agency|agency,,,,,,,no,yes',
  ].join('\n');
  const r = assertOk(await post(member.c, I(org, 'kind=people'), file), 200);
  assert.equal(r.rows, 3);
  assert.equal(r.created, 3);
  assert.equal(r.updated, 0);
  assert.deepEqual(r.errors, []);
  assert.equal(r.dry_run, false);
  const db = await sql(srv, `SELECT ref, primary_name, names, crafts, languages, country, rate_currency, rate_day, rate_week, listed, consent FROM talent_profile WHERE steward_org_id = '${org.id}' ORDER BY ref`);
  const rows = db.split('\n').map((l) => l.split('|'));
  assert.equal(rows[0][0], 'crew-001');
  assert.equal(rows[0][1], '扎西');
  const names = JSON.parse(rows[0][2]);
  assert.deepEqual(names.map((n) => [n.name, n.script, n.primary]), [['扎西', 'Hani', true], ['Tashi Dhondup', 'Latn', false], ['བཀྲ་ཤིས', 'Tibt', false]]);
  assert.deepEqual(JSON.parse(rows[0][3]), ['sound', 'composer']);
  assert.deepEqual(JSON.parse(rows[0][4]), [{ tag: 'bo', level: 'native' }, { tag: 'zh', level: 'fluent' }]);
  assert.deepEqual(rows[0].slice(6, 9), ['CNY', '120000', '600050']);
  assert.equal(rows[1][5], 'CN', 'country upper-cased');
  assert.equal(rows[2][9], '0', 'listed=no');
  const consent = JSON.parse(rows[0][10]);
  assert.equal(consent.basis, 'attested');
  assert.equal(consent.by, member.id);
  assert.equal(consent.note, 'CSV import');
  assert.match(consent.at, /^\d{4}-\d\d-\d\dT/);
  // One event for the import.
  const ev = await events(owner.c, `org_id=${org.id}&action=talent.imported`);
  assert.equal(ev.length, 1);

  // The export has the same columns, and imports back as it is.
  const ex = await exportOf(member.c, org, 'people');
  assert.deepEqual(ex.head, PEOPLE.split(','));
  const t = ex.rows.find((x) => x.ref === 'crew-001');
  assert.equal(t.other_names, 'Tashi Dhondup|Latn; བཀྲ་ཤིས|Tibt');
  assert.equal(t.crafts, 'sound; composer');
  assert.equal(t.languages, 'bo:native; zh:fluent');
  assert.equal(t.affiliations, 'China Film Sound Union|union|M-1024');
  assert.equal(t.day_rate, '1200.00');
  assert.equal(t.week_rate, '6000.50');
  assert.equal(t.email, 'tashi@example.com');
  assert.equal(ex.rows.find((x) => x.ref === 'crew-003').primary_name, 'Wang, Fang');
  const back = assertOk(await post(member.c, I(org, 'kind=people'), ex.text), 200);
  assert.equal(back.unchanged, 3, JSON.stringify(back));
  assert.equal(back.created + back.updated, 0);

  // Updates: the columns there replace (an empty cell clears), the others stay.
  const upd = assertOk(await post(member.c, I(org, 'kind=people'), 'REF,City,Phone\ncrew-001,Yushu,\ncrew-002,Beijing,\n'), 200);
  assert.equal(upd.updated, 1);
  assert.equal(upd.unchanged, 1);
  const after1 = (await exportOf(member.c, org, 'people')).rows.find((x) => x.ref === 'crew-001');
  assert.equal(after1.city, 'Yushu');
  assert.equal(after1.phone, '');
  assert.equal(after1.email, 'tashi@example.com', 'absent column left as it was');
  assert.equal(after1.region, 'Qinghai');
  // An update by profile_id may set a new ref.
  const id3 = ex.rows.find((x) => x.ref === 'crew-003').profile_id;
  assertOk(await post(member.c, I(org, 'kind=people'), `profile_id,ref\n${id3},crew-003b\n`), 200);
  assert.equal(await sql(srv, `SELECT ref FROM talent_profile WHERE id = '${id3}'`), 'crew-003b');
  // A ref given up in a file is free for a new person later in the same file.
  const mv = assertOk(await post(member.c, I(org, 'kind=people&consent=attested'), `profile_id,ref,primary_name\n${id3},crew-003c,\n,crew-003b,Someone Else\n`), 200);
  assert.deepEqual([mv.updated, mv.created], [1, 1]);
  assert.equal(await sql(srv, `SELECT ref FROM talent_profile WHERE id = '${id3}'`), 'crew-003c');
  assert.equal(await sql(srv, `SELECT primary_name FROM talent_profile WHERE steward_org_id = '${org.id}' AND ref = 'crew-003b'`), 'Someone Else');
  assert.equal(await count(org), 4);
});

test('credits: by ref or profile_id, round trip without duplicates', async () => {
  const o = await mkOrg(owner.c, 'Credits Studio');
  assertOk(await post(owner.c, I(o, 'kind=people&consent=attested'), 'ref,primary_name\nc-1,周迅\nc-2,Zhou Xun\n'), 200);
  const ids = Object.fromEntries((await exportOf(owner.c, o, 'people')).rows.map((x) => [x.ref, x.profile_id]));
  const file = [
    'ref,profile_id,title,role,craft,year,company',
    'c-1,,可可西里,Sound Recordist,sound,2004,Huayi Brothers',
    `,${ids['c-2']},"Balloon, The",Editor,editor,2019,`,
    'c-1,,Untitled short,Boom Operator,,,',
  ].join('\r\n');
  const r = assertOk(await post(owner.c, I(o, 'kind=credits'), file), 200);
  assert.equal(r.created, 3, JSON.stringify(r));
  const rows = (await sql(srv, `SELECT title, role, craft, year, company, source, org_id FROM talent_credit WHERE profile_id = '${ids['c-1']}' ORDER BY title`)).split('\n');
  assert.deepEqual(rows[1].split('|'), ['可可西里', 'Sound Recordist', 'sound', '2004', 'Huayi Brothers', 'import', o.id]);
  const ex = await exportOf(owner.c, o, 'credits');
  assert.deepEqual(ex.head, ['ref', 'profile_id', 'title', 'role', 'craft', 'year', 'company']);
  assert.equal(ex.rows.length, 3);
  assert.equal(ex.rows.find((x) => x.role === 'Editor').title, 'Balloon, The');
  // The credits API reads them: on the profile, and as credits naming the organization,
  // self-declared (pending) until it verifies them.
  const list = assertOk(await owner.c.get(`/api/v1/talent/profiles/${ids['c-1']}/credits`), 200);
  assert.deepEqual(list.items.map((x) => [x.title, x.source, x.verified_at ?? null]).sort(), [['Untitled short', 'import', null], ['可可西里', 'import', null]]);
  const pending = assertOk(await owner.c.get(`/api/v1/orgs/${o.id}/talent/credits?status=pending`), 200);
  assert.equal(pending.items.length, 3);
  const back = assertOk(await post(owner.c, I(o, 'kind=credits'), ex.text), 200);
  assert.equal(back.created, 0);
  assert.equal(back.unchanged, 3);
  assert.equal(Number(await sql(srv, `SELECT COUNT(*) FROM talent_credit WHERE org_id = '${o.id}'`)), 3);
});

test('every kind of row error is reported with its row and column; nothing is written', async () => {
  const o = await mkTalentOrg('Error Studio');
  assertOk(await post(owner.c, I(o, 'kind=people'), 'ref,primary_name,consent_attested\nold-1,Old One,yes\n'), 200);
  const before = await count(o);
  const file = [
    'ref,primary_name,other_names,crafts,languages,country,travel,affiliations,email,phone,website,day_rate,currency,listed,consent_attested',
    'ok-1,Good Row,,sound,zh:native,CN,local,,,,,,,,yes', // row 2: good
    'e-3,,,,,,,,,,,,,,yes', // row 3: no name
    'e-4,Name,,plumber,,,,,,,,,,,yes', // row 4: craft
    'e-5,Name,,,zh:expert,,,,,,,,,,yes', // row 5: level
    'e-6,Name,,,e n:native,,,,,,,,,,yes', // row 6: tag
    'e-7,Name,,,,China,,,,,,,,,yes', // row 7: country
    'e-8,Name,,,,,everywhere,,,,,,,,yes', // row 8: travel
    'e-9,Name,,,,,,Guild|club,,,,,,,yes', // row 9: affiliation kind
    'e-10,Name,,,,,,,not-an-email,,,,,,yes', // row 10: email
    'e-11,Name,,,,,,,,call me,,,,,yes', // row 11: phone
    'e-12,Name,,,,,,,,,ftp://x,,,,yes', // row 12: website
    'e-13,Name,,,,,,,,,,1200,,,yes', // row 13: rate without currency
    'e-14,Name,,,,,,,,,,12.345,CNY,,yes', // row 14: amount
    'e-15,Name,,,,,,,,,,,ABC,,yes', // row 15: currency
    'e-16,Name,,,,,,,,,,,,maybe,yes', // row 16: listed
    'e-17,Name,,,,,,,,,,,,,no', // row 17: consent
    'ok-1,Again,,,,,,,,,,,,,yes', // row 18: duplicate ref
    'e-19,Name,Zhang Wei|Latin,,,,,,,,,,,,yes', // row 19: script
    ',Name,,,,,,,,,,,,,yes', // row 20: no ref
    `e-21,Name,,${'sound;edit;grade;vfx;gaffer;grip;director;producer;writer;camera;art'},,,,,,,,,,,yes`, // row 21: 11 crafts
    `e-22,Name,${Array.from({ length: 8 }, (_, i) => `Other ${i}`).join(';')},,,,,,,,,,,,yes`, // row 22: 9 names
  ].join('\n');
  const r = await post(member.c, I(o, 'kind=people'), file);
  const p = assertProblem(r, 422, 'validation');
  const got = p.errors.map((e) => [e.row, e.column]);
  const want = [
    [3, 'primary_name'], [4, 'crafts'], [5, 'languages'], [6, 'languages'], [7, 'country'], [8, 'travel'],
    [9, 'affiliations'], [10, 'email'], [11, 'phone'], [12, 'website'], [13, 'day_rate'], [14, 'day_rate'],
    [15, 'currency'], [16, 'listed'], [17, 'consent_attested'], [18, 'ref'], [19, 'other_names'], [20, 'ref'],
    [21, 'crafts'], [22, 'other_names'],
  ];
  assert.deepEqual(got, want, JSON.stringify(p.errors, null, 1));
  for (const e of p.errors) {
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 3);
    assert.equal(e.line, e.row, 'no multi-line cells here: line = row');
    assert.equal(e.field, `row ${e.row}, ${e.column}`);
  }
  assert.match(p.errors.find((e) => e.row === 4).message, /plumber/);
  assert.match(p.errors.find((e) => e.row === 18).message, /row 2/);
  // The list limits are the profile API's (talent_input_check), with its words.
  assert.match(p.errors.find((e) => e.row === 21).message, /at most 10 items/);
  assert.match(p.errors.find((e) => e.row === 22).message, /at most 8 items/);
  assert.equal(p.rows, 21);
  assert.equal(p.bad_rows, 20);
  assert.equal(p.created, 0);
  assert.equal(await count(o), before, 'all or nothing: the good row was not kept');

  // An unknown column is an error of the header row, and the rows are not read further.
  const u = assertProblem(await post(member.c, I(o, 'kind=people'), 'ref,primary_name,shoe_size\nx,Y,42\n'), 422, 'validation');
  assert.deepEqual(u.errors.map((e) => [e.row, e.column]), [[1, 'shoe_size']]);
  assert.match(u.errors[0].message, /unknown column/);

  // Credits: unknown ref, bad profile_id, missing title and role, bad year, bad craft.
  const c = assertProblem(await post(member.c, I(o, 'kind=credits'), [
    'ref,profile_id,title,role,craft,year',
    'old-1,,Film,Gaffer,,1999',
    'nobody,,Film,Gaffer,,',
    ',00000000-0000-7000-8000-000000000000,Film,Gaffer,,',
    'old-1,,,,,',
    'old-1,,Film,Gaffer,,nineteen',
    'old-1,,Film,Gaffer,juggler,',
    ',,Film,Gaffer,,',
    'old-1,,Film,Gaffer,,1887',
    `old-1,,Film,Gaffer,,${new Date().getUTCFullYear() + 2}`,
    `old-1,,${'T'.repeat(301)},Gaffer,,`,
  ].join('\n')), 422, 'validation');
  assert.deepEqual(c.errors.map((e) => [e.row, e.column]),
    [[3, 'ref'], [4, 'profile_id'], [5, 'title'], [5, 'role'], [6, 'year'], [7, 'craft'], [8, 'ref'],
      [9, 'year'], [10, 'year'], [11, 'title']]);
  // The checks are the credits API's (talent_credit_check), with its words.
  assert.match(c.errors.find((e) => e.row === 9).message, /between 1888 and/);
  assert.match(c.errors.find((e) => e.row === 10).message, new RegExp(`between 1888 and ${new Date().getUTCFullYear() + 1}`));
  assert.match(c.errors.find((e) => e.row === 11).message, /at most 300 characters/);
  assert.equal(Number(await sql(srv, `SELECT COUNT(*) FROM talent_credit WHERE org_id = '${o.id}'`)), 0);
  // A credits file without a title column says so once, for the header.
  const h = assertProblem(await post(member.c, I(o, 'kind=credits'), 'ref,role\nold-1,Gaffer\n'), 422, 'validation');
  assert.deepEqual(h.errors.map((e) => [e.row, e.column]), [[1, 'title']]);
});

test('dry run: counts what would happen, writes nothing, and lists errors with 200', async () => {
  const o = await mkTalentOrg('Dry Studio');
  const r = assertOk(await post(member.c, I(o, 'kind=people&dry_run=true&consent=attested'), 'ref,primary_name\nd-1,One\nd-2,Two\n'), 200);
  assert.equal(r.dry_run, true);
  assert.equal(r.created, 2);
  assert.equal(await count(o), 0);
  const bad = assertOk(await post(member.c, I(o, 'kind=people&dry_run=true'), 'ref,primary_name\nd-1,One\n'), 200);
  assert.equal(bad.bad_rows, 1);
  assert.equal(bad.errors[0].column, 'consent_attested');
  assert.equal(await count(o), 0);
  assert.equal((await events(owner.c, `org_id=${o.id}&action=talent.imported`)).length, 0);
});

test('BOM, CRLF, quoted fields with commas, quotes and line breaks, header names in any case, ; and tab delimiters', async () => {
  const o = await mkTalentOrg('Format Studio');
  const text = '\uFEFFREF,Primary_Name,SKILLS,Consent_Attested\r\n' +
    'f-1,"Ma ""Mike"" Li","Steadicam; ""A"" camera",yes\r\n' +
    'f-2,"Chen,Kaige",,yes\r\n';
  const r = assertOk(await post(member.c, I(o, 'kind=people'), text), 200);
  assert.equal(r.created, 2, JSON.stringify(r));
  const ex = (await exportOf(member.c, o, 'people')).rows;
  assert.equal(ex[0].primary_name, 'Ma "Mike" Li');
  assert.equal(ex[0].skills, 'Steadicam; "A" camera');
  assert.equal(ex[1].primary_name, 'Chen,Kaige');
  // A line break inside quotes: the error names the row a spreadsheet shows and the line.
  const ml = assertProblem(await post(member.c, I(o, 'kind=people&consent=attested'), 'ref,primary_name,city\nf-3,"Two\nLines",x\nf-4,Ok,"Bad\u0001city"\n'), 422, 'validation');
  assert.deepEqual(ml.errors.map((e) => [e.row, e.line, e.column]), [[2, 2, 'primary_name'], [3, 4, 'city']]);
  // Semicolons (detected) and tabs (text/tab-separated-values).
  assertOk(await post(member.c, I(o, 'kind=people&consent=attested'), 'ref;primary_name\nf-5;Semi Colon\n'), 200);
  assertOk(await post(member.c, I(o, 'kind=people&consent=attested'), 'ref\tprimary_name\nf-6\tTab Bed\n', 'text/tab-separated-values'), 200);
  assert.equal(await count(o), 4);
});

test('requests that are wrong as a whole: kind, query, content type, empty body, bad UTF-8', async () => {
  assertProblem(await post(member.c, I(org, 'kind=things'), 'a\n'), 400, 'bad-query');
  assertProblem(await post(member.c, `/api/v1/orgs/${org.id}/talent/import`, 'a\n'), 400, 'bad-query');
  assertProblem(await post(member.c, I(org, 'kind=people&frob=1'), 'a\n'), 400, 'bad-query');
  assertProblem(await post(member.c, I(org, 'kind=people&consent=maybe'), 'a\n'), 400, 'bad-query');
  assertProblem(await post(member.c, I(org, 'kind=people&dry_run=perhaps'), 'a\n'), 400, 'bad-query');
  assertProblem(await post(member.c, I(org, 'kind=people'), '{}', 'application/json'), 415, 'unsupported-media-type');
  assertProblem(await post(member.c, I(org, 'kind=people'), ''), 422, 'invalid-csv');
  const r = await member.c.req('POST', I(org, 'kind=people'), { body: Buffer.from([0x72, 0x65, 0x66, 0x0a, 0xff, 0xfe, 0x0a]), headers: { 'Content-Type': 'text/csv' } });
  assert.ok([400, 422].includes(r.status), r.text);
  assertProblem(await member.c.get(E(org, 'things')), 400, 'bad-query');
});

test('permissions: non-members 404, viewers may export but not import, anonymous 401', async () => {
  const before = await count(org);
  assertProblem(await post(outsider.c, I(org, 'kind=people&consent=attested'), 'ref,primary_name\nx,Y\n'), 404, 'not-found');
  assertProblem(await outsider.c.get(E(org, 'people')), 404, 'not-found');
  assertProblem(await post(viewer.c, I(org, 'kind=people&consent=attested'), 'ref,primary_name\nx,Y\n'), 403, 'forbidden');
  assertProblem(await post(anon(srv), I(org, 'kind=people'), 'ref,primary_name\nx,Y\n'), 401, 'authentication-required');
  assert.equal(await count(org), before);
  assert.ok((await exportOf(viewer.c, org, 'people')).rows.length > 0);
  // An organization's export never holds another organization's people.
  const theirs = await exportOf(outsider.c, other, 'people');
  assert.equal(theirs.rows.length, 0);
});

test('export shows each field only as the organization may see it; claimed profiles are skipped by imports', async () => {
  const o = await mkTalentOrg('Visibility Studio');
  const file = 'ref,primary_name,skills,email,day_rate,currency\nv-1,Open Book,Foley,open@example.com,900,USD\nv-2,Claimed Person,Foley,claimed@example.com,900,USD\n';
  assertOk(await post(owner.c, I(o, 'kind=people&consent=attested'), file), 200);
  assertOk(await post(owner.c, I(o, 'kind=credits'), 'ref,title,role\nv-1,Film A,Foley Artist\nv-2,Film B,Foley Artist\n'), 200);
  // Unclaimed: the steward keeps the profile for the person and sees everything.
  let ex = (await exportOf(member.c, o, 'people')).rows;
  assert.equal(ex[0].email, 'open@example.com');
  assert.equal(ex[0].day_rate, '900.00');
  // v-2 is claimed by its person, who keeps rates, contacts and credits private and skills
  // to their organizations (which the steward is: it still sees them).
  const vis = JSON.stringify({ names: 'public', skills: 'orgs', rates: 'private', contacts: 'private', credits: 'private' });
  await sql(srv, `UPDATE talent_profile SET user_id = '${outsider.id}', visibility = '${vis}' WHERE ref = 'v-2' AND steward_org_id = '${o.id}'`);
  ex = (await exportOf(member.c, o, 'people')).rows;
  const v2 = ex.find((x) => x.ref === 'v-2');
  assert.equal(v2.primary_name, 'Claimed Person');
  assert.equal(v2.skills, 'Foley');
  assert.equal(v2.email, '');
  assert.equal(v2.day_rate, '');
  assert.equal(v2.currency, '');
  const credits = (await exportOf(member.c, o, 'credits')).rows;
  assert.deepEqual(credits.map((x) => x.ref), ['v-1']);
  // Every member of the steward, viewers too, reads an unclaimed profile's private fields
  // (access.c: the organization keeps it for the person); the claimed one stays as above.
  await addMember(owner.c, o.id, viewer.id, 'viewer');
  const vexp = (await exportOf(viewer.c, o, 'people')).rows;
  assert.equal(vexp.find((x) => x.ref === 'v-1').email, 'open@example.com');
  assert.equal(vexp.find((x) => x.ref === 'v-2').email, '');
  // The person reads their own private fields in an export of an organization they belong to.
  await addMember(owner.c, o.id, outsider.id, 'viewer');
  assert.equal((await exportOf(outsider.c, o, 'people')).rows.find((x) => x.ref === 'v-2').email, 'claimed@example.com');
  // Importing the export back leaves the claimed profile alone (with a notice).
  const text = (await exportOf(member.c, o, 'people')).text;
  const back = assertOk(await post(member.c, I(o, 'kind=people'), text), 200);
  assert.equal(back.skipped, 1);
  assert.equal(back.unchanged, 1);
  assert.equal(back.notices.length, 1);
  assert.equal(back.notices[0].row, 3);
  const some = assertOk(await post(member.c, I(o, 'kind=people'), 'ref,city\nv-2,Paris\n'), 200);
  assert.equal(some.skipped, 1);
  const still = await sql(srv, `SELECT rate_day, contacts FROM talent_profile WHERE ref = 'v-2' AND steward_org_id = '${o.id}'`);
  assert.equal(still, '90000|{"email":"claimed@example.com"}');
  // Credits by profile_id for a claimed profile whose person belongs to the organization.
  const id2 = v2.profile_id;
  assertProblem(await post(member.c, I(other, 'kind=credits'), `profile_id,title,role\n${id2},X,Y\n`), 404, 'not-found');
  const oo = await mkOrg(outsider.c, 'Outsider Own');
  assertOk(await post(outsider.c, I(oo, 'kind=credits'), `profile_id,title,role\n${id2},Own Film,Director\n`), 200);
  const stranger = await mkOrg(owner.c, 'Stranger Studio');
  const s = assertProblem(await post(owner.c, I(stranger, 'kind=credits'), `profile_id,title,role\n${id2},X,Y\n`), 422, 'validation');
  assert.equal(s.errors[0].column, 'profile_id');
});

test('the command line: talent import (checked first, then batches), talent export, errors', async () => {
  const o = await mkOrg(owner.c, 'CLI Studio', 'studio', { slug: 'cli-studio-io' });
  const people = join(scratch, 'people.csv');
  const credits = join(scratch, 'credits.csv');
  const lines = [PEOPLE];
  for (let i = 1; i <= 25; i++) lines.push(prow({ ref: `k-${i}`, primary_name: `王${i}号`, other_names: `Wang ${i}|Latn`, crafts: 'sound', languages: 'zh:native', country: 'CN', region: 'Qinghai', city: 'Xining', travel: 'regional', listed: 'yes', consent_attested: 'yes' }));
  await writeFile(people, lines.join('\n') + '\n');
  const cl = ['ref,title,role,craft,year,company'];
  for (let i = 1; i <= 25; i++) cl.push(`k-${i},Film ${i},Sound Recordist,sound,${2000 + i},Xining Studio`, `k-${i},Series ${i},Boom Operator,,,`);
  await writeFile(credits, cl.join('\n') + '\n');
  const r = await srv.cli(['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--credits', credits, '--batch', '7']);
  assert.match(r.stdout, /people\.csv: 25 rows: 25 created/);
  assert.match(r.stdout, /credits\.csv: 50 rows: 50 created/);
  assert.equal(await count(o), 25);
  const consent = JSON.parse(await sql(srv, `SELECT consent FROM talent_profile WHERE ref = 'k-1' AND steward_org_id = '${o.id}'`));
  assert.equal(consent.by, owner.id);
  // Export through the command line and through the API: the same text.
  const ex = await srv.cli(['talent', 'export', '--org', 'cli-studio-io', '--kind', 'people']);
  assert.equal(ex.stdout, (await exportOf(owner.c, o, 'people')).text);
  const exc = await srv.cli(['talent', 'export', '--org', 'cli-studio-io', '--kind', 'credits']);
  assert.equal(exc.stdout.trim().split('\n').length, 51);
  // Importing again: nothing new.
  const again = await srv.cli(['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--credits', credits]);
  assert.match(again.stdout, /25 rows: 0 created, 0 updated, 25 unchanged/);
  assert.match(again.stdout, /50 rows: 0 created, 0 updated, 50 unchanged/);
  // A bad row anywhere: exit 2, the problems by row and column, nothing written.
  await writeFile(people, [PEOPLE, prow({ ref: 'k-100', primary_name: 'New Person', crafts: 'sound', consent_attested: 'yes' }), prow({ ref: 'k-101', primary_name: 'Bad', crafts: 'juggler', consent_attested: 'yes' })].join('\n'));
  await writeFile(credits, 'ref,title,role\nk-100,Film,Gaffer\nnobody,Film,Gaffer\n');
  let failed;
  try { await srv.cli(['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--credits', credits]); } catch (e) { failed = e; }
  assert.ok(failed, 'the import failed');
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /people\.csv: row 3, crafts: .*juggler/);
  assert.match(failed.stderr, /credits\.csv: row 3, ref: /);
  assert.equal(await count(o), 25);
  // --dry-run checks only; usage errors are exit 2; an unknown organization exit 4.
  await writeFile(people, [PEOPLE, prow({ ref: 'k-100', primary_name: 'New Person', crafts: 'sound', consent_attested: 'yes' })].join('\n'));
  await srv.cli(['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--dry-run']);
  assert.equal(await count(o), 25);
  // --user: the member who imports (recorded in the consent); someone else is refused.
  await writeFile(people, [PEOPLE, prow({ ref: 'k-200', primary_name: 'By Member', consent_attested: 'yes' })].join('\n'));
  await addMember(owner.c, o.id, member.id, 'member');
  await srv.cli(['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--user', member.email]);
  const by = JSON.parse(await sql(srv, `SELECT consent FROM talent_profile WHERE ref = 'k-200' AND steward_org_id = '${o.id}'`));
  assert.equal(by.by, member.id);
  assert.equal(by.note, 'CSV import (command line)');
  // The text index can be rebuilt whenever (after migrate-store, or SQL changes).
  assert.match((await srv.cli(['talent', 'reindex'])).stdout, /rebuilt/);
  for (const [argv, code] of [[['talent', 'import', '--org', 'cli-studio-io'], 2], [['talent', 'import', '--org', 'nope-x', '--people', people], 4], [['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--user', outsider.email], 4], [['talent', 'import', '--org', 'cli-studio-io', '--people', join(scratch, 'missing.csv')], 4], [['talent', 'import', '--org', 'cli-studio-io', '--people', people, '--batch', '0'], 2], [['talent', 'export', '--org', 'cli-studio-io', '--kind', 'x'], 2]]) {
    let e;
    try { await srv.cli(argv); } catch (x) { e = x; }
    assert.equal(e?.code, code, argv.join(' '));
  }
});

test('an imported profile is a profile of the API: read as each viewer may, listed by its organization', async () => {
  const o = await mkTalentOrg('API Studio');
  const file = [PEOPLE, prow({ ref: 'a-1', primary_name: '才让', other_names: 'Tsering|latn', crafts: 'sound', skills: 'Foley', languages: 'bo:native; zh', country: 'cn', city: 'Xining', email: 'tsering@example.com', day_rate: '800', currency: 'cny', consent_attested: 'yes' })].join('\n');
  assertOk(await post(member.c, I(o, 'kind=people'), file), 200);
  const id = (await exportOf(member.c, o, 'people')).rows[0].profile_id;
  const mine = assertOk(await member.c.get(`/api/v1/talent/profiles/${id}`), 200);
  assert.equal(mine.primary_name, '才让');
  assert.deepEqual(mine.names.map((n) => [n.name, n.script, n.primary]), [['才让', 'Hani', true], ['Tsering', 'Latn', false]]);
  assert.deepEqual(mine.crafts, ['sound']);
  assert.deepEqual(mine.languages, [{ tag: 'bo', level: 'native' }, { tag: 'zh', level: 'professional' }]);
  assert.equal(mine.location.country, 'CN');
  assert.equal(mine.ref, 'a-1');
  assert.deepEqual(mine.rates, { currency: 'CNY', day: '800.00' });
  assert.equal(mine.contacts.email, 'tsering@example.com');
  assert.equal(mine.can_edit, true);
  assert.equal(mine.steward_org.id, o.id);
  // Anybody else: the public fields only (no rates, contacts, skills for the anonymous).
  const pub = assertOk(await anon(srv).get(`/api/v1/talent/profiles/${id}`), 200);
  assert.equal(pub.primary_name, '才让');
  assert.equal(pub.rates, undefined);
  assert.equal(pub.contacts, undefined);
  assert.equal(pub.skills, undefined);
  assert.equal(pub.ref, undefined);
  const list = assertOk(await member.c.get(`/api/v1/orgs/${o.id}/talent/profiles`), 200);
  assert.deepEqual(list.items.map((p) => p.id), [id]);
  // Touched on import: the search finds the person by a name and by a credit.
  const hit = assertOk(await outsider.c.get(`/api/v1/talent/search?q=${encodeURIComponent('才让')}`), 200);
  assert.ok(hit.items.some((x) => x.id === id));
  assertOk(await post(member.c, I(o, 'kind=credits'), 'ref,title,role\na-1,雪域归途,Sound Recordist\n'), 200);
  const byCredit = assertOk(await member.c.get(`/api/v1/talent/search?q=${encodeURIComponent('雪域归途')}`), 200);
  assert.deepEqual(byCredit.items.map((x) => x.id), [id]);
  // A change through the API is what the next export shows.
  const cur = await member.c.get(`/api/v1/talent/profiles/${id}`);
  assertOk(await member.c.patch(`/api/v1/talent/profiles/${id}`, { skills: ['Foley', 'ADR'] }, { headers: { 'If-Match': cur.headers.get('etag') } }), 200);
  assert.equal((await exportOf(member.c, o, 'people')).rows[0].skills, 'Foley; ADR');
});

test('a first load of 10,000 people by the command line (one INSERT a person, the index rebuilt once) makes the same profiles as the API', async () => {
  const bulk = await mkOrg(owner.c, 'Bulk Crew', 'studio', { slug: 'bulk-crew-io' });
  const few = await mkTalentOrg('Few Crew');
  const row = (i) => prow({ ref: `b-${i}`, primary_name: i % 2 ? `欧阳${i}` : `Bulk Person ${i}`, other_names: `Ouyang ${i}|Latn`, crafts: 'vfx;animator', skills: 'Nuke; Houdini', languages: 'zh:native; en', country: 'cn', region: 'Zhejiang', city: 'Hengdian', travel: 'National', affiliations: 'VFX Guild|guild', email: `b${i}@example.com`, day_rate: '900.5', currency: 'CNY', listed: i % 3 ? 'yes' : 'no', consent_attested: 'yes' });
  const lines = [PEOPLE];
  for (let i = 1; i <= 10000; i++) lines.push(row(i));
  const file = join(scratch, 'bulk.csv');
  await writeFile(file, lines.join('\n'));
  const r = await srv.cli(['talent', 'import', '--org', 'bulk-crew-io', '--people', file, '--batch', '3000']);
  assert.match(r.stdout, /10000 rows: 10000 created/);
  assert.match(r.stdout, /text index rebuilt/);
  assertOk(await post(member.c, I(few, 'kind=people'), [PEOPLE, row(1), row(2), row(3)].join('\n')), 200);
  const strip = (p) => { const { id, created_at, updated_at, steward_org, can_edit, consent, ...rest } = p; return { ...rest, consent_basis: consent?.basis }; };
  const ids = async (o) => Object.fromEntries((await exportOf(owner.c, o, 'people')).rows.map((x) => [x.ref, x.profile_id]));
  const a = await ids(bulk), b = await ids(few);
  for (const ref of ['b-1', 'b-2', 'b-3']) {
    const pa = assertOk(await owner.c.get(`/api/v1/talent/profiles/${a[ref]}`), 200);
    const pb = assertOk(await owner.c.get(`/api/v1/talent/profiles/${b[ref]}`), 200);
    assert.deepEqual(strip(pa), strip(pb), ref);
  }
  assert.equal(Number(await sql(srv, `SELECT COUNT(*) FROM talent_profile WHERE steward_org_id = '${bulk.id}' AND rev > 0`)), 10000);
  // The text index was built at the end: the search finds them (listed ones only).
  const found = assertOk(await owner.c.get(`/api/v1/talent/search?q=${encodeURIComponent('Bulk Person 9998')}`), 200);
  assert.deepEqual(found.items.map((x) => x.id), [a['b-9998']]);
  const unlisted = assertOk(await owner.c.get(`/api/v1/talent/search?q=${encodeURIComponent('Bulk Person 9996')}`), 200);
  assert.deepEqual(unlisted.items, []);
  const han = assertOk(await owner.c.get(`/api/v1/talent/search?q=${encodeURIComponent('欧阳9997')}&limit=5`), 200);
  assert.ok(han.items.some((x) => x.id === a['b-9997']), JSON.stringify(han.items.map((x) => x.primary_name)));
});

test('an organization of more than 50,000 people: rows look their person up one by one, with the same answers', async () => {
  const big = await mkOrg(owner.c, 'Big Crew', 'studio', { slug: 'big-crew-io' });
  await addMember(owner.c, big.id, member.id, 'member');
  const lines = ['ref,primary_name,city,consent_attested'];
  for (let i = 1; i <= 50001; i++) lines.push(`l-${i},Person ${i},Xining,yes`);
  const file = join(scratch, 'big.csv');
  await writeFile(file, lines.join('\n'));
  await srv.cli(['talent', 'import', '--org', 'big-crew-io', '--people', file]);
  const id7 = await sql(srv, `SELECT id FROM talent_profile WHERE steward_org_id = '${big.id}' AND ref = 'l-7'`);
  const r = assertOk(await post(member.c, I(big, 'kind=people&consent=attested'), [
    'ref,profile_id,primary_name,city',
    'l-5,,Person 5,Lhasa', // an update by ref
    `l-7b,${id7},,`, // a new ref by profile_id (city cleared)
    'l-new,,New Person,Yushu', // a new person
    'l-9,,Person 9,Xining', // unchanged
  ].join('\n')), 200);
  assert.deepEqual([r.created, r.updated, r.unchanged], [1, 2, 1], JSON.stringify(r));
  assert.equal(await sql(srv, `SELECT city FROM talent_profile WHERE steward_org_id = '${big.id}' AND ref = 'l-5'`), 'Lhasa');
  assert.equal(await sql(srv, `SELECT ref || '|' || city FROM talent_profile WHERE id = '${id7}'`), 'l-7b|');
  const bad = assertProblem(await post(member.c, I(big, 'kind=people&consent=attested'), [
    'ref,profile_id,primary_name',
    `l-8,${id7},X`, // l-8 is another person's ref
    `,${id7},Y`, // the same person twice (by id) ...
    'l-7b,,Z', // ... and again by ref
  ].join('\n')), 422, 'validation');
  assert.deepEqual(bad.errors.map((e) => [e.row, e.column]), [[2, 'ref'], [4, 'ref']]);
  const c = assertOk(await post(member.c, I(big, 'kind=credits'), `ref,profile_id,title,role\nl-50001,,Film,Gaffer\n,${id7},Film,Gaffer\nl-new,,Film,Grip\n`), 200);
  assert.equal(c.created, 3);
});
