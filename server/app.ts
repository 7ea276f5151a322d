// buildApp(deps): plugins, spec-driven routes, auth, limits, headers. No listening, no env.
import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import secureSession from '@fastify/secure-session';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { type Config, rateLimitPolicies } from './platform/config.js';
import { startHealthProbe } from './rtb/auctions/health.js';
import { createBackground } from './platform/common/background.js';
import { createBidRowWriter, startPendingBidSweep } from './rtb/auctions/pending-bids.js';
import { startCompletionSweep } from './inbound/calls/completion-sweep.js';
import { createRtbRuntime } from './rtb/auctions/runtime.js';
import { createSecretBox } from './platform/common/secret-box.js';
import { SecretColumnsPlugin } from './platform/common/secret-columns.js';
import { ERRORS, errorBody, errorHandler } from './platform/errors.js';
import type { Deps } from './handler-types.js';
import { createHandlers } from './handlers.js';
import { createAudioUrlSigner, deriveAudioUrlKey } from './crm/audio/signed-url.js';
import { clientErrorHandler } from './platform/http/client-errors.js';
import { frameworkErrorHandler, isUnreadablePath } from './platform/http/unreadable-path.js';
import { installDniCors } from './platform/http/dni-cors.js';
import { installJsonDepthLimit } from './platform/http/json-depth.js';
import { serializeRequest } from './platform/http/log-redaction.js';
import { installResponseHeaders, requestIdFrom } from './platform/http/headers.js';
import { PIXEL_QUEUE } from './attribution/pixels/worker.js';
import { WEBHOOK_QUEUE } from './integrations/webhooks/queue.js';
import { startDeliveryRunner } from './platform/deliveries/runner.js';
import { startLeadImportWorker } from './crm/imports/runner.js';
import { startDialer } from './dialer/loop/runner.js';
import { outboundUrls } from './dialer/webhooks/urls.js';
import { installMultipart } from './platform/http/multipart.js';
import { startRollupCompactor } from './reports/compactor.js';
import { createOutboundPolicy } from './platform/http/outbound/url-policy.js';
import { type AnyTelephony, createTelephony } from './telephony/factory.js';
import type { SimulatedOutboundCall } from './telephony/simulator/simulator.js';
import { simulatedOutboundRunner } from './simulator/outbound-runner.js';
import { createLoginThrottle } from './accounts/auth/login-throttle.js';
import { createRateLimiter, installRateLimit } from './platform/http/rate-limit/hook.js';
import type { RateLimitStore } from './platform/http/rate-limit/store.js';
import { serializerFactory } from './platform/http/serializers.js';
import { installValidators, type SchemaCompilation } from './platform/http/validation.js';
import { registerRoutes } from './routes.js';
import { createDatabaseCallStore } from './simulator/call-store.js';
import { databaseHeldNumbers } from './simulator/held-numbers.js';
import { createRouteCache } from './inbound/webhooks/route-cache.js';
import { loadSpec, type OpenApiDocument } from './platform/spec.js';
import { registerLivePublisher, unregisterLivePublisher } from './platform/live/publish.js';
import { deriveEventsTokenKey } from './live/events-token.js';
import { SESSION_MAX_AGE_SECONDS } from './accounts/auth/session-expiry.js';
import { startLiveServer } from './live/socket-server.js';
import { startAi } from './ai/start.js';
import { createEmbedder } from './ai/knowledge/embedder.js';
import { createSseStreams } from './live/sse.js';
import { type LiveTransport, memoryTransport } from './live/transport.js';

