// What a client is told when its request is refused before any resolver runs: a query over one of the limits is
// named with its allowed value (and the value found) under the code LIMIT_EXCEEDED; a literal page size over the page
// limit gets the resolvers' own message, whatever it does to the cost; a body that is not JSON gets a short answer,
// never its own text echoed back.
import type { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, Kind, visit, type DocumentNode, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import { pageSize } from "./inputs";

/** The query limits (graphql-armor), as documented in schema.graphql. */
export const LIMITS = { depth: 12, cost: 20_000, aliases: 20, directives: 20, tokens: 3_000 } as const;
export type Limit = keyof typeof LIMITS;

const MESSAGES: Record<Limit, (found: number | null, allowed: number) => string> = {
  depth: (found, allowed) => `query depth ${found} is over the limit of ${allowed} levels of nested fields`,
  cost: (found, allowed) =>
    `query cost ${found} is over the limit of ${allowed} (a field with fields under it costs more the deeper it is, ` +
    "and a list's fields count once per item its `first` asks for: ask for fewer fields or smaller pages)",
  aliases: (found, allowed) => `${found} aliases are over the limit of ${allowed} per query`,
  directives: (found, allowed) => `${found} directives are over the limit of ${allowed} per query`,
  tokens: (_found, allowed) => `the query is over the limit of ${allowed} tokens (names, punctuation and values)`,
};

export function limitError(limit: Limit, found: number | null): GraphQLError {
  const allowed = LIMITS[limit];
  return new GraphQLError(MESSAGES[limit](found, allowed), {
    extensions: { code: "LIMIT_EXCEEDED", limit, allowed, ...(found === null ? {} : { found }) },
  });
}

/** The value graphql-armor found ("... exceeded, found 18."); costs can be fractional: rounded up. */
function foundIn(err: GraphQLError): number | null {
  const m = /found (\d+(?:\.\d+)?)/.exec(err.message);
  return m ? Math.ceil(Number(m[1])) : null;
}

/** The first literal `first` outside 1..MAX_PAGE in the document, as the resolvers would refuse it. */
function pageSizeError(document: DocumentNode): GraphQLError | null {
  let error: GraphQLError | null = null;
  visit(document, {
    Argument(node) {
      if (error || node.name.value !== "first" || node.value.kind !== Kind.INT) return;
      try {
        pageSize(Number(node.value.value));
      } catch (err) {
        error = err as GraphQLError;
      }
    },
  });
  return error;
}

/** Replaces graphql-armor's "Syntax Error: ... limit of N exceeded" by the error for that limit. */
const refuse = (limit: Limit) => (context: ValidationContext | null, err: GraphQLError) => {
  // The cost multiplies by each list's `first`: first: 100000 is over the page limit, which is the error to report.
  const page = limit === "cost" && context ? pageSizeError(context.getDocument()) : null;
  throw page ?? limitError(limit, foundIn(err));
};

/** graphql-armor's configuration: the limits, each refused with its own error. */
export const ARMOR: NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]> = {
  maxDepth: { n: LIMITS.depth, onReject: [refuse("depth")] },
  costLimit: { maxCost: LIMITS.cost, onReject: [refuse("cost")] },
  maxAliases: { n: LIMITS.aliases, onReject: [refuse("aliases")] },
  maxDirectives: { n: LIMITS.directives, onReject: [refuse("directives")] },
  maxTokens: { n: LIMITS.tokens, onReject: [refuse("tokens")] },
};

/**
 * Answers a body that is not JSON briefly: yoga's own error carries the JSON parser's message, which quotes the
 * body (10 MB in, 10 MB out). Wraps whichever request parser yoga chose.
 */
export function briefRequestErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (err) {
          if (!(err instanceof GraphQLError && err.extensions?.code === "BAD_REQUEST" && "originalError" in err.extensions)) throw err;
          const parser = String((err.extensions.originalError as { message?: unknown } | undefined)?.message ?? "");
          const at = /at position (\d+)/.exec(parser);
          throw new GraphQLError(`the request body is not valid JSON${at ? ` (error at character ${at[1]})` : ""}`, {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } }, // 400 whatever the Accept header, as yoga's own
          });
        }
      });
    },
  };
}
