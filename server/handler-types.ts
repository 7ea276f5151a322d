// Handler types derived from the generated `operations` (client/schema.d.ts): a handler that
// returns a body or status the contract does not declare does not compile.
import type { Readable } from 'node:stream';
import type { SseStreams } from './live/sse.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { operations, webhooks } from '../client/schema.js';
import type { DB } from '../db/types.js';
import type { BidRowWriter } from './rtb/auctions/pending-bids.js';
import type { RtbRuntime } from './rtb/auctions/runtime.js';
import type { Principal } from './accounts/auth/principal.js';
import type { Background } from './platform/common/background.js';
import type { Config } from './platform/config.js';
import type { OutboundPolicy } from './platform/http/outbound/types.js';
import type { RateLimiter } from './platform/http/rate-limit/hook.js';
import type { LoginThrottle } from './accounts/auth/login-throttle.js';
import type { AnyTelephony } from './telephony/factory.js';
import type { RouteCache } from './inbound/webhooks/route-cache.js';
import type { AudioUrlSigner } from './crm/audio/signed-url.js';
import type { Embedder } from './ai/knowledge/embedder.js';

/** What the contract's `webhooks` describe: requests we send (event webhooks), not operations we serve. */
type EventOperation = webhooks[keyof webhooks]['post'];
/** The operations this server serves (every operation of `paths`). */
export type OperationId = { [K in keyof operations]: operations[K] extends EventOperation ? never : K }[keyof operations];
type Op<K extends OperationId> = operations[K];
type OrEmpty<T> = [T] extends [never] ? Record<string, never> : [T] extends [undefined] ? Record<string, never> : NonNullable<T>;

/** Bytes: what an answer of a media type without a schema (audio/mpeg) is sent as, and any non-JSON one may be. */
export type BinaryBody = Uint8Array | Readable;
/**
 * The body of each declared media type: JSON as its schema says; another type (CSV, TwiML, a PDF)
 * as its text or as bytes; a type without a schema (generated as `unknown`) as bytes.
 */
type ContentBody<R> = R extends { content: infer C }
  ? { [M in keyof C]: M extends 'application/json' ? C[M] : unknown extends C[M] ? BinaryBody : C[M] | BinaryBody }[keyof C]
  : undefined;

export type PathParams<K extends OperationId> = OrEmpty<Op<K>['parameters']['path']>;
export type QueryParams<K extends OperationId> = OrEmpty<Op<K>['parameters']['query']>;
export type RequestBody<K extends OperationId> = Op<K> extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : Op<K> extends { requestBody?: { content: infer C } }
    ? C[keyof C] | undefined
    : undefined;

type Responses<K extends OperationId> = Op<K>['responses'];
/** One declared status with its declared body. */
export type Result<K extends OperationId> = {
  [S in keyof Responses<K> & number]: { status: S; body: ContentBody<Responses<K>[S]> };
}[keyof Responses<K> & number];

export interface Deps {
  db: Kysely<DB>;
  config: Config;
  limiter: RateLimiter;
  /** Login backoff per (account, source address) (server/accounts/auth/login-throttle.ts). */
  loginThrottle: LoginThrottle;
  /** The outbound guard's policy (OUTBOUND_ALLOW_PRIVATE): save-time URL checks and connections. */
  outboundPolicy: OutboundPolicy;
  /** Shared RTB fan-out: guarded dispatcher, p-limit, circuit breaker. */
  rtb: RtbRuntime;
  /** Writes the bid rows of an RTB answer made in one statement, after the answer. */
  bidRows: BidRowWriter;
  /** Twilio, or the labelled local simulator (TELEPHONY). */
  telephony: AnyTelephony;
  /** The token Twilio webhooks are signed with (TWILIO_AUTH_TOKEN, or the simulator's). */
  webhookToken: string;
  /** Routing configuration read on every call; emptied by every change made through the API. */
  routeCache: RouteCache;
  /** Work that outlives its request (simulated calls playing out); stopped when the app closes. */
  background: Background;
  /** Signs and checks the audio URLs Twilio's <Play> fetches (server/crm/audio/signed-url.ts). */
  audioUrls: AudioUrlSigner;
  /** Live events: the events-token key and the SSE streams (server/live/). */
  live: LiveRuntime;
  /** Semantic knowledge-base search's embeddings endpoint (AI_EMBEDDINGS_MODEL), or null. */
  embedder: Embedder | null;
}

export interface LiveRuntime {
  tokenKey: Buffer;
  sse: SseStreams;
}

export interface HandlerContext<K extends OperationId> {
  req: FastifyRequest;
  reply: FastifyReply;
  params: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
  /** The authenticated caller (throws 401 on a public operation without one). */
  principal(): Principal;
}

export type Handler<K extends OperationId> = (ctx: HandlerContext<K>) => Promise<Result<K>>;
export type Handlers = { [K in OperationId]: Handler<K> };
export type HandlerGroup<K extends OperationId> = { [P in K]: Handler<P> };
