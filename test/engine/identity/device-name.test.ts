import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  containsFingerprintShape,
  deviceNameFromInput,
  deviceNameProblem,
  generatedDeviceName,
  isDeviceName,
  parseDeviceName,
  sanitizeDeviceName,
  storableDeviceName,
  unicodeNameProblem,
} from '../../../engine/identity/device-name';
import { isMemCloudError } from '../../../engine/errors';

describe('the device-name rule (protocol.md 3.3.1)', () => {
  const valid = [
    'desk',
    'x',
    'n'.repeat(64),
    'é'.repeat(32), // 64 bytes
    'Anna’s laptop',
    'büro 🖥',
    'Ünïcødé 机器',
    'in ner  spaces',
    'web-1234-5678', // two groups: not a fingerprint
    'team-blue-desk-west', // four groups without a digit
    'team-blue-desk-west-wing', // five groups, no window with a digit
    'ABCD-EFGH-IJKL-MNOP-12345', // the window with digits ends in a five-character group
    'rack 2 node-blue-east-west', // the digit is outside every window
    'ci runner #3: "fast"',
    'b\u0301\u0301\u0301\u0301',
    '❤️ laptop', // a variation selector is a mark, not a format character
    'שולחן',
  ];
  for (const name of valid) {
    test(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(deviceNameProblem(name), undefined);
      assert.equal(parseDeviceName(name), name);
    });
  }

  const invalid: Array<[string, unknown, RegExp]> = [
    ['not text', 42, /must be text/],
    ['empty', '', /must not be empty/],
    ['65 bytes', 'n'.repeat(65), /at most 64 bytes/],
    ['33 two-byte characters', 'é'.repeat(33), /at most 64 bytes/],
    ['not NFC', 'e\u0301', /NFC/],
    ['a leading space', ' desk', /begin or end with a space/],
    ['a trailing space', 'desk ', /begin or end with a space/],
    ['NUL (C0)', 'de\u0000sk', /control or format/],
    ['ESC (C0)', '\u001b[31mred', /control or format/],
    ['DEL', 'de\u007fsk', /control or format/],
    ['NEL (C1)', 'de\u0085sk', /U\+0085/],
    ['CSI (C1)', 'de\u009bsk', /U\+009B/],
    ['a right-to-left override', 'desk\u202Epotpal', /U\+202E/],
    ['a first-strong isolate', 'desk\u2068x', /U\+2068/],
    ['a zero-width space', 'de\u200bsk', /U\+200B/],
    ['a zero-width joiner', '👩‍💻', /U\+200D/],
    ['a soft hyphen', 'de\u00adsk', /U\+00AD/],
    ['a byte order mark', '\ufeffdesk', /U\+FEFF/],
    ['a no-break space', 'my\u00a0desk', /U\+00A0/],
    ['an ideographic space', 'my\u3000desk', /U\+3000/],
    ['a line separator', 'a\u2028b', /U\+2028/],
    ['a private-use character', 'a\ue000b', /U\+E000/],
    ['a lone surrogate', 'a\ud800b', /U\+D800/],
    ['a noncharacter', 'a\ufffeb', /U\+FFFE/],
    ['a Hangul filler', 'a\u3164b', /U\+3164/],
    ['a braille blank', 'a\u2800b', /U\+2800/],
    ['a square bracket', 'desk[1]', /bracket or parenthesis \(U\+005B\)/],
    ['a parenthesis', 'desk (work)', /bracket or parenthesis/],
    ['braces', 'desk{1}', /bracket or parenthesis/],
    ['angle brackets', '<b>desk</b>', /bracket or parenthesis/],
    ['a full-width bracket', 'desk［1］', /bracket or parenthesis/],
    ['a parenthesized digit (NFKC has brackets)', 'desk\u2474', /bracket or parenthesis \(U\+2474\)/],
    ['a CJK corner bracket', '「desk」', /bracket or parenthesis/],
    ['the command link of finding 1', '[Allow Once](command:memcloud.offload?"/etc")', /bracket or parenthesis/],
    ['a leading combining mark', '\u0301desk', /begin with a combining mark/],
    ['five stacked marks', 'b\u0301\u0301\u0301\u0301\u0301', /more than 4 combining marks/],
    ['a fingerprint', '7K3Q-MX2A-P9RT-4WZC', /shaped like a fingerprint/],
    ['a fingerprint in lower case after a name', 'desk 7k3q-mx2a-p9rt-4wzc', /shaped like a fingerprint/],
    ['a fingerprint with spaces', 'desk 7K3Q MX2A P9RT 4WZC', /shaped like a fingerprint/],
    ['a fingerprint with Unicode hyphens', '7K3Q\u2010MX2A\u2010P9RT\u20104WZC', /shaped like a fingerprint/],
    ['a full-width fingerprint (NFKC)', '７Ｋ３Ｑ－ＭＸ２Ａ－Ｐ９ＲＴ－４ＷＺＣ', /shaped like a fingerprint/],
    // N8 candidates overlap: a first window without a digit must not hide the next one.
    ['a fingerprint overlapping a digitless one (review s8 item 5)', 'ABCD-EFGH-IJKL-MNOP-1234', /shaped like a fingerprint/],
    ['five groups, the digit in the first', '1BCD-EFGH-IJKL-MNOP-QRST', /shaped like a fingerprint/],
    ['six groups, the digit in the last', 'abcd efgh ijkl mnop qrst uvw9', /shaped like a fingerprint/],
    ['seven groups, the digit in the middle window only', 'ABCD-EFGH-IJKL-MN0P-QRST-UVWX-YZAB', /shaped like a fingerprint/],
    ['an overlapping fingerprint with Unicode hyphens', 'ABCD\u2011EFGH\u2010IJKL\u2010MNOP\u20101234', /shaped like a fingerprint/],
    ['a fingerprint overlapping a digitless one, full-width digits (NFKC)', 'ABCD-EFGH-IJKL-MNOP－１２３４', /shaped like a fingerprint/],
  ];
  for (const [what, name, why] of invalid) {
    test(`refuses ${what}, saying why without echoing it`, () => {
      const problem = deviceNameProblem(name);
      assert.ok(problem !== undefined, 'refused');
      assert.match(problem, why);
      if (typeof name === 'string' && name.length > 1) assert.ok(!problem.includes(name), 'the message does not echo the name');
      assert.throws(() => parseDeviceName(name), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
      assert.throws(() => parseDeviceName(name, 'FRAME_MALFORMED'), (e) => isMemCloudError(e, 'FRAME_MALFORMED'));
      assert.equal(isDeviceName(name), false);
    });
  }

  test('fingerprint shapes: four groups standing alone, at least one digit', () => {
    assert.equal(containsFingerprintShape('ABCD-1234-EFGH-5678'), true);
    assert.equal(containsFingerprintShape('build-node-0001-east'), false, 'part of a longer word');
    assert.equal(containsFingerprintShape('AABCD-1234-EFGH-5678'), false);
    assert.equal(containsFingerprintShape('ABCD-EFGH-JKMN-PQRS'), false, 'no digit');
    assert.equal(containsFingerprintShape('ABCD-1234-EFGH'), false, 'three groups');
    assert.equal(containsFingerprintShape('ABCD-EFGH-IJKL-MNOP-1234'), true, 'the second of two overlapping windows');
    assert.equal(containsFingerprintShape('ABCD-EFGH-IJKL-MNOP-QRST-UVWX'), false, 'five and six groups, no digit anywhere');
    assert.equal(containsFingerprintShape('ABCD-EFGH-IJKL-MNOP-12345'), false, 'the last group is five long: not standing alone');
    assert.equal(containsFingerprintShape('ABCD-EFGH-IJKL-MNOP 1234x'), false, 'a letter right after the last group');
  });

  test('typed names are brought to NFC before the check', () => {
    assert.equal(deviceNameFromInput('cafe\u0301'), 'café');
    assert.throws(() => deviceNameFromInput(' desk'), /space/);
  });

  test('sanitizing keeps what is valid and drops what is not', () => {
    assert.equal(sanitizeDeviceName('desk'), 'desk');
    assert.equal(sanitizeDeviceName('  de\u200bsk\u202e '), 'desk');
    assert.equal(sanitizeDeviceName('[Allow Once](command:x)'), 'Allow Once command:x');
    assert.equal(sanitizeDeviceName('my\u00a0\u00a0desk'), 'my desk');
    assert.equal(sanitizeDeviceName('\u0301\u0301desk'), 'desk');
    assert.equal(sanitizeDeviceName('é'.repeat(40)), 'é'.repeat(32));
    assert.equal(sanitizeDeviceName('👩‍👩‍👧‍👦'.repeat(10)), '👩👩👧👦'.repeat(4));
    for (const nothing of ['', '   ', '\u200b', '()', '7K3Q-MX2A-P9RT-4WZC']) assert.equal(sanitizeDeviceName(nothing), undefined);
  });

  test('every sanitized name follows the rule (random input)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    const pool = ['a', ' ', '(', ']', '\u0301', '\u200b', '\u202e', '\u0000', 'é', '😀', '\u00a0', '-', '7', 'K', '\ud800', '\u3164'];
    for (let i = 0; i < 3000; i++) {
      let raw = '';
      const n = next() % 90;
      for (let j = 0; j < n; j++) raw += pool[next() % pool.length];
      const out = sanitizeDeviceName(raw);
      if (out !== undefined) assert.equal(deviceNameProblem(out), undefined, JSON.stringify(raw));
    }
  });

  // deviceNameProblem checks plain ASCII names without Unicode tables: for every ASCII string it
  // must say exactly what the code-point-by-code-point rule says, refusals included.
  test('the ASCII fast path agrees with the full rule on every ASCII input', () => {
    const same = (name: string) => assert.equal(deviceNameProblem(name), unicodeNameProblem(name), JSON.stringify(name));
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      for (const name of [ch, `a${ch}`, `${ch}a`, `a${ch}b`]) same(name);
    }
    for (const name of ['n'.repeat(64), 'n'.repeat(65), ' desk', 'desk ', 'my desk', '7K3Q-MX2A-P9RT-4WZC', 'x 7K3Q MX2A P9RT 4WZC', 'ABCD-EFGH-IJKL-MNOP', 'A7K3Q-MX2A-P9RT-4WZC', 'ABCD-EFGH-IJKL-MNOP-1234', 'ABCD EFGH IJKL MNOP QRST']) same(name);
    let seed = 11;
    const next = () => {
      seed ^= seed << 13; // xorshift32: a seeded sequence, the same every run
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % 0x10000;
    };
    const pool = ['a', 'K', '7', '0', ' ', '-', '(', ')', '[', ']', '{', '}', '<', '>', '\u0000', '\u007f', '\t', '.', '~', '|', '\\', '^', '`', '_'];
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      let name = '';
      const n = 1 + (next() % 70);
      // Mostly letters, digits, dashes and spaces (fingerprint shapes), now and then anything else.
      for (let j = 0; j < n; j++) name += pool[next() % 20 === 0 ? next() % pool.length : next() % 6];
      same(name);
      if (deviceNameProblem(name) === undefined) valid++;
    }
    assert.ok(valid > 1000, `the random names include valid ones (${valid})`);
    assert.equal(deviceNameProblem('desk(1)'), 'must not contain a bracket or parenthesis (U+0028)');
    assert.equal(deviceNameProblem('a'.repeat(65)), 'must be at most 64 bytes of UTF-8 (it has 65)');
  });

  test('a device that cannot be named by its own name gets one from its fingerprint', () => {
    assert.equal(generatedDeviceName('7K3Q-MX2A-P9RT-4WZC'), 'device-7k3q');
    assert.equal(storableDeviceName('desk', '7K3Q-MX2A-P9RT-4WZC'), 'desk');
    assert.equal(storableDeviceName('de\u200bsk', '7K3Q-MX2A-P9RT-4WZC'), 'desk');
    assert.equal(storableDeviceName('\u202e', '7K3Q-MX2A-P9RT-4WZC'), 'device-7k3q');
    assert.equal(storableDeviceName(undefined, '7K3Q-MX2A-P9RT-4WZC'), 'device-7k3q');
  });
});
