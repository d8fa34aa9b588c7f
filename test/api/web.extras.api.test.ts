// What the web app's entity, exchange and asset pages read beyond the rest of the API, on the demo: the registrars,
// the valuation's inputs as a typed tree (Indication.inputList, the same content as the JSON text `inputs`), the
// disclosure workbook (/xlsx/disclosure), and GraphiQL served from this origin (no CDN), from the web build.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import ExcelJS from "exceljs";
import { getIntrospectionQuery } from "graphql";
import { join } from "node:path";
import { deployContracts } from "../../scripts/deploy";
import { seedDemo, type DemoSummary } from "../../scripts/demo";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { ensureWebBuild, WEB_DIST } from "../../web/build";
import { indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphqlData } from "../helpers/api";

const INPUT = `name kind value amount { raw value token { symbol } } ratio { numerator denominator decimal }`;
const nested = (depth: number): string => (depth === 0 ? INPUT : `${INPUT} components { ${nested(depth - 1)} }`);

interface Typed {
  name: string;
  kind: string;
  value: string | null;
  amount: { raw: string; value: string } | null;
  ratio: { numerator: string; denominator: string; decimal: string } | null;
  components?: Typed[];
}

/** The typed tree says what the JSON says, node by node. */
function sameAsJson(t: Typed, j: unknown, path: string): number {
  switch (t.kind) {
    case "Object": {
      const o = j as Record<string, unknown>;
      expect(t.components!.map((c) => c.name), path).to.deep.equal(Object.keys(o));
      return t.components!.reduce((n, c) => n + sameAsJson(c, o[c.name], `${path}.${c.name}`), 1);
    }
    case "List": {
      const a = j as unknown[];
      expect(t.components!.length, path).to.equal(a.length);
      return t.components!.reduce((n, c, i) => n + sameAsJson(c, a[i], `${path}[${i}]`), 1);
    }
    case "Ratio":
      expect(t.ratio, path).to.deep.equal(j);
      expect(t.value).to.equal((j as { decimal: string }).decimal);
      return 1;
    case "Amount":
      expect(t.amount!.raw, path).to.equal(j);
      expect(t.value).to.equal(j);
      return 1;
    case "Time":
      expect(Date.parse(t.value!) / 1000, path).to.equal(j);
      expect(t.value).to.match(/\+08:00$/);
      return 1;
    case "Null":
      expect(j, path).to.equal(null);
      return 1;
    default:
      expect(t.value, path).to.equal(String(j));
      return 1;
  }
}

