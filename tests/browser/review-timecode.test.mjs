// web/review/timecode.js against the known values of the server's timecode rules
// (tests/unit/test_timecode.c): drop-frame at 29.97 and 59.94, three frame digits above 100
// fps, the labels drop-frame leaves out, rates written as fractions and decimals, and round
// trips frame -> label -> frame over whole days. Plain node: the module has no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRate, framesToTc, tcToFrames, secondsToFrame, frameSeekTime, frameToSeconds, rateLabel, dayFrames }
  from '../../web/review/timecode.js';

const r2997 = parseRate('30000/1001');
const r5994 = parseRate('60000/1001');
const r23976 = parseRate('24000/1001');
const r25 = parseRate('25');
const r24 = parseRate(24);
const r120 = parseRate('120/1');

test('rates: fractions, decimals and whole numbers, normalized; others refused', () => {
  assert.deepEqual(r2997, { num: 30000, den: 1001, nominal: 30, drop: 2 });
  assert.deepEqual(parseRate('29.97'), r2997);
  assert.deepEqual(parseRate('23.976'), r23976);
  assert.deepEqual(parseRate('23.98'), r23976);
  assert.deepEqual(parseRate('59.94'), { num: 60000, den: 1001, nominal: 60, drop: 4 });
  assert.deepEqual(parseRate('48/2'), { num: 24, den: 1, nominal: 24, drop: 0 });
  assert.deepEqual(parseRate('25.000'), r25);
  assert.equal(r23976.drop, 0);
  for (const bad of ['', '0', '25/2', '1/3', '30000/1002', '29.9', '29.5', 'abc', '-24', '1001', null, undefined]) {
    assert.equal(parseRate(bad), null, String(bad));
  }
  assert.equal(rateLabel(r2997), '29.97');
  assert.equal(rateLabel(r23976), '23.976');
  assert.equal(rateLabel(r25), '25');
  assert.equal(dayFrames(r2997, true), 2589408);
  assert.equal(dayFrames(r2997, false), 2592000);
});

test('29.97 drop-frame labels', () => {
  assert.equal(framesToTc(1800, r2997), '00:01:00;02');
  assert.equal(framesToTc(1799, r2997), '00:00:59;29');
  assert.equal(framesToTc(17982, r2997), '00:10:00;00');
  assert.equal(framesToTc(107892, r2997), '01:00:00;00');
  assert.equal(framesToTc(2589407, r2997), '23:59:59;29');
  assert.equal(framesToTc(2589408, r2997), '00:00:00;00'); // a day wraps
  assert.equal(framesToTc(107892, r2997, { drop: false }), '00:59:56:12');
  assert.equal(tcToFrames('00:01:00;02', r2997), 1800);
  assert.equal(tcToFrames('00:01:00.02', r2997), 1800);
  assert.equal(tcToFrames('00;01;00;02', r2997), 1800);
  assert.equal(tcToFrames('00:01:00:02', r2997), 1802); // non-drop label
  assert.equal(tcToFrames('01:00:00;00', r2997), 107892);
  // Left out by drop-frame: ;00 and ;01 of minutes not divisible by ten.
  assert.equal(tcToFrames('00:01:00;00', r2997), null);
  assert.equal(tcToFrames('00:01:00;01', r2997), null);
  assert.equal(tcToFrames('00:10:00;00', r2997), 17982);
});

test('59.94 drop-frame, whole rates, three frame digits', () => {
  assert.equal(framesToTc(3600, r5994), '00:01:00;04');
  assert.equal(framesToTc(3599, r5994), '00:00:59;59');
  assert.equal(framesToTc(215784, r5994), '01:00:00;00');
  assert.equal(tcToFrames('23:59:59;59', r5994), 5178815);
  assert.equal(tcToFrames('00:01:00;03', r5994), null);
  assert.equal(framesToTc(90024, r25), '01:00:00:24');
  assert.equal(tcToFrames('10:00:00:00', r24), 864000);
  assert.equal(tcToFrames('01:00:00:00', r23976), 86400);
  assert.equal(framesToTc(86400, r23976), '01:00:00:00'); // no drop-frame at 23.976
  assert.equal(framesToTc(239, r120), '00:00:01:119');
  assert.equal(tcToFrames('00:00:01:119', r120), 239);
  for (const bad of ['00:00:00:25', '24:00:00:00', '00:60:00:00', '0:00:00:00', '00:00:00:00 ', '00:00:00;00']) {
    assert.equal(tcToFrames(bad, r25), null, bad);
  }
  assert.equal(tcToFrames('00:00:00:19', r120), null);
  assert.equal(framesToTc(-1, r25), '');
});

test('round trips over a day, and frames <-> media time', () => {
  for (const [rate, step] of [[r2997, 997], [r5994, 1999], [r25, 1013], [r23976, 1009]]) {
    const day = dayFrames(rate, rate.drop > 0);
    for (let f = 0; f < day; f += step) {
      const label = framesToTc(f, rate);
      assert.equal(tcToFrames(label, rate), f, `${label} at ${rateLabel(rate)}`);
    }
  }
  // Every frame of the first eleven minutes at 29.97 DF: labels strictly increase, none skipped twice.
  let prev = -1;
  for (let f = 0; f < 19800; f++) {
    const back = tcToFrames(framesToTc(f, r2997), r2997);
    assert.equal(back, f);
    assert.ok(back > prev);
    prev = back;
  }
  for (const rate of [r2997, r23976, r25]) {
    for (const f of [0, 1, 2, 47, 1800, 43157]) {
      assert.equal(secondsToFrame(frameSeekTime(f, rate), rate), f);
      assert.equal(secondsToFrame(frameToSeconds(f, rate), rate), f);
    }
  }
  assert.equal(frameToSeconds(1, r2997), 1001 / 30000);
});
