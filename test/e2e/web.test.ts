// The web app (web/) in a real browser: Debian's chromium driven by playwright-core, against the demo on the
// in-process chain, a real indexer and the API server serving the built app at /. Adds two registrations of real
// content made here: a file (approved, then a second version) and a folder (still in notice, with an objection).
// Checks every page loads without console errors or requests outside the origin, the figures equal the API's, the
// lineage picture's nodes and edges, verification of a file, a folder and a tampered copy, bad input, axe-core,
// and the first page's JavaScript size; saves screenshots of the main pages into docs/screenshots/.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { deployContracts, type Deployed } from "../../scripts/deploy";
import { seedDemo, type DemoSummary } from "../../scripts/demo";
import { hashPath } from "../../scripts/dal/hash";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { ensureWebBuild, WEB_DIST } from "../../web/build";
import { indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphqlData } from "../helpers/api";
import { hash, submission } from "../helpers/registry";

const ROOT = join(__dirname, "..", "..");
const SCREENSHOTS = join(ROOT, "docs", "screenshots");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const INSTALL = "apt-get update && apt-get install -y chromium fonts-noto-cjk";

/** "1234567.50" -> "1,234,567.50": what the page shows for an exact API amount. */
const grouped = (d: string) => d.replace(/^(-?\d+)/, (w) => w.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
const money = (a: { value: string; token: { symbol: string } }) => `${grouped(a.value)} ${a.token.symbol}`;
const sha256 = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");

describe("web app in a real browser (e2e)", function () {
  let snapshot: string;
  let d: Deployed;
  let demo: DemoSummary;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = []; // console errors, page errors, requests outside the origin
  const files = { v1: "", v2: "", tampered: "", dir: "" };
  const ids = { file: "", folder: "" };
  let folderRoot: string;

  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);
  const open = async (path: string) => {
    await page.goto(`${api.url}${path}`);
    await page.waitForSelector("main > :not(.loading)", { timeout: 10_000 });
  };
  const text = (selector: string) => page.locator(selector).first().innerText();

  before(async function () {
    if (!CHROMIUM) throw new Error(`chromium is not installed; the browser tests need Debian's chromium: ${INSTALL}`);
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    const signers = await ethers.getSigners();
    d = await deployContracts(signers[0]);
    demo = await seedDemo({ deployed: d, signers });
    const signer = (address: string) => signers.find((s) => s.address === address) as HardhatEthersSigner;
    const x = demo.exchanges[0];
    const registrar = signer(x.treasury);
    const holder = signer(demo.roles.inspection.address);

    // Real content: a file in two versions, a tampered copy, and a folder (nested, non-ASCII names).
    tmp = tempDir();
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    files.v1 = join(tmp.dir, "readings-v1.csv");
    files.v2 = join(tmp.dir, "readings-v2.csv");
    files.tampered = join(tmp.dir, "readings-v2-tampered.csv");
    writeFileSync(files.v1, bytes);
    const v2 = Buffer.concat([bytes, Buffer.from("\n2026-12,42\n")]);
    writeFileSync(files.v2, v2);
    const tampered = Buffer.from(v2);
    tampered[1000] ^= 1;
    writeFileSync(files.tampered, tampered);
    files.dir = join(tmp.dir, "survey");
    mkdirSync(join(files.dir, "2026", "区域"), { recursive: true });
    writeFileSync(join(files.dir, "README.md"), "Port survey, 2026\n");
    writeFileSync(join(files.dir, ".manifest"), "hidden files count too\n");
    writeFileSync(join(files.dir, "2026", "a.csv"), "x,y\n1,2\n");
    writeFileSync(join(files.dir, "2026", "B.csv"), Buffer.alloc(70_000, 7));
    writeFileSync(join(files.dir, "2026", "区域", "数据.json"), JSON.stringify({ region: "临江" }));
    folderRoot = (await hashPath(files.dir)).hash;

    // The file: submitted, approved after its notice, then a second version.
    await (await d.registry.connect(holder).submit(submission({ name: "Harbour sensor readings (港口传感器读数)", contentHash: sha256(bytes), registrarId: x.id }))).wait();
    ids.file = String(await d.registry.assetCount());
    await time.increaseTo((await d.registry.assetOf(ids.file)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(ids.file)).wait();
    await (await d.registry.connect(holder).addVersion(ids.file, sha256(v2), hash("web-meta-v2"))).wait();
    // The folder: submitted and still in notice, with an open objection.
    await (await d.registry.connect(holder).submit(submission({ name: "Port survey 2026 (港口调查数据)", contentHash: folderRoot, registrarId: x.id }))).wait();
    ids.folder = String(await d.registry.assetCount());
    await (await d.registry.connect(signer(demo.roles.aiLab.address)).object(ids.folder, hash("web-objection"))).wait();

    chain = await serveChain();
    indexer = new Indexer(indexerOptions(chain.url, d.record, join(tmp.dir, "index.sqlite"), { pollIntervalMs: 50 }));
    await indexer.syncToHead();
    await indexer.start();
    ensureWebBuild();
    api = await startApi({ database: join(tmp.dir, "index.sqlite"), sync: () => indexer.status(), port: 0, webRoot: WEB_DIST });

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
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
    if (snapshot) await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("ships at most 300 KB of gzipped JavaScript on the first page, the lineage and hashing loaded lazily", () => {
    const html = readFileSync(join(WEB_DIST, "index.html"), "utf8");
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(scripts.length).to.be.greaterThan(0);
    const gzipped = scripts.reduce((n, s) => n + gzipSync(readFileSync(join(WEB_DIST, s))).length, 0);
    expect(gzipped).to.be.lessThan(300 * 1024);
    expect(scripts.join(" ")).not.to.match(/lineage|verify/);
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
    await page.locator("#verify").screenshot({ path: join(SCREENSHOTS, "verify-in-notice.png") });
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
    for (const path of ["/", `/asset/${demo.keyAssets.derivedTwice}`, `/asset/${ids.folder}`, `/search?q=${ids.file}`, "/asset/999999"]) {
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