export interface AppDeps {
  config: Config;
  db: Kysely<DB>;
  /** 32-byte session key (hex in config, or generated into DATA_DIR by main). */
  sessionKey: Buffer;
  /** 32-byte key sealing stored secrets (SECRETS_KEY, or generated into DATA_DIR by main). */
  secretsKey: Buffer;
  rateLimitStore: RateLimitStore;
  spec?: OpenApiDocument;
  /** false: no logging (tests); a stream: log there (tests that read the logs). Default stdout. */
  logger?: false | { stream: NodeJS.WritableStream; level?: string };
  /** The telephony backend; default from configuration (tests pass a simulator or a Prism-backed Twilio). */
  telephony?: AnyTelephony;
  /**
   * The token Twilio webhooks are signed with (main resolves it with resolveWebhookToken);
   * default TWILIO_AUTH_TOKEN. Without either the app does not start.
   */
  webhookToken?: string;
  /**
   * `lazy`: request validators and response serializers are compiled on each route's first use
   * instead of before listening (`npm start`); default `eager` (tests see every schema compile).
   */
  schemaCompilation?: SchemaCompilation;
  /** How live events cross instances (server/live/transport.ts); default one process (in-memory). */
  liveTransport?: LiveTransport;
  /** Extra hooks to install before the routes (tests add the contract check here). */
  beforeRoutes?: (app: FastifyInstance) => void | Promise<void>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  // Secret columns are sealed on write and opened on read for everything the app runs.
  const db = deps.db.withPlugin(new SecretColumnsPlugin(createSecretBox(deps.secretsKey)));
  const spec = deps.spec ?? loadSpec();
  const logger: FastifyServerOptions['logger'] =
    deps.logger === false
      ? false
      : {
          level: deps.logger?.level ?? config.logLevel,
          // Credentials never reach the logs (bodies are not logged at all).
          redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-twilio-signature"]', 'res.headers["set-cookie"]'],
          // ...nor do secret path segments (the rtbId) and secret query values in request URLs.
          serializers: { req: serializeRequest },
          ...(deps.logger?.stream ? { stream: deps.logger.stream } : {}),
        };
  const app: FastifyInstance = Fastify({
    logger,
    // The configured hops only, never every one: that would take the client's own X-Forwarded-For entries.
    trustProxy: config.trustProxy === 0 ? false : (_address: string, hop: number) => hop < config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path parameter longer than the router's default (100) must still reach its handler, which
    // answers 404 for an id that names nothing, in the API's own error format.
    routerOptions: { maxParamLength: 2048 },
    genReqId: (req) => requestIdFrom(req.headers['x-request-id'], randomUUID),
    // Paths the router cannot read go through the not-found route, with its hooks (unreadable-path.ts).
    frameworkErrors: frameworkErrorHandler(() => app),
    // Requests the HTTP parser refuses are answered in the API's error format too.
    clientErrorHandler,
    ajv: { customOptions: { strict: false } },
    schemaController: { compilersFactory: { buildSerializer: serializerFactory(deps.schemaCompilation ?? 'eager') } },
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    const error = isUnreadablePath(req) ? ERRORS.unreadablePath() : ERRORS.routeNotFound(req.method, req.url);
    void reply.code(404).send(errorBody(error, req.id));
  });
  installValidators(app, deps.schemaCompilation);
  await installResponseHeaders(app);
  installDniCors(app);
  app.decorateRequest('principal', null);
  app.decorateRequest('secretOrg', null);

