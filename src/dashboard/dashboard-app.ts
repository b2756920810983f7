import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { requireToken } from './access.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { memberPage } from './member-page.js';
import { overviewPage } from './overview-page.js';
import { PersonaEmbeddings } from './persona-embeddings.js';
import { personaMapPage } from './persona-map-page.js';
import { stylesheet } from './style.js';

/** The read-only dashboard as a hono app: GET only, token-checked when a token is set, no script on any page. */
export function createDashboardApp(deps: DashboardDeps, options: { token?: string; logger: Logger }): Hono {
  const app = new Hono();
  const embeddings = deps.embed ? new PersonaEmbeddings(deps.embed) : undefined;
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], formAction: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      referrerPolicy: 'no-referrer',
    }),
  );
  // Nothing here changes anything: forget and reset stay with the member's own commands.
  app.use(async (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : c.text('The dashboard is read-only.', 405, { Allow: 'GET, HEAD' })));
  if (options.token) app.use(requireToken(options.token));
  app.get('/style.css', (c) => c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }));
  app.get('/', async (c) => c.html(await overviewPage(deps)));
  app.get('/map', async (c) => c.html(await personaMapPage(deps, embeddings)));
  app.get('/members/:id{[0-9]+}', async (c) => {
    const body = await memberPage(deps, Number(c.req.param('id')));
    return body ? c.html(body) : c.text('No such member.', 404);
  });
  app.notFound((c) => c.text('Not found.', 404));
  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, 'dashboard page failed');
    return c.text('This page could not be built; the log has the details.', 500);
  });
  return app;
}
