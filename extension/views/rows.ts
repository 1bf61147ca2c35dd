// A tree item as plain data (no vscode; unit-tested), and the diff that decides whether a tree
// must redraw: nothing, some items, or everything.

export interface Row {
  /** Stable across refreshes (a public key, a data id). */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** Carries the state menus match on, e.g. `peer:connected:trusted`. */
  readonly contextValue?: string;
  /** A codicon id, optionally with a theme color id. */
  readonly icon?: { readonly id: string; readonly color?: string };
  /** A file opened in an editor when the row is clicked. */
  readonly open?: string;
  readonly children?: readonly Row[];
}

export type RowDiff = { readonly kind: 'none' } | { readonly kind: 'all' } | { readonly kind: 'items'; readonly ids: readonly string[] };

function sameRow(a: Row, b: Row): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * 'all' when items were added, removed or reordered; 'items' with the ids whose rendering (their
 * children included) changed; 'none' when the tree would look the same.
 */
export function diffRows(before: readonly Row[], after: readonly Row[]): RowDiff {
  if (before.length !== after.length || before.some((r, i) => r.id !== after[i]!.id)) return { kind: 'all' };
  const ids = after.filter((r, i) => !sameRow(before[i]!, r)).map((r) => r.id);
  return ids.length === 0 ? { kind: 'none' } : { kind: 'items', ids };
}
