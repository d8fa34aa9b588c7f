// The demo seed: plays the catalogue of scripts/demoData.ts on freshly deployed contracts over a simulated year, so
// the registry, rights, exchange and books hold realistic history (DOMAIN.md): public data under authorised
// operation, an inspection-data product from compliance assessment to trade, a construction-data pool on the
// balance sheet, AI datasets as inventory, self-development, derived products paying royalties, objections, every
// valuation method, a dispute, a refund, withdrawals; and financing: a bank's loan against an appraised product's
// revenue (its licence sale repays the bank), a second-rank pledge, a pledge released, one enforced by a sale on the
// exchange after default and an arbiter's order, its proceeds paying costs, the bank, then the pledgor, and a
// reseller's pledge of the transferable product-operation right it bought (a certificate pledge, with a reserve price).
//
// How it runs: automine is switched off and each step's transactions (independent of one another) are sent with
// explicit nonces and gas, then mined in one block at a chosen timestamp; every receipt is checked, and a revert
// stops the seed with its decoded reason. Time moves month by month (UTC+8 calendar months, starting on the first
// day of the month after the chain's clock); within a month, fixed days: submit on the 1st, approve after the
// notice, list on the 8th, order on the 10th, deliver, accept or settle, book on the 20th, withdraw on the 25th.
// Automine and the block gas limit are restored at the end.
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Interface, MaxUint256, ZeroAddress, ZeroHash, encodeBytes32String, keccak256, toUtf8Bytes, type LogDescription } from "ethers";
import type { Deployed } from "./deploy";
import { signPermit } from "./permit";
import { SettlementToken__factory } from "../typechain-types";
import type { IDataAssetRegistry } from "../typechain-types/contracts/DataAssetRegistry";
import type { IDataExchange } from "../typechain-types/contracts/DataExchange";
import * as Enum from "../indexer/enums";
import {
  APPRAISALS,
  ASSETS,
  BOOKS,
  CLIENTS_OF_ACCOUNTANT,
  EXCHANGES,
  FUNDED,
  FUNDING_YUAN,
  GRANTS,
  LISTINGS,
  MONTHS,
  PARTIES,
  PLEDGES,
  PLEDGE_STORY,
  PUBLIC_INSTITUTIONS,
  QUALITY,
  STORY,
  TRADES,
  WITHDRAWAL_MONTHS,
  type AssetSpec,
  type BookOp,
  type ExchangeKey,
  type GrantSpec,
  type ListingSpec,
  type PartyKey,
  type PledgeSpec,
  type TradeSpec,
} from "./demoData";

export interface DemoOptions {
  deployed: Deployed;
  /** At least 20 funded Hardhat accounts; each plays one party of demoData.PARTIES, in order. */
  signers: HardhatEthersSigner[];
  log?: (line: string) => void;
}

export interface DemoSummary {
  token: { address: string; symbol: string; decimals: number };
  /** The simulated year: first and last day (UTC+8) and unix bounds. */
  period: { from: string; to: string; months: number; startTime: number; endTime: number };
  roles: Record<PartyKey, { address: string; name: string }>;
  exchanges: { id: number; code: string; name: string; noticeDays: number; feeBps: number; treasury: string }[];
  /** Every asset of the catalogue by its key (A1, C1, ...). */
  assets: Record<string, { id: number; name: string; holder: string | null; status: string; registrationNumber: string }>;
  /** The assets that tell the story. */
  keyAssets: {
    publicData: number;
    publicDataProduct: number;
    sandboxPublicData: number;
    inspectionProduct: number;
    constructionPool: number;
    selfDeveloped: number;
    inventorySold: number;
    derivedProduct: number;
    derivedTwice: number;
    objectionUpheld: number;
    objectionDismissed: number;
    rejectedAtReview: number;
    cancelled: number;
  };
  /** The financed assets: revenue pledged (two ranks, a licence sale repaying the bank), a pledge released, a pledge
   * enforced by a sale on the exchange. */
  pledgedAssets: { revenue: number; released: number; enforced: number };
  /** The pledged rights certificate (live, ranked apart from its asset's pledges) and its asset. */
  pledgedCertificate: { certId: number; assetId: number };
  /** Every pledge of demoData.PLEDGES by its key ("bank:F1", ...): amounts in minor units (fen) as decimal strings. */
  pledges: Record<
    string,
    {
      id: number;
      asset: string;
      assetId: number;
      pledgor: string;
      pledgee: string;
      collateral: string;
      /** The pledged rights certificate of a certificate pledge, else null. */
      certId: number | null;
      status: string;
      rank: number;
      securedAmount: string;
      /** The least a sale by the pledgee alone may ask ("0": none). */
      reservePrice: string;
      received: string;
      outstanding: string;
    }
  >;
  /** Addresses of the entities that keep books. */
  entities: Record<"construction" | "dataService" | "inspection" | "operator" | "aiLab", string>;
  books: Record<string, { id: number; entity: string; assetId: number; category: string }>;
  counts: {
    assets: number;
    activeAssets: number;
    rejectedAssets: number;
    cancelledAssets: number;
    rightsCertificates: number;
    listings: number;
    orders: number;
    settledTrades: number;
    refundedOrders: number;
    attestations: number;
    books: number;
    pledges: number;
    livePledges: number;
    releasedPledges: number;
    enforcedPledges: number;
    enforcementSales: number;
    events: number;
    blocks: number;
    transactions: number;
  };
  eventsByName: Record<string, number>;
  /** Ready-to-run GraphQL queries over the demo. */
  queries: Record<string, string>;
  seconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
/** China Standard Time: calendar days and months of the demo are UTC+8. */
const CST = 8 * HOUR;
/** Generous: only gas used is paid, and the block gas limit is raised while seeding. */
const GAS = 3_000_000;
const SEED_BLOCK_GAS_LIMIT = 1_000_000_000;
const MAX_FEE = 100n * 10n ** 9n;
const DELIVERY_WINDOW = 7 * DAY;
const ACCEPTANCE_WINDOW = 3 * DAY;

const yuan = (n: number) => BigInt(n) * 100n;
const hex = (n: number | bigint) => "0x" + n.toString(16);
/** A deterministic, distinct bytes32 per label: content, metadata, evidence and report hashes. */
const h = (label: string) => keccak256(toUtf8Bytes(`data-asset-ledger demo: ${label}`));
const ord = <T extends string>(names: readonly T[], name: T) => {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`unknown enum name ${name}`);
  return i;
};
const rpc = <T = any>(method: string, params: unknown[] = []) => network.provider.request({ method, params }) as Promise<T>;
/** YYYY-MM-DD of a unix time in UTC+8. */
const cstDay = (t: number) => new Date((t + CST) * 1000).toISOString().slice(0, 10);

interface RpcLog {
  address: string;
  topics: string[];
  data: string;
}
interface Queued {
  from: string;
  to: string;
  data: string;
  what: string;
  onMined?: (events: LogDescription[]) => void;
}

