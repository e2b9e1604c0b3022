// Graceful stop without the keep-alive wait. Fastify's close() stops accepting connections, closes the
// keep-alive sockets idle at that instant (Node's server.close()) and then waits for the others. A response
// still being written at that instant ends a moment later and leaves its socket idle and open; close() then
// waited for the client to drop it, i.e. keepAliveTimeout (65 s; Node's fetch drops it after 63 s). While
// closing, each socket is therefore closed as soon as its response has ended; requests in flight finish.
import type { FastifyInstance } from 'fastify';

export function closeSocketsAsResponsesEnd(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async () => {
    // Node has detached the finished response from its socket by now: the socket counts as idle.
    if (closing) app.server.closeIdleConnections();
  });
}
