// The exchange's relay service (`npm run relay`): holders without funded wallets POST signed ERC-2771 requests
// (scripts/relay/request.ts's dal-relay-request-v1 format); each one is checked before any gas is spent (shape, chain,
// forwarder, target, deadline, signature, rate, duplicate, nonce, and a simulated call that succeeds), queued, and what
// arrives within a short window is sent as ONE executeBatch(requests, relayer) through the deployment's forwarder.
// Each request's outcome comes from the receipt's ExecutedForwardRequest(signer, nonce, success) events; a request
// with no event was skipped by the forwarder as invalid. One batch is in flight at a time.
//
//   POST /requests        one signed request or an array of them; per request: accepted (its id, the EIP-712 digest)
//                         or refused with a reason (400 malformed, 409 nonce/duplicate, 422 invalid or would revert,
//                         429 rate limited with Retry-After, 503 queue full or shutting down)
//   GET  /requests/:id    queued | sent (tx) | executed (tx, block, success) | skipped | dropped | failed, with reason
//   GET  /health          chain reachable, chain id, relayer and balance, queue, last batch
//   GET  /metrics         Prometheus text
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Contract, getAddress, type JsonRpcProvider, type Wallet } from "ethers";
import { Counter, Gauge, Registry } from "prom-client";
import type { Deployment } from "../deploy";
import { decodeRevert } from "../dal/revert";
import { forwarderError, simulateRequest } from "./simulate";
import { FORWARDER_ABI, dataOf, digestOf, parseSignedRequest, requestOf, signerOf, type ForwardRequestData, type SignedRequestFile } from "./request";

export interface RelayOptions {
  provider: JsonRpcProvider;
  /** The relayer's key, connected to `provider`: it signs and pays for the batches. */
  wallet: Wallet;
  /** The deployment record (scripts/deploy.ts): its chain id, its RelayForwarder and the five contracts it may call. */
  record: Deployment;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long the first request of a batch waits for others (RELAY_WINDOW_MS). */
  windowMs?: number;
  /** At most this many requests per executeBatch; a full queue is sent at once (RELAY_MAX_BATCH). */
  maxBatch?: number;
  /** Requests per signer per minute (RELAY_RATE_PER_MINUTE). */
  ratePerMinute?: number;
  /** At most this many requests queued at once (RELAY_MAX_QUEUE); more are refused with 503. */
  maxQueue?: number;
  /** The most gas one request may ask for (RELAY_MAX_REQUEST_GAS). */
  maxRequestGas?: bigint;
  /** Outcomes kept in memory for GET /requests/:id (the oldest finished ones are forgotten first). */
  keep?: number;
  /** How long to wait for a batch's receipt before calling it failed. */
  receiptTimeoutMs?: number;
  log?: (line: string) => void;
  /** Called last by stop(), e.g. to destroy a provider made for this service. */
  onClose?: () => void;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 4100,
  windowMs: 1000,
  maxBatch: 50,
  ratePerMinute: 60,
  maxQueue: 1000,
  maxRequestGas: 5_000_000n,
  keep: 10_000,
  receiptTimeoutMs: 120_000,
};

/** The contracts a relayed request may call: the deployment's five, never the forwarder itself or anything else. */
export const TARGETS = ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger", "PledgeRegistry"] as const;

const MAX_BODY_BYTES = 1 << 20;
/** A request queued must still be valid when its batch lands: refused at arrival unless its deadline is at least the
 * window plus this far ahead of the chain's clock, dropped at sending unless it is SEND_MARGIN_S ahead. */
const ARRIVAL_MARGIN_S = 30;
const SEND_MARGIN_S = 5;

export type Status = "queued" | "sent" | "executed" | "skipped" | "dropped" | "failed";

/** Why a request was refused: a bounded set (the metrics label) with the HTTP status each answers with. */
export const REFUSALS = {
  malformed: 400,
  wrong_chain: 422,
  wrong_forwarder: 422,
  target_not_allowed: 422,
  value_not_zero: 422,
  gas_too_high: 422,
  expired: 422,
  bad_signature: 422,
  would_revert: 422,
  nonce_used: 409,
  nonce_not_next: 409,
  duplicate: 409,
  rate_limited: 429,
  queue_full: 503,
  shutting_down: 503,
} as const;
export type RefusalReason = keyof typeof REFUSALS;

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface Entry {
  id: string;
  signer: string;
  nonce: bigint;
  to: string;
  contract: string;
  action: string;
  deadline: bigint;
  data: ForwardRequestData;
  status: Status;
  acceptedAt: string;
  txHash?: string;
  blockNumber?: number;
  success?: boolean;
  reason?: string;
}

