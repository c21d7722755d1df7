// The daemon's HTTP endpoint: /healthz (200 when IMAP and Redis are up, 503 with the reasons) and /metrics.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Health {
  ok: boolean;
  /** Why not ok, one line each. */
  reasons: string[];
}

export interface HttpServerOptions {
  host: string;
  port: number;
  health: () => Promise<Health>;
  registry: Registry;
}

export interface HttpHandle {
  server: Server;
  /** The port actually bound (for port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startHttp(o: HttpServerOptions): Promise<HttpHandle> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = async (): Promise<void> => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        const h = await o.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(h.ok ? 'ok\n' : `${h.reasons.join('\n')}\n`);
        return;
      }
      if (path === '/metrics') {
        const body = await o.registry.metrics();
        res.writeHead(200, { 'content-type': o.registry.contentType });
        res.end(body);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /healthz or /metrics\n');
    };
    reply().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`error: ${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
