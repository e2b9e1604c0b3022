// Streams upstream bytes to the cache and to the first client at once. The cache write sets the pace and
// goes on if the client leaves; a slow client slows the transfer (backpressure) instead of growing memory.
// The client gets every chunk but the last as it arrives; the last one is held until the caller calls
// `finish()` once the cached copy is stored (and verified). A client that saw the whole body (Content-Length)
// can therefore count on the cache holding it, and a copy that fails verification never reaches the client
// complete: `client.destroy(err)` cuts it one chunk short.
import { PassThrough, Transform, type Readable } from 'node:stream';

export interface CacheTee {
  /** What the first client reads. */
  client: PassThrough;
  /** What the cache write reads: every byte of the upstream body. */
  cacheInput: Readable;
  /** Sends the held last chunk and ends the client's stream; call once the cache holds the copy. */
  finish(): void;
}

export function teeForCache(source: Readable): CacheTee {
  const client = new PassThrough({ highWaterMark: 1 << 20 });
  let held: Buffer | undefined;
  const cacheInput = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const previous = held;
      held = chunk;
      if (!previous || client.destroyed || client.write(previous)) return done(null, chunk);
      const resume = () => {
        client.off('drain', resume);
        client.off('close', resume);
        done(null, chunk);
      };
      client.once('drain', resume);
      client.once('close', resume);
    },
  });
  source.on('error', (err) => cacheInput.destroy(err));
  source.pipe(cacheInput);
  const finish = () => {
    if (client.destroyed) return;
    const last = held;
    held = undefined;
    if (last) client.end(last); else client.end();
  };
  return { client, cacheInput, finish };
}