export interface BatchSummary {
  txHash: string | null;
  requests: number;
  blockNumber: number | null;
  gasUsed: string | null;
  outcome: "mined" | "reverted" | "failed";
  at: string;
  error?: string;
}

/** The revert-reason sentence of scripts/dal/revert.ts without its dal-specific hint (which names dal's own keys). */
function words(err: unknown): { error?: string; message: string } {
  const decoded = decodeRevert(err);
  if (decoded) return { error: decoded.name, message: decoded.words.replace(/\. Hint: [\s\S]*$/, "") };
  const own = forwarderError(err);
  if (own) return own;
  const e = err as { reason?: string | null; shortMessage?: string; message?: string };
  if (e?.reason) return { message: e.reason };
  return { message: e?.shortMessage ?? e?.message ?? String(err) };
}

const jsonReplacer = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

export class RelayService {
  readonly relayer: string;
  readonly forwarderAddress: string;
  readonly chainId: bigint;
  /** Seconds a deadline must lie ahead of the chain's clock for a request to be accepted. */
  readonly deadlineMarginSeconds: number;
  private readonly opts: Required<Omit<RelayOptions, "log" | "onClose">> & { log: (line: string) => void; onClose?: () => void };
  private readonly forwarder: Contract;
  /** Contract address -> its name in the deployment record: the only targets relayed. */
  private readonly targets = new Map<string, string>();
  private readonly queue: Entry[] = [];
  private readonly entries = new Map<string, Entry>();
  /** Nonces of each signer's requests queued or in flight, in order. */
  private readonly pendingNonces = new Map<string, bigint[]>();
  /** Each signer's recent request times (ms), for the rate limit. */
  private readonly recent = new Map<string, number[]>();
  /** Each signer's checks run one at a time, so that two requests arriving together see each other's nonces. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private flushing = 0;
  private draining: Promise<void> | undefined;
  private stopping = false;
  private server: Server | undefined;
  private lastBatch: BatchSummary | null = null;
  private readonly registry = new Registry();
  private readonly accepted: Counter;
  private readonly refused: Counter;
  private readonly batches: Counter;
  private readonly outcomes: Counter;
  private readonly gasUsed: Counter;

  constructor(options: RelayOptions) {
    this.opts = {
      host: options.host ?? DEFAULTS.host,
      port: options.port ?? DEFAULTS.port,
      windowMs: options.windowMs ?? DEFAULTS.windowMs,
      maxBatch: options.maxBatch ?? DEFAULTS.maxBatch,
      ratePerMinute: options.ratePerMinute ?? DEFAULTS.ratePerMinute,
      maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
      maxRequestGas: options.maxRequestGas ?? DEFAULTS.maxRequestGas,
      keep: options.keep ?? DEFAULTS.keep,
      receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULTS.receiptTimeoutMs,
      provider: options.provider,
      wallet: options.wallet,
      record: options.record,
      log: options.log ?? ((line) => console.error(line)),
      onClose: options.onClose,
    };
    for (const [name, v] of Object.entries({ windowMs: this.opts.windowMs, maxBatch: this.opts.maxBatch, ratePerMinute: this.opts.ratePerMinute, maxQueue: this.opts.maxQueue, keep: this.opts.keep })) {
      if (!Number.isInteger(v) || v < (name === "windowMs" ? 0 : 1)) throw new Error(`relay setting ${name} must be a whole number${name === "windowMs" ? "" : " of at least 1"}, got ${v}`);
    }
    const forwarder = options.record.contracts.RelayForwarder?.address;
    if (!forwarder) throw new Error("the deployment record names no RelayForwarder: redeploy with scripts/deploy.ts");
    this.forwarderAddress = getAddress(forwarder);
    this.chainId = BigInt(options.record.chainId);
    this.relayer = options.wallet.address;
    this.forwarder = new Contract(this.forwarderAddress, FORWARDER_ABI, options.wallet);
    for (const name of TARGETS) this.targets.set(getAddress(options.record.contracts[name].address), name);
    this.deadlineMarginSeconds = Math.ceil(this.opts.windowMs / 1000) + ARRIVAL_MARGIN_S;

    const registers = [this.registry];
    this.accepted = new Counter({ name: "dal_relay_requests_accepted_total", help: "Signed requests accepted into the queue", registers });
    this.refused = new Counter({ name: "dal_relay_requests_refused_total", help: "Signed requests refused before any gas was spent, by reason", labelNames: ["reason"], registers });
    this.batches = new Counter({ name: "dal_relay_batches_total", help: "executeBatch transactions by outcome (mined, reverted, failed to send or confirm)", labelNames: ["outcome"], registers });
    this.outcomes = new Counter({ name: "dal_relay_request_outcomes_total", help: "Accepted requests by final outcome (executed, reverted, skipped, dropped, failed)", labelNames: ["outcome"], registers });
    this.gasUsed = new Counter({ name: "dal_relay_gas_used_total", help: "Gas used by the relayer's batch transactions", registers });
    const queue = this.queue;
    new Gauge({ name: "dal_relay_queue_size", help: "Requests queued, not yet sent", registers, collect() { this.set(queue.length); } });
    const self = this;
    new Gauge({ name: "dal_relay_in_flight", help: "Requests in the batch being sent", registers, collect() { this.set(self.inFlight()); } });
    for (const reason of Object.keys(REFUSALS)) this.refused.inc({ reason }, 0);
    for (const outcome of ["mined", "reverted", "failed"]) this.batches.inc({ outcome }, 0);
    for (const outcome of ["executed", "reverted", "skipped", "dropped", "failed"]) this.outcomes.inc({ outcome }, 0);
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error("the relay is not listening");
    return `http://${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Starts listening; resolves with the URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return this.url;
  }

  /** Stops accepting, sends everything queued, waits for it, and closes the server. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.flush();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.opts.onClose?.();
  }

  /** Sends what is queued now, without waiting for the window; resolves when nothing is queued or in flight. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      while (this.queue.length || this.draining) await this.kick();
    } finally {
      this.flushing--;
    }
  }

  /** The outcome of request `id` (its EIP-712 digest), if known. */
  outcome(id: string): Record<string, unknown> | undefined {
    const e = this.entries.get(id.toLowerCase());
    return e && this.view(e);
  }

