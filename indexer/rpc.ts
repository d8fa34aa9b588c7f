// A minimal Ethereum JSON-RPC client over Node's fetch. Logs are fetched with plain JSON.parse: ethers'
// provider re-copies large response bodies chunk by chunk (quadratic; see DESIGN.md), so it is kept for
// transactions and calls only.
import { isAscii } from "node:buffer";

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
  blockTimestamp?: string;
}

export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

/** The fields of eth_getTransactionByHash the indexer reads. */
export interface RpcTransaction {
  hash: string;
  from: string;
  blockHash: string | null;
  blockNumber: string | null;
}

/** An error the node answered with (JSON-RPC `error` member). */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${message} (code ${code})`);
  }
}

/** The node could not be reached or did not answer in time (after retries). */
export class RpcUnreachable extends Error {}

export interface RpcOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts after the first for transport failures (connection refused, timeout, HTTP 429/5xx). */
  retries?: number;
  /** First backoff delay; doubles each retry up to 10 s. */
  backoffMs?: number;
  /** Replaces global fetch (tests inject faults with it). */
  fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Answers up to this size are assembled in one buffer a JsonRpc keeps. A fresh buffer for each (as Buffer.concat and
 * res.arrayBuffer() make) cost more in page faults than the copy itself: a tenth of the reader thread's CPU.
 */
const SCRATCH_MAX = 16 * 1024 * 1024;

export class JsonRpc {
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly fetchFn: typeof fetch;
  private scratch = Buffer.alloc(0);

  constructor(
    readonly url: string,
    opts: RpcOptions = {},
  ) {
    if (!/^https?:\/\//.test(url)) throw new Error(`RPC URL must start with http:// or https://, got "${url}"`);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 6;
    this.backoffMs = opts.backoffMs ?? 200;
    this.fetchFn = opts.fetch ?? fetch;
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const body = await this.post(method, { jsonrpc: "2.0", id: this.nextId++, method, params });
    return unwrap<T>(method, body);
  }

  /** Several calls in one JSON-RPC batch; answers come back in the order asked, errors thrown. */
  async batch<T>(method: string, paramsList: unknown[][]): Promise<T[]> {
    if (paramsList.length === 0) return [];
    const first = this.nextId;
    this.nextId += paramsList.length;
    const requests = paramsList.map((params, i) => ({ jsonrpc: "2.0", id: first + i, method, params }));
    const body = await this.post(method, requests);
    if (!Array.isArray(body)) return [unwrap<T>(method, body)]; // a node that refuses batches answers one error
    const byId = new Map<number, unknown>(body.map((r: { id: number }) => [r.id, r]));
    return requests.map((r) => {
      const answer = byId.get(r.id);
      if (answer === undefined) throw new RpcError(method, -32603, `batch answer missing for id ${r.id}`);
      return unwrap<T>(method, answer);
    });
  }

  chainId = async () => Number(await this.call<string>("eth_chainId"));
  blockNumber = async () => Number(await this.call<string>("eth_blockNumber"));
  getCode = (address: string) => this.call<string>("eth_getCode", [address, "latest"]);
  getBlock = (n: number) => this.call<RpcBlock | null>("eth_getBlockByNumber", [hex(n), false]);
  getBlocks = (ns: number[]) => this.batch<RpcBlock | null>("eth_getBlockByNumber", ns.map((n) => [hex(n), false]));
  /**
   * eth_getLogs, each log handed to `each` as soon as it is parsed: a range's raw logs never all exist as objects at
   * once (parsed whole, thousands of them survived, and were copied by, every young-generation collection until
   * they were decoded). A compact answer, as nodes send one, is cut between its logs; any other is parsed whole.
   * A cut piece that is not JSON after all means the answer was not cut where it looked cut: then `restart` is
   * called, and every log of the answer, parsed whole, is handed to `each` again from the first.
   */
  async getLogs(from: number, to: number, address: string[], each: (log: RpcLog) => void, restart: () => void): Promise<void> {
    const method = "eth_getLogs";
    const payload = { jsonrpc: "2.0", id: this.nextId++, method, params: [{ fromBlock: hex(from), toBlock: hex(to), address }] };
    let failed: { error: unknown } | undefined;
    // The logs are handed over while the answer's bytes are at hand (post() reuses them for the next answer). What
    // `each` throws is the caller's error, not a transport failure to retry.
    const handed = Symbol("handed");
    const answer = await this.post(method, payload, (bytes) => {
      const cuts = logCuts(bytes);
      if (!cuts) return parseAnswer(bytes);
      for (let i = 0; i < cuts.length; i += 2) {
        let log: RpcLog;
        try {
          log = JSON.parse(bytes.toString("latin1", cuts[i], cuts[i + 1]));
        } catch {
          restart();
          return parseWhole(method, bodyText(bytes));
        }
        try {
          each(log);
        } catch (error) {
          failed = { error };
          return handed;
        }
      }
      return handed;
    });
    if (failed) throw failed.error;
    if (answer !== handed) for (const log of unwrap<RpcLog[]>(method, answer)) each(log);
  }

  getTransactions = (hashes: string[]) => this.batch<RpcTransaction | null>("eth_getTransactionByHash", hashes.map((h) => [h]));
  ethCall = (to: string, data: string) => this.call<string>("eth_call", [{ to, data }, "latest"]);

  /**
   * POSTs with retries on transport failures (an answer `parse` refuses is one); JSON-RPC errors are answers, not
   * retried here. `parse` gets the answer's bytes only while it runs: they are reused for the next answer.
   */
  private async post(method: string, payload: unknown, parse: (body: Buffer) => any = parseAnswer): Promise<any> {
    const text = JSON.stringify(payload);
    let delay = this.backoffMs;
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        const res = await this.fetchFn(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (res.ok) return await this.parsed(res, parse);
        const detail = (await res.text().catch(() => "")).slice(0, 200);
        // A provider that answers a too-large request with HTTP 413 or a JSON error body: surface it as an RPC error.
        if (res.status === 413) throw new RpcError(method, -32005, `HTTP 413 ${detail}`);
        if (res.status !== 429 && res.status < 500) throw new RpcError(method, -32600, `HTTP ${res.status} ${detail}`);
        failure = `HTTP ${res.status} ${detail}`;
      } catch (err) {
        if (err instanceof RpcError) throw err;
        failure = describe(err);
      }
      if (attempt >= this.retries) {
        throw new RpcUnreachable(`cannot reach the JSON-RPC endpoint ${this.url} (${method}): ${failure}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }

  /**
   * An answer parsed from its bytes, assembled in the kept buffer if they fit. Assembled and parsed in one step, with
   * no await between: another answer's bytes could be put in the buffer meanwhile.
   */
  private async parsed(res: Response, parse: (body: Buffer) => any): Promise<any> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const reader = res.body?.getReader();
    for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
      chunks.push(read.value);
      length += read.value.byteLength;
    }
    if (length > SCRATCH_MAX) return parse(Buffer.concat(chunks, length));
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(length, 2 * this.scratch.length)));
    let at = 0;
    for (const c of chunks) {
      this.scratch.set(c, at);
      at += c.byteLength;
    }
    return parse(this.scratch.subarray(0, length));
  }
}

const COMPACT_RESULT = /^\{"jsonrpc":"2\.0","id":\d+,"result":\[/;
const BETWEEN_LOGS = Buffer.from("},{");

/**
 * Where the logs are in an ASCII answer {"jsonrpc":"2.0","id":n,"result":[{...},{...}]} without spaces: [start, end)
 * of each, in order (a log holds no object, and its strings are hex, so "},{" is only ever between two). Null for any
 * other answer, which is parsed whole. The cuts are made in the bytes, so that the answer never becomes one string:
 * megabytes, made in the old generation at once, and most of the reader thread's full garbage collections.
 */
function logCuts(bytes: Buffer): number[] | null {
  const head = COMPACT_RESULT.exec(bytes.toString("latin1", 0, 64));
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] <= 32) end--;
  if (!head || !isAscii(bytes) || bytes[end - 2] !== 0x5d /* ] */ || bytes[end - 1] !== 0x7d /* } */) return null;
  end -= 2;
  const cuts: number[] = [];
  for (let at = head[0].length; at < end; ) {
    const cut = bytes.indexOf(BETWEEN_LOGS, at);
    const stop = cut === -1 || cut >= end ? end : cut + 1;
    cuts.push(at, stop);
    at = stop + 1;
  }
  return cuts;
}

/**
 * An answer's text. JSON-RPC answers are ASCII (hex, numbers, names) but for what a node may write in an error
 * message: ASCII is read byte for byte, about 20 times cheaper than the UTF-8 decoding res.text() does.
 */
function bodyText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** An answer parsed whole (a transport failure to retry if it is not JSON). */
const parseAnswer = (bytes: Buffer): unknown => JSON.parse(bodyText(bytes));

function parseWhole(method: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RpcError(method, -32603, "malformed answer");
  }
}

function unwrap<T>(method: string, body: any): T {
  if (body && typeof body === "object" && body.error) {
    throw new RpcError(method, Number(body.error.code ?? -32603), String(body.error.message ?? "error"), body.error.data);
  }
  if (!body || typeof body !== "object" || !("result" in body)) throw new RpcError(method, -32603, "malformed answer");
  return body.result as T;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return "timed out";
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}

export const hex = (n: number) => "0x" + n.toString(16);
