// Fastify compiles every route's JSON schemas (an ajv validator per request part, a fast-json-stringify
// serializer per response) while the app starts. The REST API declares dozens of schemas, and building them
// took a large share of `wharf serve`'s start-to-ready time; most are never used by a given process. So each
// is compiled on its route's first request instead, by the same compilers Fastify would use, with the same
// options: behaviour is unchanged, only the moment differs (see docs/decisions/startup-time.md). The
// compilers themselves (ajv, fast-json-stringify) are loaded then too.
// One difference: with a compiler factory of our own, Fastify passes header schemas through unchanged
// instead of lower-casing their property names, so a `headers` schema must name headers in lower case.
import { createRequire } from 'node:module';
import type AjvCompilerModule from '@fastify/ajv-compiler';
import type SerializerSelectorModule from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

/**
 * Compiles of routes not requested yet; compileAll() runs them (tests check every schema builds). Held weakly:
 * an app that is closed and dropped must not stay reachable through here.
 */
const pending = new Set<WeakRef<() => void>>();
const forget = new FinalizationRegistry<WeakRef<() => void>>((ref) => pending.delete(ref));

/** Tracks `build` in `pending` until it has run or is garbage; returns the function that untracks it. */
function track(build: () => void): () => void {
  const ref = new WeakRef(build);
  pending.add(ref);
  forget.register(build, ref, ref);
  return () => {
    pending.delete(ref);
    forget.unregister(ref);
  };
}

/**
 * The compiler pools, shared by every app of the process, made on first use. `require` rather than `import` so
 * that the packages are evaluated only then: esbuild bundles a literal require() call as a lazy one. Plain
 * Node ESM (no bundle) has no `require`, hence createRequire.
 */
let pools: { ajv: ReturnType<typeof AjvCompilerModule>; stringify: ReturnType<typeof SerializerSelectorModule> } | undefined;
function compilerPools(): NonNullable<typeof pools> {
  if (!pools) {
    const load = typeof require === 'function' ? undefined : createRequire(import.meta.url);
    // Literal require() calls: what esbuild bundles (a call through a variable it would leave to Node).
    const ajv = (load ? load('@fastify/ajv-compiler') : require('@fastify/ajv-compiler')) as typeof AjvCompilerModule;
    const stringify = (load ? load('@fastify/fast-json-stringify-compiler') : require('@fastify/fast-json-stringify-compiler')) as typeof SerializerSelectorModule;
    pools = { ajv: ajv(), stringify: stringify() };
  }
  return pools;
}

/** A validator that compiles on first call and reports `errors` as ajv's own function does. */
function lazyValidator(compile: () => (data: unknown) => unknown): (data: unknown) => unknown {
  let validate: ((data: unknown) => unknown) & { errors?: unknown } | undefined;
  const build = () => { validate ??= compile(); untrack(); };
  const untrack = track(build);
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
  const build = () => { serialize ??= compile(); untrack(); };
  const untrack = track(build);
  return (doc) => {
    if (!serialize) build();
    return serialize!(doc);
  };
}

// Typed loosely: ajv-compiler's types describe ajv's compile(schema), Fastify calls it with a route definition.
const buildValidator = ((externalSchemas: Parameters<BuildValidator>[0], options: Parameters<BuildValidator>[1]) => {
  let compiler: ((route: unknown) => (data: unknown) => unknown) | undefined; // ajv itself is made on the first compile too
  return (route: unknown) => lazyValidator(() => (compiler ??= compilerPools().ajv(externalSchemas, options) as unknown as typeof compiler & object)(route));
}) as unknown as BuildValidator;

const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  let compiler: ReturnType<BuildSerializer> | undefined;
  return (route) => lazySerializer(() => (compiler ??= compilerPools().stringify(externalSchemas, options))(route));
};

/** For Fastify's `schemaController` option. */
export const lazyCompilers: CompilersFactory = { buildValidator, buildSerializer };

/** Compiles every schema not compiled yet; throws the first compile error. For tests. */
export function compileAll(): void {
  for (const ref of [...pending]) ref.deref()?.();
}

/** How many schemas are still waiting for their first use (for tests). */
export function pendingCount(): number {
  return pending.size;
}