  // ---- checks ------------------------------------------------------------------------------------------------------

  /** Checks one signed request and queues it, or throws a Refusal. */
  async submit(body: unknown): Promise<Record<string, unknown>> {
    if (this.stopping) throw new Refusal("shutting_down", "the relay is shutting down; send the request to another relay or later");
    let file: SignedRequestFile;
    try {
      file = parseSignedRequest(body);
    } catch (err) {
      throw new Refusal("malformed", (err as Error).message);
    }
    if (BigInt(file.chainId) !== this.chainId) {
      throw new Refusal("wrong_chain", `signed for chain ${file.chainId}, but this relay serves chain ${this.chainId}`);
    }
    if (getAddress(file.forwarder) !== this.forwarderAddress) {
      throw new Refusal("wrong_forwarder", `signed for forwarder ${getAddress(file.forwarder)}, but this deployment's forwarder is ${this.forwarderAddress}`);
    }
    const request = requestOf(file);
    const contract = this.targets.get(request.to);
    if (!contract) {
      throw new Refusal("target_not_allowed", `target ${request.to} is not one of this deployment's contracts (${TARGETS.join(", ")}); the relay calls nothing else`);
    }
    if (request.value !== 0n) throw new Refusal("value_not_zero", `value must be 0: the relay does not send the chain's native coin (asked ${request.value} wei)`);
    if (request.gas > this.opts.maxRequestGas) throw new Refusal("gas_too_high", `gas ${request.gas} is more than the ${this.opts.maxRequestGas} a request may ask for`);
    if (request.gas === 0n) throw new Refusal("gas_too_high", "gas must be more than 0");
    let signer: string;
    try {
      signer = signerOf(file);
    } catch {
      throw new Refusal("bad_signature", "the signature cannot be recovered");
    }
    if (signer !== request.from) {
      throw new Refusal("bad_signature", `the signature does not match the request: it recovers to ${signer}, not to request.from ${request.from} (a field was changed after signing, or it was signed for another chain or forwarder)`);
    }
    const now = await this.chainNow();
    if (request.deadline < now + BigInt(this.deadlineMarginSeconds)) {
      throw new Refusal(
        "expired",
        request.deadline <= now
          ? `the deadline ${request.deadline} has passed (the chain's clock is at ${now})`
          : `the deadline ${request.deadline} is less than ${this.deadlineMarginSeconds} s ahead of the chain's clock (${now}): too close to be relayed in time`,
      );
    }
    this.rateLimit(signer);
    const id = digestOf(file).toLowerCase();
    return this.locked(signer, async () => {
      const existing = this.entries.get(id);
      if (existing && (existing.status === "queued" || existing.status === "sent")) {
        throw new Refusal("duplicate", `this request is already ${existing.status} (id ${id})`, { id });
      }
      if (this.queue.length >= this.opts.maxQueue) throw new Refusal("queue_full", `the queue is full (${this.opts.maxQueue} requests); try again shortly`);
      // Pending first, then the chain: a batch that lands in between has then either not yet released its nonces
      // (expected from them) or is already in the chain's nonce.
      const pending = [...(this.pendingNonces.get(signer) ?? [])];
      const onChain: bigint = await this.forwarder.nonces(signer);
      if (request.nonce < onChain) {
        throw new Refusal("nonce_used", `nonce ${request.nonce} of ${signer} is already used (the next is ${onChain}): a replayed request`);
      }
      const expected = pending.length ? pending[pending.length - 1] + 1n : onChain;
      if (request.nonce !== expected) {
        throw new Refusal(
          "nonce_not_next",
          `nonce ${request.nonce} is not the next of ${signer}: expected ${expected} (${onChain} on chain${pending.length ? ` + ${pending.length} queued here` : ""})`,
          { expectedNonce: expected.toString() },
        );
      }
      const data = dataOf(file);
      await this.simulate(data, request.nonce === onChain);
      if (this.stopping) throw new Refusal("shutting_down", "the relay is shutting down; send the request to another relay or later");
      const entry: Entry = {
        id,
        signer,
        nonce: request.nonce,
        to: request.to,
        contract,
        action: file.action,
        deadline: request.deadline,
        data,
        status: "queued",
        acceptedAt: new Date().toISOString(),
      };
      this.remember(entry);
      this.pendingNonces.set(signer, [...(this.pendingNonces.get(signer) ?? []), request.nonce]);
      this.queue.push(entry);
      this.accepted.inc();
      this.schedule();
      return this.view(entry);
    });
  }

