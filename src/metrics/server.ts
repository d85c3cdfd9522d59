import type { Server } from 'node:http';
import { MetricsAddressError } from './address.js';
import { type ExpositionOptions, type MetricsSource, createRegistry } from './exposition.js';

/** Serves /metrics (Prometheus text format) and nothing else; resolves once listening. */
export async function startMetricsServer(address: { host: string; port: number }, source: MetricsSource, options: ExpositionOptions = {}): Promise<Server> {
  // Imported here: the one-file build would otherwise compile Node's HTTP server at every start.
  const { createServer } = await import('node:http');
  const { registry, scrape } = createRegistry(source, options);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('nettriage: metrics are at /metrics\n');
      return;
    }
    scrape().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`nettriage: ${(error as Error).message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new MetricsAddressError(`--metrics ${address.host}:${address.port}: ${error.message}`)));
    server.listen(address.port, address.host, () => resolve(server));
  });
}
