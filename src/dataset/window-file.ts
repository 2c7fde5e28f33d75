/** The temporary file a cutter appends kept windows to, through a 1 MiB write buffer. */
import { closeSync, openSync, writeSync } from 'node:fs';

export class WindowFile {
  private readonly fd: number;
  private readonly out = new Uint8Array(1 << 20);
  private used = 0;
  /** Bytes appended so far (the offset of the next window). */
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Appends a window; returns its byte offset. */
  append(bytes: Uint8Array): number {
    const at = this.bytes;
    if (this.used + bytes.length > this.out.length) this.flush();
    if (bytes.length > this.out.length) writeSync(this.fd, bytes);
    else { this.out.set(bytes, this.used); this.used += bytes.length; }
    this.bytes += bytes.length;
    return at;
  }

  private flush(): void {
    if (this.used) writeSync(this.fd, this.out, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
