// Gas per user-facing transaction: `npx hardhat run bench/gas.ts` (GAS_RUNS, default 5).
// Each flow runs GAS_RUNS times in a row on one deployment, the way an exchange works: the same registrar, the
// same repeat customers. The first run pays for the deployment's first slots (a registrar's first number of the
// year, a buyer's first certificate, a payee's first credit); the median is the steady state and is what the aims
// are checked against; both are reported. Each run's storage writes come from the opcode trace
// (bench/storageWrites.ts). Writes bench/results/gas.json (or $BENCH_RESULTS/gas.json). GAS_FLOWS="a;b" measures only the named flows.
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, keccak256, toUtf8Bytes, type ContractTransactionResponse } from "ethers";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { listingTerms, market, Offer, type Market } from "../test/helpers/exchange";
import { CostPhase, CostSource, Category, DerecognitionReason, ValuationMethod, cstDate, ledgerWorld, openBook, type LedgerWorld } from "../test/helpers/ledger";
import { YEAR, grantTerms, hash, registerActive, submission } from "../test/helpers/registry";
import { storageWrites, type StorageWrites } from "./storageWrites";
import { dataOf, signRequest } from "../scripts/relay/request";
import { Collateral, pledgeTerms, type PledgeTerms } from "../test/helpers/pledges";

const RUNS = Number(process.env.GAS_RUNS ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`GAS_RUNS must be a positive integer, got ${process.env.GAS_RUNS}`);
const BATCH = 50;
const BATCH_DIRECT = `registration in a batch of ${BATCH} (submitBatch + approveBatch), per registration`;
const BATCH_RELAYED = `registration relayed in a batch of ${BATCH} (forwarder executeBatch of ${BATCH} signers + approveBatch), per registration`;
const AIMS: Record<string, number> = {
  "registration (submit + approve)": 200_000,
  "accept + settle, 2 royalty payees": 200_000,
  [BATCH_DIRECT]: 110_000,
  [BATCH_RELAYED]: 130_000,
};

type Sent = Promise<ContractTransactionResponse>;
/** One run of a flow: prepares what it needs (not measured) and returns the measured transactions, in order. */
type Run = () => Promise<Sent[]>;
interface Flow {
  /** Fresh deployment and anything every run shares. */
  setup(): Promise<Run>;
  /** The gas reported is the run's total divided by this (a batch's gas per item). */
  per?: number;
}

interface Measured {
  gas: number;
  writes: StorageWrites;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

let names: Record<string, string> = {};
async function nameContracts(m: Market | LedgerWorld) {
  const entries: [string, { getAddress(): Promise<string> } | undefined][] = [
    ["DataAssetRegistry", m.registry],
    ["RightsCertificate", m.rights],
    ["DataExchange", m.dex],
    ["AssetLedger", m.ledger],
    ["RelayForwarder", m.forwarder],
    ["PledgeRegistry", m.pledges],
    ["SettlementToken", "token" in m ? m.token : m.currency],
  ];
  names = {};
  for (const [name, c] of entries) if (c) names[(await c.getAddress()).toLowerCase()] = name;
}

async function measure(sent: Sent[]): Promise<Measured> {
  const total: Measured = { gas: 0, writes: { created: 0, updated: 0, cleared: 0, rewritten: 0, gas: 0, byContract: {} } };
  for (const p of sent) {
    const tx = await p;
    const receipt = (await tx.wait())!;
    const w = await storageWrites(tx.hash, tx.to!, names);
    total.gas += Number(receipt.gasUsed);
    for (const k of ["created", "updated", "cleared", "rewritten", "gas"] as const) total.writes[k] += w[k];
    for (const [c, v] of Object.entries(w.byContract)) {
      const sum = (total.writes.byContract[c] ??= { created: 0, updated: 0, cleared: 0 });
      for (const k of ["created", "updated", "cleared"] as const) sum[k] += v[k];
    }
  }
  return total;
}

/** Parents for a derived asset whose royalty table has `payees` lines, each held by a different data source
 * (signers the market fixture leaves unused), so each royalty line credits its own account. */
async function withParents(m: Market, payees: number) {
  const parentIds: bigint[] = [];
  for (let i = 0; i < payees; i++) parentIds.push((await registerActive(m, m.signers[14 + i], { name: `source ${i}` })).assetId);
  return { parentIds, parentSharesBps: parentIds.map(() => 1000) };
}

/** An active asset with `payees` royalty lines, listed, ordered and delivered; returns the order id. */
async function delivered(m: Market, payees: number, offer = Offer.ProcessingUse) {
  const { assetId } = await registerActive(m, m.holder, await withParents(m, payees));
  const terms = await listingTerms(m, assetId, { offer, ...(offer === Offer.HoldingTransfer ? { maxQuantity: 1, licenceTerm: 0 } : {}) });
  await m.dex.connect(m.holder).list(terms);
  await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price);
  const orderId = await m.dex.orderCount();
  await m.dex.connect(m.holder).deliver(orderId, hash());
  return orderId;
}

