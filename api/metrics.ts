// Prometheus metrics: HTTP requests by route and status, GraphQL operations and errors, and where the index is.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { SyncState } from "./context";

const ROUTES = new Set(["/graphql", "/health", "/ready", "/metrics", "/csv/balance-sheet", "/csv/disclosure"]);

export class Metrics {
  private readonly registry = new Registry();
  private readonly http = new Histogram({
    name: "dal_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly operations = new Counter({
    name: "dal_graphql_operations_total",
    help: "GraphQL operations by root field and outcome",
    labelNames: ["field", "outcome"],
    registers: [this.registry],
  });
  readonly contentType = this.registry.contentType;

  constructor(sync: () => SyncState) {
    const registry = this.registry;
    new Gauge({
      name: "dal_index_latest_block",
      help: "Last block whose events are indexed",
      registers: [registry],
      aggregator: "max", // API workers read the same index: one value, not a sum

      collect() {
        this.set(sync().latestBlock ?? -1);
      },
    });
    new Gauge({
      name: "dal_index_lag_blocks",
      help: "Blocks the index is behind the chain head",
      registers: [registry],
      aggregator: "max",

      collect() {
        this.set(sync().lag ?? -1);
      },
    });
  }

  /** Reports the response cache's hits and misses, and the bytes it keeps (api/responseCache.ts). */
  cacheOf(cache: { hits: number; misses: number; size: number }): void {
    new Gauge({
      name: "dal_api_cache_bytes",
      help: "Bytes of /graphql answers kept by the response cache (all API workers together)",
      registers: [this.registry],
      collect() {
        this.set(cache.size);
      },
    });
    new Counter({
      name: "dal_api_cache_requests_total",
      help: "/graphql requests answered from the response cache (hit) or computed (miss)",
      labelNames: ["outcome"],
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ outcome: "hit" }, cache.hits);
        this.inc({ outcome: "miss" }, cache.misses);
      },
    });
  }

  /** Reports how GraphQL requests were executed: compiled, interpreted, or compiled then retried (api/jit.ts). */
  executionsOf(stats: { compiled: number; interpreted: number; retried: number }): void {
    new Counter({
      name: "dal_graphql_executions_total",
      help: "GraphQL executions by engine: a compiled query (compiled), yoga's executor (interpreted), or yoga's executor after a compiled answer with errors (retried)",
      labelNames: ["engine"],
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ engine: "compiled" }, stats.compiled);
        this.inc({ engine: "interpreted" }, stats.interpreted);
        this.inc({ engine: "retried" }, stats.retried);
      },
    });
  }

  observeHttp(path: string, status: number, startedNs: bigint): void {
    const route = ROUTES.has(path) ? path : "other"; // bounded label values
    this.http.observe({ route, status: String(status) }, Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** This process's metrics as JSON, for the primary to aggregate across API workers (api/workers.ts). */
  json() {
    return this.registry.getMetricsAsJSON();
  }

  yogaPlugin(): Plugin {
    const operations = this.operations;
    return {
      onExecute({ args }) {
        // Label values are bounded: a root field of the schema's Query type, "introspection", or "unknown" (any other
        // name a client sends, such as `mutation { anyName }`, which the schema has no type to run).
        const op = args.document.definitions.find(
          (d: DefinitionNode) => d.kind === "OperationDefinition" && (!args.operationName || d.name?.value === args.operationName),
        );
        const first = op && op.kind === "OperationDefinition" ? op.selectionSet.selections[0] : undefined;
        const name = first?.kind === "Field" ? first.name.value : "";
        const root = op && op.kind === "OperationDefinition" && op.operation === "query" ? args.schema.getQueryType() : null;
        const field = name.startsWith("__") ? "introspection" : root?.getFields()[name] ? name : "unknown";
        return {
          onExecuteDone({ result }) {
            const failed = "errors" in result && Array.isArray(result.errors) && result.errors.length > 0;
            operations.inc({ field, outcome: failed ? "error" : "ok" });
          },
        };
      },
    };
  }
}
