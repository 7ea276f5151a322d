// Paths the router cannot read — malformed percent-encoding, a segment longer than
// maxParamLength — are refused by Fastify before any hook runs (its `frameworkErrors`). Such a
// request is sent on through the not-found route under a stand-in path, so that it gets what any
// unknown path gets: the security, version, request-id and rate-limit headers, counted in the
// caller's rate-limit bucket (a client scanning random paths is limited whatever it sends), and a
// 404 in the API's error format that names nothing of the path.
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler } from '../errors.js';

const UNREADABLE = Symbol('unreadable path');
/** Matches no route (it is not an operation's path, and no route is a catch-all at the root). */
const STAND_IN_PATH = '/.unreadable-path';

type Marked = IncomingMessage & { [UNREADABLE]?: true };

/** Fastify's `frameworkErrors`, for the app it is given to (the app routes the request again). */
export function frameworkErrorHandler(app: () => FastifyInstance) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    if (err.code !== 'FST_ERR_BAD_URL' && err.code !== 'FST_ERR_MAX_PARAM_LENGTH') return errorHandler(err, req, reply);
    req.log.info({ code: 'RESOURCE_NOT_FOUND', status: 404 }, 'unreadable path: answered by the not-found route');
    const raw = req.raw as Marked;
    raw[UNREADABLE] = true;
    raw.url = STAND_IN_PATH;
    app().routing(raw, reply.raw);
  };
}

/** The request came through frameworkErrorHandler: its path named nothing readable. */
export function isUnreadablePath(req: FastifyRequest): boolean {
  return (req.raw as Marked)[UNREADABLE] === true;
}