  // Bodies are JSON, or forms where the contract says so (Twilio webhooks); no plain text.
  app.removeContentTypeParser('text/plain');
  installJsonDepthLimit(app);
  await app.register(formbody);
  // multipart/form-data: streamed by the import handlers, or read into the body before validation
  // for `x-upload-limit` operations (routes.ts), refused elsewhere (platform/http/multipart.ts).
  await installMultipart(app);
  await app.register(secureSession, {
    key: deps.sessionKey,
    cookieName: 'ccp_session',
    expiry: SESSION_MAX_AGE_SECONDS,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.production, maxAge: SESSION_MAX_AGE_SECONDS },
  });

  const limiter = createRateLimiter(deps.rateLimitStore, rateLimitPolicies(config.rateLimits));
  installRateLimit(app, limiter);

  await app.register(swagger, { mode: 'static', specification: { document: structuredClone(spec) as never } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: true, withCredentials: true, tryItOutEnabled: false },
  });

  if (deps.beforeRoutes) await deps.beforeRoutes(app);

  const outboundPolicy = createOutboundPolicy(config.outboundAllowPrivate);
  const rtb = createRtbRuntime(outboundPolicy, config.rtbFanoutConcurrency);
  const bidRows = createBidRowWriter(db, app.log);
  app.decorate('bidRows', bidRows);
  // The simulator knows every call that reached our webhooks, and every number held, from the database (any instance).
  // Outbound calls the simulator places are played by its carrier (below, once the app exists).
  let playOutbound: ((call: SimulatedOutboundCall) => void) | undefined;
  const telephony =
    deps.telephony ??
    createTelephony(config, {
      simulator: { calls: createDatabaseCallStore(deps.db), heldNumbers: databaseHeldNumbers(deps.db), onPlaceCall: (call) => playOutbound?.(call) },
    });
  const webhookToken = deps.webhookToken ?? config.twilioAuthToken;
  if (!webhookToken) throw new Error('buildApp: a Twilio webhook token is required (TWILIO_AUTH_TOKEN or the generated simulator token)');
  const loginThrottle = createLoginThrottle(deps.rateLimitStore, config.rateLimits.login);
  const background = createBackground();
  if (telephony.kind === 'simulator') {
    playOutbound = simulatedOutboundRunner({ app, telephony, base: config.publicBaseUrl, webhookToken, background, speedup: config.simulatorSpeedup });
  }
  const audioUrls = createAudioUrlSigner(deriveAudioUrlKey(deps.secretsKey), config.publicBaseUrl);
  // Live events: Socket.IO on this server, its hub the publisher for this db (server/live/).
  const tokenKey = deriveEventsTokenKey(deps.secretsKey);
  const liveServer = startLiveServer({ app, db, tokenKey, transport: deps.liveTransport ?? memoryTransport(), publicBaseUrl: config.publicBaseUrl, limiter });
  registerLivePublisher(db, liveServer.hub);
  app.decorate('live', liveServer);
  const sse = createSseStreams(liveServer.hub, liveServer.connections);
  // Open live connections would hold the HTTP server's close: they end first.
  app.addHook('preClose', async () => {
    unregisterLivePublisher(db);
    sse.closeAll();
    await liveServer.close();
  });
  const handlerDeps: Deps = {
    db,
    config,
    limiter,
    loginThrottle,
    outboundPolicy,
    rtb,
    bidRows,
    telephony,
    webhookToken,
    routeCache: createRouteCache(),
    background,
    audioUrls,
    live: { tokenKey, sse },
    embedder: createEmbedder(config.aiEmbeddings),
  };
  await registerRoutes(app, spec, createHandlers(handlerDeps), handlerDeps);
  await startAi(app, handlerDeps);

  let stopProbe: (() => Promise<void>) | null = null;
  if (config.rtbHealthProbeIntervalSeconds > 0) {
    app.addHook('onReady', async () => {
      stopProbe = startHealthProbe(db, rtb, config.rtbHealthProbeIntervalSeconds, app.log);
    });
  }
  // The delivery worker (platform/deliveries/), once per queue: tracking pixels and event webhooks.
  let stopPixels: (() => Promise<void>) | null = null;
  if (config.pixelDeliveryIntervalMs > 0) {
    app.addHook('onReady', async () => {
      const options = { policy: outboundPolicy, intervalMs: config.pixelDeliveryIntervalMs, retryBaseMs: config.pixelRetryBaseMs };
      stopPixels = startDeliveryRunner(db, PIXEL_QUEUE, options, app.log);
    });
  }
  let stopWebhooks: (() => Promise<void>) | null = null;
  if (config.webhookDeliveryIntervalMs > 0) {
    app.addHook('onReady', async () => {
      const options = { policy: outboundPolicy, intervalMs: config.webhookDeliveryIntervalMs, retryBaseMs: config.webhookRetryBaseMs };
      stopWebhooks = startDeliveryRunner(db, WEBHOOK_QUEUE, options, app.log);
    });
  }
  let stopImports: (() => Promise<void>) | null = null;
  if (config.leadImportIntervalMs > 0) {
    app.addHook('onReady', async () => {
      stopImports = startLeadImportWorker(db, config.leadImportIntervalMs, app.log);
    });
  }
  let stopDialer: (() => Promise<void>) | null = null;
  if (config.dialerIntervalMs > 0) {
    app.addHook('onReady', async () => {
      stopDialer = startDialer({ db, telephony, urls: outboundUrls(config.publicBaseUrl), log: app.log }, config.dialerIntervalMs);
    });
  }
  let stopBidSweep: (() => Promise<void>) | null = null;
  if (config.rtbBidRowSweepIntervalMs > 0) {
    app.addHook('onReady', async () => {
      stopBidSweep = startPendingBidSweep(db, config.rtbBidRowSweepIntervalMs, app.log);
    });
  }
  let stopRollups: (() => Promise<void>) | null = null;
  if (config.reportRollupIntervalMs > 0) {
    app.addHook('onReady', async () => {
      stopRollups = startRollupCompactor(db, config.reportRollupIntervalMs, app.log);
    });
  }
  // Completion events of calls whose <Dial> outcome never came (inbound/calls/completion-sweep.ts).
  let stopCompletions: (() => Promise<void>) | null = null;
  app.addHook('onReady', async () => {
    stopCompletions = startCompletionSweep(db, app.log);
  });
  app.addHook('onClose', async () => {
    await background.close();
    await stopCompletions?.();
    await stopDialer?.();
    await stopImports?.();
    await stopRollups?.();
    await stopBidSweep?.();
    await bidRows.settled();
    await stopPixels?.();
    await stopWebhooks?.();
    await stopProbe?.();
    await rtb.close();
  });
  return app;
}
