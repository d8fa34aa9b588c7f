// What the web app needs from the API server: provenance arguments named and typed by the ABI (not JSON text), the
// search filters (registration number, content hash of any version), and the built web app served at / beside
// /graphql, the exports and /ready, with its client routes falling back to index.html and nothing outside its folder.
import { expect } from "chai";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { eventArguments } from "../../api/eventArguments";
import { listingTerms, market, mined, yuan, type Market } from "../helpers/exchange";
import { indexerOptions, serveChain, tempDir, type RpcServer, recordOf } from "../helpers/indexer";
import { graphql, graphqlData } from "../helpers/api";
import { hash, registerActive, submit } from "../helpers/registry";

describe("API: what the web app reads", function () {
  let m: Market;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  let web: ApiServer;
  const ids: Record<string, bigint> = {};
  const content = { v1: hash("web-a-v1"), v2: hash("web-a-v2") };

  before(async () => {
    m = await market();
    ids.a = (await registerActive(m, m.holder, { name: "Harbour crane telemetry", contentHash: content.v1 })).assetId;
    await mined(m.registry.connect(m.holder).addVersion(ids.a, content.v2, hash("web-meta-v2")));
    ids.d = (await registerActive(m, m.licensee, { name: "Port throughput index", parentIds: [ids.a], parentSharesBps: [2500] })).assetId;
    ids.n = (await submit(m, m.other, { name: "Ferry passenger counts" })).assetId; // in notice
    const terms = await listingTerms(m, ids.d, { price: yuan(1_234) + 56n });
    await mined(m.dex.connect(m.licensee).list(terms));
    await mined(m.dex.connect(m.buyer).order(1, terms.price));
    await mined(m.dex.connect(m.licensee).deliver(1, hash("web-delivery")));
    await mined(m.dex.connect(m.buyer).accept(1));

    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(m), `${tmp.dir}/index.sqlite`));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0, webRoot: null });
    const root = join(tmp.dir, "web");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>web</title>");
    writeFileSync(join(root, "assets", "main-abc.js"), "console.log(1)");
    writeFileSync(join(tmp.dir, "secret.txt"), "outside the web folder");
    web = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0, webRoot: root });
  });

  after(async () => {
    await web?.close();
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  it("names and types every provenance argument: struct fields, arrays, enums with their names, exact integers", async () => {
    const { provenance } = await graphqlData(
      api.url,
      `{ provenance(assetId: ${ids.d}) { nodes { name args arguments { name type value label indexed
         components { name type value label components { name type value } } } } } }`,
    );
    const submitted = provenance.nodes.find((e: any) => e.name === "RegistrationSubmitted");
    const byName = Object.fromEntries(submitted.arguments.map((a: any) => [a.name, a]));
    expect(byName.assetId).to.deep.include({ type: "uint256", value: String(ids.d), indexed: true, components: [] });
    const sub = Object.fromEntries(byName.submission.components.map((a: any) => [a.name, a]));
    expect(byName.submission).to.deep.include({ type: "tuple", value: null });
    expect(sub.name.value).to.equal("Port throughput index");
    expect(sub.kind).to.deep.include({ type: "enum AssetKind", value: "1", label: "Product" });
    expect(sub.sizeBytes).to.deep.include({ type: "uint64", value: "8000000000" }); // wider than 48 bits, exact
    expect(sub.parentIds.type).to.equal("uint256[]");
    expect(sub.parentIds.components).to.deep.equal([{ name: "[0]", type: "uint256", value: String(ids.a) }]);
    expect(sub.parentSharesBps.components.map((c: any) => c.value)).to.deep.equal(["2500"]);
    // Every event's arguments are its JSON keys, in the ABI's order, none missing.
    for (const e of provenance.nodes) {
      expect(e.arguments.map((a: any) => a.name)).to.have.members(Object.keys(JSON.parse(e.args)), e.name);
    }
    const settled = provenance.nodes.find((e: any) => e.name === "Settled");
    const settlement = settled.arguments.find((a: any) => a.name === "settlement");
    const gross = settlement.components.find((c: any) => c.name === "gross");
    expect(gross).to.deep.include({ value: String(yuan(1_234) + 56n) });
  });

  it("gives an event the ABI does not know its JSON keys, typed unknown", () => {
    const args = eventArguments("DataAssetRegistry", "Unknown", JSON.stringify({ topics: ["0x01"], data: "0x" }));
    expect(args.map((a) => [a.name, a.type, a.value])).to.deep.equal([
      ["topics", "unknown", '["0x01"]'],
      ["data", "unknown", "0x"],
    ]);
  });

  it("finds assets by registration number (any case) and by the content hash of any version", async () => {
    const number = await m.registry.registrationNumber(ids.a);
    const q = `query ($w: AssetFilter) { assets(where: $w) { totalCount nodes { id } } }`;
    const byNumber = await graphqlData(api.url, q, { w: { registrationNumber: number.toLowerCase() } });
    expect(byNumber.assets).to.deep.equal({ totalCount: 1, nodes: [{ id: String(ids.a) }] });
    for (const h of [content.v1, content.v2.toUpperCase().replace("0X", "0x")]) {
      const byHash = await graphqlData(api.url, q, { w: { contentHash: h } });
      expect(byHash.assets.nodes).to.deep.equal([{ id: String(ids.a) }]);
    }
    const none = await graphqlData(api.url, q, { w: { registrationNumber: "SZDE-1999-000001" } });
    expect(none.assets.totalCount).to.equal(0);
    const bad = await graphql(api.url, q, { w: { contentHash: "0x1234" } });
    expect(bad.errors?.[0].message).to.match(/contentHash/);
  });

  it("serves the web app at / with client routes, beside /graphql, /ready and the exports; nothing outside it", async () => {
    const get = (path: string) => fetch(`${web.url}${path}`);
    for (const path of ["/", "/asset/7", "/search?q=SZDE"]) {
      const r = await get(path);
      expect(r.status, path).to.equal(200);
      expect(r.headers.get("content-type")).to.match(/^text\/html/);
      expect(r.headers.get("content-security-policy")).to.match(/default-src 'self'/);
      expect(await r.text()).to.contain("<title>web</title>");
    }
    const js = await get("/assets/main-abc.js");
    expect(js.headers.get("content-type")).to.match(/^text\/javascript/);
    expect(js.headers.get("cache-control")).to.contain("immutable");
    expect((await get("/assets/missing.js")).status).to.equal(404);
    expect((await get("/missing.png")).status).to.equal(404);
    expect((await get("/..%2fsecret.txt")).status).to.equal(404);
    expect((await get("/ready")).status).to.equal(200);
    expect((await get("/metrics")).status).to.equal(200);
    const { _meta } = await graphqlData(web.url, "{ _meta { caughtUp } }");
    expect(_meta.caughtUp).to.equal(true);
    expect((await get("/csv/balance-sheet?entity=0x00&asOf=2026-01-01")).status).to.equal(400); // its own errors
    // Without a build, / says how to build one.
    const none = await fetch(`${api.url}/`);
    expect(none.status).to.equal(404);
    expect((await none.json()).error).to.contain("npm run web:build");
  });
});