/** Sends queued transactions and mines them in one block at a chosen timestamp, checking every receipt. */
class Chain {
  /** Timestamp of the next block. */
  now = 0;
  last = 0;
  blocks = 0;
  transactions = 0;
  private queue: Queued[] = [];
  private readonly nonces = new Map<string, number>();

  constructor(private readonly interfaces: Map<string, Interface>) {}

  /** Moves the clock to `t` (a later time than the last block). */
  at(t: number): this {
    if (t <= this.last) throw new Error(`demo schedule goes back in time: ${t} <= ${this.last}`);
    this.now = t;
    return this;
  }

  send(contract: { target: unknown }, from: HardhatEthersSigner, data: string, what: string, onMined?: Queued["onMined"]): void {
    this.queue.push({ from: from.address, to: String(contract.target), data, what, onMined });
  }

  /** Mines everything queued in one block at `now`; the clock then moves one second on. */
  async flush(): Promise<void> {
    const txs = this.queue;
    this.queue = [];
    if (txs.length === 0) return;
    const hashes: string[] = [];
    // One at a time: Hardhat keeps memory per concurrent request (see bench/activity.ts).
    for (const tx of txs) {
      let nonce = this.nonces.get(tx.from);
      if (nonce === undefined) nonce = Number(await rpc("eth_getTransactionCount", [tx.from, "pending"]));
      this.nonces.set(tx.from, nonce + 1);
      hashes.push(
        await rpc<string>("eth_sendTransaction", [
          { from: tx.from, to: tx.to, data: tx.data, gas: hex(GAS), nonce: hex(nonce), maxFeePerGas: hex(MAX_FEE), maxPriorityFeePerGas: "0x1" },
        ]),
      );
    }
    await rpc("evm_mine", [this.now]);
    this.blocks++;
    this.transactions += txs.length;
    this.last = this.now;
    this.now += 1;
    for (let i = 0; i < txs.length; i++) {
      const r = await rpc<{ status: string; blockNumber: string; logs: RpcLog[] } | null>("eth_getTransactionReceipt", [hashes[i]]);
      if (!r) throw new Error(`demo: "${txs[i].what}" was not mined (block full?)`);
      if (r.status !== "0x1") throw new Error(`demo: "${txs[i].what}" from ${txs[i].from} reverted: ${await this.reason(txs[i], Number(r.blockNumber))}`);
      txs[i].onMined?.(this.parse(r.logs));
    }
  }

  parse(logs: RpcLog[]): LogDescription[] {
    const out: LogDescription[] = [];
    for (const l of logs) {
      const parsed = this.interfaces.get(l.address.toLowerCase())?.parseLog({ topics: l.topics, data: l.data });
      if (parsed) out.push(parsed);
    }
    return out;
  }

  /** Replays a reverted transaction on the state before its block and decodes the custom error. */
  private async reason(tx: Queued, block: number): Promise<string> {
    try {
      await rpc("eth_call", [{ from: tx.from, to: tx.to, data: tx.data, gas: hex(GAS) }, hex(block - 1)]);
      return "succeeds on the previous block: it depended on another transaction of its block";
    } catch (err: any) {
      const data: unknown = err?.data?.data ?? err?.data ?? /0x[0-9a-f]{8,}/i.exec(String(err?.message))?.[0];
      for (const iface of this.interfaces.values()) {
        try {
          const e = iface.parseError(typeof data === "string" ? data : "0x");
          if (e) return `${e.name}(${e.args.map(String).join(", ")})`;
        } catch {
          // another contract's error
        }
      }
      return String(err?.message ?? err);
    }
  }
}

/** The first event named `name` among `events`; throws if missing (the seed's model would be wrong). */
function eventOf(events: LogDescription[], name: string): LogDescription {
  const e = events.find((x) => x.name === name);
  if (!e) throw new Error(`demo: expected a ${name} event`);
  return e;
}

