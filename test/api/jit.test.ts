// Compiled execution (api/jit.ts): a query asked again runs as a function graphql-jit compiled for it. What a client
// gets must not change: the same bytes as yoga's own executor for every query the web app and the benchmark ask
// (journal, its import table and pages, balance sheet, disclosure, trial balance, assets, provenance), the same refusal
// of a query over the limits, and the same errors: a user's bad input named, an internal error masked.
import { expect } from "chai";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { ethers } from "hardhat";
import { createSchema, createYoga } from "graphql-yoga";
import { Indexer } from "../../indexer/indexer";
import { MAX_REQUEST_BYTES, startApi, type ApiServer } from "../../api/server";
import { ARMOR } from "../../api/errors";
import { badInput } from "../../api/inputs";
import { compileAfterFromEnv, jitPlugin, type JitStats } from "../../api/jit";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphqlData } from "../helpers/api";
import { DAY, SZ, YEAR, hash, registerActive } from "../helpers/registry";
import { Category, CostPhase, CostSource, cstDate, ledgerWorld, type LedgerWorld } from "../helpers/ledger";

const AMT = "{ raw value }";

/** The queries compared, with their variables (filled in once the chain is built). */
function queries(entity: string, assetId: string, today: string): [string, string, Record<string, unknown>][] {
  const journal = `query J($entity: String!, $from: String!, $to: String!, $first: Int, $after: String) {
    journal(entity: $entity, from: $from, to: $to, first: $first, after: $after) {
      entity from to taxExclusive note chart { code name roles } pageInfo { hasNextPage endCursor }
      totals { currency { address symbol decimals } vouchers lines debit ${AMT} credit ${AMT} }
      vouchers { number date kind summary redInk reverses orderId currency { symbol decimals } debit ${AMT} credit ${AMT}
        lines { account { code name } role debit { raw value } credit { raw value } assetId registrationNumber assetName bookId
          evidence { txHash blockNumber logIndex } } } } }`;
  const period = { entity, from: "2025-01-01", to: today };
  return [
    ["journal, whole period", journal, period],
    ["journal, first page of 2", journal, { ...period, first: 2 }],
    ["journal as the import table", `query T($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to) {
      totals { vouchers lines } table { columns rows } } }`, period],
    ["balance sheet", `query B($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) {
      entity asOf currency { address symbol decimals } inventory ${AMT} intangible ${AMT} development ${AMT}
      rows { bookId asset { id name registrationNumber } category source cost ${AMT} accumulatedAmortisation ${AMT}
        impairment ${AMT} carryingAmount ${AMT} } } }`, { entity, asOf: today }],
    // The rows' asset with a fragment and a field with a resolver of its own: every column of the asset is read.
    ["balance sheet, the rows' asset through a fragment", `query BF($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) {
      rows { bookId asset { ...G versions { version current } } } } }
      fragment G on Asset { id name kind status holder registrationNumber }`, { entity, asOf: today }],
    ["disclosure", `query D($entity: String!, $from: String!, $to: String!) { disclosure(entity: $entity, from: $from, to: $to) {
      currency { symbol decimals } checksPass checks { name expected actual ok }
      intangible { title columns { purchased total } rows { key section label purchased ${AMT} selfDeveloped ${AMT} other ${AMT} total ${AMT} } }
      inventory { title rows { key total ${AMT} } } researchAndDevelopment { expensed ${AMT} capitalised ${AMT} total ${AMT} } } }`, period],
    ["trial balance", `query TB($entity: String!, $asOf: String!) { trialBalance(entity: $entity, asOf: $asOf) {
      asOf vouchers accounts { code name debit ${AMT} credit ${AMT} closingDebit ${AMT} closingCredit ${AMT} } checks { name ok } checksPass } }`,
      { entity, asOf: today }],
    ["assets with nested fields and fragments", `query A { assets(first: 5) { totalCount pageInfo { hasNextPage endCursor }
      nodes { ...F registrar { id code } versions { version contentHash current chain { txHash blockNumber } } parents { shareBps asset { id } } } } }
      fragment F on Asset { __typename id name kind status validNow registrationNumber holder submittedAt validUntil }`, {}],
    ["provenance", `query P($id: ID!) { provenance(assetId: $id, first: 20) { totalCount
      nodes { contract name category args chain { txHash blockNumber blockHash logIndex time } } pageInfo { hasNextPage endCursor } } }`, { id: assetId }],
    ["meta and an alias", `{ _meta { chainId latestBlock caughtUp } first: asset(id: ${assetId}) { id name } missing: asset(id: 999999) { id } }`, {}],
  ];
}

