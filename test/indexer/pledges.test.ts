// Pledges end to end: a scenario on the in-process Hardhat chain (pledges filed, withdrawn, accepted, changed,
// consented, objected and voided, released, defaulted, enforced by a sale with costs over two ranks; a revenue pledge
// paid from a sale and from a child's royalty; certificate pledges ranked apart from the asset's, one enforced by a
// sale of the certificate, and a certificate its holder sold), indexed over real JSON-RPC into a real SQLite file.
// The index agrees with pledgeOf / rankOf / outstandingOf, the registry's and the rights contract's encumbrance, the
// certificates' owners and the exchange's creditOf; a reorg across pledge events leaves the same index as a fresh one;
// the API answers pledges, encumbrance, loan-to-value and the disclosure's pledged resources with hand-checked figures.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { listingTerms, market, mined, yuan, type Market } from "../helpers/exchange";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphql, graphqlData } from "../helpers/api";
import { DAY, SZ, YEAR, grantTerms, hash, registerActive } from "../helpers/registry";
import { Category, CostSource, cstDate } from "../helpers/ledger";
import type { Deployment } from "../../scripts/deploy";

type Row = Record<string, any>;
const STATUS = ["None", "Filed", "Live", "Defaulted", "Released", "Enforced", "Voided", "Withdrawn"];
const COLLATERAL = ["Holding", "Revenue", "Certificate"];
const Collateral = { Holding: 0, Revenue: 1, Certificate: 2 };
const HOLDING_TRANSFER = 2;
const Consent = { Transfer: 0, Cancellation: 1, Licensing: 2 };

