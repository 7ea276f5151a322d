// multipart/form-data for the operations whose contract takes it (CSV uploads): @fastify/multipart
// parses nothing up front — handlers stream the parts (imports/form.ts) — so the form's schema in
// openapi.yaml documents the fields but is not what validates them: it is taken out of the route's
// body schema here (Fastify would otherwise validate an absent body against it), and the handlers
// check every field themselves, answering 400 naming it.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ERRORS } from '../errors.js';

const MULTIPART = 'multipart/form-data';

type BodySchema = { content?: Record<string, unknown> } | undefined;

/** Register before the routes. */
export async function installMultipart(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: true });
  app.addHook('onRoute', (route: RouteOptions) => {
    const body = route.schema?.body as BodySchema;
    if (!body?.content || !(MULTIPART in body.content)) {
      // Elsewhere a form is refused before anything else runs (as a type without a parser was).
      const types = Object.keys(body?.content ?? {});
      const refuse = (req: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
        if (!isMultipartForm(req.headers['content-type'])) return done(null, payload);
        done(types.length > 0 ? ERRORS.validation({ 'content-type': `must be ${types.join(' or ')}` }) : ERRORS.validation({ body: 'is not accepted by this operation' }));
      };
      const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
      route.preParsing = [...existing, refuse as never];
      return;
    }
    const { [MULTIPART]: _form, ...others } = body.content;
    const schema = { ...route.schema };
    if (Object.keys(others).length > 0) schema.body = { ...body, content: others };
    else delete schema.body;
    route.schema = schema;
  });
}

/** Whether a request is a multipart form (for the body guard: its body is read by the handler, not parsed up front). */
export function isMultipartForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === MULTIPART;
}
