// The CallCenter Pro SDK: a typed client over openapi-fetch, generated types from openapi.yaml.
//
//   import { createClient } from '@callcenter-pro/client';
//   const api = createClient({ baseUrl: 'https://calls.example.com', apiKey: process.env.CCP_KEY });
//   const { data, error } = await api.GET('/api/campaigns');
import createFetchClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import { createCookieJar, type CookieJar } from './cookie-jar.js';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
export { createCookieJar, type CookieJar };
export { connectEvents, subscribe, type ConnectEventsOptions, type LiveEventsSocket } from './live.js';
export type * from './events.js';

export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export interface CallCenterClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The server's base URL, e.g. https://calls.example.com (no /api suffix). */
  baseUrl: string;
  /** An API key (`ccp_live_...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Keep the session cookie between calls (for `POST /api/login` flows in Node). */
  cookieJar?: CookieJar | boolean;
}

function bearer(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
}

export function createClient(options: CallCenterClientOptions): ApiClient & { cookieJar: CookieJar | null } {
  const { apiKey, cookieJar, baseUrl, ...rest } = options;
  const client = createFetchClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), ...rest });
  if (apiKey) client.use(bearer(apiKey));
  const jar = cookieJar === true ? createCookieJar() : cookieJar || null;
  if (jar) client.use(jar);
  return Object.assign(client, { cookieJar: jar });
}
