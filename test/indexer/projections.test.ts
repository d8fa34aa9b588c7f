// Projections: every event of every contract ends up in the right table with the right values. Each block drives one
// part of the system on the in-process Hardhat chain, indexes it over real HTTP JSON-RPC into a real SQLite file, and
// compares the rows with values computed from the transactions sent, then with the contracts' own views, then the raw
// `events` table with the logs of the chain's receipts.
import Database from "better-sqlite3";
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, ContractTransactionResponse, Log, ParamType, Result, TransactionReceipt } from "ethers";
import { join } from "node:path";
import { Indexer } from "../../indexer/indexer";
import { SCHEMA_VERSION, migrate } from "../../indexer/schema";
import type { Deployment } from "../../scripts/deploy";
import { SettlementToken__factory } from "../../typechain-types";
import type { AssetLedger, DataAssetRegistry, DataExchange, PledgeRegistry, RelayForwarder, RightsCertificate } from "../../typechain-types";
import { indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import {
  AssetKind,
  BJ,
  DAY,
  Grade,
  RightKind,
  SZ,
  SourceType,
  Status,
  UpdateFrequency,
  YEAR,
  grantTerms,
  hash,
  submission,
  world,
  type Submission,
  type World,
} from "../helpers/registry";
import { pendingTransfer } from "../helpers/registry";
import { Offer, OrderStatus, SZ_FEE_BPS, expectedSplit, listingTerms, market, yuan, type Market } from "../helpers/exchange";
import { Category, CostPhase, CostSource, DerecognitionReason, ValuationMethod, cstDate, exchangeOrders, ledgerWorld } from "../helpers/ledger";
import { currentContentHash } from "../helpers/content";

// ================================================================ harness

const CONTRACT_NAMES = ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger", "PledgeRegistry"] as const;
type ContractName = (typeof CONTRACT_NAMES)[number];

interface Contracts {
  registry: DataAssetRegistry;
  rights: RightsCertificate;
  dex: DataExchange;
  ledger: AssetLedger;
  pledges: PledgeRegistry;
  forwarder: RelayForwarder;
}

interface Parsed {
  contract: ContractName;
  name: string;
  args: Result;
  inputs: readonly ParamType[];
}

interface Sent {
  receipt: TransactionReceipt;
  /** Block timestamp of the transaction. */
  at: number;
}

type Row = Record<string, unknown>;

const ZERO = ethers.ZeroAddress;
/** Royalty shares are over 1e16: one basis point is 1e12. */
const BP_SHARE = 10n ** 12n;

/** One scenario: its contracts, a served chain, an indexer on a temp SQLite file, and every receipt it sent. */
class Scenario {
  readonly sent: TransactionReceipt[] = [];
  startBlock = 0;
  /** First block after the fixture: every indexed log from here on comes from a transaction in `sent`. */
  firstBlock = 0;
  private server?: RpcServer;
  private tmp?: ReturnType<typeof tempDir>;
  private indexer?: Indexer;
  private readonly byAddress = new Map<string, { name: ContractName; contract: BaseContract }>();

  constructor(readonly c: Contracts) {}

  async open(): Promise<void> {
    const all: Record<ContractName, BaseContract> = {
      DataAssetRegistry: this.c.registry,
      RightsCertificate: this.c.rights,
      DataExchange: this.c.dex,
      AssetLedger: this.c.ledger,
      PledgeRegistry: this.c.pledges,
    };
    const deployTx = this.c.registry.deploymentTransaction();
    this.startBlock = deployTx ? (await ethers.provider.getTransactionReceipt(deployTx.hash))!.blockNumber : 0;
    const contracts: Deployment["contracts"] = {};
    for (const name of CONTRACT_NAMES) {
      const address = await all[name].getAddress();
      contracts[name] = { address, blockNumber: this.startBlock };
      this.byAddress.set(address.toLowerCase(), { name, contract: all[name] });
    }
    // The forwarder is indexed too; these scenarios relay nothing, so it has no logs here (test/indexer/relayed.test.ts).
    contracts.RelayForwarder = { address: await this.c.forwarder.getAddress(), blockNumber: this.startBlock };
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const record: Deployment = { chainId, deployedAt: "", startBlock: this.startBlock, contracts };
    this.server = await serveChain();
    this.tmp = tempDir();
    this.indexer = new Indexer(indexerOptions(this.server.url, record, join(this.tmp.dir, "index.sqlite")));
    this.firstBlock = (await ethers.provider.getBlockNumber()) + 1;
  }

  async close(): Promise<void> {
    await this.indexer?.stop();
    await this.server?.close();
    this.tmp?.remove();
  }

  /** Sends, waits, records the receipt. */
  async send(tx: Promise<ContractTransactionResponse>): Promise<Sent> {
    const receipt = (await (await tx).wait())!;
    this.sent.push(receipt);
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    return { receipt, at: block!.timestamp };
  }

  async sync(): Promise<void> {
    await this.indexer!.syncToHead();
  }

  rows<T = Row>(sql: string, ...params: unknown[]): T[] {
    return this.indexer!.database.prepare(sql).all(...params) as T[];
  }

  /** The index's open database (to write to it as an older indexer would have). */
  get database() {
    return this.indexer!.database;
  }

  row<T = Row>(sql: string, ...params: unknown[]): T {
    const r = this.indexer!.database.prepare(sql).get(...params) as T | undefined;
    if (r === undefined) throw new Error(`no row for ${sql} ${JSON.stringify(params)}`);
    return r;
  }

  /** The log decoded with its contract's ABI; null for a log of another contract (a token). */
  parse(log: Log): Parsed | null {
    const known = this.byAddress.get(log.address.toLowerCase());
    if (!known) return null;
    const p = known.contract.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (!p) throw new Error(`undecodable log of ${known.name}`);
    return { contract: known.name, name: p.name, args: p.args, inputs: p.fragment.inputs };
  }

  /** Arguments of the first `name` event of `contract` in a receipt. */
  event(sent: Sent, contract: BaseContract, name: string): Result {
    const address = (contract.target as string).toLowerCase();
    for (const log of sent.receipt.logs) {
      if (log.address.toLowerCase() !== address) continue;
      const p = this.parse(log);
      if (p?.name === name) return p.args;
    }
    throw new Error(`no ${name} in transaction ${sent.receipt.hash}`);
  }

  /** Index in its block of the first `name` log of a receipt. */
  logIndex(sent: Sent, name: string): number {
    const log = sent.receipt.logs.find((l) => this.parse(l)?.name === name);
    if (!log) throw new Error(`no ${name} in transaction ${sent.receipt.hash}`);
    return log.index;
  }
}

/** Waits until `t` (mines one empty block) unless the chain is already there. */
async function waitUntil(t: number | bigint): Promise<void> {
  if (Number(t) > (await time.latest())) await time.increaseTo(t);
}

const flag = (b: boolean) => (b ? 1 : 0);

/** Counts of event names. */
function countByName(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

/**
 * The raw `events` table against the chain:
 * - exactly one row per log of the four contracts in every block since deployment (read from the receipts, not
 *   eth_getLogs), with its block, hash, time, log index, transaction, contract, address and name;
 * - the rows of the scenario's blocks are, counted by name, the logs of the receipts the scenario sent, and cover
 *   `mustInclude`;
 * - asset_id is the asset the event concerns (the order's asset for order events, the certificate's asset for
 *   certificate moves, the token id for registration certificates), null for events about no asset.
 */
async function checkRawEvents(s: Scenario, mustInclude: string[]): Promise<void> {
  const head = await ethers.provider.getBlockNumber();
  const onChain: { log: Log; time: number; parsed: Parsed }[] = [];
  for (let n = s.startBlock; n <= head; n++) {
    const block = (await ethers.provider.getBlock(n))!;
    for (const txHash of block.transactions) {
      const receipt = (await ethers.provider.getTransactionReceipt(txHash))!;
      for (const log of receipt.logs) {
        const parsed = s.parse(log);
        if (parsed) onChain.push({ log, time: block.timestamp, parsed });
      }
    }
  }
  onChain.sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.index - b.log.index);

  const rows = s.rows<Row>(
    "SELECT block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id FROM events ORDER BY block_number, log_index",
  );
  const identity = (r: Row) => {
    const { asset_id: _ignored, ...rest } = r;
    return rest;
  };
  expect(rows.map(identity)).to.deep.equal(
    onChain.map(({ log, time: t, parsed }) => ({
      block_number: log.blockNumber,
      block_hash: log.blockHash.toLowerCase(),
      block_time: t,
      log_index: log.index,
      tx_hash: log.transactionHash.toLowerCase(),
      tx_index: log.transactionIndex,
      contract: parsed.contract,
      address: log.address,
      name: parsed.name,
    })),
  );

  const sentNames = s.sent.flatMap((r) => r.logs.map((l) => s.parse(l)?.name).filter((n): n is string => n !== undefined));
  const scenarioRows = rows.filter((r) => (r.block_number as number) >= s.firstBlock).map((r) => r.name as string);
  expect(countByName(scenarioRows)).to.deep.equal(countByName(sentNames));
  expect(Object.keys(countByName(sentNames))).to.include.members(mustInclude);

  // What each event is about, from the chain's own events.
  const certAsset = new Map<bigint, bigint>();
  const listingAsset = new Map<bigint, bigint>();
  const orderAsset = new Map<bigint, bigint>();
  for (const { parsed: p } of onChain) {
    if (p.name === "RightGranted") certAsset.set(p.args.certId, p.args.assetId);
    if (p.name === "Listed") listingAsset.set(p.args.listingId, p.args.assetId);
    if (p.name === "Ordered") orderAsset.set(p.args.orderId, p.args.assetId);
  }
  const checked = new Set<string>();
  onChain.forEach(({ parsed: p }, i) => {
    let expected: bigint | null | undefined = null;
    if (p.contract === "DataAssetRegistry" && (p.name === "Transfer" || p.name === "Approval")) expected = p.args.tokenId;
    else if (p.contract === "RightsCertificate" && p.name === "Transfer" && p.args.from === ZERO) expected = undefined; // a mint precedes its RightGranted: not asserted
    else if (p.contract === "RightsCertificate" && (p.name === "Transfer" || p.name === "Approval")) expected = certAsset.get(p.args.tokenId);
    else if (p.name === "Settled") expected = p.args.settlement.assetId;
    else if (p.name === "ListingUpdated") expected = listingAsset.get(p.args.listingId);
    else if (["Delivered", "Disputed", "DisputeResolved", "Refunded"].includes(p.name)) expected = orderAsset.get(p.args.orderId);
    else if (p.inputs.some((input) => input.name === "assetId")) expected = p.args.assetId;
    if (expected === undefined) return;
    expect(rows[i].asset_id, `asset_id of ${p.contract}.${p.name} at block ${rows[i].block_number}`).to.equal(
      expected === null ? null : Number(expected),
    );
    checked.add(p.name);
  });
  expect(checked.size).to.be.greaterThan(0);
}

// ---------------------------------------------------------------- registry helpers (recorded)

interface Submitted extends Sent {
  id: bigint;
  sub: Submission;
  applicant: HardhatEthersSigner;
  /** From the event: only used to know how long to wait. */
  noticeEndsAt: number;
}

async function submitAs(s: Scenario, applicant: HardhatEthersSigner, overrides: Partial<Submission> = {}): Promise<Submitted> {
  const sub = submission(overrides);
  const sent = await s.send(s.c.registry.connect(applicant).submit(sub));
  const ev = s.event(sent, s.c.registry, "RegistrationSubmitted");
  return { ...sent, id: ev.assetId, sub, applicant, noticeEndsAt: Number(ev.noticeEndsAt) };
}

function registrarOf(w: World, sub: Submission): HardhatEthersSigner {
  return Number(sub.registrarId) === BJ.id ? w.bjRegistrar : w.szRegistrar;
}

async function approveNow(s: Scenario, w: World, x: Submitted): Promise<Sent> {
  return s.send(w.registry.connect(registrarOf(w, x.sub)).approveRegistration(x.id));
}

/** Submit, wait out the notice, approve: all recorded. */
async function registerRecorded(s: Scenario, w: World, applicant: HardhatEthersSigner, overrides: Partial<Submission> = {}) {
  const x = await submitAs(s, applicant, overrides);
  await waitUntil(x.noticeEndsAt);
  const approved = await approveNow(s, w, x);
  return { ...x, approved };
}

/** Registration numbers as the registry formats them: CODE-YEAR-SEQ, the year in UTC+8, SEQ per registrar and year. */
class RegistrationNumbers {
  private readonly seq = new Map<string, number>();
  next(code: string, approvedAt: number): string {
    const year = new Date((approvedAt + 8 * 3600) * 1000).getUTCFullYear();
    const key = `${code}-${year}`;
    const n = (this.seq.get(key) ?? 0) + 1;
    this.seq.set(key, n);
    return `${code}-${year}-${String(n).padStart(6, "0")}`;
  }
}

/** The assets row of a fresh submission, from what was submitted. */
function submittedRow(x: Submitted, noticePeriod: number): Row {
  const s = x.sub;
  return {
    id: Number(x.id),
    applicant: x.applicant.address,
    registrar_id: Number(s.registrarId),
    status: "InNotice",
    name: s.name,
    kind: AssetKind[Number(s.kind)],
    source_type: SourceType[Number(s.sourceType)],
    grade: Grade[Number(s.grade)],
    metadata_uri: s.metadataURI,
    metadata_hash: s.metadataHash,
    source_evidence_hash: s.sourceEvidenceHash,
    records: BigInt(s.records).toString(),
    size_bytes: BigInt(s.sizeBytes).toString(),
    update_frequency: UpdateFrequency[Number(s.updateFrequency)],
    validity_period: Number(s.validityPeriod),
    content_hash: s.contentHash,
    version_count: 1,
    submitted_at: x.at,
    notice_ends_at: x.at + noticePeriod,
    open_objections: 0,
    registration_number: null,
    holder: null,
    approver: null,
    approved_at: null,
    valid_until: null,
    ended_at: null,
    end_reason: null,
    pending_transfer_to: null,
    submitted_block: x.receipt.blockNumber,
    submitted_tx: x.receipt.hash.toLowerCase(),
    encumbrance: 0,
  };
}

function approvedFields(x: Submitted, approved: Sent, approver: HardhatEthersSigner, number: string): Row {
  return {
    status: "Active",
    registration_number: number,
    holder: x.applicant.address,
    approver: approver.address,
    approved_at: approved.at,
    valid_until: approved.at + Number(x.sub.validityPeriod),
  };
}

// ================================================================ DataAssetRegistry

describe("indexer projections", function () {
  describe("registry", function () {
    let w: World;
    let s: Scenario;
    const numbers = new RegistrationNumbers();
    let gz: number;
    let G: Submitted, P1: Submitted, P2: Submitted, C: Submitted, K: Submitted, X: Submitted, R: Submitted, W: Submitted;
    const approvals = new Map<bigint, { sent: Sent; number: string; approver: HardhatEthersSigner }>();
    let o1: { id: bigint; sent: Sent; evidence: string }, o2: { id: bigint; sent: Sent; evidence: string };
    let dismissed: Sent, upheld: Sent;
    let dismissHash: string, upholdHash: string;
    let openAfterFiling: number, openAfterDismissal: number;
    let rejected: Sent, withdrawn: Sent;
    let v2: Sent, v3: Sent;
    const v2h = { content: hash("v2"), meta: hash("v2-meta") };
    const v3h = { content: hash("v3"), meta: hash("v3-meta") };
    const changeMeta = hash("changed-meta");
    let pendingAfterRequest: unknown, pendingAfterCancel: unknown;
    let renewedUntil: number;
    let cancelled: Sent;

    async function approve(x: Submitted) {
      const approver = registrarOf(w, x.sub);
      const sent = await approveNow(s, w, x);
      const code = approver === w.bjRegistrar ? BJ.code : SZ.code;
      approvals.set(x.id, { sent, number: numbers.next(code, sent.at), approver });
    }

    before(async function () {
      w = await world();
      s = new Scenario(w);
      await s.open();
      const reg = w.registry;

      // Registrars: a third one added then updated (and deactivated); Beijing's notice period changed.
      const added = await s.send(reg.addRegistrar("GZDE", 7 * DAY));
      gz = Number(s.event(added, reg, "RegistrarAdded").registrarId);
      await s.send(reg.updateRegistrar(gz, 10 * DAY, false));
      await s.send(reg.updateRegistrar(BJ.id, 4 * DAY, true));

      // First wave of submissions.
      G = await submitAs(s, w.other, {
        name: "Grid load survey",
        kind: AssetKind.Resource,
        sourceType: SourceType.Purchased,
        grade: Grade.Important,
        updateFrequency: UpdateFrequency.Daily,
        records: 77n,
        sizeBytes: 12_345n,
        validityPeriod: 2 * YEAR,
        metadataURI: "ipfs://grid-survey",
      });
      P2 = await submitAs(s, w.licensee, { name: "Port logistics feed", registrarId: BJ.id, sourceType: SourceType.PublicAuthorised });
      K = await submitAs(s, w.holder, { name: "Retail footfall 2024" });

      // Objections: two filed (count 2), one dismissed (count 1), one upheld (count 0, registration rejected).
      X = await submitAs(s, w.licensee, { name: "Contested dataset" });
      const objectAs = async (by: HardhatEthersSigner) => {
        const evidence = hash("objection");
        const sent = await s.send(reg.connect(by).object(X.id, evidence));
        return { id: s.event(sent, reg, "ObjectionFiled").objectionId as bigint, sent, evidence };
      };
      o1 = await objectAs(w.objector);
      o2 = await objectAs(w.other);
      await s.sync();
      openAfterFiling = s.row<{ open_objections: number }>("SELECT open_objections FROM assets WHERE id = ?", X.id).open_objections;
      dismissHash = hash("dismissal");
      dismissed = await s.send(reg.connect(w.szRegistrar).resolveObjection(o1.id, false, dismissHash));
      await s.sync();
      openAfterDismissal = s.row<{ open_objections: number }>("SELECT open_objections FROM assets WHERE id = ?", X.id).open_objections;
      upholdHash = hash("upheld");
      upheld = await s.send(reg.connect(w.szRegistrar).resolveObjection(o2.id, true, upholdHash));

      // Rejected by the registrar; withdrawn by the applicant during notice.
      R = await submitAs(s, w.other, { name: "Unverified source" });
      rejected = await s.send(reg.connect(w.szRegistrar).rejectRegistration(R.id, "source evidence does not match the data"));
      W = await submitAs(s, w.holder, { name: "Withdrawn application" });
      withdrawn = await s.send(reg.connect(w.holder).cancel(W.id, "withdrawn by the applicant"));

      await waitUntil(Math.max(G.noticeEndsAt, P2.noticeEndsAt, K.noticeEndsAt));
      await approve(G);
      await approve(P2);
      await approve(K);

      // Lineage: P1 derives from G; C derives from P1 and P2.
      P1 = await submitAs(s, w.other, { name: "Derived load index", parentIds: [G.id], parentSharesBps: [2000] });
      await waitUntil(P1.noticeEndsAt);
      await approve(P1);
      C = await submitAs(s, w.holder, { name: "Composite mobility product", parentIds: [P1.id, P2.id], parentSharesBps: [1500, 700] });
      await waitUntil(C.noticeEndsAt);
      await approve(C);

      // After registration: versions, change, transfer request / cancel / approved transfer, renewal.
      v2 = await s.send(reg.connect(w.holder).addVersion(C.id, v2h.content, v2h.meta));
      v3 = await s.send(reg.connect(w.holder).addVersion(C.id, v3h.content, v3h.meta));
      await s.send(reg.connect(w.szRegistrar).change(C.id, changeMeta, "ipfs://bafy-changed", 2_500_000n, 9_999_999_999n, UpdateFrequency.Weekly));
      await s.send(reg.connect(w.holder).requestTransfer(C.id, w.other.address, hash("transfer-1")));
      await s.sync();
      pendingAfterRequest = s.row<{ p: unknown }>("SELECT pending_transfer_to AS p FROM assets WHERE id = ?", C.id).p;
      await s.send(reg.connect(w.holder).cancelTransferRequest(C.id));
      await s.sync();
      pendingAfterCancel = s.row<{ p: unknown }>("SELECT pending_transfer_to AS p FROM assets WHERE id = ?", C.id).p;
      await s.send(reg.connect(w.holder).requestTransfer(C.id, w.licensee.address, hash("transfer-2")));
      await s.send(reg.connect(w.szRegistrar).approveTransfer(C.id, ...(await pendingTransfer(reg, C.id))));
      renewedUntil = approvals.get(C.id)!.sent.at + Number(C.sub.validityPeriod) + YEAR;
      await s.send(reg.connect(w.szRegistrar).renew(C.id, renewedUntil));

      // Cancellation (注销) of an approved registration that had a transfer request pending.
      await s.send(reg.connect(w.holder).requestTransfer(K.id, w.other.address, hash("transfer-k")));
      cancelled = await s.send(reg.connect(w.holder).cancel(K.id, "dataset withdrawn from circulation"));

      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    const asset = (id: bigint) => s.row("SELECT * FROM assets WHERE id = ?", id);

    it("registrars: the fixture's two as added, Beijing's new notice period, a third added then deactivated", () => {
      expect(gz).to.equal(3);
      expect(s.rows("SELECT * FROM registrars ORDER BY id")).to.deep.equal([
        { id: SZ.id, code: SZ.code, notice_period: SZ.notice, active: 1 },
        { id: BJ.id, code: BJ.code, notice_period: 4 * DAY, active: 1 },
        { id: 3, code: "GZDE", notice_period: 10 * DAY, active: 0 },
      ]);
    });

    it("a submission: every descriptive field, version 1, notice end from the registrar's notice period at the time", () => {
      expect(asset(G.id)).to.deep.equal({
        ...submittedRow(G, SZ.notice),
        ...approvedFields(G, approvals.get(G.id)!.sent, w.szRegistrar, approvals.get(G.id)!.number),
      });
      // Beijing's notice was changed to 4 days before P2 was submitted.
      expect(asset(P2.id).notice_ends_at).to.equal(P2.at + 4 * DAY);
      expect(asset(P2.id).source_type).to.equal("PublicAuthorised");
      expect(s.rows("SELECT * FROM asset_versions WHERE asset_id = ?", G.id)).to.deep.equal([
        {
          asset_id: Number(G.id),
          version: 1,
          content_hash: G.sub.contentHash,
          metadata_hash: G.sub.metadataHash,
          previous_content_hash: null,
          added_by: w.other.address,
          added_at: G.at,
          block_number: G.receipt.blockNumber,
          tx_hash: G.receipt.hash.toLowerCase(),
          log_index: s.logIndex(G, "RegistrationSubmitted"),
        },
      ]);
    });

    it("lineage: direct parents with their shares in order; royalties: the flattened upstream table fixed at submission", () => {
      expect(s.rows("SELECT * FROM lineage ORDER BY child_id, position")).to.deep.equal([
        { child_id: Number(P1.id), parent_id: Number(G.id), share_bps: 2000, position: 0 },
        { child_id: Number(C.id), parent_id: Number(P1.id), share_bps: 1500, position: 0 },
        { child_id: Number(C.id), parent_id: Number(P2.id), share_bps: 700, position: 1 },
      ]);
      // C: P1's 15% carries 20% of it up to G (3%, depth 2), P1 keeps 12%; P2 7%. Over 1e16.
      const toG = (1500n * (2000n * BP_SHARE)) / 10_000n;
      expect(s.rows("SELECT * FROM royalties ORDER BY asset_id, position")).to.deep.equal([
        { asset_id: Number(P1.id), position: 0, payee_asset_id: Number(G.id), share: (2000n * BP_SHARE).toString(), depth: 1 },
        { asset_id: Number(C.id), position: 0, payee_asset_id: Number(G.id), share: toG.toString(), depth: 2 },
        { asset_id: Number(C.id), position: 1, payee_asset_id: Number(P1.id), share: (1500n * BP_SHARE - toG).toString(), depth: 1 },
        { asset_id: Number(C.id), position: 2, payee_asset_id: Number(P2.id), share: (700n * BP_SHARE).toString(), depth: 1 },
      ]);
    });

    it("objections: open_objections counts up on filing and down on resolution; an upheld objection rejects", () => {
      expect(openAfterFiling).to.equal(2);
      expect(openAfterDismissal).to.equal(1);
      expect(s.rows("SELECT * FROM objections ORDER BY id")).to.deep.equal([
        {
          id: Number(o1.id),
          asset_id: Number(X.id),
          objector: w.objector.address,
          evidence_hash: o1.evidence,
          filed_at: o1.sent.at,
          open: 0,
          upheld: 0,
          resolver: w.szRegistrar.address,
          resolution_hash: dismissHash,
          resolved_at: dismissed.at,
        },
        {
          id: Number(o2.id),
          asset_id: Number(X.id),
          objector: w.other.address,
          evidence_hash: o2.evidence,
          filed_at: o2.sent.at,
          open: 0,
          upheld: 1,
          resolver: w.szRegistrar.address,
          resolution_hash: upholdHash,
          resolved_at: upheld.at,
        },
      ]);
      expect(asset(X.id)).to.deep.equal({
        ...submittedRow(X, SZ.notice),
        status: "Rejected",
        open_objections: 0,
        ended_at: upheld.at,
        end_reason: "objection upheld",
      });
    });

    it("approval: registration number per registrar and year, holder, approver, approved_at, valid_until", () => {
      for (const x of [G, P2, K, P1, C]) {
        const a = approvals.get(x.id)!;
        const row = asset(x.id);
        expect(row.registration_number, `asset ${x.id}`).to.equal(a.number);
        expect(row.approver).to.equal(a.approver.address);
        expect(row.approved_at).to.equal(a.sent.at);
        if (x !== C) expect(row.valid_until).to.equal(a.sent.at + Number(x.sub.validityPeriod)); // C was renewed
      }
      expect(approvals.get(P2.id)!.number).to.match(/^BJIDEX-\d{4}-000001$/);
      expect(asset(P1.id).holder).to.equal(w.other.address);
      expect(asset(P2.id).holder).to.equal(w.licensee.address);
    });

    it("rejection by the registrar and withdrawal by the applicant end the registration with the reason", () => {
      expect(asset(R.id)).to.deep.equal({
        ...submittedRow(R, SZ.notice),
        status: "Rejected",
        ended_at: rejected.at,
        end_reason: "source evidence does not match the data",
      });
      expect(asset(W.id)).to.deep.equal({
        ...submittedRow(W, SZ.notice),
        status: "Cancelled",
        ended_at: withdrawn.at,
        end_reason: "withdrawn by the applicant",
      });
    });

    it("versions: one row per version chained by previous_content_hash; the asset's current hash and count follow", () => {
      expect(s.rows("SELECT * FROM asset_versions WHERE asset_id = ? ORDER BY version", C.id)).to.deep.equal([
        {
          asset_id: Number(C.id),
          version: 1,
          content_hash: C.sub.contentHash,
          metadata_hash: C.sub.metadataHash,
          previous_content_hash: null,
          added_by: w.holder.address,
          added_at: C.at,
          block_number: C.receipt.blockNumber,
          tx_hash: C.receipt.hash.toLowerCase(),
          log_index: s.logIndex(C, "RegistrationSubmitted"),
        },
        ...[
          [v2, v2h, C.sub.contentHash],
          [v3, v3h, v2h.content],
        ].map(([sent, h, previous], i) => ({
          asset_id: Number(C.id),
          version: i + 2,
          content_hash: (h as typeof v2h).content,
          metadata_hash: (h as typeof v2h).meta,
          previous_content_hash: previous,
          added_by: w.holder.address,
          added_at: (sent as Sent).at,
          block_number: (sent as Sent).receipt.blockNumber,
          tx_hash: (sent as Sent).receipt.hash.toLowerCase(),
          log_index: s.logIndex(sent as Sent, "VersionAdded"),
        })),
      ]);
    });

    it("the full row of an asset after versions, a change, a transfer and a renewal", () => {
      const a = approvals.get(C.id)!;
      expect(asset(C.id)).to.deep.equal({
        ...submittedRow(C, SZ.notice),
        ...approvedFields(C, a.sent, w.szRegistrar, a.number),
        // versions
        content_hash: v3h.content,
        version_count: 3,
        // change (变更) by the registrar
        metadata_hash: changeMeta,
        metadata_uri: "ipfs://bafy-changed",
        records: "2500000",
        size_bytes: "9999999999",
        update_frequency: "Weekly",
        // registrar-approved transfer
        holder: w.licensee.address,
        pending_transfer_to: null,
        // renewal
        valid_until: renewedUntil,
      });
    });

    it("holding transfer: a request sets the pending recipient, cancelling clears it, approval moves the holder", () => {
      expect(pendingAfterRequest).to.equal(w.other.address);
      expect(pendingAfterCancel).to.equal(null);
      expect(asset(C.id).holder).to.equal(w.licensee.address);
      expect(asset(C.id).pending_transfer_to).to.equal(null);
    });

    it("cancellation (注销) of an approved registration: status, time, reason; no transfer left pending", () => {
      const a = approvals.get(K.id)!;
      expect(asset(K.id)).to.deep.equal({
        ...submittedRow(K, SZ.notice),
        ...approvedFields(K, a.sent, w.szRegistrar, a.number),
        status: "Cancelled",
        ended_at: cancelled.at,
        end_reason: "dataset withdrawn from circulation",
        pending_transfer_to: null, // the registry forgets the request when it cancels
      });
    });

    it("every asset agrees with the registry's views (holder, status, objections, versions, validity, number, pending transfer)", async () => {
      const rows = s.rows<Row>("SELECT * FROM assets ORDER BY id");
      expect(rows.map((r) => r.id)).to.deep.equal(Array.from({ length: Number(await w.registry.assetCount()) }, (_, i) => i + 1));
      for (const r of rows) {
        const id = r.id as number;
        const a = await w.registry.assetOf(id);
        const holder = await w.registry.holderOf(id);
        const [pending] = await w.registry.pendingTransferOf(id);
        const number = await w.registry.registrationNumber(id);
        expect(
          {
            holder: r.holder,
            status: r.status,
            open_objections: r.open_objections,
            version_count: r.version_count,
            content_hash: r.content_hash,
            valid_until: r.valid_until,
            approved_at: r.approved_at,
            ended_at: r.ended_at,
            registration_number: r.registration_number,
            pending_transfer_to: r.pending_transfer_to,
          },
          `asset ${id}`,
        ).to.deep.equal({
          holder: holder === ZERO ? null : holder,
          status: Status[Number(a.status)],
          open_objections: Number(a.openObjections),
          version_count: Number(a.versionCount),
          content_hash: await currentContentHash(w.registry, id),
          valid_until: a.approvedAt === 0n ? null : Number(a.validUntil),
          approved_at: a.approvedAt === 0n ? null : Number(a.approvedAt),
          ended_at: a.endedAt === 0n ? null : Number(a.endedAt),
          registration_number: number === "" ? null : number,
          pending_transfer_to: pending === ZERO ? null : pending,
        });
      }
    });

    it("raw events: one row per log, with block, transaction and the asset it concerns", async () => {
      await checkRawEvents(s, [
        "RegistrarAdded",
        "RegistrarUpdated",
        "RegistrationSubmitted",
        "ObjectionFiled",
        "ObjectionResolved",
        "RegistrationApproved",
        "RegistrationRejected",
        "VersionAdded",
        "RegistrationChanged",
        "HoldingTransferRequested",
        "HoldingTransferRequestCancelled",
        "HoldingTransferred",
        "RegistrationCancelled",
        "RegistrationRenewed",
        "Transfer",
      ]);
    });
  });

  // ================================================================ RightsCertificate

  describe("rights", function () {
    let w: World;
    let s: Scenario;
    let A: Submitted, B: Submitted;
    interface Granted {
      id: bigint;
      sent: Sent;
      terms: ReturnType<typeof grantTerms>;
      to: string;
      grantor: string;
      issuedBy: string;
    }
    let c1: Granted, c2: Granted, c3: Granted, c4: Granted, c5: Granted;
    let newHolder: HardhatEthersSigner, bought: HardhatEthersSigner;
    let holderBeforeTransfer: unknown;
    let revoked1: Sent, revoked5: Sent;

    async function grant(by: HardhatEthersSigner, terms: ReturnType<typeof grantTerms>, to: string): Promise<Granted> {
      const sent = await s.send(w.rights.connect(by).grant(terms, to));
      const id = s.event(sent, w.rights, "RightGranted").certId as bigint;
      return { id, sent, terms, to, grantor: by.address, issuedBy: by.address };
    }

    before(async function () {
      w = await world();
      s = new Scenario(w);
      await s.open();
      newHolder = w.signers[9];
      bought = w.signers[10];
      A = await registerRecorded(s, w, w.holder, { name: "Licensed dataset" });
      B = await registerRecorded(s, w, w.other, { name: "Second dataset" });
      const now = await time.latest();

      // A chain: holder -> licensee (product operation, sublicensable) -> other (processing use) -> objector.
      c1 = await grant(
        w.holder,
        grantTerms(A.id, { kind: RightKind.ProductOperation, scopeMask: 0b1111, validUntil: now + 2 * YEAR, sublicensable: true }),
        w.licensee.address,
      );
      c2 = await grant(
        w.licensee,
        grantTerms(A.id, { parentId: c1.id, scopeMask: 0b0011, validUntil: now + YEAR, sublicensable: true, transferable: true }),
        w.other.address,
      );
      c3 = await grant(w.other, grantTerms(A.id, { parentId: c2.id, scopeMask: 0b0001, validUntil: now + 180 * DAY }), w.objector.address);

      // The transferable sublicence moves: approval of an operator, then the operator transfers it.
      await s.sync();
      holderBeforeTransfer = s.row<{ holder: unknown }>("SELECT holder FROM certificates WHERE id = ?", c2.id).holder;
      await s.send(w.rights.connect(w.other).approve(w.admin.address, c2.id));
      await s.send(w.rights.connect(w.admin).transferFrom(w.other.address, newHolder.address, c2.id));
      await s.send(w.rights.connect(w.licensee).setApprovalForAll(w.admin.address, true));

      // Issued on the holder's behalf by the exchange role, starting in ten days.
      const t4 = grantTerms(A.id, { validFrom: now + 10 * DAY, validUntil: now + YEAR, transferable: true });
      const sent4 = await s.send(w.rights.connect(w.exchange).grantFor(w.holder.address, t4, bought.address));
      c4 = { id: s.event(sent4, w.rights, "RightGranted").certId, sent: sent4, terms: t4, to: bought.address, grantor: w.holder.address, issuedBy: w.exchange.address };

      // Revocations: by the grantor, and by the asset's registrar.
      c5 = await grant(w.other, grantTerms(B.id, { validUntil: now + YEAR }), w.licensee.address);
      revoked5 = await s.send(w.rights.connect(w.szRegistrar).revoke(c5.id, "registrar order 2025-17"));
      revoked1 = await s.send(w.rights.connect(w.holder).revoke(c1.id, "licence terminated"));
      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    const cert = (id: bigint) => s.row("SELECT * FROM certificates WHERE id = ?", id);

    function grantedRow(g: Granted, depth: number): Row {
      const t = g.terms;
      return {
        id: Number(g.id),
        asset_id: Number(t.assetId),
        kind: RightKind[t.kind],
        holder: g.to,
        grantor: g.grantor,
        issued_by: g.issuedBy,
        parent_id: Number(t.parentId) === 0 ? null : Number(t.parentId),
        depth,
        scope_hash: t.scopeHash,
        scope_mask: t.scopeMask,
        valid_from: Number(t.validFrom) === 0 ? g.sent.at : Number(t.validFrom),
        valid_until: Number(t.validUntil),
        sublicensable: flag(t.sublicensable),
        transferable: flag(t.transferable),
        granted_at: g.sent.at,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
        encumbrance: 0,
      };
    }

    it("a grant by the holder: kind, parties, scope, term from the grant time, flags, depth 0, no parent", () => {
      expect(cert(c1.id)).to.deep.equal({
        ...grantedRow(c1, 0),
        revoked_at: revoked1.at,
        revoked_by: w.holder.address,
        revoke_reason: "licence terminated",
      });
    });

    it("sublicences: parent_id and depth along the chain, the grantor is the parent's holder", () => {
      expect(cert(c2.id)).to.deep.equal({ ...grantedRow(c2, 1), holder: newHolder.address });
      expect(cert(c3.id)).to.deep.equal(grantedRow(c3, 2));
      expect(s.rows("SELECT id FROM certificates WHERE parent_id = ? ORDER BY id", c1.id)).to.deep.equal([{ id: Number(c2.id) }]);
    });

    it("a transferable certificate's transfer moves its holder", () => {
      expect(holderBeforeTransfer).to.equal(w.other.address);
      expect(cert(c2.id).holder).to.equal(newHolder.address);
    });

    it("grantFor: issued by the exchange role on the holder's behalf, with a future valid_from kept as given", () => {
      expect(cert(c4.id)).to.deep.equal(grantedRow(c4, 0));
      expect(cert(c4.id).valid_from).to.be.greaterThan(c4.sent.at);
    });

    it("revocation by the grantor and by the registrar: time, revoker, reason; sublicences keep their own rows", () => {
      expect(cert(c5.id)).to.deep.equal({
        ...grantedRow(c5, 0),
        revoked_at: revoked5.at,
        revoked_by: w.szRegistrar.address,
        revoke_reason: "registrar order 2025-17",
      });
      expect(s.rows("SELECT id FROM certificates WHERE revoked_at IS NOT NULL ORDER BY id")).to.deep.equal([
        { id: Number(c1.id) },
        { id: Number(c5.id) },
      ]);
    });

    it("every certificate agrees with rightOf and ownerOf", async () => {
      const rows = s.rows<Row>("SELECT * FROM certificates ORDER BY id");
      expect(rows.length).to.equal(Number(await w.rights.certificateCount()));
      for (const r of rows) {
        const c = await w.rights.rightOf(r.id as number);
        // The scope document's hash is only in the grant's event (the contract does not store it).
        const [granted] = await w.rights.queryFilter(w.rights.filters.RightGranted(r.id as number));
        expect(r, `certificate ${r.id}`).to.deep.include({
          asset_id: Number(c.assetId),
          kind: RightKind[Number(c.kind)],
          holder: await w.rights.ownerOf(r.id as number),
          // A paid licence stores no grantor (its seller is in RightGranted, which the index keeps).
          grantor: c.issuedByExchange ? granted.args.grantor : c.grantor,
          parent_id: c.parentId === 0n ? null : Number(c.parentId),
          depth: Number(c.depth),
          scope_hash: granted.args.terms.scopeHash,
          scope_mask: Number(c.scopeMask),
          valid_from: Number(c.validFrom),
          valid_until: Number(c.validUntil),
          sublicensable: flag(c.sublicensable),
          transferable: flag(c.transferable),
          revoked_at: c.revokedAt === 0n ? null : Number(c.revokedAt),
          encumbrance: Number(await w.rights.encumbranceOf(r.id as number)),
        });
      }
    });

    it("raw events: one row per log; certificate mints, moves and approvals carry the certificate's asset", async () => {
      await checkRawEvents(s, ["RightGranted", "RightRevoked", "Transfer", "Approval", "ApprovalForAll"]);
      const approval = s.row<Row>("SELECT asset_id, tx_hash FROM events WHERE contract = 'RightsCertificate' AND name = 'Approval'");
      expect(approval.asset_id).to.equal(Number(A.id));
      // Every Transfer, the mints (which come before the RightGranted naming the asset) included.
      const transfers = () =>
        s.rows<Row>(
          `SELECT e.block_number, e.log_index, e.asset_id, c.asset_id AS cert_asset, json_extract(e.args, '$.from') AS sender FROM events e
           JOIN certificates c ON c.id = CAST(json_extract(e.args, '$.tokenId') AS INTEGER)
           WHERE e.contract = 'RightsCertificate' AND e.name = 'Transfer' ORDER BY e.block_number, e.log_index`,
        );
      const tagged = transfers();
      expect(tagged.filter((t) => t.sender === ethers.ZeroAddress)).to.have.length(5); // c1..c5
      for (const t of tagged) expect(t.asset_id, JSON.stringify(t)).to.equal(t.cert_asset);

      const events = () => s.rows<Row>("SELECT * FROM events ORDER BY block_number, log_index");
      const before = events();
      // An index an older indexer wrote (schema 3) had the mints without their asset: migration 4 tags them.
      const db = s.database;
      db.prepare(`UPDATE events SET asset_id = NULL WHERE contract = 'RightsCertificate' AND name = 'Transfer' AND json_extract(args, '$.from') = ?`).run(
        ethers.ZeroAddress,
      );
      // Back to schema 3: without what migrations 5 (relayed actions), 6 (book positions), 8 (pledges), 9 (the
      // settlements' log index) and 10 (certificate pledges) added, then migrated forward again.
      const settledLogs = () => s.rows<Row>("SELECT order_id, log_index FROM settlements ORDER BY order_id");
      const logs = settledLogs();
      // ... and 11 (events keyed by block and log index alone): the events table as schema 1 made it, with its key on
      // (block_hash, log_index).
      db.exec(`ALTER TABLE certificates DROP COLUMN encumbrance;
        ALTER TABLE settlements DROP COLUMN log_index; DROP TABLE pledges; DROP TABLE proceeds_routes; DROP TABLE pledge_proceeds; DROP TABLE public_institutions;
        ALTER TABLE assets DROP COLUMN encumbrance; DROP TABLE book_positions; DROP TABLE relayed_requests;
        CREATE TABLE events_1 (
          block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, block_time INTEGER NOT NULL,
          log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL,
          contract TEXT NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
          asset_id INTEGER, args TEXT NOT NULL,
          UNIQUE (block_hash, log_index)
        );
        INSERT INTO events_1 SELECT block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id, args FROM events;
        DROP TABLE events; ALTER TABLE events_1 RENAME TO events;
        CREATE INDEX events_by_block ON events (block_number, log_index);
        CREATE INDEX events_by_asset ON events (asset_id, block_number, log_index) WHERE asset_id IS NOT NULL;`);
      db.pragma("user_version = 3");
      const said: string[] = [];
      migrate(db, SCHEMA_VERSION, (m) => said.push(m));
      expect(db.pragma("user_version", { simple: true })).to.equal(SCHEMA_VERSION);
      // Each step is told (the operator of a large index sees where a long migration is).
      expect(said).to.have.length(2 * (SCHEMA_VERSION - 3));
      expect(said[0]).to.equal("migrating the index from schema 3 to 4...");
      expect(said[said.length - 1]).to.match(new RegExp(`^migrated the index to schema ${SCHEMA_VERSION} in \\d+ ms$`));
      const created: string[] = []; // a new file is created, not migrated: nothing to tell
      migrate(new Database(":memory:"), SCHEMA_VERSION, (m) => created.push(m));
      expect(created).to.deep.equal([]);
      expect(transfers()).to.deep.equal(tagged);
      // Migration 9 fills the settlements' log index from their Settled events, as the projection writes it.
      expect(settledLogs()).to.deep.equal(logs);
      // With migration 11, every event is as it was before (this scenario relays nothing: signer and relayer are
      // NULL), and one key is left: the event's place in the chain.
      expect(before.every((e) => e.signer === null && e.relayer === null)).to.equal(true);
      expect(events()).to.deep.equal(before);
      const keys = s.rows<Row>("SELECT name, \"unique\" FROM pragma_index_list('events') ORDER BY name");
      expect(keys).to.deep.equal([
        { name: "events_by_asset", unique: 0 },
        { name: "events_by_block", unique: 1 },
        { name: "events_by_relayer", unique: 0 },
        { name: "events_by_signer", unique: 0 },
      ]);
      const first = before[0];
      expect(() =>
        db.prepare("INSERT INTO events SELECT * FROM events WHERE block_number = ? AND log_index = ?").run(first.block_number, first.log_index),
      ).to.throw(/UNIQUE constraint failed: events.block_number, events.log_index/);
    });
  });

  // ================================================================ DataExchange

  describe("exchange", function () {
    let m: Market;
    let s: Scenario;
    let token: string, token6: string, dexAddress: string;
    let P1: Submitted, P2: Submitted, C: Submitted, D: Submitted;
    const PRICE = 5_000_033n; // awkward on purpose: every split rounds
    const PARTIAL_REFUND = 1_000_000n;
    const D_PRICE = yuan(300);
    const HT_PRICE = 123_457n;
    let L1: bigint, L2: bigint, L3: bigint;
    let listed1: Sent, updated1: Sent, deactivated1: Sent, listed2: Sent, listed3: Sent;
    let terms1: Awaited<ReturnType<typeof listingTerms>>, terms2: Awaited<ReturnType<typeof listingTerms>>, terms3: Awaited<ReturnType<typeof listingTerms>>;
    interface Ord {
      id: bigint;
      sent: Sent;
      buyer: HardhatEthersSigner;
      delivered?: Sent;
      deliveryHash?: string;
      disputed?: Sent;
      disputeHash?: string;
      resolved?: Sent;
      resolutionHash?: string;
      closed?: Sent; // the transaction that settled or refunded it
    }
    let O1: Ord, O2: Ord, O3: Ord, O4: Ord, O5: Ord, O6: Ord;
    let l1AfterOrders: Row;
    let withdrawTo: HardhatEthersSigner;

    async function order(listingId: bigint, price: bigint, buyer: HardhatEthersSigner): Promise<Ord> {
      const sent = await s.send(m.dex.connect(buyer).order(listingId, price));
      return { id: s.event(sent, m.dex, "Ordered").orderId, sent, buyer };
    }
    async function deliver(o: Ord, seller: HardhatEthersSigner) {
      o.deliveryHash = hash("delivery");
      o.delivered = await s.send(m.dex.connect(seller).deliver(o.id, o.deliveryHash));
    }
    async function dispute(o: Ord) {
      o.disputeHash = hash("dispute");
      o.disputed = await s.send(m.dex.connect(o.buyer).dispute(o.id, o.disputeHash));
    }
    async function resolve(o: Ord, refund: bigint) {
      o.resolutionHash = hash("resolution");
      o.resolved = await s.send(m.dex.connect(m.arbiter).resolveDispute(o.id, refund, o.resolutionHash));
      o.closed = o.resolved;
    }

    before(async function () {
      m = await market();
      s = new Scenario(m);
      await s.open();
      token = await m.token.getAddress();
      dexAddress = await m.dex.getAddress();
      withdrawTo = m.signers[16];

      // Assets: C derives from P1 (10%, held by other) and P2 (5%, held by licensee); D is cancelled mid-trade.
      P1 = await submitAs(s, m.other, { name: "Parent one" });
      P2 = await submitAs(s, m.licensee, { name: "Parent two" });
      D = await submitAs(s, m.holder, { name: "Soon cancelled" });
      await waitUntil(D.noticeEndsAt);
      for (const x of [P1, P2, D]) await approveNow(s, m, x);
      C = await submitAs(s, m.holder, { name: "Child product", parentIds: [P1.id, P2.id], parentSharesBps: [1000, 500] });
      await waitUntil(C.noticeEndsAt);
      await approveNow(s, m, C);

      // Administration: a second token allowed then disallowed (6 decimals), Beijing's fee changed.
      const t6 = await new SettlementToken__factory(m.admin).deploy("Stable six", "S6", 6, m.admin.address);
      token6 = await t6.getAddress();
      await s.send(m.dex.setTokenAllowed(token6, true));
      await s.send(m.dex.setTokenAllowed(token6, false));
      await s.send(m.dex.setVenue(BJ.id, m.bjTreasury.address, 75));

      // L1: a processing-use licence of C with a 2.5% merchant commission; price and cap updated.
      terms1 = await listingTerms(m, C.id, { merchant: m.merchant.address, merchantBps: 250, licenceTransferable: true });
      listed1 = await s.send(m.dex.connect(m.holder).list(terms1));
      L1 = s.event(listed1, m.dex, "Listed").listingId;
      updated1 = await s.send(m.dex.connect(m.holder).updateListing(L1, PRICE, 10, true));
      // L3: D, whose registration will be cancelled before its order settles.
      terms3 = await listingTerms(m, D.id, { price: D_PRICE });
      listed3 = await s.send(m.dex.connect(m.holder).list(terms3));
      L3 = s.event(listed3, m.dex, "Listed").listingId;

      O1 = await order(L1, PRICE, m.buyer);
      O2 = await order(L1, PRICE, m.buyer2);
      O3 = await order(L1, PRICE, m.other);
      O4 = await order(L1, PRICE, m.licensee);
      O6 = await order(L3, D_PRICE, m.buyer2);
      await s.sync();
      l1AfterOrders = s.row("SELECT price, max_quantity, active, updated_at, sold FROM listings WHERE id = ?", L1);

      for (const o of [O1, O2, O3]) await deliver(o, m.holder);
      await deliver(O6, m.holder);
      O1.closed = await s.send(m.dex.connect(m.buyer).accept(O1.id)); // settles: fee, commission, 2 royalties, net
      await dispute(O2);
      await dispute(O3);
      await resolve(O2, PARTIAL_REFUND); // partial: refund part, settle the rest
      await resolve(O3, PRICE); // full refund
      await s.send(m.registry.connect(m.holder).cancel(D.id, "licence source withdrawn"));
      O6.closed = await s.send(m.dex.connect(m.buyer2).accept(O6.id)); // the seller can no longer grant: refund
      await time.increase(7 * DAY + 1);
      O4.closed = await s.send(m.dex.connect(m.licensee).refundUndelivered(O4.id));

      // L2: the holding right of P2, on the Beijing venue, settled by anyone once the acceptance window passed.
      terms2 = await listingTerms(m, P2.id, { offer: Offer.HoldingTransfer, maxQuantity: 1, price: HT_PRICE, venueId: BJ.id });
      listed2 = await s.send(m.dex.connect(m.licensee).list(terms2));
      L2 = s.event(listed2, m.dex, "Listed").listingId;
      O5 = await order(L2, HT_PRICE, m.buyer);
      await deliver(O5, m.licensee);
      await time.increase(3 * DAY + 1);
      O5.closed = await s.send(m.dex.connect(m.admin).settle(O5.id));

      deactivated1 = await s.send(m.dex.connect(m.holder).updateListing(L1, PRICE, 10, false));
      await s.send(m.dex.connect(m.holder).withdraw(token, m.holder.address));
      await s.send(m.dex.connect(m.merchant).withdraw(token, withdrawTo.address));
      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    const table = () => [
      { assetId: P1.id, share: 1000n * BP_SHARE },
      { assetId: P2.id, share: 500n * BP_SHARE },
    ];
    const splitO1 = () => expectedSplit(PRICE, SZ_FEE_BPS, 250, table());
    const splitO2 = () => expectedSplit(PRICE - PARTIAL_REFUND, SZ_FEE_BPS, 250, table());
    const splitO5 = () => expectedSplit(HT_PRICE, 75, 0, []);

    it("venues and tokens: treasury and fee as last set; a token's allowed flag, decimals and symbol", () => {
      expect(s.rows("SELECT * FROM venues ORDER BY id")).to.deep.equal([
        { id: SZ.id, treasury: m.szTreasury.address, fee_bps: SZ_FEE_BPS },
        { id: BJ.id, treasury: m.bjTreasury.address, fee_bps: 75 },
      ]);
      expect(s.rows("SELECT * FROM tokens ORDER BY address")).to.deep.equal(
        [
          { address: token, allowed: 1, decimals: 2, symbol: "eCNY" },
          { address: token6, allowed: 0, decimals: 6, symbol: "S6" },
        ].sort((a, b) => (a.address < b.address ? -1 : 1)),
      );
    });

    it("listings: the listed terms, updates of price, cap and active flag, and units sold net of full refunds", () => {
      const listingRow = (terms: typeof terms1, id: bigint, seller: string, listedAt: number, updatedAt: number): Row => ({
        id: Number(id),
        asset_id: Number(terms.assetId),
        seller,
        seller_cert_id: null,
        venue_id: Number(terms.venueId),
        offer: Offer[Number(terms.offer)],
        token,
        price: BigInt(terms.price).toString(),
        max_quantity: Number(terms.maxQuantity),
        sold: 0,
        active: 1,
        licence_term: Number(terms.licenceTerm),
        scope_hash: terms.scopeHash,
        scope_mask: Number(terms.scopeMask),
        licence_sublicensable: flag(terms.licenceSublicensable as boolean),
        licence_transferable: flag(terms.licenceTransferable as boolean),
        merchant: terms.merchant,
        merchant_bps: Number(terms.merchantBps),
        delivery_window: Number(terms.deliveryWindow),
        acceptance_window: Number(terms.acceptanceWindow),
        listed_at: listedAt,
        updated_at: updatedAt,
      });
      // Before the refunds: the update's price and cap, 4 units taken.
      expect(l1AfterOrders).to.deep.equal({ price: PRICE.toString(), max_quantity: 10, active: 1, updated_at: updated1.at, sold: 4 });
      expect(s.rows("SELECT * FROM listings ORDER BY id")).to.deep.equal(
        [
          // O1 settled, O2 partly refunded and settled: 2 sold; O3 fully refunded, O4 refunded undelivered.
          { ...listingRow(terms1, L1, m.holder.address, listed1.at, deactivated1.at), price: PRICE.toString(), max_quantity: 10, sold: 2, active: 0 },
          // O6 refunded at settlement: the registration had been cancelled.
          { ...listingRow(terms3, L3, m.holder.address, listed3.at, listed3.at), sold: 0 },
          { ...listingRow(terms2, L2, m.licensee.address, listed2.at, listed2.at), sold: 1 },
        ].sort((a: Row, b: Row) => Number(a.id) - Number(b.id)),
      );
    });

    function orderRow(o: Ord, listingId: bigint, terms: typeof terms1, price: bigint, feeBps: number, seller: string): Row {
      return {
        id: Number(o.id),
        listing_id: Number(listingId),
        asset_id: Number(terms.assetId),
        buyer: o.buyer.address,
        seller,
        token,
        price: price.toString(),
        fee_bps: feeBps,
        status: "Paid",
        ordered_at: o.sent.at,
        delivery_deadline: o.sent.at + Number(terms.deliveryWindow),
        delivery_hash: o.deliveryHash ?? null,
        delivered_at: o.delivered?.at ?? null,
        acceptance_ends_at: o.delivered ? o.delivered.at + Number(terms.acceptanceWindow) : null,
        dispute_evidence_hash: o.disputeHash ?? null,
        disputed_at: o.disputed?.at ?? null,
        arbiter: o.resolved ? m.arbiter.address : null,
        resolution_hash: o.resolutionHash ?? null,
        resolved_at: o.resolved?.at ?? null,
        refunded: "0",
        refund_reason: null,
        refunded_at: null,
        settled_at: null,
      };
    }

    it("orders: ordered, delivered, disputed, arbitrated (partly and fully), refunded after the deadline or at settlement, settled", () => {
      const holder = m.holder.address;
      expect(s.rows("SELECT * FROM orders ORDER BY id")).to.deep.equal(
        [
          { ...orderRow(O1, L1, terms1, PRICE, SZ_FEE_BPS, holder), status: "Settled", settled_at: O1.closed!.at },
          {
            ...orderRow(O2, L1, terms1, PRICE, SZ_FEE_BPS, holder),
            status: "Settled",
            refunded: PARTIAL_REFUND.toString(),
            refund_reason: "Arbitration",
            refunded_at: O2.resolved!.at,
            settled_at: O2.resolved!.at,
          },
          {
            ...orderRow(O3, L1, terms1, PRICE, SZ_FEE_BPS, holder),
            status: "Refunded",
            refunded: PRICE.toString(),
            refund_reason: "Arbitration",
            refunded_at: O3.resolved!.at,
          },
          {
            ...orderRow(O4, L1, terms1, PRICE, SZ_FEE_BPS, holder),
            status: "Refunded",
            refunded: PRICE.toString(),
            refund_reason: "NotDelivered",
            refunded_at: O4.closed!.at,
          },
          {
            ...orderRow(O6, L3, terms3, D_PRICE, SZ_FEE_BPS, holder),
            status: "Refunded",
            refunded: D_PRICE.toString(),
            refund_reason: "RightsLapsed",
            refunded_at: O6.closed!.at,
          },
          { ...orderRow(O5, L2, terms2, HT_PRICE, 75, m.licensee.address), status: "Settled", settled_at: O5.closed!.at },
        ].sort((a: Row, b: Row) => Number(a.id) - Number(b.id)),
      );
    });

    it("every order's status is the exchange's (orderOf), and every listing's sold count and active flag", async () => {
      const rows = s.rows<{ id: number; status: string; price: string }>("SELECT id, status, price FROM orders ORDER BY id");
      expect(rows.length).to.equal(Number(await m.dex.orderCount()));
      for (const r of rows) {
        const o = await m.dex.orderOf(r.id);
        expect({ status: r.status, price: r.price }, `order ${r.id}`).to.deep.equal({
          status: OrderStatus[Number(o.status)],
          price: o.price.toString(),
        });
      }
      for (const l of s.rows<{ id: number; sold: number; active: number; price: string }>("SELECT id, sold, active, price FROM listings")) {
        const c = await m.dex.listingOf(l.id);
        expect(l, `listing ${l.id}`).to.deep.equal({ id: l.id, sold: Number(c.sold), active: flag(c.active), price: c.terms.price.toString() });
      }
    });

    it("settlements: every part of the split, the licence issued, and lines that sum exactly to gross", () => {
      const s1 = splitO1();
      const s2 = splitO2();
      const s5 = splitO5();
      const certO1 = s.event(O1.closed!, m.rights, "RightGranted").certId;
      const certO2 = s.event(O2.resolved!, m.rights, "RightGranted").certId;
      const base = (o: Ord, gross: bigint, split: typeof s1, certId: bigint) => ({
        order_id: Number(o.id),
        listing_id: Number(L1),
        asset_id: Number(C.id),
        offer: "ProcessingUse",
        buyer: o.buyer.address,
        seller: m.holder.address,
        token,
        gross: gross.toString(),
        venue_id: SZ.id,
        venue_treasury: m.szTreasury.address,
        exchange_fee: split.exchangeFee.toString(),
        merchant: m.merchant.address,
        merchant_commission: split.merchantCommission.toString(),
        royalty_total: split.royalties.reduce((a, r) => a + r.amount, 0n).toString(),
        seller_net: split.sellerNet.toString(),
        cert_id: Number(certId),
        settled_at: o.closed!.at,
        block_number: o.closed!.receipt.blockNumber,
        tx_hash: o.closed!.receipt.hash.toLowerCase(),
        log_index: s.logIndex(o.closed!, "Settled"),
      });
      expect(s.rows("SELECT * FROM settlements ORDER BY order_id")).to.deep.equal(
        [
          base(O1, PRICE, s1, certO1),
          base(O2, PRICE - PARTIAL_REFUND, s2, certO2),
          {
            order_id: Number(O5.id),
            listing_id: Number(L2),
            asset_id: Number(P2.id),
            offer: "HoldingTransfer",
            buyer: m.buyer.address,
            seller: m.licensee.address,
            token,
            gross: HT_PRICE.toString(),
            venue_id: BJ.id,
            venue_treasury: m.bjTreasury.address,
            exchange_fee: s5.exchangeFee.toString(),
            merchant: ZERO,
            merchant_commission: "0",
            royalty_total: "0",
            seller_net: s5.sellerNet.toString(),
            cert_id: Number(P2.id), // the registration certificate itself
            settled_at: O5.closed!.at,
            block_number: O5.closed!.receipt.blockNumber,
            tx_hash: O5.closed!.receipt.hash.toLowerCase(),
            log_index: s.logIndex(O5.closed!, "Settled"),
          },
        ].sort((a, b) => a.order_id - b.order_id),
      );

      const lines = (o: Ord, split: typeof s1) => [
        { order_id: Number(o.id), position: 0, kind: "ExchangeFee", payee: m.szTreasury.address, source_asset_id: null, amount: split.exchangeFee.toString() },
        { order_id: Number(o.id), position: 1, kind: "MerchantCommission", payee: m.merchant.address, source_asset_id: null, amount: split.merchantCommission.toString() },
        { order_id: Number(o.id), position: 2, kind: "Royalty", payee: m.other.address, source_asset_id: Number(P1.id), amount: split.royalties[0].amount.toString() },
        { order_id: Number(o.id), position: 3, kind: "Royalty", payee: m.licensee.address, source_asset_id: Number(P2.id), amount: split.royalties[1].amount.toString() },
        { order_id: Number(o.id), position: 4, kind: "SellerNet", payee: m.holder.address, source_asset_id: null, amount: split.sellerNet.toString() },
      ];
      expect(s.rows("SELECT * FROM settlement_lines ORDER BY order_id, position")).to.deep.equal(
        [
          ...lines(O1, s1),
          ...lines(O2, s2),
          { order_id: Number(O5.id), position: 0, kind: "ExchangeFee", payee: m.bjTreasury.address, source_asset_id: null, amount: s5.exchangeFee.toString() },
          { order_id: Number(O5.id), position: 1, kind: "SellerNet", payee: m.licensee.address, source_asset_id: null, amount: s5.sellerNet.toString() },
        ].sort((a, b) => a.order_id - b.order_id || a.position - b.position),
      );
      // Exactly gross, per settlement, with every split rounding somewhere.
      for (const st of s.rows<{ order_id: number; gross: string }>("SELECT order_id, gross FROM settlements")) {
        const sum = s
          .rows<{ amount: string }>("SELECT amount FROM settlement_lines WHERE order_id = ?", st.order_id)
          .reduce((a, l) => a + BigInt(l.amount), 0n);
        expect(sum, `order ${st.order_id}`).to.equal(BigInt(st.gross));
      }
      expect(s1.exchangeFee * 10_000n).to.not.equal(PRICE * BigInt(SZ_FEE_BPS)); // the fee did round
      // The buyers' licences, issued by the exchange on the seller's behalf.
      for (const [o, certId] of [[O1, certO1], [O2, certO2]] as const) {
        expect(s.row("SELECT * FROM certificates WHERE id = ?", certId)).to.deep.include({
          asset_id: Number(C.id),
          kind: "ProcessingUse",
          holder: o.buyer.address,
          grantor: m.holder.address,
          issued_by: dexAddress,
          valid_from: o.closed!.at,
          valid_until: o.closed!.at + Number(terms1.licenceTerm),
          transferable: 1,
        });
      }
      // The holding transfer moved the registration certificate.
      expect(s.row("SELECT holder FROM assets WHERE id = ?", P2.id)).to.deep.equal({ holder: m.buyer.address });
    });

    it("credits: every share credited to its payee, refunds to buyers, withdrawals debited", () => {
      const s1 = splitO1();
      const s2 = splitO2();
      const s5 = splitO5();
      const credited = new Map<string, bigint>();
      const add = (a: string, v: bigint) => credited.set(a, (credited.get(a) ?? 0n) + v);
      add(m.szTreasury.address, s1.exchangeFee + s2.exchangeFee);
      add(m.merchant.address, s1.merchantCommission + s2.merchantCommission);
      add(m.other.address, s1.royalties[0].amount + s2.royalties[0].amount + PRICE); // royalties on P1 + O3 refunded
      add(m.licensee.address, s1.royalties[1].amount + s2.royalties[1].amount + PRICE + s5.sellerNet); // + O4 refund + sale of P2
      add(m.holder.address, s1.sellerNet + s2.sellerNet);
      add(m.buyer2.address, PARTIAL_REFUND + D_PRICE);
      add(m.bjTreasury.address, s5.exchangeFee);
      const withdrawn = new Map([
        [m.holder.address, s1.sellerNet + s2.sellerNet],
        [m.merchant.address, s1.merchantCommission + s2.merchantCommission],
      ]);
      const expected = [...credited].map(([account, c]) => {
        const w = withdrawn.get(account) ?? 0n;
        return { account, token, credited: c.toString(), withdrawn: w.toString(), balance: (c - w).toString() };
      });
      expected.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
      expect(s.rows("SELECT * FROM credits ORDER BY account")).to.deep.equal(expected);
    });

    it("every credit balance is the exchange's creditOf, and together they are its token balance (no escrow open)", async () => {
      const rows = s.rows<{ account: string; token: string; balance: string }>("SELECT account, token, balance FROM credits");
      let sum = 0n;
      for (const r of rows) {
        expect(BigInt(r.balance), r.account).to.equal(await m.dex.creditOf(r.account, r.token));
        sum += BigInt(r.balance);
      }
      expect(sum).to.equal(await m.token.balanceOf(dexAddress));
      expect(sum).to.equal(await m.dex.liabilitiesOf(token));
      expect(await m.token.balanceOf(withdrawTo.address)).to.equal(splitO1().merchantCommission + splitO2().merchantCommission);
    });

    it("raw events: one row per log; order events carry their order's asset", async () => {
      await checkRawEvents(s, [
        "VenueSet",
        "TokenAllowed",
        "Listed",
        "ListingUpdated",
        "Ordered",
        "Delivered",
        "Disputed",
        "DisputeResolved",
        "Refunded",
        "Settled",
        "Withdrawn",
        "RightGranted",
        "HoldingTransferred",
      ]);
      const delivered = s.rows<Row>("SELECT asset_id, tx_hash, block_number FROM events WHERE name = 'Delivered' ORDER BY block_number");
      expect(delivered).to.deep.equal(
        [O1, O2, O3, O6, O5].map((o) => ({
          asset_id: Number(o === O6 ? D.id : o === O5 ? P2.id : C.id),
          tx_hash: o.delivered!.receipt.hash.toLowerCase(),
          block_number: o.delivered!.receipt.blockNumber,
        })),
      );
    });
  });

  // ================================================================ AssetLedger

  describe("exchange: trading time and licence remedies", function () {
    let m: Market;
    let s: Scenario;
    let token: string;
    let paid: bigint, delivered: bigint, remedied: bigint, pausedFor: number;
    let remedy: Sent;

    before(async function () {
      m = await market();
      s = new Scenario(m);
      await s.open();
      token = await m.token.getAddress();
      const A = await submitAs(s, m.holder, { name: "Traded while paused" });
      await waitUntil(A.noticeEndsAt);
      await approveNow(s, m, A);
      const terms = await listingTerms(m, A.id);
      const listingId = s.event(await s.send(m.dex.connect(m.holder).list(terms)), m.dex, "Listed").listingId;
      const buy = async (buyer: HardhatEthersSigner) =>
        s.event(await s.send(m.dex.connect(buyer).order(listingId, terms.price)), m.dex, "Ordered").orderId as bigint;
      paid = await buy(m.buyer);
      delivered = await buy(m.buyer2);
      remedied = await buy(m.other);
      await s.send(m.dex.connect(m.holder).deliver(delivered, hash("d1")));
      await s.send(m.dex.connect(m.holder).deliver(remedied, hash("d2")));
      await s.send(m.dex.connect(m.other).accept(remedied));
      const paused = await s.send(m.dex.pause());
      await time.increase(5 * DAY);
      const resumed = await s.send(m.dex.unpause());
      pausedFor = resumed.at - paused.at;
      const certId = (await m.rights.certificateCount());
      remedy = await s.send(m.dex.connect(m.arbiter).remedyLicence(remedied, certId, BigInt(terms.price) / 4n, hash("ruling")));
      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    it("an unpause moves the running deadlines by the pause, as the contract counts them", async () => {
      const p = s.row<Row>("SELECT ordered_at, delivery_deadline FROM orders WHERE id = ?", paid);
      expect(p.delivery_deadline).to.equal((p.ordered_at as number) + 7 * DAY + pausedFor);
      const d = s.row<Row>("SELECT delivered_at, acceptance_ends_at FROM orders WHERE id = ?", delivered);
      expect(d.acceptance_ends_at).to.equal((d.delivered_at as number) + 3 * DAY + pausedFor);
      // The contract agrees: one second before the indexed deadline the buyer still cannot take a refund.
      await expect(m.dex.connect(m.buyer).refundUndelivered(paid)).to.be.revertedWithCustomError(m.dex, "DeliveryDeadlineNotPassed").withArgs(paid, p.delivery_deadline);
    });

    it("a licence remedy: the order is Remedied and the refund moves from the seller's credits to the buyer's", async () => {
      const o = s.row<Row>("SELECT status, refunded, refund_reason, arbiter, resolved_at FROM orders WHERE id = ?", remedied);
      const ev = s.event(remedy, m.dex, "LicenceRemedied");
      expect(o).to.deep.equal({ status: "Remedied", refunded: ev.refundPaid.toString(), refund_reason: "LicenceRemedy", arbiter: m.arbiter.address, resolved_at: remedy.at });
      for (const account of [m.holder.address, m.other.address, m.szTreasury.address]) {
        const row = s.row<Row>("SELECT balance FROM credits WHERE account = ? AND token = ?", account, token);
        expect(row.balance, account).to.equal((await m.dex.creditOf(account, token)).toString());
      }
    });
  });

  describe("ledger", function () {
    let l: Awaited<ReturnType<typeof ledgerWorld>>;
    let s: Scenario;
    interface Att {
      id: bigint;
      sent: Sent;
      report: string;
    }
    let att1: Att, att2: Att, att3: Att, att4: Att, att5: Att, att6: Att;
    let revoked5: Sent;
    const SCORES: [number, number, number, number, number, number] = [92, 88, 95, 90, 70, 85];
    const SCORES2: [number, number, number, number, number, number] = [93, 89, 96, 91, 72, 86];
    const VALUE = 9_876_543_210n;
    const VALUATION_DATE = cstDate(2025, 6, 30);
    let setHolder: Sent, setOtherOff: Sent;
    interface Entry {
      sent: Sent;
      kind: string;
      date: number;
      evidence: string;
      by: HardhatEthersSigner;
      fields: Row;
    }
    const entries = new Map<bigint, Entry[]>();
    let B1: bigint, B2: bigint, B3: bigint, B4: bigint;
    let boughtOrder: bigint; // a settled order bought by the entity, linked from a cost of B1

    async function attest(name: string, tx: (report: string) => Promise<ContractTransactionResponse>): Promise<Att> {
      const report = hash("report");
      const sent = await s.send(tx(report));
      return { id: s.event(sent, l.ledger, name).attestationId, sent, report };
    }

    async function record(
      bookId: bigint | null,
      kind: string,
      event: string,
      date: number,
      by: HardhatEthersSigner,
      fields: Row,
      tx: (evidence: string) => Promise<ContractTransactionResponse>,
    ): Promise<bigint> {
      const evidence = hash("evidence");
      const sent = await s.send(tx(evidence));
      const id = bookId ?? (s.event(sent, l.ledger, event).bookId as bigint);
      if (!entries.has(id)) entries.set(id, []);
      entries.get(id)!.push({ sent, kind, date, evidence, by, fields });
      return id;
    }

    before(async function () {
      l = await ledgerWorld();
      boughtOrder = await (await exchangeOrders(l))(l.entity); // before the scenario: only its ledger link is checked
      s = new Scenario(l);
      await s.open();
      const L = l.ledger;
      const asset = l.activeId;

      // Attestations: compliance superseded by a failed one; quality superseded; an appraisal revoked; one on an
      // asset still in notice.
      att1 = await attest("ComplianceAttested", (r) => L.connect(l.assessor).attestCompliance(asset, true, r, 0));
      att2 = await attest("ComplianceAttested", (r) => L.connect(l.assessor).attestCompliance(asset, false, r, att1.id));
      att3 = await attest("QualityAttested", (r) => L.connect(l.assessor2).attestQuality(asset, SCORES, r, 0));
      att4 = await attest("QualityAttested", (r) => L.connect(l.assessor2).attestQuality(asset, SCORES2, r, att3.id));
      att5 = await attest("AppraisalAttested", (r) =>
        L.connect(l.appraiser).attestAppraisal(asset, ValuationMethod.Income, VALUE, l.currencyAddress, VALUATION_DATE, r, 0),
      );
      att6 = await attest("ComplianceAttested", (r) => L.connect(l.assessor).attestCompliance(l.noticeId, true, r, 0));
      revoked5 = await s.send(L.connect(l.appraiser).revokeAttestation(att5.id, "valuation inputs corrected by audit"));

      // Accountants: the entity authorises one; another entity authorises then withdraws it.
      setHolder = await s.send(L.connect(l.entity).setAccountant(l.accountant.address, true));
      await s.send(L.connect(l.otherEntity).setAccountant(l.accountant.address, true));
      setOtherOff = await s.send(L.connect(l.otherEntity).setAccountant(l.accountant.address, false));

      const cur = l.currencyAddress;
      const ent = l.entity.address;
      const E = l.entity;
      const A = l.accountant;
      // B1: purchased intangible, recognised by the accountant; costs; impairment; sold.
      const d1 = cstDate(2025, 3, 1);
      B1 = await record(null, "Opened", "BookOpened", d1, A, { useful_life_months: 36, source: "Purchased" }, (e) =>
        L.connect(A).recognise(ent, asset, Category.Intangible, CostSource.Purchased, 36, 10_000n, cur, d1, e),
      );
      await record(B1, "Cost", "", d1, E, { amount: "1200000", source: "Purchased", phase: "None" }, (e) =>
        L.connect(E).addCost(B1, 1_200_000n, CostSource.Purchased, CostPhase.None, d1, 0, e),
      );
      const d1b = cstDate(2025, 3, 15);
      await record(B1, "Cost", "", d1b, A, { amount: "300000", source: "Other", phase: "None", order_id: Number(boughtOrder) }, (e) =>
        L.connect(A).addCost(B1, 300_000n, CostSource.Other, CostPhase.None, d1b, boughtOrder, e),
      );
      const d1c = cstDate(2025, 12, 31);
      await record(B1, "Impairment", "", d1c, E, { amount: "250000" }, (e) => L.connect(E).impair(B1, 250_000n, d1c, e));
      const d1d = cstDate(2026, 2, 1);
      await record(B1, "Derecognised", "", d1d, E, { reason: "Sale", proceeds: "900000" }, (e) =>
        L.connect(E).derecognise(B1, DerecognitionReason.Sale, 900_000n, d1d, e),
      );

      // B2: self-processed inventory; written down, part of the write-down reversed.
      const d2 = cstDate(2025, 4, 1);
      B2 = await record(null, "Opened", "BookOpened", d2, E, { useful_life_months: 0, source: "SelfDeveloped" }, (e) =>
        L.connect(E).recognise(ent, asset, Category.Inventory, CostSource.SelfDeveloped, 0, 0n, cur, d2, e),
      );
      await record(B2, "Cost", "", d2, E, { amount: "800000", source: "SelfDeveloped", phase: "None" }, (e) =>
        L.connect(E).addCost(B2, 800_000n, CostSource.SelfDeveloped, CostPhase.None, d2, 0, e),
      );
      const d2b = cstDate(2025, 6, 30);
      await record(B2, "Impairment", "", d2b, E, { amount: "120000" }, (e) => L.connect(E).impair(B2, 120_000n, d2b, e));
      const d2c = cstDate(2025, 9, 30);
      await record(B2, "WriteDownReversal", "", d2c, A, { amount: "50000" }, (e) => L.connect(A).reverseWriteDown(B2, 50_000n, d2c, e));

      // B3: development: research expensed, development capitalised, ready for use (becomes intangible), impaired.
      const d3 = cstDate(2025, 1, 10);
      B3 = await record(null, "Opened", "BookOpened", d3, E, { useful_life_months: 0, source: "SelfDeveloped" }, (e) =>
        L.connect(E).recognise(ent, asset, Category.Development, CostSource.SelfDeveloped, 0, 0n, cur, d3, e),
      );
      const d3a = cstDate(2025, 1, 31);
      await record(B3, "Cost", "", d3a, E, { amount: "300000", source: "SelfDeveloped", phase: "Research" }, (e) =>
        L.connect(E).addCost(B3, 300_000n, CostSource.SelfDeveloped, CostPhase.Research, d3a, 0, e),
      );
      const d3b = cstDate(2025, 2, 28);
      await record(B3, "Cost", "", d3b, E, { amount: "700000", source: "SelfDeveloped", phase: "Development" }, (e) =>
        L.connect(E).addCost(B3, 700_000n, CostSource.SelfDeveloped, CostPhase.Development, d3b, 0, e),
      );
      const d3c = cstDate(2025, 3, 31);
      await record(B3, "ReadyForUse", "", d3c, E, { useful_life_months: 60 }, (e) => L.connect(E).readyForUse(B3, 60, d3c, e));
      const d3d = cstDate(2025, 12, 31);
      await record(B3, "Impairment", "", d3d, E, { amount: "100000" }, (e) => L.connect(E).impair(B3, 100_000n, d3d, e));

      // B4: other-source intangible bought 2025-05-06, integrated, ready for use 2025-07-15 with 24 months.
      const d4 = cstDate(2025, 5, 6);
      B4 = await record(null, "Opened", "BookOpened", d4, A, { useful_life_months: 0, source: "Other" }, (e) =>
        L.connect(A).recogniseAwaitingUse(ent, asset, CostSource.Other, 0n, cur, d4, e),
      );
      await record(B4, "Cost", "", d4, E, { amount: "400000", source: "Other", phase: "None" }, (e) =>
        L.connect(E).addCost(B4, 400_000n, CostSource.Other, CostPhase.None, d4, 0, e),
      );
      const d4b = cstDate(2025, 7, 15);
      await record(B4, "ReadyForUse", "", d4b, A, { useful_life_months: 24 }, (e) => L.connect(A).readyForUse(B4, 24, d4b, e));

      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    function attRow(a: Att, kind: string, author: HardhatEthersSigner, assetId: bigint, fields: Row): Row {
      return {
        id: Number(a.id),
        asset_id: Number(assetId),
        kind,
        author: author.address,
        report_hash: a.report,
        supersedes: null,
        superseded_by: null,
        passed: null,
        accuracy: null,
        consistency: null,
        completeness: null,
        conformity: null,
        timeliness: null,
        accessibility: null,
        method: null,
        value: null,
        currency: null,
        valuation_date: null,
        attested_at: a.sent.at,
        revoked_at: null,
        revoke_reason: null,
        ...fields,
      };
    }
    const scores = (x: typeof SCORES) => {
      const [accuracy, consistency, completeness, conformity, timeliness, accessibility] = x;
      return { accuracy, consistency, completeness, conformity, timeliness, accessibility };
    };

    it("attestations: compliance verdicts, the six quality scores, appraisal method/value/currency/date; superseding and revocation", () => {
      const id = l.activeId;
      expect(s.rows("SELECT * FROM attestations ORDER BY id")).to.deep.equal([
        attRow(att1, "Compliance", l.assessor, id, { passed: 1, superseded_by: Number(att2.id) }),
        attRow(att2, "Compliance", l.assessor, id, { passed: 0, supersedes: Number(att1.id) }),
        attRow(att3, "Quality", l.assessor2, id, { ...scores(SCORES), superseded_by: Number(att4.id) }),
        attRow(att4, "Quality", l.assessor2, id, { ...scores(SCORES2), supersedes: Number(att3.id) }),
        attRow(att5, "Appraisal", l.appraiser, id, {
          method: "Income",
          value: VALUE.toString(),
          currency: l.currencyAddress,
          valuation_date: VALUATION_DATE,
          revoked_at: revoked5.at,
          revoke_reason: "valuation inputs corrected by audit",
        }),
        attRow(att6, "Compliance", l.assessor, l.noticeId, { passed: 1 }),
      ]);
    });

    it("every attestation agrees with attestationOf (revokedAt, supersededBy, author, time)", async () => {
      for (const r of s.rows<Row>("SELECT * FROM attestations")) {
        const a = await l.ledger.attestationOf(r.id as number);
        expect(
          { asset_id: r.asset_id, author: r.author, attested_at: r.attested_at, revoked_at: r.revoked_at, superseded_by: r.superseded_by },
          `attestation ${r.id}`,
        ).to.deep.equal({
          asset_id: Number(a.assetId),
          author: a.author,
          attested_at: Number(a.attestedAt),
          revoked_at: a.revokedAt === 0n ? null : Number(a.revokedAt),
          superseded_by: a.supersededBy === 0n ? null : Number(a.supersededBy),
        });
      }
    });

    it("accountants: authorisations per entity, the latest one winning", async () => {
      const expected = [
        { entity: l.entity.address, accountant: l.accountant.address, authorised: 1, set_at: setHolder.at },
        { entity: l.otherEntity.address, accountant: l.accountant.address, authorised: 0, set_at: setOtherOff.at },
      ].sort((a, b) => (a.entity < b.entity ? -1 : 1));
      expect(s.rows("SELECT * FROM accountants ORDER BY entity")).to.deep.equal(expected);
      for (const r of expected) expect(await l.ledger.isAccountant(r.entity, r.accountant)).to.equal(r.authorised === 1);
    });

    it("books: recognition as intangible, inventory and development; research not capitalised; ready for use; impairment, reversal, derecognition", () => {
      const base = {
        entity: l.entity.address,
        asset_id: Number(l.activeId),
        currency: l.currencyAddress,
        derecognised_on: null,
        derecognition_reason: null,
        proceeds: null,
      };
      expect(s.rows("SELECT * FROM books ORDER BY id")).to.deep.equal([
        {
          ...base,
          id: Number(B1),
          category: "Intangible",
          initial_category: "Intangible",
          source: "Purchased",
          useful_life_months: 36,
          residual_value: "10000",
          recognised_on: cstDate(2025, 3, 1),
          ready_on: cstDate(2025, 3, 1),
          derecognised_on: cstDate(2026, 2, 1),
          derecognition_reason: "Sale",
          proceeds: "900000",
          cost: "1500000",
          impairment: "250000",
          entry_count: 5,
          awaiting_use: 0,
        },
        {
          ...base,
          id: Number(B2),
          category: "Inventory",
          initial_category: "Inventory",
          source: "SelfDeveloped",
          useful_life_months: 0,
          residual_value: "0",
          recognised_on: cstDate(2025, 4, 1),
          ready_on: null,
          cost: "800000",
          impairment: "70000", // written down 120000, 50000 reversed
          entry_count: 4,
          awaiting_use: 0,
        },
        {
          ...base,
          id: Number(B3),
          category: "Intangible", // ready for use
          initial_category: "Development",
          source: "SelfDeveloped",
          useful_life_months: 60,
          residual_value: "0",
          recognised_on: cstDate(2025, 1, 10),
          ready_on: cstDate(2025, 3, 31),
          cost: "700000", // the 300000 of research is expensed
          impairment: "100000",
          entry_count: 5,
          awaiting_use: 0,
        },
        {
          ...base,
          id: Number(B4),
          category: "Intangible",
          initial_category: "Intangible", // stays intangible, and its source stays Other
          source: "Other",
          useful_life_months: 24, // given when ready
          residual_value: "0",
          recognised_on: cstDate(2025, 5, 6),
          ready_on: cstDate(2025, 7, 15), // not the recognition date
          cost: "400000",
          impairment: "0",
          entry_count: 3,
          awaiting_use: 1,
        },
      ]);
    });

    it("book entries: one per event, in order, with date, amount, source, phase, order, life, reason, evidence and recorder", () => {
      for (const [bookId, list] of entries) {
        expect(s.rows("SELECT * FROM book_entries WHERE book_id = ? ORDER BY seq", bookId), `book ${bookId}`).to.deep.equal(
          list.map((e, seq) => ({
            book_id: Number(bookId),
            seq,
            kind: e.kind,
            date: e.date,
            amount: null,
            source: null,
            phase: null,
            order_id: null,
            useful_life_months: null,
            reason: null,
            proceeds: null,
            evidence_hash: e.evidence,
            recorded_by: e.by.address,
            block_number: e.sent.receipt.blockNumber,
            tx_hash: e.sent.receipt.hash.toLowerCase(),
            log_index: e.sent.receipt.logs[0].index,
            ...e.fields,
          })),
        );
      }
      expect(s.row<{ n: number }>("SELECT count(*) AS n FROM book_entries").n).to.equal(17);
    });

    it("every book's cost, impairment, category and dates agree with bookOf", async () => {
      for (const r of s.rows<Row>("SELECT * FROM books")) {
        const b = await l.ledger.bookOf(r.id as number);
        expect(
          {
            cost: r.cost,
            impairment: r.impairment,
            category: r.category,
            useful_life_months: r.useful_life_months,
            ready_on: r.ready_on,
            derecognised_on: r.derecognised_on,
            entity: r.entity,
          },
          `book ${r.id}`,
        ).to.deep.equal({
          cost: b.cost.toString(),
          impairment: b.impairment.toString(),
          category: Category[Number(b.category)],
          useful_life_months: Number(b.usefulLifeMonths),
          ready_on: b.readyOn === 0n ? null : Number(b.readyOn),
          derecognised_on: b.derecognisedOn === 0n ? null : Number(b.derecognisedOn),
          entity: b.entity,
        });
      }
    });

    it("raw events: one row per log; book and attestation events carry their asset", async () => {
      await checkRawEvents(s, [
        "ComplianceAttested",
        "QualityAttested",
        "AppraisalAttested",
        "AttestationRevoked",
        "AccountantSet",
        "BookOpened",
        "CostRecorded",
        "ReadyForUse",
        "ImpairmentRecorded",
        "WriteDownReversed",
        "Derecognised",
      ]);
    });

    // Runs last: it records more after the checks above.
    it("an intangible book awaiting use has no ready date in the index until its ReadyForUse, and it never becomes development", async () => {
      const d = cstDate(2025, 8, 1);
      const opened = await s.send(
        l.ledger.connect(l.entity).recogniseAwaitingUse(l.entity.address, l.activeId, CostSource.Purchased, 0n, l.currencyAddress, d, hash()),
      );
      const id = Number(s.event(opened, l.ledger, "BookOpened").bookId);
      await s.sync();
      const row = () =>
        s.row<Row>("SELECT category, initial_category, source, useful_life_months, recognised_on, ready_on, awaiting_use FROM books WHERE id = ?", id);
      expect(row()).to.deep.equal({
        category: "Intangible",
        initial_category: "Intangible",
        source: "Purchased",
        useful_life_months: 0,
        recognised_on: d,
        ready_on: null,
        awaiting_use: 1,
      });
      const ready = cstDate(2025, 9, 30);
      await s.send(l.ledger.connect(l.entity).readyForUse(id, 60, ready, hash()));
      await s.sync();
      expect(row()).to.deep.equal({
        category: "Intangible",
        initial_category: "Intangible",
        source: "Purchased",
        useful_life_months: 60,
        recognised_on: d,
        ready_on: ready,
        awaiting_use: 1,
      });
      expect(Number((await l.ledger.bookOf(id)).readyOn)).to.equal(ready);
    });
  });

  // ================================================================ AccessControl and Pausable

  describe("access", function () {
    let w: World;
    let s: Scenario;
    const roles = new Set<string>();
    let addr: Record<ContractName, string>;
    const key = (contract: string, role: string, account: string) => `${contract}|${role.toLowerCase()}|${account}`;

    before(async function () {
      w = await world();
      s = new Scenario(w);
      await s.open();
      addr = {
        DataAssetRegistry: await w.registry.getAddress(),
        RightsCertificate: await w.rights.getAddress(),
        DataExchange: await w.dex.getAddress(),
        AssetLedger: await w.ledger.getAddress(),
        PledgeRegistry: await w.pledges.getAddress(),
      };
      const ADMIN = ethers.ZeroHash;
      const PAUSER = await w.registry.PAUSER_ROLE();
      const EXCHANGE = await w.registry.EXCHANGE_ROLE();
      // Deployment: admin and pauser everywhere; the exchange contract on the registry and rights.
      for (const c of CONTRACT_NAMES) {
        roles.add(key(c, ADMIN, w.admin.address));
        roles.add(key(c, PAUSER, w.admin.address));
      }
      roles.add(key("DataAssetRegistry", EXCHANGE, addr.DataExchange));
      roles.add(key("RightsCertificate", EXCHANGE, addr.DataExchange));
      // world(): registrar operators, and a signer standing in for the exchange.
      roles.add(key("DataAssetRegistry", await w.registry.registrarRole(SZ.id), w.szRegistrar.address));
      roles.add(key("DataAssetRegistry", await w.registry.registrarRole(BJ.id), w.bjRegistrar.address));
      roles.add(key("DataAssetRegistry", EXCHANGE, w.exchange.address));
      roles.add(key("RightsCertificate", EXCHANGE, w.exchange.address));

      // Scenario: grants, a revocation, a renunciation; pauses.
      const ARBITER = await w.dex.ARBITER_ROLE();
      const ASSESSOR = await w.ledger.ASSESSOR_ROLE();
      const APPRAISER = await w.ledger.APPRAISER_ROLE();
      await s.send(w.dex.grantRole(ARBITER, w.licensee.address));
      roles.add(key("DataExchange", ARBITER, w.licensee.address));
      await s.send(w.ledger.grantRole(PAUSER, w.other.address));
      await s.send(w.ledger.grantRole(ASSESSOR, w.objector.address));
      await s.send(w.ledger.grantRole(APPRAISER, w.holder.address));
      roles.add(key("AssetLedger", APPRAISER, w.holder.address));
      await s.send(w.ledger.revokeRole(PAUSER, w.other.address));
      await s.send(w.ledger.connect(w.objector).renounceRole(ASSESSOR, w.objector.address));
      await s.send(w.registry.pause());
      await s.send(w.rights.pause());
      await s.send(w.rights.unpause());
      await s.send(w.dex.pause());
      await s.sync();
    });

    after(async () => {
      await s?.close();
    });

    it("roles: exactly the roles held, granted at deployment, by the fixture and later; revoked and renounced ones gone", async () => {
      const rows = s.rows<{ contract: string; role: string; account: string }>("SELECT * FROM roles");
      expect(rows.map((r) => key(r.contract, r.role, r.account)).sort()).to.deep.equal([...roles].sort());
      const byName: Record<ContractName, { hasRole(role: string, account: string): Promise<boolean> }> = {
        DataAssetRegistry: w.registry,
        RightsCertificate: w.rights,
        DataExchange: w.dex,
        AssetLedger: w.ledger,
        PledgeRegistry: w.pledges,
      };
      for (const r of rows) expect(await byName[r.contract as ContractName].hasRole(r.role, r.account), key(r.contract, r.role, r.account)).to.equal(true);
      expect(await w.ledger.hasRole(await w.ledger.PAUSER_ROLE(), w.other.address)).to.equal(false);
      expect(await w.ledger.hasRole(await w.ledger.ASSESSOR_ROLE(), w.objector.address)).to.equal(false);
    });

    it("pauses: paused and unpaused contracts as the chain says; never-paused ones have no row", async () => {
      expect(s.rows("SELECT * FROM pauses ORDER BY contract")).to.deep.equal([
        { contract: "DataAssetRegistry", paused: 1 },
        { contract: "DataExchange", paused: 1 },
        { contract: "RightsCertificate", paused: 0 },
      ]);
      expect(await w.registry.paused()).to.equal(true);
      expect(await w.rights.paused()).to.equal(false);
      expect(await w.dex.paused()).to.equal(true);
      expect(await w.ledger.paused()).to.equal(false);
    });

    it("raw events: one row per log, including the deployment's role grants; none carries an asset", async () => {
      await checkRawEvents(s, ["RoleGranted", "RoleRevoked", "Paused", "Unpaused"]);
      expect(s.row<{ n: number }>("SELECT count(*) AS n FROM events WHERE asset_id IS NOT NULL").n).to.equal(0);
      expect(s.row<{ n: number }>("SELECT count(*) AS n FROM events WHERE name = 'RoleGranted' AND block_number < ?", s.firstBlock).n).to.equal(
        roles.size - 2, // all but the two granted in the scenario and still held
      );
    });
  });
});
