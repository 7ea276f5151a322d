// Fastify and session augmentations shared by the server.
import 'fastify';
import '@fastify/secure-session';
import type { RateLimitBucket } from './platform/config.js';
import type { Principal } from './accounts/auth/principal.js';
import type { LiveServer } from './live/socket-server.js';
import type { BidRowWriter } from './rtb/auctions/pending-bids.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RateLimitBucket;
    operationId?: string;
    /** The operation authenticates its caller (and counts rate limits per caller). */
    authenticated?: boolean;
    /** A Twilio webhook (signature-checked; rate-limited only when the signature fails). */
    twilioSigned?: boolean;
  }
  interface FastifyInstance {
    /** The live events of this instance (Socket.IO server, hub): server/live/. */
    live: LiveServer;
    /** Writes the bid rows of RTB answers after the answer (server/rtb/auctions/pending-bids.ts). */
    bidRows: BidRowWriter;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** A webhook authenticated by an organisation's shared secret (x-secret-auth): that organisation. */
    secretOrg: { id: string; defaultCountry: string } | null;
    /** `window`: the length of the counting window in seconds (X-RateLimit-Window). */
    rateLimitHeaders: { limit: number; remaining: number; reset: number; window?: number; retryAfter?: number } | null;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    uid: number;
    org: string;
    /** users.session_version when the session began. */
    sv: number;
    /** When the user gave their password for this session (epoch ms). */
    at: number;
  }
}
