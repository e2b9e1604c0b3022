// A closed-loop HTTP/1.1 load generator for HEAD requests, which wrk cannot send: its parser waits for the
// body that Content-Length announces and a HEAD answer never carries (github.com/wg/wrk/issues/198).
// Same shape as a wrk run: `connections` keep-alive connections, each sending its next request as soon as
// the previous answer is in, for `seconds`; latency of every answer; any non-2xx answer aborts the run.
// Raw sockets and minimal parsing, so that the client stays cheap next to the server it loads.
import net from 'node:net';

/** `method` is HEAD or GET (GET only to check this generator against wrk). */
export async function load(url, { method = 'HEAD', connections, seconds, headers = {} }) {
  const u = new URL(url);
  const request = Buffer.from([`${method} ${u.pathname}${u.search} HTTP/1.1`, `host: ${u.host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
  const latencies = [];
  let errors = 0;
  let failure;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;

  const sockets = new Set();
  const connection = () => new Promise((resolve) => {
    const socket = net.connect(Number(u.port), u.hostname);
    sockets.add(socket);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let body = -1; // bytes of body still to skip; -1 while reading a head
    let sent = 0;
    const send = () => {
      if (performance.now() >= end || failure) return socket.end();
      sent = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (body < 0) {
          const headEnd = pending.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = pending.subarray(0, headEnd).toString('latin1');
          const status = Number(head.slice(9, 12));
          if (status < 200 || status > 299) { failure ??= new Error(`${method} ${url}: HTTP ${status}`); return socket.destroy(); }
          if (/\r\ntransfer-encoding:/i.test(head)) { failure ??= new Error(`${method} ${url}: chunked answers are not supported`); return socket.destroy(); }
          body = method === 'HEAD' ? 0 : Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          pending = pending.subarray(headEnd + 4);
        }
        if (pending.length < body) return;
        pending = pending.subarray(body);
        body = -1;
        const now = performance.now();
        if (now <= end) latencies.push(now - sent);
        if (!pending.length) return send(); // the server answers one request at a time: nothing else is due
      }
    });
    socket.on('error', () => { errors++; });
    socket.on('close', () => { sockets.delete(socket); resolve(); });
  });

  // Like wrk's --timeout 10s: an answer still missing 10 s after the end counts as an error, not a hang.
  const timer = setTimeout(() => { for (const socket of sockets) { errors++; socket.destroy(); } }, seconds * 1000 + 10_000);
  await Promise.all(Array.from({ length: connections }, connection));
  clearTimeout(timer);
  if (failure) throw failure;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50ms: at(0.5), p99ms: at(0.99), requests: latencies.length, errors };
}
