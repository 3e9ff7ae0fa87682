/**
 * Splits a byte stream into lines with bounded memory. A process may print gigabytes, or one
 * endless line without a newline; only the current line is buffered, and never more than
 * `maxLineBytes` of it: the rest is counted and dropped, and the line ends in a marker.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly emit: (text: string) => void,
  ) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
  }

  /** Feeds a chunk; every complete line in it is emitted at once. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, newline));
      this.flushLine();
      start = newline + 1;
    }
  }

  /** Emits a partial last line, if any; call once when the stream ends. */
  end(): void {
    if (this.kept > 0 || this.dropped > 0) this.flushLine();
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.kept;
    if (room >= bytes.length) {
      this.parts.push(bytes);
      this.kept += bytes.length;
      return;
    }
    if (room > 0) {
      this.parts.push(bytes.subarray(0, room));
      this.kept += room;
    }
    this.dropped += bytes.length - Math.max(room, 0);
  }

  private flushLine(): void {
    let text = Buffer.concat(this.parts, this.kept).toString('utf8');
    if (this.dropped === 0 && text.endsWith('\r')) text = text.slice(0, -1);
    if (this.dropped > 0) text += ` …[line truncated: ${this.dropped} more bytes dropped]`;
    this.parts = [];
    this.kept = 0;
    this.dropped = 0;
    this.emit(text);
  }
}
