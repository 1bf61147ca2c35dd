// Escaping text for the place it is shown. Any text that may carry something a peer, a file or a
// file name chose goes through displayText() with its destination, which neutralises exactly what
// that destination interprets:
//   notification  VS Code notification messages and progress titles: `[label](command:...)` is a
//                 link opened with commands allowed (the workbench's LINK_REGEX, see LINK_SYNTAX)
//   input-message showInputBox prompts and validation messages: the same links, and `$(icon)`
//   quick-pick    QuickPickItem label, description, detail: `$(icon)` renders a codicon
//   markdown      MarkdownString text: emphasis, links, autolinks, raw HTML, entities, code
//   plain         tree labels, descriptions and string tooltips, modal messages and details,
//                 input box titles, webview text nodes: nothing is interpreted, controls are shown
//   terminal      CLI output: no escape sequence may reach the terminal
//   log           one log line: no escape sequence and no line break (no forged lines)
// Control, format (bidi, zero-width) and separator characters are shown as visible `\u202E`-style
// escapes everywhere, so what a peer hides is seen, not obeyed; only the first-strong isolate pair
// that delimitedName() puts around a name is kept in the VS Code destinations.

export type Destination = 'notification' | 'input-message' | 'quick-pick' | 'markdown' | 'plain' | 'terminal' | 'log';

/**
 * VS Code's link syntax in notification messages and input messages (vs/base/common/linkedText.ts
 * in VS Code 1.100): `[label](https://…|command:…|file:… "title")`. Kept here so tests can prove
 * no escaped text matches it.
 */
export const LINK_SYNTAX = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

/** `$(name)` and `$(name~spin)`: a codicon in labels that support icons. */
const ICON_SYNTAX = /\$\((?=[A-Za-z0-9-]+(?:~[A-Za-z]+)?\))/g;
/** The isolates delimitedName() puts around a name survive in the VS Code destinations. */
const ISOLATES = /[\u2068\u2069]/;
const MARKDOWN_SPECIAL = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function visible(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Controls, format characters, separators and lone surrogates as visible escapes; `keep` is left alone. */
function showControls(text: string, keep: RegExp | null): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (ch) => (keep?.test(ch) ? ch : visible(ch)));
}

/** No `[...](` can follow: a space goes between `]` and `(`, which no link syntax allows. */
function breakLinks(text: string): string {
  return text.replace(/\]\s*\(/g, '] (');
}

export function displayText(text: string, to: Destination): string {
  const s = String(text);
  switch (to) {
    case 'notification':
      // VS Code turns line breaks into spaces itself before looking for links; do it first.
      return breakLinks(showControls(s.replace(/\r\n|\r|\n/g, ' '), ISOLATES));
    case 'input-message':
      return breakLinks(showControls(s.replace(/\r\n|\r|\n/g, ' '), ISOLATES)).replace(ICON_SYNTAX, '\\$(');
    case 'quick-pick':
      return showControls(s, ISOLATES).replace(ICON_SYNTAX, '\\$(');
    case 'markdown':
      return showControls(s.replace(/\r\n|\r|\n/g, ' '), null).replace(MARKDOWN_SPECIAL, '\\$&');
    case 'plain':
      return showControls(s, /[\n\u2068\u2069]/);
    case 'terminal':
      return showControls(s, /[\n\t]/);
    case 'log':
      return showControls(s, null);
  }
}

// First strong isolate / pop directional isolate: a right-to-left name cannot reorder the text
// around it. Names never contain brackets, so `[` and `]` cannot be faked from inside a name.
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * A device name inside a sentence shown in VS Code: bracketed, so it is clearly delimited (a name
 * never contains brackets), and bidi-isolated. The sentence still goes through displayText().
 */
export function delimitedName(name: string): string {
  return `[${FSI}${name}${PDI}]`;
}
