// Prometheus metrics: process figures from prom-client's defaults plus request counts and durations.
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** `collectors` add metrics of their own to the registry (e.g. blob store figures). */
export function registerMetrics(app: FastifyInstance, collectors: ((registry: Registry) => void)[] = []): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wharf_' });
  for (const add of collectors) add(registry);
  const requests = new Counter({ name: 'wharf_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'wharf_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method'],
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10], registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    requests.inc({ method: request.method, status: String(reply.statusCode) });
    duration.observe({ method: request.method }, reply.elapsedTime / 1000);
  });
  app.get('/service/metrics/ping', async (_request, reply) => reply.type('text/plain').send('pong'));
  app.get('/service/metrics/prometheus', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
