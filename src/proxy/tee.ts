// Streams upstream bytes to the cache and to the first client at once. The cache write sets the pace and
// goes on if the client leaves; a slow client slows the transfer (backpressure) instead of growing memory.
// The client's stream is ended by the caller only after the cached copy is verified.
import { PassThrough, Transform, type Readable } from 'node:stream';

export function teeForCache(source: Readable): { client: PassThrough; cacheInput: Readable } {
  const client = new PassThrough({ highWaterMark: 1 << 20 });
  const cacheInput = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (client.destroyed || client.write(chunk)) return done(null, chunk);
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
  return { client, cacheInput };
}
