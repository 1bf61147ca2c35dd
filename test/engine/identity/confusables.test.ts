import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nameQuotesFingerprint, nameSkeleton, namesLookAlike } from '../../../engine/identity/confusables';

describe('confusable skeleton of device names', () => {
  const lookAlikes: Array<[string, string]> = [
    ['desk', 'd\u0435sk'], // Cyrillic е
    ['desk', 'de\u200bsk'], // zero-width space
    ['desk', 'DESK'],
    ['desk', 'Desk'],
    ['desk', 'ｄｅｓｋ'], // full width (NFKC)
    ['desk', 'd\u0435\u0455k'], // Cyrillic е and ѕ
    ['desk', 'dėsk'], // an accent
    ['desk', 'de sk'], // a separator
    ['desk', 'de-sk'],
    ['desk', 'DЕЅК'], // Cyrillic capitals
    ['Apple', 'Αpple'], // Greek capital alpha
    ['laptop', 'lapt\u03bfp'], // Greek omicron
    ['laptop', 'Iaptop'], // capital I for l
    ['laptop', 'lapt0p'], // zero for o
    ['modem', 'rnodem'], // rn drawn as m
    ['strasse', 'straße'],
    ['office', 'oﬃce'], // a ligature (NFKC)
    ['nas', '𝐧𝐚𝐬'], // mathematical bold (NFKC)
  ];
  for (const [a, b] of lookAlikes) {
    test(`${JSON.stringify(a)} and ${JSON.stringify(b)} look alike`, () => {
      assert.equal(namesLookAlike(a, b), true, `${nameSkeleton(a)} vs ${nameSkeleton(b)}`);
    });
  }

  const distinct: Array<[string, string]> = [
    ['desk', 'desktop'],
    ['desk', 'disk'],
    ['laptop', 'laptops'],
    ['nas-1', 'nas-2'],
    ['Anna', 'Hanna'],
  ];
  for (const [a, b] of distinct) {
    test(`${JSON.stringify(a)} and ${JSON.stringify(b)} do not`, () => assert.equal(namesLookAlike(a, b), false));
  }

  test('a name quoting two consecutive groups of a fingerprint is caught, in any disguise', () => {
    const fp = '7K3Q-MX2A-P9RT-4WZC';
    for (const name of ['desk 7K3Q-MX2A', 'desk 7k3q mx2a', 'desk MX2A-P9RT', 'P9RT4WZC', 'desk 7K3Q\u2010MX2A', 'desk ７Ｋ３Ｑ-ＭＸ２Ａ']) {
      assert.equal(nameQuotesFingerprint(name, fp), true, name);
    }
    for (const name of ['desk', 'desk 7K3Q', 'desk MX2A 7K3Q']) assert.equal(nameQuotesFingerprint(name, fp), false, name);
  });
});