const onMarket = (run: (m: Market) => Promise<Sent[]>): Flow => ({
  async setup() {
    const m = await market();
    await nameContracts(m);
    return () => run(m);
  },
});
const onLedger = (run: (l: LedgerWorld) => Promise<Sent[]>): Flow => ({
  async setup() {
    const l = await ledgerWorld();
    await nameContracts(l);
    return () => run(l);
  },
});

async function submitted(m: Market) {
  await m.registry.connect(m.holder).submit(submission());
  const id = await m.registry.assetCount();
  await time.increaseTo((await m.registry.assetOf(id)).noticeEndsAt);
  return id;
}

const settle = (payees: number, offer = Offer.ProcessingUse) =>
  onMarket(async (m) => {
    const orderId = await delivered(m, payees, offer);
    return [m.dex.connect(m.buyer).accept(orderId)];
  });

/** Banks for the pledge flows: signers the market fixture and the royalty parents leave unused. */
const banks = (m: Market) => [m.signers[19], m.signers[18]];

/** A live pledge of `assetId` held by `holder` to `bank`, registered `ageDays` ago with the legal registry. */
async function livePledge(m: Market, assetId: bigint, bank: number, overrides: Partial<PledgeTerms> = {}) {
  const terms = await pledgeTerms(assetId, m.holder.address, banks(m)[bank].address, await m.token.getAddress(), overrides);
  await (await m.pledges.connect(m.holder).file(terms)).wait();
  const id = await m.pledges.pledgeCount();
  await (await m.pledges.connect(banks(m)[bank]).accept(id)).wait();
  return id;
}

/** A transferable certificate of a fresh asset, granted by its holder to the licensee, for two years. */
async function transferableCertificate(m: Market) {
  const { assetId } = await registerActive(m, m.holder);
  const terms = grantTerms(assetId, { transferable: true, validUntil: (await time.latest()) + 2 * 365 * 86_400 });
  await (await m.rights.connect(m.holder).grant(terms, m.licensee.address)).wait();
  return { assetId, certId: await m.rights.certificateCount() };
}

/** Certificate pledge terms: the licensee pledges `certId` to `bank`. */
async function certificatePledgeTerms(m: Market, assetId: bigint, certId: bigint, bank: number, overrides: Partial<PledgeTerms> = {}) {
  return pledgeTerms(assetId, m.licensee.address, banks(m)[bank].address, await m.token.getAddress(), { collateral: Collateral.Certificate, certId, ...overrides });
}

/** A live pledge of the licensee's certificate to `bank`. */
async function liveCertificatePledge(m: Market, assetId: bigint, certId: bigint, bank: number, overrides: Partial<PledgeTerms> = {}) {
  await (await m.pledges.connect(m.licensee).file(await certificatePledgeTerms(m, assetId, certId, bank, overrides))).wait();
  const id = await m.pledges.pledgeCount();
  await (await m.pledges.connect(banks(m)[bank]).accept(id)).wait();
  return id;
}

