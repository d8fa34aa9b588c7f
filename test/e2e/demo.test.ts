// The demo seed (scripts/demo.ts) on the in-process Hardhat network: deploys, seeds, and checks on chain, through
// the contracts' views and events, that the demo holds what it promises. The network is restored afterwards.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { buildSchema, parse, validate } from "graphql";
import { deployContracts, type Deployed } from "../../scripts/deploy";
import { seedDemo, type DemoSummary } from "../../scripts/demo";
import { ASSETS, EXCHANGES, LISTINGS, PARTIES, PLEDGES, PLEDGE_STORY, TRADES } from "../../scripts/demoData";
import { SettlementToken__factory, type SettlementToken } from "../../typechain-types";
import { typeDefs } from "../../api/server";
import { contentHashesOf } from "../helpers/content";

enum Status { None, InNotice, Rejected, Active, Cancelled }
enum SourceType { SelfCollected, Purchased, PublicAuthorised }
enum RightKind { ProcessingUse, ProductOperation }
enum OrderStatus { None, Paid, Delivered, Disputed, Settled, Refunded }
enum RefundReason { NotDelivered, Arbitration, RightsLapsed }
enum Category { Intangible, Inventory, Development }
enum CostSource { Purchased, SelfDeveloped, Other }
enum DerecognitionReason { Sale, Lapse, Other }
const DAY = 24 * 3600;
const YUAN = 100n;
const ROYALTY_DENOMINATOR = 10n ** 16n;

