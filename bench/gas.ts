// Gas per user-facing transaction: `npx hardhat run bench/gas.ts` (GAS_RUNS, default 5). Each flow runs GAS_RUNS
// times on fresh state from the test fixtures; the median is reported against the issue's aims and written to
// bench/results/gas.json. Measured on the in-process Hardhat network with the project's compiler settings.
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { listingTerms, market, type Market } from "../test/helpers/exchange";
import { CostPhase, CostSource, Category, DerecognitionReason, ValuationMethod, cstDate, ledgerWorld, openBook } from "../test/helpers/ledger";
import { YEAR, grantTerms, hash, registerActive, submission } from "../test/helpers/registry";

const RUNS = Number(process.env.GAS_RUNS ?? 5);
const AIMS: Record<string, number> = { "registration (submit + approve)": 200_000, "accept + settle, 2 royalty payees": 200_000 };

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await (await tx).wait())!.gasUsed);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

/** Parents for a derived asset whose royalty table has `payees` lines. */
async function withParents(m: Market, payees: number): Promise<{ parentIds: bigint[]; parentSharesBps: number[] }> {
  const parentIds: bigint[] = [];
  for (let i = 0; i < payees; i++) parentIds.push((await registerActive(m, m.other, { name: `source ${i}` })).assetId);
  return { parentIds, parentSharesBps: parentIds.map(() => 1000) };
}

/** A delivered order on an asset with `payees` royalty lines, ready for accept. */
async function delivered(m: Market, payees: number) {
  const { assetId } = await registerActive(m, m.holder, await withParents(m, payees));
  const terms = await listingTerms(m, assetId);
  await m.dex.connect(m.holder).list(terms);
  await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price);
  const orderId = await m.dex.orderCount();
  await m.dex.connect(m.holder).deliver(orderId, hash());
  return orderId;
}

type Flow = () => Promise<number>;

async function flows(): Promise<Record<string, Flow>> {
  const registration: Flow = async () => {
    const m = await market();
    const s = submission();
    const submitGas = await gasOf(m.registry.connect(m.holder).submit(s));
    const id = await m.registry.assetCount();
    await time.increaseTo((await m.registry.assetOf(id)).noticeEndsAt);
    return submitGas + (await gasOf(m.registry.connect(m.szRegistrar).approveRegistration(id)));
  };
  const settle = (payees: number): Flow => async () => {
    const m = await market();
    const orderId = await delivered(m, payees);
    return gasOf(m.dex.connect(m.buyer).accept(orderId));
  };
  return {
    "registration (submit + approve)": registration,
    submit: async () => {
      const m = await market();
      return gasOf(m.registry.connect(m.holder).submit(submission()));
    },
    "submit with 2 parents": async () => {
      const m = await market();
      return gasOf(m.registry.connect(m.holder).submit(submission(await withParents(m, 2))));
    },
    approve: async () => {
      const m = await market();
      await m.registry.connect(m.holder).submit(submission());
      const id = await m.registry.assetCount();
      await time.increaseTo((await m.registry.assetOf(id)).noticeEndsAt);
      return gasOf(m.registry.connect(m.szRegistrar).approveRegistration(id));
    },
    object: async () => {
      const m = await market();
      await m.registry.connect(m.holder).submit(submission());
      return gasOf(m.registry.connect(m.objector).object(await m.registry.assetCount(), hash()));
    },
    "add version": async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      return gasOf(m.registry.connect(m.holder).addVersion(assetId, hash(), hash()));
    },
    grant: async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      return gasOf(m.rights.connect(m.holder).grant(grantTerms(assetId, { validUntil: (await time.latest()) + YEAR }), m.licensee.address));
    },
    revoke: async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      await m.rights.connect(m.holder).grant(grantTerms(assetId, { validUntil: (await time.latest()) + YEAR }), m.licensee.address);
      return gasOf(m.rights.connect(m.holder).revoke(await m.rights.certificateCount(), "breach"));
    },
    list: async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      return gasOf(m.dex.connect(m.holder).list(await listingTerms(m, assetId)));
    },
    order: async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      const terms = await listingTerms(m, assetId);
      await m.dex.connect(m.holder).list(terms);
      return gasOf(m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price));
    },
    deliver: async () => {
      const m = await market();
      const { assetId } = await registerActive(m, m.holder);
      const terms = await listingTerms(m, assetId);
      await m.dex.connect(m.holder).list(terms);
      await m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price);
      return gasOf(m.dex.connect(m.holder).deliver(await m.dex.orderCount(), hash()));
    },
    "accept + settle, 0 royalty payees": settle(0),
    "accept + settle, 2 royalty payees": settle(2),
    "accept + settle, 5 royalty payees": settle(5),
    withdraw: async () => {
      const m = await market();
      await m.dex.connect(m.buyer).accept(await delivered(m, 0));
      return gasOf(m.dex.connect(m.holder).withdraw(await m.token.getAddress(), m.holder.address));
    },
    "attest compliance": async () => {
      const l = await ledgerWorld();
      return gasOf(l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), 0));
    },
    "attest quality": async () => {
      const l = await ledgerWorld();
      return gasOf(l.ledger.connect(l.assessor).attestQuality(l.activeId, [90, 85, 80, 95, 70, 88], hash(), 0));
    },
    "attest appraisal": async () => {
      const l = await ledgerWorld();
      return gasOf(l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Income, 5_000_000n, l.currencyAddress, cstDate(2026, 6, 30), hash(), 0));
    },
    "record: recognise": async () => {
      const l = await ledgerWorld();
      const a = { category: Category.Intangible, source: CostSource.Purchased };
      return gasOf(l.ledger.connect(l.entity).recognise(l.entity.address, l.activeId, a.category, a.source, 36, 0, l.currencyAddress, cstDate(2025, 3, 1), hash()));
    },
    "record: cost": async () => {
      const l = await ledgerWorld();
      const { bookId } = await openBook(l);
      return gasOf(l.ledger.connect(l.entity).addCost(bookId, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 3, 1), 0, hash()));
    },
    "record: ready for use": async () => {
      const l = await ledgerWorld();
      const { bookId } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
      return gasOf(l.ledger.connect(l.entity).readyForUse(bookId, 36, cstDate(2025, 6, 1), hash()));
    },
    "record: impair": async () => {
      const l = await ledgerWorld();
      const { bookId } = await openBook(l);
      await l.ledger.connect(l.entity).addCost(bookId, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 3, 1), 0, hash());
      return gasOf(l.ledger.connect(l.entity).impair(bookId, 100_000n, cstDate(2025, 9, 1), hash()));
    },
    "record: derecognise": async () => {
      const l = await ledgerWorld();
      const { bookId } = await openBook(l);
      return gasOf(l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 0, cstDate(2025, 9, 1), hash()));
    },
  };
}

async function main() {
  const results: Record<string, { median: number; runs: number[]; aim?: number; met?: boolean }> = {};
  for (const [name, flow] of Object.entries(await flows())) {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await flow());
    const aim = AIMS[name];
    results[name] = { median: median(runs), runs, ...(aim ? { aim, met: median(runs) < aim } : {}) };
    console.log(`${name.padEnd(36)} ${String(median(runs)).padStart(8)}${aim ? `   aim < ${aim}: ${median(runs) < aim ? "met" : "NOT met"}` : ""}`);
  }
  const dir = join(resolve(__dirname, ".."), "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "gas.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results }, null, 2) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
