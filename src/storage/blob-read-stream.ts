// The stream a file blob store returns for a read. fs read streams allocate a new buffer for every chunk;
// pulling a 1 GiB blob then allocates 1 GiB of short-lived buffers, and once V8 has shrunk its heap limits
// during an idle period that garbage triggers a full collection every few dozen MiB: pulls after a pause used
// three times the CPU (bench/README.md, "Known effects"). So when the stream is piped straight into an HTTP
// response, which is what serving a blob does, it reads into a few buffers from a small shared pool and
// reuses each one as soon as the socket has written it. Any other consumer (hashing, a backup, a cache) may
// keep the chunks it gets, so it reads as an ordinary stream with a fresh buffer per chunk.
import type { FileHandle } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

// 1 MiB chunks cost a third of the CPU of 256 KiB ones per GiB served (fewer reads and socket writes).
const CHUNK = 1 << 20;
const IN_FLIGHT = 2; // buffers one response may have queued on its socket at a time (one written, one read)
const POOL_MAX = 8; // spare buffers kept for the next responses
const pool: Buffer[] = [];

function take(size: number): Buffer {
  return size === CHUNK ? pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK) : Buffer.allocUnsafe(size);
}

function give(buf: Buffer): void {
  if (buf.length === CHUNK && pool.length < POOL_MAX) pool.push(buf);
}

export class BlobReadStream extends Readable {
  private position: number;
  private readonly end: number; // exclusive

  /** Reads bytes [start, end) of the open file (end Infinity: to its end), then closes it, also when destroyed early. */
  constructor(private readonly handle: FileHandle, start: number, end: number) {
    super({ highWaterMark: CHUNK });
    this.position = start;
    this.end = end;
  }

  override _read(): void {
    const size = Math.min(CHUNK, this.end - this.position);
    if (size <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(size);
    this.handle.read(buf, 0, size, this.position).then(({ bytesRead }) => {
      this.position += bytesRead;
      this.push(bytesRead ? buf.subarray(0, bytesRead) : null); // a file cut short ends the stream early
    }, (err: Error) => this.destroy(err));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.handle.close().then(() => callback(err), (closeErr: Error) => callback(err ?? closeErr));
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (!(destination instanceof ServerResponse) || this.readableFlowing !== null) return super.pipe(destination, options);
    this.pump(destination, options?.end !== false).then(
      () => {
        // Let the stream itself end, so 'end' and 'close' reach whoever waits for them (Fastify does).
        this.push(null);
        this.resume();
      },
      (err: Error) => this.destroy(err),
    );
    return destination;
  }

  /** Copies the bytes into `res` through reused buffers, at most IN_FLIGHT of them queued at once. */
  private async pump(res: ServerResponse, end: boolean): Promise<void> {
    const free: Buffer[] = [];
    let done = false; // after this, a buffer whose write completes goes back to the shared pool
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const stop = () => wake?.();
    res.once('close', stop); // the client went away: a write callback or 'drain' may never come
    try {
      while (this.position < this.end && !this.destroyed && !res.destroyed) {
        while (inFlight >= IN_FLIGHT && !res.destroyed) await new Promise<void>((r) => (wake = r));
        if (res.destroyed) break;
        const size = Math.min(CHUNK, this.end - this.position);
        const buf = free.pop() ?? take(size);
        const { bytesRead } = await this.handle.read(buf, 0, size, this.position);
        if (!bytesRead) break;
        this.position += bytesRead;
        inFlight++;
        res.write(buf.subarray(0, bytesRead), (err) => {
          inFlight--;
          if (!err) (done ? give(buf) : free.push(buf)); // written: the socket no longer holds it (on an error it may: drop it)
          wake?.();
        });
      }
      if (end && !res.destroyed) res.end();
    } finally {
      done = true;
      res.off('close', stop);
      for (const buf of free) give(buf);
    }
  }
}