  /** The call must succeed as the forwarder would make it. A request whose nonce is current is run through the
   * forwarder's execute (signature, nonce, deadline, trust, gas); on failure, and for a request behind others of its
   * signer still queued, the target is called as the forwarder calls it (signer appended), for its named error. */
  private async simulate(data: ForwardRequestData, nonceIsCurrent: boolean): Promise<void> {
    const sim = await simulateRequest(this.opts.provider, this.forwarderAddress, this.relayer, data, nonceIsCurrent);
    if (sim.ok) return;
    if (sim.failed === "forwarder") {
      const own = forwarderError(sim.err)!;
      throw new Refusal("would_revert", `the forwarder would refuse it: ${own.message}`, { error: own.error });
    }
    if (sim.failed === "target") {
      const said = words(sim.err);
      const message = said.error ? said.message : `${said.message} (or it ran out of its gas limit ${data.gas})`;
      throw new Refusal("would_revert", `the call would revert: ${message}`, said.error ? { error: said.error } : {});
    }
    // The target alone succeeds, yet execute failed: the forwarder's own gas check (request.gas too low for the call).
    throw new Refusal("would_revert", `the forwarder's execute would fail although the call itself succeeds: is gas ${data.gas} enough?`, { error: "FailedCall" });
  }

  private rateLimit(signer: string): void {
    const now = Date.now();
    const times = (this.recent.get(signer) ?? []).filter((t) => t > now - 60_000);
    if (times.length >= this.opts.ratePerMinute) {
      this.recent.set(signer, times);
      const retryAfter = Math.max(1, Math.ceil((times[0] + 60_000 - now) / 1000));
      throw new Refusal("rate_limited", `${signer} sent more than ${this.opts.ratePerMinute} requests in a minute; retry in ${retryAfter} s`, { retryAfter });
    }
    times.push(now);
    this.recent.set(signer, times);
    if (this.recent.size > 100_000) {
      for (const [k, v] of this.recent) if (!v.some((t) => t > now - 60_000)) this.recent.delete(k);
    }
  }

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  /** The chain's clock: the latest block's time, or the wall clock if that is later (an idle chain's next block). */
  private async chainNow(): Promise<bigint> {
    const block = await this.opts.provider.getBlock("latest");
    const wall = BigInt(Math.floor(Date.now() / 1000));
    const chain = BigInt(block?.timestamp ?? 0);
    return chain > wall ? chain : wall;
  }

