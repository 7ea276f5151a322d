// A minimal cookie jar for Node (global fetch keeps no cookies): remembers what the server
// sets with Set-Cookie and sends it back on later requests to the same client.
import type { Middleware } from 'openapi-fetch';

export type CookieJar = Middleware & {
  /** The cookies currently held, as name -> value. */
  readonly cookies: ReadonlyMap<string, string>;
  clear(): void;
};

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  const middleware: Middleware = {
    onRequest({ request }) {
      if (cookies.size === 0) return request;
      const header = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      request.headers.set('cookie', header);
      return request;
    },
    onResponse({ response }) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
        if (expired || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
  };
  return Object.assign(middleware, { cookies, clear: () => cookies.clear() });
}
