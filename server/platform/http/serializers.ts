// Response serializers (fast-json-stringify, as Fastify uses by default), compiled at start-up or,
// with `lazy`, on the first answer of each route and status: ~200 operations' response schemas
// are compiled only when they are used.
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { SchemaCompilation } from './validation.js';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serialize = (data: unknown) => string;

export function serializerFactory(compilation: SchemaCompilation): SerializerFactory {
  const defaultFactory = SerializerSelector();
  if (compilation === 'eager') return defaultFactory;
  return (externalSchemas, serializerOpts) => {
    const compile = defaultFactory(externalSchemas, serializerOpts);
    return (route) => {
      let compiled: Serialize | null = null;
      return (data: unknown) => {
        compiled ??= compile(route) as Serialize;
        return compiled(data);
      };
    };
  };
}
