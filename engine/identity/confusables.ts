// Names that look alike: the skeleton two names are compared by when a new device asks to connect,
// so `dеsk` (Cyrillic е), `DESK`, `ｄｅｓｋ` or `de\u200bsk` are all recognised as "desk". Modeled on
// the skeleton of Unicode TS #39, reduced to what matters for short device names: compatibility
// forms, case, accents and marks, invisible characters and separators, and the Latin, Cyrillic and
// Greek letters (and digits) that are drawn the same.

/** Look-alikes mapped before case folding, so each case maps to what it resembles. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic capitals
  А: 'A', В: 'B', Е: 'E', Ѕ: 'S', І: 'I', Ј: 'J', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C',
  Т: 'T', У: 'Y', Х: 'X', Ү: 'Y', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W', Ӏ: 'I', З: '3', Ь: 'b', Ꙅ: 'S',
  // Cyrillic small letters
  а: 'a', в: 'b', г: 'r', е: 'e', ѕ: 's', і: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n',
  р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ү: 'y', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ь: 'b',
  ѵ: 'v', ѡ: 'w', ʌ: 'v',
  // Greek capitals
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T',
  Υ: 'Y', Χ: 'X', Ϲ: 'C', Ϳ: 'J',
  // Greek small letters
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', σ: 'o', τ: 't',
  υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j', µ: 'u', μ: 'u',
  // Latin letters drawn like others
  ɑ: 'a', ɡ: 'g', ı: 'i', ȷ: 'j', ʏ: 'y', ɩ: 'i', ɪ: 'i', ʀ: 'r', ꜱ: 's', ᴅ: 'd', ᴇ: 'e', ᴋ: 'k',
  ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z', ß: 'ss', æ: 'ae', œ: 'oe',
};

/** After case folding: letters and digits people confuse at a glance, and runs drawn as one letter. */
const FOLDED: ReadonlyArray<readonly [RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/[0]/g, 'o'],
  [/[1il|!]/g, 'l'],
];

/** Removed entirely: format and control characters, fillers that render as nothing, separators. */
const INVISIBLE_OR_SEPARATOR = /[\p{Cc}\p{Cf}\p{Z}\u115F\u1160\u3164\uFFA0\u2800\u034F\-_.\u2010-\u2015\u2212]/gu;

/**
 * The skeleton of a name: NFKC, look-alikes mapped, case folded, accents and other marks removed,
 * invisible characters and separators removed, then digit/letter look-alikes collapsed. Two names
 * with the same skeleton are shown as possibly the same device.
 */
export function nameSkeleton(name: string): string {
  let s = name.normalize('NFKC');
  s = Array.from(s, (ch) => LOOKALIKES[ch] ?? ch).join('');
  s = s.toUpperCase().toLowerCase();
  s = s.normalize('NFD').replace(/\p{M}/gu, '');
  s = Array.from(s, (ch) => LOOKALIKES[ch] ?? ch).join('');
  s = s.replace(INVISIBLE_OR_SEPARATOR, '');
  for (const [pattern, to] of FOLDED) s = s.replace(pattern, to);
  return s;
}

/** True when two names would be taken for one another. */
export function namesLookAlike(a: string, b: string): boolean {
  return nameSkeleton(a) === nameSkeleton(b);
}

/**
 * True when `name` carries two consecutive groups of `fingerprint` (e.g. `7K3Q-MX2A`), compared by
 * skeleton: text meant to make a list or a prompt show another device's fingerprint.
 */
export function nameQuotesFingerprint(name: string, fingerprint: string): boolean {
  const groups = fingerprint.split('-');
  const skeleton = nameSkeleton(name);
  for (let i = 0; i + 1 < groups.length; i++) {
    if (skeleton.includes(nameSkeleton(`${groups[i]}${groups[i + 1]}`))) return true;
  }
  return false;
}
