// Relayed actions. `dal --sign <file> <command>` signs the command's transaction as an EIP-712 request for the
// deployment's forwarder (RelayForwarder, ERC-2771) and writes it to a file instead of sending it: the signer needs
// no gas funds, and with --nonce and --chain-id no network at all. `dal relay <files...>` checks signed requests and
// submits them in one forwarder transaction, paid by its own key, and reports each request's outcome.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  AbstractSigner,
  Interface,
  JsonRpcProvider,
  Network,
  getAddress,
  resolveAddress,
  type Provider,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
  type Wallet,
} from "ethers";
import {
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  PledgeRegistry__factory,
  RightsCertificate__factory,
} from "../../typechain-types";
import {
  FORWARDER_ABI,
  dataOf,
  digestOf,
  forwarderAt,
  parseSignedRequest,
  signRequest,
  signerOf,
  type SignedRequestFile,
} from "../relay/request";
import { forwarderError, simulateRequest } from "../relay/simulate";
import { readRecord, signed, type Chain, type DeploymentRecord } from "./env";
import { DalError, EXIT, usage } from "./exit";
import { loadSigner } from "./keys";
import { integer } from "./parse";
import { Facts, cstTime, table } from "./report";
import { decodeRevert } from "./revert";
import type { Session } from "./session";

/** The contracts that trust the forwarder, by record name. */
const TARGETS = ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger", "PledgeRegistry"] as const;
const INTERFACES: [string, Interface][] = [
  ["DataAssetRegistry", DataAssetRegistry__factory.createInterface()],
  ["RightsCertificate", RightsCertificate__factory.createInterface()],
  ["DataExchange", DataExchange__factory.createInterface()],
  ["AssetLedger", AssetLedger__factory.createInterface()],
  ["PledgeRegistry", PledgeRegistry__factory.createInterface()],
];
const FORWARDER = new Interface(FORWARDER_ABI);

export interface SignOptions {
  sign?: string;
  signNonce?: string;
  signChainId?: string;
  signValidHours?: string;
  signGas?: string;
}

/** Thrown by RequestSigner instead of a transaction response: the command stops there, and main.ts reports it. */
export class SignedRequestWritten extends Error {
  constructor(
    readonly file: string,
    readonly request: SignedRequestFile,
  ) {
    super(`signed request written to ${file}`);
  }

  facts(): Facts {
    const r = this.request.request;
    return new Facts()
      .add("signed request", this.file)
      .add("action", this.request.action)
      .add("signer", r.from)
      .add("target", r.to)
      .add("nonce", BigInt(r.nonce))
      .add("valid until", cstTime(BigInt(r.deadline)), new Date(Number(r.deadline) * 1000).toISOString())
      .add("chain id", BigInt(this.request.chainId))
      .add("forwarder", this.request.forwarder)
      .add("request id", digestOf(this.request))
      .text("next", `a relayer submits it: dal relay ${this.file}`);
  }
}

function forwarderOf(record: DeploymentRecord): string {
  const address = record.contracts.RelayForwarder?.address;
  if (!address) {
    throw new DalError(EXIT.WRONG_CHAIN, `deployment record ${record.file} names no RelayForwarder: this deployment cannot take relayed requests`);
  }
  return getAddress(address);
}

/** The name of the call `data` makes on `to`, e.g. "DataAssetRegistry.submit". */
function actionOf(record: DeploymentRecord, to: string, data: string): string {
  for (const [name, iface] of INTERFACES) {
    if (record.contracts[name]?.address.toLowerCase() !== to.toLowerCase()) continue;
    const fn = iface.parseTransaction({ data });
    return fn ? `${name}.${fn.name}` : `${name}.(unknown function)`;
  }
  return "(unknown target)";
}

/** Signs each transaction a command would send as a forward request, writes it, and stops the command. */
class RequestSigner extends AbstractSigner {
  constructor(
    private readonly wallet: Wallet,
    private readonly record: DeploymentRecord,
    private readonly o: { chainId: bigint; nonce: () => Promise<bigint>; deadline: bigint; gas: bigint; out: string },
    provider: Provider,
  ) {
    super(provider);
  }

  async getAddress(): Promise<string> {
    return this.wallet.address;
  }

  connect(): RequestSigner {
    throw new Error("RequestSigner cannot be reconnected");
  }

