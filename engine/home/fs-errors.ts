// Reading Node system errors without `any`.

/** The errno code of a Node system error (ENOENT, EEXIST, ...), if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short reason for a user-facing message: the errno code when there is one. */
export function describe(err: unknown): string {
  return errnoCode(err) ?? (err instanceof Error ? err.message : String(err));
}
