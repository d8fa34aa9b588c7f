// Compiled execution: a query document asked for again is run by a function graphql-jit compiled for it, instead of
// graphql-js walking the document for every field of every object. A year of an entity's journal is ~250,000 fields
// (24,000 voucher lines); graphql-js spends most of a second on them, the compiled query a tenth of that.
//
// What the client sees does not change:
// - Parsing, validation and the query limits (graphql-armor, api/errors.ts) run before execution, as before.
// - An answer with errors (a user's bad input, an internal error, a variable of the wrong type) is thrown away and the
//   request is executed again by yoga's own executor, so every error reaches the client (and yoga's error masking)
//   exactly as without compilation: messages, locations, paths. Resolvers only read, so running them twice changes
//   nothing but the time taken, and only for answers with errors.
// - A document is compiled the second time it is asked for (a one-off query is not worth compiling; API_JIT_AFTER
//   changes that), once per schema and operation, and kept as long as yoga's document cache keeps its parsed
//   document. Introspection (GraphiQL's schema query) is not compiled.
//
// One rule for resolvers: a field without a resolver of its own is read as a property of its parent object, and
// graphql-jit neither calls a function nor awaits a promise found there (graphql-js does both). Objects that resolvers
// return hold values, or getters for values made on demand (e.g. Journal.table), or the field gets a resolver.
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import { answerBytes } from "./answerBytes";

interface Compilation {
  schema: GraphQLSchema;
  operationName: string | undefined;
  /** Times asked for before it was compiled. */
  seen: number;
  /** The compiled query; null when it cannot be compiled (yoga's executor runs it). */
  query?: CompiledQuery | null;
}

/**
 * Requests of a document before it is compiled: API_JIT_AFTER, default 1 (a query is compiled when asked a second
 * time; 0: at once, e.g. to run a test suite through compiled queries only; "off": never).
 */
export function compileAfterFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.API_JIT_AFTER;
  if (text === undefined || text === "") return 1;
  if (text === "off") return Infinity;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`API_JIT_AFTER=${text}: expected a whole number of requests, 0 or more, or "off"`);
  return n;
}

export interface JitStats {
  /** Answers given by a compiled query. */
  compiled: number;
  /** Requests run by yoga's executor alone: not compiled yet, or not compilable. */
  interpreted: number;
  /** Compiled answers with errors, executed again by yoga's executor (which gives the answer). */
  retried: number;
}

/**
 * The plugin (for createYoga's plugins). `stats` counts what ran (tests); `compileAfter`: requests of a document
 * before it is compiled (0: compile at once).
 */
export function jitPlugin(opts: { stats?: JitStats; compileAfter?: number } = {}): Plugin {
  const compileAfter = opts.compileAfter ?? compileAfterFromEnv();
  const stats = opts.stats ?? { compiled: 0, interpreted: 0, retried: 0 };
  // Per parsed document (yoga's parser cache gives the same object for the same query text), per operation.
  const compilations = new WeakMap<DocumentNode, Compilation[]>();

  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    const operationName = args.operationName ?? undefined;
    let list = compilations.get(args.document);
    if (!list) compilations.set(args.document, (list = []));
    let c = list.find((x) => x.schema === args.schema && x.operationName === operationName);
    if (!c) list.push((c = { schema: args.schema, operationName, seen: 0 }));
    if (c.query !== undefined) return c.query;
    if (c.seen++ < compileAfter) return null;
    c.query = null; // something graphql-jit does not compile: yoga's executor runs it
    if (introspects(args.document)) return null; // GraphiQL's schema query: large to compile, asked once per page
    try {
      const compiled = compileQuery(args.schema, args.document, operationName);
      if (isCompiledQuery(compiled)) c.query = compiled as CompiledQuery;
    } catch {
      // as above
    }
    return c.query;
  };

  return {
    onExecute({ executeFn, setExecuteFn }) {
      const interpreted = executeFn;
      setExecuteFn((args: ExecutionArgs) => {
        const query = compiledFor(args);
        if (!query) {
          stats.interpreted++;
          return interpreted(args);
        }
        const retry = (result: ExecutionResult | null) => {
          if (result && !result.errors?.length) {
            stats.compiled++;
            // yoga writes a result with `stringify` by calling it (result-processor/stringify.js): the answer's bytes,
            // written in pieces into a kept buffer (api/answerBytes.ts). A Buffer as the body is as good as a string
            // to yoga's processors (server.ts gives the buffer back once the answer is sent). Enumerable, so that a
            // plugin's copy of the result ({ ...result, extensions }, api/notices.ts) keeps it; JSON skips functions.
            (result as { stringify?: unknown }).stringify = answerBytes;
            return result;
          }
          stats.retried++;
          return interpreted(args);
        };
        let result: ReturnType<CompiledQuery["query"]>;
        try {
          result = query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
        } catch {
          return retry(null); // (graphql-jit catches resolvers' errors: not expected) yoga's executor answers
        }
        return isPromise(result) ? result.then(retry, () => retry(null)) : retry(result);
      });
    },
  };
}

/** Whether the document asks for the schema (__schema or __type at the root of an operation). */
function introspects(document: DocumentNode): boolean {
  return document.definitions.some(
    (d) => d.kind === "OperationDefinition" && d.selectionSet.selections.some((s) => s.kind === "Field" && (s.name.value === "__schema" || s.name.value === "__type")),
  );
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === "function";
}
