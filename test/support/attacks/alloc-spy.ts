// Records the size of every Buffer allocation (alloc, allocUnsafe, allocUnsafeSlow) while a
// function runs, so a test can show a hostile length was refused before anything was allocated.

import { mock } from 'node:test';

export async function allocationsDuring(fn: () => void | Promise<void>): Promise<number[]> {
  const sizes: number[] = [];
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = Buffer[name].bind(Buffer);
    mock.method(Buffer, name, (size: number, ...rest: unknown[]) => {
      sizes.push(size);
      return (original as (...a: unknown[]) => Buffer)(size, ...rest);
    });
  }
  try {
    await fn();
  } finally {
    mock.restoreAll();
  }
  return sizes;
}
