import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';

const COOKIE = 'persona_dashboard';

/**
 * Lets a request through when it carries the token: `Authorization: Bearer <token>`, the cookie set
 * after a first visit, or `?token=` in the address (answered with the cookie and a redirect to the
 * same page without the token, so it does not stay in the address bar). Everything else gets 401.
 */
export function requireToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  const matches = (given: string | undefined) => given !== undefined && timingSafeEqual(digest(given), expected);
  return async (c, next) => {
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (matches(bearer) || matches(getCookie(c, COOKIE))) return next();
    const query = c.req.query('token');
    if (matches(query)) {
      setCookie(c, COOKIE, query!, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    return c.html(html`<!doctype html><title>Token required</title><p>This dashboard needs its token: open it with <code>?token=</code> and the value of DASHBOARD_TOKEN.</p>`, 401);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
