// Text reaches VS Code's UI only through extension/ui/safe-ui.ts (which escapes it for each place)
// or a tree row rendered by row-tree-provider.ts (plain text). A new call anywhere else that could
// put a device name, a peer's error text or a file name into a notification, a quick pick or an
// input box would bypass that escaping: this test finds such calls in the sources.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXTENSION = join(ROOT, 'extension');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each UI entry point that shows text, and the one file allowed to call it. */
const GUARDED: ReadonlyArray<[RegExp, string]> = [
  [/\bshow(Information|Warning|Error)Message\b/, 'extension/ui/safe-ui.ts'],
  [/\bwithProgress\b/, 'extension/ui/safe-ui.ts'],
  [/\bshowQuickPick\b|\bcreateQuickPick\b/, 'extension/ui/safe-ui.ts'],
  [/\bshowInputBox\b|\bcreateInputBox\b/, 'extension/ui/safe-ui.ts'],
  [/\bMarkdownString\b/, 'extension/ui/safe-ui.ts'],
  [/\bnew vscode\.TreeItem\b/, 'extension/views/row-tree-provider.ts'],
];

describe('one way for text into the VS Code UI', () => {
  test('notifications, progress, quick picks, input boxes, markdown and tree items are only made in their module', () => {
    const offenders: string[] = [];
    for (const file of sources(EXTENSION)) {
      const rel = relative(ROOT, file);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return; // comments may name the APIs
        for (const [pattern, allowed] of GUARDED) if (pattern.test(line) && rel !== allowed) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, []);
  });

  test('the scan sees the calls it guards (it can fail)', () => {
    const safeUi = readFileSync(join(EXTENSION, 'ui', 'safe-ui.ts'), 'utf8');
    for (const [pattern, allowed] of GUARDED) {
      const text = allowed.endsWith('safe-ui.ts') ? safeUi : readFileSync(join(ROOT, allowed), 'utf8');
      if (!pattern.source.includes('MarkdownString')) assert.match(text, pattern, `${allowed} uses ${pattern}`);
    }
  });
});
