// Writes the few protocol-buffer messages the Bazel tests need (REAPI v2 ActionResult), by hand.

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export function field(number: number, value: Buffer | number): Buffer {
  if (typeof value === 'number') return Buffer.concat([varint(number * 8), varint(value)]);
  return Buffer.concat([varint(number * 8 + 2), varint(value.length), value]);
}

export function digest(hash: string, size: number): Buffer {
  return Buffer.concat([field(1, Buffer.from(hash)), field(2, size)]);
}

/** An ActionResult with these output files (and exit code 0, a stdout digest when given). */
export function actionResult(outputs: ReadonlyArray<{ hash: string; size: number }>, stdout?: { hash: string; size: number }): Buffer {
  const files = outputs.map((o, i) => field(2, Buffer.concat([field(1, Buffer.from(`out/f${i}`)), field(2, digest(o.hash, o.size)), field(4, 1)])));
  return Buffer.concat([...files, field(4, 0), ...(stdout ? [field(6, digest(stdout.hash, stdout.size))] : [])]);
}