export async function seedDemo(opts: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const { registry, rights, exchange, ledger, pledges, record } = opts.deployed;
  if (opts.signers.length < PARTIES.length) throw new Error(`seedDemo needs ${PARTIES.length} signers, got ${opts.signers.length}`);
  const who = Object.fromEntries(PARTIES.map((p, i) => [p.key, opts.signers[i]])) as Record<PartyKey, HardhatEthersSigner>;
  const addr = (k: PartyKey) => who[k].address;
  const exchangeAddress = await exchange.getAddress();
  if ((await registry.assetCount()) !== 0n || (await exchange.listingCount()) !== 0n) {
    throw new Error("seedDemo expects freshly deployed contracts (it registers its own exchanges, content and listings)");
  }

  // The settlement token is deployed while automine is still on, as the deployment was.
  const automineBefore = await rpc<boolean>("hardhat_getAutomine");
  const gasLimitBefore = Number((await rpc("eth_getBlockByNumber", ["latest", false])).gasLimit);
  if (!automineBefore) await rpc("evm_setAutomine", [true]);
  const token = await new SettlementToken__factory(who.admin).deploy("Digital Yuan (demo)", "eCNY", 2, addr("admin"));
  await token.waitForDeployment();
  const tokenAddress = await token.getAddress();

  const interfaces = new Map<string, Interface>();
  for (const c of [registry, rights, exchange, ledger, pledges, token]) interfaces.set((await c.getAddress()).toLowerCase(), c.interface as unknown as Interface);
  const chain = new Chain(interfaces);

  await rpc("evm_setAutomine", [false]);
  await rpc("evm_setBlockGasLimit", [hex(Math.max(gasLimitBefore, SEED_BLOCK_GAS_LIMIT))]);
  try {
    return await play();
  } finally {
    await rpc("evm_setBlockGasLimit", [hex(gasLimitBefore)]);
    await rpc("evm_setAutomine", [automineBefore]);
  }

  async function play(): Promise<DemoSummary> {
    const latest = Number((await rpc("eth_getBlockByNumber", ["latest", false])).timestamp);
    // The year starts on the 1st of the month after the chain's clock (UTC+8), so months are calendar months.
    const today = new Date((latest + CST) * 1000);
    const [year0, month0] = [today.getUTCFullYear(), today.getUTCMonth() + 1];
    const monthStart = (m: number) => Date.UTC(year0, month0 + m, 1) / 1000 - CST;
    const slot = (m: number, day: number, hour: number, minute = 0) => monthStart(m) + (day - 1) * DAY + hour * HOUR + minute * 60;
    const endOfMonth = (m: number) => monthStart(m + 1) - 1;

    // ---------------------------------------------------------------- state
    const assetIds = new Map<string, bigint>();
    const specOf = new Map(ASSETS.map((a) => [a.key, a]));
    const registrarIds = new Map<ExchangeKey, number>();
    const certIds = new Map<string, bigint>(); // grant key or trade key -> rights certificate id
    const listingIds = new Map<string, bigint>();
    const prices = new Map<string, bigint>();
    const orderIds = new Map<string, bigint>(); // trade key -> order id
    const bookIds = new Map<string, bigint>();
    const qualityIds = new Map<string, bigint>();
    const appraisalIds = new Map<string, bigint>();
    const versions = new Map<string, number>();
    let settled = 0;
    let refunded = 0;
    const pledgeIds = new Map<string, bigint>();
    const pledgeSpec = new Map(PLEDGES.map((p) => [p.key, p]));
    let enforcementSales = 0;

    const assetId = (key: string) => {
      const id = assetIds.get(key);
      if (id === undefined) throw new Error(`demo: asset ${key} not submitted yet`);
      return id;
    };
    const listingSpec = new Map(LISTINGS.map((l) => [l.key, l]));
    const signerOf = new Map(PARTIES.map((p) => [addr(p.key), who[p.key]]));
    /** The signer holding an asset's registration certificate now (holding rights move during the year). */
    const holder = async (key: string) => signerOf.get(await registry.holderOf(assetId(key)))!;
    /** Counts how an order ended, and keeps the certificate a named trade issued (a reseller's right). */
    const onOutcome = (trade: TradeSpec | undefined) => (events: LogDescription[]) => {
      const s = events.find((e) => e.name === "Settled");
      if (s) {
        settled++;
        if (trade?.key) certIds.set(trade.key, s.args.settlement.certId);
      }
      if (events.some((e) => e.name === "Refunded" && Number(e.args.reason) !== ord(Enum.RefundReason, "Arbitration"))) refunded++;
    };

    // ---------------------------------------------------------------- set-up: exchanges, roles, money
    chain.at(latest + 10);
    for (const x of EXCHANGES) {
      chain.send(registry, who.admin, registry.interface.encodeFunctionData("addRegistrar", [x.code, x.noticeDays * DAY]), `addRegistrar ${x.code}`, (ev) =>
        registrarIds.set(x.key, Number(eventOf(ev, "RegistrarAdded").args.registrarId)),
      );
    }
    await chain.flush();
    for (const x of EXCHANGES) {
      const id = registrarIds.get(x.key)!;
      chain.send(registry, who.admin, registry.interface.encodeFunctionData("grantRole", [await registry.registrarRole(id), addr(x.key)]), `registrar role ${x.code}`);
      chain.send(exchange, who.admin, exchange.interface.encodeFunctionData("setVenue", [id, addr(x.key), x.feeBps]), `venue ${x.code}`);
    }
    chain.send(exchange, who.admin, exchange.interface.encodeFunctionData("setTokenAllowed", [tokenAddress, true]), "allow eCNY");
    chain.send(exchange, who.admin, exchange.interface.encodeFunctionData("grantRole", [await exchange.ARBITER_ROLE(), addr("arbiter")]), "arbiter role");
    chain.send(ledger, who.admin, ledger.interface.encodeFunctionData("grantRole", [await ledger.ASSESSOR_ROLE(), addr("assessor")]), "assessor role");
    chain.send(ledger, who.admin, ledger.interface.encodeFunctionData("grantRole", [await ledger.APPRAISER_ROLE(), addr("appraiser")]), "appraiser role");
    chain.send(pledges, who.admin, pledges.interface.encodeFunctionData("grantRole", [await pledges.ARBITER_ROLE(), addr("arbiter")]), "pledge arbiter role");
    for (const k of PUBLIC_INSTITUTIONS) {
      chain.send(pledges, who.admin, pledges.interface.encodeFunctionData("setPublicInstitution", [addr(k), true]), `public institution ${k}`);
    }
    for (const k of FUNDED) {
      chain.send(token, who.admin, token.interface.encodeFunctionData("mint", [addr(k), yuan(FUNDING_YUAN)]), `mint to ${k}`);
      chain.send(token, who[k], token.interface.encodeFunctionData("approve", [exchangeAddress, MaxUint256]), `approve by ${k}`);
    }
    for (const k of CLIENTS_OF_ACCOUNTANT) {
      chain.send(ledger, who[k], ledger.interface.encodeFunctionData("setAccountant", [addr("accountant"), true]), `accountant for ${k}`);
    }
    await chain.flush();
    const registrarOf = (a: AssetSpec) => registrarIds.get(a.registrar)!;
    log(`demo: exchanges ${EXCHANGES.map((x) => `${x.code} (${x.noticeDays}-day notice, ${x.feeBps / 100}% fee)`).join(", ")}; eCNY at ${tokenAddress}; year from ${cstDay(monthStart(0))}`);

    // ---------------------------------------------------------------- the year, month by month
    for (let m = 0; m < MONTHS; m++) {
      const submitted = ASSETS.filter((a) => a.month === m);
      const counts = { settled, refunded };

      // 1st: applications, each starting its exchange's public notice.
      chain.at(slot(m, 1, 9));
      for (const a of submitted) {
        const parents = a.parents ?? [];
        const s: IDataAssetRegistry.SubmissionStruct = {
          contentHash: h(`content ${a.key} v1`),
          metadataHash: h(`metadata ${a.key} v1`),
          metadataURI: `demo://metadata/${a.key}.json`,
          name: a.name,
          kind: ord(Enum.AssetKind, a.kind),
          sourceType: ord(Enum.SourceType, a.source),
          sourceEvidenceHash: h(`source evidence ${a.key}`),
          grade: ord(Enum.Grade, a.grade),
          records: BigInt(a.records),
          sizeBytes: BigInt(Math.round(a.sizeBytes)),
          updateFrequency: ord(Enum.UpdateFrequency, a.frequency),
          registrarId: registrarOf(a),
          validityPeriod: 3 * YEAR,
          parentIds: parents.map(([p]) => assetId(p)),
          parentSharesBps: parents.map(([, bps]) => bps),
        };
        versions.set(a.key, 1);
        chain.send(registry, who[a.holder], registry.interface.encodeFunctionData("submit", [s]), `submit ${a.key}`, (ev) =>
          assetIds.set(a.key, eventOf(ev, "RegistrationSubmitted").args.assetId),
        );
      }
      await chain.flush();

      // 2nd: compliance assessments (合规评估) and objections (异议) during the notice.
      chain.at(slot(m, 2, 10));
      const objections = new Map<string, bigint>();
      for (const a of submitted) {
        chain.send(ledger, who.assessor, ledger.interface.encodeFunctionData("attestCompliance", [assetId(a.key), a.compliant ?? true, h(`compliance report ${a.key}`), 0]), `compliance ${a.key}`);
        if (a.objection) {
          chain.send(registry, who[a.objection.by], registry.interface.encodeFunctionData("object", [assetId(a.key), h(`objection evidence ${a.key}`)]), `objection to ${a.key}`, (ev) =>
            objections.set(a.key, eventOf(ev, "ObjectionFiled").args.objectionId),
          );
        }
      }
      await chain.flush();

      // Each exchange rules on objections the day before its notice ends, then approves or rejects.
      for (const x of [...EXCHANGES].sort((p, q) => p.noticeDays - q.noticeDays)) {
        const mine = submitted.filter((a) => a.registrar === x.key);
        chain.at(slot(m, x.noticeDays, 15));
        for (const a of mine.filter((a) => a.objection)) {
          const upheld = a.objection!.upheld;
          chain.send(registry, who[x.key], registry.interface.encodeFunctionData("resolveObjection", [objections.get(a.key)!, upheld, h(`ruling on ${a.key}`)]), `rule on objection to ${a.key}`);
        }
        await chain.flush();
        chain.at(slot(m, 1 + x.noticeDays, 10));
        for (const a of mine) {
          if (a.objection?.upheld) continue;
          if (a.rejectReason) chain.send(registry, who[x.key], registry.interface.encodeFunctionData("rejectRegistration", [assetId(a.key), a.rejectReason]), `reject ${a.key}`);
          else chain.send(registry, who[x.key], registry.interface.encodeFunctionData("approveRegistration", [assetId(a.key)]), `approve ${a.key}`);
        }
        await chain.flush();
      }

      // 7th: quality assessments; rights granted by holders (授权运营), then the sublicences carved out of them.
      chain.at(slot(m, 7, 10));
      for (const q of QUALITY.filter((q) => q.month === m)) {
        const supersedes = q.supersedes ? qualityIds.get(q.asset)! : 0n;
        const data = ledger.interface.encodeFunctionData("attestQuality", [assetId(q.asset), q.scores, h(`quality report ${q.asset} month ${m}`), supersedes]);
        chain.send(ledger, who.assessor, data, `quality ${q.asset}`, (ev) => qualityIds.set(q.asset, eventOf(ev, "QualityAttested").args.attestationId));
      }
      const grants = GRANTS.filter((g) => g.month === m);
      for (const g of grants.filter((g) => !g.parent)) await grant(g, m);
      await chain.flush();
      for (const g of grants.filter((g) => g.parent)) await grant(g, m);
      await chain.flush();

      // 8th: listings (挂牌), by holders or under a product-operation right.
      chain.at(slot(m, 8, 10));
      for (const l of LISTINGS.filter((l) => l.month === m)) {
        const terms = listingTerms(l);
        chain.send(exchange, who[l.seller], exchange.interface.encodeFunctionData("list", [terms]), `list ${l.key}`, (ev) => {
          listingIds.set(l.key, eventOf(ev, "Listed").args.listingId);
          prices.set(l.key, BigInt(terms.price));
        });
      }
      await chain.flush();

      // 10th: orders paid into escrow.
      chain.at(slot(m, 10, 10));
      const trades = TRADES.filter((t) => t.month === m);
      const orders: { t: TradeSpec; id: bigint; price: bigint; seller: PartyKey }[] = [];
      for (const t of trades) {
        const l = listingSpec.get(t.listing)!;
        const listingId = listingIds.get(t.listing)!;
        const price = prices.get(t.listing)!;
        const record = (ev: LogDescription[]) => {
          const id: bigint = eventOf(ev, "Ordered").args.orderId;
          orders.push({ t, id, price, seller: l.seller });
          if (t.key) orderIds.set(t.key, id);
        };
        if (t.permit) {
          const deadline = BigInt(chain.now + DAY);
          const sig = await signPermit(token, who[t.buyer], exchangeAddress, price, deadline);
          chain.send(exchange, who[t.buyer], exchange.interface.encodeFunctionData("orderWithPermit", [listingId, price, deadline, sig.v, sig.r, sig.s]), `order ${t.listing} with permit`, record);
          // The permit set the allowance to this price and the order used it up: restore the standing approval
          // (same sender, so the nonce orders it before the buyer's next order).
          chain.send(token, who[t.buyer], token.interface.encodeFunctionData("approve", [exchangeAddress, MaxUint256]), `re-approve by ${t.buyer}`);
        } else {
          chain.send(exchange, who[t.buyer], exchange.interface.encodeFunctionData("order", [listingId, price]), `order ${t.listing} by ${t.buyer}`, record);
        }
      }
      await chain.flush();

      // 11th: delivery proofs (except an order left undelivered).
      chain.at(slot(m, 11, 14));
      for (const o of orders.filter((o) => o.t.plan !== "undelivered")) {
        chain.send(exchange, who[o.seller], exchange.interface.encodeFunctionData("deliver", [o.id, h(`delivery proof order ${o.id}`)]), `deliver order ${o.id}`);
      }
      await chain.flush();

      // 12th: acceptance (settlement) or a dispute; 13th: the arbiter refunds part and settles the rest.
      chain.at(slot(m, 12, 10));
      for (const o of orders) {
        const plan = o.t.plan ?? "accept";
        if (plan === "accept") chain.send(exchange, who[o.t.buyer], exchange.interface.encodeFunctionData("accept", [o.id]), `accept order ${o.id}`, onOutcome(o.t));
        if (plan === "dispute") chain.send(exchange, who[o.t.buyer], exchange.interface.encodeFunctionData("dispute", [o.id, h(`dispute evidence order ${o.id}`)]), `dispute order ${o.id}`);
      }
      await chain.flush();
      chain.at(slot(m, 13, 16));
      for (const o of orders.filter((o) => o.t.plan === "dispute")) {
        const refund = (o.price * BigInt(o.t.refundBps ?? 0)) / 10_000n;
        chain.send(exchange, who.arbiter, exchange.interface.encodeFunctionData("resolveDispute", [o.id, refund, h(`arbitration ruling order ${o.id}`)]), `resolve dispute ${o.id}`, onOutcome(o.t));
      }
      await chain.flush();
      // 16th: the acceptance window lapsed without a word from the buyer: the seller settles.
      chain.at(slot(m, 16, 10));
      for (const o of orders.filter((o) => o.t.plan === "timeout")) {
        chain.send(exchange, who[o.seller], exchange.interface.encodeFunctionData("settle", [o.id]), `settle order ${o.id}`, onOutcome(o.t));
      }
      await chain.flush();
      // 18th: the delivery deadline passed: the buyer takes its money back.
      chain.at(slot(m, 18, 10));
      for (const o of orders.filter((o) => o.t.plan === "undelivered")) {
        chain.send(exchange, who[o.t.buyer], exchange.interface.encodeFunctionData("refundUndelivered", [o.id]), `refund order ${o.id}`, onOutcome(o.t));
      }
      await chain.flush();

      // 20th: versions (存证), changes, transfers, repricing, revocation, renewal, cancellation; appraisals.
      chain.at(slot(m, 20, 10));
      const transfers: string[] = [];
      for (const e of STORY.filter((e) => e.month === m)) {
        switch (e.kind) {
          case "version": {
            const v = versions.get(e.asset)! + 1;
            versions.set(e.asset, v);
            chain.send(registry, await holder(e.asset), registry.interface.encodeFunctionData("addVersion", [assetId(e.asset), h(`content ${e.asset} v${v}`), h(`metadata ${e.asset} v${v}`)]), `version ${v} of ${e.asset}`);
            break;
          }
          case "change": {
            const a = specOf.get(e.asset)!;
            const data = registry.interface.encodeFunctionData("change", [
              assetId(e.asset), h(`metadata ${e.asset} change month ${m}`), `demo://metadata/${e.asset}.json`, BigInt(e.records), BigInt(Math.round(e.sizeBytes)), ord(Enum.UpdateFrequency, a.frequency),
            ]);
            chain.send(registry, await holder(e.asset), data, `change ${e.asset}`);
            break;
          }
          case "transfer":
            chain.send(registry, await holder(e.asset), registry.interface.encodeFunctionData("requestTransfer", [assetId(e.asset), addr(e.to), h(`transfer agreement ${e.asset}`)]), `request transfer of ${e.asset}`);
            transfers.push(e.asset);
            break;
          case "reprice": {
            const l = listingSpec.get(e.listing)!;
            chain.send(exchange, who[l.seller], exchange.interface.encodeFunctionData("updateListing", [listingIds.get(e.listing)!, yuan(e.price), l.maxQuantity ?? 0, true]), `reprice ${e.listing}`);
            prices.set(e.listing, yuan(e.price));
            break;
          }
          case "revoke": {
            const g = GRANTS.find((g) => g.key === e.grant)!;
            chain.send(rights, who[g.by], rights.interface.encodeFunctionData("revoke", [certIds.get(e.grant)!, e.reason]), `revoke ${e.grant}`);
            break;
          }
          case "renew": {
            const a = specOf.get(e.asset)!;
            const until = (await registry.assetOf(assetId(e.asset))).validUntil + BigInt(e.years * YEAR);
            chain.send(registry, who[a.registrar], registry.interface.encodeFunctionData("renew", [assetId(e.asset), until]), `renew ${e.asset}`);
            break;
          }
          case "cancel":
            chain.send(registry, await holder(e.asset), registry.interface.encodeFunctionData("cancel", [assetId(e.asset), e.reason]), `cancel ${e.asset}`);
            break;
        }
      }
      for (const a of APPRAISALS.filter((a) => a.month === m)) {
        const supersedes = a.supersedes ? appraisalIds.get(a.asset)! : 0n;
        const data = ledger.interface.encodeFunctionData("attestAppraisal", [
          assetId(a.asset), ord(Enum.ValuationMethod, a.method), yuan(a.value), tokenAddress, endOfMonth(m - 1), h(`appraisal report ${a.asset} month ${m}`), supersedes,
        ]);
        chain.send(ledger, who.appraiser, data, `appraisal ${a.asset}`, (ev) =>
          appraisalIds.set(a.asset, eventOf(ev, "AppraisalAttested").args.attestationId),
        );
      }
      await chain.flush();

      // Accounting (入表), dated the day they are recorded: the k-th entry of every book in the k-th block, so each
      // book's entries keep their order and a new book's id is known before its costs.
      const entries = BOOKS.map((b) => ({ b, ops: b.entries.filter(([month]) => month === m).map(([, op]) => op) }));
      for (let k = 0; entries.some((e) => e.ops.length > k); k++) {
        chain.at(slot(m, 20, 11 + k));
        for (const { b, ops } of entries) if (ops[k]) book(b, ops[k], chain.now);
        await chain.flush();
      }

      // 21st: the registrar carries out requested transfers of the holding right.
      chain.at(slot(m, 21, 10));
      for (const key of transfers) {
        const [to, evidence] = await registry.pendingTransferOf(assetId(key)); // what the registrar reviewed
        chain.send(registry, who[specOf.get(key)!.registrar], registry.interface.encodeFunctionData("approveTransfer", [assetId(key), to, evidence]), `approve transfer of ${key}`);
      }
      await chain.flush();

      // 22nd-24th: pledges (质押) registered with 中登网, filed and accepted; releases, defaults, enforcement sales.
      await pledgeScenes(m);

      // 25th, quarterly: everyone withdraws its credits (pull payments).
      if (WITHDRAWAL_MONTHS.includes(m)) {
        chain.at(slot(m, 25, 10));
        for (const p of PARTIES) {
          if ((await exchange.creditOf(addr(p.key), tokenAddress)) > 0n) {
            chain.send(exchange, who[p.key], exchange.interface.encodeFunctionData("withdraw", [tokenAddress, addr(p.key)]), `withdraw by ${p.key}`);
          }
        }
        await chain.flush();
      }

      log(
        `demo: ${cstDay(monthStart(m)).slice(0, 7)}  ${submitted.length} registrations, ${grants.length} grants, ${LISTINGS.filter((l) => l.month === m).length} listings, ` +
          `${trades.length} orders, ${settled - counts.settled} settled, ${refunded - counts.refunded} refunded` +
          `${PLEDGES.some((p) => p.month === m) ? `, ${PLEDGES.filter((p) => p.month === m).length} pledges` : ""}` +
          `${PLEDGE_STORY.some((e) => e.month === m) ? `, ${PLEDGE_STORY.filter((e) => e.month === m).map((e) => `${e.kind} ${e.pledge}`).join(", ")}` : ""}` +
          `${WITHDRAWAL_MONTHS.includes(m) ? ", withdrawals" : ""}`,
      );
    }

    // The year is over: a block on the 1st of the next month, so every date of the year is in the past.
    chain.at(slot(MONTHS, 1, 9));
    await rpc("evm_mine", [chain.now]);
    chain.blocks++;
    const summary = await summarise();
    const c = summary.counts;
    log(
      `demo: ${c.assets} assets, ${c.rightsCertificates} rights certificates, ${c.settledTrades} settled trades, ${c.books} books, ` +
        `${c.pledges} pledges (${c.livePledges} live, ${c.releasedPledges} released, ${c.enforcedPledges} enforced), ${c.events} events in ${c.blocks} blocks (${summary.seconds} s)`,
    );
    return summary;

    // ---------------------------------------------------------------- helpers

    /** The pledges' steps of month `m`, on the 22nd to 24th (after the month's trades, books and transfers). */
    async function pledgeScenes(m: number): Promise<void> {
      const filings = PLEDGES.filter((p) => p.month === m);
      const story = PLEDGE_STORY.filter((e) => e.month === m);
      if (!filings.length && !story.length) return;
      const pledgeId = (key: string) => {
        const id = pledgeIds.get(key);
        if (id === undefined) throw new Error(`demo: pledge ${key} not filed yet`);
        return id;
      };
      const pledgeeOf = (key: string) => who[pledgeSpec.get(key)!.pledgee];
      const encode = (fn: string, args: unknown[]) => pledges.interface.encodeFunctionData(fn as any, args as any);
      const sales = story.filter((e) => e.kind === "enforce");
      const saleOrders = new Map<string, { listingId: bigint; orderId?: bigint }>();

      // 22nd 10:00: the pledgors file (the legal registration came first); pledgees release what was repaid.
      chain.at(slot(m, 22, 10));
      for (const p of filings) {
        chain.send(pledges, who[p.pledgor], encode("file", [pledgeTerms(p)]), `file pledge ${p.key}`, (ev) =>
          pledgeIds.set(p.key, eventOf(ev, "PledgeFiled").args.pledgeId),
        );
      }
      for (const e of story) {
        if (e.kind === "release") chain.send(pledges, pledgeeOf(e.pledge), encode("release", [pledgeId(e.pledge)]), `release pledge ${e.pledge}`);
      }
      await chain.flush();
      // 22nd 14:00: the pledgees accept (each then ranks by its registration time); enforcement sales are listed.
      chain.at(slot(m, 22, 14));
      for (const p of filings) chain.send(pledges, who[p.pledgee], encode("accept", [pledgeId(p.key)]), `accept pledge ${p.key}`);
      for (const e of sales) {
        if (e.kind !== "enforce") continue;
        const sale = {
          venueId: registrarIds.get(specOf.get(pledgeSpec.get(e.pledge)!.asset)!.registrar)!,
          price: yuan(e.price),
          deliveryWindow: DELIVERY_WINDOW,
          acceptanceWindow: ACCEPTANCE_WINDOW,
          costs: yuan(e.costs),
          costsEvidenceHash: h(`enforcement costs ${e.pledge}: ${e.costsNote}`),
        };
        chain.send(pledges, pledgeeOf(e.pledge), encode("enforce", [pledgeId(e.pledge), sale]), `enforce pledge ${e.pledge}`, (ev) =>
          saleOrders.set(e.pledge, { listingId: eventOf(ev, "EnforcementListed").args.listingId }),
        );
      }
      await chain.flush();
      // 22nd 16:00: the buyer orders the enforcement sale, paying into escrow as for any listing.
      if (sales.length) {
        chain.at(slot(m, 22, 16));
        for (const e of sales) {
          if (e.kind !== "enforce") continue;
          const sale = saleOrders.get(e.pledge)!;
          chain.send(exchange, who[e.buyer], exchange.interface.encodeFunctionData("order", [sale.listingId, yuan(e.price)]), `order enforcement sale ${e.pledge}`, (ev) => {
            sale.orderId = eventOf(ev, "Ordered").args.orderId;
            enforcementSales++;
          });
        }
        await chain.flush();
      }
      // 23rd: the pledgee declares the default once the term has passed; it delivers the data it sold.
      chain.at(slot(m, 23, 10));
      for (const e of story) {
        if (e.kind === "default") chain.send(pledges, pledgeeOf(e.pledge), encode("declareDefault", [pledgeId(e.pledge)]), `default of pledge ${e.pledge}`);
        if (e.kind === "enforce") {
          const orderId = saleOrders.get(e.pledge)!.orderId!;
          chain.send(pledges, pledgeeOf(e.pledge), encode("deliverEnforcementSale", [pledgeId(e.pledge), orderId, h(`delivery proof order ${orderId}`)]), `deliver enforcement sale ${e.pledge}`);
        }
      }
      await chain.flush();
      // 24th: an arbiter orders the sale; the buyer accepts the enforcement sale (costs, pledgees, the pledgor paid).
      chain.at(slot(m, 24, 10));
      for (const e of story) {
        if (e.kind === "order-sale") chain.send(pledges, who.arbiter, encode("authoriseSale", [pledgeId(e.pledge), h(`ruling ${e.pledge}: ${e.ruling}`)]), `order sale of pledge ${e.pledge}`);
        if (e.kind === "enforce") {
          chain.send(exchange, who[e.buyer], exchange.interface.encodeFunctionData("accept", [saleOrders.get(e.pledge)!.orderId!]), `accept enforcement sale ${e.pledge}`, onOutcome(undefined));
        }
      }
      await chain.flush();

      function pledgeTerms(p: PledgeSpec) {
        const certId = p.certificate ? certIds.get(p.certificate) : 0n;
        if (certId === undefined) throw new Error(`demo: pledge ${p.key} pledges ${p.certificate}, which does not exist yet`);
        return {
          assetId: assetId(p.asset),
          collateral: ord(Enum.Collateral, p.collateral),
          certId,
          debtor: addr(p.pledgor),
          pledgee: addr(p.pledgee),
          token: tokenAddress,
          securedAmount: yuan(p.amount),
          scope: p.scope,
          maximumAmount: false,
          termEnd: slot(m + p.termMonths, 22, 0),
          mainContractHash: h(`main contract ${p.key}: ${p.contract}`),
          licensingAllowed: p.licensingAllowed ?? false,
          selfSaleAllowed: p.selfSaleAllowed ?? false,
          reservePrice: yuan(p.reservePrice ?? 0),
          externalRegistry: encodeBytes32String("PBOC-ZDW"),
          externalNumber: p.registered.number,
          externalRegisteredAt: slot(m, p.registered.day, p.registered.hour, p.registered.minute),
        };
      }
    }

    /** Queues a grant by an asset's holder, or a sublicence under an earlier grant. */
    async function grant(g: GrantSpec, m: number): Promise<void> {
      const id = assetId(g.asset);
      // Sublicences run a stated number of months (possibly from next month); holders grant to the end of the registration.
      const start = g.startsNextMonth ? monthStart(m + 1) : 0;
      const until = g.months ? monthStart(m + (g.startsNextMonth ? 1 : 0) + g.months) : Number((await registry.assetOf(id)).validUntil);
      const terms = {
        assetId: id,
        parentId: g.parent ? certIds.get(g.parent)! : 0n,
        kind: ord(Enum.RightKind, g.kind),
        scopeHash: h(`scope ${g.key}`),
        scopeMask: g.scopeMask,
        validFrom: start,
        validUntil: until,
        sublicensable: g.sublicensable,
        transferable: false,
      };
      chain.send(rights, who[g.by], rights.interface.encodeFunctionData("grant", [terms, addr(g.to)]), `grant ${g.key}`, (ev) =>
        certIds.set(g.key, eventOf(ev, "RightGranted").args.certId),
      );
    }

    function listingTerms(l: ListingSpec): IDataExchange.ListingTermsStruct {
      const holding = l.offer === "HoldingTransfer";
      const sellerCertId = l.via ? certIds.get(l.via) : 0n;
      if (sellerCertId === undefined) throw new Error(`demo: listing ${l.key} sells under ${l.via}, which does not exist yet`);
      return {
        assetId: assetId(l.asset),
        sellerCertId,
        venueId: registrarIds.get(l.venue)!,
        offer: ord(Enum.Offer, l.offer),
        token: tokenAddress,
        price: yuan(l.price),
        maxQuantity: holding ? 1 : (l.maxQuantity ?? 0),
        licenceTerm: holding ? 0 : (l.termDays ?? 365) * DAY,
        scopeHash: holding ? ZeroHash : h(`licence scope ${l.key}`),
        scopeMask: l.scopeMask ?? 0,
        licenceSublicensable: l.sublicensable ?? false,
        licenceTransferable: l.transferable ?? false,
        merchant: l.merchantBps ? addr("merchant") : ZeroAddress,
        merchantBps: l.merchantBps ?? 0,
        deliveryWindow: DELIVERY_WINDOW,
        acceptanceWindow: ACCEPTANCE_WINDOW,
      };
    }

    function book(b: (typeof BOOKS)[number], op: BookOp, date: number): void {
      const by = who[b.by === "accountant" ? "accountant" : b.entity];
      const evidence = h(`book ${b.key} ${op.op} ${date}: ${op.memo}`);
      const id = bookIds.get(b.key);
      if (op.op !== "recognise" && id === undefined) throw new Error(`demo: book ${b.key} has an entry before its recognition`);
      const what = `book ${b.key}: ${op.op}`;
      switch (op.op) {
        case "recognise": {
          const data = op.awaitingUse
            ? ledger.interface.encodeFunctionData("recogniseAwaitingUse", [
                addr(b.entity), assetId(b.asset), ord(Enum.CostSource, op.source), 0, tokenAddress, date, evidence,
              ])
            : ledger.interface.encodeFunctionData("recognise", [
                addr(b.entity), assetId(b.asset), ord(Enum.Category, op.category), ord(Enum.CostSource, op.source), op.lifeMonths, 0, tokenAddress, date, evidence,
              ]);
          chain.send(ledger, by, data, what, (ev) => bookIds.set(b.key, eventOf(ev, "BookOpened").args.bookId));
          return;
        }
        case "cost": {
          const orderId = op.trade ? orderIds.get(op.trade)! : 0n;
          const data = ledger.interface.encodeFunctionData("addCost", [
            id!, yuan(op.amount), ord(Enum.CostSource, op.source), ord(Enum.CostPhase, op.phase ?? "None"), date, orderId, evidence,
          ]);
          chain.send(ledger, by, data, what);
          return;
        }
        case "ready":
          chain.send(ledger, by, ledger.interface.encodeFunctionData("readyForUse", [id!, op.lifeMonths, date, evidence]), what);
          return;
        case "impair":
          chain.send(ledger, by, ledger.interface.encodeFunctionData("impair", [id!, yuan(op.amount), date, evidence]), what);
          return;
        case "reverse":
          chain.send(ledger, by, ledger.interface.encodeFunctionData("reverseWriteDown", [id!, yuan(op.amount), date, evidence]), what);
          return;
        case "derecognise":
          chain.send(ledger, by, ledger.interface.encodeFunctionData("derecognise", [id!, ord(Enum.DerecognitionReason, op.reason), yuan(op.proceeds), date, evidence]), what);
          return;
      }
    }

    async function summarise(): Promise<DemoSummary> {
      const head = Number(await rpc("eth_blockNumber"));
      const addresses = [registry, rights, exchange, ledger, pledges].map((c) => String(c.target));
      const logs = await rpc<RpcLog[]>("eth_getLogs", [{ fromBlock: hex(record.startBlock), toBlock: hex(head), address: addresses }]);
      const eventsByName: Record<string, number> = {};
      for (const e of chain.parse(logs)) eventsByName[e.name] = (eventsByName[e.name] ?? 0) + 1;

      const assets: DemoSummary["assets"] = {};
      const statusCount = { Active: 0, Rejected: 0, Cancelled: 0 } as Record<string, number>;
      for (const a of ASSETS) {
        const id = assetId(a.key);
        const s = await registry.assetOf(id);
        const status = Enum.nameOf(Enum.Status, Number(s.status));
        statusCount[status] = (statusCount[status] ?? 0) + 1;
        assets[a.key] = {
          id: Number(id),
          name: a.name,
          holder: s.approvedAt > 0n ? await registry.holderOf(id) : null,
          status,
          registrationNumber: await registry.registrationNumber(id),
        };
      }
      const books: DemoSummary["books"] = {};
      for (const b of BOOKS) {
        const id = bookIds.get(b.key)!;
        const stored = await ledger.bookOf(id);
        books[b.key] = { id: Number(id), entity: stored.entity, assetId: Number(stored.assetId), category: Enum.nameOf(Enum.Category, Number(stored.category)) };
      }
      const n = (key: string) => assets[key].id;
      const pledgeSummary: DemoSummary["pledges"] = {};
      const pledgeStatus = { Live: 0, Defaulted: 0, Released: 0, Enforced: 0 } as Record<string, number>;
      for (const p of PLEDGES) {
        const id = pledgeIds.get(p.key)!;
        const stored = await pledges.pledgeOf(id);
        const status = ["None", "Filed", "Live", "Defaulted", "Released", "Enforced", "Voided", "Withdrawn"][Number(stored.status)];
        pledgeStatus[status] = (pledgeStatus[status] ?? 0) + 1;
        pledgeSummary[p.key] = {
          id: Number(id),
          asset: p.asset,
          assetId: Number(stored.terms.assetId),
          pledgor: stored.pledgor,
          pledgee: stored.terms.pledgee,
          collateral: p.collateral,
          certId: p.certificate ? Number(stored.terms.certId) : null,
          status,
          rank: Number(await pledges.rankOf(id)),
          securedAmount: stored.terms.securedAmount.toString(),
          reservePrice: stored.terms.reservePrice.toString(),
          received: stored.received.toString(),
          outstanding: (await pledges.outstandingOf(id)).toString(),
        };
      }
      const lastDay = cstDay(endOfMonth(MONTHS - 1));
      const secondHalf = cstDay(monthStart(MONTHS / 2));
      const sandboxValid = cstDay(endOfMonth(6));
      const sandboxRevoked = cstDay(endOfMonth(9));
      const inDevelopment = cstDay(endOfMonth(3));
      const roles = Object.fromEntries(PARTIES.map((p) => [p.key, { address: addr(p.key), name: p.name }])) as DemoSummary["roles"];

      return {
        token: { address: tokenAddress, symbol: "eCNY", decimals: 2 },
        period: { from: cstDay(monthStart(0)), to: lastDay, months: MONTHS, startTime: monthStart(0), endTime: endOfMonth(MONTHS - 1) },
        roles,
        exchanges: EXCHANGES.map((x) => ({
          id: registrarIds.get(x.key)!,
          code: x.code,
          name: PARTIES.find((p) => p.key === x.key)!.name,
          noticeDays: x.noticeDays,
          feeBps: x.feeBps,
          treasury: addr(x.key),
        })),
        assets,
        keyAssets: {
          publicData: n("A1"),
          publicDataProduct: n("P1"),
          sandboxPublicData: n("A5"),
          inspectionProduct: n("I2"),
          constructionPool: n("C1"),
          selfDeveloped: n("C3"),
          inventorySold: n("S1"),
          derivedProduct: n("D1"),
          derivedTwice: n("B1"),
          objectionUpheld: n("X1"),
          objectionDismissed: n("C2"),
          rejectedAtReview: n("I5"),
          cancelled: n("S5"),
        },
        pledgedAssets: { revenue: n("F1"), released: n("F2"), enforced: n("F3") },
        pledgedCertificate: { certId: pledgeSummary["bank:T-P2op"].certId!, assetId: n("P2") },
        pledges: pledgeSummary,
        entities: {
          construction: addr("construction"),
          dataService: addr("dataService"),
          inspection: addr("inspection"),
          operator: addr("operator"),
          aiLab: addr("aiLab"),
        },
        books,
        counts: {
          assets: Number(await registry.assetCount()),
          activeAssets: statusCount.Active ?? 0,
          rejectedAssets: statusCount.Rejected ?? 0,
          cancelledAssets: statusCount.Cancelled ?? 0,
          rightsCertificates: Number(await rights.certificateCount()),
          listings: Number(await exchange.listingCount()),
          orders: Number(await exchange.orderCount()),
          settledTrades: settled,
          refundedOrders: refunded,
          attestations: Number(await ledger.attestationCount()),
          books: Number(await ledger.bookCount()),
          pledges: Number(await pledges.pledgeCount()),
          livePledges: pledgeStatus.Live + pledgeStatus.Defaulted,
          releasedPledges: pledgeStatus.Released,
          enforcedPledges: pledgeStatus.Enforced,
          enforcementSales,
          events: logs.length,
          blocks: chain.blocks,
          transactions: chain.transactions,
        },
        eventsByName,
        queries: exampleQueries({
          inspectionProduct: n("I2"),
          constructionPool: n("C1"),
          publicData: n("A1"),
          sandbox: n("A5"),
          derived: n("D1"),
          construction: addr("construction"),
          dataService: addr("dataService"),
          authority: addr("authority"),
          lastDay,
          secondHalf,
          sandboxValid,
          sandboxRevoked,
          inDevelopment,
          boughtBook: Number(bookIds.get("aiS1")!),
        }),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
    }
  }
}

/** GraphQL queries (api/schema.graphql) that show the demo off, with the demo's ids, addresses and dates. */
function exampleQueries(x: {
  inspectionProduct: number;
  constructionPool: number;
  publicData: number;
  sandbox: number;
  derived: number;
  construction: string;
  dataService: string;
  authority: string;
  lastDay: string;
  secondHalf: string;
  sandboxValid: string;
  sandboxRevoked: string;
  inDevelopment: string;
  boughtBook: number;
}): Record<string, string> {
  const amount = "{ value raw }";
  const sheet = `{ currency { symbol } inventory ${amount} intangible ${amount} development ${amount} rows { bookId asset { id name } category source cost ${amount} accumulatedAmortisation ${amount} impairment ${amount} carryingAmount ${amount} } }`;
  const table = `{ title rows { key section label purchased ${amount} selfDeveloped ${amount} other ${amount} total ${amount} } }`;
  const right = `{ id kind holder grantor issuedBy depth scopeMask validFrom validUntil sublicensable revokedAt revokeReason valid parent { id } }`;
  return {
    provenance: `{
  asset(id: "${x.inspectionProduct}") { name registrationNumber status holder registrar { code } versions { version contentHash addedAt current } objections { upheld } }
  provenance(assetId: "${x.inspectionProduct}", first: 100) { totalCount nodes { name category args chain { blockNumber txHash time } } }
}`,
    balanceSheet: `{ balanceSheet(entity: "${x.construction}", asOf: "${x.lastDay}") ${sheet} }`,
    balanceSheetDuringDevelopment: `{ balanceSheet(entity: "${x.construction}", asOf: "${x.inDevelopment}") ${sheet} }`,
    disclosure: `{ disclosure(entity: "${x.dataService}", from: "${x.secondHalf}", to: "${x.lastDay}") { currency { symbol } checksPass inventory ${table} intangible ${table} } }`,
    disclosureConstruction: `{ disclosure(entity: "${x.construction}", from: "${x.secondHalf}", to: "${x.lastDay}") { checksPass intangible ${table} researchAndDevelopment { expensed ${amount} capitalised ${amount} total ${amount} } } }`,
    valuation: `{
  valuation(assetId: "${x.constructionPool}", asOf: "${x.lastDay}") {
    token { symbol }
    appraisals { method value ${amount} valuationDate superseded }
    cost { computed value ${amount} reason inputs }
    market { computed value ${amount} reason inputs }
    income { computed value ${amount} reason inputs }
  }
}`,
    valuationByLicences: `{
  valuation(assetId: "${x.inspectionProduct}", asOf: "${x.lastDay}", params: { offer: "ProcessingUse", monthlyPriceGrowth: "0.005" }) {
    appraisals { method value ${amount} valuationDate }
    cost { computed value ${amount} reason }
    market { computed value ${amount} reason inputs }
    income { computed value ${amount} reason }
  }
}`,
    rightsValidAt: `{ rights(assetId: "${x.publicData}", validAt: "${x.lastDay}", first: 50) { nodes ${right} } }`,
    sandboxRightsBeforeRevocation: `{ rights(assetId: "${x.sandbox}", validAt: "${x.sandboxValid}") { nodes ${right} } }`,
    sandboxRightsAfterRevocation: `{ rights(assetId: "${x.sandbox}", validAt: "${x.sandboxRevoked}") { nodes ${right} } }`,
    royalties: `{
  asset(id: "${x.derived}") { name parents { shareBps asset { id name holder } } royalties { depth percent asset { id name } } }
  settlements(where: { assetId: "${x.derived}" }, first: 10) { nodes { buyer gross ${amount} exchangeFee ${amount} merchantCommission ${amount} royaltyTotal ${amount} sellerNet ${amount} lines { kind payee sourceAsset { id } amount ${amount} } } }
}`,
    boughtThenReady: `{
  book(id: "${x.boughtBook}") {
    entity asset { id name } category source recognisedOn readyOn awaitingUse usefulLifeMonths cost ${amount}
    entries { nodes { seq kind date amount ${amount} orderId orderGross ${amount} recordedBy } }
  }
}`,
    journal: `{ journal(entity: "${x.dataService}", from: "${x.secondHalf}", to: "${x.lastDay}") {
  note totals { currency { symbol } vouchers lines debit ${amount} credit ${amount} }
  vouchers { number date kind summary lines { account { code name } debit ${amount} credit ${amount} registrationNumber bookId evidence { txHash } } }
} }`,
    trialBalance: `{ trialBalance(entity: "${x.construction}", asOf: "${x.lastDay}") { currency { symbol } note accounts { code name closingDebit ${amount} closingCredit ${amount} } checksPass checks { name expected actual ok } } }`,
    authorityCredits: `{ credits(account: "${x.authority}") { token { symbol } credited ${amount} withdrawn ${amount} balance ${amount} } }`,
    rejected: `{ assets(where: { status: REJECTED }) { totalCount nodes { id name endReason objections { objector upheld resolvedAt } } } }`,
  };
}
