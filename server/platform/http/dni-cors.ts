// CORS for the public DNI endpoints (POST /api/dni/track, /api/dni/ultra-fast): the snippet runs on
// the customer's landing pages (another origin) and posts JSON, which makes the browser send a
// preflight. Any origin may call them without credentials; nothing else gets CORS headers.
import type { FastifyInstance } from 'fastify';

const DNI_PUBLIC = /^\/api\/dni\/(?:track|ultra-fast)(?:\?|$)/;

export function installDniCors(app: FastifyInstance): void {
  // Headers only: the preflight itself is an operation of the contract (dniTrackPreflight,
  // dniUltraFastPreflight) answering 204.
  app.addHook('onRequest', (req, reply, done) => {
    if (!DNI_PUBLIC.test(req.url)) return done();
    void reply.header('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      void reply.header('Access-Control-Allow-Methods', 'POST');
      void reply.header('Access-Control-Allow-Headers', 'Content-Type');
      void reply.header('Access-Control-Max-Age', '86400');
    }
    done();
  });
}
