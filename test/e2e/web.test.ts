// The web app (web/) in a real browser: Debian's chromium driven by playwright-core, against the demo on the
// in-process chain, a real indexer and the API server serving the built app at /. Adds two registrations of real
// content made here: a file (approved, then a second version) and a folder (still in notice, with an objection),
// and pledges made here to the demo's bank: one of a data resource on an entity's books (the demo's financed assets are
// on nobody's books, so the disclosure's pledged resources need it) and one of the file's asset (for the verify result).
// Checks every page loads without console errors or requests outside the origin, the figures equal the API's, the
// lineage picture's nodes and edges, verification of a file, a folder and a tampered copy, the encumbrance badges and
// the pledge panel of the demo's financed assets, the disclosure's pledged data resources, bad input, axe-core,
// and the first page's JavaScript size; saves screenshots of the main pages into docs/screenshots/.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import type { DemoSummary } from "../../scripts/demo";
import type { ApiServer } from "../../api/server";
import { graphqlData } from "../helpers/api";
import { bookKeeper as bookKeeperOf, CHROMIUM, CHROMIUM_INSTALL, firstPageJs, sha256, startWebDemo, type WebDemo } from "../helpers/web";
import { pledgeTerms } from "../helpers/pledges";
import { DAY } from "../helpers/registry";

const ROOT = join(__dirname, "..", "..");
const SCREENSHOTS = join(ROOT, "docs", "screenshots");
const INSTALL = CHROMIUM_INSTALL;