describe("indexer and API: pledges", function () {
  let m: Market;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;
  let indexer: Indexer;
  let api: ApiServer;
  let pledgee1: HardhatEthersSigner;
  let pledgee2: HardhatEthersSigner;
  let arbiter: HardhatEthersSigner;
  let appraiser: HardhatEthersSigner;
  let token: string;
  const ids: Record<string, bigint> = {};
  const P: Record<string, bigint> = {};
  let periodFrom = "";
  let periodTo = "";

  const rows = (sql: string, ...params: unknown[]) => indexer.database.prepare(sql).all(...params) as Row[];
  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);

  async function file(pledgor: HardhatEthersSigner, assetId: bigint, pledgee: HardhatEthersSigner, o: Record<string, unknown> = {}) {
    const now = await time.latest();
    const terms = {
      assetId,
      collateral: Collateral.Holding,
      certId: 0n,
      debtor: pledgor.address,
      pledgee: pledgee.address,
      token,
      securedAmount: yuan(100_000),
      scope: 1 | 2 | 16,
      maximumAmount: false,
      termEnd: now + 200 * DAY,
      mainContractHash: hash("loan"),
      licensingAllowed: false,
      selfSaleAllowed: false,
      reservePrice: 0n,
      externalRegistry: ethers.encodeBytes32String("PBOC-ZDW"),
      externalNumber: `ZDW-${now}-${Math.random().toString(36).slice(2, 8)}`,
      externalRegisteredAt: now - 1000,
      ...o,
    };
    await mined(m.pledges.connect(pledgor).file(terms));
    return m.pledges.pledgeCount();
  }

  /** Buys one licence of `assetId` (or with `certId`, that certificate itself) listed by `seller` at `price`. */
  async function sell(seller: HardhatEthersSigner, assetId: bigint, price: bigint, certId = 0n) {
    const sale = certId === 0n ? {} : { offer: HOLDING_TRANSFER, sellerCertId: certId, licenceTerm: 0 };
    await mined(m.dex.connect(seller).list(await listingTerms(m, assetId, { price, maxQuantity: 1, ...sale })));
    const listingId = await m.dex.listingCount();
    await mined(m.dex.connect(m.buyer).order(listingId, price));
    const orderId = await m.dex.orderCount();
    await mined(m.dex.connect(seller).deliver(orderId, hash("delivery")));
    await mined(m.dex.connect(m.buyer).accept(orderId));
    return orderId;
  }

  /** A transferable processing-use certificate of `assetId`, granted by its holder to the licensee for two years. */
  async function certificate(assetId: bigint) {
    const until = (await time.latest()) + 2 * YEAR;
    await mined(m.rights.connect(m.holder).grant(grantTerms(assetId, { transferable: true, validUntil: until }), m.licensee.address));
    return m.rights.certificateCount();
  }

  before(async function () {
    m = await market();
    [pledgee1, pledgee2, arbiter, appraiser] = m.signers.slice(14, 18);
    token = await m.token.getAddress();
    await m.pledges.grantRole(await m.pledges.ARBITER_ROLE(), arbiter.address);
    await m.ledger.grantRole(await m.ledger.APPRAISER_ROLE(), appraiser.address);
    ids.a = (await registerActive(m, m.holder, { name: "Port logistics records" })).assetId;
    ids.b = (await registerActive(m, m.holder, { name: "Freight rates" })).assetId;
    ids.c = (await registerActive(m, m.other, { name: "Freight index", parentIds: [ids.b], parentSharesBps: [1000] })).assetId;

    // The holder's books: A intangible (36,000,000 fen over 36 months, from the 1st of this month), B inventory.
    const now = await time.latest();
    const d = new Date((now + 8 * 3600) * 1000);
    const [y, mo] = [d.getUTCFullYear(), d.getUTCMonth() + 1];
    const first = cstDate(y, mo, 1);
    await mined(m.ledger.connect(m.holder).recognise(m.holder.address, ids.a, Category.Intangible, CostSource.Purchased, 36, 0, token, first, hash("rec")));
    const bookA = await m.ledger.bookCount();
    await mined(m.ledger.connect(m.holder).addCost(bookA, 36_000_000n, CostSource.Purchased, 0, first, 0, hash("cost")));
    await mined(m.ledger.connect(m.holder).recognise(m.holder.address, ids.b, Category.Inventory, CostSource.Purchased, 0, 0, token, first, hash("rec")));
    const bookB = await m.ledger.bookCount();
    await mined(m.ledger.connect(m.holder).addCost(bookB, 10_000_000n, CostSource.Purchased, 0, first, 0, hash("cost")));
    await mined(m.ledger.connect(appraiser).attestAppraisal(ids.b, 0, 12_000_000n, token, now - 10, hash("report"), 0));

    // Asset A: P1 (pledgee1, registered later) and P2 (pledgee2, registered earlier: rank 1 though filed second).
    P.p1 = await file(m.holder, ids.a, pledgee1, { externalRegisteredAt: now - 500, securedAmount: yuan(600_000), selfSaleAllowed: true, termEnd: now + 20 * DAY });
    P.p2 = await file(m.holder, ids.a, pledgee2, { externalRegisteredAt: now - 900, securedAmount: yuan(300_000) });
    P.withdrawn = await file(m.holder, ids.a, pledgee1);
    P.voided = await file(m.holder, ids.a, pledgee1);
    P.released = await file(m.holder, ids.a, pledgee2, { externalRegisteredAt: now - 2000 });
    await mined(m.pledges.connect(m.holder).withdraw(P.withdrawn));
    await mined(m.pledges.connect(m.objector).object(P.voided, hash("objection")));
    await mined(m.pledges.connect(arbiter).resolveObjection(P.voided, true, hash("ruling")));
    for (const [id, who] of [[P.p1, pledgee1], [P.p2, pledgee2], [P.released, pledgee2]] as const) await mined(m.pledges.connect(who).accept(id));
    await mined(m.pledges.connect(pledgee1).change(P.p1, yuan(500_000), now + 20 * DAY, false));
    await mined(m.pledges.connect(pledgee2).consent(P.p2, Consent.Licensing));
    await mined(m.pledges.connect(pledgee2).release(P.released)); // P2 moves up to rank 1
    // Asset B: a revenue pledge; its pledgee consents to transfer and cancellation (so it restricts nothing but revenue).
    P.revenue = await file(m.holder, ids.b, pledgee2, { collateral: Collateral.Revenue, securedAmount: yuan(80_000) });
    await mined(m.pledges.connect(pledgee2).accept(P.revenue));
    await mined(m.pledges.connect(pledgee2).consent(P.revenue, Consent.Transfer));
    await mined(m.pledges.connect(pledgee2).consent(P.revenue, Consent.Cancellation));
    // B's certificates, held by the licensee (who keeps an inventory book of B: 5,000,000 fen). Certificate 1 pledged
    // twice (C2 registered earlier: rank 1); certificate 3 twice, C3 registered before B's revenue pledge and C4 after
    // it, yet ranked 1 and 2 on their own; certificate 2 its holder sells.
    await mined(m.ledger.connect(m.licensee).recognise(m.licensee.address, ids.b, Category.Inventory, CostSource.Purchased, 0, 0, token, first, hash("rec")));
    ids.licenseeBook = await m.ledger.bookCount();
    await mined(m.ledger.connect(m.licensee).addCost(ids.licenseeBook, 5_000_000n, CostSource.Purchased, 0, first, 0, hash("cost")));
    ids.cert1 = await certificate(ids.b);
    ids.cert2 = await certificate(ids.b);
    ids.cert3 = await certificate(ids.b);
    const onCert = (certId: bigint, o: Record<string, unknown>) => ({ collateral: Collateral.Certificate, certId, debtor: m.licensee.address, ...o });
    P.c1 = await file(m.licensee, ids.b, pledgee1, onCert(ids.cert1, {
      externalRegisteredAt: now - 300, securedAmount: yuan(60_000), selfSaleAllowed: true, reservePrice: yuan(90_000), termEnd: now + 20 * DAY,
    }));
    P.c2 = await file(m.licensee, ids.b, pledgee2, onCert(ids.cert1, { externalRegisteredAt: now - 600, securedAmount: yuan(30_000) }));
    P.c3 = await file(m.licensee, ids.b, pledgee2, onCert(ids.cert3, { externalRegisteredAt: now - 5000, securedAmount: yuan(20_000), reservePrice: yuan(25_000), termEnd: now + 200 * DAY }));
    P.c4 = await file(m.licensee, ids.b, pledgee1, onCert(ids.cert3, { externalRegisteredAt: now - 100, securedAmount: yuan(10_000), termEnd: now + 200 * DAY }));
    for (const [id, who] of [[P.c1, pledgee1], [P.c2, pledgee2], [P.c3, pledgee2], [P.c4, pledgee1]] as const) await mined(m.pledges.connect(who).accept(id));
    ids.certSaleOrder = await sell(m.licensee, ids.b, yuan(10_000), ids.cert2);

    // Revenue routing: C's licence pays B a 10% royalty (4,950.00), then B's own licence (net 49,500.00).
    ids.orderC = await sell(m.other, ids.c, yuan(50_000));
    ids.orderB = await sell(m.holder, ids.b, yuan(50_000));

    // The disclosure period: this month and the next two, all ended, the pledges live throughout.
    periodFrom = `${y}-${String(mo).padStart(2, "0")}-01`;
    const endMonth = new Date(Date.UTC(y, mo - 1 + 3, 0));
    periodTo = endMonth.toISOString().slice(0, 10);
    await time.increaseTo(cstDate(endMonth.getUTCFullYear(), endMonth.getUTCMonth() + 1, endMonth.getUTCDate()) + DAY + 3600);

    /** Pledgee 1 declares `pledgeId` in default, lists it at `price` with `costs`, `buyer` orders, it is delivered and accepted. */
    const enforceAndSell = async (pledgeId: bigint, price: bigint, costs: bigint, buyer: HardhatEthersSigner) => {
      await mined(m.pledges.connect(pledgee1).declareDefault(pledgeId));
      await mined(m.pledges.connect(pledgee1).enforce(pledgeId, { venueId: SZ.id, price, deliveryWindow: 7 * DAY, acceptanceWindow: 3 * DAY, costs, costsEvidenceHash: hash("costs") }));
      const listingId = await m.dex.listingCount();
      await mined(m.dex.connect(buyer).order(listingId, price));
      const orderId = await m.dex.orderCount();
      await mined(m.pledges.connect(pledgee1).deliverEnforcementSale(pledgeId, orderId, hash("delivery")));
      await mined(m.dex.connect(buyer).accept(orderId));
      return { listingId, orderId };
    };
    // Default and enforcement of P1 (self-sale allowed) with costs: 10,000.00 costs, then P2 (rank 1), P1, the holder.
    const p1Sale = await enforceAndSell(P.p1, yuan(1_000_000), yuan(10_000), m.buyer);
    [ids.enforcementListing, ids.enforcementOrder] = [p1Sale.listingId, p1Sale.orderId];
    // Enforcement of C1 (self-sale, at no less than its reserve price): the certificate is sold for 100,000.00.
    const c1Sale = await enforceAndSell(P.c1, yuan(100_000), yuan(1_000), m.buyer2);
    [ids.certEnforcementListing, ids.certEnforcementOrder] = [c1Sale.listingId, c1Sale.orderId];
    // Withdrawals keep credits honest.
    await mined(m.dex.connect(pledgee2).withdraw(token, pledgee2.address));

    chain = await serveChain();
    tmp = tempDir();
    record = await recordOf(m);
    indexer = new Indexer(indexerOptions(chain.url, record, `${tmp.dir}/index.sqlite`));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0 });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  /**
   * Every pledge row against pledgeOf, rankOf, outstandingOf; every asset's encumbrance against assetOf, every
   * certificate's against encumbranceOf and its holder against ownerOf; every credit against creditOf.
   */
  async function agreesWithChain() {
    const count = Number(await m.pledges.pledgeCount());
    const all = rows("SELECT * FROM pledges ORDER BY id");
    expect(all).to.have.length(count);
    const ranks = new Map(
      rows(
        `SELECT id, ROW_NUMBER() OVER (PARTITION BY asset_id, cert_id ORDER BY external_registered_at, id) AS r FROM pledges WHERE status IN ('Live', 'Defaulted')`,
      ).map((r) => [r.id, r.r]),
    );
    for (const r of all) {
      const p = await m.pledges.pledgeOf(r.id);
      const t = p.terms;
      expect(r, `pledge ${r.id}`).to.deep.include({
        asset_id: Number(t.assetId),
        pledgor: p.pledgor,
        registrar_id: Number(p.registrarId),
        collateral: COLLATERAL[Number(t.collateral)],
        cert_id: t.certId === 0n ? null : Number(t.certId),
        reserve_price: t.reservePrice.toString(),
        debtor: t.debtor,
        pledgee: t.pledgee,
        token: t.token,
        secured_amount: t.securedAmount.toString(),
        scope: Number(t.scope),
        maximum_amount: t.maximumAmount ? 1 : 0,
        term_end: Number(t.termEnd),
        main_contract_hash: t.mainContractHash,
        licensing_allowed: t.licensingAllowed ? 1 : 0,
        self_sale_allowed: t.selfSaleAllowed ? 1 : 0,
        external_registry: t.externalRegistry,
        external_number: t.externalNumber,
        external_registered_at: Number(t.externalRegisteredAt),
        status: STATUS[Number(p.status)],
        consents: Number(p.consents),
        objected: p.objected ? 1 : 0,
        sale_authorised: p.saleAuthorised ? 1 : 0,
        filed_at: Number(p.filedAt),
        accepted_at: p.acceptedAt === 0n ? null : Number(p.acceptedAt),
        defaulted_at: p.defaultedAt === 0n ? null : Number(p.defaultedAt),
        ended_at: p.endedAt === 0n ? null : Number(p.endedAt),
        received: p.received.toString(),
        listing_id: p.listingId === 0n ? null : Number(p.listingId),
        enforcement_costs: p.enforcementCosts.toString(),
      });
      expect(ranks.get(r.id) ?? 0, `rank of ${r.id}`).to.equal(Number(await m.pledges.rankOf(r.id)));
      expect((BigInt(r.secured_amount) - BigInt(r.received)).toString()).to.equal((await m.pledges.outstandingOf(r.id)).toString());
    }
    for (const a of rows("SELECT id, encumbrance FROM assets")) {
      expect(a.encumbrance, `encumbrance of ${a.id}`).to.equal(Number((await m.registry.assetOf(a.id)).encumbrance));
    }
    for (const c of rows("SELECT id, holder, encumbrance FROM certificates")) {
      expect(c.encumbrance, `encumbrance of certificate ${c.id}`).to.equal(Number(await m.rights.encumbranceOf(c.id)));
      expect(c.holder, `holder of certificate ${c.id}`).to.equal(await m.rights.ownerOf(c.id));
    }
    const credits = rows("SELECT * FROM credits");
    expect(credits.length).to.be.greaterThan(3);
    for (const c of credits) expect(c.balance, c.account).to.equal((await m.dex.creditOf(c.account, c.token)).toString());
  }

  it("every pledge agrees with pledgeOf, rankOf and outstandingOf; encumbrance with assetOf; every credit with creditOf", async () => {
    await agreesWithChain();
    const status = Object.fromEntries(rows("SELECT id, status FROM pledges").map((r) => [r.id, r.status]));
    expect([P.p1, P.p2, P.withdrawn, P.voided, P.released, P.revenue, P.c1, P.c2, P.c3, P.c4].map((id) => status[Number(id)])).to.deep.equal([
      "Enforced", "Enforced", "Withdrawn", "Voided", "Released", "Live", "Enforced", "Enforced", "Live", "Live",
    ]);
  });

  it("routing: the royalty and the seller's net of a revenue-pledged asset, and the enforcement sale's waterfall", () => {
    const routes = rows("SELECT order_id, asset_id, amount, as_seller, enforcement, costs, to_holder, holder FROM proceeds_routes ORDER BY block_number");
    expect(routes).to.deep.equal([
      { order_id: Number(ids.orderC), asset_id: Number(ids.b), amount: "495000", as_seller: 0, enforcement: 0, costs: "0", to_holder: "0", holder: m.holder.address },
      { order_id: Number(ids.orderB), asset_id: Number(ids.b), amount: "4950000", as_seller: 1, enforcement: 0, costs: "0", to_holder: "0", holder: m.holder.address },
      // 1,000,000.00 less 1% fee = 990,000.00: costs 10,000.00, P2 300,000.00, P1 500,000.00, the holder 180,000.00.
      { order_id: Number(ids.enforcementOrder), asset_id: Number(ids.a), amount: "99000000", as_seller: 1, enforcement: 1, costs: "1000000", to_holder: "18000000", holder: m.holder.address },
      // Certificate 1 sold for 100,000.00, net 99,000.00: costs 1,000.00, C2 30,000.00, C1 60,000.00, the licensee
      // 8,000.00. Its holder's own sale of certificate 2 routes nothing: B's revenue pledge does not follow it.
      { order_id: Number(ids.certEnforcementOrder), asset_id: Number(ids.b), amount: "9900000", as_seller: 1, enforcement: 1, costs: "100000", to_holder: "800000", holder: m.licensee.address },
    ]);
    expect(rows("SELECT pledge_id, order_id, amount FROM pledge_proceeds ORDER BY block_number, log_index")).to.deep.equal([
      { pledge_id: Number(P.revenue), order_id: Number(ids.orderC), amount: "495000" },
      { pledge_id: Number(P.revenue), order_id: Number(ids.orderB), amount: "4950000" },
      { pledge_id: Number(P.p2), order_id: Number(ids.enforcementOrder), amount: "30000000" },
      { pledge_id: Number(P.p1), order_id: Number(ids.enforcementOrder), amount: "50000000" },
      { pledge_id: Number(P.c2), order_id: Number(ids.certEnforcementOrder), amount: "3000000" },
      { pledge_id: Number(P.c1), order_id: Number(ids.certEnforcementOrder), amount: "6000000" },
    ]);
    expect(rows("SELECT holder FROM assets WHERE id = ?", Number(ids.a))[0].holder).to.equal(m.buyer.address);
  });

  it("certificate pledges: their certificate and reserve price; the certificates' encumbrance, apart from the asset's", () => {
    const pledged = rows("SELECT id, asset_id, collateral, cert_id, reserve_price, pledgor FROM pledges WHERE cert_id IS NOT NULL ORDER BY id");
    expect(pledged).to.deep.equal([
      { id: Number(P.c1), asset_id: Number(ids.b), collateral: "Certificate", cert_id: Number(ids.cert1), reserve_price: "9000000", pledgor: m.licensee.address },
      { id: Number(P.c2), asset_id: Number(ids.b), collateral: "Certificate", cert_id: Number(ids.cert1), reserve_price: "0", pledgor: m.licensee.address },
      { id: Number(P.c3), asset_id: Number(ids.b), collateral: "Certificate", cert_id: Number(ids.cert3), reserve_price: "2500000", pledgor: m.licensee.address },
      { id: Number(P.c4), asset_id: Number(ids.b), collateral: "Certificate", cert_id: Number(ids.cert3), reserve_price: "0", pledgor: m.licensee.address },
    ]);
    expect(rows("SELECT cert_id, reserve_price FROM pledges WHERE id = ?", Number(P.revenue))).to.deep.equal([{ cert_id: null, reserve_price: "0" }]);
    // Transfer | Licensing while pledged, Enforcing added while the sale was listed, cleared when it settled.
    const changes = rows(
      `SELECT json_extract(args, '$.certId') AS cert, json_extract(args, '$.encumbrance') AS flags, asset_id FROM events
       WHERE name = 'CertificateEncumbranceChanged' ORDER BY block_number, log_index`,
    );
    expect(changes).to.deep.equal([
      { cert: String(ids.cert1), flags: 5, asset_id: Number(ids.b) },
      { cert: String(ids.cert3), flags: 5, asset_id: Number(ids.b) },
      { cert: String(ids.cert1), flags: 21, asset_id: Number(ids.b) },
      { cert: String(ids.cert1), flags: 0, asset_id: Number(ids.b) },
    ]);
    expect(rows("SELECT id, encumbrance FROM certificates WHERE id IN (?, ?, ?) ORDER BY id", Number(ids.cert1), Number(ids.cert2), Number(ids.cert3))).to.deep.equal([
      { id: Number(ids.cert1), encumbrance: 0 },
      { id: Number(ids.cert2), encumbrance: 0 },
      { id: Number(ids.cert3), encumbrance: 5 },
    ]);
    expect(rows("SELECT encumbrance FROM assets WHERE id = ?", Number(ids.b))).to.deep.equal([{ encumbrance: 8 }]); // the revenue pledge's only
  });

  it("a certificate sold (by its pledgee's enforcement, or by its holder) moves the certificate, never the asset's holder", () => {
    expect(rows("SELECT holder FROM assets WHERE id = ?", Number(ids.b))[0].holder).to.equal(m.holder.address);
    expect(rows("SELECT id, holder FROM certificates WHERE id IN (?, ?) ORDER BY id", Number(ids.cert1), Number(ids.cert2))).to.deep.equal([
      { id: Number(ids.cert1), holder: m.buyer2.address },
      { id: Number(ids.cert2), holder: m.buyer.address },
    ]);
    const sold = rows(
      "SELECT order_id, offer, cert_id, seller, seller_net FROM settlements WHERE order_id IN (?, ?) ORDER BY order_id",
      Number(ids.certSaleOrder),
      Number(ids.certEnforcementOrder),
    );
    expect(sold).to.deep.equal([
      { order_id: Number(ids.certSaleOrder), offer: "HoldingTransfer", cert_id: Number(ids.cert2), seller: m.licensee.address, seller_net: "990000" },
      { order_id: Number(ids.certEnforcementOrder), offer: "HoldingTransfer", cert_id: Number(ids.cert1), seller: record.contracts.PledgeRegistry.address, seller_net: "9900000" },
    ]);
    // No holding moved in those settlements; the rights contract's Transfer moved each certificate.
    for (const orderId of [ids.certSaleOrder, ids.certEnforcementOrder]) {
      const tx = rows("SELECT tx_hash FROM settlements WHERE order_id = ?", Number(orderId))[0].tx_hash;
      const names = rows("SELECT contract, name FROM events WHERE tx_hash = ? ORDER BY log_index", tx).map((e) => `${e.contract}.${e.name}`);
      expect(names).to.include("RightsCertificate.Transfer");
      expect(names.filter((n) => n.startsWith("DataAssetRegistry."))).to.deep.equal([]);
    }
    expect(rows("SELECT balance FROM credits WHERE account = ?", m.licensee.address)).to.deep.equal([{ balance: "1790000" }]); // 9,900.00 + 8,000.00
  });

  it("API: pledges of an asset with rank, amounts, terms, default and enforcement; encumbrance and its summary", async () => {
    const d = await data(`{
      pledges(pledgee: "${pledgee2.address}") { totalCount nodes { id status rank live securedAmount { raw value } received { value } outstanding { value } externalRegistry restricts consents { licensing transfer } } }
      asset(id: "${ids.b}") { encumbrance { flags revenue transfer names livePledges summary } pledges { id rank } }
      a: asset(id: "${ids.a}") { encumbrance { flags names summary } pledges { id status enforcement { listingId costs { value } orderId } default { byArbiter } } }
      verifyContent(assetId: "${ids.b}", contentHash: "${ethers.ZeroHash.slice(0, -1)}1") { encumbrance { flags } }
    }`);
    const termEnd = Number((await m.pledges.pledgeOf(P.revenue)).terms.termEnd);
    const until = new Date((termEnd + 8 * 3600) * 1000).toISOString().slice(0, 10);
    const byId = Object.fromEntries(d.pledges.nodes.map((n: Row) => [n.id, n]));
    expect(byId[String(P.revenue)]).to.deep.equal({
      id: String(P.revenue), status: "LIVE", rank: 1, live: true, securedAmount: { raw: "8000000", value: "80000.00" },
      received: { value: "54450.00" }, outstanding: { value: "25550.00" }, externalRegistry: "PBOC-ZDW", restricts: ["Revenue"],
      consents: { licensing: false, transfer: true },
    });
    expect(byId[String(P.p2)]).to.deep.include({ status: "ENFORCED", rank: null, received: { value: "300000.00" }, outstanding: { value: "0.00" } });
    expect(d.asset.encumbrance).to.deep.equal({
      flags: 8, revenue: true, transfer: false, names: ["Revenue"], livePledges: 1,
      summary: `revenue pledged to ${pledgee2.address.slice(0, 6)}…${pledgee2.address.slice(-4)}, rank 1, 80,000.00 eCNY until ${until}`,
    });
    // The revenue pledge ranks 1 on B's holding and revenue; C3 and C4 (registered before and after it) 1 and 2 on
    // their certificate; then the ended ones by id.
    expect(d.asset.pledges).to.deep.equal([
      { id: String(P.revenue), rank: 1 }, { id: String(P.c3), rank: 1 }, { id: String(P.c4), rank: 2 }, { id: String(P.c1), rank: null }, { id: String(P.c2), rank: null },
    ]);
    expect(d.a.encumbrance).to.deep.equal({ flags: 0, names: [], summary: null });
    const p1 = d.a.pledges.find((p: Row) => p.id === String(P.p1));
    expect(p1).to.deep.equal({ id: String(P.p1), status: "ENFORCED", enforcement: { listingId: String(ids.enforcementListing), costs: { value: "10000.00" }, orderId: String(ids.enforcementOrder) }, default: { byArbiter: false } });
    expect(d.verifyContent.encumbrance).to.deep.equal({ flags: 8 });
  });

  it("API: loan-to-value against the latest appraisal (12,000,000 fen) and the pledgor's inventory book (10,000,000 fen)", async () => {
    const d = await data(`{ pledge(id: "${P.revenue}") { loanToValue { outstanding { raw } ahead { raw } appraisal cumulativeAppraisal appraisalValue { raw } book bookCarryingAmount { raw } } } }`);
    // 2,555,000 / 12,000,000 = 0.21291…; 2,555,000 / 10,000,000 = 0.2555. Rank 1: nothing ahead, cumulative the same.
    expect(d.pledge.loanToValue).to.deep.equal({
      outstanding: { raw: "2555000" }, ahead: { raw: "0" }, appraisal: "0.2129", cumulativeAppraisal: "0.2129", appraisalValue: { raw: "12000000" }, book: "0.2555", bookCarryingAmount: { raw: "10000000" },
    });
  });

  it("API: the disclosure's pledged data resources at the period end, with the period's amortisation", async () => {
    const d = await data(
      `query($e: String!, $f: String!, $t: String!) { disclosure(entity: $e, from: $f, to: $t) { pledgedDataResources {
        restricted { intangible { raw } inventory { raw } total { raw } intangibleAmortisation { raw } assetIds }
        security { intangible { raw } inventory { raw } total { raw } intangibleAmortisation { raw } assetIds } } } }`,
      { e: m.holder.address, f: periodFrom, t: periodTo },
    );
    // A: 36,000,000 less three months' 1,000,000 = 33,000,000 (P2 restricts its transfer); B: 10,000,000 (revenue only).
    expect(d.disclosure[0].pledgedDataResources).to.deep.equal({
      restricted: { intangible: { raw: "33000000" }, inventory: { raw: "0" }, total: { raw: "33000000" }, intangibleAmortisation: { raw: "3000000" }, assetIds: [String(ids.a)] },
      security: { intangible: { raw: "33000000" }, inventory: { raw: "10000000" }, total: { raw: "43000000" }, intangibleAmortisation: { raw: "3000000" }, assetIds: [String(ids.a), String(ids.b)] },
    });
  });

  it("API: a certificate pledge with its certificate, reserve price, rank and loan-to-value; a certificate's encumbrance and pledges", async () => {
    const d = await data(`{
      c3: pledge(id: "${P.c3}") {
        collateral certificateId reservePrice { value } rank restricts
        certificate { id holder encumbrance { flags transfer cancellation licensing revenue enforcing names livePledges summary } pledges { id } }
        loanToValue { outstanding { raw } appraisal appraisalValue { raw } appraisalId book bookCarryingAmount { raw } bookId }
      }
      revenue: pledge(id: "${P.revenue}") { collateral certificateId certificate { id } reservePrice { value } }
      c1: pledge(id: "${P.c1}") {
        status rank received { value } enforcement { costs { value } settlement { certificateId offer buyer } }
        certificate { holder encumbrance { flags livePledges summary } pledges { id status } }
      }
      c4: pledge(id: "${P.c4}") { rank loanToValue { outstanding { raw } ahead { raw } book cumulativeBook } }
      byCertificate: pledges(certificate: "${ids.cert1}") { totalCount nodes { id } }
      cert3: pledges(certificate: "${ids.cert3}", status: LIVE) { nodes { id rank } }
      asset(id: "${ids.b}") { certificates { id encumbrance { flags livePledges } } }
    }`);
    const termEnd = Number((await m.pledges.pledgeOf(P.c3)).terms.termEnd); // C4's too
    const until = new Date((termEnd + 8 * 3600) * 1000).toISOString().slice(0, 10);
    const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
    expect(d.c3).to.deep.equal({
      collateral: "Certificate", certificateId: String(ids.cert3), reservePrice: { value: "25000.00" }, rank: 1, restricts: ["Transfer", "Licensing"],
      certificate: {
        id: String(ids.cert3), holder: m.licensee.address,
        encumbrance: {
          flags: 5, transfer: true, cancellation: false, licensing: true, revenue: false, enforcing: false, names: ["Transfer", "Licensing"], livePledges: 2,
          summary:
            `pledged to ${short(pledgee2.address)}, rank 1, 20,000.00 eCNY until ${until}; ` +
            `pledged to ${short(pledgee1.address)}, rank 2, 10,000.00 eCNY until ${until}`,
        },
        pledges: [{ id: String(P.c3) }, { id: String(P.c4) }],
      },
      // B has an appraisal (12,000,000 fen), but it values the asset, not the licence: no appraisal ratio.
      // 2,000,000 / the licensee's inventory book of B, 5,000,000 = 0.4.
      loanToValue: { outstanding: { raw: "2000000" }, appraisal: null, appraisalValue: null, appraisalId: null, book: "0.4000", bookCarryingAmount: { raw: "5000000" }, bookId: String(ids.licenseeBook) },
    });
    // C4 ranks behind C3 (20,000.00 outstanding): its 10,000.00 is 0.2 of the 50,000.00 book alone, 0.6 with C3's.
    expect(d.c4).to.deep.equal({ rank: 2, loanToValue: { outstanding: { raw: "1000000" }, ahead: { raw: "2000000" }, book: "0.2000", cumulativeBook: "0.6000" } });
    expect(d.revenue).to.deep.equal({ collateral: "Revenue", certificateId: null, certificate: null, reservePrice: null });
    expect(d.c1).to.deep.equal({
      status: "ENFORCED", rank: null, received: { value: "60000.00" },
      enforcement: { costs: { value: "1000.00" }, settlement: { certificateId: String(ids.cert1), offer: "HoldingTransfer", buyer: m.buyer2.address } },
      certificate: { holder: m.buyer2.address, encumbrance: { flags: 0, livePledges: 0, summary: null }, pledges: [{ id: String(P.c1), status: "ENFORCED" }, { id: String(P.c2), status: "ENFORCED" }] },
    });
    expect(d.byCertificate).to.deep.equal({ totalCount: 2, nodes: [{ id: String(P.c1) }, { id: String(P.c2) }] });
    expect(d.cert3.nodes).to.deep.equal([{ id: String(P.c3), rank: 1 }, { id: String(P.c4), rank: 2 }]);
    const certs = Object.fromEntries(d.asset.certificates.map((c: Row) => [c.id, c.encumbrance]));
    expect(certs[String(ids.cert3)]).to.deep.equal({ flags: 5, livePledges: 2 });
    for (const id of Object.keys(certs).filter((id) => id !== String(ids.cert3))) expect(certs[id], `certificate ${id}`).to.deep.equal({ flags: 0, livePledges: 0 });
  });

  it("API: the disclosure counts a pledgor's book of an asset whose certificate it pledged as security, and restricted", async () => {
    const d = await data(
      `query($e: String!, $f: String!, $t: String!) { disclosure(entity: $e, from: $f, to: $t) { pledgedDataResources {
        restricted { inventory { raw } total { raw } assetIds bookIds } security { inventory { raw } total { raw } assetIds bookIds } } } }`,
      { e: m.licensee.address, f: periodFrom, t: periodTo },
    );
    const b = { inventory: { raw: "5000000" }, total: { raw: "5000000" }, assetIds: [String(ids.b)], bookIds: [String(ids.licenseeBook)] };
    expect(d.disclosure[0].pledgedDataResources).to.deep.equal({ restricted: b, security: b });
  });

  it("API: provenance names pledge events with their arguments; bad input is refused", async () => {
    const d = await data(`{ provenance(assetId: "${ids.b}") { nodes { name category arguments { name value label } } } }`);
    const filed = d.provenance.nodes.find((n: Row) => n.name === "PledgeFiled");
    expect(filed.category).to.equal("Pledge");
    expect(filed.arguments.map((a: Row) => a.name)).to.include.members(["pledgeId", "assetId", "pledgor", "terms"]);
    const consented = d.provenance.nodes.find((n: Row) => n.name === "PledgeConsented");
    expect(consented.arguments.find((a: Row) => a.name === "consent").label).to.equal("Transfer");
    const changed = d.provenance.nodes.find((n: Row) => n.name === "CertificateEncumbranceChanged");
    expect(changed.category).to.equal("Pledge");
    expect(changed.arguments.map((a: Row) => [a.name, a.value])).to.deep.equal([["certId", String(ids.cert1)], ["assetId", String(ids.b)], ["encumbrance", "5"]]);
    for (const bad of [`pledgor: "0x123"`, `certificate: "abc"`, `certificate: "0"`, `certificate: "-1"`]) {
      const r = await graphql(api.url, `{ pledges(${bad}) { totalCount } }`);
      expect(r.errors?.[0].extensions?.code, bad).to.equal("BAD_USER_INPUT");
    }
  });

  it("a reorg across pledge events leaves the index equal to a fresh one", async () => {
    const snap = await hre.network.provider.send("evm_snapshot", []);
    await mined(m.pledges.connect(pledgee2).consent(P.revenue, Consent.Licensing));
    await mined(m.pledges.connect(pledgee2).consent(P.c3, Consent.Licensing));
    await mined(m.pledges.connect(pledgee1).consent(P.c4, Consent.Licensing)); // certificate 3: Transfer only
    await sell(m.holder, ids.b, yuan(10_000));
    await indexer.syncToHead();
    const cert3 = () => rows("SELECT encumbrance FROM certificates WHERE id = ?", Number(ids.cert3))[0].encumbrance;
    expect(cert3()).to.equal(1);
    expect(await hre.network.provider.send("evm_revert", [snap])).to.equal(true);
    await mined(m.pledges.connect(pledgee2).change(P.revenue, yuan(70_000), (await m.pledges.pledgeOf(P.revenue)).terms.termEnd, true));
    for (let i = 0; i < 8; i++) await hre.network.provider.send("evm_mine", []);
    await indexer.syncToHead();
    expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(chain.url, record, `${tmp.dir}/fresh.sqlite`));
    expect(cert3()).to.equal(5);
    await agreesWithChain();
  });
});