describe("demo seed (e2e)", function () {
  let snapshot: string;
  let signers: HardhatEthersSigner[];
  let d: Deployed;
  let s: DemoSummary;
  let token: SettlementToken;
  const lines: string[] = [];
  const role = (key: (typeof PARTIES)[number]["key"]) => s.roles[key].address;

  before(async function () {
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    signers = await ethers.getSigners();
    d = await deployContracts(signers[0]);
    s = await seedDemo({ deployed: d, signers, log: (line) => lines.push(line) });
    token = SettlementToken__factory.connect(s.token.address, ethers.provider);
  });

  after(async () => {
    await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("spans a year of dozens of registrations and settled trades, logging each month", async () => {
    expect(s.period.months).to.equal(12);
    expect(lines.length).to.be.greaterThan(12);
    expect(s.counts.assets).to.equal(ASSETS.length).and.to.be.at.least(30);
    expect(Number(await d.registry.assetCount())).to.equal(s.counts.assets);
    const settled = await d.exchange.queryFilter(d.exchange.filters.Settled());
    expect(settled.length).to.equal(s.counts.settledTrades).and.to.be.at.least(40);
    // Settlements are spread over the months of the year, not bunched in one block.
    const months = new Set(settled.map((e) => new Date((Number(e.args.settlement.settledAt) + 8 * 3600) * 1000).toISOString().slice(0, 7)));
    expect(months.size).to.equal(12);
    // The catalogue's trades and the enforcement sale of a pledged asset.
    expect(s.counts.enforcementSales).to.equal(PLEDGE_STORY.filter((e) => e.kind === "enforce").length).and.to.equal(1);
    expect(Number(await d.exchange.orderCount())).to.equal(TRADES.length + s.counts.enforcementSales);
    // No escrow left open: every order ended settled or refunded.
    for (let id = 1; id <= TRADES.length + s.counts.enforcementSales; id++) {
      expect([OrderStatus.Settled, OrderStatus.Refunded]).to.include(Number((await d.exchange.orderOf(id)).status));
    }
    expect(s.counts.events).to.be.greaterThan(500);
    const latest = await ethers.provider.getBlock("latest");
    expect(latest!.timestamp).to.be.greaterThan(s.period.endTime);
  });

  it("has two exchanges with their own notice periods and fees, and a 2-decimal eCNY allowed on the exchange", async () => {
    expect(s.exchanges).to.have.length(2);
    for (const x of s.exchanges) {
      const spec = EXCHANGES.find((e) => e.code === x.code)!;
      const r = await d.registry.registrar(x.id);
      expect(r.noticePeriod).to.equal(spec.noticeDays * DAY);
      expect((await d.exchange.venueOf(x.id)).feeBps).to.equal(spec.feeBps);
      expect(await d.registry.hasRole(await d.registry.registrarRole(x.id), x.treasury)).to.equal(true);
    }
    expect(await token.decimals()).to.equal(2n);
    expect(await token.symbol()).to.equal("eCNY");
    expect(await d.exchange.isTokenAllowed(s.token.address)).to.equal(true);
  });

  it("gives every role its own account", () => {
    const addresses = Object.values(s.roles).map((r) => r.address);
    expect(new Set(addresses).size).to.equal(PARTIES.length);
  });

  it("public data: the authority registers it, grants its operator sublicensable rights, and the operator sublicenses", async () => {
    const a1 = s.keyAssets.publicData;
    const asset = await d.registry.assetOf(a1);
    expect(asset.sourceType).to.equal(SourceType.PublicAuthorised);
    expect(await d.registry.holderOf(a1)).to.equal(role("authority"));
    const certs = await Promise.all(
      Array.from({ length: Number(await d.rights.certificateCount()) }, async (_, i) => ({ id: BigInt(i + 1), r: await d.rights.rightOf(i + 1) })),
    );
    const granted = certs.filter((c) => c.r.assetId === BigInt(a1) && c.r.parentId === 0n);
    expect(granted.map((c) => Number(c.r.kind))).to.have.members([RightKind.ProcessingUse, RightKind.ProductOperation]);
    for (const c of granted) {
      expect(c.r.grantor).to.equal(role("authority"));
      expect(c.r.sublicensable).to.equal(true);
      expect(await d.rights.ownerOf(c.id)).to.equal(role("operator"));
    }
    const operatorRight = granted.find((c) => Number(c.r.kind) === RightKind.ProductOperation)!;
    const sublicences = certs.filter((c) => c.r.parentId === operatorRight.id);
    expect(sublicences.length).to.be.at.least(5);
    // The operator's sublicences: granted by it directly, or sold by it on the exchange (paid licences, whose
    // grantor is in their RightGranted event).
    for (const c of sublicences) {
      const grantor = c.r.issuedByExchange ? (await d.rights.queryFilter(d.rights.filters.RightGranted(c.id)))[0].args.grantor : c.r.grantor;
      expect(grantor).to.equal(role("operator"));
    }
    // The medical-insurance sandbox sublicence: granted ahead of its term, valid during it, revoked later.
    const sandbox = certs.find((c) => c.r.assetId === BigInt(s.keyAssets.sandboxPublicData) && Number(c.r.depth) === 1)!;
    expect(await d.rights.ownerOf(sandbox.id)).to.equal(role("insurer"));
    expect(sandbox.r.revokedAt).to.be.greaterThan(0n);
    expect(await d.rights.isValid(sandbox.id, sandbox.r.validFrom + 1n)).to.equal(true);
    expect(await d.rights.isValid(sandbox.id, sandbox.r.revokedAt)).to.equal(false);
  });

  it("the inspection-data product: compliance assessed in notice, registered, versioned, listed and traded", async () => {
    const id = s.keyAssets.inspectionProduct;
    const asset = await d.registry.assetOf(id);
    expect(asset.status).to.equal(Status.Active);
    expect(await d.registry.registrationNumber(id)).to.match(/^SZDE-\d{4}-\d{6}$/);
    const compliance = await d.ledger.queryFilter(d.ledger.filters.ComplianceAttested(undefined, id));
    expect(compliance).to.have.length(1);
    expect(compliance[0].args.passed).to.equal(true);
    expect(compliance[0].args.attestedAt).to.be.lessThan(asset.approvedAt);
    expect(asset.versionCount).to.equal(11);
    const [v1] = await contentHashesOf(d.registry, id);
    expect((await d.registry.findContent(v1)).assetId).to.equal(BigInt(id));
    const listed = await d.exchange.queryFilter(d.exchange.filters.Listed(undefined, id));
    expect(listed.length).to.be.at.least(1);
    const trades = (await d.exchange.queryFilter(d.exchange.filters.Settled())).filter((e) => e.args.settlement.assetId === BigInt(id));
    expect(trades.length).to.be.at.least(5);
  });

  it("an objection upheld stops a registration; a dismissed one lets it through; a registrar refuses one at review", async () => {
    const upheld = await d.registry.assetOf(s.keyAssets.objectionUpheld);
    expect(upheld.status).to.equal(Status.Rejected);
    const dismissed = await d.registry.assetOf(s.keyAssets.objectionDismissed);
    expect(dismissed.status).to.equal(Status.Active);
    const resolved = await d.registry.queryFilter(d.registry.filters.ObjectionResolved());
    expect(resolved.map((e) => [Number(e.args.assetId), e.args.upheld])).to.have.deep.members([
      [s.keyAssets.objectionUpheld, true],
      [s.keyAssets.objectionDismissed, false],
    ]);
    expect((await d.registry.assetOf(s.keyAssets.rejectedAtReview)).status).to.equal(Status.Rejected);
    expect((await d.registry.assetOf(s.keyAssets.cancelled)).status).to.equal(Status.Cancelled);
    expect(s.counts.rejectedAssets).to.equal(2);
  });

  it("derived products pay royalties to their sources' holders, exactly as the flattened tables say", async () => {
    const table = await d.registry.royaltiesOf(s.keyAssets.derivedProduct);
    expect(table.length).to.equal(5); // P1, I2, S3 directly, and P1's own sources A1 and A6
    expect(table.some((e) => e.depth === 2n)).to.equal(true);
    const grand = await d.registry.royaltiesOf(s.keyAssets.derivedTwice);
    expect(grand.some((e) => e.depth === 3n)).to.equal(true);
    const settled = (await d.exchange.queryFilter(d.exchange.filters.Settled())).map((e) => e.args.settlement);
    const received = new Map<string, bigint>();
    let royaltyLines = 0;
    for (const st of settled) {
      const net = st.gross - st.exchangeFee - st.merchantCommission;
      const lines = await d.registry.royaltiesOf(st.assetId);
      expect(st.royalties.length).to.equal(lines.length);
      let paid = 0n;
      for (const [i, r] of st.royalties.entries()) {
        expect(r.assetId).to.equal(lines[i].assetId);
        expect(r.amount).to.equal((net * lines[i].share) / ROYALTY_DENOMINATOR);
        // No source changed hands after its children traded, so the current holder is who was paid.
        expect(r.payee).to.equal(await d.registry.holderOf(r.assetId));
        received.set(r.payee, (received.get(r.payee) ?? 0n) + r.amount);
        paid += r.amount;
        royaltyLines++;
      }
      expect(st.exchangeFee + st.merchantCommission + paid + st.sellerNet).to.equal(st.gross);
    }
    expect(royaltyLines).to.be.at.least(30);
    for (const k of ["authority", "operator", "inspection", "dataService"] as const) expect(received.get(role(k)) ?? 0n).to.be.greaterThan(0n);
  });

  it("keeps books in the expected categories: intangible pool, development made intangible, inventory written down and sold", async () => {
    const book = async (key: string) => d.ledger.bookOf(s.books[key].id);
    const pool = await book("C1");
    expect(pool.entity).to.equal(role("construction"));
    expect(pool.category).to.equal(Category.Intangible);
    expect(pool.usefulLifeMonths).to.equal(60);
    expect(pool.cost).to.equal(3_240_000n * YUAN);
    const developed = await book("C3");
    expect(developed.category).to.equal(Category.Intangible);
    expect(developed.readyOn).to.be.greaterThan(developed.recognisedOn);
    expect(developed.cost).to.equal(1_600_000n * YUAN); // research (260,000) expensed, not capitalised
    const research = await d.ledger.queryFilter(d.ledger.filters.CostRecorded(s.books.C3.id));
    expect(research.filter((e) => e.args.phase === 1n)).to.have.length(1);
    expect(await d.ledger.queryFilter(d.ledger.filters.ReadyForUse(s.books.C3.id))).to.have.length(1);
    const sold = await book("S1");
    expect(sold.category).to.equal(Category.Inventory);
    expect(sold.impairment).to.equal(626_000n * YUAN);
    expect(sold.derecognisedOn).to.be.greaterThan(0n);
    const sale = await d.ledger.queryFilter(d.ledger.filters.Derecognised(s.books.S1.id));
    expect(sale[0].args.reason).to.equal(DerecognitionReason.Sale);
    const reversed = await book("S2");
    expect(reversed.impairment).to.equal(200_000n * YUAN);
    expect(await d.ledger.queryFilter(d.ledger.filters.WriteDownReversed(s.books.S2.id))).to.have.length(1);
    const lapsed = await d.ledger.queryFilter(d.ledger.filters.Derecognised(s.books.S5.id));
    expect(lapsed[0].args.reason).to.equal(DerecognitionReason.Lapse);
    expect((await book("P1")).source).to.equal(CostSource.Other);
    expect((await book("S4")).source).to.equal(CostSource.Purchased);
    // The buyer of the corpus books it as a purchased intangible, its cost linked to the settled order, and records
    // it ready for use a month later (amortised from then), still purchased.
    const bought = await book("aiS1");
    expect([bought.entity, bought.category, bought.source]).to.deep.equal([role("aiLab"), BigInt(Category.Intangible), BigInt(CostSource.Purchased)]);
    expect(bought.readyOn).to.be.greaterThan(bought.recognisedOn);
    expect(bought.usefulLifeMonths).to.equal(36n);
    const opened = await d.ledger.queryFilter(d.ledger.filters.BookOpened(s.books.aiS1.id));
    expect(opened[0].args.readyOn).to.equal(0n); // recognised awaiting use
    expect(await d.ledger.queryFilter(d.ledger.filters.ReadyForUse(s.books.aiS1.id))).to.have.length(1);
    const costs = await d.ledger.queryFilter(d.ledger.filters.CostRecorded(s.books.aiS1.id));
    const orderId = costs.find((e) => e.args.orderId !== 0n)!.args.orderId;
    expect((await d.exchange.orderOf(orderId)).status).to.equal(OrderStatus.Settled);
    expect(await d.registry.holderOf(s.keyAssets.inventorySold)).to.equal(role("aiLab"));
    // Entries recorded by the authorised accountant and by an entity itself.
    const recorders = new Set((await d.ledger.queryFilter(d.ledger.filters.CostRecorded())).map((e) => e.args.recordedBy));
    expect(recorders).to.include(role("accountant")).and.to.include(role("construction"));
  });

  it("attests quality in six dimensions and appraisals by each method (cost, market, income), one superseded", async () => {
    const appraisals = await d.ledger.queryFilter(d.ledger.filters.AppraisalAttested());
    expect(new Set(appraisals.map((e) => Number(e.args.method)))).to.deep.equal(new Set([0, 1, 2]));
    for (const e of appraisals) {
      expect(e.args.author).to.equal(role("appraiser"));
      expect(e.args.currency).to.equal(s.token.address);
      expect(e.args.valuationDate).to.be.lessThan(e.args.attestedAt);
    }
    expect(appraisals.some((e) => e.args.supersedes !== 0n)).to.equal(true);
    const quality = await d.ledger.queryFilter(d.ledger.filters.QualityAttested());
    expect(quality.length).to.be.at.least(10);
    for (const e of quality) expect(e.args.scores).to.have.length(6);
    const compliance = await d.ledger.queryFilter(d.ledger.filters.ComplianceAttested());
    expect(compliance.length).to.equal(ASSETS.length);
    expect(compliance.filter((e) => !e.args.passed).map((e) => Number(e.args.assetId))).to.deep.equal([s.keyAssets.objectionUpheld]);
  });

  it("resolves a dispute with a partial refund, refunds a missed delivery, and lets parties withdraw their credits", async () => {
    const resolved = await d.exchange.queryFilter(d.exchange.filters.DisputeResolved());
    expect(resolved).to.have.length(1);
    expect(resolved[0].args.refunded).to.be.greaterThan(0n);
    expect(resolved[0].args.settled).to.be.greaterThan(0n);
    expect(resolved[0].args.arbiter).to.equal(role("arbiter"));
    const refunds = await d.exchange.queryFilter(d.exchange.filters.Refunded());
    expect(refunds.map((e) => Number(e.args.reason))).to.have.members([RefundReason.Arbitration, RefundReason.NotDelivered]);
    const withdrawn = await d.exchange.queryFilter(d.exchange.filters.Withdrawn());
    expect(withdrawn.length).to.be.at.least(10);
    expect(new Set(withdrawn.map((e) => e.args.account))).to.include(role("szde")).and.to.include(role("authority"));
  });

  it("moves holding rights: resources and the inventory corpus sold outright on the exchange, port data by a registrar-approved transfer", async () => {
    const moved = await d.registry.queryFilter(d.registry.filters.HoldingTransferred());
    const sales = LISTINGS.filter((l) => l.offer === "HoldingTransfer").length;
    // Sold outright by their holders, and one sold by its pledgee in an enforcement sale.
    expect(moved.filter((e) => e.args.orderId !== 0n)).to.have.length(sales + s.counts.enforcementSales).and.to.have.length.at.least(3);
    expect(moved.some((e) => e.args.orderId !== 0n && Number(e.args.assetId) === s.keyAssets.inventorySold)).to.equal(true);
    expect(moved.filter((e) => e.args.orderId === 0n).map((e) => e.args.to)).to.deep.equal([role("operator")]);
  });

  it("finances data assets with pledges: a revenue pledge repaid from a licence sale ahead of a second rank, one released, one enforced by a sale above its reserve price paying costs, the bank, then the pledgor, and a reseller's certificate pledged apart from its asset", async () => {
    const P = s.pledges;
    const bank = role("bank");
    expect(s.counts.pledges).to.equal(PLEDGES.length).and.to.equal(Number(await d.pledges.pledgeCount()));
    expect([s.counts.livePledges, s.counts.releasedPledges, s.counts.enforcedPledges]).to.deep.equal([3, 1, 1]);
    // Each pledge on chain as the catalogue says, and registered with 中登网 before it was filed.
    for (const spec of PLEDGES) {
      const p = await d.pledges.pledgeOf(P[spec.key].id);
      expect([p.pledgor, p.terms.pledgee, p.terms.assetId]).to.deep.equal([role(spec.pledgor), role(spec.pledgee), BigInt(s.assets[spec.asset].id)]);
      expect(p.terms.securedAmount).to.equal(BigInt(spec.amount) * YUAN);
      expect(ethers.decodeBytes32String(p.terms.externalRegistry)).to.equal("PBOC-ZDW");
      expect(p.terms.externalNumber).to.equal(spec.registered.number);
      expect(p.terms.externalRegisteredAt).to.be.at.most(p.filedAt);
      expect(p.terms.reservePrice).to.equal(BigInt(spec.reservePrice ?? 0) * YUAN).and.to.equal(BigInt(P[spec.key].reservePrice));
      // Financing against an appraised asset: its appraisal came first (a certificate's reserve follows its price).
      if (spec.collateral === "Certificate") continue;
      const appraisals = await d.ledger.queryFilter(d.ledger.filters.AppraisalAttested(undefined, p.terms.assetId));
      expect(appraisals.some((e) => e.args.attestedAt < p.filedAt), spec.key).to.equal(true);
    }

    // Revenue: the bank ranks first (registered the day before the insurer), and takes the licence sale's whole net.
    const revenue = s.pledgedAssets.revenue;
    const [bankF1, insurerF1] = [P["bank:F1"], P["insurer:F1"]];
    expect(await d.pledges.livePledgesOf(revenue)).to.deep.equal([BigInt(bankF1.id), BigInt(insurerF1.id)]);
    expect([bankF1.rank, insurerF1.rank, bankF1.status, insurerF1.status]).to.deep.equal([1, 2, "Live", "Live"]);
    const sales = (await d.exchange.queryFilter(d.exchange.filters.Settled())).filter((e) => e.args.settlement.assetId === BigInt(revenue));
    expect(sales).to.have.length(1);
    const sale = sales[0];
    const net = sale.args.settlement.sellerNet;
    expect(sale.args.settlement.gross).to.equal(420_000n * YUAN);
    const applied = await d.pledges.queryFilter(d.pledges.filters.ProceedsApplied(undefined, revenue));
    expect(applied.map((e) => [e.args.pledgeId, e.args.pledgee, e.args.amount])).to.deep.equal([[BigInt(bankF1.id), bank, net]]);
    const [routed] = await d.pledges.queryFilter(d.pledges.filters.ProceedsRouted(revenue));
    expect([routed.args.amount, routed.args.toHolder, routed.args.holder, routed.args.asSeller]).to.deep.equal([net, 0n, role("logistics"), true]);
    expect(BigInt(bankF1.received)).to.equal(net);
    expect(await d.pledges.outstandingOf(bankF1.id)).to.equal(3_000_000n * YUAN - net).and.to.equal(BigInt(bankF1.outstanding));
    expect(await d.pledges.outstandingOf(insurerF1.id)).to.equal(600_000n * YUAN);
    // Credited on the exchange in the settlement's block: the bank by the net, the holder by nothing.
    const credit = async (k: "bank" | "logistics" | "smartCity", block: number) => d.exchange.creditOf(role(k), s.token.address, { blockTag: block });
    expect((await credit("bank", sale.blockNumber)) - (await credit("bank", sale.blockNumber - 1))).to.equal(net);
    expect((await credit("logistics", sale.blockNumber)) - (await credit("logistics", sale.blockNumber - 1))).to.equal(0n);
    // A revenue pledge leaves licensing free, but ties the holding.
    expect((await d.registry.assetOf(revenue)).encumbrance).to.equal(1n | 2n | 8n);

    // Released: nothing of it restricts the asset any more.
    const released = P["bank:F2"];
    expect([released.status, released.rank]).to.deep.equal(["Released", 0]);
    expect((await d.registry.assetOf(s.pledgedAssets.released)).encumbrance).to.equal(0n);
    expect(await d.pledges.livePledgesOf(s.pledgedAssets.released)).to.deep.equal([]);

    // Enforced: declared in default by the bank after the term, the sale ordered by the arbiter, sold on the exchange.
    const enforced = P["bank:F3"];
    const f3 = s.pledgedAssets.enforced;
    expect(enforced.status).to.equal("Enforced");
    const [defaulted] = await d.pledges.queryFilter(d.pledges.filters.PledgeDefaulted(enforced.id));
    expect([defaulted.args.by, defaulted.args.byArbiter]).to.deep.equal([bank, false]);
    const [authorised] = await d.pledges.queryFilter(d.pledges.filters.SaleAuthorised(enforced.id));
    expect([authorised.args.by, authorised.args.byArbiter]).to.deep.equal([role("arbiter"), true]);
    const [listed] = await d.pledges.queryFilter(d.pledges.filters.EnforcementListed(enforced.id));
    expect([listed.args.price, listed.args.costs, listed.args.holder]).to.deep.equal([1_960_000n * YUAN, 58_800n * YUAN, role("smartCity")]);
    expect(listed.args.price).to.be.at.least(BigInt(enforced.reservePrice)).and.to.be.greaterThan(0n);
    const [settledSale] = (await d.exchange.queryFilter(d.exchange.filters.Settled())).filter((e) => e.args.settlement.listingId === listed.args.listingId);
    const proceeds = settledSale.args.settlement.sellerNet;
    const [split] = await d.pledges.queryFilter(d.pledges.filters.ProceedsRouted(f3));
    expect([split.args.enforcement, split.args.costs, split.args.costsTo]).to.deep.equal([true, 58_800n * YUAN, bank]);
    expect(split.args.toHolder).to.equal(proceeds - 58_800n * YUAN - 1_500_000n * YUAN);
    expect(BigInt(enforced.received)).to.equal(1_500_000n * YUAN);
    expect(await d.pledges.outstandingOf(enforced.id)).to.equal(0n);
    expect(await d.registry.holderOf(f3)).to.equal(role("operator"));
    expect((await d.registry.assetOf(f3)).encumbrance).to.equal(0n);
    const block = settledSale.blockNumber;
    expect((await credit("bank", block)) - (await credit("bank", block - 1))).to.equal(58_800n * YUAN + 1_500_000n * YUAN);
    expect((await credit("smartCity", block)) - (await credit("smartCity", block - 1))).to.equal(split.args.toHolder);

    // A certificate pledge: the reseller's transferable product-operation right of the housing index, bought on the
    // exchange, pledged to the bank; it ranks and restricts apart from the asset, whose holder is untouched.
    const certPledge = P["bank:T-P2op"];
    const { certId, assetId: p2 } = s.pledgedCertificate;
    expect([certPledge.collateral, certPledge.certId, certPledge.status, certPledge.rank, certPledge.assetId]).to.deep.equal(["Certificate", certId, "Live", 1, p2]);
    expect(p2).to.equal(s.assets.P2.id);
    const right = await d.rights.rightOf(certId);
    expect([right.assetId, Number(right.kind), right.transferable, right.issuedByExchange]).to.deep.equal([BigInt(p2), RightKind.ProductOperation, true, true]);
    expect(await d.rights.ownerOf(certId)).to.equal(role("proptech"));
    const stored = await d.pledges.pledgeOf(certPledge.id);
    expect([stored.pledgor, stored.terms.collateral, stored.terms.certId, stored.terms.selfSaleAllowed, stored.terms.licensingAllowed]).to.deep.equal([
      role("proptech"), 2n, BigInt(certId), true, true,
    ]);
    expect(BigInt(certPledge.reservePrice)).to.equal(120_000n * YUAN);
    expect(await d.pledges.livePledgesOfCertificate(certId)).to.deep.equal([BigInt(certPledge.id)]);
    expect(await d.pledges.livePledgesOf(p2)).to.deep.equal([]);
    expect(await d.rights.encumbranceOf(certId)).to.equal(1n); // its transfer; sublicensing is allowed
    expect((await d.registry.assetOf(p2)).encumbrance).to.equal(0n);
    const [certEnc] = await d.pledges.queryFilter(d.pledges.filters.CertificateEncumbranceChanged(certId));
    expect([certEnc.args.assetId, certEnc.args.encumbrance]).to.deep.equal([BigInt(p2), 1n]);

    // A public institution may not pledge (财资〔2024〕1号).
    expect(await d.pledges.isPublicInstitution(role("authority"))).to.equal(true);
  });

  it("owes exactly its token balance: unwithdrawn credits == liabilities == exchange balance", async () => {
    let credits = 0n;
    for (const a of signers) credits += await d.exchange.creditOf(a.address, s.token.address);
    const liabilities = await d.exchange.liabilitiesOf(s.token.address);
    expect(credits).to.be.greaterThan(0n);
    expect(credits).to.equal(liabilities);
    expect(await token.balanceOf(await d.exchange.getAddress())).to.equal(liabilities);
  });

  it("offers example queries that are valid against the API schema", () => {
    const schema = buildSchema(typeDefs);
    expect(Object.keys(s.queries).length).to.be.at.least(5);
    for (const [name, q] of Object.entries(s.queries)) {
      expect(validate(schema, parse(q)).map((e) => e.message), name).to.deep.equal([]);
    }
  });

  it("leaves the chain automining after the seed", async () => {
    expect(await network.provider.request({ method: "hardhat_getAutomine" })).to.equal(true);
    const tx = await token.connect(signers[15]).transfer(signers[16].address, 1n);
    const receipt = await tx.wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    expect(block!.timestamp).to.be.greaterThan(s.period.endTime);
  });
});