/** After pledge `id` (to the first bank, self-sale allowed, due within a day) is due: the bank declares the default,
 * lists the sale (10,000.00 with 100.00 of costs), the buyer orders and the bank delivers. The order's id. */
async function enforcementSaleDelivered(m: Market, id: bigint) {
  await time.increase(86_401);
  await (await m.pledges.connect(banks(m)[0]).declareDefault(id)).wait();
  const sale = { venueId: 1, price: 1_000_000n, deliveryWindow: 7 * 86_400, acceptanceWindow: 3 * 86_400, costs: 10_000n, costsEvidenceHash: hash() };
  await (await m.pledges.connect(banks(m)[0]).enforce(id, sale)).wait();
  await (await m.dex.connect(m.buyer).order(await m.dex.listingCount(), sale.price)).wait();
  const orderId = await m.dex.orderCount();
  await (await m.pledges.connect(banks(m)[0]).deliverEnforcementSale(id, orderId, hash())).wait();
  return orderId;
}

/** A delivered licence order of an asset whose revenue is pledged to two banks (owed more than the sale). */
async function deliveredPledged(m: Market) {
  const { assetId } = await registerActive(m, m.holder, await withParents(m, 2));
  await livePledge(m, assetId, 0, { collateral: Collateral.Revenue });
  await livePledge(m, assetId, 1, { collateral: Collateral.Revenue });
  const terms = await listingTerms(m, assetId);
  await m.dex.connect(m.holder).list(terms);
  await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price);
  const orderId = await m.dex.orderCount();
  await m.dex.connect(m.holder).deliver(orderId, hash());
  return orderId;
}

async function bookWithCost(l: LedgerWorld) {
  const { bookId } = await openBook(l, { assetId: (await registerActive(l, l.holder)).assetId });
  await l.ledger.connect(l.entity).addCost(bookId, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 3, 1), 0, hash());
  return bookId;
}

/** Keys that sign requests for the relayed batch: no ether, the relayer pays. */
const batchSigners = Array.from({ length: BATCH }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`bench signer ${i}`))));

async function signedSubmit(m: Market, signer: Wallet, chainId: bigint, fn: "submit" | "setAccountant", args: unknown[]) {
  const contract = fn === "submit" ? m.registry : m.ledger;
  const request = {
    from: signer.address,
    to: await contract.getAddress(),
    value: 0n,
    gas: 500_000n,
    nonce: await m.forwarder.nonces(signer.address),
    deadline: BigInt((await time.latest()) + 3600),
    data: contract.interface.encodeFunctionData(fn as never, args as never),
  };
  return dataOf(await signRequest(signer, chainId, await m.forwarder.getAddress(), request, fn));
}

