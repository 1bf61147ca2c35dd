// Each destination's escaping, checked against what that destination interprets. The link and
// icon patterns below are VS Code 1.100's own (linkedText.ts, iconLabels.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LINK_SYNTAX, delimitedName, displayText, type Destination } from '../../../engine/text/display-text';

const HOSTILE = [
  '[Allow Once](command:memcloud.offload?"/etc")',
  '[Allow](command:workbench.extensions.installExtension?"pub.x")',
  '[a](https://evil.example/x "title")',
  '[x]\n(command:x)',
  '[x]  (file:///etc/passwd)',
  'text [a](command:a) and [b](command:b)',
  '$(alert) $(sync~spin) \\$(check)',
  '**bold** _em_ `code` <img src=x onerror=alert(1)> &amp; https://evil.example www.evil.example a@b.example',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u001b[2J\u001b[31mred\r\nforged line\u009b2J',
  'desk\u202Epotpal \u2066x\u2069 de\u200bsk',
];

/** VS Code's icon syntax as renderLabelWithIcons reads it: escaped icons render as text. */
const ICON = /(\\)?\$\(([a-z0-9-]+(?:~[a-z]+)?)\)/gi;
function renderedIcons(text: string): string[] {
  return [...text.matchAll(ICON)].filter((m) => m[1] === undefined).map((m) => m[2]!);
}

describe('displayText: peer text shown in each destination stays inert', () => {
  for (const to of ['notification', 'input-message'] as const) {
    test(`${to}: nothing matches VS Code's link syntax, even after its own newline handling`, () => {
      for (const text of HOSTILE) {
        const shown = displayText(text, to).replace(/(\r\n|\n|\r)/gm, ' ');
        assert.deepEqual([...shown.matchAll(LINK_SYNTAX)], [], `${JSON.stringify(text)} -> ${JSON.stringify(shown)}`);
      }
      assert.equal(displayText(HOSTILE[0]!, to), '[Allow Once] (command:memcloud.offload?"/etc")');
    });
  }

  test('the link syntax constant really finds links (the test above can fail)', () => {
    assert.equal([...HOSTILE[0]!.matchAll(LINK_SYNTAX)].length, 1);
    assert.equal([...HOSTILE[5]!.matchAll(LINK_SYNTAX)].length, 2);
  });

  for (const to of ['quick-pick', 'input-message'] as const) {
    test(`${to}: no text renders as an icon; escaped text shows exactly what was sent`, () => {
      assert.deepEqual(renderedIcons('$(alert)'), ['alert'], 'the checker sees an icon');
      for (const text of HOSTILE) assert.deepEqual(renderedIcons(displayText(text, to)), [], text);
      assert.equal(displayText('$(alert) x', to), '\\$(alert) x');
      // An already escaped icon keeps its backslash visible: `\$(check)` -> `\\$(check)`.
      assert.equal(displayText('\\$(check)', 'quick-pick'), '\\\\$(check)');
    });
  }

  test('markdown: every markdown character is escaped, so no emphasis, link, autolink, HTML or entity', () => {
    const shown = displayText(HOSTILE[7]!, 'markdown');
    assert.doesNotMatch(shown, /(?<!\\)[*_`<>&[\]()]/);
    assert.doesNotMatch(shown, /https?:\/\//, 'autolinks need "://" unescaped');
    assert.doesNotMatch(shown, /www\./);
    assert.match(shown, /https\\:\\\/\\\/evil\\\.example/);
    assert.equal(displayText('a\nb', 'markdown'), 'a b');
  });

  test('terminal: no escape sequence, carriage return or C1 control reaches the terminal; line breaks stay', () => {
    const shown = displayText(HOSTILE[8]!, 'terminal');
    assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(shown, /\\x1b\]8;;https/);
    assert.match(shown, /\\x9b2J/);
    assert.equal(displayText('a\nb\tc', 'terminal'), 'a\nb\tc');
    assert.equal(displayText('desk\u202Eexe', 'terminal'), 'desk\\u202Eexe');
  });

  test('log: one line per entry, whatever the text', () => {
    const shown = displayText('ok\nFAKE 2025-01-01T00:00:00Z ERROR forged\r', 'log');
    assert.equal(shown, 'ok\\x0aFAKE 2025-01-01T00:00:00Z ERROR forged\\x0d');
    assert.doesNotMatch(displayText(HOSTILE[8]!, 'log'), /[\u0000-\u001f\u007f-\u009f]/);
  });

  test('every destination shows bidi overrides and zero-width characters instead of obeying them', () => {
    for (const to of ['notification', 'input-message', 'quick-pick', 'markdown', 'plain', 'terminal', 'log'] as Destination[]) {
      const shown = displayText(HOSTILE[9]!, to);
      assert.doesNotMatch(shown, /[\u202a-\u202e\u200b-\u200f\u2066\u2067]/, to);
      assert.match(shown, /u202E/, to);
    }
  });

  test('plain keeps line breaks (modal details) and the isolates of delimited names', () => {
    assert.equal(displayText('a\nb', 'plain'), 'a\nb');
    assert.equal(displayText(`x ${delimitedName('desk')} y`, 'plain'), 'x [\u2068desk\u2069] y');
  });

  test('a delimited name stays delimited in a notification and never forms a link', () => {
    const sentence = displayText(`Device 7K3Q-MX2A-P9RT-4WZC ${delimitedName('Allow Once')} (command:x) asks`, 'notification');
    assert.equal(sentence, 'Device 7K3Q-MX2A-P9RT-4WZC [\u2068Allow Once\u2069] (command:x) asks');
    assert.deepEqual([...sentence.matchAll(LINK_SYNTAX)], []);
  });
});