describe("API: compiled execution (graphql-jit)", function () {
  let l: LedgerWorld;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  /** Compiles every query at once (API_JIT_AFTER=0), and one that never compiles (yoga's executor only). */
  let compiled: ApiServer;
  let interpreted: ApiServer;
  let entity: string;
  let assetId: bigint;
  let book1: bigint;
  let today: string;
  /** Starts an API on the test index with API_JIT_AFTER=`after` (and `cacheBytes`, else the default). */
  let start: (after: string, cacheBytes?: number) => Promise<ApiServer>;

  /** The raw answer to a query (no response cache: every answer computed). */
  const ask = async (api: ApiServer, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-cache" },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: await res.text() };
  };
  /** The server's counts of executions by engine (its /metrics). */
  const executions = async (api: ApiServer) => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const count = (engine: string) => Number(new RegExp(`^dal_graphql_executions_total\\{engine="${engine}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
    return { compiled: count("compiled"), interpreted: count("interpreted"), retried: count("retried") };
  };

  before(async () => {
    l = await ledgerWorld();
    entity = l.entity.address;
    const s = l.signers;
    const buyer = s[10];
    await l.dex.setTokenAllowed(l.currencyAddress, true);
    await l.dex.setVenue(SZ.id, s[9].address, 100);
    await l.currency.mint(buyer.address, 1_000_000_000n);
    await l.currency.connect(buyer).approve(await l.dex.getAddress(), ethers.MaxUint256);
    assetId = (await registerActive(l, l.entity, { name: "Municipal inspection records" })).assetId;
    const other = (await registerActive(l, l.entity, { name: "Self-built features" })).assetId;
    // An intangible bought and impaired (amortisation vouchers every month), a development project made ready.
    await l.ledger.connect(l.entity).recognise(entity, assetId, Category.Intangible, CostSource.Purchased, 36, 0n, l.currencyAddress, cstDate(2025, 1, 15), hash("r1"));
    const b1 = (book1 = await l.ledger.bookCount());
    await l.ledger.connect(l.entity).addCost(b1, 3_600_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 1, 15), 0, hash("c1"));
    await l.ledger.connect(l.entity).impair(b1, 456_789n, cstDate(2025, 6, 20), hash("i1"));
    await l.ledger.connect(l.entity).recognise(entity, other, Category.Development, CostSource.SelfDeveloped, 0, 0n, l.currencyAddress, cstDate(2025, 2, 1), hash("r2"));
    const b2 = await l.ledger.bookCount();
    await l.ledger.connect(l.entity).addCost(b2, 300_000n, CostSource.SelfDeveloped, CostPhase.Research, cstDate(2025, 2, 10), 0, hash("c2"));
    await l.ledger.connect(l.entity).addCost(b2, 1_234_567n, CostSource.SelfDeveloped, CostPhase.Development, cstDate(2025, 4, 15), 0, hash("c3"));
    await l.ledger.connect(l.entity).readyForUse(b2, 24, cstDate(2025, 6, 10), hash("ready"));
    // A licence of the intangible sold on the exchange: a sale voucher.
    const terms = {
      assetId, sellerCertId: 0n, venueId: SZ.id, offer: 0, token: l.currencyAddress, price: 5_000_000n, maxQuantity: 0, licenceTerm: YEAR,
      scopeHash: hash("scope"), scopeMask: 0b0011, licenceSublicensable: false, licenceTransferable: false, merchant: ethers.ZeroAddress,
      merchantBps: 0, deliveryWindow: 7 * DAY, acceptanceWindow: 3 * DAY,
    };
    await l.dex.connect(l.entity).list(terms);
    await l.dex.connect(buyer).order(await l.dex.listingCount(), terms.price);
    const orderId = await l.dex.orderCount();
    await l.dex.connect(l.entity).deliver(orderId, hash("delivery"));
    await l.dex.connect(buyer).accept(orderId);
    const t = (await ethers.provider.getBlock("latest"))!.timestamp;
    today = new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10);

    chain = await serveChain();
    tmp = tempDir();
    const database = `${tmp.dir}/index.sqlite`;
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(l), database));
    await indexer.syncToHead();
    start = async (after: string, cacheBytes?: number) => {
      const was = process.env.API_JIT_AFTER;
      process.env.API_JIT_AFTER = after;
      try {
        return await startApi({ database, sync: () => indexer.status(), port: 0, webRoot: null, cacheBytes });
      } finally {
        if (was === undefined) delete process.env.API_JIT_AFTER;
        else process.env.API_JIT_AFTER = was;
      }
    };
    compiled = await start("0");
    interpreted = await start("off");
  });

  after(async () => {
    await compiled?.close();
    await interpreted?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  it("API_JIT_AFTER: a query compiled when asked a second time by default, at once with 0, never with off", () => {
    expect(compileAfterFromEnv({})).to.equal(1);
    expect(compileAfterFromEnv({ API_JIT_AFTER: "0" })).to.equal(0);
    expect(compileAfterFromEnv({ API_JIT_AFTER: "off" })).to.equal(Infinity);
    expect(() => compileAfterFromEnv({ API_JIT_AFTER: "-1" })).to.throw(/API_JIT_AFTER=-1/);
  });

  it("answers every query with the same bytes as yoga's executor, from compiled queries", async () => {
    const asked = queries(entity, String(assetId), today);
    const before = await executions(compiled);
    for (const [label, query, variables] of asked) {
      const want = await ask(interpreted, query, variables);
      expect(want.status, label).to.equal(200);
      expect(JSON.parse(want.body).errors, `${label}: ${want.body.slice(0, 300)}`).to.equal(undefined);
      // Twice: compiled on the first request, then run from the compiled query kept.
      for (let i = 0; i < 2; i++) {
        const got = await ask(compiled, query, variables);
        expect(got.status, label).to.equal(200);
        expect(got.body, label).to.equal(want.body);
      }
    }
    const after = await executions(compiled);
    expect(after.compiled - before.compiled, "answers given by compiled queries").to.equal(2 * asked.length);
    expect(after.interpreted - before.interpreted).to.equal(0);
    expect(after.retried - before.retried).to.equal(0);
    // The data asked for is there (not an empty journal compared with an empty journal).
    const j = JSON.parse((await ask(compiled, asked[0][1], asked[0][2])).body).data.journal;
    expect(j.vouchers.map((v: { kind: string }) => v.kind)).to.include.members(["Cost", "Amortisation", "Impairment", "ReadyForUse", "LicenceSale"]);
    const table = JSON.parse((await ask(compiled, asked[2][1], asked[2][2])).body).data.journal;
    expect(table.table.rows.length).to.equal(table.totals[0].lines).and.to.be.greaterThan(10);
  });

  it("gives each of many answers at once its own bytes (written into kept buffers), with its length, in every format", async () => {
    const asked = queries(entity, String(assetId), today);
    const want = await Promise.all(asked.map(([, query, variables]) => ask(interpreted, query, variables)));
    // 4 rounds of every query at once: an answer's buffer is written again only once the answer has been sent.
    const got = await Promise.all(
      Array.from({ length: 4 * asked.length }, async (_, i) => {
        const [, query, variables] = asked[i % asked.length];
        const res = await fetch(`${compiled.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", "cache-control": "no-cache" },
          body: JSON.stringify({ query, variables }),
        });
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(res.headers.get("content-length")).to.equal(String(bytes.length));
        expect(res.headers.get("content-type")).to.equal("application/json; charset=utf-8");
        return bytes.toString("utf8");
      }),
    );
    got.forEach((body, i) => expect(body, asked[i % asked.length][0]).to.equal(want[i % asked.length].body));
    // The other formats yoga answers in: the same JSON inside a multipart part and a server-sent event.
    const [label, query, variables] = asked[3];
    for (const accept of ["multipart/mixed", "text/event-stream", "application/graphql-response+json"]) {
      const res = await fetch(`${compiled.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept, "cache-control": "no-cache" },
        body: JSON.stringify({ query, variables }),
      });
      expect(res.status, accept).to.equal(200);
      expect(await res.text(), `${label} as ${accept}`).to.include(want[3].body);
    }
  });

  it("answers the same with the response cache off (API_CACHE_MB=0), and refuses a request body over 1 MiB unread (413)", async () => {
    const uncached = await start("0", 0);
    try {
      const [label, query, variables] = queries(entity, String(assetId), today)[3];
      const want = await ask(interpreted, query, variables);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${uncached.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
        const body = await res.text();
        expect(body, label).to.equal(want.body);
        expect(res.headers.get("content-length")).to.equal(String(Buffer.byteLength(body)));
      }
      const huge = JSON.stringify({ query, variables: { ...variables, padding: "x".repeat(MAX_REQUEST_BYTES) } });
      const refused = await fetch(`${uncached.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: huge });
      expect(refused.status).to.equal(413);
      expect((await refused.json()).error).to.match(/request body over 1048576 bytes/);
      // Just under the limit is read and answered (the unknown variable is the user's error, not the size).
      const under = JSON.stringify({ query, variables: { ...variables, padding: "x".repeat(MAX_REQUEST_BYTES - 2000) } });
      const read = await fetch(`${uncached.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: under });
      expect(read.status).to.not.equal(413);
      expect((await ask(uncached, query, variables)).body).to.equal(want.body);
    } finally {
      await uncached.close();
    }
  });

  it("pages through the journal with the cursors a compiled query gives", async () => {
    const [, query, period] = queries(entity, String(assetId), today)[1];
    let after: string | null = null;
    const seen: string[] = [];
    for (let page = 0; page < 100; page++) {
      const variables = { ...period, after };
      const got = await ask(compiled, query, variables);
      expect(got.body).to.equal((await ask(interpreted, query, variables)).body);
      const j = JSON.parse(got.body).data.journal;
      seen.push(...j.vouchers.map((v: { number: string }) => v.number));
      if (!j.pageInfo.hasNextPage) break;
      after = j.pageInfo.endCursor;
    }
    const all = await graphqlData(compiled.url, `query ($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to) { vouchers { number } } }`, { entity, from: "2025-01-01", to: today });
    expect(seen).to.deep.equal(all.journal.vouchers.map((v: { number: string }) => v.number));
  });

  it("gives a balance sheet row's asset whole, however it is asked (plain fields, a fragment, fields with resolvers)", async () => {
    const asset = await graphqlData(compiled.url, `query ($id: ID!) { asset(id: $id) { id name kind status holder registrationNumber versions { version current } } }`, { id: String(assetId) });
    for (const api of [compiled, interpreted]) {
      const plain = await graphqlData(api.url, `query ($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) { rows { bookId asset { name } } } }`, { entity, asOf: today });
      const viaFragment = await graphqlData(api.url, `query ($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) {
        rows { bookId asset { ...G versions { version current } } } } } fragment G on Asset { id name kind status holder registrationNumber }`, { entity, asOf: today });
      const row = viaFragment.balanceSheet[0].rows.find((r: { asset: { id: string } }) => r.asset.id === String(assetId));
      expect(row.asset).to.deep.equal(asset.asset);
      expect(plain.balanceSheet[0].rows.map((r: { asset: { name: string } }) => r.asset.name)).to.include("Municipal inspection records");
    }
  });

  it("gives a user's bad input the same error (answered by yoga's executor after the compiled answer's error)", async () => {
    const bad: [string, Record<string, unknown>][] = [
      [`query ($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) { asOf } }`, { entity: "0x123", asOf: today }],
      [`query ($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to) { from } }`, { entity, from: today, to: "2025-01-01" }],
      [`query ($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to, first: 5000) { from } }`, { entity, from: "2025-01-01", to: today }],
      [`query ($id: ID!) { asset(id: $id) { id } }`, { id: "not a number" }],
      // A variable of the wrong type: refused before any resolver runs.
      [`query ($id: ID!) { asset(id: $id) { id } }`, { id: { nested: true } }],
    ];
    const before = await executions(compiled);
    for (const [query, variables] of bad) {
      const want = await ask(interpreted, query, variables);
      const errors = JSON.parse(want.body).errors;
      expect(errors, want.body).to.be.an("array").that.is.not.empty;
      expect(errors[0].message).to.not.equal("Unexpected error.");
      for (let i = 0; i < 2; i++) expect((await ask(compiled, query, variables)).body, JSON.stringify(variables)).to.equal(want.body);
    }
    const after = await executions(compiled);
    expect(after.compiled - before.compiled, "no compiled answer with errors is given").to.equal(0);
    expect(after.retried - before.retried).to.be.greaterThan(0);
  });

  it("refuses a query over the limits before compiling or running it", async () => {
    let nested = "id";
    for (let i = 0; i < 8; i++) nested = `parents { asset { ${nested} } }`;
    const deep = `{ asset(id: 1) { ${nested} } }`;
    const costly = `{ assets(first: 100) { nodes { parents { asset { parents { asset { versions { chain { txHash blockNumber blockHash logIndex time } } } } } } } } }`;
    const before = await executions(compiled);
    for (const [query, limit] of [[deep, "depth"], [costly, "cost"]]) {
      for (let i = 0; i < 2; i++) {
        const a = JSON.parse((await ask(compiled, query)).body);
        expect(a.errors[0].extensions, limit).to.deep.include({ code: "LIMIT_EXCEEDED", limit });
        expect(a.data, limit).to.equal(undefined);
      }
    }
    expect(await executions(compiled)).to.deep.equal(before);
  });

  it("masks an internal error of a compiled query as yoga does, with its location and path", async () => {
    // A schema of its own: a resolver that fails as a bug would (a plain Error), one that refuses bad input, and a
    // value made by a getter (compiled queries read properties; api/jit.ts).
    const schema = createSchema({
      typeDefs: `type Query { broken: Thing, refused(n: Int!): Int, thing: Thing } type Thing { made: String!, plain: Int }`,
      resolvers: {
        Query: {
          broken: () => {
            throw new Error("SQLITE_CORRUPT: database disk image is malformed at /var/lib/index.sqlite");
          },
          refused: (_: unknown, { n }: { n: number }) => {
            if (n < 0) throw badInput(`n: ${n} is negative`);
            return n;
          },
          thing: () => ({ plain: 7, get made() { return "by a getter"; } }),
        },
      },
    });
    const serve = (stats: JitStats, compileAfter: number) =>
      createYoga({ schema, maskedErrors: true, logging: false, plugins: [EnvelopArmorPlugin(ARMOR), jitPlugin({ stats, compileAfter })] });
    const stats = { compiled: 0, interpreted: 0, retried: 0 };
    const jit = serve(stats, 0);
    const plain = serve({ compiled: 0, interpreted: 0, retried: 0 }, Infinity);
    const post = async (yoga: ReturnType<typeof serve>, query: string) =>
      (await yoga.fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })).text();
    for (const query of ["{ thing { made plain } broken { plain } }", "{ refused(n: -1) }", "{ refused(n: 3) thing { made } }"]) {
      expect(await post(jit, query), query).to.equal(await post(plain, query));
    }
    const masked = JSON.parse(await post(jit, "{ thing { plain } broken { plain } }"));
    expect(masked.errors).to.deep.equal([
      { message: "Unexpected error.", locations: [{ line: 1, column: 19 }], path: ["broken"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
    ]);
    expect(masked.data).to.deep.equal({ thing: { plain: 7 }, broken: null });
    expect(JSON.stringify(masked)).to.not.match(/SQLITE|sqlite/);
    const refused = JSON.parse(await post(jit, "{ refused(n: -1) }"));
    expect(refused.errors[0]).to.deep.include({ message: "n: -1 is negative", extensions: { code: "BAD_USER_INPUT" } });
    expect(JSON.parse(await post(jit, "{ refused(n: 3) thing { made } }")).data).to.deep.equal({ refused: 3, thing: { made: "by a getter" } });
    expect(stats.compiled).to.equal(2);
    expect(stats.retried).to.equal(4);
  });

  it("computes balance sheets and disclosure tables from the new block's rows once it is indexed (rows kept per index version)", async () => {
    const sheet = `query ($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) { rows { bookId cost { raw } } } }`;
    const tables = `query ($entity: String!, $from: String!, $to: String!) { disclosure(entity: $entity, from: $from, to: $to) {
      intangible { rows { key total { raw } } } } }`;
    const costOf = async (api: ApiServer) => {
      const a = JSON.parse((await ask(api, sheet, { entity, asOf: today })).body).data.balanceSheet;
      return a[0].rows.find((r: { bookId: string }) => r.bookId === String(book1)).cost.raw;
    };
    const added = async (api: ApiServer) => {
      const a = JSON.parse((await ask(api, tables, { entity, from: today, to: today })).body).data.disclosure;
      return a[0].intangible.rows.filter((r: { key: string }) => /increase|addition|purchase/i.test(r.key)).map((r: { total: { raw: string } }) => r.total.raw);
    };
    for (const api of [compiled, interpreted]) {
      for (let i = 0; i < 2; i++) expect(await costOf(api)).to.equal("3600000"); // the second from the rows kept
    }
    const addedBefore = await added(compiled);
    // A further cost on the intangible, dated today, in a new block.
    const t = (await ethers.provider.getBlock("latest"))!.timestamp;
    await l.ledger.connect(l.entity).addCost(book1, 100_000n, CostSource.Purchased, CostPhase.None, t + 1, 0, hash("more"));
    await indexer.syncToHead();
    for (const api of [compiled, interpreted]) expect(await costOf(api)).to.equal("3700000");
    const addedAfter = await added(compiled);
    expect(addedAfter, "the period's additions include the new cost").to.not.deep.equal(addedBefore);
    expect((await ask(compiled, tables, { entity, from: today, to: today })).body).to.equal((await ask(interpreted, tables, { entity, from: today, to: today })).body);
  });
});