const FLOWS: Record<string, Flow> = {
  [BATCH_DIRECT]: {
    per: BATCH,
    ...onMarket(async (m) => {
      const submitTx = await m.registry.connect(m.holder).submitBatch(Array.from({ length: BATCH }, () => submission()));
      await submitTx.wait();
      const last = await m.registry.assetCount();
      await time.increaseTo((await m.registry.assetOf(last)).noticeEndsAt);
      const ids = Array.from({ length: BATCH }, (_, i) => last - BigInt(BATCH - 1 - i));
      return [Promise.resolve(submitTx), m.registry.connect(m.szRegistrar).approveBatch(ids)];
    }),
  },
  [BATCH_RELAYED]: {
    per: BATCH,
    async setup() {
      const m = await market();
      await nameContracts(m);
      const chainId = (await m.registry.runner!.provider!.getNetwork()).chainId;
      // Signers who have signed before: each has used one nonce (the steady state of an exchange's customers).
      const first = await Promise.all(batchSigners.map((w) => signedSubmit(m, w, chainId, "setAccountant", [m.other.address, true])));
      await (await m.forwarder.connect(m.other).executeBatch(first, m.other.address)).wait();
      return async () => {
        const requests = await Promise.all(batchSigners.map((w) => signedSubmit(m, w, chainId, "submit", [submission()])));
        const relayTx = await m.forwarder.connect(m.other).executeBatch(requests, m.other.address);
        await relayTx.wait();
        const last = await m.registry.assetCount();
        await time.increaseTo((await m.registry.assetOf(last)).noticeEndsAt);
        const ids = Array.from({ length: BATCH }, (_, i) => last - BigInt(BATCH - 1 - i));
        return [Promise.resolve(relayTx), m.registry.connect(m.szRegistrar).approveBatch(ids)];
      };
    },
  },
  "registration (submit + approve)": onMarket(async (m) => {
    const s = submission();
    const submitTx = await m.registry.connect(m.holder).submit(s);
    await submitTx.wait();
    const id = await m.registry.assetCount();
    await time.increaseTo((await m.registry.assetOf(id)).noticeEndsAt);
    return [Promise.resolve(submitTx), m.registry.connect(m.szRegistrar).approveRegistration(id)];
  }),
  submit: onMarket(async (m) => [m.registry.connect(m.holder).submit(submission())]),
  "submit with 2 parents": onMarket(async (m) => [m.registry.connect(m.holder).submit(submission(await withParents(m, 2)))]),
  approve: onMarket(async (m) => [m.registry.connect(m.szRegistrar).approveRegistration(await submitted(m))]),
  object: onMarket(async (m) => {
    await m.registry.connect(m.holder).submit(submission());
    return [m.registry.connect(m.objector).object(await m.registry.assetCount(), hash())];
  }),
  "add version": onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    return [m.registry.connect(m.holder).addVersion(assetId, hash(), hash())];
  }),
  grant: onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    return [m.rights.connect(m.holder).grant(grantTerms(assetId, { validUntil: (await time.latest()) + YEAR }), m.licensee.address)];
  }),
  revoke: onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    await m.rights.connect(m.holder).grant(grantTerms(assetId, { validUntil: (await time.latest()) + YEAR }), m.licensee.address);
    return [m.rights.connect(m.holder).revoke(await m.rights.certificateCount(), "breach")];
  }),
  list: onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    return [m.dex.connect(m.holder).list(await listingTerms(m, assetId))];
  }),
  order: onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    const terms = await listingTerms(m, assetId);
    await m.dex.connect(m.holder).list(terms);
    return [m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price)];
  }),
  deliver: onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    const terms = await listingTerms(m, assetId);
    await m.dex.connect(m.holder).list(terms);
    await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price);
    return [m.dex.connect(m.holder).deliver(await m.dex.orderCount(), hash())];
  }),
  "accept + settle, 0 royalty payees": settle(0),
  "accept + settle, 2 royalty payees": settle(2),
  "accept + settle, 5 royalty payees": settle(5),
  "accept + settle, holding transfer": settle(0, Offer.HoldingTransfer),
  "pledge: file": onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    return [m.pledges.connect(m.holder).file(await pledgeTerms(assetId, m.holder.address, banks(m)[0].address, await m.token.getAddress()))];
  }),
  "pledge: accept": onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    await (await m.pledges.connect(m.holder).file(await pledgeTerms(assetId, m.holder.address, banks(m)[0].address, await m.token.getAddress()))).wait();
    return [m.pledges.connect(banks(m)[0]).accept(await m.pledges.pledgeCount())];
  }),
  "pledge: release": onMarket(async (m) => {
    const id = await livePledge(m, (await registerActive(m, m.holder)).assetId, 0);
    return [m.pledges.connect(banks(m)[0]).release(id)];
  }),
  "pledge: change (lower amount)": onMarket(async (m) => {
    const id = await livePledge(m, (await registerActive(m, m.holder)).assetId, 0);
    const p = await m.pledges.pledgeOf(id);
    return [m.pledges.connect(banks(m)[0]).change(id, p.terms.securedAmount / 2n, p.terms.termEnd, false)];
  }),
  "pledge: consent to a transfer": onMarket(async (m) => {
    const id = await livePledge(m, (await registerActive(m, m.holder)).assetId, 0);
    return [m.pledges.connect(banks(m)[0]).consent(id, 0)];
  }),
  "pledge: objection": onMarket(async (m) => {
    const id = await livePledge(m, (await registerActive(m, m.holder)).assetId, 0);
    return [m.pledges.connect(m.other).object(id, hash())];
  }),
  "pledge: default declared": onMarket(async (m) => {
    const id = await livePledge(m, (await registerActive(m, m.holder)).assetId, 0, { termEnd: (await time.latest()) + 86_400 });
    await time.increase(86_401);
    return [m.pledges.connect(banks(m)[0]).declareDefault(id)];
  }),
  "accept + settle, 2 royalty payees, revenue pledged to 2 banks": onMarket(async (m) => [m.dex.connect(m.buyer).accept(await deliveredPledged(m))]),
  "pledge: enforcement sale listed": onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    const id = await livePledge(m, assetId, 0, { selfSaleAllowed: true, termEnd: (await time.latest()) + 86_400 });
    await time.increase(86_401);
    await (await m.pledges.connect(banks(m)[0]).declareDefault(id)).wait();
    const sale = { venueId: 1, price: 1_000_000n, deliveryWindow: 7 * 86_400, acceptanceWindow: 3 * 86_400, costs: 0n, costsEvidenceHash: hash() };
    return [m.pledges.connect(banks(m)[0]).enforce(id, sale)];
  }),
  "accept + settle, enforcement sale (2 pledges, costs)": onMarket(async (m) => {
    const { assetId } = await registerActive(m, m.holder);
    const id = await livePledge(m, assetId, 0, { selfSaleAllowed: true, securedAmount: 300_000n, termEnd: (await time.latest()) + 86_400 });
    await livePledge(m, assetId, 1, { securedAmount: 300_000n });
    return [m.dex.connect(m.buyer).accept(await enforcementSaleDelivered(m, id))];
  }),
  "pledge: file, of a certificate": onMarket(async (m) => {
    const { assetId, certId } = await transferableCertificate(m);
    return [m.pledges.connect(m.licensee).file(await certificatePledgeTerms(m, assetId, certId, 0))];
  }),
  "pledge: accept, of a certificate": onMarket(async (m) => {
    const { assetId, certId } = await transferableCertificate(m);
    await (await m.pledges.connect(m.licensee).file(await certificatePledgeTerms(m, assetId, certId, 0))).wait();
    return [m.pledges.connect(banks(m)[0]).accept(await m.pledges.pledgeCount())];
  }),
  "accept + settle, certificate sold by its holder": onMarket(async (m) => {
    const { assetId, certId } = await transferableCertificate(m);
    const terms = await listingTerms(m, assetId, { offer: Offer.HoldingTransfer, sellerCertId: certId, maxQuantity: 1, licenceTerm: 0 });
    await (await m.dex.connect(m.licensee).list(terms)).wait();
    await (await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price)).wait();
    const orderId = await m.dex.orderCount();
    await (await m.dex.connect(m.licensee).deliver(orderId, hash())).wait();
    return [m.dex.connect(m.buyer).accept(orderId)];
  }),
  "accept + settle, enforcement sale of a certificate (2 pledges, costs)": onMarket(async (m) => {
    const { assetId, certId } = await transferableCertificate(m);
    const id = await liveCertificatePledge(m, assetId, certId, 0, { selfSaleAllowed: true, securedAmount: 300_000n, termEnd: (await time.latest()) + 86_400 });
    await liveCertificatePledge(m, assetId, certId, 1, { securedAmount: 300_000n });
    return [m.dex.connect(m.buyer).accept(await enforcementSaleDelivered(m, id))];
  }),
  withdraw: onMarket(async (m) => {
    await m.dex.connect(m.buyer).accept(await delivered(m, 0));
    return [m.dex.connect(m.holder).withdraw(await m.token.getAddress(), m.holder.address)];
  }),
  "attest compliance": onLedger(async (l) => [l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), 0)]),
  "attest quality": onLedger(async (l) => [l.ledger.connect(l.assessor).attestQuality(l.activeId, [90, 85, 80, 95, 70, 88], hash(), 0)]),
  "attest appraisal": onLedger(async (l) => [
    l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Income, 5_000_000n, l.currencyAddress, cstDate(2026, 6, 30), hash(), 0),
  ]),
  "record: recognise": onLedger(async (l) => {
    const { assetId } = await registerActive(l, l.holder);
    return [l.ledger.connect(l.entity).recognise(l.entity.address, assetId, Category.Intangible, CostSource.Purchased, 36, 0, l.currencyAddress, cstDate(2025, 3, 1), hash())];
  }),
  "record: cost": onLedger(async (l) => {
    const { bookId } = await openBook(l, { assetId: (await registerActive(l, l.holder)).assetId });
    return [l.ledger.connect(l.entity).addCost(bookId, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 3, 1), 0, hash())];
  }),
  "record: ready for use": onLedger(async (l) => {
    const { assetId } = await registerActive(l, l.holder);
    const { bookId } = await openBook(l, { assetId, category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
    return [l.ledger.connect(l.entity).readyForUse(bookId, 36, cstDate(2025, 6, 1), hash())];
  }),
  "record: impair": onLedger(async (l) => [l.ledger.connect(l.entity).impair(await bookWithCost(l), 100_000n, cstDate(2025, 9, 1), hash())]),
  "record: derecognise": onLedger(async (l) => {
    const { bookId } = await openBook(l, { assetId: (await registerActive(l, l.holder)).assetId });
    return [l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 0, cstDate(2025, 9, 1), hash())];
  }),
};

