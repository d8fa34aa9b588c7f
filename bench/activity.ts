// Realistic mixed activity at scale on the current Hardhat network, for indexer benchmarks and crash tests.
//
// Deploys the contracts, then runs "waves": each wave is a batch of independent transactions whose preconditions
// were all met by earlier waves (approve after the notice, order after the listing, deliver after the order...),
// sent with explicit nonces from many signers without waiting for receipts, and mined with evm_mine in blocks of
// at most `txsPerBlock`. Chain time moves WAVE seconds between waves; every block's timestamp is set explicitly,
// so deadlines are exact and a seed reproduces the activity. After each wave every transaction is checked: a
// reverted one stops the run with its decoded reason, because the model below would no longer match the chain.
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { AbiCoder, Interface, MaxUint256, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { deployContracts, type Deployment } from "../scripts/deploy";
import { SettlementToken__factory } from "../typechain-types";
import { rpc } from "./hardhatRpc";

const HOUR = 3600;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
/** Chain time between waves: a 1-day notice ends two waves after the submission. */
const WAVE = 12 * HOUR;
/** 2024-01-01 00:00 UTC+8: no ledger entry may be dated earlier (AssetLedger.RULES_EFFECTIVE). */
const RULES_EFFECTIVE = 1_704_038_400;
/** Registrars (also the exchange's venues): id, code, notice period, venue fee. */
const REGISTRARS = [
  { id: 1, code: "SZDE", notice: 1 * DAY, feeBps: 100 },
  { id: 2, code: "BJIDEX", notice: 2 * DAY, feeBps: 50 },
] as const;
const DELIVERY_WINDOW = 3 * DAY;
const ACCEPTANCE_WINDOW = 1 * DAY;
const LICENCE_TERM = YEAR;
const SUBLICENCE_TERM = 60 * DAY;
/** Gas limits are given explicitly so nothing is estimated; generous, since only gas used is paid. */
const GAS = { small: 600_000, submit: 1_500_000, settle: 1_500_000 } as const;
const MAX_FEE = 1000n * 10n ** 9n;

export interface ActivityOptions {
  /** Stop after at least this many events from the contracts (DataAssetRegistry, RightsCertificate, DataExchange, AssetLedger, PledgeRegistry). */
  targetEvents: number;
  /** At least 12 Hardhat-managed accounts; default: all of ethers.getSigners(). */
  signers?: HardhatEthersSigner[];
  /** Most transactions per block (fewer means more blocks for the same events). */
  txsPerBlock?: number;
  /** New registrations per wave; every other action scales with it. */
  assetsPerWave?: number;
  seed?: number;
  log?: (message: string) => void;
  /** Also run until at least this many registrations were submitted (default 0: `targetEvents` alone decides). */
  targetAssets?: number;
  /** Registrations submitted per wave (default `assetsPerWave`); more makes a registry-heavy chain, while every other
   *  action still scales with `assetsPerWave`. */
  registrationsPerWave?: number;
  /** A "whale": the first entity applies for a larger share of registrations and books (recognises, then records
   *  the acquisition cost of) its licence assets, one book each, until at least this many of those books are open;
   *  the run lasts until they are and have their cost. Default 0: no whale. */
  whaleBooks?: number;
  /** A busy asset: the whale's first licence asset (else the first licence asset) gets an attestation, a grant and
   *  an order every wave until at least this many of those transactions are mined; the run lasts until they are.
   *  Default 0: none. */
  busyAssetTransactions?: number;
}

export interface ActivityProgress {
  wave: number;
  events: number;
  transactions: number;
  blocks: number;
  seconds: number;
}

export interface ActivityResult {
  record: Deployment;
  /** Logs emitted by the contracts, from their deployment to the head. */
  events: number;
  /** Of those, the pledge registry's (an indexer from before pledges does not read them). */
  pledgeEvents: number;
  /** Blocks from the deployment block to the head, inclusive. */
  blocks: number;
  /** Transactions sent by the generator (after deployment). */
  transactions: number;
  head: number;
  seconds: number;
  /** Event count by name, to show the mix. */
  byName: Record<string, number>;
  /** Registrations submitted. */
  assets: number;
  /** With `whaleBooks`: the whale's address and its books open at the end (opened by the whale pass, not derecognised). */
  whale?: { address: string; openBooks: number };
  /** With `busyAssetTransactions`: the busy asset and how many transactions about it were mined (each emits at
   *  least one event the indexer files under the asset, so this is a lower bound of its provenance). */
  busyAsset?: { id: number; transactions: number };
}

/** Runs the activity to the end and returns its summary (the generator's return value). */
export async function generateActivity(opts: ActivityOptions): Promise<ActivityResult> {
  const it = activity(opts);
  for (;;) {
    const step = await it.next();
    if (step.done) return step.value;
  }
}

// ---------------------------------------------------------------- plumbing

interface RpcLog {
  address: string;
  topics: string[];
  data: string;
}
interface Receipt {
  transactionHash: string;
  blockNumber: string;
  transactionIndex: string;
  status: string;
  logs: RpcLog[];
}
interface Tx {
  from: string;
  to: string;
  data: string;
  gas: number;
  what: string;
  /** Called in execution order once the wave is mined, with the receipt and its block's timestamp. */
  done?: (r: Receipt, ts: number) => void;
  /** About the busy asset (counted once mined). */
  busy?: boolean;
}

const hex = (n: number | bigint) => "0x" + n.toString(16);

/** mulberry32: small, fast, and reproducible from a seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick<T>(xs: readonly T[]): T {
      return xs[Math.floor(next() * xs.length)];
    },
  };
}

const TOPICS = [
  "Municipal inspection records",
  "Port container throughput",
  "Retail foot traffic",
  "Grid load curves",
  "Hospital bed occupancy",
  "Freight truck trajectories",
  "Agricultural soil moisture",
  "Public transit ridership",
  "Air quality readings",
  "Credit card spend by district",
  "Weather radar mosaics",
  "Factory energy metering",
];

// ---------------------------------------------------------------- model

type AssetRole = "licence" | "sale" | "doomed" | "withdraw" | "reject" | "object";
interface Asset {
  id: number;
  applicant: string;
  holder: string;
  registrar: 1 | 2;
  role: AssetRole;
  status: "notice" | "active" | "ended";
  noticeEndsAt: number;
  validUntil: number;
  validity: number;
  submittedWave: number;
  approvedWave: number;
  /** Upper bound of its royalty table's length (merging ancestors only shortens it). */
  royaltyLen: number;
  objection: "none" | "filing" | "open" | "resolving" | "dismissed";
  objectionId: number;
  listings: number;
  /** Sale assets: "exchange" sells the holding right on the exchange, "registrar" moves it by request. */
  saleStage: "idle" | "busy" | "done";
}
interface Cert {
  id: number;
  assetId: number;
  owner: string;
  grantor: string;
  kind: 0 | 1;
  scopeMask: number;
  validUntil: number;
  depth: number;
  /** What happens to it later: nothing, resold (sublicence listings and grants), moved, or revoked. */
  purpose: "plain" | "resell" | "transfer" | "revoke";
  approved?: boolean;
}
interface Listing {
  id: number;
  assetId: number;
  seller: string;
  price: bigint;
  offer: 0 | 1 | 2;
  scopeMask: number;
  sublicensable: boolean;
  sellerCertId: number;
}
type OrderPlan = "accept" | "settle" | "dispute" | "undelivered";
interface Order {
  id: number;
  listing: Listing;
  buyer: string;
  price: bigint;
  plan: OrderPlan;
  orderedAt: number;
  deliveredAt: number;
}
interface Attestation {
  id: number;
  assetId: number;
  kind: 0 | 1 | 2;
  author: string;
}
interface Book {
  id: number;
  entity: string;
  recorder: string;
  category: 0 | 1 | 2; // Intangible, Inventory, Development
  cost: bigint;
  impairment: bigint;
  lastDate: number;
  /** Opened by the whale pass (counted while open). */
  whale?: boolean;
}