  // ---- batches -----------------------------------------------------------------------------------------------------

  private inFlight(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.status === "sent") n++;
    return n;
  }

  private schedule(): void {
    if (this.queue.length >= this.opts.maxBatch) void this.kick();
    else if (!this.timer && !this.flushing) this.timer = setTimeout(() => void this.kick(), this.opts.windowMs);
  }

  private kick(): Promise<void> {
    this.due = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.drain();
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = (async () => {
      try {
        while (this.queue.length && (this.due || this.flushing || this.queue.length >= this.opts.maxBatch)) {
          this.due = false;
          const batch = this.queue.splice(0, this.opts.maxBatch);
          try {
            await this.send(batch);
          } catch (err) {
            // Nothing in send should throw; if it does, the batch must not stay pending for ever.
            this.finishAll(batch, "failed", `internal error: ${(err as Error).message}`);
          }
        }
      } finally {
        this.draining = undefined;
        if (this.queue.length && !this.timer && !this.flushing) this.timer = setTimeout(() => void this.kick(), this.opts.windowMs);
      }
    })();
    return this.draining;
  }

  private async send(batch: Entry[]): Promise<void> {
    let now: bigint;
    try {
      now = await this.chainNow();
    } catch {
      now = BigInt(Math.floor(Date.now() / 1000));
    }
    const live: Entry[] = [];
    const droppedFrom = new Map<string, bigint>();
    for (const e of batch) {
      const earlier = droppedFrom.get(e.signer);
      if (earlier !== undefined) {
        this.finish(e, "dropped", `an earlier request of ${e.signer} (nonce ${earlier}) was dropped, so this one's nonce cannot be reached`);
      } else if (e.deadline < now + BigInt(SEND_MARGIN_S)) {
        droppedFrom.set(e.signer, e.nonce);
        this.finish(e, "dropped", `its deadline ${e.deadline} passed while it was queued (the chain's clock is at ${now})`);
      } else {
        live.push(e);
      }
    }
    if (!live.length) return;
    const at = () => new Date().toISOString();
    let tx;
    try {
      // The relayer's nonce is read afresh for every batch (one is in flight at a time): a send that failed leaves no
      // gap behind it.
      const nonce = await this.opts.provider.getTransactionCount(this.relayer, "pending");
      tx = await this.forwarder.executeBatch(live.map((e) => e.data), this.relayer, { nonce });
    } catch (err) {
      const why = words(err).message;
      this.batches.inc({ outcome: "failed" });
      this.lastBatch = { txHash: null, requests: live.length, blockNumber: null, gasUsed: null, outcome: "failed", at: at(), error: why };
      this.finishAll(live, "failed", `the batch could not be sent: ${why}`);
      this.opts.log(`relay: batch of ${live.length} not sent: ${why}`);
      return;
    }
    for (const e of live) {
      e.status = "sent";
      e.txHash = tx.hash;
    }
    let receipt;
    try {
      receipt = await tx.wait(1, this.opts.receiptTimeoutMs);
    } catch (err) {
      const e = err as { receipt?: { status: number; blockNumber: number; gasUsed: bigint } };
      if (e?.receipt && e.receipt.status === 0) {
        receipt = e.receipt;
      } else {
        const why = words(err).message;
        this.batches.inc({ outcome: "failed" });
        this.lastBatch = { txHash: tx.hash, requests: live.length, blockNumber: null, gasUsed: null, outcome: "failed", at: at(), error: why };
        this.finishAll(live, "failed", `batch ${tx.hash} was not confirmed: ${why}`);
        this.opts.log(`relay: batch ${tx.hash} not confirmed: ${why}`);
        return;
      }
    }
    if (!receipt) return this.finishAll(live, "failed", `batch ${tx.hash} has no receipt`);
    this.gasUsed.inc(Number(receipt.gasUsed));
    const summary = { txHash: tx.hash, requests: live.length, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString(), at: at() };
    if (receipt.status !== 1) {
      this.batches.inc({ outcome: "reverted" });
      this.lastBatch = { ...summary, outcome: "reverted" };
      for (const e of live) e.blockNumber = receipt.blockNumber;
      this.finishAll(live, "failed", `the batch transaction ${tx.hash} reverted; nothing in it ran`);
      return;
    }
    this.batches.inc({ outcome: "mined" });
    this.lastBatch = { ...summary, outcome: "mined" };
    const ran = new Map<string, boolean>();
    for (const log of (receipt as { logs: readonly { address: string; topics: readonly string[]; data: string }[] }).logs) {
      if (getAddress(log.address) !== this.forwarderAddress) continue;
      const parsed = this.forwarder.interface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed?.name !== "ExecutedForwardRequest") continue;
      ran.set(`${getAddress(parsed.args.signer)}/${parsed.args.nonce}`, parsed.args.success);
    }
    for (const e of live) {
      e.blockNumber = receipt.blockNumber;
      const success = ran.get(`${e.signer}/${e.nonce}`);
      if (success === undefined) {
        this.finish(e, "skipped", "the forwarder skipped it as invalid when the batch ran (its nonce was used meanwhile, or its deadline passed); nothing was done");
      } else {
        e.success = success;
        this.finish(e, "executed", success ? undefined : "the call reverted when the batch ran (after the check passed: the chain changed meanwhile); its effects were undone and its nonce is used");
      }
    }
    this.opts.log(`relay: batch ${tx.hash} in block ${receipt.blockNumber}: ${live.length} request(s), gas ${receipt.gasUsed}`);
  }

  private finishAll(entries: Entry[], status: Status, reason: string): void {
    for (const e of entries) this.finish(e, status, reason);
  }

  private finish(e: Entry, status: Status, reason?: string): void {
    e.status = status;
    if (reason) e.reason = reason;
    const outcome = status === "executed" ? (e.success ? "executed" : "reverted") : status;
    this.outcomes.inc({ outcome });
    const nonces = this.pendingNonces.get(e.signer);
    if (nonces) {
      const rest = nonces.filter((n) => n !== e.nonce);
      if (rest.length) this.pendingNonces.set(e.signer, rest);
      else this.pendingNonces.delete(e.signer);
    }
  }

  /** Keeps an entry for GET /requests/:id; forgets the oldest finished ones beyond the bound. */
  private remember(e: Entry): void {
    this.entries.delete(e.id);
    this.entries.set(e.id, e);
    if (this.entries.size <= this.opts.keep) return;
    for (const [id, old] of this.entries) {
      if (this.entries.size <= this.opts.keep) break;
      if (old.status !== "queued" && old.status !== "sent") this.entries.delete(id);
    }
  }

  private view(e: Entry): Record<string, unknown> {
    return {
      id: e.id,
      status: e.status,
      signer: e.signer,
      nonce: e.nonce.toString(),
      target: e.to,
      contract: e.contract,
      action: e.action,
      deadline: e.deadline.toString(),
      acceptedAt: e.acceptedAt,
      ...(e.txHash ? { txHash: e.txHash } : {}),
      ...(e.blockNumber !== undefined ? { blockNumber: e.blockNumber } : {}),
      ...(e.success !== undefined ? { success: e.success } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------------

  async health(): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const provider = this.opts.provider;
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5000).unref())]);
    let chain: Record<string, unknown>;
    let balance: string | null = null;
    try {
      const [network, block, wei] = await timeout(Promise.all([provider.send("eth_chainId", []), provider.getBlockNumber(), provider.getBalance(this.relayer)]));
      const chainId = BigInt(network);
      chain = { reachable: true, chainId: chainId.toString(), expectedChainId: this.chainId.toString(), blockNumber: block };
      if (chainId !== this.chainId) chain.error = `the RPC now serves chain ${chainId}, not ${this.chainId}`;
      balance = wei.toString();
    } catch (err) {
      chain = { reachable: false, expectedChainId: this.chainId.toString(), error: (err as Error).message };
    }
    const ok = chain.reachable === true && !chain.error && !this.stopping;
    return {
      ok,
      body: {
        status: ok ? "ok" : this.stopping ? "stopping" : "unavailable",
        chain,
        forwarder: this.forwarderAddress,
        relayer: { address: this.relayer, balance },
        queue: { length: this.queue.length, inFlight: this.inFlight(), windowMs: this.opts.windowMs, maxBatch: this.opts.maxBatch },
        lastBatch: this.lastBatch,
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (path === "/requests") {
        if (req.method !== "POST") return this.reply(res, 405, { error: "use POST /requests" }, { allow: "POST" });
        return await this.post(req, res);
      }
      const m = /^\/requests\/([^/]+)$/.exec(path);
      if (m) {
        if (req.method !== "GET") return this.reply(res, 405, { error: "use GET /requests/:id" }, { allow: "GET" });
        if (!/^0x[0-9a-fA-F]{64}$/.test(m[1])) return this.reply(res, 400, { error: "a request id is its EIP-712 digest: 0x and 64 hex digits" });
        const found = this.outcome(m[1]);
        return found ? this.reply(res, 200, found) : this.reply(res, 404, { error: `no request ${m[1]} here (never accepted, or forgotten: the ${this.opts.keep} most recent are kept)` });
      }
      if (path === "/health" && req.method === "GET") {
        const h = await this.health();
        return this.reply(res, h.ok ? 200 : 503, h.body);
      }
      if (path === "/metrics" && req.method === "GET") {
        const text = await this.registry.metrics();
        res.writeHead(200, { "content-type": this.registry.contentType });
        res.end(text);
        return;
      }
      return this.reply(res, 404, { error: "not found: POST /requests, GET /requests/:id, GET /health, GET /metrics" });
    } catch (err) {
      this.opts.log(`relay: ${req.method} ${path} failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) this.reply(res, 500, { error: `internal error: ${(err as Error).message}` });
      else res.end();
    }
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      return this.reply(res, 413, { accepted: false, reason: "malformed", message: (err as Error).message });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      this.refused.inc({ reason: "malformed" });
      return this.reply(res, 400, { accepted: false, reason: "malformed", message: `the body is not JSON: ${(err as Error).message}` });
    }
    if (!Array.isArray(body)) {
      const [status, result] = await this.one(body);
      const headers: Record<string, string> = typeof result.retryAfter === "number" ? { "retry-after": String(result.retryAfter) } : {};
      return this.reply(res, status, result, headers);
    }
    if (body.length === 0) {
      this.refused.inc({ reason: "malformed" });
      return this.reply(res, 400, { accepted: false, reason: "malformed", message: "an empty array: send one signed request or an array of them" });
    }
    if (body.length > this.opts.maxQueue) {
      this.refused.inc({ reason: "malformed" }, body.length);
      return this.reply(res, 413, { accepted: false, reason: "malformed", message: `at most ${this.opts.maxQueue} requests in one POST` });
    }
    const results: Record<string, unknown>[] = [];
    const statuses: number[] = [];
    // In order: a signer's requests with consecutive nonces in one array are checked one after the other.
    for (let i = 0; i < body.length; i++) {
      const [status, result] = await this.one(body[i]);
      statuses.push(status);
      results.push({ index: i, httpStatus: status, ...result });
    }
    const retry = results.map((r) => r.retryAfter).filter((v): v is number => typeof v === "number");
    const same = statuses.every((s) => s === statuses[0]);
    return this.reply(res, same ? statuses[0] : 207, { results }, retry.length ? { "retry-after": String(Math.max(...retry)) } : {});
  }

  private async one(body: unknown): Promise<[number, Record<string, unknown>]> {
    try {
      return [202, { accepted: true, ...(await this.submit(body)) }];
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      this.refused.inc({ reason: err.reason });
      return [REFUSALS[err.reason], { accepted: false, reason: err.reason, message: err.message, ...err.extra }];
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body, jsonReplacer, 2) + "\n");
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts a relay service on its port; stop() flushes and closes it. */
export async function startRelay(options: RelayOptions): Promise<RelayService> {
  const service = new RelayService(options);
  await service.start();
  return service;
}
