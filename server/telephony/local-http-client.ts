// A twilio.RequestClient that sends the library's requests to a local base URL instead of
// https://api.twilio.com (or any other *.twilio.com host, including edge/region hosts such as
// api.dublin.ie1.twilio.com). The library's `edge`/`region` options can only choose among
// Twilio's own hosts; this client is how tests reach a Prism mock or a recording fake, and how a
// self-hosted Twilio-compatible endpoint can be used. Everything else (auth header, form encoding,
// query serialisation) is the library's own code, unchanged.
import twilio from 'twilio';
import type RequestClientTypes from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttpResponse from 'twilio/lib/http/response.js';

type TwilioResponse<T> = TwilioHttpResponse.default<T>;

const TWILIO_ORIGIN = /^https?:\/\/(?:[a-z0-9-]+\.)*twilio\.com(?::\d+)?(?=\/|$)/i;

/** Rewrite a Twilio URL onto `baseUrl` (its path prefix is kept). Other URLs are returned unchanged. */
export function rewriteTwilioUri(uri: string, baseUrl: string): string {
  const match = TWILIO_ORIGIN.exec(uri);
  if (!match) return uri;
  return baseUrl.replace(/\/+$/, '') + uri.slice(match[0].length);
}

/** One request the library made and the answer it got (for tests and debugging). */
export interface TwilioExchange {
  method: string;
  /** The URL the library built (https://api.twilio.com/…). */
  originalUri: string;
  /** The URL actually requested. */
  uri: string;
  params: unknown;
  data: unknown;
  statusCode: number;
  headers: Record<string, unknown>;
  body: unknown;
}

export interface LocalHttpClientOptions extends RequestClientTypes.RequestClientOptions {
  /** Called after every completed exchange. */
  onExchange?: (exchange: TwilioExchange) => void;
}

export class LocalTwilioHttpClient extends twilio.RequestClient {
  readonly baseUrl: string;
  readonly #onExchange: ((exchange: TwilioExchange) => void) | undefined;

  constructor(baseUrl: string, options: LocalHttpClientOptions = {}) {
    const { onExchange, ...requestClientOptions } = options;
    super(requestClientOptions);
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('baseUrl must be an http(s) URL');
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#onExchange = onExchange;
  }

  override async request<TData>(opts: RequestClientTypes.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    const uri = rewriteTwilioUri(opts.uri, this.baseUrl);
    const response = await super.request({ ...opts, uri });
    this.#onExchange?.({
      method: opts.method,
      originalUri: opts.uri,
      uri,
      params: opts.params,
      data: opts.data,
      statusCode: response.statusCode,
      headers: (response.headers ?? {}) as Record<string, unknown>,
      body: response.body,
    });
    return response;
  }
}
