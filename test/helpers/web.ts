// The demo the web app is tested and measured on (test/e2e/web.test.ts, bench/web.ts): the contracts deployed and
// seeded with the demo on Hardhat's in-process chain, plus two registrations of real content made here — a file
// (approved, then a second version) and a folder (still in notice, with an objection) — then the chain served over
// RPC, a real indexer following it, and the API serving the built web app at /. Runs under `hardhat test` and
// `hardhat run` alike (it uses the `hardhat` runtime's ethers).
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
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
import { indexerOptions, serveChain, tempDir, type RpcServer } from "./indexer";
import { hash, submission } from "./registry";

/** Debian's chromium, which the browser tests and the web benchmark drive with playwright-core. */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
export const CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium fonts-noto-cjk";

export const sha256 = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");

export interface WebDemo {
  signers: HardhatEthersSigner[];
  d: Deployed;
  demo: DemoSummary;
  chain: RpcServer;
  tmp: ReturnType<typeof tempDir>;
  indexer: Indexer;
  api: ApiServer;
  /** The file in two versions, a tampered copy of version 2, and the folder. */
  files: { v1: string; v2: string; tampered: string; dir: string };
  /** The asset ids of the file's and the folder's registrations. */
  ids: { file: string; folder: string };
  /** The folder's dal-merkle-v1 root, as dal computes it. */
  folderRoot: string;
  /** Stops the API, the indexer and the RPC server and removes the temporary directory (the chain is left as is). */
  close(): Promise<void>;
}

/** Deploys and seeds the demo, adds the file and folder registrations, and starts the indexer and the API. */
export async function startWebDemo(): Promise<WebDemo> {
  const signers = await ethers.getSigners();
  const d = await deployContracts(signers[0]);
  const demo = await seedDemo({ deployed: d, signers });
  const signer = (address: string) => signers.find((s) => s.address === address) as HardhatEthersSigner;
  const x = demo.exchanges[0];
  const registrar = signer(x.treasury);
  const holder = signer(demo.roles.inspection.address);

  // Real content: a file in two versions, a tampered copy, and a folder (nested, non-ASCII names).
  const tmp = tempDir();
  const files = { v1: "", v2: "", tampered: "", dir: "" };
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
  const folderRoot = (await hashPath(files.dir)).hash;

  // The file: submitted, approved after its notice, then a second version.
  const ids = { file: "", folder: "" };
  await (await d.registry.connect(holder).submit(submission({ name: "Harbour sensor readings (港口传感器读数)", contentHash: sha256(bytes), registrarId: x.id }))).wait();
  ids.file = String(await d.registry.assetCount());
  await time.increaseTo((await d.registry.assetOf(ids.file)).noticeEndsAt + 1n);
  await (await d.registry.connect(registrar).approveRegistration(ids.file)).wait();
  await (await d.registry.connect(holder).addVersion(ids.file, sha256(v2), hash("web-meta-v2"))).wait();
  // The folder: submitted and still in notice, with an open objection.
  await (await d.registry.connect(holder).submit(submission({ name: "Port survey 2026 (港口调查数据)", contentHash: folderRoot, registrarId: x.id }))).wait();
  ids.folder = String(await d.registry.assetCount());
  await (await d.registry.connect(signer(demo.roles.aiLab.address)).object(ids.folder, hash("web-objection"))).wait();

  const chain = await serveChain();
  const indexer = new Indexer(indexerOptions(chain.url, d.record, join(tmp.dir, "index.sqlite"), { pollIntervalMs: 50 }));
  await indexer.syncToHead();
  await indexer.start();
  ensureWebBuild();
  const api = await startApi({ database: join(tmp.dir, "index.sqlite"), sync: () => indexer.status(), port: 0, webRoot: WEB_DIST });
  const close = async () => {
    await api.close();
    await indexer.stop();
    await chain.close();
    tmp.remove();
  };
  return { signers, d, demo, chain, tmp, indexer, api, files, ids, folderRoot, close };
}

/** The demo entity whose books span the most categories (then the most books): figures in both disclosure tables. */
export function bookKeeper(demo: DemoSummary): string {
  const n = new Map<string, { categories: Set<string>; books: number }>();
  for (const b of Object.values(demo.books)) {
    const e = n.get(b.entity) ?? { categories: new Set<string>(), books: 0 };
    e.categories.add(b.category);
    e.books++;
    n.set(b.entity, e);
  }
  return [...n].sort((a, b) => b[1].categories.size - a[1].categories.size || b[1].books - a[1].books)[0][0];
}

/** The first page's JavaScript (the scripts and modulepreloads in web/dist/index.html) and its gzipped size in bytes. */
export function firstPageJs(): { html: string; scripts: string[]; gzipped: number } {
  const html = readFileSync(join(WEB_DIST, "index.html"), "utf8");
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const gzipped = scripts.reduce((n, s) => n + gzipSync(readFileSync(join(WEB_DIST, s))).length, 0);
  return { html, scripts, gzipped };
}
