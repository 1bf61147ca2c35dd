// How far a channel's outgoing bytes got: queued as plaintext, written to the socket as records,
// accepted by the kernel. The channel uses it to tell whether a given message (a PONG) has left,
// and whether the send buffer moves at all (docs/protocol.md section 6.5).

/** A point in the plaintext stream; it has departed once every byte before it was accepted by the kernel. */
export interface Departure {
  readonly plaintextEnd: number;
  /** Socket bytes written up to the record holding the point's last byte; Infinity until written. */
  socketEnd: number;
}

export class SendProgress {
  private enqueued = 0;
  private plaintextWritten = 0;
  private socketWritten = 0;
  /** Marks whose record was not written yet, in stream order. */
  private unwritten: Departure[] = [];

  constructor(private readonly sink: { readonly writableLength: number }) {}

  /** Socket bytes the kernel has accepted so far (written minus what the socket still buffers). */
  get flushed(): number {
    return this.socketWritten - this.sink.writableLength;
  }

  onEnqueued(plaintextBytes: number): void {
    this.enqueued += plaintextBytes;
  }

  /** One record went to the socket: `plaintextBytes` of the stream in `socketBytes` on the wire. */
  onWritten(plaintextBytes: number, socketBytes: number): void {
    this.plaintextWritten += plaintextBytes;
    this.socketWritten += socketBytes;
    while (this.unwritten.length > 0 && this.unwritten[0]!.plaintextEnd <= this.plaintextWritten) {
      this.unwritten.shift()!.socketEnd = this.socketWritten;
    }
  }

  /** The point right after everything queued so far. */
  mark(): Departure {
    const d: Departure = { plaintextEnd: this.enqueued, socketEnd: Infinity };
    if (d.plaintextEnd <= this.plaintextWritten) d.socketEnd = this.socketWritten;
    else this.unwritten.push(d);
    return d;
  }

  departed(d: Departure): boolean {
    return this.flushed >= d.socketEnd;
  }

  clear(): void {
    this.unwritten = [];
  }
}
