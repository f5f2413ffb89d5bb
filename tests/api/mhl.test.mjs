// `mstation mhl create` and `mstation mhl verify` (src/cli/mhl_cmd.c, src/mhl/): a camera card's
// folder tree gets an ASC MHL history (ascmhl/0001_<folder>_<date>_<time>Z.mhl and
// ascmhl_chain.xml) whose XML has the ASC structure; verify passes, then names a corrupted,
// a deleted and a new file with a non-zero exit; a second generation, usage errors and a
// tampered history. No server: these commands need no data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile, appendFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, testEnv } from '../lib/server.mjs';

let scratch;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mstation-mhl-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Run the CLI; resolves { code, stdout, stderr } whatever the exit code. */
function mstation(argv) {
  return new Promise((resolve) => {
    execFile(BIN, argv, { env: testEnv() }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

async function card(name) {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'Clips'), { recursive: true });
  await mkdir(join(dir, 'Audio', 'Day 1'), { recursive: true });
  await writeFile(join(dir, 'Sidecar.txt'), 'BLOREM ipsum dolor sit amet, consetetur sadipscing elitr.\n');
  await writeFile(join(dir, 'Clips', 'A002C006_141024_R2EC.mov'), 'abcd\n');
  await writeFile(join(dir, 'Clips', 'A002C007_141024_R2EC.mov'), 'def\n');
  await writeFile(join(dir, 'Audio', 'Day 1', 'take 1 <&>.wav'), Buffer.alloc(300000, 7));
  await writeFile(join(dir, '.DS_Store'), 'finder');
  await writeFile(join(dir, 'render.tmp'), 'scratch');
  return dir;
}

async function generations(dir) {
  return (await readdir(join(dir, 'ascmhl'))).filter((n) => n.endsWith('.mhl')).sort();
}

test('create writes an ASC MHL generation and chain; verify passes', async () => {
  const dir = await card('A002R2EC');
  const c = await mstation(['mhl', 'create', dir, '--hash', 'xxh64', '--ignore', '*.tmp',
    '--author', 'Dana', '--email', 'dana@example.com', '--comment', 'day 12']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /created .*ascmhl\/0001_A002R2EC_\d{4}-\d\d-\d\d_\d{6}Z\.mhl: 4 files/);
  assert.match(c.stdout, /4 original, 0 verified, 0 failed/);
  assert.match(c.stdout, /\/s/); // throughput

  const [name] = await generations(dir);
  assert.match(name, /^0001_A002R2EC_\d{4}-\d\d-\d\d_\d{6}Z\.mhl$/);
  const xml = await readFile(join(dir, 'ascmhl', name), 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<hashlist version="2\.0" xmlns="urn:ASC:MHL:v2\.0">/);
  // creatorinfo, processinfo, hashes: in the XSD's order.
  const order = ['<creatorinfo>', '<creationdate>', '<hostname>', '<tool version=', '<author email="dana@example.com">Dana</author>',
    '<comment>day 12</comment>', '<processinfo>', '<process>in-place</process>', '<roothash>', '<content>', '<structure>',
    '<ignore>', '<pattern>.DS_Store</pattern>', '<pattern>*.tmp</pattern>', '<hashes>'];
  let at = 0;
  for (const s of order) {
    const i = xml.indexOf(s, at);
    assert.ok(i >= at, `${s} after position ${at}`);
    at = i;
  }
  assert.match(xml, /<path size="5" lastmodificationdate="[^"]+\+00:00">Clips\/A002C006_141024_R2EC\.mov<\/path>\s*<xxh64 action="original" hashdate="[^"]+">0ea03b369a463d9d<\/xxh64>/);
  assert.match(xml, /<directoryhash>\s*<path[^>]*>Clips<\/path>\s*<content>\s*<xxh64[^>]*>4c226b42e27d7af3<\/xxh64>/);
  assert.match(xml, />Audio\/Day 1\/take 1 &lt;&amp;&gt;\.wav<\/path>/);
  assert.doesNotMatch(xml, /\.DS_Store<\/path>|render\.tmp/);
  const chain = await readFile(join(dir, 'ascmhl', 'ascmhl_chain.xml'), 'utf8');
  assert.match(chain, /<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2\.0">\s*<hashlist sequencenr="1">\s*<path>0001_A002R2EC_[^<]+\.mhl<\/path>\s*<c4>c4[1-9A-HJ-NP-Za-km-z]{88}<\/c4>/);

  const v = await mstation(['mhl', 'verify', dir]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /4 files, .* in [\d.]+ s, .*\/s/);
  assert.match(v.stdout, /OK/);
});

test('verify names a corrupted, a deleted and a new file and exits non-zero', async () => {
  const dir = await card('A003');
  assert.equal((await mstation(['mhl', 'create', dir])).code, 0);
  // one flipped byte, same size
  const clip = join(dir, 'Audio', 'Day 1', 'take 1 <&>.wav');
  const data = await readFile(clip);
  data[150000] ^= 1;
  await writeFile(clip, data);
  let v = await mstation(['mhl', 'verify', dir]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /^mismatch: Audio\/Day 1\/take 1 <&>\.wav: xxh128 recorded [0-9a-f]{32} \(generation 1\), now [0-9a-f]{32}$/m);
  assert.match(v.stdout, /FAILED: 1 problems/);
  data[150000] ^= 1;
  await writeFile(clip, data);

  await unlink(join(dir, 'Sidecar.txt'));
  await appendFile(join(dir, 'Clips', 'A002C007_141024_R2EC.mov'), 'more');
  await writeFile(join(dir, 'Clips', 'A003C001.mov'), 'new');
  v = await mstation(['mhl', 'verify', dir]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /^missing: Sidecar\.txt: /m);
  assert.match(v.stdout, /^size: Clips\/A002C007_141024_R2EC\.mov: recorded 4 bytes, now 8 bytes$/m);
  assert.match(v.stdout, /^new: Clips\/A003C001\.mov: /m);
  assert.match(v.stdout, /FAILED: 3 problems/);
});

test('a second generation verifies the first and records new files', async () => {
  const dir = await card('A004');
  assert.equal((await mstation(['mhl', 'create', dir, '--hash', 'md5'])).code, 0);
  await writeFile(join(dir, 'Clips', 'A004C009.mov'), 'later');
  const c = await mstation(['mhl', 'create', dir]);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /1 original, 5 verified, 0 failed/); // render.tmp too: no --ignore here
  const names = await generations(dir);
  assert.equal(names.length, 2);
  assert.match(names[1], /^0002_A004_/);
  const second = await readFile(join(dir, 'ascmhl', names[1]), 'utf8');
  // verified against the md5 originals, xxh128 added
  assert.match(second, /<md5 action="verified"/);
  assert.match(second, /<xxh128 action="verified"/);
  assert.match(second, /<xxh128 action="original"[^>]*>[0-9a-f]{32}<\/xxh128>/);
  const chain = await readFile(join(dir, 'ascmhl', 'ascmhl_chain.xml'), 'utf8');
  assert.match(chain, /sequencenr="1"[\s\S]*sequencenr="2"/);
  assert.equal((await mstation(['mhl', 'verify', dir])).code, 0);

  // a corrupted file: create records the failure and exits 1
  await writeFile(join(dir, 'Clips', 'A004C009.mov'), 'LATER');
  const bad = await mstation(['mhl', 'create', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^mismatch: Clips\/A004C009\.mov: /m);
  assert.match(await readFile(join(dir, 'ascmhl', (await generations(dir))[2]), 'utf8'), /action="failed"/);
});

test('a tampered history is reported and not extended', async () => {
  const dir = await card('A005');
  assert.equal((await mstation(['mhl', 'create', dir])).code, 0);
  const [name] = await generations(dir);
  const file = join(dir, 'ascmhl', name);
  const xml = await readFile(file, 'utf8');
  await writeFile(file, xml.replace(/<hostname>/, '<hostname>x'));
  const v = await mstation(['mhl', 'verify', dir]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, new RegExp(`^chain: ascmhl/${name}: the file was changed`, 'm'));
  const c = await mstation(['mhl', 'create', dir]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /does not verify/);
  assert.equal((await generations(dir)).length, 1);

  // hostile content with a matching chain entry: a clear error, nothing opened outside
  await writeFile(file, xml.replace(/>Sidecar\.txt</, '>../../etc/passwd<'));
  await rm(join(dir, 'ascmhl', 'ascmhl_chain.xml'));
  const h = await mstation(['mhl', 'verify', dir]);
  assert.equal(h.code, 1);
  assert.match(h.stderr, /"\.\." part/);
});

test('usage errors and a folder without history', async () => {
  const dir = await card('A006');
  assert.equal((await mstation(['mhl', 'create'])).code, 2);
  assert.equal((await mstation(['mhl', 'create', dir, dir])).code, 2);
  const h = await mstation(['mhl', 'create', dir, '--hash', 'sha256']);
  assert.equal(h.code, 2);
  assert.match(h.stderr, /xxh128/);
  assert.equal((await mstation(['mhl', 'create', dir, '--ignore', '!keep'])).code, 2);
  const v = await mstation(['mhl', 'verify', dir]);
  assert.equal(v.code, 4);
  assert.match(v.stderr, /no ASC MHL history/);
  assert.equal((await mstation(['mhl', 'verify', join(scratch, 'nope')])).code, 4);
  const help = await mstation(['mhl', 'create', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--ignore/);
});