export interface GasResult {
  median: number;
  first: number;
  runs: number[];
  /** Storage writes of the run at the median. */
  writes: StorageWrites;
  aim?: number;
  met?: boolean;
}

async function main() {
  const only = process.env.GAS_FLOWS?.split(";").map((s) => s.trim());
  const results: Record<string, GasResult> = {};
  console.log(`${"flow".padEnd(36)} ${"median".padStart(8)} ${"first".padStart(8)}  slots new/updated/cleared (median run)`);
  for (const [name, flow] of Object.entries(FLOWS)) {
    if (only && !only.includes(name)) continue;
    const run = await flow.setup();
    const measured: Measured[] = [];
    for (let i = 0; i < RUNS; i++) measured.push(await measure(await run()));
    const runs = measured.map((x) => Math.round(x.gas / (flow.per ?? 1)));
    const mid = median(runs);
    const atMedian = measured.reduce((best, x, i) => (Math.abs(runs[i] - mid) < Math.abs(runs[measured.indexOf(best)] - mid) ? x : best));
    const aim = AIMS[name];
    results[name] = { median: mid, first: runs[0], runs, writes: atMedian.writes, ...(aim ? { aim, met: mid < aim } : {}) };
    const w = atMedian.writes;
    const where = Object.entries(w.byContract).map(([c, v]) => `${c} ${v.created}/${v.updated}/${v.cleared}`).join(", ");
    console.log(
      `${name.padEnd(36)} ${String(mid).padStart(8)} ${String(runs[0]).padStart(8)}  ${w.created}/${w.updated}/${w.cleared} (${where})` +
        (aim ? `   aim < ${aim}: ${mid < aim ? "met" : "NOT met"}` : ""),
    );
  }
  const dir = process.env.BENCH_RESULTS ?? join(resolve(__dirname, ".."), "bench", "results");
  mkdirSync(dir, { recursive: true });
  // The medians of a pinned earlier commit (bench/gas-baseline.json), shown beside these so a change's effect on gas
  // is read off one table. Gas is deterministic, so an old measurement stays comparable.
  const baseline = JSON.parse(readFileSync(join(resolve(__dirname, ".."), "bench", "gas-baseline.json"), "utf8"));
  writeFileSync(join(dir, "gas.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results, baseline }, null, 2) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