  async signTransaction(): Promise<string> {
    throw new DalError(EXIT.INTERNAL, "a signed request is not a signed transaction");
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.wallet.signMessage(message);
  }

  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    return this.wallet.signTypedData(domain, types, value);
  }

  override async sendTransaction(tx: TransactionRequest): Promise<never> {
    const to = getAddress(await resolveAddress(tx.to!));
    const trusted = TARGETS.some((n) => this.record.contracts[n]?.address.toLowerCase() === to.toLowerCase());
    if (!trusted) {
      throw new DalError(
        EXIT.NOT_SENT,
        `not signed: this command's transaction goes to ${to}, which does not accept relayed requests (only the registry, ` +
          `rights certificates, exchange, ledger and pledge registry do). Send it directly, e.g. a token approval, then sign the rest`,
      );
    }
    if (tx.value && BigInt(tx.value) !== 0n) throw new DalError(EXIT.NOT_SENT, "not signed: relayed requests carry no value");
    const data = String(tx.data);
    const nonce = await this.o.nonce();
    const file = await signRequest(
      this.wallet,
      this.o.chainId,
      forwarderOf(this.record),
      { from: this.wallet.address, to, value: 0n, gas: this.o.gas, nonce, deadline: this.o.deadline, data },
      actionOf(this.record, to, data),
    );
    try {
      writeFileSync(this.o.out, JSON.stringify(file, null, 2) + "\n", { flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw usage(`--sign: ${this.o.out} exists; dal never overwrites a signed request`);
      throw usage(`--sign: cannot write ${this.o.out}: ${(err as Error).message}`);
    }
    throw new SignedRequestWritten(this.o.out, file);
  }
}

/** A provider for signing without a network: any read is refused with what to do instead. */
class OfflineProvider extends JsonRpcProvider {
  constructor(chainId: bigint) {
    super("http://offline.invalid", Network.from(chainId), { staticNetwork: true });
  }

  override async _send(): Promise<never> {
    throw usage("this command reads the chain before it writes; sign it online (without --sign-nonce and --sign-chain-id)");
  }
}

/** Session.writer() in --sign mode: the contracts connected to a RequestSigner. */
export async function requestWriter(session: Session, o: SignOptions): Promise<{ chain: Chain; wallet: Wallet; as: ReturnType<typeof signed> }> {
  if (existsSync(o.sign!)) throw usage(`--sign: ${o.sign} exists; dal never overwrites a signed request`);
  const hours = o.signValidHours === undefined ? 24n : integer("--sign-valid-hours", o.signValidHours, 1n, 24n * 3653n);
  const gas = o.signGas === undefined ? 2_000_000n : integer("--sign-gas", o.signGas, 50_000n, 30_000_000n);
  const offline = o.signNonce !== undefined && o.signChainId !== undefined;
  let chain: Chain;
  let wallet: Wallet;
  if (offline) {
    const chainId = integer("--sign-chain-id", o.signChainId!, 1n, 2n ** 53n);
    const record = readRecord(session.settings.deployment ?? `deployments/${chainId}.json`);
    if (BigInt(record.chainId) !== chainId) {
      throw new DalError(EXIT.WRONG_CHAIN, `--sign-chain-id ${chainId}, but deployment record ${record.file} is for chain ${record.chainId}`);
    }
    const provider = new OfflineProvider(chainId);
    wallet = await loadSigner(provider, { keystore: session.options.keystore });
    chain = {
      provider,
      chainId: Number(chainId),
      record,
      registry: DataAssetRegistry__factory.connect(record.contracts.DataAssetRegistry.address, provider),
      rights: RightsCertificate__factory.connect(record.contracts.RightsCertificate.address, provider),
      exchange: DataExchange__factory.connect(record.contracts.DataExchange.address, provider),
      ledger: AssetLedger__factory.connect(record.contracts.AssetLedger.address, provider),
      pledges: PledgeRegistry__factory.connect(record.contracts.PledgeRegistry.address, provider),
      close: () => provider.destroy(),
    };
  } else {
    if (o.signNonce !== undefined || o.signChainId !== undefined) {
      throw usage("--sign-nonce and --sign-chain-id go together (both sign offline)");
    }
    chain = await session.chain();
    wallet = await loadSigner(chain.provider, { keystore: session.options.keystore });
  }
  const now = offline ? BigInt(Math.floor(Date.now() / 1000)) : BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const forwarder = forwarderOf(chain.record);
  const nonce = offline
    ? async () => integer("--sign-nonce", o.signNonce!, 0n, 2n ** 64n)
    : async () => BigInt(await forwarderAt(forwarder, chain.provider).nonces(wallet.address));
  const signer = new RequestSigner(
    wallet,
    chain.record,
    { chainId: BigInt(chain.chainId), nonce, deadline: now + hours * 3600n, gas, out: o.sign! },
    chain.provider,
  );
  return { chain, wallet, as: signed(chain, signer) };
}

interface Checked {
  file: string;
  request?: SignedRequestFile;
  refused?: string;
}

/** Why the forwarder or the target would refuse `request` now, or undefined if it would run. */
async function refusal(
  chain: Chain,
  relayer: string,
  request: SignedRequestFile,
  queued: Map<string, bigint>,
): Promise<string | undefined> {
  if (BigInt(request.chainId) !== BigInt(chain.chainId)) return `signed for chain ${request.chainId}, this is chain ${chain.chainId}`;
  const forwarder = forwarderOf(chain.record);
  if (request.forwarder.toLowerCase() !== forwarder.toLowerCase()) return `signed for forwarder ${request.forwarder}, this deployment's is ${forwarder}`;
  if (!TARGETS.some((n) => chain.record.contracts[n]?.address.toLowerCase() === request.request.to.toLowerCase())) {
    return `target ${request.request.to} is not one of this deployment's contracts`;
  }
  let signer: string;
  try {
    signer = signerOf(request);
  } catch {
    return "the signature is malformed";
  }
  if (signer.toLowerCase() !== request.request.from.toLowerCase()) return `the signature is not ${request.request.from}'s (tampered fields?)`;
  const f = forwarderAt(forwarder, chain.provider);
  const onChain = BigInt(await f.nonces(request.request.from));
  const key = request.request.from.toLowerCase();
  const expected = onChain + (queued.get(key) ?? 0n);
  const nonce = BigInt(request.request.nonce);
  if (nonce !== expected) {
    return nonce < onChain
      ? `already used: ${request.request.from}'s next nonce is ${onChain}, this request has ${nonce} (relayed before?)`
      : `out of order: ${request.request.from}'s next request must have nonce ${expected}, this one has ${nonce}`;
  }
  const head = (await chain.provider.getBlock("latest"))!.timestamp;
  if (BigInt(request.request.deadline) <= BigInt(head)) return `expired at ${cstTime(BigInt(request.request.deadline))}`;
  // A request after another of the same signer in this batch can only be simulated once that one ran: its
  // signature was checked above, and the forwarder checks it again.
  if (nonce !== onChain) return undefined;
  const sim = await simulateRequest(chain.provider, forwarder, relayer, dataOf(request), true);
  if (sim.ok) return undefined;
  if (sim.failed === "forwarder") return `the forwarder would refuse it: ${forwarderError(sim.err)!.message}`;
  if (sim.failed === "gas") return `the call succeeds alone but not with gas ${request.request.gas}: sign it again with more --sign-gas`;
  const decoded = decodeRevert(sim.err);
  return `the call would be refused: ${decoded ? decoded.words : `it reverts (or runs out of its gas ${request.request.gas})`}`;
}

export interface RelayOptions {
  dryRun?: boolean;
}

/** `dal relay <files...>`: checks each signed request, sends the good ones in executeBatch transactions (as many as
 * fit in a block each), reports each. */
export async function relay(session: Session, files: string[], o: RelayOptions): Promise<number | void> {
  const checked: Checked[] = files.map((file) => {
    try {
      return { file, request: parseSignedRequest(JSON.parse(readFileSync(file, "utf8"))) };
    } catch (err) {
      return { file, refused: `unreadable: ${(err as Error).message}` };
    }
  });
  const seen = new Set<string>();
  const queued = new Map<string, bigint>(); // requests per signer accepted so far, in file order
  if (session.options.sign) throw usage("dal relay sends; it cannot be signed for relaying (drop --sign)");
  const { chain, wallet } = await session.writer();
  for (const c of checked) {
    if (!c.request) continue;
    const digest = digestOf(c.request);
    if (seen.has(digest)) c.refused = "the same request twice";
    seen.add(digest);
    c.refused ??= await refusal(chain, wallet.address, c.request, queued);
    if (!c.refused) queued.set(c.request.request.from.toLowerCase(), (queued.get(c.request.request.from.toLowerCase()) ?? 0n) + 1n);
  }
  // Requests of one signer go in nonce order (files in the order given): the forwarder checks each against the
  // signer's nonce at that point of the batch.
  const good = checked.filter((c) => c.request && !c.refused);
  const outcomes = new Map<Checked, { outcome: string; ok: boolean; tx: string }>();
  // One executeBatch per chunk whose requests' gas fits in a block (with room for the forwarder's own work).
  const txs: { hash: string; gasUsed: bigint }[] = [];
  if (good.length && !o.dryRun) {
    const forwarderAddress = forwarderOf(chain.record);
    const f = forwarderAt(forwarderAddress, wallet);
    // Requests' gas per transaction: within the block's limit and half the per-transaction cap of current EVMs
    // (2^24, EIP-7825), so that the forwarder's gas checks (each call needs its full gas at that point) still fit.
    const blockGas = (await chain.provider.getBlock("latest"))!.gasLimit;
    const budget = [(blockGas * 9n) / 10n, 2n ** 23n].reduce((a, b) => (a < b ? a : b));
    const chunks: Checked[][] = [];
    let used = 0n;
    for (const c of good) {
      const need = BigInt(c.request!.request.gas) + 60_000n;
      if (!chunks.length || used + need > budget) chunks.push([]), (used = 0n);
      chunks[chunks.length - 1].push(c);
      used += need;
    }
    for (const chunk of chunks) {
      const tx = await f.executeBatch(chunk.map((c) => dataOf(c.request!)), wallet.address);
      const receipt = await tx.wait();
      txs.push({ hash: receipt.hash, gasUsed: receipt.gasUsed });
      const executed = new Map<string, boolean>();
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== forwarderAddress.toLowerCase()) continue;
        const ev = FORWARDER.parseLog(log);
        if (ev?.name === "ExecutedForwardRequest") executed.set(`${ev.args.signer.toLowerCase()}:${ev.args.nonce}`, ev.args.success);
      }
      for (const c of chunk) {
        const key = `${c.request!.request.from.toLowerCase()}:${c.request!.request.nonce}`;
        const success = executed.get(key);
        outcomes.set(
          c,
          success === undefined
            ? { outcome: "skipped by the forwarder (no longer valid)", ok: false, tx: receipt.hash }
            : success
              ? { outcome: "executed", ok: true, tx: receipt.hash }
              : { outcome: "the call reverted", ok: false, tx: receipt.hash },
        );
      }
    }
  }
  const rows = checked.map((c) => {
    const r = outcomes.get(c);
    const outcome = c.refused ? `refused: ${c.refused}` : o.dryRun ? "would run" : r!.outcome;
    return {
      file: c.file,
      action: c.request?.action ?? "",
      signer: c.request?.request.from ?? "",
      nonce: c.request?.request.nonce ?? "",
      outcome,
      ok: !c.refused && (o.dryRun || r!.ok),
      tx: r?.tx ?? null,
    };
  });
  if (session.json) {
    session.print(
      JSON.stringify(
        {
          tx: txs[0]?.hash ?? null,
          transactions: txs.map((t) => ({ hash: t.hash, gasUsed: t.gasUsed.toString() })),
          relayer: wallet.address,
          requests: rows.map((r) => ({ file: r.file, action: r.action, signer: r.signer, nonce: r.nonce, ok: r.ok, outcome: r.outcome, tx: r.tx })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    session.print(table(["file", "action", "signer", "nonce", "outcome"], rows.map((r) => [r.file, r.action, r.signer, String(r.nonce), r.outcome])));
    for (const t of txs) session.print(`tx ${t.hash}: ${t.gasUsed} gas paid by ${wallet.address}\n`);
    session.print(`${rows.filter((r) => r.ok).length} of ${rows.length} executed\n`);
  }
  if (rows.every((r) => !r.ok)) return rows.some((r) => r.outcome.startsWith("refused")) && !good.length ? EXIT.NOT_SENT : EXIT.REFUSED;
  return rows.every((r) => r.ok) ? EXIT.OK : EXIT.REFUSED;
}
