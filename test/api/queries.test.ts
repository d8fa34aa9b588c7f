// The GraphQL API against a real chain, a real index and a running server: registrations, lineage, provenance,
// content verification, rights valid at a time, trades and credits, paging, limits and bad input.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { listingTerms, market, mined, yuan, type Market } from "../helpers/exchange";
import { indexerOptions, serveChain, tempDir, type RpcServer, recordOf } from "../helpers/indexer";
import { graphql, graphqlData } from "../helpers/api";
import { DAY, YEAR, grantTerms, hash, registerActive, submit, SZ } from "../helpers/registry";
import { currentContentHash } from "../helpers/content";
import { iso } from "../../api/inputs";
import { LIST_FIELDS } from "../../api/resolvers/assetColumns";


describe("API: queries", function () {
  let m: Market;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  const ids: Record<string, bigint> = {};
  let oldContent: string;
  let newContent: string;
  let rootCert: bigint;
  let childCert: bigint;
  let grantTime: number;
  let revokeTime: number;
  let queries = 0;
  let wrongChecksum: string;

  const gql = (query: string, variables: Record<string, unknown> = {}) => graphql(api.url, query, variables);
  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);
  const userError = async (query: string, message: RegExp) => {
    const a = await gql(query);
    expect(a.errors, "an error is expected").to.be.an("array").that.is.not.empty;
    expect(a.errors![0].message).to.match(message);
    return a.errors![0];
  };

  before(async () => {
    m = await market();
    // Two sources and a product derived from them (30% and 20% of its net revenue).
    oldContent = hash("source-a-v1");
    ids.a = (await registerActive(m, m.holder, { name: "Port logistics records", contentHash: oldContent })).assetId;
    ids.b = (await registerActive(m, m.other, { name: "Customs declarations" })).assetId;
    newContent = hash("source-a-v2");
    await mined(m.registry.connect(m.holder).addVersion(ids.a, newContent, hash("meta-v2")));
    ids.d = (
      await registerActive(m, m.licensee, { name: "Trade credit index", parentIds: [ids.a, ids.b], parentSharesBps: [3000, 2000] })
    ).assetId;
    // An objection upheld during notice stops a registration.
    ids.x = (await submit(m, m.holder, { name: "Disputed fleet telemetry" })).assetId;
    await mined(m.registry.connect(m.objector).object(ids.x, hash("objection")));
    await mined(m.registry.connect(m.szRegistrar).resolveObjection(1, true, hash("ruling")));
    // A sublicensable right and a sublicence under it; the sublicence is revoked later.
    grantTime = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(grantTime);
    await mined(
      m.rights.connect(m.licensee).grant(grantTerms(ids.d, { kind: 1, validUntil: grantTime + YEAR, sublicensable: true }), m.buyer2.address),
    );
    rootCert = await m.rights.certificateCount();
    await mined(m.rights.connect(m.buyer2).grant(grantTerms(ids.d, { parentId: rootCert, validUntil: grantTime + 180 * DAY }), m.objector.address));
    childCert = await m.rights.certificateCount();
    // A licence of the derived product sold through a data merchant: fee, commission, two royalties, seller net.
    const terms = await listingTerms(m, ids.d, { merchant: m.merchant.address, merchantBps: 200, price: yuan(12_345) + 67n });
    await mined(m.dex.connect(m.licensee).list(terms));
    await mined(m.dex.connect(m.buyer).order(1, terms.price));
    await mined(m.dex.connect(m.licensee).deliver(1, hash("delivery")));
    await mined(m.dex.connect(m.buyer).accept(1));
    await mined(m.dex.connect(m.holder).withdraw(terms.token, m.holder.address));
    await time.increase(30 * DAY);
    revokeTime = (await time.latest()) + 1;
    await time.setNextBlockTimestamp(revokeTime);
    await mined(m.rights.connect(m.buyer2).revoke(childCert, "licence terms breached"));
    // More assets for paging.
    for (let i = 0; i < 6; i++) await submit(m, m.other, { name: `Weather grid ${i}`, registrarId: 2 });

    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(m), `${tmp.dir}/index.sqlite`));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0, onQuery: () => queries++ });
    // The holder's address with the case of one checksummed letter flipped.
    const i = m.holder.address.slice(2).search(/[a-fA-F]/) + 2;
    const c = m.holder.address[i];
    wrongChecksum = m.holder.address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + m.holder.address.slice(i + 1);
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  describe("assets and lineage", () => {
    it("serves a registration with its registrar, number, holder, versions and validity", async () => {
      const { asset } = await data(`{ asset(id: ${ids.a}) { id name status validNow registrationNumber holder applicant
        registrar { id code noticePeriodSeconds active } contentHash
        versions { version contentHash previousContentHash current addedBy } } }`);
      expect(asset).to.deep.include({ id: String(ids.a), name: "Port logistics records", status: "ACTIVE", validNow: true });
      expect(asset.registrationNumber).to.equal(await m.registry.registrationNumber(ids.a));
      expect(asset.holder).to.equal(m.holder.address);
      expect(asset.registrar).to.deep.equal({ id: SZ.id, code: "SZDE", noticePeriodSeconds: SZ.notice, active: true });
      expect(asset.contentHash).to.equal(newContent);
      expect(asset.versions).to.deep.equal([
        { version: 1, contentHash: oldContent, previousContentHash: null, current: false, addedBy: m.holder.address },
        { version: 2, contentHash: newContent, previousContentHash: oldContent, current: true, addedBy: m.holder.address },
      ]);
    });

    it("serves lineage both ways and the flattened royalty table", async () => {
      const { asset } = await data(`{ asset(id: ${ids.d}) { parents { asset { id } shareBps } royalties { asset { id } share percent depth } } }`);
      expect(asset.parents).to.deep.equal([
        { asset: { id: String(ids.a) }, shareBps: 3000 },
        { asset: { id: String(ids.b) }, shareBps: 2000 },
      ]);
      const onChain = await m.registry.royaltiesOf(ids.d);
      expect(asset.royalties).to.deep.equal(
        onChain.map((r) => ({ asset: { id: String(r.assetId) }, share: String(r.share), percent: r.assetId === ids.a ? "30.000000" : "20.000000", depth: Number(r.depth) })),
      );
      const { asset: source } = await data(`{ asset(id: ${ids.a}) { children { asset { id name } shareBps } } }`);
      expect(source.children).to.deep.equal([{ asset: { id: String(ids.d), name: "Trade credit index" }, shareBps: 3000 }]);
    });

    it("shows an upheld objection and the rejection it caused", async () => {
      const { asset } = await data(`{ asset(id: ${ids.x}) { status validNow endReason registrationNumber holder
        objections { id objector open upheld resolver } } }`);
      expect(asset).to.deep.include({ status: "REJECTED", validNow: false, endReason: "objection upheld", registrationNumber: null, holder: null });
      expect(asset.objections).to.deep.equal([{ id: "1", objector: m.objector.address, open: false, upheld: true, resolver: m.szRegistrar.address }]);
    });

    it("gives a page's assets, read with a list's columns only, every such field as the asset alone (read whole) has it", async () => {
      const statuses = new Set<string>();
      for (const field of LIST_FIELDS) {
        const ask = field === "registrar" ? "registrar { id code }" : field;
        const listed = (await data(`{ assets(first: 100) { nodes { id ${ask} } } }`)).assets.nodes;
        expect(listed.length).to.be.greaterThan(3);
        for (const node of listed) {
          const alone = (await data(`query($id: ID!) { asset(id: $id) { id ${ask} } }`, { id: node.id })).asset;
          expect(node, `${field} of asset ${node.id}`).to.deep.equal(alone);
          if (field === "status") statuses.add(node.status);
        }
      }
      // Assets in every state the fields depend on (an asset ended, one rejected, one in its notice period, ...).
      expect([...statuses]).to.include.members(["ACTIVE", "REJECTED"]);
      // A field not in the list (or a fragment) reads the whole row: the same answers.
      const whole = (await data(`{ assets(first: 100) { nodes { id endReason metadataURI ...F } } } fragment F on Asset { name holder }`)).assets.nodes;
      for (const node of whole) expect(node).to.deep.equal((await data(`query($id: ID!) { asset(id: $id) { id endReason metadataURI name holder } }`, { id: node.id })).asset);
    });

    it("filters and pages assets with stable cursors, in both orders", async () => {
      const all = await data(`{ assets(first: 100) { totalCount nodes { id } } }`);
      const allIds = all.assets.nodes.map((n: { id: string }) => n.id);
      expect(all.assets.totalCount).to.equal(allIds.length).and.equal(Number(await m.registry.assetCount()));
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; ; pages++) {
        const { assets }: any = await data(`query($after: String) { assets(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
        seen.push(...assets.nodes.map((n: { id: string }) => n.id));
        if (!assets.pageInfo.hasNextPage) break;
        after = assets.pageInfo.endCursor;
        expect(pages).to.be.lessThan(10);
      }
      expect(seen).to.deep.equal(allIds);
      const desc = await data(`{ assets(first: 2, orderBy: ID_DESC) { nodes { id } } }`);
      expect(desc.assets.nodes.map((n: { id: string }) => n.id)).to.deep.equal([...allIds].reverse().slice(0, 2));

      const rejected = await data(`{ assets(where: { status: REJECTED }) { totalCount nodes { id } } }`);
      expect(rejected.assets.nodes).to.deep.equal([{ id: String(ids.x) }]);
      const weather = await data(`{ assets(where: { nameContains: "weather GRID", registrarId: 2, status: IN_NOTICE }) { totalCount } }`);
      expect(weather.assets.totalCount).to.equal(6);
      const held = await data(`{ assets(where: { holder: "${m.holder.address.toLowerCase()}" }) { nodes { id } } }`);
      expect(held.assets.nodes).to.deep.equal([{ id: String(ids.a) }]);
    });
  });

  it("batches nested lookups: a page of assets with their relations costs a fixed number of queries, not one per asset", async () => {
    const nested = `{ assets(first: 50) { nodes { id registrar { code } versions { version chain { blockHash } } submission { blockHash } parents { asset { name holder } }
      children { asset { id } } royalties { asset { id } } objections { id } certificates { id parent { id } } } } }`;
    const before = queries;
    const { assets } = await data(nested);
    const used = queries - before;
    expect(assets.nodes.length).to.be.greaterThan(8);
    // One query for the page and its count, one per relation (versions, parents, children, ...), one per level of
    // parent lookups: independent of the number of assets.
    expect(used).to.be.at.most(12);
  });

  describe("content verification", () => {
    it("matches the current version, a past version, another asset's content, or nothing", async () => {
      const q = (assetId: bigint, h: string) =>
        data(`{ verifyContent(assetId: ${assetId}, contentHash: "${h}") { matches current version { version addedAt chain { txHash blockNumber } } registeredToAssetId } }`);
      const current = (await q(ids.a, newContent.toUpperCase().replace("0X", "0x"))).verifyContent;
      expect(current).to.deep.include({ matches: true, current: true, registeredToAssetId: null });
      expect(current.version.version).to.equal(2);
      const tx = await ethers.provider.getTransaction(current.version.chain.txHash);
      expect(tx!.blockNumber).to.equal(current.version.chain.blockNumber);

      const past = (await q(ids.a, oldContent)).verifyContent;
      expect(past).to.deep.include({ matches: true, current: false });
      expect(past.version.version).to.equal(1);

      const dContent = await currentContentHash(m.registry, ids.d);
      expect((await q(ids.a, dContent)).verifyContent).to.deep.include({ matches: false, version: null, registeredToAssetId: String(ids.d) });
      expect((await q(ids.a, hash("never registered"))).verifyContent).to.deep.include({ matches: false, registeredToAssetId: null });
    });
  });

  describe("provenance", () => {
    it("lists every event of the asset in chain order, each checkable against the chain", async () => {
      const { provenance } = await data(`{ provenance(assetId: ${ids.d}) { totalCount nodes { contract name category args
        chain { txHash blockNumber blockHash logIndex time } } pageInfo { hasNextPage } } }`);
      const names = provenance.nodes.map((n: { name: string }) => n.name);
      expect(names).to.include.ordered.members(["RegistrationSubmitted", "Transfer", "RegistrationApproved"]);
      for (const n of ["RightGranted", "Listed", "Ordered", "Delivered", "Settled", "RightRevoked"]) expect(names).to.include(n);
      expect(provenance.totalCount).to.equal(provenance.nodes.length);
      const positions = provenance.nodes.map((n: any) => [n.chain.blockNumber, n.chain.logIndex]);
      expect(positions).to.deep.equal([...positions].sort((x: number[], y: number[]) => x[0] - y[0] || x[1] - y[1]));
      for (const node of provenance.nodes) {
        const receipt = await ethers.provider.getTransactionReceipt(node.chain.txHash);
        expect(receipt!.blockHash).to.equal(node.chain.blockHash);
        expect(receipt!.blockNumber).to.equal(node.chain.blockNumber);
        const log = receipt!.logs.find((l) => l.index === node.chain.logIndex)!;
        expect(log, `log ${node.chain.logIndex} of ${node.chain.txHash}`).to.not.equal(undefined);
        const block = await ethers.provider.getBlock(node.chain.blockNumber);
        expect(Date.parse(node.chain.time) / 1000).to.equal(block!.timestamp);
      }
      const settled = provenance.nodes.find((n: { name: string }) => n.name === "Settled");
      expect(settled.category).to.equal("Trade");
      expect(JSON.parse(settled.args).settlement.gross).to.equal(String(yuan(12_345) + 67n));
    });

    it("has every log of the asset that eth_getLogs returns, certificates' mint Transfers included", async () => {
      // Which asset each log concerns, from the logs alone: its assetId, or that of the certificate, order or listing
      // it names (a certificate's mint Transfer comes before the RightGranted that names its asset).
      const contracts = [m.registry, m.rights, m.dex, m.ledger];
      const byAddress = new Map(await Promise.all(contracts.map(async (c) => [(await c.getAddress()).toLowerCase(), c] as const)));
      const raw: { address: string; topics: string[]; data: string; transactionHash: string; logIndex: string }[] = await ethers.provider.send(
        "eth_getLogs",
        [{ fromBlock: "0x0", toBlock: "latest", address: [...byAddress.keys()] }],
      );
      const logs = raw.map((l) => {
        const contract = byAddress.get(l.address.toLowerCase())!;
        const parsed = contract.interface.parseLog(l)!;
        const arg = (name: string) => (parsed.fragment.inputs.some((i) => i.name === name) ? parsed.args[name] : undefined);
        return { contract, name: parsed.name, arg, at: [l.transactionHash.toLowerCase(), Number(l.logIndex)] as const };
      });
      const certAsset = new Map<bigint, bigint>();
      const orderAsset = new Map<bigint, bigint>();
      const listingAsset = new Map<bigint, bigint>();
      for (const l of logs) {
        if (l.name === "RightGranted") certAsset.set(l.arg("certId"), l.arg("assetId"));
        if (l.name === "Ordered") orderAsset.set(l.arg("orderId"), l.arg("assetId"));
        if (l.name === "Listed") listingAsset.set(l.arg("listingId"), l.arg("assetId"));
      }
      const assetOf = (l: (typeof logs)[number]): bigint | undefined => {
        if (l.arg("assetId") !== undefined) return l.arg("assetId");
        if (l.name === "Settled") return l.arg("settlement").assetId;
        if (l.arg("tokenId") !== undefined) return l.contract === m.registry ? l.arg("tokenId") : certAsset.get(l.arg("tokenId"));
        if (l.arg("orderId") !== undefined) return orderAsset.get(l.arg("orderId"));
        if (l.arg("listingId") !== undefined) return listingAsset.get(l.arg("listingId"));
        return undefined;
      };
      const expected = logs.filter((l) => assetOf(l) === ids.d).map((l) => [...l.at]);
      const mints = logs.filter((l) => l.contract === m.rights && l.name === "Transfer" && assetOf(l) === ids.d);
      expect(mints, "the holder's grant, the sublicence and the licence sold").to.have.length(3);

      const { provenance } = await data(`{ provenance(assetId: ${ids.d}, first: 100) { totalCount nodes { chain { txHash logIndex } } } }`);
      expect(provenance.totalCount).to.be.lessThan(100);
      expect(provenance.nodes.map((n: any) => [n.chain.txHash, n.chain.logIndex])).to.deep.equal(expected);
    });

    it("pages a long history", async () => {
      const first = await data(`{ provenance(assetId: ${ids.d}, first: 4) { nodes { name } pageInfo { hasNextPage endCursor } } }`);
      expect(first.provenance.nodes).to.have.length(4);
      expect(first.provenance.pageInfo.hasNextPage).to.equal(true);
      const rest = await data(`{ provenance(assetId: ${ids.d}, first: 100, after: "${first.provenance.pageInfo.endCursor}") { nodes { name } } }`);
      const whole = await data(`{ provenance(assetId: ${ids.d}) { nodes { name } } }`);
      expect([...first.provenance.nodes, ...rest.provenance.nodes]).to.deep.equal(whole.provenance.nodes);
    });
  });

  describe("rights", () => {
    it("answers which certificates were valid at a time, with their chain of grants", async () => {
      const at = async (t: number | string) =>
        (await data(`{ rights(assetId: ${ids.d}, validAt: "${t}") { nodes { id kind holder valid grantChain { id holder } } } }`)).rights.nodes;
      expect(await at(grantTime - 100)).to.deep.equal([]);
      const during = await at(grantTime + 10 * DAY);
      const licence = String(await m.rights.certificateCount()); // the buyer's, issued at settlement
      expect(during.map((c: { id: string }) => c.id)).to.deep.equal([String(rootCert), String(childCert), licence]);
      const child = during.find((c: { id: string }) => c.id === String(childCert));
      expect(child).to.deep.include({ kind: "ProcessingUse", holder: m.objector.address, valid: true });
      expect(child.grantChain).to.deep.equal([
        { id: String(childCert), holder: m.objector.address },
        { id: String(rootCert), holder: m.buyer2.address },
      ]);
      const afterRevoke = await at(new Date((revokeTime + 60) * 1000).toISOString().replace("Z", "+00:00"));
      expect(afterRevoke.map((c: { id: string }) => c.id)).to.deep.equal([String(rootCert), licence]);
      // Each answer agrees with the contract's own isValid at that time.
      for (const t of [grantTime + 10 * DAY, revokeTime + 60]) {
        for (const certId of [rootCert, childCert]) {
          const listed = (await at(t)).some((c: { id: string }) => c.id === String(certId));
          expect(listed, `cert ${certId} at ${t}`).to.equal(await m.rights.isValid(certId, t));
        }
      }
      const byHolder = await data(`{ rights(holder: "${m.buyer.address}") { nodes { id issuedBy kind } } }`);
      expect(byHolder.rights.nodes).to.deep.equal([{ id: String(await m.rights.certificateCount()), issuedBy: await m.dex.getAddress(), kind: "ProcessingUse" }]);
    });
  });

  describe("trades and credits", () => {
    it("splits a settlement exactly into fee, commission, royalties and seller net, with decimal strings", async () => {
      const { settlements } = await data(`{ settlements(where: { assetId: ${ids.d} }) { nodes {
        gross { raw value token { symbol decimals } } exchangeFee { raw } merchantCommission { raw value } royaltyTotal { raw } sellerNet { raw }
        lines { kind payee sourceAsset { id } amount { raw value } } order { id status buyer } chain { txHash } } } }`);
      expect(settlements.nodes).to.have.length(1);
      const s = settlements.nodes[0];
      const gross = yuan(12_345) + 67n; // 12,345.67
      expect(s.gross).to.deep.equal({ raw: gross.toString(), value: "12345.67", token: { symbol: "eCNY", decimals: 2 } });
      const fee = (gross * 100n) / 10_000n; // 1% SZ venue fee: 123.45 (floor)
      const commission = (gross * 200n) / 10_000n; // 2%: 246.91
      const net = gross - fee - commission;
      const royaltyA = (net * 3000n) / 10_000n;
      const royaltyB = (net * 2000n) / 10_000n;
      expect(s.exchangeFee.raw).to.equal(fee.toString());
      expect(s.merchantCommission).to.deep.equal({ raw: commission.toString(), value: "246.91" });
      const fen = (x: bigint) => ({ raw: x.toString(), value: `${x / 100n}.${(x % 100n).toString().padStart(2, "0")}` });
      expect(s.lines).to.deep.equal([
        { kind: "ExchangeFee", payee: m.szTreasury.address, sourceAsset: null, amount: fen(fee) },
        { kind: "MerchantCommission", payee: m.merchant.address, sourceAsset: null, amount: fen(commission) },
        { kind: "Royalty", payee: m.holder.address, sourceAsset: { id: String(ids.a) }, amount: fen(royaltyA) },
        { kind: "Royalty", payee: m.other.address, sourceAsset: { id: String(ids.b) }, amount: fen(royaltyB) },
        { kind: "SellerNet", payee: m.licensee.address, sourceAsset: null, amount: fen(net - royaltyA - royaltyB) },
      ]);
      expect(s.lines.reduce((sum: bigint, l: any) => sum + BigInt(l.amount.raw), 0n)).to.equal(gross);
      expect(s.order).to.deep.equal({ id: "1", status: "SETTLED", buyer: m.buyer.address });
    });

    it("serves orders and listings with filters", async () => {
      const { orders } = await data(`{ orders(where: { buyer: "${m.buyer.address}", status: SETTLED }) { nodes { id price { value } feeBps listing { id merchant merchantBps offer active sold } } } }`);
      expect(orders.nodes).to.deep.equal([{ id: "1", price: { value: "12345.67" }, feeBps: 100, listing: { id: "1", merchant: m.merchant.address, merchantBps: 200, offer: "ProcessingUse", active: true, sold: 1 } }]);
      expect((await data(`{ orders(where: { status: REFUNDED }) { nodes { id } } }`)).orders.nodes).to.deep.equal([]);
      expect((await data(`{ listings(where: { seller: "${m.licensee.address}", active: true }) { nodes { id } } }`)).listings.nodes).to.deep.equal([{ id: "1" }]);
    });

    it("reports each account's credits exactly as the exchange holds them", async () => {
      const token = await m.token.getAddress();
      for (const account of [m.holder, m.other, m.licensee, m.merchant, m.szTreasury]) {
        const { credits } = await data(`{ credits(account: "${account.address}") { token { address } balance { raw } credited { raw } withdrawn { raw } } }`);
        expect(credits).to.have.length(1);
        expect(credits[0].token.address).to.equal(token);
        expect(credits[0].balance.raw).to.equal(String(await m.dex.creditOf(account.address, token)));
        expect(BigInt(credits[0].credited.raw) - BigInt(credits[0].withdrawn.raw)).to.equal(BigInt(credits[0].balance.raw));
      }
      const holder = await data(`{ credits(account: "${m.holder.address}") { balance { raw } withdrawn { raw } } }`);
      expect(holder.credits[0].balance.raw).to.equal("0"); // withdrew everything
      expect(BigInt(holder.credits[0].withdrawn.raw)).to.be.greaterThan(0n);
      expect((await data(`{ credits(account: "${ethers.Wallet.createRandom().address}") { balance { raw } } }`)).credits).to.deep.equal([]);
    });
  });

  describe("meta, readiness and metrics", () => {
    it("reports the indexed block, its hash and the lag", async () => {
      const { _meta } = await data(`{ _meta { chainId latestBlock latestBlockHash chainHead lag caughtUp } }`);
      const head = await ethers.provider.getBlock("latest");
      expect(_meta).to.deep.equal({ chainId: 31337, latestBlock: head!.number, latestBlockHash: head!.hash, chainHead: head!.number, lag: 0, caughtUp: true });
      expect((await fetch(`${api.url}/health`)).status).to.equal(200);
      expect((await fetch(`${api.url}/ready`)).status).to.equal(200);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).to.match(/dal_graphql_operations_total\{field="_meta",outcome="ok"\} \d+/);
      expect(metrics).to.match(/dal_index_latest_block \d+/);
    });

    it("keeps metric labels bounded: unknown root fields share one label; the CSV routes have their own", async () => {
      for (const name of ["anyName", "otherName"]) await gql(`mutation { ${name} }`);
      await gql(`{ __schema { queryType { name } } }`);
      expect((await fetch(`${api.url}/csv/balance-sheet?entity=${m.holder.address}&asOf=2026-01-01`)).status).to.equal(200);
      expect((await fetch(`${api.url}/csv/disclosure?entity=nobody&from=2026-01-01&to=2026-01-31`)).status).to.equal(400);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).to.not.match(/anyName|otherName/);
      expect(metrics).to.match(/dal_graphql_operations_total\{field="unknown",outcome="error"\} [2-9]/);
      expect(metrics).to.match(/dal_graphql_operations_total\{field="introspection",outcome="ok"\} \d+/);
      expect(metrics).to.match(/dal_http_request_duration_seconds_count\{route="\/csv\/balance-sheet",status="200"\} 1/);
      expect(metrics).to.match(/dal_http_request_duration_seconds_count\{route="\/csv\/disclosure",status="400"\} 1/);
    });

    it("is not ready (503) while the index has not caught up", async () => {
      const lagging = new Indexer(indexerOptions(chain.url, await recordOf(m), `${tmp.dir}/lagging.sqlite`));
      await lagging.open(); // opened, nothing indexed yet
      const server = await startApi({ database: `${tmp.dir}/lagging.sqlite`, sync: () => lagging.status(), port: 0 });
      try {
        const res = await fetch(`${server.url}/ready`);
        expect(res.status).to.equal(503);
        expect(await res.json()).to.deep.include({ ready: false, latestBlock: null });
      } finally {
        await server.close();
        await lagging.stop();
      }
    });
  });

  describe("limits and bad input", () => {
    it("refuses malformed ids, addresses, hashes, dates and cursors, naming the argument", async () => {
      const cases: [string, RegExp][] = [
        [`{ asset(id: "abc") { id } }`, /^id: "abc" is not an id/],
        [`{ asset(id: "-1") { id } }`, /^id: "-1" is not an id/],
        [`{ verifyContent(assetId: 1, contentHash: "0x1234") { matches } }`, /^contentHash: "0x1234" is not a 32-byte hash/],
        [`{ verifyContent(assetId: 999999, contentHash: "${hash()}") { matches } }`, /^assetId: no asset 999999 in the registry/],
        [`{ provenance(assetId: 424242) { totalCount } }`, /^assetId: no asset 424242/],
        [`{ credits(account: "0xnot-an-address") { balance { raw } } }`, /^account: "0xnot-an-address" is not an address/],
        [`{ assets(where: { holder: "0x12" }) { totalCount } }`, /^where.holder: "0x12" is not an address/],
        [`{ rights(validAt: "2026-02-30") { nodes { id } } }`, /^validAt: impossible date 2026-02-30: 2026-02 has 28 days/],
        [`{ rights(validAt: "next tuesday") { nodes { id } } }`, /^validAt: "next tuesday" is not a time/],
        [`{ assets(after: "garbage") { totalCount } }`, /^after: "garbage" is not a cursor from this API/],
        [`{ assets(first: 101) { totalCount } }`, /^first: must be between 1 and 100, got 101/],
        [`{ assets(first: 0) { totalCount } }`, /^first: must be between 1 and 100, got 0/],
        // A page size whose cost is also over the cost limit is refused for the page size.
        [`{ assets(first: 100000) { totalCount } }`, /^first: must be between 1 and 100, got 100000$/],
        [`{ credits(account: "${wrongChecksum}") { balance { raw } } }`, /^account: "0x[0-9a-fA-F]{40}" has a wrong EIP-55 checksum/],
        [`{ asset(id: "9007199254740993") { id } }`, /^id: 9007199254740993 is over the largest id served, 9007199254740991 \(2\^53 - 1\)/],
        [`{ asset(id: "1.5") { id } }`, /^id: "1.5" is not an id/],
        [`{ assets(where: { kind: "dataset" }) { totalCount } }`, /^where.kind: "dataset" is not one of Resource, Product \(or resource, product\)/],
        [`{ listings(where: { offer: "lease" }) { nodes { id } } }`, /^where.offer: "lease" is not one of ProcessingUse, ProductOperation, HoldingTransfer \(or processing-use, product-operation, holding-transfer\)/],
        [`{ settlements(where: { from: "2026-02-01", to: "2026-01-31" }) { nodes { order { id } } } }`, /^where.to: 2026-01-31 is before where.from, 2026-02-01/],
      ];
      for (const [query, message] of cases) {
        const err = await userError(query, message);
        expect(err.extensions?.code, query).to.equal("BAD_USER_INPUT");
      }
      expect((await data(`{ asset(id: 999999) { id } }`)).asset).to.equal(null);
      expect((await data(`{ asset(id: "9007199254740991") { id } }`)).asset).to.equal(null); // the largest id served
      // The same address in lowercase, or with its checksum, is accepted.
      for (const account of [m.holder.address, m.holder.address.toLowerCase()]) {
        expect((await data(`{ credits(account: "${account}") { account } }`)).credits[0].account).to.equal(m.holder.address);
      }
    });

    it("filters kind and offer by the contracts' names or as dal spells them", async () => {
      const products = Number(await m.registry.assetCount()); // every asset here is submitted as a product
      const { a, b, c } = await data(`{ a: assets(where: { kind: "Product" }) { totalCount } b: assets(where: { kind: "product" }) { totalCount }
        c: assets(where: { kind: "resource" }) { totalCount } }`);
      expect([a.totalCount, b.totalCount, c.totalCount]).to.deep.equal([products, products, 0]);
      for (const offer of ["ProcessingUse", "processing-use", "PROCESSING_USE"]) {
        expect((await data(`{ listings(where: { offer: "${offer}" }) { nodes { id offer } } }`)).listings.nodes, offer).to.deep.equal([{ id: "1", offer: "ProcessingUse" }]);
      }
      expect((await data(`{ listings(where: { offer: "holding-transfer" }) { nodes { id } } }`)).listings.nodes).to.deep.equal([]);
    });

    it("notes a time after the latest indexed block: the index has not reached it", async () => {
      const q = `query($from: String, $to: String) { settlements(where: { from: $from, to: $to }) { nodes { order { id } } } }`;
      const latest = indexer.status();
      const past = await gql(q, { to: String(latest.latestBlockTime) });
      expect(past).to.deep.equal({ data: { settlements: { nodes: [{ order: { id: "1" } }] } } }); // no extensions
      const ahead = (await gql(q, { from: "2026-01-01", to: "2099-12-31" })) as any;
      expect(ahead.data.settlements.nodes).to.be.an("array");
      const notices = ahead.extensions.notices.filter((n: any) => n.argument === "where.to");
      expect(notices).to.deep.equal([
        {
          code: "INDEX_NOT_REACHED",
          argument: "where.to",
          message: `where.to: the index has not reached 2099-12-31 (its latest block is ${latest.latestBlock}, of ${iso(latest.latestBlockTime)}): the figures are those known so far and may still change`,
          latestBlock: latest.latestBlock,
          latestBlockTime: iso(latest.latestBlockTime),
        },
      ]);
    });

    it("refuses queries over a limit before running them, naming the limit and the value allowed", async () => {
      const limited = async (query: string, limit: string, allowed: number, message: RegExp) => {
        const err = await userError(query, message);
        expect(err.extensions, limit).to.deep.include({ code: "LIMIT_EXCEEDED", limit, allowed });
        expect(err.message).to.not.match(/Syntax Error/);
      };
      let nested = "id";
      for (let i = 0; i < 8; i++) nested = `parents { asset { ${nested} } }`;
      await limited(`{ asset(id: 1) { ${nested} } }`, "depth", 12, /^query depth 18 is over the limit of 12 /);
      const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: asset(id: 1) { id }`).join(" ");
      await limited(`{ ${aliases} }`, "aliases", 20, /^30 aliases are over the limit of 20 per query$/);
      const costly = `{ assets(first: 100) { nodes { parents { asset { parents { asset { versions { chain { txHash blockNumber blockHash logIndex time } } } } } } } } }`;
      await limited(costly, "cost", 20_000, /^query cost \d+ is over the limit of 20000 /);
      const directives = Array.from({ length: 21 }, () => `asset(id: 1) @include(if: true) { id }`).join(" ");
      await limited(`{ ${directives} }`, "directives", 20, /^21 directives are over the limit of 20 per query$/);
      await limited(`{ ${"asset(id: 1) { id } ".repeat(500)} }`, "tokens", 3_000, /^the query is over the limit of 3000 tokens/);
    });

    it("answers a body that is not JSON briefly, without echoing it", async () => {
      const res = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" + "x".repeat(1_000_000) });
      const text = await res.text();
      expect(res.status).to.equal(400);
      expect(text.length).to.be.lessThan(300);
      expect(JSON.parse(text).errors).to.deep.equal([{ message: "the request body is not valid JSON (error at character 1)", extensions: { code: "BAD_REQUEST" } }]);
    });

    it("masks internal errors and suggests no hidden fields", async () => {
      const a = await gql(`{ asset(id: 1) { nmae } }`);
      expect(a.errors![0].message).to.match(/Cannot query field "nmae"/);
      expect(a.errors![0].message).to.not.match(/Did you mean/);
    });
  });
});
