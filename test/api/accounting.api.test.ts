// Accounting and valuation queries end to end: scenarios recorded on a real chain (AssetLedger, DataExchange), indexed
// into SQLite by the real indexer and served by the real API (GraphQL and CSV). Every expected figure of scenarios
// 1-3 and of the valuation is worked out by hand in the comments (not recomputed with api/accounting.ts or
// api/valuation.ts); the last part is a property test over random ledger scenarios executed on chain.
//
// Amounts are fen (1 yuan = 100 fen; the ledger's currency has 2 decimals). Months are UTC+8 calendar months.
// Conventions used by the hand computations (api/accounting.ts header, DOMAIN.md §5):
// - amortisation runs from the ready month inclusive; each month's charge is booked on its last day, so as of a date
//   the months charged are those ended by then (none for the month of derecognition); accumulated after m months of
//   a segment = floor(base × m / months);
// - an impairment (or later cost) re-bases from the month AFTER its entry's month: new base = carrying amount at the
//   end of the entry month - residual, spread over the months left of the useful life;
// - table A/B opening = end of the day before `from`, closing = end of `to`.
//
// Reproduce a property failure with FC_SEED=<seed> (and FC_PATH=<path>); FC_RUNS overrides the run count.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphql, graphqlData } from "../helpers/api";
import { iso } from "../../api/inputs";
import { DAY, YEAR, SZ, grantTerms, hash, registerActive, RightKind } from "../helpers/registry";
import {
  Category,
  CostPhase,
  CostSource,
  DerecognitionReason,
  RULES_EFFECTIVE,
  ValuationMethod,
  cstDate,
  ledgerWorld,
  type LedgerWorld,
} from "../helpers/ledger";

const RUNS = Number(process.env.FC_RUNS ?? 15);
const CST = 8 * 3600;
const FEE_BPS = 100; // the SZ venue's exchange fee in this file: 1%

// ------------------------------------------------------------------------------------------------ GraphQL shapes

interface Amount {
  raw: string;
  value: string | null;
}
interface Row {
  key: string;
  section: string;
  label: string;
  purchased: Amount;
  selfDeveloped: Amount;
  other: Amount;
  total: Amount;
}
interface Table {
  title: string;
  columns: Record<Column, string>;
  rows: Row[];
}
interface DisclosureResult {
  entity: string;
  from: string;
  to: string;
  currency: { address: string; symbol: string; decimals: number };
  intangible: Table;
  inventory: Table;
  researchAndDevelopment: { expensed: Amount; capitalised: Amount; total: Amount };
  checks: { name: string; expected: string; actual: string; ok: boolean }[];
  checksPass: boolean;
}
interface SheetRow {
  bookId: string;
  asset: { id: string };
  category: string;
  source: string;
  cost: Amount;
  accumulatedAmortisation: Amount;
  impairment: Amount;
  carryingAmount: Amount;
}
interface Sheet {
  entity: string;
  asOf: string;
  currency: { address: string; symbol: string; decimals: number };
  inventory: Amount;
  intangible: Amount;
  development: Amount;
  rows: SheetRow[];
}
type Column = "purchased" | "selfDeveloped" | "other" | "total";
const COLUMNS: Column[] = ["purchased", "selfDeveloped", "other", "total"];
const SOURCE_COLUMNS: Column[] = ["purchased", "selfDeveloped", "other"]; // by CostSource ordinal

const AMT = "{ raw value }";
const TABLE = `{ title columns { purchased selfDeveloped other total }
  rows { key section label purchased ${AMT} selfDeveloped ${AMT} other ${AMT} total ${AMT} } }`;
const DISCLOSURE = `query ($entity: String!, $from: String!, $to: String!) {
  disclosure(entity: $entity, from: $from, to: $to) {
    entity from to currency { address symbol decimals } intangible ${TABLE} inventory ${TABLE}
    researchAndDevelopment { expensed ${AMT} capitalised ${AMT} total ${AMT} }
    checks { name expected actual ok } checksPass } }`;
const SHEET = `query ($entity: String!, $asOf: String!) {
  balanceSheet(entity: $entity, asOf: $asOf) {
    entity asOf currency { address symbol decimals } inventory ${AMT} intangible ${AMT} development ${AMT}
    rows { bookId asset { id } category source cost ${AMT} accumulatedAmortisation ${AMT} impairment ${AMT}
      carryingAmount ${AMT} } } }`;
const INDICATION = `{ approach computed value ${AMT} reason inputs }`;
const VALUATION = `query ($id: ID!, $asOf: String!, $params: ValuationParams) {
  valuation(assetId: $id, asOf: $asOf, params: $params) {
    assetId asOf token { address symbol decimals } parameters
    appraisals { attestationId author method value ${AMT} valuationDate attestedAt reportHash superseded supersededBy }
    cost ${INDICATION} market ${INDICATION} income ${INDICATION} } }`;

// ------------------------------------------------------------------------------------------------ small helpers

/** `YYYY-MM-DD` of the UTC+8 day containing unix time `t`. */
function cstDay(t: number): string {
  return new Date((t + CST) * 1000).toISOString().slice(0, 10);
}

/** The `i`-th day from 2024-01-01 (UTC+8): its 00:00 as unix time and as `YYYY-MM-DD`. */
const dayStart = (i: number) => RULES_EFFECTIVE + i * DAY;
const dayName = (i: number) => cstDay(dayStart(i));

function row(t: Table, key: string): Row {
  const r = t.rows.find((x) => x.key === key);
  if (!r) throw new Error(`no row ${key} in ${t.title}`);
  return r;
}

/** The rows of one column that are not zero, as { key: raw }: comparing it also asserts every other row is 0. */
function nonZero(t: Table, col: Column): Record<string, string> {
  return Object.fromEntries(t.rows.filter((r) => r[col].raw !== "0").map((r) => [r.key, r[col].raw]));
}

