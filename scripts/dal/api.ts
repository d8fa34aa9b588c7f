// The GraphQL API (API_URL) for reading: reports, provenance and content verification come from the index, which
// has every event already joined up. Input the API rejects is a usage error; an API that cannot be reached is exit 3.
import { DalError, EXIT, isUnreachable, usage } from "./exit";

const TIMEOUT_MS = 30_000;

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class Api {
  constructor(readonly url: string) {}

  private async fetch(path: string, init: RequestInit = {}, timeoutMs = TIMEOUT_MS): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      if (isUnreachable(err)) {
        throw new DalError(EXIT.UNREACHABLE, `cannot reach the API at ${this.url}; start it (npm start, or npm run api) or set API_URL`);
      }
      if (err instanceof TypeError) throw usage(`API_URL "${this.url}" is not a URL`);
      throw err;
    }
  }

  /** Whether the API answers its health check, quickly: callers that can fall back to the chain ask this first. */
  async reachable(): Promise<boolean> {
    try {
      return (await this.fetch("/health", {}, 3_000)).ok;
    } catch {
      return false;
    }
  }

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await res.json().catch(() => ({}))) as GraphqlAnswer<T>;
    const error = answer.errors?.[0];
    if (error) {
      if (error.extensions?.code === "BAD_USER_INPUT") throw usage(`the API refused: ${error.message}`);
      throw new DalError(EXIT.INTERNAL, `the API failed: ${error.message}`);
    }
    if (!res.ok || !answer.data) throw new DalError(EXIT.INTERNAL, `the API answered HTTP ${res.status} without data`);
    return answer.data;
  }

  /** A CSV export route, returned exactly as served (BOM and CRLF included). */
  async csv(path: string, params: Record<string, string>): Promise<string> {
    const res = await this.fetch(`${path}?${new URLSearchParams(params)}`);
    // Decoded by Buffer, not res.text(): the WHATWG decoder drops the BOM that spreadsheet programs need.
    const body = Buffer.from(await res.arrayBuffer()).toString("utf8");
    if (res.status === 400) throw usage(`the API refused: ${(JSON.parse(body) as { error: string }).error}`);
    if (!res.ok) throw new DalError(EXIT.INTERNAL, `the API answered HTTP ${res.status}: ${body.slice(0, 200)}`);
    return body;
  }

  /** A download route's bytes (an XLSX), as served. */
  async bytes(path: string, params: Record<string, string>): Promise<Buffer> {
    const res = await this.fetch(`${path}?${new URLSearchParams(params)}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status === 400) throw usage(`the API refused: ${(JSON.parse(body.toString("utf8")) as { error: string }).error}`);
    if (!res.ok) throw new DalError(EXIT.INTERNAL, `the API answered HTTP ${res.status}: ${body.toString("utf8").slice(0, 200)}`);
    return body;
  }
}