/** An API time as the page shows it in UTC+8: "YYYY-MM-DD HH:MM" (or the date only). */
const cst = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
const cstDay = (iso: string) => cst(iso).slice(0, 10);
/** "1234567.50" -> "1,234,567.50": what the page shows for an exact API amount. */
const grouped = (d: string) => d.replace(/^(-?\d+)/, (w) => w.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
const money = (a: { value: string; token: { symbol: string } }) => `${grouped(a.value)} ${a.token.symbol}`;
/** A CSV body as rows of cells (RFC 4180 quoting, BOM dropped). */
function parseCsv(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const text = body.replace(/^\ufeff/, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r") continue;
    else if (c === "\n") row.push(cell), rows.push(row), (row = []), (cell = "");
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

describe("web app in a real browser (e2e)", function () {
  let snapshot: string;
  let demo: DemoSummary;
  let api: ApiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = []; // console errors, page errors, requests outside the origin
  let w: WebDemo;
  let files: WebDemo["files"];
  let ids: WebDemo["ids"];
  let folderRoot: string;
  /** Pledges made here on top of the demo's financing scenes: a data resource on an entity's books (for the disclosure's pledged resources) and the file's asset (for the verify result). */
  const pledged = { asset: "", entity: "", today: "" };

  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);
  const open = async (path: string) => {
    await page.goto(`${api.url}${path}`);
    await page.waitForSelector("main > :not(.loading)", { timeout: 10_000 });
  };
  const text = (selector: string) => page.locator(selector).first().innerText();

  /**
   * Pledges through the contracts, as the demo's bank takes them: a holding pledge of a data resource on an entity's
   * books today (the demo's financed assets are on nobody's books), and one of the file's asset. Waits for the index.
   */
  async function makePledges() {
    const { d, signers } = w;
    const signer = (a: string) => signers.find((s) => s.address.toLowerCase() === a.toLowerCase())!;
    const bank = signer(demo.roles.bank.address);
    const { _meta } = await data(`{ _meta { latestBlockTime } }`);
    const today = cstDay(_meta.latestBlockTime);
    // A data resource on an entity's books today, held by it, active and unpledged: an intangible if there is one.
    const candidates: { entity: string; category: string; assetId: string }[] = [];
    for (const entity of new Set(Object.values(demo.books).map((b) => b.entity))) {
      const { balanceSheet } = await data(
        `query ($e: String!, $d: String!) { balanceSheet(entity: $e, asOf: $d) { rows { category asset { id status holder encumbrance { livePledges } } } } }`,
        { e: entity, d: today },
      );
      for (const r of balanceSheet.flatMap((b: any) => b.rows)) {
        if (r.asset.status === "ACTIVE" && r.asset.holder?.toLowerCase() === entity.toLowerCase() && r.asset.encumbrance.livePledges === 0)
          candidates.push({ entity, category: r.category, assetId: r.asset.id });
      }
    }
    const chosen = candidates.find((c) => c.category === "Intangible") ?? candidates[0];
    expect(chosen, "an unpledged active data resource on an entity's books").not.to.equal(undefined);
    const now = BigInt(Math.floor(Date.parse(_meta.latestBlockTime) / 1000));
    const pledge = async (pledgor: string, assetId: string, externalNumber: string) => {
      const terms = await pledgeTerms(BigInt(assetId), pledgor, bank.address, demo.token.address, {
        securedAmount: 150_000_000n,
        externalNumber,
        externalRegisteredAt: now - BigInt(DAY),
      });
      await (await d.pledges.connect(signer(pledgor)).file(terms)).wait();
      await (await d.pledges.connect(bank).accept(await d.pledges.pledgeCount())).wait();
    };
    await pledge(chosen.entity, chosen.assetId, "06543210000012345678");
    // The file's holder may pledge unless the demo marks it a public institution (财资〔2024〕1号).
    if (!(await d.pledges.isPublicInstitution(demo.roles.inspection.address))) await pledge(demo.roles.inspection.address, ids.file, "06543210000099990000");
    Object.assign(pledged, { asset: chosen.assetId, entity: chosen.entity, today });
    // The index follows the chain: wait until it has the last acceptance.
    const head = await ethers.provider.getBlockNumber();
    for (let i = 0; i < 200; i++) {
      if ((await data(`{ _meta { latestBlock } }`))._meta.latestBlock >= head) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the index did not reach block ${head}`);
  }

  before(async function () {
    if (!CHROMIUM) throw new Error(`chromium is not installed; the browser tests need Debian's chromium: ${INSTALL}`);
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    w = await startWebDemo();
    ({ demo, api, files, ids, folderRoot } = w);
    await makePledges();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    // The page's CSP allows only its own scripts; axe-core is injected by the test, so the test bypasses it.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, locale: "zh-CN" });
    page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(`console error on ${page.url()}: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
    page.on("request", (r) => {
      if (new URL(r.url()).origin !== new URL(api.url).origin && !r.url().startsWith("data:")) problems.push(`request outside the origin: ${r.url()}`);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await w?.close();
    if (snapshot) await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("ships at most 300 KB of gzipped JavaScript on the first page, the lineage and hashing loaded lazily", () => {
    const { html, scripts, gzipped } = firstPageJs();
    expect(scripts.length).to.be.greaterThan(0);
    expect(gzipped).to.be.lessThan(300 * 1024);
    expect(scripts.join(" ")).not.to.match(/lineage|verify|echarts|chart/);
    expect(html).not.to.match(/https?:\/\//); // nothing from outside the origin
  });

  it("home: chain and index status, counts and the latest registrations as the API gives them", async () => {
    const { _meta, all, active, notice, latest } = await data(`{ _meta { chainId latestBlock chainHead lag caughtUp latestBlockTime }
      all: assets { totalCount } active: assets(where: { status: ACTIVE }) { totalCount }
      notice: assets(where: { status: IN_NOTICE }) { totalCount } latest: assets(first: 10, orderBy: ID_DESC) { nodes { id name } } }`);
    await open("/");
    expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
    expect(await text('[data-field="chainId"]')).to.equal(String(_meta.chainId));
    expect(await text('[data-field="latestBlock"]')).to.equal(String(_meta.latestBlock));
    expect(await text('[data-field="chainHead"]')).to.equal(String(_meta.chainHead));
    expect(await text('[data-field="lag"]')).to.equal(String(_meta.lag));
    expect(await text('[data-field="ready"]')).to.equal("是");
    // Chain time in UTC+8, to the second, as the API's latest block time.
    expect(await text('[data-field="chainTime"]')).to.equal(_meta.latestBlockTime.slice(0, 19).replace("T", " "));
    expect(await text('[data-count="total"]')).to.equal(grouped(String(all.totalCount)));
    expect(await text('[data-count="ACTIVE"]')).to.equal(grouped(String(active.totalCount)));
    expect(await text('[data-count="IN_NOTICE"]')).to.equal(String(notice.totalCount));
    const names = await page.locator('[data-testid="latest"] tbody td.name a').allInnerTexts();
    expect(names).to.deep.equal(latest.nodes.map((a: { name: string }) => a.name));
    await page.screenshot({ path: join(SCREENSHOTS, "home.png") });
  });

  it("home: the public notice board lists a registration in notice under its registrar, with time left and its open objection", async () => {
    await open("/");
    const row = page.locator(`[data-registrar="${demo.exchanges[0].code}"] [data-notice-asset="${ids.folder}"]`);
    expect(await row.count()).to.equal(1);
    expect(await row.innerText()).to.contain("Port survey 2026");
    expect(await row.locator('[data-field="timeLeft"]').innerText()).to.match(/^\d+天 \d+小时$/);
    expect(await row.locator(".objection").count()).to.equal(1);
    // The English switch.
    await page.getByRole("button", { name: "Switch to English" }).click();
    expect(await page.getAttribute("html", "lang")).to.equal("en");
    expect(await text("#notices h2")).to.equal("Public notice board (公示)");
    expect(await row.locator('[data-field="timeLeft"]').innerText()).to.match(/^\d+ d \d+ h$/);
    await page.screenshot({ path: join(SCREENSHOTS, "home-en.png") });
    await page.getByRole("button", { name: "切换到中文" }).click();
    expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
  });

  it("search: by registration number, asset id, content hash and address; bad input says what is wrong", async () => {
    const { asset } = await data(`{ asset(id: ${ids.file}) { registrationNumber holder } }`);
    for (const q of [asset.registrationNumber.toLowerCase(), ids.file, sha256(readFileSync(files.v1)), asset.holder]) {
      await open(`/search?q=${encodeURIComponent(q)}`);
      expect(await page.locator(`[data-result="${ids.file}"]`).count(), q).to.be.greaterThan(0);
    }
    // Typed in the header's box and submitted.
    await open("/");
    await page.getByRole("searchbox").fill(asset.registrationNumber);
    await page.getByRole("searchbox").press("Enter");
    await page.waitForSelector(`[data-result="${ids.file}"]`);
    await open("/search?q=SZDE-1999-000001");
    expect(await text('[data-testid="no-results"]')).to.equal("没有找到匹配的资产。");
    await open("/search?q=0x1234");
    expect(await text(".message.error")).to.contain("40 位十六进制地址");
    const badChecksum = asset.holder.slice(0, -1) + (asset.holder.at(-1) === asset.holder.at(-1).toUpperCase() ? asset.holder.at(-1).toLowerCase() : asset.holder.at(-1).toUpperCase());
    if (badChecksum !== asset.holder && /[a-fA-F]$/.test(asset.holder)) {
      await open(`/search?q=${badChecksum}`);
      expect(await text(".error-text")).to.match(/checksum/i);
    }
  });

  it("asset page: the registration, versions, certificates and settlements equal the API's", async () => {
    const id = demo.keyAssets.inspectionProduct;
    const { asset, settlements, listings } = await data(
      `query ($id: ID!) {
        asset(id: $id) { registrationNumber status holder kind grade contentHash versions { version } certificates { id } }
        settlements(where: { assetId: $id }, first: 40) { nodes { order { id } gross { value token { symbol } } exchangeFee { value token { symbol } }
          merchantCommission { value token { symbol } } royaltyTotal { value token { symbol } } sellerNet { value token { symbol } } } }
        listings(where: { assetId: $id }, first: 50) { nodes { id price { value token { symbol } } } } }`,
      { id: String(id) },
    );
    await open(`/asset/${id}`);
    await page.waitForSelector('[data-testid="settlements"]');
    expect(await text('[data-field="registrationNumber"]')).to.equal(asset.registrationNumber);
    expect(await page.locator('[data-field="status"] [data-status]').getAttribute("data-status")).to.equal(asset.status);
    expect(await page.locator('[data-field="holder"] a').getAttribute("title")).to.equal(asset.holder);
    expect(await text('[data-field="kind"]')).to.equal("数据产品");
    expect(await text('[data-field="contentHash"]')).to.equal(asset.contentHash);
    expect(await page.locator('[data-testid="versions"] li').count()).to.equal(asset.versions.length);
    expect(await page.locator('[data-testid="certificates"] tbody tr').count()).to.equal(asset.certificates.length);
    expect(settlements.nodes.length).to.be.greaterThan(0);
    for (const s of settlements.nodes) {
      const row = page.locator(`[data-testid="settlements"] [data-order="${s.order.id}"]`);
      for (const f of ["gross", "exchangeFee", "merchantCommission", "royaltyTotal", "sellerNet"]) {
        expect(await row.locator(`[data-field="${f}"]`).innerText(), `order ${s.order.id} ${f}`).to.equal(money(s[f]));
      }
    }
    for (const l of listings.nodes) {
      expect(await page.locator(`[data-listing="${l.id}"] [data-field="price"]`).innerText()).to.equal(money(l.price));
    }
    // Provenance: every event with its block and log index, arguments named (not JSON text).
    const { provenance } = await data(`{ provenance(assetId: ${id}) { totalCount nodes { name chain { blockNumber logIndex } } } }`);
    const rows = page.locator('[data-testid="provenance"] tbody tr');
    expect(await rows.count()).to.equal(Math.min(provenance.totalCount, 100));
    const first = provenance.nodes[0];
    const row = page.locator(`[data-testid="provenance"] tr[data-block="${first.chain.blockNumber}"][data-log="${first.chain.logIndex}"]`);
    expect(await row.getAttribute("data-event")).to.equal(first.name);
    expect(await row.locator('[data-arg="applicant"]').innerText()).to.match(/^applicant:?\s*0x/);
    expect(await row.innerText()).not.to.contain('{"');
    expect(await page.locator('[data-testid="attestations"] li').count()).to.be.greaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "asset.png") });
  });

  it("asset page: the lineage picture has every source up to 4 generations, every derived asset, and the shares on the edges", async () => {
    const id = String(demo.keyAssets.derivedTwice);
    const expected = { nodes: new Set<string>([id]), edges: new Map<string, number>() };
    const ancestors = async (child: string, generation: number): Promise<void> => {
      const { asset } = await data(`{ asset(id: ${child}) { parents { shareBps asset { id } } } }`);
      for (const p of asset.parents) {
        expected.nodes.add(p.asset.id);
        expected.edges.set(`${p.asset.id}->${child}`, p.shareBps);
        if (generation < 4) await ancestors(p.asset.id, generation + 1);
      }
    };
    await ancestors(id, 1);
    const { asset } = await data(`{ asset(id: ${id}) { children { shareBps asset { id } } } }`);
    for (const c of asset.children) {
      expected.nodes.add(c.asset.id);
      expected.edges.set(`${id}->${c.asset.id}`, c.shareBps);
    }
    expect(expected.edges.size).to.be.greaterThan(2);
    await open(`/asset/${id}`);
    await page.waitForSelector('[data-testid="lineage"]');
    const nodes = await page.locator("[data-testid=lineage] [data-node]").evaluateAll((els) => els.map((e) => e.getAttribute("data-node")));
    expect(new Set(nodes)).to.deep.equal(expected.nodes);
    expect(nodes.length).to.equal(expected.nodes.size); // each asset drawn once
    const edges = await page
      .locator("[data-testid=lineage] [data-edge]")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-edge"), Number(e.getAttribute("data-share-bps")), e.textContent]));
    expect(new Map(edges.map(([k, bps]) => [k as string, bps as number]))).to.deep.equal(expected.edges);
    for (const [, bps, label] of edges) expect(label).to.equal(`${Number(bps) / 100}%`);
    // Each node links to its asset page; the layout placed no two nodes on top of each other.
    const boxes = await page.locator("[data-testid=lineage] [data-node] rect").evaluateAll((els) =>
      els.map((e) => [Number(e.getAttribute("x")), Number(e.getAttribute("y"))].join(",")),
    );
    expect(new Set(boxes).size).to.equal(boxes.length);
    await page.locator("#lineage").screenshot({ path: join(SCREENSHOTS, "lineage.png") });
    const parent = [...expected.edges.keys()].find((k) => k.endsWith(`->${id}`))!.split("->")[0];
    await page.locator(`[data-testid=lineage] [data-node="${parent}"]`).click();
    await page.waitForURL(`**/asset/${parent}`);
    await page.waitForSelector(`[data-asset="${parent}"]`);
  });

  it("verify: a file matches its current and past versions, a tampered copy matches nothing, a folder in notice is labelled so", async () => {
    await open(`/asset/${ids.file}`);
    const verify = async (input: "file-input" | "folder-input", path: string) => {
      await page.locator(`[data-testid="${input}"]`).setInputFiles(path);
      const v = page.locator("[data-verdict]");
      await v.waitFor({ timeout: 30_000 });
      return { verdict: await v.getAttribute("data-verdict"), version: await v.getAttribute("data-version"), text: await v.innerText() };
    };
    const current = await verify("file-input", files.v2);
    expect(current.verdict).to.equal("current");
    expect(current.version).to.equal("2");
    expect(current.text).to.contain(sha256(readFileSync(files.v2)));
    expect(current.text).to.contain("该登记有效");
    // Next to the status: the asset's encumbrance, as the API's check gives it.
    const { verifyContent } = await data(`query ($id: ID!, $h: String!) { verifyContent(assetId: $id, contentHash: $h) { encumbrance { livePledges } } }`, {
      id: ids.file,
      h: sha256(readFileSync(files.v2)),
    });
    const n = verifyContent.encumbrance.livePledges;
    expect(await page.locator("[data-encumbrance-note]").getAttribute("data-encumbrance-note")).to.equal(n > 0 ? String(n) : "none");
    expect(current.text).to.contain(n > 0 ? `该资产存在 ${n} 笔有效质押` : "该资产没有有效质押");
    await page.locator("#verify").screenshot({ path: join(SCREENSHOTS, "verify.png") });
    const past = await verify("file-input", files.v1);
    expect(past).to.deep.include({ verdict: "past", version: "1" });
    expect(past.text).to.contain("历史版本");
    const none = await verify("file-input", files.tampered);
    expect(none.verdict).to.equal("none");
    expect(none.text).to.contain("不一致");

    await open(`/asset/${ids.folder}`);
    const folder = await verify("folder-input", files.dir);
    expect(folder).to.deep.include({ verdict: "current", version: "1" });
    expect(folder.text).to.contain(folderRoot); // the same root as dal's hashPath
    expect(folder.text).to.contain("5 个文件");
    expect(await page.locator("[data-status-note]").getAttribute("data-status-note")).to.equal("IN_NOTICE");
    expect(folder.text).to.contain("仍在公示期");
    expect(folder.text).to.contain("该资产没有有效质押");
    await page.locator("#verify").screenshot({ path: join(SCREENSHOTS, "verify-in-notice.png") });
  });

  /** The entity whose books span the most categories (then the most books): figures in both tables. */
  const bookKeeper = () => bookKeeperOf(demo);
  const mid = () => {
    const [y, m] = demo.period.from.split("-").map(Number);
    const mm = m + 6 > 12 ? m + 6 - 12 : m + 6;
    return `${m + 6 > 12 ? y + 1 : y}-${String(mm).padStart(2, "0")}-15`;
  };

  it("asset page: where a settlement's money went (Sankey), the quality radar, rights valid at a date with their chains, and the valuation's inputs, equal to the API's", async () => {
    // An asset with a settlement paying royalties upstream.
    let id = "";
    let settlement: any;
    for (const candidate of Object.values(demo.keyAssets)) {
      const { settlements } = await data(`query ($id: ID!) { settlements(where: { assetId: $id }, first: 40) { nodes { order { id } gross { value token { symbol } }
        lines { kind sourceAsset { id } amount { value token { symbol } } } } } }`, { id: String(candidate) });
      settlement = settlements.nodes.find((s: any) => s.lines.some((l: any) => l.kind === "Royalty"));
      if (settlement) {
        id = String(candidate);
        break;
      }
    }
    expect(id, "a demo asset whose settlement pays royalties").not.to.equal("");
    await open(`/asset/${id}`);
    await page.waitForSelector('[data-testid="money-flow"]');
    expect(await page.locator('[data-testid="money-flow"]').getAttribute("data-order")).to.equal(settlement.order.id);
    expect(await text('[data-testid="money-flow"] [data-field="gross"]')).to.equal(money(settlement.gross));
    const rows = page.locator('[data-testid="money-flow"] tbody tr');
    expect(await rows.count()).to.equal(settlement.lines.length);
    for (const [i, l] of settlement.lines.entries()) {
      expect(await rows.nth(i).getAttribute("data-line-kind")).to.equal(l.kind);
      expect(await rows.nth(i).locator('[data-field="amount"]').innerText()).to.equal(money(l.amount));
      if (l.kind === "Royalty") expect(await rows.nth(i).getAttribute("data-source")).to.equal(l.sourceAsset.id);
    }
    await page.waitForSelector('[data-testid="money-flow-chart"][data-drawn="yes"] svg', { timeout: 15_000 });
    await page.locator("#money-flow").screenshot({ path: join(SCREENSHOTS, "money-flow.png") });

    // Rights valid at a date: the API's certificates valid then, each with its chain from the root grant.
    const at = demo.period.to;
    await page.locator('[data-testid="rights-form"] input').fill(at);
    await page.locator('[data-testid="rights-form"] button').click();
    const { rights } = await data(`query ($id: ID!, $at: String!) { rights(assetId: $id, validAt: $at, first: 100) { nodes { id grantChain { id } } } }`, { id, at });
    if (rights.nodes.length) {
      await page.waitForSelector(`[data-testid="rights-at"][data-at="${at}"]`);
      for (const c of rights.nodes) {
        expect(await page.locator(`[data-testid="rights-at"] [data-cert="${c.id}"] td.chain`).getAttribute("data-chain")).to.equal(c.grantChain.map((g: any) => g.id).join(">"));
      }
      expect(await page.locator('[data-testid="rights-at"] tbody tr').count()).to.equal(rights.nodes.length);
    } else {
      await page.waitForSelector('[data-testid="no-rights"]');
    }
    await page.locator('[data-testid="rights-form"] input').fill("2026-02-30");
    await page.locator('[data-testid="rights-form"] button').click();
    expect(await page.locator('[data-testid="rights-form"] .form-error').innerText()).to.contain("不是有效的日期");

    // The valuation as of the chain's date: each approach's value or reason, inputs typed.
    const { _meta } = await data(`{ _meta { latestBlockTime } }`);
    const asOf = new Date(Date.parse(_meta.latestBlockTime) + 8 * 3600_000).toISOString().slice(0, 10);
    const { valuation } = await data(`query ($id: ID!, $d: String!) { valuation(assetId: $id, asOf: $d) { cost { computed reason value { value token { symbol } } inputList { name } }
      market { computed reason value { value token { symbol } } } income { computed reason value { value token { symbol } } } } }`, { id, d: asOf });
    await page.waitForSelector('[data-testid="valuation"]');
    for (const k of ["cost", "market", "income"]) {
      const box = page.locator(`[data-approach="${k}"]`);
      expect(await box.getAttribute("data-computed"), k).to.equal(valuation[k].computed ? "yes" : "no");
      if (valuation[k].computed) expect(await box.locator('[data-field="value"]').innerText()).to.equal(money(valuation[k].value));
      else expect(await box.innerText()).to.contain(valuation[k].reason);
    }
    if (valuation.cost.computed) {
      const shown = await page.locator('[data-approach="cost"] > dl > [data-input]').evaluateAll((els) => els.map((e) => e.getAttribute("data-input")));
      expect(shown).to.deep.equal(valuation.cost.inputList.map((i: any) => i.name));
      expect(await page.locator('[data-approach="cost"] [data-kind="Ratio"]').count()).to.be.greaterThan(0);
      await page.locator("#valuation").screenshot({ path: join(SCREENSHOTS, "valuation.png") });
    }
  });

  it("asset page: the six quality dimensions as a radar, the scores of the latest quality attestation", async () => {
    let found: { id: string; scores: string[] } | null = null;
    for (const candidate of Object.values(demo.keyAssets)) {
      const { provenance } = await data(`query ($id: ID!) { provenance(assetId: $id) { nodes { name arguments { name components { value } } } } }`, { id: String(candidate) });
      const q = provenance.nodes.filter((e: any) => e.name === "QualityAttested");
      if (q.length) {
        found = { id: String(candidate), scores: q[q.length - 1].arguments.find((a: any) => a.name === "scores").components.map((c: any) => c.value) };
        break;
      }
    }
    expect(found, "a demo asset with a quality attestation").not.to.equal(null);
    await open(`/asset/${found!.id}`);
    await page.waitForSelector('[data-testid="quality-chart"][data-drawn="yes"] svg', { timeout: 15_000 });
    const shown = await page.locator('[data-testid="quality-scores"] td').allInnerTexts();
    expect(shown).to.deep.equal(found!.scores);
    expect(await page.locator('[data-testid="quality-scores"] th').allInnerTexts()).to.deep.equal(["准确性", "一致性", "完整性", "规范性", "时效性", "可访问性"]);
    await page.locator("#attestations").screenshot({ path: join(SCREENSHOTS, "quality.png") });
  });

  it("asset page: the encumbrance badges in the header and the pledge panel (ranks, parties, amounts received and outstanding, terms, registration, consents, default, enforcement, loan-to-value, history) equal the API's", async () => {
    const A = `value token { symbol }`;
    const PLEDGE = `id status live rank collateral certificateId certificate { validUntil revokedAt } reservePrice { ${A} } maximumAmount pledgor debtor pledgee termEnd externalRegistry externalNumber externalRegisteredAt licensingAllowed selfSaleAllowed
      securedAmount { ${A} } received { ${A} } outstanding { ${A} } consents { transfer cancellation licensing }
      default { byArbiter } saleAuthorisation { byArbiter } enforcement { listingId orderId costs { ${A} } } proceeds { orderId amount { ${A} } } loanToValue { appraisal book cumulativeAppraisal cumulativeBook ahead { ${A} } }`;
    const zh: Record<string, string> = { FILED: "待质权人接受", LIVE: "有效", DEFAULTED: "已违约", RELEASED: "已注销", ENFORCED: "已实现（变卖）", VOIDED: "已撤销（异议成立）", WITHDRAWN: "已撤回" };
    const badgeLine = (p: any, inZh: boolean) =>
      inZh
        ? `${p.collateral === "Revenue" ? "收益权已质押" : "已质押"} · 第${p.rank}顺位 · ${money(p.securedAmount)} · 至 ${cstDay(p.termEnd)}${p.status === "DEFAULTED" ? " · 已违约" : ""}`
        : `${p.collateral === "Revenue" ? "Revenue pledged" : "Pledged"} · rank ${p.rank} · ${money(p.securedAmount)} · until ${cstDay(p.termEnd)}${p.status === "DEFAULTED" ? " · in default" : ""}`;
    const seen = new Set<string>();
    // The demo's financed assets (revenue pledged in two ranks and partly repaid, released, enforced by a sale, a
    // rights certificate pledged) and the one pledged here.
    const certified = demo.pledgedCertificate;
    for (const id of [demo.pledgedAssets.revenue, demo.pledgedAssets.released, demo.pledgedAssets.enforced, certified.assetId, pledged.asset].map(String)) {
      const { asset } = await data(`query ($id: ID!) { asset(id: $id) { encumbrance { livePledges enforcing summary } pledges { ${PLEDGE} } } }`, { id });
      expect(asset.pledges.length, `asset ${id}`).to.be.greaterThan(0);
      // The header shows the holding's and revenue's live pledges; a certificate's rank apart, on its certificate's row.
      const live = asset.pledges.filter((p: any) => p.live && p.certificateId === null);
      await open(`/asset/${id}`);
      await page.waitForSelector('[data-testid="pledges-current"], [data-testid="pledges-history"]');
      // The header: one badge per live pledge in rank order, the API's summary as the group's title; none when unencumbered.
      const badges = page.locator('[data-testid="encumbrance"]');
      if (asset.encumbrance.livePledges === 0 && !asset.encumbrance.enforcing) expect(await badges.count(), `asset ${id}`).to.equal(0);
      else {
        expect(await badges.getAttribute("data-live-pledges")).to.equal(String(asset.encumbrance.livePledges));
        expect(await badges.getAttribute("title")).to.equal(asset.encumbrance.summary);
        expect(await badges.locator("[data-pledge]").allInnerTexts()).to.deep.equal(live.map((p: any) => badgeLine(p, true)));
      }
      // The panel: live and filed pledges in the API's order (live by rank), the others as history.
      const shown = async (part: string) => page.locator(`[data-testid="pledges-${part}"] [data-pledge]`).evaluateAll((els) => els.map((e) => e.getAttribute("data-pledge")));
      const isCurrent = (p: any) => ["FILED", "LIVE", "DEFAULTED"].includes(p.status);
      expect(await shown("current")).to.deep.equal(asset.pledges.filter(isCurrent).map((p: any) => p.id));
      expect(await shown("history")).to.deep.equal(asset.pledges.filter((p: any) => !isCurrent(p)).map((p: any) => p.id));
      for (const p of asset.pledges) {
        seen.add(p.status);
        const card = page.locator(`#pledges [data-pledge="${p.id}"]`);
        const field = (f: string) => card.locator(`[data-field="${f}"]`).innerText();
        expect(await card.getAttribute("data-status")).to.equal(p.status);
        expect(await field("status")).to.equal(zh[p.status]);
        if (p.rank !== null) expect(await field("rank")).to.equal(`第${p.rank}顺位`);
        else expect(await card.locator('[data-field="rank"]').count()).to.equal(0);
        expect(await field("collateral")).to.equal(
          p.collateral === "Certificate" ? `使用权/经营权证书 #${p.certificateId}` : p.collateral === "Revenue" ? "收益权" : "持有权",
        );
        if (p.reservePrice) expect(await field("reservePrice")).to.equal(money(p.reservePrice));
        else expect(await card.locator('[data-field="reservePrice"]').count()).to.equal(0);
        if (p.certificate) {
          // The certificate's own term, and a warning when it ends before the debt is due.
          expect(await field("certificateTerm")).to.contain(`有效至 ${cstDay(p.certificate.validUntil)}`);
          const lapses = Date.parse(p.certificate.validUntil) < Date.parse(p.termEnd);
          expect(await card.locator('[data-warning="lapses-before-due"]').count()).to.equal(lapses ? 1 : 0);
        } else expect(await card.locator('[data-field="certificateTerm"]').count()).to.equal(0);
        expect(await field("securedAmount")).to.equal(money(p.securedAmount) + (p.maximumAmount ? " (最高额质押)" : ""));
        for (const f of ["received", "outstanding"]) expect(await field(f), `pledge ${p.id} ${f}`).to.equal(money(p[f]));
        for (const f of ["pledgee", "pledgor", "debtor"]) expect(await card.locator(`[data-field="${f}"] a`).getAttribute("title")).to.equal(p[f]);
        expect(await field("termEnd")).to.equal(cstDay(p.termEnd));
        expect(await field("externalRegistry")).to.equal(p.externalRegistry);
        expect(await field("externalNumber")).to.equal(p.externalNumber);
        expect(await field("externalRegisteredAt")).to.equal(cst(p.externalRegisteredAt));
        expect(await field("licensingAllowed")).to.equal(p.licensingAllowed ? "是" : "否");
        expect(await field("selfSaleAllowed")).to.equal(p.selfSaleAllowed ? "是" : "否");
        const consents = [["transfer", "转让"], ["cancellation", "注销登记"], ["licensing", "许可使用"]].filter(([k]) => p.consents[k]).map(([, l]) => l);
        expect(await field("consents")).to.equal(consents.join("、") || "无");
        if (p.default) expect(await field("default")).to.contain(p.default.byArbiter ? "仲裁裁定" : "质权人宣告");
        if (p.saleAuthorisation) expect(await field("saleAuthorisation")).to.contain(p.saleAuthorisation.byArbiter ? "仲裁/法院裁定" : "出质人同意");
        if (p.enforcement) {
          const e = await field("enforcement");
          expect(e).to.contain(`变卖挂牌 #${p.enforcement.listingId}`);
          expect(e).to.contain(money(p.enforcement.costs));
          if (p.enforcement.orderId) expect(e).to.contain(`成交订单 #${p.enforcement.orderId}`);
        }
        expect(await card.locator('[data-testid="pledge-proceeds"] [data-field="amount"]').allInnerTexts()).to.deep.equal(p.proceeds.map((r: any) => money(r.amount)));
        if (p.live) {
          for (const k of ["appraisal", "book"]) {
            const ltv = card.locator(`[data-ltv="${k}"]`);
            if (p.loanToValue[k] === null) expect(await ltv.count()).to.equal(0);
            else {
              expect(await ltv.getAttribute("data-ratio")).to.equal(p.loanToValue[k]);
              // With pledges ranked ahead, the cumulative ratio too.
              const cumulative = p.loanToValue[k === "book" ? "cumulativeBook" : "cumulativeAppraisal"];
              expect(await ltv.getAttribute("data-cumulative")).to.equal(cumulative);
              if (p.loanToValue.ahead.value !== "0.00") expect(await ltv.innerText()).to.contain(cumulative === null ? "" : "连同在先质押合计");
            }
          }
        }
      }
      if (id === String(demo.pledgedAssets.revenue)) {
        expect(live.map((p: any) => p.rank)).to.deep.equal([1, 2]);
        await page.locator(".asset-head").screenshot({ path: join(SCREENSHOTS, "encumbrance-badge.png") });
        await page.locator("#pledges").screenshot({ path: join(SCREENSHOTS, "pledges.png") });
        // In English.
        await page.getByRole("button", { name: "Switch to English" }).click();
        expect(await badges.locator("[data-pledge]").allInnerTexts()).to.deep.equal(live.map((p: any) => badgeLine(p, false)));
        expect(await page.locator(`#pledges [data-pledge="${live[0].id}"] [data-field="collateral"]`).innerText()).to.equal("Revenue (收益权)");
        expect(await page.locator(`#pledges [data-pledge="${live[0].id}"] [data-field="status"]`).innerText()).to.equal("Live");
        await page.getByRole("button", { name: "切换到中文" }).click();
        // Listing rows mark the asset as pledged.
        await open(`/search?q=${id}`);
        expect(await page.locator(`[data-result="${id}"] [data-encumbered]`).innerText()).to.equal(`已质押 ×${live.length}`);
      }
      if (id === String(demo.pledgedAssets.enforced)) await page.locator("#pledges").screenshot({ path: join(SCREENSHOTS, "pledges-enforced.png") });
      if (id === String(certified.assetId)) {
        // The pledged certificate's row in the certificates table: its live pledges in rank order.
        const certPledges = asset.pledges.filter((p: any) => p.live && p.certificateId === String(certified.certId));
        expect(certPledges.length).to.be.greaterThan(0);
        const row = page.locator(`[data-cert-encumbered="${certified.certId}"] [data-pledge]`);
        expect(await row.allInnerTexts()).to.deep.equal(
          certPledges.map((p: any) => `证书 #${certified.certId} 已质押 · 第${p.rank}顺位 · ${money(p.securedAmount)} · 至 ${cstDay(p.termEnd)}`),
        );
        await page.locator("#certificates").screenshot({ path: join(SCREENSHOTS, "certificate-pledged.png") });
      }
    }
    expect([...seen]).to.include.members(["LIVE", "RELEASED", "ENFORCED"]);
    // An asset never pledged says so.
    const { pledges } = await data(`query ($id: ID!) { pledges(asset: $id) { totalCount } }`, { id: String(demo.keyAssets.inspectionProduct) });
    if (pledges.totalCount === 0) {
      await open(`/asset/${demo.keyAssets.inspectionProduct}`);
      await page.waitForSelector('[data-testid="no-pledges"]');
      expect(await page.locator('[data-testid="encumbrance"]').count()).to.equal(0);
    }
  });

  it("entity page: the pledges tab lists what the bank lends against and what it pledged, with outstanding totals per currency, equal to the API's", async () => {
    const bank = demo.roles.bank.address;
    const page1 = async (side: "pledgee" | "pledgor") =>
      (await data(`query ($a: String!) { pledges(${side}: $a, first: 100) { nodes { id live status outstanding { raw value token { symbol } } } } }`, { a: bank })).pledges.nodes;
    const lent = await page1("pledgee");
    expect(lent.length).to.be.greaterThan(2);
    await open(`/entity/${bank}?tab=pledges`);
    await page.waitForSelector('[data-testid="entity-pledges-pledgee"]');
    const rows = page.locator('[data-testid="entity-pledges-pledgee"] tbody tr');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-pledge")))).to.deep.equal(lent.map((p: any) => p.id));
    expect(await page.locator('[data-testid="entity-pledges-pledgee"] [data-field="outstanding"]').allInnerTexts()).to.deep.equal(lent.map((p: any) => money(p.outstanding)));
    // The total outstanding of the live pledges, added in minor units (one currency in the demo).
    const live = lent.filter((p: any) => p.live);
    const total = live.reduce((n: bigint, p: any) => n + BigInt(p.outstanding.raw), 0n);
    const cents = total.toString().padStart(3, "0");
    const expected = money({ value: `${cents.slice(0, -2)}.${cents.slice(-2)}`, token: live[0].outstanding.token });
    expect(await text('[data-testid="entity-pledges-pledgee"] [data-field="totals"]')).to.equal(expected);
    // The bank pledged nothing itself: said so.
    if ((await page1("pledgor")).length === 0) await page.waitForSelector('[data-testid="no-pledges-pledgor"]');
    await page.locator("#pledges").screenshot({ path: join(SCREENSHOTS, "entity-pledges.png") });
  });

  it("entity page: the disclosure shows data resources restricted by pledges and used as security, carrying amounts and amortisation equal to the API's", async () => {
    const { entity, today } = pledged;
    const from = demo.period.from;
    const C = `intangible { value } inventory { value } development { value } total { value } intangibleAmortisation { value } assetIds`;
    const { disclosure } = await data(
      `query ($e: String!, $f: String!, $t: String!) { disclosure(entity: $e, from: $f, to: $t) { currency { symbol } pledgedDataResources { restricted { ${C} } security { ${C} } } } }`,
      { e: entity, f: from, t: today },
    );
    const p = disclosure[0].pledgedDataResources;
    expect(p.security.assetIds).to.include(pledged.asset);
    expect(p.security.total.value).not.to.match(/^0(\.0+)?$/);
    await open(`/entity/${entity}?tab=disclosure&from=${from}&to=${today}`);
    await page.waitForSelector('[data-testid="pledged"]');
    expect(await text('[data-testid="pledged"] caption')).to.contain("受限及用于担保的数据资源");
    for (const [k, label] of [["restricted", "所有权或使用权受到限制的数据资源"], ["security", "用于担保的数据资源"]]) {
      const row = page.locator(`[data-testid="pledged"] tr[data-pledged="${k}"]`);
      expect(await row.locator("th").innerText()).to.equal(label);
      for (const c of ["intangible", "inventory", "development", "total", "intangibleAmortisation"]) {
        expect(await row.locator(`[data-col="${c}"]`).innerText(), `${k} ${c}`).to.equal(grouped(p[k][c].value));
      }
      const links = await row.locator('[data-field="assets"] a').evaluateAll((els) => els.map((e) => e.getAttribute("href")));
      expect(links).to.deep.equal(p[k].assetIds.map((a: string) => `/asset/${a}`));
    }
    await page.locator('[data-testid="pledged"]').screenshot({ path: join(SCREENSHOTS, "disclosure-pledged.png") });
  });

  it("entity page: the balance-sheet lines and the books behind them equal the API's, as of any date; the monthly chart draws the month-end figures", async () => {
    const entity = bookKeeper();
    for (const asOf of [mid(), demo.period.to]) {
      const { balanceSheet } = await data(
        `query ($e: String!, $d: String!) { balanceSheet(entity: $e, asOf: $d) { currency { symbol } inventory { value token { symbol } } intangible { value token { symbol } }
          development { value token { symbol } } rows { bookId carryingAmount { value token { symbol } } cost { value token { symbol } } } } }`,
        { e: entity, d: asOf },
      );
      expect(balanceSheet.length).to.be.greaterThan(0);
      await open(`/entity/${entity}?asOf=${asOf}`);
      await page.waitForSelector('[data-testid="balance-lines"]');
      for (const line of ["inventory", "intangible", "development"]) {
        expect(await text(`[data-line="${line}"] [data-field="amount"]`), `${asOf} ${line}`).to.equal(money(balanceSheet[0][line]));
      }
      const rows = page.locator('[data-testid="book-rows"] tbody tr');
      expect(await rows.count()).to.equal(balanceSheet[0].rows.length);
      for (const r of balanceSheet[0].rows) {
        const row = page.locator(`[data-testid="book-rows"] [data-book="${r.bookId}"]`);
        expect(await row.locator('[data-field="carrying"]').innerText()).to.equal(money(r.carryingAmount));
        expect(await row.locator('[data-field="cost"]').innerText()).to.equal(money(r.cost));
      }
    }
    // The chart: ECharts (a lazy chunk) draws an SVG; the table beside it has each month-end's figures.
    await page.waitForSelector('[data-testid="carrying-chart"][data-drawn="yes"] svg', { timeout: 15_000 });
    const months = await page.locator('[data-testid="chart-table"] tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute("data-month")));
    expect(months.length).to.equal(12);
    const last = months[months.length - 1]!;
    const [y, m] = last.split("-").map(Number);
    const end = `${last}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`;
    const { balanceSheet } = await data(`query ($e: String!, $d: String!) { balanceSheet(entity: $e, asOf: $d) { intangible { value } inventory { value } } }`, { e: entity, d: end });
    const lastRow = page.locator(`[data-testid="chart-table"] tr[data-month="${last}"]`);
    expect(await lastRow.locator('[data-field="intangible"]').textContent()).to.equal(grouped(balanceSheet[0].intangible.value));
    expect(await lastRow.locator('[data-field="inventory"]').textContent()).to.equal(grouped(balanceSheet[0].inventory.value));
    await page.screenshot({ path: join(SCREENSHOTS, "entity-balance.png"), fullPage: true });
  });

  it("entity page: disclosure tables A and B in the official rows and columns, every figure and check equal to the API's", async () => {
    const entity = bookKeeper();
    const { from, to } = demo.period;
    const A = `key section label purchased { value } selfDeveloped { value } other { value } total { value }`;
    const { disclosure } = await data(
      `query ($e: String!, $f: String!, $t: String!) { disclosure(entity: $e, from: $f, to: $t) { intangible { title columns { purchased selfDeveloped other total } rows { ${A} } }
        inventory { title columns { purchased selfDeveloped other total } rows { ${A} } } checks { ok } checksPass } }`,
      { e: entity, f: from, t: to },
    );
    await open(`/entity/${entity}?tab=disclosure&from=${from}&to=${to}`);
    await page.waitForSelector('[data-testid="table-a"]');
    for (const [id, table] of [["table-a", disclosure[0].intangible], ["table-b", disclosure[0].inventory]] as const) {
      const headers = await page.locator(`[data-testid="${id}"] thead th`).allInnerTexts();
      expect(headers).to.deep.equal(["项目", table.columns.purchased, table.columns.selfDeveloped, table.columns.other, table.columns.total]);
      expect(await page.locator(`[data-testid="${id}"] tbody tr`).count()).to.equal(table.rows.length);
      for (const r of table.rows) {
        const row = page.locator(`[data-testid="${id}"] tr[data-row="${r.key}"]`);
        expect(await row.locator("th.label").innerText()).to.equal(r.label);
        for (const c of ["purchased", "selfDeveloped", "other", "total"]) {
          expect(await row.locator(`[data-col="${c}"]`).innerText(), `${id} ${r.key} ${c}`).to.equal(grouped(r[c].value));
        }
      }
    }
    expect(await text('[data-testid="table-a"] caption')).to.contain("无形资产");
    expect(await text('[data-testid="table-a"] tbody')).to.contain("一、账面原值");
    expect(await text('[data-testid="table-b"] tbody')).to.contain("二、存货跌价准备");
    expect(await page.locator('[data-testid="checks"]').getAttribute("data-pass")).to.equal(disclosure[0].checksPass ? "yes" : "no");
    expect(await page.locator('[data-testid="checks"] tbody tr').count()).to.equal(disclosure[0].checks.length);
    // Asset names of the books behind the tables.
    expect(await page.locator('[data-testid="book-rows"] td.name a').count()).to.be.greaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "entity-disclosure.png"), fullPage: true });
    // The journal tab.
    await page.locator('[data-tab="journal"]').click();
    await page.waitForSelector('[data-testid="journal"]');
    expect(await page.locator('[data-testid="journal"] tbody tr').count()).to.be.greaterThan(0);
    expect(await text('[data-testid="journal-totals"]')).to.match(/凭证 \d+ 张/);
  });

  it("entity page: the XLSX download opens with both tables and the book detail on separate sheets, numbers with 2-decimal formats, equal to the CSV's", async () => {
    const entity = bookKeeper();
    const { from, to } = demo.period;
    await open(`/entity/${entity}?tab=disclosure&from=${from}&to=${to}`);
    const href = await page.locator('[data-download="disclosure-xlsx"]').getAttribute("href");
    // Downloaded by the browser, as a user would.
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('[data-download="disclosure-xlsx"]').click()]);
    expect(download.suggestedFilename()).to.equal(`disclosure-${from}-${to}.xlsx`);
    const bytes = readFileSync((await download.path())!);
    expect(href).to.equal(`/xlsx/disclosure?entity=${encodeURIComponent(entity)}&from=${from}&to=${to}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(["表A 无形资产", "表B 存货", "研发支出", "账簿明细", "勾稽校验"]);
    const csv = parseCsv(await (await fetch(`${api.url}/csv/disclosure?entity=${entity}&from=${from}&to=${to}&lang=zh`)).text());
    expect(csv[0]).to.deep.equal(["主体", "期间起", "期间止", "币种", "表", "项目", "行", "外购", "自行开发（自行加工）", "其他方式", "合计"]);
    for (const [sheetName, title] of [["表A 无形资产", "无形资产（数据资源）"], ["表B 存货", "存货（数据资源）"]]) {
      const sheet = wb.getWorksheet(sheetName)!;
      expect(String(sheet.getRow(1).getCell(1).value)).to.contain(title);
      expect((sheet.getRow(2).values as unknown[]).slice(1, 3)).to.deep.equal(["项目", "行"]);
      const expected = csv.filter((r) => r[4] === title);
      expect(expected.length).to.be.greaterThan(5);
      expected.forEach((r, i) => {
        const row = sheet.getRow(3 + i);
        expect([row.getCell(1).value, row.getCell(2).value]).to.deep.equal([r[5], r[6]]);
        for (let c = 0; c < 4; c++) {
          const cell = row.getCell(3 + c);
          expect(typeof cell.value, `${sheetName} ${r[6]}`).to.equal("number"); // a number, not text
          expect(cell.value, `${sheetName} ${r[5]} ${r[6]} col ${c}`).to.equal(Number(r[7 + c]));
          expect((cell.value as number).toFixed(2)).to.equal(r[7 + c]); // the CSV's exact decimal
          expect(cell.numFmt).to.equal("#,##0.00");
        }
      });
    }
    const rd = wb.getWorksheet("研发支出")!;
    const rdCsv = csv.filter((r) => r[4] === "数据资源研究开发支出");
    rdCsv.forEach((r, i) => expect(rd.getRow(2 + i).getCell(3).value).to.equal(Number(r[10])));
    // The book detail: the balance sheet's books as of the period's end, as /csv/balance-sheet gives them.
    const bs = parseCsv(await (await fetch(`${api.url}/csv/balance-sheet?entity=${entity}&asOf=${to}&lang=zh`)).text());
    const books = bs.filter((r) => r[3] === "明细");
    const detail = wb.getWorksheet("账簿明细")!;
    expect(detail.getRow(1).getCell(5).value).to.equal("资产名称");
    books.forEach((r, i) => {
      const row = detail.getRow(2 + i);
      expect([row.getCell(3).value, row.getCell(4).value, row.getCell(5).value, row.getCell(6).value, row.getCell(7).value]).to.deep.equal([
        Number(r[4]), Number(r[5]), r[6], r[7], r[8],
      ]);
      for (let c = 0; c < 4; c++) {
        expect(row.getCell(8 + c).value).to.equal(Number(r[9 + c]));
        expect(row.getCell(8 + c).numFmt).to.equal("#,##0.00");
      }
    });
    const checks = wb.getWorksheet("勾稽校验")!;
    expect(checks.rowCount).to.be.greaterThan(1);
    for (let i = 2; i <= checks.rowCount; i++) expect(checks.getRow(i).getCell(5).value).to.equal("通过");
    // Bad input is a 400 with the reason, as for the CSV.
    const bad = await fetch(`${api.url}/xlsx/disclosure?entity=0x12&from=${from}&to=${to}`);
    expect(bad.status).to.equal(400);
    expect((await bad.json()).error).to.match(/entity/);
  });

  it("entity page: bad addresses, dates and periods get a clear message", async () => {
    const entity = bookKeeper();
    await open("/entity/0x1234");
    expect(await page.locator("main").innerText()).to.contain("不是有效的地址");
    await open(`/entity/${entity}?asOf=2026-02-30`);
    expect(await page.locator("#balance").innerText()).to.contain("“2026-02-30” 不是有效的日期");
    await open(`/entity/${entity}?tab=disclosure&from=2026-05-01&to=2026-04-01`);
    expect(await page.locator("#disclosure").innerText()).to.contain("期间起始晚于截止");
    await open(`/entity/${entity}?fromMonth=2020-01&toMonth=2026-01`);
    expect(await page.locator("#chart").innerText()).to.contain("最长 36 个月");
    // Typed into the form: refused before any request.
    await open(`/entity/${entity}`);
    await page.locator('[data-testid="balance-form"] input[name="asOf"]').fill("31/12/2026");
    await page.locator('[data-testid="balance-form"] button').click();
    expect(await page.locator('[data-testid="balance-form"] .form-error').innerText()).to.contain("不是有效的日期");
    // A date the API refuses (before 1970 is caught here; the API's own message shows for the rest).
    await open(`/entity/${entity}?asOf=1969-12-31`);
    expect(await page.locator("#balance").innerText()).to.contain("不是有效的日期");
    // The entity index lists the book keepers.
    await open("/entity");
    expect(await page.locator(`[data-entity-row="${entity}"]`).count()).to.equal(1);
  });

  it("exchange page: the enforcement sales on its venue, with the settled price, equal the API's", async () => {
    const SALE = `id enforcement { listing { id venueId active } settlement { order { id } gross { value token { symbol } } } }`;
    const { DEFAULTED, ENFORCED } = await data(`{ DEFAULTED: pledges(status: DEFAULTED, first: 50) { nodes { ${SALE} } } ENFORCED: pledges(status: ENFORCED, first: 50) { nodes { ${SALE} } } }`);
    const sold = ENFORCED.nodes.filter((p: any) => p.enforcement?.settlement);
    expect(sold.length, "the demo's sale by an arbiter's order").to.be.greaterThan(0);
    const venue = String(sold[0].enforcement.listing.venueId);
    const onVenue = (p: any) => p.enforcement?.listing && String(p.enforcement.listing.venueId) === venue;
    const expected = [...DEFAULTED.nodes.filter((p: any) => onVenue(p) && p.enforcement.listing.active), ...sold.filter(onVenue)];
    await open(`/exchange/${venue}`);
    await page.waitForSelector('[data-testid="enforcement-sales"]');
    const rows = page.locator('[data-testid="enforcement-sales"] tbody tr');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-pledge")))).to.deep.equal(expected.map((p: any) => p.id));
    const row = page.locator(`[data-testid="enforcement-sales"] tr[data-pledge="${sold[0].id}"]`);
    expect(await row.locator('[data-field="price"]').innerText()).to.equal(money(sold[0].enforcement.settlement.gross));
    expect(await row.locator('[data-field="state"]').innerText()).to.contain(`订单 #${sold[0].enforcement.settlement.order.id}`);
    await page.locator("#enforcement-sales").screenshot({ path: join(SCREENSHOTS, "enforcement-sales.png") });
  });

  it("exchange page: registrations by status, the objections waiting, and settlements and fees by month equal the API's", async () => {
    const x = demo.exchanges[0];
    const counts = await data(
      `query ($id: Int!) { ${["IN_NOTICE", "ACTIVE", "REJECTED", "CANCELLED"].map((s) => `${s}: assets(where: { registrarId: $id, status: ${s} }) { totalCount }`).join(" ")} }`,
      { id: x.id },
    );
    await open(`/exchange/${x.id}`);
    await page.waitForSelector('[data-testid="fees"]', { timeout: 15_000 });
    for (const s of ["IN_NOTICE", "ACTIVE", "REJECTED", "CANCELLED"]) {
      expect(await text(`[data-count="${s}"]`), s).to.equal(grouped(String(counts[s].totalCount)));
    }
    // The folder registered here is in notice with an open objection: waiting for this registrar.
    expect(await page.locator(`[data-testid="waiting"] tr[data-asset="${ids.folder}"]`).count()).to.equal(1);
    // Monthly sums over every settlement on this venue, computed here with BigInt.
    const sums = new Map<string, { trades: number; gross: bigint; exchangeFee: bigint }>();
    let after: string | null = null;
    for (;;) {
      const { settlements } = await data(`query ($a: String) { settlements(first: 100, after: $a) { nodes { venueId settledAt gross { raw } exchangeFee { raw } } pageInfo { hasNextPage endCursor } } }`, { a: after });
      for (const s of settlements.nodes) {
        if (s.venueId !== x.id) continue;
        const month = new Date(Date.parse(s.settledAt) + 8 * 3600_000).toISOString().slice(0, 7);
        const m = sums.get(month) ?? { trades: 0, gross: 0n, exchangeFee: 0n };
        m.trades++;
        m.gross += BigInt(s.gross.raw);
        m.exchangeFee += BigInt(s.exchangeFee.raw);
        sums.set(month, m);
      }
      if (!settlements.pageInfo.hasNextPage) break;
      after = settlements.pageInfo.endCursor;
    }
    expect(sums.size).to.be.greaterThan(0);
    expect(await page.locator('[data-testid="fees"] tbody tr').count()).to.equal(sums.size);
    const dec = (v: bigint) => grouped(`${v / 100n}.${String(v % 100n).padStart(2, "0")}`);
    for (const [month, m] of sums) {
      const row = page.locator(`[data-testid="fees"] tr[data-month="${month}"]`);
      expect(await row.locator('[data-field="trades"]').innerText()).to.equal(String(m.trades));
      expect(await row.locator('[data-field="gross"]').innerText(), month).to.equal(dec(m.gross));
      expect(await row.locator('[data-field="exchangeFee"]').innerText(), month).to.equal(dec(m.exchangeFee));
    }
    await page.waitForSelector('[data-testid="fees-chart"][data-drawn="yes"] svg', { timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, "exchange.png"), fullPage: true });
    await open("/exchange");
    expect(await page.locator(`[data-registrar-row="${x.id}"]`).innerText()).to.contain(x.code);
    await open("/exchange/999");
    expect(await page.locator("main").innerText()).to.contain("没有 ID 为 999 的交易所");
    await open("/exchange/x1");
    expect(await page.locator("main").innerText()).to.contain("不是有效的交易所 ID");
  });

  it("GraphiQL is served from this origin: it loads with no internet, shows the schema documentation and runs a query", async () => {
    // A page of its own whose requests outside the origin fail, as offline.
    const offline = await context.newPage();
    const outside: string[] = [];
    const origin = new URL(api.url).origin;
    await offline.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith("data:") || u.startsWith("blob:") || new URL(u).origin === origin) return route.continue();
      outside.push(u);
      return route.abort("internetdisconnected");
    });
    offline.on("pageerror", (e) => problems.push(`page error on GraphiQL: ${e.message}`));
    offline.on("console", (m) => m.type() === "error" && problems.push(`console error on GraphiQL: ${m.text()}`));
    await offline.goto(`${api.url}/graphql`);
    await offline.waitForSelector(".graphiql-container", { timeout: 30_000 });
    await offline.locator(".graphiql-execute-button").click();
    await offline.waitForFunction(() => /"chainId":\s*\d+/.test(document.querySelector(".graphiql-response, .result-window")?.textContent ?? ""), undefined, { timeout: 30_000 });
    const response = await offline.locator(".graphiql-response, .result-window").first().innerText();
    expect(response.replace(/\s+/g, " ")).to.contain(`"chainId": ${(await data(`{ _meta { chainId } }`))._meta.chainId}`);
    // The documentation explorer: the root type and a field's description from the schema.
    await offline.locator('[aria-label="Show Documentation Explorer"]').click();
    await offline.waitForSelector(".graphiql-doc-explorer", { timeout: 10_000 });
    await offline.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().click();
    await offline.waitForFunction(() => (document.querySelector(".graphiql-doc-explorer")?.textContent ?? "").includes("balanceSheet"), undefined, { timeout: 10_000 });
    await offline.screenshot({ path: join(SCREENSHOTS, "graphiql.png") });
    expect(outside).to.deep.equal([]);
    await offline.close();
    // /graphiql leads there too.
    const r = await fetch(`${api.url}/graphiql`, { redirect: "manual" });
    expect(r.status).to.equal(302);
    expect(r.headers.get("location")).to.equal("/graphql");
  });

  it("bad input gets a clear message, never a blank page", async () => {
    const cases: [string, RegExp][] = [
      ["/asset/999999", /没有 ID 为 999999 的资产/],
      ["/asset/abc", /不是有效的资产 ID/],
      ["/asset/0", /不是有效的资产 ID/],
      ["/nowhere", /页面不存在/],
    ];
    for (const [path, message] of cases) {
      await open(path);
      expect(await page.locator("main").innerText(), path).to.match(message);
    }
  });

  it("axe-core finds no serious or critical accessibility violation on the main pages", async () => {
    const axe = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    const entity = bookKeeper();
    for (const path of [
      "/",
      `/asset/${demo.keyAssets.derivedTwice}`,
      `/asset/${ids.folder}`,
      `/asset/${demo.pledgedAssets.revenue}`,
      `/asset/${demo.pledgedAssets.enforced}`,
      `/search?q=${ids.file}`,
      "/asset/999999",
      `/entity/${entity}`,
      `/entity/${entity}?tab=disclosure&from=${demo.period.from}&to=${demo.period.to}`,
      `/entity/${pledged.entity}?tab=disclosure&from=${demo.period.from}&to=${pledged.today}`,
      `/entity/${entity}?tab=journal`,
      "/entity",
      `/exchange/${demo.exchanges[0].id}`,
      "/exchange",
    ]) {
      await open(path);
      await page.waitForLoadState("networkidle");
      await page.addScriptTag({ content: axe });
      const violations = (await page.evaluate(async () => {
        const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(" ")) }));
      })) as { id: string; impact: string; nodes: string[] }[];
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(bad, `${path}: ${JSON.stringify(bad, null, 1)}`).to.deep.equal([]);
    }
  });

  it("loaded every page with no console error and no request outside the origin", () => {
    expect(problems).to.deep.equal([]);
  });
});