/** Yields progress after each wave (at most once a second) and returns the summary. Leaves automine on. */
export async function* activity(opts: ActivityOptions): AsyncGenerator<ActivityProgress, ActivityResult> {
  const gasLimit = Number((await rpc("eth_getBlockByNumber", ["latest", false])).gasLimit);
  try {
    return yield* waves(opts);
  } finally {
    // Also after a failure, so later users of this network (other tests) get blocks mined as usual.
    await rpc("evm_setAutomine", [true]);
    await rpc("evm_setBlockGasLimit", [hex(gasLimit)]); // applies to later blocks only; mines nothing
  }
}

async function* waves(opts: ActivityOptions): AsyncGenerator<ActivityProgress, ActivityResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const S = opts.assetsPerWave ?? 40;
  // Small blocks: mining a block makes EDR return every transaction's step trace at once (~1 MB each), so big
  // blocks cost memory it keeps; 25 per block measured fastest (~900 events/s) and kept memory low.
  const txsPerBlock = opts.txsPerBlock ?? 25;
  const rnd = prng(opts.seed ?? 1);
  const signers = opts.signers ?? (await ethers.getSigners());
  if (signers.length < 12) throw new Error(`generateActivity needs at least 12 signers, got ${signers.length}`);
  const addr = signers.map((s) => s.address);
  const at = (i: number) => addr[i % addr.length];

  // Who does what. With 20 accounts: 0 admin and arbiter, 1-2 registrar operators (also venue treasuries),
  // 3-8 entities holding assets, 9-13 buyers and licensees, 14-15 assessors, 16 appraiser, 17 accountant,
  // 18 data merchant, 19 an auditor whose authorisation entities switch on and off.
  const admin = addr[0];
  const operator = { 1: addr[1], 2: addr[2] } as Record<1 | 2, string>;
  const wide = addr.length >= 20;
  const entities = wide ? addr.slice(3, 9) : [at(3), at(4), at(5)];
  const buyers = wide ? addr.slice(9, 14) : [at(6), at(7), at(8)];
  const assessors = wide ? [addr[14], addr[15]] : [at(9), at(9)];
  const appraiser = wide ? addr[16] : at(10);
  const accountant = wide ? addr[17] : at(11);
  const merchant = wide ? addr[18] : at(11);
  const auditor = wide ? addr[19] : at(10);
  const everyone = [...new Set([admin, operator[1], operator[2], ...entities, ...buyers, ...assessors, appraiser, accountant, merchant, auditor])];

  // Deployment with automine on (deployContracts waits for receipts), then batched mining.
  await rpc("evm_setAutomine", [true]);
  const previousGasLimit = Number((await rpc("eth_getBlockByNumber", ["latest", false])).gasLimit);
  const { registry, rights, exchange, ledger, pledges, record } = await deployContracts(signers[0]);
  const tokenA = await new SettlementToken__factory(signers[0]).deploy("Digital Yuan (bench)", "eCNY", 2, admin);
  const tokenB = await new SettlementToken__factory(signers[0]).deploy("Dollar Stable (bench)", "USDS", 6, admin);
  await Promise.all([tokenA.waitForDeployment(), tokenB.waitForDeployment()]);
  const A = {
    registry: await registry.getAddress(),
    rights: await rights.getAddress(),
    exchange: await exchange.getAddress(),
    ledger: await ledger.getAddress(),
    pledges: await pledges.getAddress(),
    tokenA: await tokenA.getAddress(),
    tokenB: await tokenB.getAddress(),
  };
  const I = {
    registry: registry.interface as unknown as Interface,
    rights: rights.interface as unknown as Interface,
    exchange: exchange.interface as unknown as Interface,
    ledger: ledger.interface as unknown as Interface,
    pledges: pledges.interface as unknown as Interface,
    token: tokenA.interface as unknown as Interface,
  };
  const ours = new Map<string, Interface>([
    [A.registry.toLowerCase(), I.registry],
    [A.rights.toLowerCase(), I.rights],
    [A.exchange.toLowerCase(), I.exchange],
    [A.ledger.toLowerCase(), I.ledger],
    [A.pledges.toLowerCase(), I.pledges], // its role grants at deployment: the indexer holds them too
  ]);
  const topic = (iface: Interface, name: string) => iface.getEvent(name)!.topicHash;
  const T = {
    submitted: topic(I.registry, "RegistrationSubmitted"),
    objected: topic(I.registry, "ObjectionFiled"),
    granted: topic(I.rights, "RightGranted"),
    listed: topic(I.exchange, "Listed"),
    ordered: topic(I.exchange, "Ordered"),
    settled: topic(I.exchange, "Settled"),
    attested: ["ComplianceAttested", "QualityAttested", "AppraisalAttested"].map((n) => topic(I.ledger, n)),
    bookOpened: topic(I.ledger, "BookOpened"),
  };
  const byTopic = new Map<string, string>();
  for (const iface of ours.values()) iface.forEachEvent((e) => byTopic.set(e.topicHash, e.name));
  /** The id in topic 1 of the first log of `topicHash` from `address` in a receipt. */
  const idIn = (r: Receipt, address: string, topicHash: string): number => {
    const l = r.logs.find((x) => x.address.toLowerCase() === address.toLowerCase() && x.topics[0] === topicHash);
    if (!l) throw new Error(`no ${byTopic.get(topicHash)} log in ${r.transactionHash}`);
    return Number(BigInt(l.topics[1]));
  };

  // Count what deployment already emitted (constructor role grants, the exchange's roles).
  let head = Number(await rpc("eth_blockNumber"));
  const byName: Record<string, number> = {};
  let events = 0;
  let pledgeEvents = 0;
  const countLogs = (logs: RpcLog[]) => {
    for (const l of logs) {
      if (!ours.has(l.address.toLowerCase())) continue;
      events++;
      if (l.address.toLowerCase() === A.pledges.toLowerCase()) pledgeEvents++;
      const name = byTopic.get(l.topics[0]) ?? "Unknown";
      byName[name] = (byName[name] ?? 0) + 1;
    }
  };
  countLogs(await rpc<RpcLog[]>("eth_getLogs", [{ fromBlock: hex(record.startBlock), toBlock: hex(head), address: [...ours.keys()] }]));

  await rpc("evm_setAutomine", [false]);
  await rpc("evm_setBlockGasLimit", [hex(Math.max(previousGasLimit, txsPerBlock * GAS.submit + 10_000_000))]);
  let ts = Number((await rpc("eth_getBlockByNumber", ["latest", false])).timestamp);
  const nonces = new Map<string, number>();
  for (const a of everyone) nonces.set(a, Number(await rpc("eth_getTransactionCount", [a, "pending"])));
  let transactions = 0;
  let busyTransactions = 0;

  /** Why a mined transaction reverted: replays it on the state before its block and decodes the error. */
  const revertReason = async (tx: Tx, r: Receipt): Promise<string> => {
    try {
      await rpc("eth_call", [{ from: tx.from, to: tx.to, data: tx.data, gas: hex(tx.gas) }, hex(Number(r.blockNumber) - 1)]);
      return "succeeds when replayed on the previous block: it depended on another transaction of its block";
    } catch (err: any) {
      const data: string | undefined = err?.data?.data ?? err?.data ?? /0x[0-9a-f]{8,}/i.exec(String(err?.message))?.[0];
      for (const iface of [...ours.values(), I.token]) {
        try {
          const e = iface.parseError(typeof data === "string" ? data : "0x");
          if (e) return `${e.name}(${e.args.map(String).join(", ")})`;
        } catch {
          // not this contract's error
        }
      }
      return String(err?.message ?? err);
    }
  };

  /** Sends a wave in blocks of txsPerBlock, the first `gap` seconds after the previous block; fails on any revert. */
  const runWave = async (txs: Tx[], gap: number): Promise<void> => {
    const hashes: string[] = [];
    const blockTime = new Map<number, number>();
    const firstBlock = head + 1;
    for (let i = 0; i < txs.length; i += txsPerBlock) {
      const chunk = txs.slice(i, i + txsPerBlock);
      // One at a time: with concurrent eth_sendTransaction requests (and big blocks) Hardhat's EDR kept ~1 MB
      // per transaction for good (24 GB by 40,000 events); in sequence and small blocks it stays at a few GB.
      for (const tx of chunk) {
        const nonce = nonces.get(tx.from);
        if (nonce === undefined) throw new Error(`no nonce for ${tx.from}`);
        nonces.set(tx.from, nonce + 1);
        hashes.push(
          await rpc<string>("eth_sendTransaction", [
            { from: tx.from, to: tx.to, data: tx.data, gas: hex(tx.gas), nonce: hex(nonce), maxFeePerGas: hex(MAX_FEE), maxPriorityFeePerGas: "0x1" },
          ]),
        );
      }
      ts += i === 0 ? gap : 1;
      await rpc("evm_mine", [ts]);
      head++;
      blockTime.set(head, ts);
      const block = await rpc("eth_getBlockByNumber", [hex(head), false]);
      if (Number(block.timestamp) !== ts || block.transactions.length !== chunk.length) {
        throw new Error(`block ${head} holds ${block.transactions.length} of ${chunk.length} transactions sent (timestamp ${Number(block.timestamp)}, wanted ${ts})`);
      }
    }
    transactions += txs.length;
    // One eth_getLogs for the wave instead of a receipt per transaction: every transaction sent here emits at
    // least one event when it succeeds, so only those without logs need their receipt looked at.
    const logs = await rpc<(RpcLog & { transactionHash: string; transactionIndex: string; blockNumber: string })[]>("eth_getLogs", [
      { fromBlock: hex(firstBlock), toBlock: hex(head) },
    ]);
    const byTx = new Map<string, typeof logs>();
    for (const l of logs) {
      const key = l.transactionHash.toLowerCase();
      const list = byTx.get(key);
      if (list) list.push(l);
      else byTx.set(key, [l]);
    }
    const mined: { tx: Tx; r: Receipt }[] = [];
    for (let i = 0; i < txs.length; i++) {
      const txLogs = byTx.get(hashes[i].toLowerCase());
      if (!txLogs) {
        const r = await rpc<Receipt>("eth_getTransactionReceipt", [hashes[i]]);
        if (r?.status === "0x1") continue; // succeeded without events (nothing in this generator does)
        throw new Error(
          `activity: "${txs[i].what}" from ${txs[i].from} reverted in block ${Number(r?.blockNumber)} (${hashes[i]}): ${r ? await revertReason(txs[i], r) : "not mined"}`,
        );
      }
      const { blockNumber, transactionIndex } = txLogs[0];
      mined.push({ tx: txs[i], r: { transactionHash: hashes[i], blockNumber, transactionIndex, status: "0x1", logs: txLogs } });
    }
    mined.sort((a, b) => Number(a.r.blockNumber) - Number(b.r.blockNumber) || Number(a.r.transactionIndex) - Number(b.r.transactionIndex));
    for (const { r, tx } of mined) {
      countLogs(r.logs);
      if (tx.busy) busyTransactions++;
      tx.done?.(r, blockTime.get(Number(r.blockNumber))!);
    }
  };

  const call = (to: string, iface: Interface, fn: string, args: unknown[], from: string, what: string, gas: number = GAS.small, done?: Tx["done"]): Tx => ({
    from,
    to,
    data: iface.encodeFunctionData(fn, args),
    gas,
    what,
    done,
  });
  const reg = (fn: string, args: unknown[], from: string, gas?: number, done?: Tx["done"]) => call(A.registry, I.registry, fn, args, from, `registry.${fn}`, gas, done);
  const rts = (fn: string, args: unknown[], from: string, gas?: number, done?: Tx["done"]) => call(A.rights, I.rights, fn, args, from, `rights.${fn}`, gas, done);
  const dex = (fn: string, args: unknown[], from: string, gas?: number, done?: Tx["done"]) => call(A.exchange, I.exchange, fn, args, from, `exchange.${fn}`, gas, done);
  const led = (fn: string, args: unknown[], from: string, gas?: number, done?: Tx["done"]) => call(A.ledger, I.ledger, fn, args, from, `ledger.${fn}`, gas, done);

  let hashCounter = 0;
  const seedTag = opts.seed ?? 1;
  const newHash = (label: string) => keccak256(toUtf8Bytes(`${label}:${seedTag}:${++hashCounter}`));

  // ---------------------------------------------------------------- set-up wave
  const coder = AbiCoder.defaultAbiCoder();
  const role = (name: string) => keccak256(toUtf8Bytes(name));
  const registrarRole = (id: number) => keccak256(coder.encode(["string", "uint16"], ["REGISTRAR_ROLE", id]));
  const setup: Tx[] = [];
  for (const r of REGISTRARS) setup.push(reg("addRegistrar", [r.code, r.notice], admin));
  for (const r of REGISTRARS) setup.push(reg("grantRole", [registrarRole(r.id), operator[r.id]], admin));
  for (const r of REGISTRARS) setup.push(dex("setVenue", [r.id, operator[r.id], r.feeBps], admin));
  for (const t of [A.tokenA, A.tokenB]) setup.push(dex("setTokenAllowed", [t, true], admin));
  setup.push(dex("grantRole", [role("ARBITER_ROLE"), admin], admin));
  for (const a of new Set(assessors)) setup.push(led("grantRole", [role("ASSESSOR_ROLE"), a], admin));
  setup.push(led("grantRole", [role("APPRAISER_ROLE"), appraiser], admin));
  for (const b of buyers) {
    for (const t of [A.tokenA, A.tokenB]) {
      setup.push(call(t, I.token, "mint", [b, 10n ** 30n], admin, "token.mint"));
      setup.push(call(t, I.token, "approve", [A.exchange, MaxUint256], b, "token.approve"));
    }
  }
  for (const e of new Set([...entities, ...buyers])) if (e !== accountant) setup.push(led("setAccountant", [accountant, true], e));
  await runWave(setup, 1);
  // Registrar ids are assigned in order; check, since everything below relies on them.
  for (const r of REGISTRARS) {
    const got = I.registry.decodeFunctionResult("registrar", await rpc("eth_call", [{ to: A.registry, data: I.registry.encodeFunctionData("registrar", [r.id]) }, "latest"]))[0];
    if (got.code !== r.code) throw new Error(`registrar ${r.id} is ${got.code}, expected ${r.code}`);
  }

  // ---------------------------------------------------------------- state
  const inNotice: Asset[] = [];
  const licence: Asset[] = []; // active, never moved or ended: granted, listed, parents of derived assets
  const owned: Asset[] = []; // active assets whose holder may change metadata, versions, renewal
  const sales: Asset[] = [];
  const doomed: Asset[] = [];
  const allAssets: Asset[] = [];
  const assetById = new Map<number, Asset>();
  const pendingTransfers: { asset: Asset; to: string; evidence: string; wave: number }[] = [];
  const certs = { resell: [] as Cert[], transfer: [] as Cert[], revoke: [] as Cert[] };
  const resellable: Cert[] = []; // rights to sublicense that are not listed yet
  const listings: Listing[] = []; // open for orders
  const paid: Order[] = [];
  const delivered: Order[] = [];
  const disputed: Order[] = [];
  /** Settled orders by buyer: a cost may link only an order its book's entity bought (AssetLedger checks it). */
  const settledOrdersOf = new Map<string, number[]>();
  const openAttestations: Attestation[] = [];
  const books: Book[] = [];
  let auditorOn = false;
  // Whale and busy asset (only with their options; otherwise nothing below touches the generator's stream).
  const whale = (opts.whaleBooks ?? 0) > 0 ? entities[0] : null;
  const whaleUnbooked: Asset[] = []; // the whale's approved licence assets it has not booked yet
  const whaleCosts: Book[] = []; // whale books waiting for their acquisition cost
  let whaleOpen = 0;
  let busyAsset: Asset | null = null;
  const targets = () =>
    events >= opts.targetEvents &&
    allAssets.length >= (opts.targetAssets ?? 0) &&
    whaleOpen >= (opts.whaleBooks ?? 0) &&
    whaleCosts.length === 0 && // every whale book has its acquisition cost
    busyTransactions >= (opts.busyAssetTransactions ?? 0);

  const creditsOf = async (): Promise<{ account: string; token: string }[]> => {
    const pairs = everyone.flatMap((account) => [A.tokenA, A.tokenB].map((token) => ({ account, token })));
    const owed: { account: string; token: string }[] = [];
    for (const p of pairs) {
      const value = await rpc<string>("eth_call", [{ to: A.exchange, data: I.exchange.encodeFunctionData("creditOf", [p.account, p.token]) }, "latest"]);
      if (BigInt(value) > 0n) owed.push(p);
    }
    return owed;
  };

  const priceFor = (token: string) => (token === A.tokenA ? BigInt(rnd.int(1_000, 500_000)) * 100n : BigInt(rnd.int(10, 50_000)) * 1_000_000n);
  const otherThan = (pool: string[], not: string) => {
    const choices = pool.filter((x) => x !== not);
    return rnd.pick(choices);
  };
  const registrarOf = (a: Asset) => operator[a.registrar];
  const listingTerms = (
    assetId: number,
    sellerCertId: number,
    offer: number,
    token: string,
    price: bigint,
    licenceTerm: number,
    scopeHash: string,
    scopeMask: number,
    licenceSublicensable: boolean,
    licenceTransferable: boolean,
    withMerchant: boolean,
  ) => ({
    assetId,
    sellerCertId,
    venueId: rnd.pick(REGISTRARS).id,
    offer,
    token,
    price,
    maxQuantity: offer === 2 ? 1 : 0,
    licenceTerm,
    scopeHash,
    scopeMask,
    licenceSublicensable,
    licenceTransferable,
    merchant: withMerchant ? merchant : ZeroAddress,
    merchantBps: withMerchant ? rnd.int(1, 10) * 100 : 0,
    deliveryWindow: DELIVERY_WINDOW,
    acceptanceWindow: ACCEPTANCE_WINDOW,
  });

  let wave = 0;
  let lastYield = Date.now();
  while (!targets()) {
    if (events > 10 * Math.max(opts.targetEvents, 1_000)) {
      throw new Error(
        `activity: ${events} events and still short of a target (assets ${allAssets.length}/${opts.targetAssets ?? 0}, ` +
          `whale books ${whaleOpen}/${opts.whaleBooks ?? 0}, busy-asset transactions ${busyTransactions}/${opts.busyAssetTransactions ?? 0}); ` +
          `raise registrationsPerWave`,
      );
    }
    wave++;
    const t = ts + WAVE; // timestamp of the wave's first block; later blocks are a second apart
    const later = t + HOUR; // bound for "before a deadline" checks (a wave spans far less than an hour)
    const txs: Tx[] = [];
    const busy = new Set<string>();
    const claim = (key: string) => (busy.has(key) ? false : (busy.add(key), true));
    const credits = await creditsOf();

    // ---- registrations: submissions, some derived from licence assets with revenue shares to their holders
    for (let i = 0; i < (opts.registrationsPerWave ?? S); i++) {
      // The whale applies for a fifth of the registrations on top of its share as one of the entities.
      const applicant = whale && rnd.chance(0.2) ? whale : rnd.pick(entities);
      const roll = rnd.next();
      const role: AssetRole =
        roll < 0.62 ? "licence" : roll < 0.74 ? "sale" : roll < 0.82 ? "doomed" : roll < 0.86 ? "withdraw" : roll < 0.9 ? "reject" : "object";
      const registrar: 1 | 2 = role === "object" ? 2 : rnd.chance(0.7) ? 1 : 2;
      const parents: Asset[] = [];
      if (licence.length > 5 && rnd.chance(0.35)) {
        const want = rnd.int(1, 3);
        let len = 0;
        for (let k = 0; k < want * 3 && parents.length < want; k++) {
          const p = rnd.pick(licence);
          if (parents.includes(p) || len + 1 + p.royaltyLen > 16) continue;
          parents.push(p);
          len += 1 + p.royaltyLen;
        }
      }
      const shares = parents.map(() => rnd.int(3, 25) * 100);
      const validity = rnd.pick([3, 5]) * YEAR;
      const topicName = rnd.pick(TOPICS);
      const s = {
        contentHash: newHash("content"),
        metadataHash: newHash("metadata"),
        metadataURI: `ipfs://bafy${newHash("cid").slice(2, 40)}`,
        name: `${topicName} ${rnd.int(2019, 2026)}${parents.length ? " (derived)" : ""}`,
        kind: parents.length ? 1 : rnd.int(0, 1),
        sourceType: parents.length ? 1 : rnd.int(0, 2),
        sourceEvidenceHash: newHash("evidence"),
        grade: rnd.chance(0.8) ? 0 : 1,
        records: BigInt(rnd.int(1_000, 50_000_000)),
        sizeBytes: BigInt(rnd.int(1, 900_000)) * 1_000_000n,
        updateFrequency: rnd.int(0, 6),
        registrarId: registrar,
        validityPeriod: validity,
        parentIds: parents.map((p) => p.id),
        parentSharesBps: shares,
      };
      const royaltyLen = parents.reduce((n, p, k) => n + (shares[k] ? 1 + p.royaltyLen : 0), 0);
      txs.push(
        reg("submit", [s], applicant, GAS.submit, (r, when) => {
          const asset: Asset = {
            id: idIn(r, A.registry, T.submitted),
            applicant,
            holder: applicant,
            registrar,
            role,
            status: "notice",
            noticeEndsAt: when + REGISTRARS[registrar - 1].notice,
            validUntil: 0,
            validity,
            submittedWave: wave,
            approvedWave: 0,
            royaltyLen,
            objection: "none",
            objectionId: 0,
            listings: 0,
            saleStage: "idle",
          };
          inNotice.push(asset);
          allAssets.push(asset);
          assetById.set(asset.id, asset);
        }),
      );
    }

    // ---- public notice: objections, withdrawals, approvals, rejections
    for (const a of inNotice) {
      if (a.status !== "notice" || !claim(`asset:${a.id}`)) continue;
      if (a.role === "object" && a.objection === "none" && later < a.noticeEndsAt) {
        a.objection = "filing";
        txs.push(
          reg("object", [a.id, newHash("objection")], otherThan(buyers, a.applicant), GAS.small, (r) => {
            a.objectionId = idIn(r, A.registry, T.objected);
            a.objection = "open";
          }),
        );
      } else if (a.objection === "open") {
        const upheld = rnd.chance(0.3);
        a.objection = upheld ? "resolving" : "dismissed";
        if (upheld) a.status = "ended"; // the registry rejects it in the same transaction
        txs.push(reg("resolveObjection", [a.objectionId, upheld, newHash("resolution")], registrarOf(a)));
      } else if (a.role === "withdraw" && later < a.noticeEndsAt) {
        a.status = "ended";
        txs.push(reg("cancel", [a.id, "application withdrawn by the applicant"], a.applicant));
      } else if (t >= a.noticeEndsAt && (a.objection === "none" || a.objection === "dismissed")) {
        if (a.role === "reject") {
          a.status = "ended";
          txs.push(reg("rejectRegistration", [a.id, "source evidence does not establish lawful collection"], registrarOf(a)));
        } else {
          a.status = "active"; // not yet usable: the pools below are filled once the approval is mined
          txs.push(
            reg("approveRegistration", [a.id], registrarOf(a), GAS.small, (_r, when) => {
              a.validUntil = when + a.validity;
              a.approvedWave = wave;
              if (a.role === "sale") sales.push(a);
              else if (a.role === "doomed") doomed.push(a);
              else licence.push(a);
              if (a.role !== "sale" && a.role !== "doomed") {
                if (a.holder === whale) whaleUnbooked.push(a);
                if (opts.busyAssetTransactions && !busyAsset && (!whale || a.holder === whale)) busyAsset = a;
              }
              if (a.role !== "doomed") owned.push(a);
            }),
          );
        }
      }
    }
    // Forget assets whose notice is over for good (approved, rejected, withdrawn).
    for (let i = inNotice.length - 1; i >= 0; i--) if (inNotice[i].status !== "notice" && inNotice[i].objection !== "filing") inNotice.splice(i, 1);

    // ---- after registration: versions, changes, renewals by holders and registrars
    for (let i = 0; i < Math.ceil(S * 0.08) && owned.length; i++) {
      const a = rnd.pick(owned);
      if (a.saleStage === "busy" || !claim(`asset:${a.id}`)) continue;
      txs.push(reg("addVersion", [a.id, newHash("content"), newHash("metadata")], a.holder));
    }
    for (let i = 0; i < Math.ceil(S * 0.08) && owned.length; i++) {
      const a = rnd.pick(owned);
      if (a.saleStage === "busy" || !claim(`asset:${a.id}`)) continue;
      const by = rnd.chance(0.7) ? a.holder : registrarOf(a);
      txs.push(reg("change", [a.id, newHash("metadata"), `ipfs://bafy${newHash("cid").slice(2, 40)}`, BigInt(rnd.int(1_000, 90_000_000)), BigInt(rnd.int(1, 900_000)) * 1_000_000n, rnd.int(0, 6)], by));
    }
    for (let i = 0; i < Math.ceil(S * 0.02) && owned.length; i++) {
      const a = rnd.pick(owned);
      if (a.validUntil + YEAR > t + 10 * YEAR - DAY || !claim(`renew:${a.id}`)) continue; // MAX_VALIDITY from now
      a.validUntil += YEAR;
      txs.push(reg("renew", [a.id, a.validUntil], registrarOf(a)));
    }
    for (const a of doomed) {
      if (wave - a.approvedWave < 3 || !rnd.chance(0.5) || !claim(`asset:${a.id}`)) continue;
      a.status = "ended";
      const byRegistrar = rnd.chance(0.3);
      txs.push(reg("cancel", [a.id, byRegistrar ? "registration cancelled by the registrar after review" : "data no longer maintained"], byRegistrar ? registrarOf(a) : a.holder));
    }
    for (let i = doomed.length - 1; i >= 0; i--) if (doomed[i].status === "ended") doomed.splice(i, 1);

    // ---- holding right changes hands: sold on the exchange, or moved by the registrar on request
    for (const a of sales) {
      if (a.saleStage !== "idle" || !claim(`asset:${a.id}`)) continue;
      a.saleStage = "busy";
      if (rnd.chance(0.5)) {
        const token = rnd.chance(0.6) ? A.tokenA : A.tokenB;
        const terms = listingTerms(a.id, 0, 2, token, priceFor(token) * 20n, 0, ZeroHash, 0, false, false, rnd.chance(0.3));
        txs.push(dex("list", [terms], a.holder, GAS.small, (r) => listings.push({ id: idIn(r, A.exchange, T.listed), assetId: a.id, seller: a.holder, price: terms.price, offer: 2, scopeMask: 0, sublicensable: false, sellerCertId: 0 })));
      } else {
        const to = otherThan(entities, a.holder);
        const evidence = newHash("transfer-contract");
        txs.push(
          reg("requestTransfer", [a.id, to, evidence], a.holder, GAS.small, () => {
            pendingTransfers.push({ asset: a, to, evidence, wave });
          }),
        );
      }
    }
    for (const p of pendingTransfers.splice(0)) {
      if (p.wave === wave || !claim(`asset:${p.asset.id}`)) {
        pendingTransfers.push(p);
        continue;
      }
      if (rnd.chance(0.15)) {
        p.asset.saleStage = "idle"; // asks again later
        txs.push(reg("cancelTransferRequest", [p.asset.id], p.asset.holder));
      } else {
        txs.push(
          reg("approveTransfer", [p.asset.id, p.to, p.evidence], registrarOf(p.asset), GAS.small, () => {
            p.asset.holder = p.to;
            p.asset.saleStage = "done";
          }),
        );
      }
    }

    // ---- rights: grants by holders, sublicences, transfers and revocations of certificates
    const grantTerms = (assetId: number, parentId: number, kind: number, scopeMask: number, validFrom: number, validUntil: number, sublicensable: boolean, transferable: boolean) => ({
      assetId,
      parentId,
      kind,
      scopeHash: newHash("scope"),
      scopeMask,
      validFrom,
      validUntil,
      sublicensable,
      transferable,
    });
    for (let i = 0; i < Math.ceil(S * 0.6) && licence.length; i++) {
      const a = rnd.pick(licence);
      const to = rnd.pick(buyers);
      const roll = rnd.next();
      const purpose: Cert["purpose"] = roll < 0.5 ? "plain" : roll < 0.7 ? "resell" : roll < 0.85 ? "transfer" : "revoke";
      const kind: 0 | 1 = purpose === "resell" ? 1 : rnd.chance(0.5) ? 1 : 0;
      const scopeMask = rnd.pick([0b0011, 0b0111, 0b1111, 0b11111111]);
      const validFrom = purpose === "plain" && rnd.chance(0.2) ? t + 30 * DAY : 0; // some start ahead of their term
      const validUntil = t + 2 * YEAR;
      const terms = grantTerms(a.id, 0, kind, scopeMask, validFrom, validUntil, purpose === "resell", purpose === "transfer");
      txs.push(
        rts("grant", [terms, to], a.holder, GAS.small, (r) => {
          if (purpose === "plain") return;
          const c: Cert = { id: idIn(r, A.rights, T.granted), assetId: a.id, owner: to, grantor: a.holder, kind, scopeMask, validUntil, depth: 0, purpose };
          certs[purpose].push(c);
          if (purpose === "resell") resellable.push(c);
        }),
      );
    }
    for (let i = 0; i < Math.ceil(S * 0.1) && certs.resell.length; i++) {
      const c = rnd.pick(certs.resell);
      if (c.depth > 0 || !claim(`cert:${c.id}`)) continue;
      const to = otherThan(buyers, c.owner);
      txs.push(rts("grant", [grantTerms(c.assetId, c.id, 0, c.scopeMask & 0b0011, 0, Math.min(c.validUntil, t + YEAR), false, false), to], c.owner));
    }
    for (const c of certs.transfer.splice(0)) {
      if (!rnd.chance(0.3) || !claim(`cert:${c.id}`)) {
        certs.transfer.push(c);
        continue;
      }
      if (!c.approved && rnd.chance(0.4)) {
        c.approved = true; // an ERC-721 approval first; the move clears it
        certs.transfer.push(c);
        txs.push(rts("approve", [admin, c.id], c.owner));
      } else {
        const to = otherThan(buyers, c.owner);
        txs.push(rts("transferFrom", [c.owner, to, c.id], c.owner));
        c.owner = to;
        c.approved = false;
        if (rnd.chance(0.5)) certs.transfer.push(c); // may move again
      }
    }
    for (const c of certs.revoke.splice(0)) {
      if (!rnd.chance(0.25)) {
        certs.revoke.push(c);
        continue;
      }
      const byRegistrar = rnd.chance(0.2);
      const a = assetById.get(c.assetId)!;
      txs.push(rts("revoke", [c.id, byRegistrar ? "scope breached, revoked by the registrar" : "licence terminated by agreement"], byRegistrar ? registrarOf(a) : c.grantor));
    }

    // ---- listings: licences by holders (one or two per asset), sublicences by holders of resellable rights
    for (const a of licence) {
      if (a.listings >= 2 || (a.listings === 1 && !rnd.chance(0.02))) continue;
      a.listings++;
      const token = rnd.chance(0.6) ? A.tokenA : A.tokenB;
      const offer: 0 | 1 = rnd.chance(0.6) ? 0 : 1;
      const withMerchant = rnd.chance(0.3);
      const sublicensable = offer === 1 && rnd.chance(0.3);
      const terms = listingTerms(a.id, 0, offer, token, priceFor(token), LICENCE_TERM, newHash("licence-scope"), rnd.pick([0b0011, 0b0101, 0b1111]), sublicensable, rnd.chance(0.1), withMerchant);
      txs.push(dex("list", [terms], a.holder, GAS.small, (r) => listings.push({ id: idIn(r, A.exchange, T.listed), assetId: a.id, seller: a.holder, price: terms.price, offer, scopeMask: terms.scopeMask, sublicensable, sellerCertId: 0 })));
    }
    for (const c of resellable.splice(0)) {
      if (!claim(`cert:${c.id}`)) {
        resellable.push(c);
        continue;
      }
      const token = rnd.chance(0.5) ? A.tokenA : A.tokenB;
      const terms = listingTerms(c.assetId, c.id, rnd.chance(0.5) ? 0 : 1, token, priceFor(token) / 2n + 1n, SUBLICENCE_TERM, newHash("sublicence-scope"), c.scopeMask & 0b0011, false, false, false);
      txs.push(dex("list", [terms], c.owner, GAS.small, (r) => listings.push({ id: idIn(r, A.exchange, T.listed), assetId: c.assetId, seller: c.owner, price: terms.price, offer: terms.offer as 0 | 1, scopeMask: terms.scopeMask, sublicensable: false, sellerCertId: c.id })));
    }
    for (let i = 0; i < Math.ceil(S * 0.05) && listings.length; i++) {
      const l = rnd.pick(listings);
      if (l.offer === 2 || !claim(`listing:${l.id}`)) continue;
      const close = rnd.chance(0.15);
      l.price = (l.price * BigInt(rnd.int(80, 125))) / 100n + 1n;
      txs.push(dex("updateListing", [l.id, l.price, 0, !close], l.seller));
      if (close) listings.splice(listings.indexOf(l), 1);
    }

    // ---- orders and their lifecycle: deliver, accept / settle / dispute, arbitrate, refund undelivered
    for (let i = 0; i < Math.ceil(S * 2.5) && listings.length; i++) {
      const l = rnd.pick(listings);
      if (busy.has(`listing:${l.id}`)) continue;
      const buyer = otherThan(buyers, l.seller);
      if (l.offer === 2) {
        busy.add(`listing:${l.id}`);
        listings.splice(listings.indexOf(l), 1); // one unit
      }
      const roll = rnd.next();
      const plan: OrderPlan = l.offer === 2 ? "accept" : roll < 0.72 ? "accept" : roll < 0.84 ? "settle" : roll < 0.95 ? "dispute" : "undelivered";
      const price = l.price;
      txs.push(
        dex("order", [l.id, price], buyer, GAS.small, (r, when) => {
          paid.push({ id: idIn(r, A.exchange, T.ordered), listing: l, buyer, price, plan, orderedAt: when, deliveredAt: 0 });
        }),
      );
    }
    for (const o of paid.splice(0)) {
      if (o.plan === "undelivered") {
        if (t > o.orderedAt + DELIVERY_WINDOW) txs.push(dex("refundUndelivered", [o.id], o.buyer));
        else paid.push(o);
        continue;
      }
      txs.push(
        dex("deliver", [o.id, newHash("delivery-proof")], o.listing.seller, GAS.small, (_r, when) => {
          o.deliveredAt = when;
          delivered.push(o);
        }),
      );
    }
    const settledBy = (o: Order): Tx["done"] => (r, when) => {
      idIn(r, A.exchange, T.settled); // settled, not refunded because the seller could no longer grant
      const bought = settledOrdersOf.get(o.buyer);
      if (bought) bought.push(o.id);
      else settledOrdersOf.set(o.buyer, [o.id]);
      // A sublicensable product-operation licence bought on the exchange can be resold as sublicences.
      if (o.listing.sublicensable && o.listing.offer === 1) {
        const c: Cert = { id: idIn(r, A.rights, T.granted), assetId: o.listing.assetId, owner: o.buyer, grantor: o.listing.seller, kind: 1, scopeMask: o.listing.scopeMask, validUntil: when + LICENCE_TERM, depth: 0, purpose: "resell" };
        certs.resell.push(c);
        resellable.push(c);
      }
      if (o.listing.offer === 2) {
        const a = assetById.get(o.listing.assetId)!;
        a.holder = o.buyer;
        a.saleStage = "done";
      }
    };
    for (const o of delivered.splice(0)) {
      if (o.plan === "accept") txs.push(dex("accept", [o.id], o.buyer, GAS.settle, settledBy(o)));
      else if (o.plan === "dispute") {
        if (later < o.deliveredAt + ACCEPTANCE_WINDOW) {
          txs.push(dex("dispute", [o.id, newHash("dispute-evidence")], o.buyer, GAS.small, () => disputed.push(o)));
        } else txs.push(dex("accept", [o.id], o.buyer, GAS.settle, settledBy(o)));
      } else if (t > o.deliveredAt + ACCEPTANCE_WINDOW) {
        txs.push(dex("settle", [o.id], rnd.pick([admin, o.listing.seller, merchant]), GAS.settle, settledBy(o)));
      } else delivered.push(o);
    }
    for (const o of disputed.splice(0)) {
      const roll = rnd.next();
      const refund = roll < 0.3 ? 0n : roll < 0.7 ? o.price / BigInt(rnd.int(2, 5)) : o.price;
      txs.push(dex("resolveDispute", [o.id, refund, newHash("arbitration-award")], admin, GAS.settle, refund < o.price ? settledBy(o) : undefined));
    }
    for (const c of credits) {
      if (!rnd.chance(0.35)) continue;
      txs.push(dex("withdraw", [c.token, rnd.chance(0.9) ? c.account : rnd.pick(entities)], c.account));
    }

    // ---- attestations: compliance, quality, appraisal; some supersede or revoke earlier ones
    for (let i = 0; i < Math.ceil(S * 0.8) && allAssets.length; i++) {
      const kind: 0 | 1 | 2 = rnd.pick([0, 1, 2] as const);
      const author = kind === 2 ? appraiser : rnd.pick(assessors);
      let assetId = rnd.pick(allAssets).id;
      let supersedes = 0;
      if (rnd.chance(0.15)) {
        const old = openAttestations.find((x) => x.author === author && x.kind === kind && !busy.has(`att:${x.id}`));
        if (old) {
          busy.add(`att:${old.id}`);
          openAttestations.splice(openAttestations.indexOf(old), 1);
          assetId = old.assetId;
          supersedes = old.id;
        }
      }
      const report = newHash("report");
      const done: Tx["done"] = (r) => openAttestations.push({ id: idIn(r, A.ledger, T.attested[kind]), assetId, kind, author });
      if (kind === 0) txs.push(led("attestCompliance", [assetId, rnd.chance(0.9), report, supersedes], author, GAS.small, done));
      else if (kind === 1) {
        const scores = Array.from({ length: 6 }, () => rnd.int(40, 100));
        txs.push(led("attestQuality", [assetId, scores, report, supersedes], author, GAS.small, done));
      } else {
        const value = BigInt(rnd.int(10_000, 90_000_000)) * 100n;
        txs.push(led("attestAppraisal", [assetId, rnd.int(0, 2), value, A.tokenA, t - rnd.int(1, 60) * DAY, report, supersedes], author, GAS.small, done));
      }
    }
    for (let i = 0; i < Math.ceil(S * 0.04) && openAttestations.length; i++) {
      const x = rnd.pick(openAttestations);
      if (!claim(`att:${x.id}`)) continue;
      openAttestations.splice(openAttestations.indexOf(x), 1);
      txs.push(led("revokeAttestation", [x.id, "report withdrawn: sample was not representative"], x.author));
    }

    // ---- accounting books: recognition, costs, ready for use, impairments and reversals, derecognition
    if (rnd.chance(0.3)) {
      auditorOn = !auditorOn;
      txs.push(led("setAccountant", [auditor, auditorOn], rnd.pick(entities)));
    }
    const entryDate = (b: Book) => Math.min(t, b.lastDate + rnd.int(0, 20) * DAY);
    for (let i = 0; i < Math.ceil(S * 0.4) && allAssets.length; i++) {
      const a = rnd.pick(allAssets);
      const entity = rnd.chance(0.8) ? a.holder : rnd.pick(buyers);
      const recorder = rnd.chance(0.5) ? entity : accountant;
      const category = rnd.pick([0, 0, 1, 2] as const);
      const life = category === 1 ? 0 : rnd.pick([0, 36, 60, 120]);
      const date = Math.min(t, RULES_EFFECTIVE + rnd.int(0, 600) * DAY);
      const source = category === 2 ? 1 : rnd.int(0, 2);
      const currency = rnd.chance(0.7) ? A.tokenA : A.tokenB;
      txs.push(
        led("recognise", [entity, a.id, category, source, life, BigInt(rnd.int(0, 3)) * 10_000n, currency, date, newHash("recognition")], recorder, GAS.small, (r) => {
          books.push({ id: idIn(r, A.ledger, T.bookOpened), entity, recorder, category, cost: 0n, impairment: 0n, lastDate: date });
        }),
      );
    }
    for (let i = 0; i < Math.ceil(S * 1.5) && books.length; i++) {
      const b = rnd.pick(books);
      if (!claim(`book:${b.id}`)) continue;
      const date = entryDate(b);
      const evidence = newHash("voucher");
      const by = rnd.chance(0.7) ? b.recorder : rnd.chance(0.5) ? b.entity : accountant;
      const roll = rnd.next();
      const amount = BigInt(rnd.int(1, 5_000)) * 10_000n;
      const carrying = b.cost - b.impairment;
      b.lastDate = date;
      if (roll < 0.04) {
        books.splice(books.indexOf(b), 1); // closed
        if (b.whale) whaleOpen--;
        txs.push(led("derecognise", [b.id, rnd.int(0, 2), carrying > 0n ? carrying + amount : 0n, date, evidence], by));
      } else if (b.category === 2 && roll < 0.16 && b.cost > 0n) {
        b.category = 0;
        txs.push(led("readyForUse", [b.id, rnd.pick([36, 60, 120]), date, evidence], by));
      } else if (roll < 0.3 && carrying > 0n) {
        const cut = carrying / BigInt(rnd.int(3, 10)) + 1n;
        b.impairment += cut;
        txs.push(led("impair", [b.id, cut, date, evidence], by));
      } else if (b.category === 1 && roll < 0.4 && b.impairment > 0n) {
        const back = b.impairment / 2n + 1n;
        b.impairment -= back;
        txs.push(led("reverseWriteDown", [b.id, back, date, evidence], by));
      } else {
        const phase = b.category === 2 ? rnd.pick([1, 2, 2]) : 0;
        if (phase !== 1) b.cost += amount;
        const bought = settledOrdersOf.get(b.entity) ?? [];
        const orderId = bought.length && rnd.chance(0.2) ? rnd.pick(bought) : 0;
        txs.push(led("addCost", [b.id, amount, orderId ? 0 : rnd.int(0, 2), phase, date, orderId, evidence], by));
      }
    }

    // ---- the whale books its licence assets (recognition, then the acquisition cost a wave later), in one currency
    for (const b of whaleCosts.splice(0)) {
      if (!books.includes(b)) continue; // derecognised meanwhile
      if (!claim(`book:${b.id}`)) {
        whaleCosts.push(b);
        continue;
      }
      const date = entryDate(b);
      const amount = BigInt(rnd.int(10, 50_000)) * 10_000n;
      b.lastDate = date;
      b.cost += amount;
      txs.push(led("addCost", [b.id, amount, rnd.int(0, 2), b.category === 2 ? 2 : 0, date, 0, newHash("voucher")], b.recorder));
    }
    for (let need = (opts.whaleBooks ?? 0) - whaleOpen; whale && need > 0 && whaleUnbooked.length; need--) {
      const a = whaleUnbooked.shift()!;
      const recorder = rnd.chance(0.5) ? whale : accountant;
      const category = rnd.pick([0, 0, 1, 2] as const);
      const life = category === 1 ? 0 : rnd.pick([36, 60, 120]);
      const date = Math.min(t, RULES_EFFECTIVE + rnd.int(0, 600) * DAY);
      txs.push(
        led("recognise", [whale, a.id, category, category === 2 ? 1 : rnd.int(0, 2), life, 0n, A.tokenA, date, newHash("recognition")], recorder, GAS.small, (r) => {
          const b: Book = { id: idIn(r, A.ledger, T.bookOpened), entity: whale, recorder, category, cost: 0n, impairment: 0n, lastDate: date, whale: true };
          books.push(b);
          whaleCosts.push(b);
          whaleOpen++;
        }),
      );
    }

    // ---- the busy asset: an attestation, a grant and an order every wave (each counted once mined) until enough
    if (busyAsset && busyTransactions < (opts.busyAssetTransactions ?? 0)) {
      const a: Asset = busyAsset;
      const mark = (tx: Tx): Tx => ((tx.busy = true), tx);
      const kind = (wave % 3) as 0 | 1 | 2;
      const author = kind === 2 ? appraiser : rnd.pick(assessors);
      const done: Tx["done"] = (r) => openAttestations.push({ id: idIn(r, A.ledger, T.attested[kind]), assetId: a.id, kind, author });
      const report = newHash("report");
      if (kind === 0) txs.push(mark(led("attestCompliance", [a.id, true, report, 0], author, GAS.small, done)));
      else if (kind === 1) txs.push(mark(led("attestQuality", [a.id, Array.from({ length: 6 }, () => rnd.int(60, 100)), report, 0], author, GAS.small, done)));
      else txs.push(mark(led("attestAppraisal", [a.id, rnd.int(0, 2), BigInt(rnd.int(100_000, 9_000_000)) * 100n, A.tokenA, t - rnd.int(1, 30) * DAY, report, 0], author, GAS.small, done)));
      txs.push(mark(rts("grant", [grantTerms(a.id, 0, rnd.chance(0.5) ? 1 : 0, 0b0011, 0, t + YEAR, false, false), rnd.pick(buyers)], a.holder)));
      const l = listings.find((x) => x.assetId === a.id && x.sellerCertId === 0 && x.offer !== 2);
      if (l && !busy.has(`listing:${l.id}`)) {
        const buyer = otherThan(buyers, l.seller);
        const price = l.price;
        txs.push(
          mark(
            dex("order", [l.id, price], buyer, GAS.small, (r, when) => {
              paid.push({ id: idIn(r, A.exchange, T.ordered), listing: l, buyer, price, plan: "accept", orderedAt: when, deliveredAt: 0 });
            }),
          ),
        );
      }
    }

    // ---- a registrar's settings reviewed now and then (same notice: notice deadlines stay as modelled)
    if (wave % 50 === 0) txs.push(reg("updateRegistrar", [2, REGISTRARS[1].notice, true], admin));

    if (Math.ceil(txs.length / txsPerBlock) >= HOUR) throw new Error(`a wave of ${txs.length} transactions needs more than an hour of one-second blocks; raise txsPerBlock`);
    await runWave(shuffle(txs, rnd), WAVE);
    if (Date.now() - lastYield > 1000 || targets()) {
      lastYield = Date.now();
      const p = { wave, events, transactions, blocks: head - record.startBlock + 1, seconds: (Date.now() - started) / 1000 };
      log(`activity: wave ${wave}: ${p.events} events, ${p.transactions} transactions, ${p.blocks} blocks, ${p.seconds.toFixed(1)} s, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
      yield p;
    }
  }

  return {
    record,
    events,
    pledgeEvents,
    blocks: head - record.startBlock + 1,
    transactions,
    head,
    seconds: (Date.now() - started) / 1000,
    byName,
    assets: allAssets.length,
    ...(whale ? { whale: { address: whale, openBooks: whaleOpen } } : {}),
    ...(busyAsset ? { busyAsset: { id: (busyAsset as Asset).id, transactions: busyTransactions } } : {}),
  };
}

/** Fisher-Yates with the run's generator: senders interleave in blocks as on a busy chain. Nonces follow this order. */
function shuffle<T>(xs: T[], rnd: { next(): number }): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