describe("API: the web app's entity, exchange and valuation pages, the disclosure workbook and local GraphiQL", function () {
  let snapshot: string;
  let demo: DemoSummary;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  const data = (q: string, v: Record<string, unknown> = {}) => graphqlData(api.url, q, v);

  before(async () => {
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    const signers = await ethers.getSigners();
    const d = await deployContracts(signers[0]);
    demo = await seedDemo({ deployed: d, signers });
    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, d.record, join(tmp.dir, "index.sqlite")));
    await indexer.syncToHead();
    api = await startApi({ database: join(tmp.dir, "index.sqlite"), sync: () => indexer.status(), port: 0, webRoot: null });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
    if (snapshot) await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("registrars: every exchange with its code and notice period", async () => {
    const { registrars } = await data(`{ registrars { id code noticePeriodSeconds active } }`);
    expect(registrars.map((r: any) => [r.id, r.code, r.noticePeriodSeconds])).to.deep.equal(
      [...demo.exchanges].sort((a, b) => a.id - b.id).map((x) => [x.id, x.code, x.noticeDays * 86400]),
    );
  });

  it("Indication.inputList: every valuation input typed (amounts, ratios, times, lists), the same content as the JSON text", async () => {
    const approaches = new Set<string>();
    let nodes = 0;
    for (const b of Object.values(demo.books)) {
      const { valuation } = await data(
        `query ($id: ID!, $d: String!) { valuation(assetId: $id, asOf: $d) { ${["cost", "market", "income"]
          .map((a) => `${a} { approach computed inputs inputList { ${nested(5)} } }`)
          .join(" ")} } }`,
        { id: String(b.assetId), d: demo.period.to },
      );
      for (const i of [valuation.cost, valuation.market, valuation.income]) {
        if (!i.computed) {
          expect(i.inputList).to.deep.equal([]);
          continue;
        }
        approaches.add(i.approach);
        const json = JSON.parse(i.inputs);
        expect(i.inputList.map((c: Typed) => c.name)).to.deep.equal(Object.keys(json));
        for (const c of i.inputList) nodes += sameAsJson(c, json[c.name], `${b.assetId}.${i.approach}.${c.name}`);
      }
    }
    expect(approaches.size).to.be.greaterThan(0);
    expect(nodes).to.be.greaterThan(10);
    // An amount is an Amount in the token, a ratio a fraction.
    const { valuation } = await data(`query ($id: ID!, $d: String!) { valuation(assetId: $id, asOf: $d) { cost { computed inputList { ${nested(2)} } } } }`, {
      id: String(Object.values(demo.books).find((b) => b.category === "Intangible")?.assetId ?? Object.values(demo.books)[0].assetId),
      d: demo.period.to,
    });
    if (valuation.cost.computed) {
      const cost = valuation.cost.inputList.find((c: Typed) => c.name === "cost");
      const amountNode = cost.components.find((c: Typed) => c.name === "amount");
      expect(amountNode.kind).to.equal("Amount");
      expect(amountNode.amount.token.symbol).to.equal(demo.token.symbol);
      expect(valuation.cost.inputList.find((c: Typed) => c.name === "coefficient").kind).to.equal("Ratio");
    }
  });

  it("/xlsx/disclosure: tables A and B, R&D, the book detail and the checks on their own sheets, numbers as numbers; bad input is a 400", async () => {
    const entity = Object.values(demo.books)[0].entity;
    const res = await fetch(`${api.url}/xlsx/disclosure?entity=${entity}&from=${demo.period.from}&to=${demo.period.to}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).to.equal(`attachment; filename="disclosure-${demo.period.from}-${demo.period.to}.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(["表A 无形资产", "表B 存货", "研发支出", "账簿明细", "勾稽校验"]);
    const { disclosure } = await data(`query ($e: String!, $f: String!, $t: String!) { disclosure(entity: $e, from: $f, to: $t) { intangible { rows { label total { value } } } } }`, {
      e: entity,
      f: demo.period.from,
      t: demo.period.to,
    });
    const a = wb.getWorksheet("表A 无形资产")!;
    disclosure[0].intangible.rows.forEach((r: any, i: number) => {
      expect(a.getRow(3 + i).getCell(2).value).to.equal(r.label);
      expect(a.getRow(3 + i).getCell(6).value).to.equal(Number(r.total.value));
      expect(a.getRow(3 + i).getCell(6).numFmt).to.equal("#,##0.00");
    });
    for (const [q, message] of [
      [`entity=0x12&from=${demo.period.from}&to=${demo.period.to}`, /entity/],
      [`entity=${entity}&from=2026-13-01&to=${demo.period.to}`, /from/],
    ] as const) {
      const bad = await fetch(`${api.url}/xlsx/disclosure?${q}`);
      expect(bad.status, q).to.equal(400);
      expect((await bad.json()).error).to.match(message);
    }
  });

  it("GraphiQL at /graphql is the web build's page: its script and styles from this origin, not a CDN, the options in it", async () => {
    ensureWebBuild();
    const web = await startApi({ database: join(tmp.dir, "index.sqlite"), sync: () => indexer.status(), port: 0, webRoot: WEB_DIST });
    try {
      const page = await (await fetch(`${web.url}/graphql`, { headers: { accept: "text/html" } })).text();
      expect(page).to.contain("<title>Data asset registry and ledger</title>");
      expect(page).not.to.match(/unpkg|jsdelivr|https?:\/\//); // no URL of another origin
      const urls = [...page.matchAll(/(?:src|href)="(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1]);
      expect(urls.map((u) => u.split(".").pop()).sort()).to.deep.equal(["css", "js"]); // one script, one stylesheet
      for (const u of urls) {
        const r = await fetch(`${web.url}${u}`);
        expect(r.status, u).to.equal(200);
        expect(r.headers.get("content-type"), u).to.match(/^text\/(javascript|css)/);
        expect(r.headers.get("cache-control"), u).to.contain("immutable"); // hashed names: cached for good
        expect((await r.arrayBuffer()).byteLength, u).to.be.greaterThan(10_000);
      }
      // The options: the default query, and the introspection query the page sends while its script loads.
      const json = /<script id="graphiql-options" type="application\/json">(.*?)<\/script>/s.exec(page);
      expect(json, "the options in the page").to.not.equal(null);
      const options = JSON.parse(json![1]);
      expect(options.endpoint).to.equal("/graphql");
      expect(options.defaultQuery).to.contain("_meta { chainId");
      expect(options.introspectionQuery).to.equal(getIntrospectionQuery());
      const intro = await graphqlData(web.url, options.introspectionQuery);
      expect(intro.__schema.queryType.name).to.equal("Query");
      // Only the build's files; yoga's bundle is not served any more.
      expect((await fetch(`${web.url}/graphiql/assets/nothing.js`)).status).to.equal(404);
      expect((await fetch(`${web.url}/graphiql-assets/yoga-graphiql.umd.js`)).status).to.equal(404);
    } finally {
      await web.close();
    }
    // Without the web build, the page says how to get it.
    const none = await (await fetch(`${api.url}/graphql`, { headers: { accept: "text/html" } })).text();
    expect(none).to.contain("npm run web:build");
  });
});
