// JSON bodies nested deeper than MAX_JSON_DEPTH are refused before they are parsed: everything
// after the parser (schema validation, serialisers, handlers) walks bodies recursively, and a
// body 20,000 levels deep overflowed the stack (a 500). The check is one pass, no recursion.
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../errors.js';

export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** True when `text` opens more than `max` arrays/objects at once (brackets inside strings ignored). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Replace Fastify's JSON parser with the same parser (secure-json-parse, prototype poisoning
 * refused) behind the depth check: a deeper body is a 400 naming the problem.
 */
export function installJsonDepthLimit(app: FastifyInstance, max = MAX_JSON_DEPTH): void {
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, max)) {
      done(ERRORS.validation({ body: `is nested more than ${max} levels deep` }), undefined);
      return;
    }
    parseJson(req, text, done);
  });
}
