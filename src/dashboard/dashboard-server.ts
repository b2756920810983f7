import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isLoopback } from './loopback.js';
import { createDashboardApp } from './dashboard-app.js';
import type { DashboardDeps } from './dashboard-deps.js';

/** Where and how the dashboard listens. */
export interface DashboardListen {
  port: number;
  host: string;
  token?: string;
}

/** A listening dashboard. */
export interface RunningDashboard {
  readonly name: string;
  /** The address it answers on. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The dashboard would be reachable from other machines without a token. */
export class DashboardAccessError extends Error {
  readonly code = 'DASHBOARD_TOKEN_REQUIRED';
  constructor(host: string) {
    super(`DASHBOARD_HOST=${host} is not a loopback address, so DASHBOARD_TOKEN must be set: anyone who can reach the port would read every member's data.`);
    this.name = 'DashboardAccessError';
  }
}

/** Serves the dashboard; refuses to listen beyond loopback without a token. */
export async function startDashboard(listen: DashboardListen, deps: DashboardDeps, logger: Logger): Promise<RunningDashboard> {
  if (!isLoopback(listen.host) && !listen.token) throw new DashboardAccessError(listen.host);
  const app = createDashboardApp(deps, { token: listen.token, logger });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: listen.port, hostname: listen.host }, () => resolve(started));
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const url = `http://${host}:${port}/`;
  logger.info({ url, access: listen.token ? 'token required' : 'loopback only' }, 'dashboard listening');
  return {
    name: 'dashboard',
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
