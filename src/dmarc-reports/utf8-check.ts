// Where a byte stream declared UTF-8 is not (RFC 3629 §4): the report is still read, with
// U+FFFD for each bad sequence (WHATWG decoding), and the first bad line is named so that a
// warning can point at it (a Windows-1252 byte in a comment field, typically).

/** Counts invalid UTF-8 sequences in bytes fed in order, and the line of the first one. */
export class Utf8Check {
  /** Invalid sequences seen. */
  invalid = 0;
  /** 1-based line of the first invalid sequence. */
  firstLine: number | undefined;
  private line = 1;
  /** Continuation bytes still expected, and the bounds the next one must meet (§4's table). */
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;

  feed(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.need > 0) {
        if (b >= this.lower && b <= this.upper) {
          this.need--;
          this.lower = 0x80;
          this.upper = 0xbf;
          continue;
        }
        // The sequence broke off: one error, and this byte starts afresh.
        this.bad();
        this.need = 0;
        this.lower = 0x80;
        this.upper = 0xbf;
      }
      if (b === 0x0a) this.line++;
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lower = 0xa0;
        if (b === 0xed) this.upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lower = 0x90;
        if (b === 0xf4) this.upper = 0x8f;
      } else this.bad();
    }
  }

  /** At the end of the stream: a sequence cut short is one more error. */
  end(): void {
    if (this.need > 0) this.bad();
    this.need = 0;
  }

  private bad(): void {
    this.invalid++;
    this.firstLine ??= this.line;
  }
}