function expectChecksPass(d: DisclosureResult) {
  const failed = d.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, actual ${c.actual}`);
  expect(failed, failed.join("\n")).to.deep.equal([]);
  expect(d.checks.length, "checks are evaluated").to.be.greaterThan(0);
  expect(d.checksPass).to.equal(true);
}

/** RFC 4180: comma-separated, CRLF-terminated records, fields optionally quoted with "" as an escaped quote. */
/** `address` with the case of its first letter flipped: a mixed-case address with a wrong EIP-55 checksum. */
function flipCase(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i];
  return address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + address.slice(i + 1);
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      rows.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (field !== "" || record.length > 0) throw new Error("last record is not terminated by CRLF");
  return rows;
}


const latestTime = async () => (await ethers.provider.getBlock("latest"))!.timestamp;

// ------------------------------------------------------------------------------------------------ the suite

describe("API: accounting and valuation against a real chain", function () {
  let l: LedgerWorld;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;

  // Entities: E1 buys an intangible asset, E2 trades an inventory dataset, E3 develops an asset itself.
  let e1: string;
  let e2: string;
  let e3: HardhatEthersSigner;
  let buyer: HardhatEthersSigner;
  let sublicensee: HardhatEthersSigner;
  const asset = { a1: 0n, a2: 0n, a3: 0n, comparable: 0n };
  const book = { s1: 0, s2: 0, s3: 0 };
  const order = { comparable: 0, sale1: 0, sale2: 0, sublicensed: 0 };
  const attestation = { appraisal1: 0, appraisal2: 0, quality: 0 };
  const reports = { appraisal1: hash("appraisal-1"), appraisal2: hash("appraisal-2") };
  let today: string; // the chain's current day (UTC+8), after every trade

  const gql = (query: string, variables: Record<string, unknown> = {}) => graphql(api.url, query, variables);
  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);
  const badUserInput = async (query: string, variables: Record<string, unknown>, message: RegExp) => {
    const a = await gql(query, variables);
    expect(a.errors, `an error is expected for ${JSON.stringify(variables)}`).to.be.an("array").that.is.not.empty;
    expect(a.errors![0].message).to.match(message);
    expect(a.errors![0].extensions?.code).to.equal("BAD_USER_INPUT");
    expect(a.data?.disclosure ?? a.data?.balanceSheet ?? a.data?.valuation ?? null).to.equal(null);
  };
  const disclosure = async (entity: string, from: string, to: string): Promise<DisclosureResult[]> =>
    (await data(DISCLOSURE, { entity, from, to })).disclosure;
  const sheet = async (entity: string, asOf: string): Promise<Sheet[]> => (await data(SHEET, { entity, asOf })).balanceSheet;
  const valuation = async (id: bigint, asOf: string, params: Record<string, unknown> | null = null) =>
    (await data(VALUATION, { id: String(id), asOf, params })).valuation;
  const getCsv = async (path: string) => {
    const res = await fetch(`${api.url}${path}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get("content-type"), bytes, text: bytes.toString("utf8") };
  };

  before(async () => {
    l = await ledgerWorld(); // fresh contracts, no loadFixture: this file indexes its own chain
    const s = l.signers;
    e1 = l.entity.address;
    e2 = l.otherEntity.address;
    [e3, buyer, sublicensee] = [s[8], s[10], s[11]];

    // The books' currency is also the exchange's settlement token, so the valuation finds one currency.
    await l.dex.setTokenAllowed(l.currencyAddress, true);
    await l.dex.setVenue(SZ.id, s[9].address, FEE_BPS);
    await l.currency.mint(buyer.address, 1_000_000_000n);
    await l.currency.connect(buyer).approve(await l.dex.getAddress(), ethers.MaxUint256);

    // Assets (each registerActive waits out a 5-day notice). A1 last, so its trades follow its approval closely.
    asset.a2 = (await registerActive(l, l.otherEntity, { name: "Retail footfall dataset" })).assetId;
    asset.a3 = (await registerActive(l, e3, { name: "Self-built credit model features" })).assetId;
    asset.comparable = (await registerActive(l, l.otherEntity, { name: "Port logistics records" })).assetId;
    asset.a1 = (await registerActive(l, l.entity, { name: "Municipal inspection records 2025" })).assetId;
    const ledger = l.ledger;

    // Scenario 1 (E1): a purchased intangible, 36,000.00 yuan, 36 months, no residual, impaired 4,567.89 mid-life.
    await ledger.connect(l.entity).recognise(e1, asset.a1, Category.Intangible, CostSource.Purchased, 36, 0n, l.currencyAddress, cstDate(2025, 1, 15), hash("s1-recognition"));
    book.s1 = Number(await ledger.bookCount());
    await ledger.connect(l.entity).addCost(book.s1, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 1, 15), 0, hash("s1-invoice"));
    await ledger.connect(l.entity).impair(book.s1, 456_789n, cstDate(2025, 6, 20), hash("s1-impairment"));

    // Scenario 2 (E2): an inventory dataset bought, processed, written down, partly reversed, sold.
    await ledger.connect(l.otherEntity).recognise(e2, asset.a2, Category.Inventory, CostSource.Purchased, 0, 0n, l.currencyAddress, cstDate(2025, 2, 10), hash("s2-recognition"));
    book.s2 = Number(await ledger.bookCount());
    await ledger.connect(l.otherEntity).addCost(book.s2, 2_000_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 2, 10), 0, hash("s2-invoice"));
    await ledger.connect(l.otherEntity).addCost(book.s2, 350_000n, CostSource.SelfDeveloped, CostPhase.None, cstDate(2025, 3, 5), 0, hash("s2-cleaning"));
    await ledger.connect(l.otherEntity).impair(book.s2, 400_000n, cstDate(2025, 6, 30), hash("s2-write-down"));
    await ledger.connect(l.otherEntity).reverseWriteDown(book.s2, 150_000n, cstDate(2025, 9, 30), hash("s2-reversal"));
    await ledger.connect(l.otherEntity).derecognise(book.s2, DerecognitionReason.Sale, 2_500_000n, cstDate(2025, 11, 20), hash("s2-sale"));

    // Scenario 3 (E3, recorded by its accountant): research expensed, development capitalised, impaired, ready.
    await ledger.connect(e3).setAccountant(l.accountant.address, true);
    const acct = ledger.connect(l.accountant);
    await acct.recognise(e3.address, asset.a3, Category.Development, CostSource.SelfDeveloped, 0, 0n, l.currencyAddress, cstDate(2025, 2, 1), hash("s3-project"));
    book.s3 = Number(await ledger.bookCount());
    await acct.addCost(book.s3, 300_000n, CostSource.SelfDeveloped, CostPhase.Research, cstDate(2025, 2, 10), 0, hash("s3-research"));
    await acct.addCost(book.s3, 1_234_567n, CostSource.SelfDeveloped, CostPhase.Development, cstDate(2025, 4, 15), 0, hash("s3-dev-1"));
    await acct.addCost(book.s3, 600_000n, CostSource.SelfDeveloped, CostPhase.Development, cstDate(2025, 5, 20), 0, hash("s3-dev-2"));
    await acct.impair(book.s3, 34_567n, cstDate(2025, 5, 25), hash("s3-impairment"));
    await acct.readyForUse(book.s3, 24, cstDate(2025, 6, 10), hash("s3-ready"));

    // Appraisals of A1 (the second supersedes the first) and a quality attestation (mean 509 / 6).
    await ledger.connect(l.appraiser).attestAppraisal(asset.a1, ValuationMethod.Cost, 3_000_000n, l.currencyAddress, cstDate(2025, 12, 31), reports.appraisal1, 0);
    attestation.appraisal1 = Number(await ledger.attestationCount());
    await ledger.connect(l.appraiser).attestAppraisal(asset.a1, ValuationMethod.Cost, 3_100_000n, l.currencyAddress, cstDate(2026, 3, 31), reports.appraisal2, attestation.appraisal1);
    attestation.appraisal2 = Number(await ledger.attestationCount());
    await ledger.connect(l.assessor).attestQuality(asset.a1, [90, 85, 80, 95, 70, 89], hash("quality"), 0);
    attestation.quality = Number(await ledger.attestationCount());

    // Trades. Listing terms in the ledger's currency, on the SZ venue (1% fee), no merchant, no royalties.
    const terms = (assetId: bigint, price: bigint, sellerCertId = 0n) => ({
      assetId,
      sellerCertId,
      venueId: SZ.id,
      offer: 0, // ProcessingUse
      token: l.currencyAddress,
      price,
      maxQuantity: 0,
      licenceTerm: YEAR,
      scopeHash: hash("scope"),
      scopeMask: 0b0011,
      licenceSublicensable: false,
      licenceTransferable: false,
      merchant: ethers.ZeroAddress,
      merchantBps: 0,
      deliveryWindow: 7 * DAY,
      acceptanceWindow: 3 * DAY,
    });
    const trade = async (seller: HardhatEthersSigner, t: ReturnType<typeof terms>) => {
      await l.dex.connect(seller).list(t);
      const listingId = await l.dex.listingCount();
      await l.dex.connect(buyer).order(listingId, t.price);
      const orderId = await l.dex.orderCount();
      await l.dex.connect(seller).deliver(orderId, hash("delivery"));
      await l.dex.connect(buyer).accept(orderId);
      return Number(orderId);
    };
    // A comparable: another product's processing-use licence, 20,000.00 yuan.
    order.comparable = await trade(l.otherEntity, terms(asset.comparable, 2_000_000n));
    // A1's holder sells two processing-use licences: 50,000.00 and 12,345.67 yuan.
    order.sale1 = await trade(l.entity, terms(asset.a1, 5_000_000n));
    order.sale2 = await trade(l.entity, terms(asset.a1, 1_234_567n));
    // A sublicensee (product-operation right from the holder) sells a licence of A1: not the holder's income.
    const until = (await latestTime()) + 2 * YEAR;
    await l.rights.connect(l.entity).grant(grantTerms(asset.a1, { kind: RightKind.ProductOperation, validUntil: until, sublicensable: true }), sublicensee.address);
    order.sublicensed = await trade(sublicensee, terms(asset.a1, 800_000n, await l.rights.certificateCount()));
    today = cstDay(await latestTime());

    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(l), `${tmp.dir}/index.sqlite`));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0 });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  // ---------------------------------------------------------------------------------------------- scenario 1

  describe("scenario 1: purchased intangible, amortised, impaired mid-life", () => {
    // Cost 3,600,000 recognised and ready 2025-01-15: months 2025-01 .. 2027-12 (36), 100,000 a month.
    // Impairment 456,789 on 2025-06-20: June keeps the old base; re-based from 2025-07 over the 30 months left
    // (2025-07 .. 2027-12) with base = 3,600,000 - 600,000 (Jan-Jun) - 456,789 = 2,543,211.
    const line = async (asOf: string) => {
      const sheets = await sheet(e1, asOf);
      expect(sheets).to.have.length(1);
      return sheets[0];
    };
    const only = (s: Sheet) => {
      expect(s.rows).to.have.length(1);
      const r = s.rows[0];
      expect(r).to.deep.include({ bookId: String(book.s1), asset: { id: String(asset.a1) }, category: "Intangible", source: "Purchased" });
      return [r.cost.raw, r.accumulatedAmortisation.raw, r.impairment.raw, r.carryingAmount.raw];
    };

    it("is off the balance sheet the day before recognition", async () => {
      const s = await line("2025-01-14");
      expect(s.rows).to.deep.equal([]);
      expect([s.intangible.raw, s.inventory.raw, s.development.raw]).to.deep.equal(["0", "0", "0"]);
    });

    it("charges the ready month in full on its last day (当月增加当月摊销), not before", async () => {
      // Ready day and the day before January's last: January's charge is not booked yet; carrying = cost.
      for (const asOf of ["2025-01-15", "2025-01-30"]) {
        const s = await line(asOf);
        expect(only(s), asOf).to.deep.equal(["3600000", "0", "0", "3600000"]);
        expect(s.intangible).to.deep.equal({ raw: "3600000", value: "36000.00" });
      }
      // 2025-01-31: m = 1: floor(3,600,000 x 1 / 36) = 100,000; carrying 3,500,000.
      const s = await line("2025-01-31");
      expect(s.entity).to.equal(e1);
      expect(s.asOf).to.equal("2025-01-31");
      expect(s.currency).to.deep.equal({ address: l.currencyAddress, symbol: "eCNY", decimals: 2 });
      expect(only(s)).to.deep.equal(["3600000", "100000", "0", "3500000"]);
      expect(s.intangible).to.deep.equal({ raw: "3500000", value: "35000.00" });
      expect([s.inventory.raw, s.development.raw]).to.deep.equal(["0", "0"]);
      // A period ending 01-30 has no amortisation; one ending 01-31 has January's.
      const [toJan30] = await disclosure(e1, "2025-01-01", "2025-01-30");
      expect(row(toJan30.intangible, "amortisation.additions").total.raw).to.equal("0");
      const [toJan31] = await disclosure(e1, "2025-01-01", "2025-01-31");
      expect(row(toJan31.intangible, "amortisation.additions").total.raw).to.equal("100000");
    });

    it("shows the impairment month with the old monthly charge, then the re-based charge", async () => {
      // 2025-06-30: m = 6 (Jan-Jun) -> 600,000; carrying 3,600,000 - 600,000 - 456,789 = 2,543,211.
      expect(only(await line("2025-06-30"))).to.deep.equal(["3600000", "600000", "456789", "2543211"]);
      // The impairment day: June's charge (at the old base) is booked on 06-30, so Jan-May = 500,000; carrying
      // 3,600,000 - 500,000 - 456,789 = 2,643,211.
      expect(only(await line("2025-06-20"))).to.deep.equal(["3600000", "500000", "456789", "2643211"]);
      // 2025-07-31 (month after the impairment): floor(2,543,211 x 1 / 30) = 84,773 (84,773.7);
      // accumulated 684,773; carrying 2,543,211 - 84,773 = 2,458,438.
      const july = await line("2025-07-31");
      expect(only(july)).to.deep.equal(["3600000", "684773", "456789", "2458438"]);
      expect(july.intangible).to.deep.equal({ raw: "2458438", value: "24584.38" });
    });

    it("year end 2025 and mid-2026", async () => {
      // 2025-12-31: 6 re-based months: floor(2,543,211 x 6 / 30) = floor(508,642.2) = 508,642;
      // accumulated 600,000 + 508,642 = 1,108,642; carrying 3,600,000 - 1,108,642 - 456,789 = 2,034,569.
      const dec = await line("2025-12-31");
      expect(only(dec)).to.deep.equal(["3600000", "1108642", "456789", "2034569"]);
      expect(dec.intangible).to.deep.equal({ raw: "2034569", value: "20345.69" });
      // 2026-06-30: 12 re-based months: floor(2,543,211 x 12 / 30) = floor(1,017,284.4) = 1,017,284;
      // accumulated 1,617,284; carrying 2,543,211 - 1,017,284 = 1,525,927.
      expect(only(await line("2026-06-30"))).to.deep.equal(["3600000", "1617284", "456789", "1525927"]);
    });

    it("table A for 2025: addition 购入, amortisation and impairment increases, all in the 外购 column", async () => {
      const [d] = await disclosure(e1, "2025-01-01", "2025-12-31");
      expectChecksPass(d);
      expect(d).to.deep.include({ entity: e1, from: "2025-01-01", to: "2025-12-31" });
      expect(d.intangible.title).to.equal("无形资产（数据资源）");
      expect(d.intangible.columns).to.deep.equal({ purchased: "外购", selfDeveloped: "自行开发", other: "其他方式", total: "合计" });
      // Opening (end of 2024-12-31): nothing. Closing = the 2025-12-31 balance sheet above.
      const expected = {
        "cost.additions": "3600000",
        "cost.additions.purchased": "3600000",
        "cost.closing": "3600000",
        "amortisation.additions": "1108642", // 12 months charged in 2025: 600,000 + 508,642
        "amortisation.closing": "1108642",
        "impairment.additions": "456789",
        "impairment.closing": "456789",
        "carrying.closing": "2034569", // 3,600,000 - 1,108,642 - 456,789
      };
      expect(nonZero(d.intangible, "purchased")).to.deep.equal(expected);
      expect(nonZero(d.intangible, "total")).to.deep.equal(expected);
      expect(nonZero(d.intangible, "selfDeveloped")).to.deep.equal({});
      expect(nonZero(d.intangible, "other")).to.deep.equal({});
      for (const col of COLUMNS) expect(nonZero(d.inventory, col), col).to.deep.equal({});
      const purchase = row(d.intangible, "cost.additions.purchased");
      expect([purchase.section, purchase.label, purchase.purchased.value]).to.deep.equal(["一、账面原值", "其中：购入", "36000.00"]);
      expect(row(d.intangible, "carrying.closing").total.value).to.equal("20345.69");
    });

    it("table A for 2026 H1 opens with the 2025 closing figures", async () => {
      const [d] = await disclosure(e1, "2026-01-01", "2026-06-30");
      expectChecksPass(d);
      // Opening = end of 2025-12-31; amortisation increase = 1,617,284 - 1,108,642 = 508,642 (6 months re-based).
      expect(nonZero(d.intangible, "purchased")).to.deep.equal({
        "cost.opening": "3600000",
        "cost.closing": "3600000",
        "amortisation.opening": "1108642",
        "amortisation.additions": "508642",
        "amortisation.closing": "1617284",
        "impairment.opening": "456789",
        "impairment.closing": "456789",
        "carrying.closing": "1525927",
        "carrying.opening": "2034569",
      });
    });
  });

  // ---------------------------------------------------------------------------------------------- scenario 2

  describe("scenario 2: inventory dataset written down, partly reversed, sold", () => {
    // Costs: 2,000,000 purchased (2025-02-10) + 350,000 in-house processing (2025-03-05) = 2,350,000.
    // Write-down 400,000 (2025-06-30), reversal 150,000 (2025-09-30) -> 250,000; sold 2025-11-20.
    const inventoryLine = async (asOf: string) => {
      const [s] = await sheet(e2, asOf);
      expect([s.intangible.raw, s.development.raw], asOf).to.deep.equal(["0", "0"]);
      return s;
    };

    it("the 存货 line before and after the write-down, after the reversal, and after the sale", async () => {
      const cases: [string, string[] | null, string][] = [
        // asOf, [cost, amortisation, write-down, carrying] of the book (null: off the sheet), 存货 line
        ["2025-06-29", ["2350000", "0", "0", "2350000"], "2350000"],
        ["2025-06-30", ["2350000", "0", "400000", "1950000"], "1950000"], // 2,350,000 - 400,000
        ["2025-11-19", ["2350000", "0", "250000", "2100000"], "2100000"], // 2,350,000 - (400,000 - 150,000)
        ["2025-11-20", null, "0"], // sold: derecognised that day
      ];
      for (const [asOf, figures, line] of cases) {
        const s = await inventoryLine(asOf);
        expect(s.inventory.raw, asOf).to.equal(line);
        if (figures === null) expect(s.rows, asOf).to.deep.equal([]);
        else {
          expect(s.rows, asOf).to.have.length(1);
          const r = s.rows[0];
          expect([r.category, r.source, r.asset.id]).to.deep.equal(["Inventory", "Purchased", String(asset.a2)]);
          expect([r.cost.raw, r.accumulatedAmortisation.raw, r.impairment.raw, r.carryingAmount.raw], asOf).to.deep.equal(figures);
        }
      }
      expect((await inventoryLine("2025-11-19")).inventory.value).to.equal("21000.00");
    });

    it("table B for 2025: 购入 and 采集加工 additions, write-down, 转回, 转销 and 出售", async () => {
      const [d] = await disclosure(e2, "2025-01-01", "2025-12-31");
      expectChecksPass(d);
      expect(d.inventory.title).to.equal("存货（数据资源）");
      expect(d.inventory.columns).to.deep.equal({ purchased: "外购", selfDeveloped: "自行加工", other: "其他方式", total: "合计" });
      // The column is the book's source (外购); the addition rows split by each cost's source.
      const expected = {
        "cost.additions": "2350000",
        "cost.additions.purchased": "2000000",
        "cost.additions.processing": "350000",
        "cost.decreases": "2350000", // the whole cost leaves with the sale
        "cost.decreases.sale": "2350000",
        "writeDown.additions": "400000",
        "writeDown.decreases": "400000", // 150,000 reversed + 250,000 written off with the sale
        "writeDown.decreases.reversal": "150000",
        "writeDown.decreases.writtenOff": "250000",
      };
      expect(nonZero(d.inventory, "purchased")).to.deep.equal(expected);
      expect(nonZero(d.inventory, "total")).to.deep.equal(expected);
      expect(nonZero(d.inventory, "selfDeveloped")).to.deep.equal({});
      for (const col of COLUMNS) expect(nonZero(d.intangible, col), col).to.deep.equal({});
      const labels = Object.fromEntries(d.inventory.rows.map((r) => [r.key, `${r.section} ${r.label}`]));
      expect(labels["cost.additions.processing"]).to.equal("一、账面原值 采集加工");
      expect(labels["cost.decreases.sale"]).to.equal("一、账面原值 其中：出售");
      expect(labels["writeDown.decreases.reversal"]).to.equal("二、存货跌价准备 其中：转回");
      expect(labels["writeDown.decreases.writtenOff"]).to.equal("二、存货跌价准备 转销");
    });

    it("table B for 2025 H2 opens with the written-down dataset; to October it closes before the sale", async () => {
      const [h2] = await disclosure(e2, "2025-07-01", "2025-12-31");
      expectChecksPass(h2);
      // Opening (end of 2025-06-30): cost 2,350,000, write-down 400,000, carrying 1,950,000.
      expect(nonZero(h2.inventory, "total")).to.deep.equal({
        "cost.opening": "2350000",
        "cost.decreases": "2350000",
        "cost.decreases.sale": "2350000",
        "writeDown.opening": "400000",
        "writeDown.decreases": "400000",
        "writeDown.decreases.reversal": "150000",
        "writeDown.decreases.writtenOff": "250000",
        "carrying.opening": "1950000",
      });
      const [toOctober] = await disclosure(e2, "2025-01-01", "2025-10-31");
      expectChecksPass(toOctober);
      expect(nonZero(toOctober.inventory, "purchased")).to.deep.equal({
        "cost.additions": "2350000",
        "cost.additions.purchased": "2000000",
        "cost.additions.processing": "350000",
        "cost.closing": "2350000",
        "writeDown.additions": "400000",
        "writeDown.decreases": "150000",
        "writeDown.decreases.reversal": "150000",
        "writeDown.closing": "250000",
        "carrying.closing": "2100000", // 2,350,000 - 250,000
      });
    });
  });

  // ---------------------------------------------------------------------------------------------- scenario 3

  describe("scenario 3: self-developed asset", () => {
    // Research 300,000 (2025-02-10) is expensed. Development 1,234,567 (2025-04-15) + 600,000 (2025-05-20) =
    // 1,834,567 capitalised; impaired 34,567 (2025-05-25); ready 2025-06-10 with 24 months (2025-06 .. 2027-05):
    // base = 1,834,567 - 34,567 = 1,800,000, 75,000 a month.
    const line = async (asOf: string) => {
      const sheets = await sheet(e3.address, asOf);
      expect(sheets).to.have.length(1);
      expect(sheets[0].inventory.raw).to.equal("0");
      expect(sheets[0].rows).to.have.length(1);
      const r = sheets[0].rows[0];
      expect([r.bookId, r.asset.id, r.source]).to.deep.equal([String(book.s3), String(asset.a3), "SelfDeveloped"]);
      return { s: sheets[0], r, figures: [r.category, r.cost.raw, r.accumulatedAmortisation.raw, r.impairment.raw, r.carryingAmount.raw] };
    };

    it("开发支出 holds the development-phase cost only, never research", async () => {
      const march = await line("2025-03-31"); // only research so far: nothing capitalised
      expect(march.figures).to.deep.equal(["Development", "0", "0", "0", "0"]);
      const april = await line("2025-04-30");
      expect(april.figures).to.deep.equal(["Development", "1234567", "0", "0", "1234567"]);
      expect([april.s.development.raw, april.s.intangible.raw]).to.deep.equal(["1234567", "0"]);
      const may = await line("2025-05-31"); // 1,834,567 - 34,567
      expect(may.figures).to.deep.equal(["Development", "1834567", "0", "34567", "1800000"]);
      expect(may.s.development).to.deep.equal({ raw: "1800000", value: "18000.00" });
      expect(may.s.intangible.raw).to.equal("0");
      // The day before ready-for-use it is still development expenditure.
      expect((await line("2025-06-09")).s.development.raw).to.equal("1800000");
    });

    it("moves to 无形资产 at ready-for-use and is amortised from that month", async () => {
      // The ready day: intangible, June's charge not booked until 06-30; carrying 1,834,567 - 34,567 = 1,800,000.
      const readyDay = await line("2025-06-10");
      expect(readyDay.figures).to.deep.equal(["Intangible", "1834567", "0", "34567", "1800000"]);
      expect([readyDay.s.intangible.raw, readyDay.s.development.raw]).to.deep.equal(["1800000", "0"]);
      const june = await line("2025-06-30"); // m = 1: 75,000; carrying 1,834,567 - 75,000 - 34,567 = 1,725,000
      expect(june.figures).to.deep.equal(["Intangible", "1834567", "75000", "34567", "1725000"]);
      expect([june.s.intangible.raw, june.s.development.raw]).to.deep.equal(["1725000", "0"]);
      const dec = await line("2025-12-31"); // m = 7 (Jun-Dec): 525,000; carrying 1,800,000 - 525,000 = 1,275,000
      expect(dec.figures).to.deep.equal(["Intangible", "1834567", "525000", "34567", "1275000"]);
      expect(dec.s.intangible).to.deep.equal({ raw: "1275000", value: "12750.00" });
    });

    it("table A: 内部研发 in the 自行开发 column; development in progress is in neither table", async () => {
      const [year] = await disclosure(e3.address, "2025-01-01", "2025-12-31");
      expectChecksPass(year);
      const expected = {
        "cost.additions": "1834567",
        "cost.additions.development": "1834567", // 内部研发: the capitalised cost moved in at ready-for-use
        "cost.closing": "1834567",
        "amortisation.additions": "525000",
        "amortisation.closing": "525000",
        "impairment.additions": "34567", // the development impairment moves with it
        "impairment.closing": "34567",
        "carrying.closing": "1275000",
      };
      expect(nonZero(year.intangible, "selfDeveloped")).to.deep.equal(expected);
      expect(nonZero(year.intangible, "total")).to.deep.equal(expected);
      expect(nonZero(year.intangible, "purchased")).to.deep.equal({});
      expect(nonZero(year.intangible, "other")).to.deep.equal({});
      const rd = row(year.intangible, "cost.additions.development");
      expect([rd.label, rd.selfDeveloped.value]).to.deep.equal(["内部研发", "18345.67"]);

      const [beforeReady] = await disclosure(e3.address, "2025-01-01", "2025-05-31");
      expectChecksPass(beforeReady);
      for (const col of COLUMNS) {
        expect(nonZero(beforeReady.intangible, col), col).to.deep.equal({});
        expect(nonZero(beforeReady.inventory, col), col).to.deep.equal({});
      }
    });

    it("discloses the period's R&D spending: research expensed, development capitalised (财会〔2023〕11号)", async () => {
      const rd = async (entity: string, from: string, to: string) => {
        const [d] = await disclosure(entity, from, to);
        const { expensed, capitalised, total } = d.researchAndDevelopment;
        return [expensed.value, capitalised.value, total.value];
      };
      // 2025: research 300,000 expensed; development 1,234,567 + 600,000 = 1,834,567 capitalised; 2,134,567 in all.
      expect(await rd(e3.address, "2025-01-01", "2025-12-31")).to.deep.equal(["3000.00", "18345.67", "21345.67"]);
      const [year] = await disclosure(e3.address, "2025-01-01", "2025-12-31");
      expect(year.researchAndDevelopment.capitalised.raw).to.equal("1834567");
      // March-April: only the first development cost (04-15).
      expect(await rd(e3.address, "2025-03-01", "2025-04-30")).to.deep.equal(["0.00", "12345.67", "12345.67"]);
      // From the ready day on: nothing (the asset is in use).
      expect(await rd(e3.address, "2025-06-10", "2025-12-31")).to.deep.equal(["0.00", "0.00", "0.00"]);
      // A purchased intangible and an inventory dataset are not R&D.
      expect(await rd(e1, "2025-01-01", "2025-12-31")).to.deep.equal(["0.00", "0.00", "0.00"]);
      expect(await rd(e2, "2025-01-01", "2025-12-31")).to.deep.equal(["0.00", "0.00", "0.00"]);
    });
  });

  // ---------------------------------------------------------------------------------------------- checks, CSV, input

  describe("checks, CSV exports and bad input", () => {
    it("every disclosure of the scenarios passes every check", async () => {
      for (const entity of [e1, e2, e3.address]) {
        for (const [from, to] of [["2024-01-01", "2026-06-30"], ["2025-06-15", "2025-06-15"], ["2025-06-21", "2025-11-20"]]) {
          const ds = await disclosure(entity, from, to);
          expect(ds, `${entity} ${from}..${to}`).to.have.length(1);
          expectChecksPass(ds[0]);
        }
      }
    });

    it("an entity with no books has no balance sheet and no disclosure", async () => {
      expect(await sheet(l.outsider.address, "2025-12-31")).to.deep.equal([]);
      expect(await disclosure(l.outsider.address, "2025-01-01", "2025-12-31")).to.deep.equal([]);
      const csv = await getCsv(`/csv/disclosure?entity=${l.outsider.address}&from=2025-01-01&to=2025-12-31`);
      expect(csv.status).to.equal(200);
      expect(parseCsv(csv.text.replace(/^\ufeff/, ""))).to.have.length(1); // the header only
    });

    it("GET /csv/balance-sheet gives the same figures as text/csv", async () => {
      const csv = await getCsv(`/csv/balance-sheet?entity=${e1}&asOf=2025-12-31`);
      expect(csv.status).to.equal(200);
      expect(csv.type).to.match(/^text\/csv/);
      expect([...csv.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheets
      const rows = parseCsv(csv.text.slice(1));
      const name = "Municipal inspection records 2025";
      expect(rows).to.deep.equal([
        ["entity", "as_of", "currency", "line", "book_id", "asset_id", "asset_name", "category", "source", "cost", "accumulated_amortisation", "impairment", "carrying_amount"],
        [e1, "2025-12-31", "eCNY", "存货 其中：数据资源", "", "", "", "Inventory", "", "", "", "", "0.00"],
        [e1, "2025-12-31", "eCNY", "无形资产 其中：数据资源", "", "", "", "Intangible", "", "", "", "", "20345.69"],
        [e1, "2025-12-31", "eCNY", "开发支出 其中：数据资源", "", "", "", "Development", "", "", "", "", "0.00"],
        [e1, "2025-12-31", "eCNY", "asset", String(book.s1), String(asset.a1), name, "Intangible", "Purchased", "36000.00", "11086.42", "4567.89", "20345.69"],
      ]);
      // The development line of E3 mid-development, and its move to intangible assets.
      const dev = parseCsv((await getCsv(`/csv/balance-sheet?entity=${e3.address}&asOf=2025-05-31`)).text.slice(1));
      expect(dev[3].slice(3)).to.deep.equal(["开发支出 其中：数据资源", "", "", "", "Development", "", "", "", "", "18000.00"]);
      expect(dev[4].slice(6)).to.deep.equal(["Self-built credit model features", "Development", "SelfDeveloped", "18345.67", "0.00", "345.67", "18000.00"]);

      // lang=zh: Chinese headers, categories and sources (the disclosure tables' columns), the same figures.
      const zh = parseCsv((await getCsv(`/csv/balance-sheet?entity=${e1}&asOf=2025-12-31&lang=zh`)).text.slice(1));
      expect(zh[0]).to.deep.equal(["主体", "截止日", "币种", "项目", "账簿编号", "资产编号", "资产名称", "类别", "取得方式", "账面原值", "累计摊销", "减值准备（跌价准备）", "账面价值"]);
      expect(zh.slice(1).map((r) => r.slice(7))).to.deep.equal([
        ["存货", "", "", "", "", "0.00"],
        ["无形资产", "", "", "", "", "20345.69"],
        ["开发支出", "", "", "", "", "0.00"],
        ["无形资产", "外购", "36000.00", "11086.42", "4567.89", "20345.69"],
      ]);
      expect(zh[4].slice(3, 7)).to.deep.equal(["明细", String(book.s1), String(asset.a1), name]);
      const devZh = parseCsv((await getCsv(`/csv/balance-sheet?entity=${e3.address}&asOf=2025-05-31&lang=zh-CN`)).text.slice(1));
      expect(devZh[4].slice(7, 9)).to.deep.equal(["开发支出", "自行开发"]);
      const inventoryZh = parseCsv((await getCsv(`/csv/balance-sheet?entity=${e2}&asOf=2025-03-31&lang=zh`)).text.slice(1));
      expect(inventoryZh[4].slice(6, 9)).to.deep.equal(["Retail footfall dataset", "存货", "外购"]);
    });

    it("GET /csv/disclosure gives every row of tables A and B and the R&D spending with the GraphQL figures", async () => {
      const [d] = await disclosure(e2, "2025-01-01", "2025-12-31");
      const csv = await getCsv(`/csv/disclosure?entity=${e2}&from=2025-01-01&to=2025-12-31`);
      expect(csv.status).to.equal(200);
      expect(csv.type).to.match(/^text\/csv/);
      expect(csv.text.endsWith("\r\n")).to.equal(true);
      const [header, ...rows] = parseCsv(csv.text.replace(/^\ufeff/, ""));
      expect(header).to.deep.equal(["entity", "from", "to", "currency", "table", "section", "row", "purchased", "self_developed", "other", "total"]);
      const [zhHeader, ...zhRows] = parseCsv((await getCsv(`/csv/disclosure?entity=${e2}&from=2025-01-01&to=2025-12-31&lang=zh`)).text.slice(1));
      expect(zhHeader).to.deep.equal(["主体", "期间起", "期间止", "币种", "表", "项目", "行", "外购", "自行开发（自行加工）", "其他方式", "合计"]);
      expect(zhRows).to.deep.equal(rows); // titles, sections and labels are the official Chinese ones in both
      const expected = [d.intangible, d.inventory].flatMap((t) =>
        t.rows.map((r) => [e2, "2025-01-01", "2025-12-31", "eCNY", t.title, r.section, r.label, r.purchased.value, r.selfDeveloped.value, r.other.value, r.total.value]),
      );
      const rdRows = ([["费用化支出（计入当期损益）", "expensed"], ["资本化支出（开发支出，达到预定用途转入无形资产）", "capitalised"], ["合计", "total"]] as const).map(
        ([label, key]) => [e2, "2025-01-01", "2025-12-31", "eCNY", "数据资源研究开发支出", "本期发生额", label, "", "", "", d.researchAndDevelopment[key].value],
      );
      expect(rows).to.deep.equal([...expected, ...rdRows]);
      // table A: 10 + 7 + 4 + 2 rows; table B: 10 + 6 + 2; R&D spending: expensed, capitalised, total
      expect(rows).to.have.length(23 + 18 + 3);
      for (const r of rows.slice(0, 41)) for (const amount of r.slice(7)) expect(amount).to.match(/^\d+\.\d{2}$/);
      for (const r of rows.slice(41)) expect(r.slice(7)).to.deep.equal(["", "", "", "0.00"]); // E2 does no R&D
      // Spot checks by hand: 其中：购入 20,000.00; 采集加工 3,500.00; 转回 1,500.00; 转销 2,500.00.
      const find = (section: string, label: string) => rows.find((r) => r[4] === "存货（数据资源）" && r[5] === section && r[6] === label)!;
      expect(find("一、账面原值", "其中：购入").slice(7)).to.deep.equal(["20000.00", "0.00", "0.00", "20000.00"]);
      expect(find("一、账面原值", "采集加工").slice(7)).to.deep.equal(["3500.00", "0.00", "0.00", "3500.00"]);
      expect(find("一、账面原值", "其中：出售").slice(7)).to.deep.equal(["23500.00", "0.00", "0.00", "23500.00"]);
      expect(find("二、存货跌价准备", "其中：转回")[10]).to.equal("1500.00");
      expect(find("二、存货跌价准备", "转销")[10]).to.equal("2500.00");
      // Table A of E1 for 2025 in CSV: 累计摊销 本期增加 11,086.42 in 外购 and 合计.
      const a = parseCsv((await getCsv(`/csv/disclosure?entity=${e1}&from=2025-01-01&to=2025-12-31`)).text.slice(1));
      const amortisation = a.find((r) => r[4] === "无形资产（数据资源）" && r[5] === "二、累计摊销" && r[6] === "本期增加")!;
      expect(amortisation.slice(7)).to.deep.equal(["11086.42", "0.00", "0.00", "11086.42"]);
      // E3's R&D spending of 2025 in CSV: 3,000.00 expensed, 18,345.67 capitalised, 21,345.67 in all.
      const c = parseCsv((await getCsv(`/csv/disclosure?entity=${e3.address}&from=2025-01-01&to=2025-12-31`)).text.slice(1));
      expect(c.filter((r) => r[4] === "数据资源研究开发支出").map((r) => [r[6], r[10]])).to.deep.equal([
        ["费用化支出（计入当期损益）", "3000.00"],
        ["资本化支出（开发支出，达到预定用途转入无形资产）", "18345.67"],
        ["合计", "21345.67"],
      ]);
    });

    it("the CSV routes answer 400 with a message naming the bad argument", async () => {
      const cases: [string, RegExp][] = [
        [`/csv/balance-sheet?entity=0x1234&asOf=2025-12-31`, /^entity: /],
        [`/csv/balance-sheet?entity=${e1}&asOf=2025-02-30`, /^asOf: .*2025-02-30/],
        [`/csv/balance-sheet?entity=${e1}`, /^asOf: /],
        [`/csv/disclosure?entity=${e1}&from=2025-13-01&to=2025-12-31`, /^from: /],
        [`/csv/disclosure?entity=${e1}&from=2025-01-01&to=2025-1-31`, /^to: /],
        [`/csv/disclosure?entity=${e1}&from=2025-12-31&to=2025-01-01`, /^to: .*ends before it starts/],
        [`/csv/disclosure?entity=not-an-address&from=2025-01-01&to=2025-12-31`, /^entity: /],
        [`/csv/balance-sheet?entity=${flipCase(e1)}&asOf=2025-12-31`, /^entity: "0x[0-9a-fA-F]{40}" has a wrong EIP-55 checksum/],
        [`/csv/balance-sheet?entity=${e1}&asOf=2025-12-31&lang=fr`, /^lang: "fr" is not en or zh$/],
      ];
      for (const [path, message] of cases) {
        const res = await getCsv(path);
        expect(res.status, path).to.equal(400);
        expect(res.type, path).to.match(/^application\/json/);
        expect(JSON.parse(res.text).error, path).to.match(message);
      }
    });

    it("notes a date after the latest indexed block (GraphQL extensions.notices, CSV X-Index-Notice)", async () => {
      const latest = indexer.status();
      const notice = (argument: string, date: string) => ({
        code: "INDEX_NOT_REACHED",
        argument,
        message: `${argument}: the index has not reached ${date} (its latest block is ${latest.latestBlock}, of ${iso(latest.latestBlockTime)}): the figures are those known so far and may still change`,
        latestBlock: latest.latestBlock,
        latestBlockTime: iso(latest.latestBlockTime),
      });
      const extensions = async (query: string, variables: Record<string, unknown>) => {
        const a = (await gql(query, variables)) as { errors?: unknown; extensions?: { notices: unknown[] } };
        expect(a.errors).to.equal(undefined);
        return a.extensions;
      };
      expect(await extensions(SHEET, { entity: e1, asOf: "2025-12-31" })).to.equal(undefined);
      expect(await extensions(SHEET, { entity: e1, asOf: "2099-12-31" })).to.deep.equal({ notices: [notice("asOf", "2099-12-31")] });
      expect(await extensions(DISCLOSURE, { entity: e1, from: "2025-01-01", to: "2099-12-31" })).to.deep.equal({ notices: [notice("to", "2099-12-31")] });
      expect(await extensions(VALUATION, { id: String(asset.a1), asOf: "2099-12-31", params: null })).to.deep.equal({ notices: [notice("asOf", "2099-12-31")] });

      const ahead = await fetch(`${api.url}/csv/disclosure?entity=${e1}&from=2099-01-01&to=2099-12-31`);
      expect(ahead.status).to.equal(200);
      expect(ahead.headers.get("x-index-notice")).to.equal(`${notice("from", "2099-01-01").message} ${notice("to", "2099-12-31").message}`);
      expect((await fetch(`${api.url}/csv/balance-sheet?entity=${e1}&asOf=2025-12-31`)).headers.get("x-index-notice")).to.equal(null);
    });

    it("GraphQL refuses a malformed entity, an impossible date and a period ending before it starts", async () => {
      await badUserInput(SHEET, { entity: "0x12345", asOf: "2025-12-31" }, /^entity: "0x12345" is not an address/);
      await badUserInput(SHEET, { entity: e1, asOf: "2025-02-30" }, /^asOf: impossible date 2025-02-30/);
      await badUserInput(SHEET, { entity: e1, asOf: "31/12/2025" }, /^asOf: malformed date/);
      await badUserInput(SHEET, { entity: flipCase(e1), asOf: "2025-12-31" }, /^entity: "0x[0-9a-fA-F]{40}" has a wrong EIP-55 checksum/);
      expect(await sheet(e1.toLowerCase(), "2025-12-31")).to.have.length(1); // all lowercase: not checked
      await badUserInput(DISCLOSURE, { entity: "0xZZ00000000000000000000000000000000000000", from: "2025-01-01", to: "2025-12-31" }, /^entity: /);
      await badUserInput(DISCLOSURE, { entity: e1, from: "2025-02-30", to: "2025-12-31" }, /^from: impossible date 2025-02-30/);
      await badUserInput(DISCLOSURE, { entity: e1, from: "2025-01-01", to: "2024-02-30" }, /^to: impossible date 2024-02-30/);
      await badUserInput(DISCLOSURE, { entity: e1, from: "2025-12-31", to: "2025-01-01" }, /^to: period 2025-12-31 to 2025-01-01 ends before it starts/);
      // The boundary: `to` the day before `from` is an empty period, refused; from = to is one day, served.
      await badUserInput(DISCLOSURE, { entity: e1, from: "2025-06-01", to: "2025-05-31" }, /^to: period/);
      expect(await disclosure(e1, "2025-06-01", "2025-06-01")).to.have.length(1);
    });
  });

  // ---------------------------------------------------------------------------------------------- valuation

  describe("valuation", () => {
    const inputsOf = (i: { inputs: string | null }) => JSON.parse(i.inputs!);

    it("lists the appraisals on record, the superseded one flagged", async () => {
      const v = await valuation(asset.a1, today);
      expect(v.assetId).to.equal(String(asset.a1));
      expect(v.asOf).to.equal(`${today}T23:59:59+08:00`);
      expect(v.token).to.deep.equal({ address: l.currencyAddress, symbol: "eCNY", decimals: 2 });
      // Newest valuation date first; both attested today (chain time).
      for (const a of v.appraisals) expect(a.attestedAt).to.match(new RegExp(`^${today}T\\d{2}:\\d{2}:\\d{2}\\+08:00$`));
      expect(v.appraisals.map(({ attestedAt: _, ...a }: any) => a)).to.deep.equal([
        {
          attestationId: String(attestation.appraisal2),
          author: l.appraiser.address,
          method: "Cost",
          value: { raw: "3100000", value: "31000.00" },
          valuationDate: "2026-03-31T00:00:00+08:00",
          reportHash: reports.appraisal2,
          superseded: false,
          supersededBy: null,
        },
        {
          attestationId: String(attestation.appraisal1),
          author: l.appraiser.address,
          method: "Cost",
          value: { raw: "3000000", value: "30000.00" },
          valuationDate: "2025-12-31T00:00:00+08:00",
          reportHash: reports.appraisal1,
          superseded: true,
          supersededBy: String(attestation.appraisal2),
        },
      ]);
      // Before either was attested, none is on record.
      expect((await valuation(asset.a1, "2025-12-31")).appraisals).to.deep.equal([]);
    });

    it("cost approach: P = C x mean quality / 100 = 3,600,000 x 509/600 = 3,054,000", async () => {
      // Scores 90 + 85 + 80 + 95 + 70 + 89 = 509; mean 509/6; d = 509/600 = 0.848333...; C = the book's capitalised
      // cost 3,600,000 (gross of amortisation and impairment); P = 6,000 x 509 = 3,054,000 exactly.
      const { cost } = await valuation(asset.a1, today);
      expect(cost).to.deep.include({ approach: "cost", computed: true, reason: null });
      expect(cost.value).to.deep.equal({ raw: "3054000", value: "30540.00" });
      const inputs = inputsOf(cost);
      expect(inputs.cost).to.deep.equal({ amount: "3600000", source: "Book", bookId: book.s1 });
      expect(inputs.coefficient).to.deep.equal({ numerator: "509", denominator: "600", decimal: "0.848333333333333333" });
      expect(inputs.basis).to.equal("Quality");
      expect(inputs.quality.attestationId).to.equal(attestation.quality);
      expect(inputs.quality.scores).to.deep.equal({ accuracy: 90, consistency: 85, completeness: 80, conformity: 95, timeliness: 70, accessibility: 89 });
      expect(inputs.quality.mean).to.deep.include({ numerator: "509", denominator: "6" });
      expect(inputs.life).to.equal(null);
    });

    it("cost approach on remaining life, and with a replacement cost rounded half up", async () => {
      // As of 2025-12-31 no quality score was in force (attested later), so Auto falls back to remaining life:
      // months used 2025-01 .. 2025-12 = 12 of 36; d = 24/36 = 2/3; P = 3,600,000 x 2/3 = 2,400,000.
      const past = await valuation(asset.a1, "2025-12-31");
      expect(past.cost.computed).to.equal(true);
      expect(past.cost.value.raw).to.equal("2400000");
      const inputs = inputsOf(past.cost);
      expect(inputs.basis).to.equal("RemainingLife");
      expect(inputs.coefficient).to.deep.include({ numerator: "2", denominator: "3" });
      expect(inputs.life).to.deep.include({ bookId: book.s1, usefulLifeMonths: 36, monthsUsed: 12, remainingMonths: 24 });
      // C = 1,234,500 replacing the book's cost: 1,234,500 x 509 / 600 = 1,047,267.5 -> 1,047,268 (half up).
      const replaced = await valuation(asset.a1, today, { replacementCost: "1234500" });
      expect(replaced.cost.value).to.deep.equal({ raw: "1047268", value: "10472.68" });
      expect(inputsOf(replaced.cost).cost).to.deep.equal({ amount: "1234500", source: "ReplacementCost", bookId: null });
    });

    it("market approach: not computed with too few comparables; the median of one when one is enough", async () => {
      // One other product's processing-use trade (order 1); A1's own trades are never its comparables.
      const v = await valuation(asset.a1, today, { offer: "ProcessingUse" });
      expect(v.market).to.deep.include({ approach: "market", computed: false, value: null, inputs: null });
      expect(v.market.reason).to.match(
        new RegExp(`^1 comparable ProcessingUse trades of other Product assets in ${l.currencyAddress} settled by ${today}; at least 3 needed$`, "i"),
      );
      // With minComparables 1: 2,000,000 x quality 1 (the comparable has no score) x date 1 x volume 1 = 2,000,000.
      const one = await valuation(asset.a1, today, { offer: "ProcessingUse", minComparables: 1 });
      expect(one.market.computed).to.equal(true);
      expect(one.market.value.raw).to.equal("2000000");
      const inputs = inputsOf(one.market);
      expect(inputs.candidates).to.equal(1);
      expect(inputs.comparables).to.have.length(1);
      expect(inputs.comparables[0]).to.deep.include({ orderId: order.comparable, assetId: Number(asset.comparable), gross: "2000000", adjusted: "2000000" });
      expect(inputs.comparables[0].quality.note).to.equal("comparable has no quality score in force");
      // The right as dal spells it is the same right.
      expect(await valuation(asset.a1, today, { offer: "processing-use", minComparables: 1 })).to.deep.equal(one);
    });

    it("income approach: the holder's trailing-12-month seller net, discounted over the registration's whole years", async () => {
      // Seller net = gross - floor(gross x 1%): 5,000,000 - 50,000 = 4,950,000 and 1,234,567 - 12,345 = 1,222,222.
      // R = 6,172,222. The sublicensee's sale (order 4) and the comparable (order 1) are not A1's holder's income.
      // Registration: 3 x 365 days from approval, less than a day before asOf -> 35 whole months -> n = 2 (< 5).
      // i = 0.10, g = 0: F_1 = F_2 = 6,172,222;
      //   PV_1 = 6,172,222 / 1.1  = 5,611,110.909... -> 5,611,111
      //   PV_2 = 6,172,222 / 1.21 = 5,101,009.917... -> 5,101,010;   P = 10,712,121.
      const v = await valuation(asset.a1, today, { offer: "ProcessingUse" });
      expect(v.income).to.deep.include({ approach: "income", computed: true, reason: null });
      expect(v.income.value).to.deep.equal({ raw: "10712121", value: "107121.21" });
      const inputs = inputsOf(v.income);
      expect(inputs.revenueBasis).to.equal("SellerNet");
      expect(inputs.revenue).to.equal("6172222");
      expect(inputs.settlements.map((s: any) => [s.orderId, s.offer, s.sellerNet])).to.deep.equal([
        [order.sale1, "ProcessingUse", "4950000"],
        [order.sale2, "ProcessingUse", "1222222"],
      ]);
      expect([inputs.discountRate, inputs.growthRate, inputs.years]).to.deep.equal(["0.10", "0", 2]);
      expect(inputs.life).to.deep.include({ registrationMonths: 35, horizonYears: 5 });
      expect(inputs.terms).to.deep.equal([
        { year: 1, cashFlow: "6172222", presentValue: "5611111" },
        { year: 2, cashFlow: "6172222", presentValue: "5101010" },
      ]);
      // g = 5%, i = 8%, horizon 1 year: F_1 = 6,172,222 x 1.05 = 6,480,833.1 -> 6,480,833;
      // PV_1 = 6,480,833 / 1.08 = 6,000,771.29... -> 6,000,771.
      const grown = await valuation(asset.a1, today, { growthRate: "0.05", discountRate: "0.08", horizonYears: 1 });
      expect(grown.income.value.raw).to.equal("6000771");
      expect(inputsOf(grown.income).terms).to.deep.equal([{ year: 1, cashFlow: "6480833", presentValue: "6000771" }]);
      expect(JSON.parse(grown.parameters)).to.deep.include({ discountRate: "0.08", growthRate: "0.05", horizonYears: 1 });
    });

    it("refuses bad parameters and bad dates with BAD_USER_INPUT", async () => {
      const v = { id: String(asset.a1), asOf: today };
      await badUserInput(VALUATION, { ...v, params: { discountRate: "1.5" } }, /params\.discountRate must be greater than 0 and less than 1/);
      await badUserInput(VALUATION, { ...v, params: { growthRate: "abc" } }, /params\.growthRate must be a decimal string/);
      await badUserInput(VALUATION, { ...v, params: { replacementCost: "-5" } }, /params\.replacementCost/);
      await badUserInput(VALUATION, { ...v, params: { offer: "Lease" } }, /params\.offer must be one of/);
      await badUserInput(VALUATION, { ...v, asOf: "2025-02-30" }, /^asOf: impossible date 2025-02-30/);
    });
  });

  // ---------------------------------------------------------------------------------------------- property

  describe("property: random ledger scenarios on chain", () => {
    type Kind = "cost" | "impair" | "reverse" | "ready" | "derecognise";
    interface Op {
      gap: number;
      sec: number;
      kind: Kind;
      r: bigint;
      pick: number;
      pick2: number;
      life: number;
    }
    interface BookSpec {
      category: number;
      source: number;
      life: number;
      residual: bigint;
      /** A cost recorded at the recognition instant (0: none), as a purchase usually is. */
      openingCost: bigint;
      start: number;
      startSec: number;
      ops: Op[];
    }
    /** What the test recorded on chain for one book: the oracle for every row but amortisation. */
    interface ModelBook {
      id: number;
      initial: Category;
      source: CostSource;
      opened: number;
      entries: { t: number; kind: Kind; amount: bigint; source?: CostSource; capitalised?: boolean; reason?: DerecognitionReason }[];
    }

    let maxDay: number;
    before(async () => {
      // Entries up to two days before the chain's now, so every date is valid on chain.
      maxDay = Math.floor(((await latestTime()) - RULES_EFFECTIVE) / DAY) - 2;
    });

    const opArb: fc.Arbitrary<Op> = fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 45 }), fc.integer({ min: 46, max: 240 })),
      sec: fc.integer({ min: 0, max: DAY - 1 }),
      kind: fc.oneof(
        { arbitrary: fc.constant<Kind>("cost"), weight: 3 },
        { arbitrary: fc.constant<Kind>("impair"), weight: 3 },
        { arbitrary: fc.constant<Kind>("reverse"), weight: 2 },
        { arbitrary: fc.constant<Kind>("ready"), weight: 2 },
        { arbitrary: fc.constant<Kind>("derecognise"), weight: 1 },
      ),
      r: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      pick: fc.nat(2),
      pick2: fc.nat(2),
      life: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 48 }), weight: 3 }),
    });
    const bookArb = (days: number): fc.Arbitrary<BookSpec> =>
      fc.record({
        category: fc.nat(2),
        source: fc.nat(2),
        life: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 60 }), weight: 3 }),
        residual: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 400_000n })),
        openingCost: fc.oneof({ arbitrary: fc.constant(0n), weight: 1 }, { arbitrary: fc.bigInt({ min: 1n, max: 5_000_000n }), weight: 3 }),
        start: fc.nat(days),
        startSec: fc.integer({ min: 0, max: DAY - 1 }),
        ops: fc.array(opArb, { maxLength: 8 }),
      });

    /** Capitalised cost, impairment (net of reversals), category and presence of a book at time t. */
    function stateAt(b: ModelBook, t: number) {
      let cost = 0n;
      let impairment = 0n;
      let category = b.initial;
      let gone = false;
      for (const e of b.entries) {
        if (e.t > t) break;
        if (e.kind === "cost" && e.capitalised) cost += e.amount;
        else if (e.kind === "impair") impairment += e.amount;
        else if (e.kind === "reverse") impairment -= e.amount;
        else if (e.kind === "ready") category = Category.Intangible;
        else if (e.kind === "derecognise") gone = true;
      }
      return { onSheet: b.opened <= t && !gone, cost, impairment, category };
    }

    type Cols = Record<Column, bigint>;
    const zero = (): Cols => ({ purchased: 0n, selfDeveloped: 0n, other: 0n, total: 0n });

    /**
     * The cost and impairment / write-down rows of tables A and B as the rules describe them, from what was
     * recorded: movements dated in (t0, t1], column = the book's source, sub-rows by cost source / reason.
     */
    function modelTables(books: ModelBook[], t0: number, t1: number) {
      const a = new Map<string, Cols>();
      const b = new Map<string, Cols>();
      const add = (m: Map<string, Cols>, key: string, col: Column, v: bigint) => {
        if (!m.has(key)) m.set(key, zero());
        m.get(key)![col] += v;
        m.get(key)!.total += v;
      };
      const A_ADD = ["purchased", "other", "other"];
      const B_ADD = ["purchased", "processing", "other"];
      const A_DEC = ["disposal", "lapse", "other"];
      const B_DEC = ["sale", "lapse", "other"];
      for (const bk of books) {
        const col = SOURCE_COLUMNS[bk.source];
        for (const [when, t] of [["opening", t0], ["closing", t1]] as const) {
          const s = stateAt(bk, t);
          if (!s.onSheet || s.category === Category.Development) continue;
          const m = s.category === Category.Intangible ? a : b;
          add(m, `cost.${when}`, col, s.cost);
          add(m, `${m === a ? "impairment" : "writeDown"}.${when}`, col, s.impairment);
        }
        let category = bk.initial;
        let cost = 0n;
        let impairment = 0n;
        for (const e of bk.entries) {
          if (e.t > t1) break;
          const now = e.t > t0;
          const m = category === Category.Intangible ? a : category === Category.Inventory ? b : null;
          if (e.kind === "cost" && e.capitalised) {
            cost += e.amount;
            if (now && m) {
              add(m, "cost.additions", col, e.amount);
              add(m, `cost.additions.${(m === a ? A_ADD : B_ADD)[e.source!]}`, col, e.amount);
            }
          } else if (e.kind === "ready") {
            category = Category.Intangible;
            if (now) {
              add(a, "cost.additions", col, cost);
              add(a, "cost.additions.development", col, cost);
              add(a, "impairment.additions", col, impairment);
            }
          } else if (e.kind === "impair") {
            impairment += e.amount;
            if (now && m) add(m, m === a ? "impairment.additions" : "writeDown.additions", col, e.amount);
          } else if (e.kind === "reverse") {
            impairment -= e.amount;
            if (now) {
              add(b, "writeDown.decreases", col, e.amount);
              add(b, "writeDown.decreases.reversal", col, e.amount);
            }
          } else if (e.kind === "derecognise" && now && m) {
            add(m, "cost.decreases", col, cost);
            add(m, `cost.decreases.${(m === a ? A_DEC : B_DEC)[e.reason!]}`, col, cost);
            if (m === a) add(a, "impairment.decreases", col, impairment);
            else {
              add(b, "writeDown.decreases", col, impairment);
              add(b, "writeDown.decreases.writtenOff", col, impairment);
            }
          }
        }
      }
      return { a, b };
    }

    const bigRows = (t: Table) => new Map(t.rows.map((r) => [r.key, Object.fromEntries(COLUMNS.map((c) => [c, BigInt(r[c].raw)])) as Cols]));

    async function execute(specs: BookSpec[]): Promise<{ entity: string; books: ModelBook[] }> {
      // A fresh entity per run (impersonated, funded), recording through the world's accountant.
      const entity = ethers.Wallet.createRandom().address;
      await ethers.provider.send("hardhat_setBalance", [entity, "0x56BC75E2D63100000"]);
      const signer = await ethers.getImpersonatedSigner(entity);
      await l.ledger.connect(signer).setAccountant(l.accountant.address, true);
      const ledger = l.ledger.connect(l.accountant);
      const books: ModelBook[] = [];
      for (const spec of specs) {
        let day = spec.start;
        let sec = spec.startSec;
        const category = spec.category as Category;
        const life = category === Category.Intangible ? spec.life : 0;
        const residual = category === Category.Inventory ? 0n : spec.residual;
        const opened = dayStart(day) + sec;
        const assetId = spec.source === 0 ? l.activeId : l.noticeId;
        await ledger.recognise(entity, assetId, category, spec.source, life, residual, l.currencyAddress, opened, hash("p-open"));
        const id = Number(await l.ledger.bookCount());
        const m: ModelBook = { id, initial: category, source: spec.source as CostSource, opened, entries: [] };
        books.push(m);
        let current = category;
        let amortising = category === Category.Intangible && life > 0;
        let cost = 0n;
        let impairment = 0n;
        const ops: Op[] = spec.openingCost > 0n ? [{ gap: 0, sec: 0, kind: "cost", r: spec.openingCost - 1n, pick: 1, pick2: spec.source, life: 0 }, ...spec.ops] : spec.ops;
        for (const op of ops) {
          if (op.gap === 0) sec = Math.max(sec, op.sec);
          else [day, sec] = [day + op.gap, op.sec];
          if (day > maxDay) break;
          const t = dayStart(day) + sec;
          if (op.kind === "cost") {
            const amount = 1n + (op.r % 5_000_000n);
            const phase = current === Category.Development ? (op.pick === 0 ? CostPhase.Research : CostPhase.Development) : CostPhase.None;
            await ledger.addCost(id, amount, op.pick2, phase, t, 0, hash("p-cost"));
            const capitalised = phase !== CostPhase.Research;
            if (capitalised) cost += amount;
            m.entries.push({ t, kind: "cost", amount, source: op.pick2 as CostSource, capitalised });
          } else if (op.kind === "impair") {
            let bound = cost - impairment; // the contract's bound
            if (amortising) {
              // Within the carrying amount as of that day (which the chain cannot know): ask the API.
              await indexer.syncToHead();
              const [s] = await sheet(entity, cstDay(t));
              const r = s.rows.find((x) => x.bookId === String(id))!;
              const carrying = BigInt(r.carryingAmount.raw);
              if (carrying < bound) bound = carrying;
            }
            if (bound <= 0n) continue;
            const amount = 1n + (op.r % bound);
            await ledger.impair(id, amount, t, hash("p-impair"));
            impairment += amount;
            m.entries.push({ t, kind: "impair", amount });
          } else if (op.kind === "reverse") {
            if (current !== Category.Inventory || impairment === 0n) continue;
            const amount = 1n + (op.r % impairment);
            await ledger.reverseWriteDown(id, amount, t, hash("p-reverse"));
            impairment -= amount;
            m.entries.push({ t, kind: "reverse", amount });
          } else if (op.kind === "ready") {
            if (current !== Category.Development) continue;
            await ledger.readyForUse(id, op.life, t, hash("p-ready"));
            current = Category.Intangible;
            amortising = op.life > 0;
            m.entries.push({ t, kind: "ready", amount: 0n });
          } else {
            const reason = op.pick as DerecognitionReason;
            await ledger.derecognise(id, reason, op.r % 100_000_000n, t, hash("p-derecognise"));
            m.entries.push({ t, kind: "derecognise", amount: 0n, reason });
            break;
          }
        }
      }
      return { entity, books };
    }

    /** Balance-sheet figures of the intangible / inventory books per column, to compare with the tables. */
    function sheetColumns(s: Sheet | undefined, category: "Intangible" | "Inventory") {
      const out = { cost: zero(), amortisation: zero(), impairment: zero(), carrying: zero() };
      for (const r of s?.rows ?? []) {
        if (r.category !== category) continue;
        const col = SOURCE_COLUMNS[["Purchased", "SelfDeveloped", "Other"].indexOf(r.source)];
        for (const [k, v] of [["cost", r.cost], ["amortisation", r.accumulatedAmortisation], ["impairment", r.impairment], ["carrying", r.carryingAmount]] as const) {
          out[k][col] += BigInt(v.raw);
          out[k].total += BigInt(v.raw);
        }
      }
      return out;
    }

    async function verify(entity: string, books: ModelBook[], fromDay: number, toDay: number) {
      const [from, to, dayBefore] = [dayName(fromDay), dayName(toDay), dayName(fromDay - 1)];
      const at = `${entity} ${from}..${to}`;
      const ds = await disclosure(entity, from, to);
      expect(ds, at).to.have.length(1);
      const d = ds[0];
      expectChecksPass(d);

      const A = bigRows(d.intangible);
      const B = bigRows(d.inventory);
      // closing = opening + additions - decreases, every group, every column; total = sum of the columns;
      // each 其中 group adds up to its parent (its parts cover every case).
      const identities: [Map<string, Cols>, string[], [string, string[]][]][] = [
        [A, ["cost", "amortisation", "impairment"], [
          ["cost.additions", ["purchased", "development", "other"]],
          ["cost.decreases", ["disposal", "lapse", "other"]],
          ["amortisation.decreases", ["disposal", "lapse", "other"]],
        ]],
        [B, ["cost", "writeDown"], [
          ["cost.additions", ["purchased", "processing", "other"]],
          ["cost.decreases", ["sale", "lapse", "other"]],
          ["writeDown.decreases", ["reversal", "writtenOff"]],
        ]],
      ];
      for (const [m, groups, parts] of identities) {
        for (const c of COLUMNS) {
          for (const g of groups) {
            const v = (k: string) => m.get(`${g}.${k}`)![c];
            expect(v("closing"), `${at} ${g} ${c}: closing = opening + additions - decreases`).to.equal(
              v("opening") + v("additions") - v("decreases"),
            );
          }
          for (const [parent, subs] of parts) {
            const sum = subs.reduce((acc, s) => acc + m.get(`${parent}.${s}`)![c], 0n);
            expect(sum, `${at} ${parent} ${c}: 其中 rows add up to the parent`).to.equal(m.get(parent)![c]);
          }
        }
        for (const [key, cols] of m) {
          expect(cols.total, `${at} ${key}: total = sum of columns`).to.equal(cols.purchased + cols.selfDeveloped + cols.other);
        }
      }

      // The rows that do not involve amortisation, against what was recorded on chain.
      const t0 = dayStart(fromDay) - 1;
      const t1 = dayStart(toDay + 1) - 1;
      const model = modelTables(books, t0, t1);
      const tables: [string, Map<string, Cols>, Map<string, Cols>][] = [["A", A, model.a], ["B", B, model.b]];
      for (const [name, got, want] of tables) {
        for (const [key, cols] of got) {
          if (key.startsWith("amortisation.") || key.startsWith("carrying.")) continue;
          const expected = want.get(key) ?? zero();
          for (const c of COLUMNS) expect(cols[c], `${at} table ${name} ${key} ${c}`).to.equal(expected[c]);
        }
      }
      // R&D spending: the costs recorded in the period on books then in development, research expensed.
      const rd = { expensed: 0n, capitalised: 0n };
      for (const bk of books) {
        let developing = bk.initial === Category.Development;
        for (const e of bk.entries) {
          if (e.kind === "ready") developing = false;
          if (e.kind === "cost" && developing && e.t > t0 && e.t <= t1) rd[e.capitalised ? "capitalised" : "expensed"] += e.amount;
        }
      }
      const got = d.researchAndDevelopment;
      expect([got.expensed.raw, got.capitalised.raw, got.total.raw], `${at} R&D`).to.deep.equal(
        [rd.expensed, rd.capitalised, rd.expensed + rd.capitalised].map(String),
      );

      // Opening and closing figures agree with the balance sheets at the end of the day before `from` and of `to`.
      for (const [when, asOf] of [["closing", to], ["opening", dayBefore]] as const) {
        const [s] = await sheet(entity, asOf);
        const ia = sheetColumns(s, "Intangible");
        const ib = sheetColumns(s, "Inventory");
        for (const c of COLUMNS) {
          const what = `${at} ${when} ${c} vs balanceSheet(${asOf})`;
          expect(A.get(`cost.${when}`)![c], what).to.equal(ia.cost[c]);
          expect(A.get(`amortisation.${when}`)![c], what).to.equal(ia.amortisation[c]);
          expect(A.get(`impairment.${when}`)![c], what).to.equal(ia.impairment[c]);
          expect(A.get(`carrying.${when}`)![c], what).to.equal(ia.carrying[c]);
          expect(B.get(`cost.${when}`)![c], what).to.equal(ib.cost[c]);
          expect(B.get(`writeDown.${when}`)![c], what).to.equal(ib.impairment[c]);
          expect(B.get(`carrying.${when}`)![c], what).to.equal(ib.carrying[c]);
        }
        expect(BigInt(s?.intangible.raw ?? "0"), `${at} 无形资产 line (${asOf})`).to.equal(A.get(`carrying.${when}`)!.total);
        expect(BigInt(s?.inventory.raw ?? "0"), `${at} 存货 line (${asOf})`).to.equal(B.get(`carrying.${when}`)!.total);
        // Every book's row against the record: presence, category, cost, impairment; carrying = the rest.
        const t = dayStart(when === "closing" ? toDay + 1 : fromDay) - 1;
        const expectedRows = books
          .map((b) => ({ b, st: stateAt(b, t) }))
          .filter(({ st }) => st.onSheet)
          .map(({ b, st }) => [String(b.id), Category[st.category], ["Purchased", "SelfDeveloped", "Other"][b.source], String(st.cost), String(st.impairment)]);
        const rows = (s?.rows ?? []).map((r) => [r.bookId, r.category, r.source, r.cost.raw, r.impairment.raw]);
        expect(rows, `${at} balanceSheet(${asOf}) rows`).to.deep.equal(expectedRows);
        let development = 0n;
        for (const r of s?.rows ?? []) {
          const [cost, amortisation, impairment, carrying] = [r.cost, r.accumulatedAmortisation, r.impairment, r.carryingAmount].map((x) => BigInt(x.raw));
          expect(carrying, `${at} book ${r.bookId} carrying (${asOf})`).to.equal(cost - amortisation - impairment);
          expect(carrying >= 0n && amortisation >= 0n, `${at} book ${r.bookId} (${asOf}): non-negative`).to.equal(true);
          if (r.category !== "Intangible") expect(amortisation, `${at} book ${r.bookId}: ${r.category} is not amortised`).to.equal(0n);
          if (r.category === "Development") development += carrying;
        }
        expect(BigInt(s?.development.raw ?? "0"), `${at} 开发支出 line (${asOf})`).to.equal(development);
      }
    }

    it("disclosure identities hold, match the recorded movements and the balance sheets, for random periods", async () => {
      const runArb = fc.record({
        books: fc.array(bookArb(maxDay), { minLength: 1, maxLength: 4 }),
        periods: fc.array(fc.tuple(fc.nat(maxDay + 60), fc.nat(maxDay + 60)), { minLength: 1, maxLength: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(runArb, async ({ books: specs, periods }) => {
          const { entity, books } = await execute(specs);
          await indexer.syncToHead();
          for (const [x, y] of periods) await verify(entity, books, Math.min(x, y), Math.max(x, y));
          // A period around each book's entries' days, so every movement shows up in some table.
          for (const b of books) {
            const days = b.entries.map((e) => Math.floor((e.t - RULES_EFFECTIVE) / DAY));
            if (days.length > 0) await verify(entity, books, Math.min(...days), Math.max(...days));
          }
        }),
        {
          numRuns: RUNS,
          endOnFailure: true,
          seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
          path: process.env.FC_PATH,
        },
      );
    });
  });
});
