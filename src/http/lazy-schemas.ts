// Fastify compiles every route's JSON schemas (an ajv validator per request part, a fast-json-stringify
// serializer per response) while the app starts. The REST API declares dozens of schemas, and building them
// was the largest share of `wharf serve`'s start-to-ready time; most are never used by a given process. So
// each is compiled on its route's first request instead, by the same compilers Fastify would use, with the
// same options: behaviour is unchanged, only the moment differs (see docs/decisions/startup-time.md).
// One difference: with a compiler factory of our own, Fastify passes header schemas through unchanged
// instead of lower-casing their property names, so a `headers` schema must name headers in lower case.
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

/** Compiles of routes not requested yet; compileAll() runs them (tests check every schema builds). */
const pending = new Set<() => void>();

/** Pools shared by every app of the process, as Fastify's defaults are per app (same key, same instance). */
const buildAjv = AjvCompiler();
const buildStringify = SerializerSelector();

/** A validator that compiles on first call and reports `errors` as ajv's own function does. */
function lazyValidator(compile: () => (data: unknown) => unknown): (data: unknown) => unknown {
  let validate: ((data: unknown) => unknown) & { errors?: unknown } | undefined;
  const build = () => { validate ??= compile(); pending.delete(build); };
  pending.add(build);
  const lazy = (data: unknown) => {
    if (!validate) build();
    const result = validate!(data);
    lazy.errors = validate!.errors; // Fastify reads `.errors` after a false result
    return result;
  };
  lazy.errors = undefined as unknown;
  return lazy;
}

function lazySerializer(compile: () => (doc: unknown) => string): (doc: unknown) => string {
  let serialize: ((doc: unknown) => string) | undefined;
  const build = () => { serialize ??= compile(); pending.delete(build); };
  pending.add(build);
  return (doc) => {
    if (!serialize) build();
    return serialize!(doc);
  };
}

// Typed loosely: ajv-compiler's types describe ajv's compile(schema), Fastify calls it with a route definition.
const buildValidator = ((externalSchemas: Parameters<BuildValidator>[0], options: Parameters<BuildValidator>[1]) => {
  let compiler: ((route: unknown) => (data: unknown) => unknown) | undefined; // ajv itself is made on the first compile too
  return (route: unknown) => lazyValidator(() => (compiler ??= buildAjv(externalSchemas, options) as unknown as typeof compiler & object)(route));
}) as unknown as BuildValidator;

const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  let compiler: ReturnType<BuildSerializer> | undefined;
  return (route) => lazySerializer(() => (compiler ??= buildStringify(externalSchemas, options))(route));
};

/** For Fastify's `schemaController` option. */
export const lazyCompilers: CompilersFactory = { buildValidator, buildSerializer };

/** Compiles every schema not compiled yet; throws the first compile error. For tests. */
export function compileAll(): void {
  for (const build of [...pending]) build();
}
