// The dal command-line tool run as a separate process, as a person or a script runs it, against the in-process
// Hardhat chain served over HTTP, a real indexer and the GraphQL API. Each CLI start costs a ts-node compile, so
// independent invocations run concurrently and each one is asserted on thoroughly. The network is restored after.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { HDNodeWallet, MaxUint256, Wallet, encryptKeystoreJsonSync } from "ethers";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { deployContracts, type Deployed } from "../../scripts/deploy";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { SettlementToken__factory, type SettlementToken } from "../../typechain-types";
import { indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphqlData } from "../helpers/api";
import { currentContentHash } from "../helpers/content";
import { RightKind, grantTerms, submission } from "../helpers/registry";

const ROOT = join(__dirname, "..", "..");
const DAY = 24 * 60 * 60;
const CST = 8 * 60 * 60;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The value printed on the "label: value" line of a command's output. */
function fact(out: string, label: string): string {
  const m = new RegExp(`^${label.replace(/[()]/g, "\\$&")}:\\s+(.*)$`, "m").exec(out);
  if (!m) throw new Error(`no "${label}" in output:\n${out}`);
  return m[1];
}

const sha256 = (...parts: (Buffer | string)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A free TCP port with nothing listening: "the RPC / API is down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** YYYY-MM-DD (UTC+8) of a unix time. */
const cstDay = (t: number) => new Date((t + CST) * 1000).toISOString().slice(0, 10);

describe("dal CLI (end to end, as a process)", function () {
  let snapshot: string;
  let d: Deployed;
  let token: SettlementToken;
  let tokenAddress: string;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  let registrar: HardhatEthersSigner, holder: HardhatEthersSigner, buyer: HardhatEthersSigner;
  let licensee: HardhatEthersSigner, assessor: HardhatEthersSigner, treasury: HardhatEthersSigner, arbiter: HardhatEthersSigner;
  const keys: Record<string, string> = {};
  let env: Record<string, string>;
  let files: { data: string; dir: string; evidence: string; deployment: string; wrongChain: string; keystore: string };
  let fileAsset: string;
  let dirAsset: string;
  let listingId: string;

  const dal = (args: string[], extra: Record<string, string | undefined> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const childEnv: Record<string, string | undefined> = { ...process.env, ...env, ...extra };
      for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
      const child = spawn(process.execPath, [join(ROOT, "bin", "dal.js"), ...args], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
      child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  const as = (who: string) => ({ DAL_PRIVATE_KEY: keys[who] });
  /** Asserts the exit code, showing the output when it differs. */
  const expectExit = (r: Run, code: number) => expect(r.code, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(code);

  /** Waits until the index holds every block mined so far, before asking the API. */
  async function synced(): Promise<void> {
    const head = await ethers.provider.getBlockNumber();
    for (let i = 0; i < 400; i++) {
      if ((indexer.status().latestBlock ?? -1) >= head) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`index stuck at ${indexer.status().latestBlock}, head ${head}`);
  }

  /** A CSV route's body byte for byte (Response.text() would drop the BOM). */
  const apiCsv = async (path: string) => Buffer.from(await (await fetch(`${api.url}${path}`)).arrayBuffer()).toString("utf8");

  const gql = (query: string) => graphqlData(api.url, query);

  before(async function () {
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    const signers = await ethers.getSigners();
    const [admin] = signers;
    [registrar, holder, buyer, licensee, assessor, treasury, arbiter] = signers.slice(1, 8);
    // The CLI signs with raw keys: derive the Hardhat accounts' keys from the network's mnemonic.
    const accounts = network.config.accounts as { mnemonic: string; path: string; passphrase: string };
    const names = ["admin", "registrar", "holder", "buyer", "licensee", "assessor", "treasury", "arbiter"];
    names.forEach((name, i) => {
      const w = HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/${i}`);
      expect(w.address).to.equal(signers[i].address);
      keys[name] = w.privateKey;
    });

    d = await deployContracts(admin);
    await (await d.registry.addRegistrar("SZDE", 5 * DAY)).wait();
    await (await d.registry.grantRole(await d.registry.registrarRole(1), registrar.address)).wait();
    token = await new SettlementToken__factory(admin).deploy("Digital Yuan (test)", "eCNY", 2, admin.address);
    tokenAddress = await token.getAddress();
    await (await d.exchange.setTokenAllowed(tokenAddress, true)).wait();
    await (await d.exchange.setVenue(1, treasury.address, 100)).wait();
    await (await token.mint(buyer.address, 1_000_000_00n)).wait();
    await (await d.ledger.grantRole(await d.ledger.ASSESSOR_ROLE(), assessor.address)).wait();
    await (await d.exchange.grantRole(await d.exchange.ARBITER_ROLE(), arbiter.address)).wait();

    tmp = tempDir();
    const dir = join(tmp.dir, "dataset");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "a.txt"), "alpha\n");
    writeFileSync(join(dir, "b.csv"), "id,value\n1,2\n");
    writeFileSync(join(dir, ".hidden"), "hidden files count too");
    writeFileSync(join(dir, "sub", "c.json"), '{"c":3}');
    writeFileSync(join(dir, "数据.txt"), "非 ASCII 路径");
    files = {
      data: join(tmp.dir, "inspections-2025.csv"),
      dir,
      evidence: join(tmp.dir, "evidence.pdf"),
      deployment: join(tmp.dir, "deployment.json"),
      wrongChain: join(tmp.dir, "wrong-chain.json"),
      keystore: join(tmp.dir, "holder.keystore.json"),
    };
    writeFileSync(files.data, Buffer.concat([Buffer.from("site,date,result\n"), Buffer.alloc(300_000, "x")]));
    writeFileSync(files.evidence, "signed report");
    writeFileSync(files.deployment, JSON.stringify(d.record));
    writeFileSync(files.wrongChain, JSON.stringify({ ...d.record, chainId: 999 }));
    // A cheap scrypt cost keeps the test fast; the format is the standard one any wallet writes.
    writeFileSync(files.keystore, encryptKeystoreJsonSync({ address: holder.address, privateKey: keys.holder }, "correct horse", { scrypt: { N: 1 << 10 } }));

    chain = await serveChain();
    const database = join(tmp.dir, "index.sqlite");
    indexer = new Indexer(indexerOptions(chain.url, d.record, database));
    await indexer.syncToHead();
    await indexer.start();
    api = await startApi({ database, sync: () => indexer.status(), port: 0 });
    env = { RPC_URL: chain.url, DEPLOYMENT: files.deployment, API_URL: api.url, DAL_PRIVATE_KEY: "", DAL_KEYSTORE: "", DAL_TOKEN: "" };
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
    await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("documents itself: --help on the program and on commands, exit codes listed; --private-key refused; an unknown flag named", async () => {
    const [top, register, recognise, privateKey, bogus, missing, verifyHelp, dismissHelp, approveHelp, refundHelp, pledgeHelp, fileHelp, listHelp] = await Promise.all([
      dal(["--help"]),
      dal(["register", "--help"]),
      dal(["record", "recognise", "--help"]),
      dal(["approve", "1", "--private-key", keys.registrar], as("registrar")),
      dal(["balance-sheet", "--bogus"]),
      dal(["balance-sheet", "--as-of", "2025-12-31"]),
      dal(["verify", "--help"]),
      dal(["objection", "dismiss", "--help"]),
      dal(["approve", "--help"]),
      dal(["refund", "--help"]),
      dal(["pledge", "--help"]),
      dal(["pledge", "file", "--help"]),
      dal(["list", "--help"]),
    ]);
    expectExit(top, 0);
    for (const command of [
      "register", "verify", "approve", "reject", "object", "objection", "add-version", "transfer", "renew", "cancel", "grant", "revoke", "list", "buy",
      "deliver", "accept", "settle", "dispute", "resolve-dispute", "refund", "withdraw", "pledge", "enforce", "pledges", "attest", "record", "balance-sheet",
      "disclosure", "journal", "provenance",
    ]) {
      expect(top.stdout).to.match(new RegExp(`^  ${command}\\b`, "m"));
    }
    for (const code of ["0  success", "1  verify", "2  usage error", "3  cannot reach", "4  wrong chain", "5  refused", "6  insufficient", "8  not sent", "9  verify"]) {
      expect(top.stdout).to.include(code);
    }
    expect(top.stdout).to.include("DAL_PRIVATE_KEY").and.include("RPC_URL").and.include("API_URL");
    expectExit(register, 0);
    expect(register.stdout).to.include("--parent <id:bps>").and.include("--metadata <json file>").and.include("dal-merkle-v1");
    expectExit(recognise, 0);
    expect(recognise.stdout).to.include("--category <category>").and.include('"development"').and.include("--evidence <file|hash>").and.include("--allow-duplicate");
    expectExit(verifyHelp, 0);
    expect(verifyHelp.stdout).to.include("--chain-only");
    expectExit(dismissHelp, 0);
    expect(dismissHelp.stdout).to.include("[objectionId]").and.include("--asset <assetId>").and.include("exactly one open").and.include("--resolution <file|hash>");
    expectExit(approveHelp, 0);
    expect(approveHelp.stdout).to.include("--all-due").and.include("--dry-run").and.include("from the API").and.include("RegistrationSubmitted");
    expectExit(refundHelp, 0);
    expect(refundHelp.stdout).to.include("refundUndelivered").and.include("refundUnresolvedDispute").and.include("refundStranded");
    // Every pledge step, at a glance in `dal --help` and as a subcommand of `dal pledge`.
    expect(top.stdout.replace(/\s+/g, " ")).to.include("pledge accept|change|release|consent|default").and.include("pledge objection uphold|dismiss");
    expectExit(pledgeHelp, 0);
    for (const sub of ["file", "accept", "change", "release", "consent", "default", "authorise-sale", "withdraw", "withdraw-sale", "object", "objection"]) {
      expect(pledgeHelp.stdout).to.match(new RegExp(`^  ${sub} `, "m"));
    }
    expectExit(fileHelp, 0);
    expect(fileHelp.stdout).to.include("--certificate <certId>").and.include("--reserve-price <decimal>");
    expectExit(listHelp, 0);
    expect(listHelp.stdout.replace(/\s+/g, " ")).to.include("--seller-cert <certId>").and.include("sell this transferable rights certificate itself");
    // An unknown flag is named, even when a required option is missing too; a missing one alone is still said.
    expectExit(bogus, 2);
    expect(bogus.stderr).to.include("unknown option '--bogus'").and.not.include("required option");
    expectExit(missing, 2);
    expect(missing.stderr).to.include("required option '--entity <address>' not specified");
    expectExit(privateKey, 2);
    expect(privateKey.stderr).to.include("--private-key is refused").and.include("DAL_PRIVATE_KEY").and.include("--keystore");
    expect(privateKey.stderr).not.to.include(keys.registrar.slice(2));
  });

  it("registers a file and a directory with content hashes that an independent computation reproduces", async () => {
    const [file, dir] = await Promise.all([
      dal(["register", files.data, "--name", "Municipal inspections 2025", "--kind", "product", "--records", "1250", "--update", "monthly"], as("holder")),
      dal(["register", files.dir, "--name", "Construction data pool", "--validity-days", "730"], as("licensee")),
    ]);
    expectExit(file, 0);
    expectExit(dir, 0);

    const fileHash = "0x" + sha256(readFileSync(files.data)).toString("hex");
    expect(fact(file.stdout, "content hash")).to.equal(fileHash);
    expect(fact(file.stdout, "hashed")).to.equal(`file, ${readFileSync(files.data).length} bytes (SHA-256)`);
    // dal-merkle-v1 by hand: paths sorted by UTF-8 bytes; the fifth leaf is promoted past two levels.
    const paths = [".hidden", "a.txt", "b.csv", "sub/c.json", "数据.txt"];
    const leaf = (p: string) => sha256(Buffer.from([0]), Buffer.from(p, "utf8"), Buffer.from([0]), sha256(readFileSync(join(files.dir, ...p.split("/")))));
    const node = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
    const [l0, l1, l2, l3, l4] = paths.map(leaf);
    const root = "0x" + node(node(node(l0, l1), node(l2, l3)), l4).toString("hex");
    expect(fact(dir.stdout, "content hash")).to.equal(root);
    expect(fact(dir.stdout, "hashed")).to.match(/^directory, 5 files, \d+ bytes/);

    fileAsset = fact(file.stdout, "asset id");
    dirAsset = fact(dir.stdout, "asset id");
    expect(await currentContentHash(d.registry, fileAsset)).to.equal(fileHash);
    expect(await currentContentHash(d.registry, dirAsset)).to.equal(root);
    // Without --metadata the tool generates the document it hashes, and prints it for publishing.
    const document = fact(file.stdout, "metadata document");
    expect(JSON.parse(document)).to.include({ name: "Municipal inspections 2025", kind: "Product", records: "1250", contentHash: fileHash });
    expect(fact(file.stdout, "metadata hash")).to.equal("0x" + sha256(document).toString("hex"));
    const asset = await d.registry.assetOf(fileAsset);
    expect(fact(file.stdout, "notice ends")).to.equal(new Date((Number(asset.noticeEndsAt) + CST) * 1000).toISOString().replace(/\.\d{3}Z$/, "+08:00"));
  });

  it("approves after the public notice (time travel), with the registrar's key", async () => {
    await time.increaseTo((await d.registry.assetOf(fileAsset)).noticeEndsAt + 1n);
    const r = await dal(["approve", fileAsset], as("registrar"));
    expectExit(r, 0);
    expect(fact(r.stdout, "registration number")).to.match(/^SZDE-\d{4}-000001$/);
    expect(fact(r.stdout, "holder")).to.equal(holder.address);
    expect((await d.registry.assetOf(fileAsset)).status).to.equal(3n); // Active
    expect(await d.registry.registrationNumber(fileAsset)).to.equal(fact(r.stdout, "registration number"));
  });

  it("verifies with the registration's status: a match in force (exit 0), in notice with an objection (exit 9), a changed file (exit 1), the chain when the API is down or with --chain-only, an API of another chain refused (exit 4)", async () => {
    // A registration still in public notice, with an open objection: its content matches, but it is not approved.
    const pending = submission();
    await (await d.registry.connect(licensee).submit(pending)).wait();
    const pendingAsset = String(await d.registry.assetCount());
    await (await d.registry.connect(assessor).object(pendingAsset, "0x" + sha256("objection").toString("hex"))).wait();
    await synced();
    const changed = join(tmp.dir, "changed.csv");
    writeFileSync(changed, readFileSync(files.data));
    appendFileSync(changed, "one more row\n");
    const pendingHash = pending.contentHash as string;
    const [match, matchJson, mismatch, viaChain, inNotice, inNoticeChain, inNoticeJson, otherChain] = await Promise.all([
      dal(["verify", fileAsset, files.data]),
      dal(["--json", "verify", fileAsset, files.data]),
      dal(["verify", fileAsset, changed]),
      dal(["verify", dirAsset, files.dir], { API_URL: `http://127.0.0.1:${await closedPort()}` }),
      dal(["verify", pendingAsset, pendingHash]),
      dal(["verify", pendingAsset, pendingHash, "--chain-only"]),
      dal(["--json", "verify", pendingAsset, pendingHash]),
      dal(["verify", fileAsset, files.data], { DEPLOYMENT: files.wrongChain }),
    ]);
    expectExit(match, 0);
    expect(fact(match.stdout, "result")).to.equal("MATCH");
    expect(fact(match.stdout, "status")).to.match(/^approved \(SZDE-\d{4}-000001\), valid until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(fact(match.stdout, "version")).to.equal("1 (current)");
    expect(fact(match.stdout, "registered at")).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(fact(match.stdout, "source")).to.equal(`API ${api.url}`);
    expect(fact(match.stdout, "chain")).to.equal(`31337 (deployment record ${files.deployment})`);
    // --json: typed fields (a version is a number and a flag, the status an object), not the text's phrases.
    expectExit(matchJson, 0);
    const verdict = JSON.parse(matchJson.stdout);
    expect(verdict).to.deep.include({ result: "MATCH", matches: true, inForce: true, assetId: fileAsset, version: { version: 1, current: true } });
    expect(verdict.status).to.deep.include({ state: "approved", inForce: true, openObjections: 0, endedAt: null });
    expect(verdict.chain).to.deep.equal({ chainId: 31337, deploymentRecord: files.deployment, checked: true });
    expectExit(mismatch, 1);
    expect(fact(mismatch.stdout, "result")).to.equal("MISMATCH");
    expect(fact(mismatch.stdout, "current hash")).to.equal(await currentContentHash(d.registry, fileAsset));
    // Never approved: a match, but not a registration in force (exit 9), whichever way it is asked.
    const noticeEnds = new Date((Number((await d.registry.assetOf(pendingAsset)).noticeEndsAt) + CST) * 1000).toISOString().replace(/\.\d{3}Z$/, "+08:00");
    for (const r of [inNotice, inNoticeChain]) {
      expectExit(r, 9);
      expect(fact(r.stdout, "result")).to.equal("MATCH, but the registration is NOT IN FORCE (in notice, not approved)");
      expect(fact(r.stdout, "status")).to.equal(`in notice until ${noticeEnds}, 1 open objection; not approved`);
      expect(fact(r.stdout, "version")).to.equal("1 (current)");
    }
    expect(fact(inNotice.stdout, "source")).to.equal(`API ${api.url}`);
    expect(fact(inNoticeChain.stdout, "source")).to.match(/^chain 31337 via http:/);
    expectExit(inNoticeJson, 9);
    const pendingVerdict = JSON.parse(inNoticeJson.stdout);
    expect(pendingVerdict).to.deep.include({ result: "MATCH", matches: true, inForce: false });
    expect(pendingVerdict.status).to.deep.equal({
      state: "in-notice",
      inForce: false,
      openObjections: 1,
      registrationNumber: null,
      noticeEndsAt: noticeEnds,
      validUntil: null,
      endedAt: null,
    });
    expectExit(viaChain, 9);
    expect(fact(viaChain.stdout, "version")).to.equal("1 (current)");
    expect(fact(viaChain.stdout, "status")).to.match(/^in notice until .*; not approved$/);
    expect(fact(viaChain.stdout, "source")).to.match(/^chain 31337 via http:/);
    // The deployment record is for chain 999, the API serves 31337: no verdict "via API" about another registry.
    expectExit(otherChain, 4);
    expect(otherChain.stdout).to.equal("");
    expect(otherChain.stderr).to.include(`the API at ${api.url} serves chain 31337`).and.include("is for chain 999").and.include("--chain-only");
  });

  it("grants a right as holder, and refuses a non-holder with the decoded custom error (exit 5)", async () => {
    const until = cstDay((await time.latest()) + 365 * DAY);
    const [granted, notHolder] = await Promise.all([
      dal(["grant", fileAsset, "--to", licensee.address, "--kind", "product-operation", "--until", until, "--scope-mask", "0b11", "--sublicensable"], as("holder")),
      dal(["grant", fileAsset, "--to", buyer.address, "--kind", "processing-use", "--until", until], as("buyer")),
    ]);
    expectExit(granted, 0);
    const certId = fact(granted.stdout, "certificate id");
    const right = await d.rights.rightOf(certId);
    expect(right.kind).to.equal(1n);
    expect(right.sublicensable).to.equal(true);
    expect(right.scopeMask).to.equal(3n);
    expect(await d.rights.ownerOf(certId)).to.equal(licensee.address);
    // --until is inclusive: valid through 23:59:59 of that day in UTC+8.
    expect(fact(granted.stdout, "valid until")).to.equal(`${until}T23:59:59+08:00`);
    const [grantedEvent] = await d.rights.queryFilter(d.rights.filters.RightGranted(certId));
    expect(grantedEvent.args.terms.scopeHash).to.equal(fact(granted.stdout, "scope hash"));
    expectExit(notHolder, 5);
    expect(notHolder.stderr).to.include(`not the holder of asset ${fileAsset}`).and.include("(NotAssetHolder)").and.include(buyer.address);
  });

  it("lists, buys (setting the allowance), delivers, accepts and withdraws (with a keystore); malformed amounts exit 2", async () => {
    const [listed, syntax, precision] = await Promise.all([
      dal(["list", fileAsset, "--price", "1234.56", "--token", tokenAddress, "--scope-mask", "0b01"], as("holder")),
      dal(["list", fileAsset, "--price", "12.3.4"], as("holder")),
      dal(["list", fileAsset, "--price", "1.234"], as("holder")), // the token has 2 decimals; the token is found on the exchange
    ]);
    expectExit(syntax, 2);
    expect(syntax.stderr).to.include('--price: "12.3.4" is not an amount');
    expectExit(precision, 2);
    expect(precision.stderr).to.include("1.234 has more decimal places than the token's 2");
    expectExit(listed, 0);
    listingId = fact(listed.stdout, "listing id");
    expect(fact(listed.stdout, "price")).to.equal("1234.56 eCNY");
    expect((await d.exchange.listingOf(listingId)).terms.price).to.equal(123456n);

    expect(await token.allowance(buyer.address, await d.exchange.getAddress())).to.equal(0n);
    const bought = await dal(["buy", listingId, "--max-price", "1300"], as("buyer"));
    expectExit(bought, 0);
    expect(fact(bought.stdout, "allowance")).to.match(/^set to 1234\.56 eCNY \(tx 0x[0-9a-f]{64}\)$/);
    const orderId = fact(bought.stdout, "order id");
    expect((await d.exchange.orderOf(orderId)).status).to.equal(1n); // Paid
    expect(await token.balanceOf(buyer.address)).to.equal(1_000_000_00n - 123456n);

    const delivered = await dal(["deliver", orderId, "--proof", files.evidence], as("holder"));
    expectExit(delivered, 0);
    expect(fact(delivered.stdout, "delivery hash")).to.equal("0x" + sha256(readFileSync(files.evidence)).toString("hex"));

    const accepted = await dal(["accept", orderId], as("buyer"));
    expectExit(accepted, 0);
    expect(fact(accepted.stdout, "gross")).to.equal("1234.56 eCNY");
    expect(fact(accepted.stdout, "exchange fee")).to.equal(`12.34 eCNY to ${treasury.address}`); // floor(123456 x 1%)
    expect(fact(accepted.stdout, "seller net")).to.equal(`1222.22 eCNY to ${holder.address}`);
    expect(await d.rights.ownerOf(fact(accepted.stdout, "rights certificate"))).to.equal(buyer.address);

    const [withdrawn, nothing] = await Promise.all([
      dal(["withdraw", "--keystore", files.keystore], { DAL_KEYSTORE_PASSWORD: "correct horse" }),
      dal(["withdraw"], as("buyer")),
    ]);
    expectExit(withdrawn, 0);
    expect(fact(withdrawn.stdout, "withdrawn")).to.equal("1222.22 eCNY");
    expect(await token.balanceOf(holder.address)).to.equal(122222n);
    expectExit(nothing, 6);
    expect(nothing.stderr).to.include("nothing to withdraw");
  });

  it("buys again: a price above --max-price is not sent (exit 8), an unlimited allowance says so, --json gives typed amounts", async () => {
    const exchange = await d.exchange.getAddress();
    await (await token.connect(buyer).approve(exchange, MaxUint256)).wait();
    const orders = await d.exchange.orderCount();
    const [tooDear, bought] = await Promise.all([
      dal(["buy", listingId, "--max-price", "1000"], as("buyer")),
      dal(["--json", "buy", listingId, "--max-price", "1300"], as("buyer")),
    ]);
    expectExit(tooDear, 8);
    expect(tooDear.stderr).to.include("not sent: the price 1234.56 eCNY is above --max-price 1000.00 eCNY");
    expectExit(bought, 0);
    const json = JSON.parse(bought.stdout);
    const amount = (amount: string, raw: string) => ({ amount, raw, token: tokenAddress, symbol: "eCNY", decimals: 2 });
    expect(json.price).to.deep.equal(amount("1234.56", "123456"));
    expect(json.allowance).to.deep.equal({ ...amount(`${MaxUint256 / 100n}.${String(MaxUint256 % 100n).padStart(2, "0")}`, MaxUint256.toString()), unlimited: true, setNow: false, tx: null });
    expect(json.orderId).to.equal(String(orders + 1n));
    expect(json.listingId).to.equal(listingId);
    const text = await dal(["buy", listingId], as("buyer"));
    expectExit(text, 0);
    expect(fact(text.stdout, "allowance")).to.equal("already unlimited");
    expect(fact(text.stdout, "price")).to.equal("1234.56 eCNY");
    expect(await d.exchange.orderCount()).to.equal(orders + 2n); // the refused one was never sent
  });

  it("records an attestation and accounting entries, then prints the balance sheet and disclosure as tables and CSV", async () => {
    const [quality, recognised] = await Promise.all([
      dal(["attest", "quality", fileAsset, "--scores", "90,85,80,95,70,88", "--report", files.evidence], as("assessor")),
      dal(
        ["record", "recognise", fileAsset, "--category", "intangible", "--source", "purchased", "--life-months", "24", "--currency", tokenAddress, "--date", "2025-01-10", "--evidence", files.evidence],
        as("holder"),
      ),
    ]);
    expectExit(quality, 0);
    const attestation = await d.ledger.attestationOf(fact(quality.stdout, "attestation id"));
    expect(attestation.kind).to.equal(1n); // Quality
    expect(attestation.author).to.equal(assessor.address);
    expectExit(recognised, 0);
    const bookId = fact(recognised.stdout, "book id");
    const cost = await dal(["record", "cost", bookId, "--amount", "120000.00", "--date", "2025-01-10", "--evidence", files.evidence], as("holder"));
    expectExit(cost, 0);
    const impaired = await dal(["record", "impair", bookId, "--amount", "1000.5", "--date", "2025-06-15", "--evidence", files.evidence], as("holder"));
    expectExit(impaired, 0);
    const book = await d.ledger.bookOf(bookId);
    expect(book.cost).to.equal(12_000_000n);
    expect(book.impairment).to.equal(100_050n);
    expect(book.recognisedOn).to.equal(BigInt(Date.UTC(2025, 0, 10) / 1000 - CST)); // 00:00 UTC+8
    // A development project of the same entity: research 500.00 (expensed), development 2,000.00 (capitalised).
    const project = await dal(
      ["record", "recognise", fileAsset, "--category", "development", "--source", "self-developed", "--currency", tokenAddress, "--date", "2025-02-01", "--evidence", files.evidence],
      as("holder"),
    );
    expectExit(project, 0);
    const projectId = fact(project.stdout, "book id");
    for (const [phase, amount, day] of [["research", "500", "2025-02-10"], ["development", "2000.00", "2025-03-10"]]) {
      expectExit(await dal(["record", "cost", projectId, "--amount", amount, "--phase", phase, "--date", day, "--evidence", files.evidence], as("holder")), 0);
    }

    await synced();
    const entity = holder.address;
    const [sheet, sheetCsv, disclosure, disclosureCsv, disclosureJson] = await Promise.all([
      dal(["balance-sheet", "--entity", entity, "--as-of", "2025-12-31"]),
      dal(["balance-sheet", "--entity", entity, "--as-of", "2025-12-31", "--csv"]),
      dal(["disclosure", "--entity", entity, "--from", "2025-01-01", "--to", "2025-12-31"]),
      dal(["disclosure", "--entity", entity, "--from", "2025-01-01", "--to", "2025-12-31", "--csv"]),
      dal(["--json", "disclosure", "--entity", entity, "--from", "2025-01-01", "--to", "2025-12-31"]),
    ]);
    // By hand: 6 months (Jan-Jun) of 12,000,000 / 24 = 3,000,000; the impairment re-bases from July: carrying
    // 8,899,950 over the 18 months left, 6 of them by December = 2,966,650. Accumulated 5,966,650.
    expectExit(sheet, 0);
    const row = sheet.stdout.split("\n").find((l) => l.includes("Municipal inspections 2025"))!;
    expect(row.trim().split(/\s{2,}/)).to.deep.equal([bookId, fileAsset, "Municipal inspections 2025", "Intangible", "Purchased", "120000.00", "59666.50", "1000.50", "59333.00"]);
    expect(sheet.stdout).to.match(/无形资产 其中：数据资源 \(intangible assets\)\s+59333\.00/);
    const { balanceSheet } = await gql(`{ balanceSheet(entity: "${entity}", asOf: "2025-12-31") { intangible { value } } }`);
    expect(balanceSheet[0].intangible.value).to.equal("59333.00");

    expectExit(sheetCsv, 0);
    const apiSheetCsv = await apiCsv(`/csv/balance-sheet?entity=${entity}&asOf=2025-12-31`);
    expect(sheetCsv.stdout).to.equal(apiSheetCsv);
    expect(sheetCsv.stdout.startsWith("\ufeffentity,as_of,currency,line,")).to.equal(true);
    expect(sheetCsv.stdout).to.include(`asset,${bookId},${fileAsset},Municipal inspections 2025,Intangible,Purchased,120000.00,59666.50,1000.50,59333.00`);

    expectExit(disclosure, 0);
    expect(disclosure.stdout).to.include("一、账面原值").and.include("二、累计摊销").and.include("三、减值准备").and.include("四、账面价值");
    const lines = disclosure.stdout.split("\n");
    const rowOf = (label: string, after: string) => lines.slice(lines.findIndex((l) => l.includes(after))).find((l) => l.includes(label))!.trim().split(/\s{2,}/);
    // Columns: section, row, purchased, self-developed, other, total.
    expect(rowOf("期末余额", "一、账面原值").slice(-4)).to.deep.equal(["120000.00", "0.00", "0.00", "120000.00"]);
    expect(rowOf("本期增加", "二、累计摊销").slice(-4)).to.deep.equal(["59666.50", "0.00", "0.00", "59666.50"]);
    expect(rowOf("期末账面价值", "四、账面价值").slice(-4)).to.deep.equal(["59333.00", "0.00", "0.00", "59333.00"]);
    expect(disclosure.stdout).to.match(/All \d+ checks hold/);
    // The period's R&D spending: the project's research expensed, its development capitalised.
    const rd = (label: string) => rowOf(label, "数据资源研究开发支出").slice(-1)[0];
    expect([rd("费用化支出"), rd("资本化支出"), rd("合计 (total)")]).to.deep.equal(["500.00", "2000.00", "2500.00"]);
    expectExit(disclosureJson, 0);
    const json = JSON.parse(disclosureJson.stdout).disclosure[0].researchAndDevelopment;
    const amount = (value: string, raw: string) => ({ amount: value, raw, token: tokenAddress, symbol: "eCNY", decimals: 2 });
    expect([json.expensed, json.capitalised, json.total]).to.deep.equal([amount("500.00", "50000"), amount("2000.00", "200000"), amount("2500.00", "250000")]);

    expectExit(disclosureCsv, 0);
    const apiDisclosureCsv = await apiCsv(`/csv/disclosure?entity=${entity}&from=2025-01-01&to=2025-12-31`);
    expect(disclosureCsv.stdout).to.equal(apiDisclosureCsv);
    expect(disclosureCsv.stdout.split("\r\n").length).to.be.greaterThan(20);
    expect(disclosureCsv.stdout).to.include(`,数据资源研究开发支出,本期发生额,合计,,,,2500.00\r\n`);
  });

  it("prints the journal (会计分录) as a table with the trial balance's checks, as the API's CSV and XLSX, with a mapping", async () => {
    await synced();
    const entity = holder.address;
    const period = ["--entity", entity, "--from", "2025-01-01", "--to", "2025-03-31"];
    const mapping = join(tmp.dir, "accounts.json");
    const wrongMapping = join(tmp.dir, "accounts-wrong.json");
    const xlsx = join(tmp.dir, "journal.xlsx");
    writeFileSync(mapping, JSON.stringify({ roles: { amortisationExpense: "6401" } }));
    writeFileSync(wrongMapping, JSON.stringify({ roles: { cash: "1001" } }));
    const [text, csvRun, xlsxRun, json, mapped, wrong, reversed] = await Promise.all([
      dal(["journal", ...period]),
      dal(["journal", ...period, "--csv"]),
      dal(["journal", ...period, "--xlsx", xlsx]),
      dal(["--json", "journal", ...period]),
      dal(["journal", ...period, "--mapping", mapping]),
      dal(["journal", ...period, "--mapping", wrongMapping]),
      dal(["journal", "--entity", entity, "--from", "2025-03-31", "--to", "2025-01-01"]),
    ]);
    // By hand (the books of the test above): the purchase 120,000.00 on 01-10, 120,000.00 / 24 = 5,000.00 a month on
    // each month's last day; the project's research 500.00 on 02-10, moved to 研发费用 on 02-28 after February's
    // amortisation; its development 2,000.00 on 03-10.
    expectExit(text, 0);
    const number = await d.registry.registrationNumber(fileAsset);
    expect(text.stdout).to.include(`Journal (会计分录) of ${entity}, 2025-01-01 to 2025-03-31 (UTC+8): 7 vouchers`);
    expect(text.stdout).to.include("Amounts are tax-exclusive (不含税)");
    const rows = text.stdout.split("\n").filter((l) => l.startsWith("记-")).map((l) => l.split(/\s{2,}/).slice(0, 2));
    expect(rows).to.deep.equal([
      ["记-202501-0001", "2025-01-10"],
      ["记-202501-0002", "2025-01-31"],
      ["记-202502-0001", "2025-02-10"],
      ["记-202502-0002", "2025-02-28"],
      ["记-202502-0003", "2025-02-28"],
      ["记-202503-0001", "2025-03-10"],
      ["记-202503-0002", "2025-03-31"],
    ]);
    expect(text.stdout).to.match(new RegExp(`记-202501-0001\\s+2025-01-10\\s+数据资源无形资产成本（外购）：Municipal inspections 2025（${number}）\\s+1701\\s+无形资产—数据资源\\s+120000\\.00\\s+${number}\\n\\s+1002\\s+银行存款\\s+120000\\.00\\s+${number}\\n`));
    expect(text.stdout).to.match(/记-202502-0003\s+2025-02-28\s+结转2025年2月数据资源研发费用（费用化支出）\s+660201\s+管理费用—研发费用\s+500\.00/);
    expect(text.stdout).to.match(/记-202503-0002\s+2025-03-31\s+计提2025年3月数据资源无形资产摊销\s+660202\s+管理费用—无形资产摊销\s+5000\.00/);
    expect(text.stdout).to.include(`Totals in eCNY (${tokenAddress}): 7 vouchers, 14 lines, debits 138000.00 = credits 138000.00`);
    expect(text.stdout).to.include(`Trial balance as of 2025-03-31 in eCNY (${tokenAddress}): all 6 checks hold`);

    expectExit(csvRun, 0);
    expect(csvRun.stdout).to.equal(await apiCsv(`/csv/journal?entity=${entity}&from=2025-01-01&to=2025-03-31`));
    expect(csvRun.stdout.startsWith("\ufeff凭证日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,辅助核算,币种,证据交易\r\n")).to.equal(true);
    expect(csvRun.stdout.split("\r\n").length).to.equal(1 + 14 + 1);
    expectExit(xlsxRun, 0);
    expect(xlsxRun.stdout).to.match(new RegExp(`^wrote ${xlsx.replace(/[.\\/]/g, "\\$&")} \\(\\d+ bytes, sheet 凭证\\)\\n$`));
    expect(readFileSync(xlsx).subarray(0, 2).toString()).to.equal("PK"); // a zip: the XLSX container

    expectExit(json, 0);
    const { journal, trialBalance } = JSON.parse(json.stdout);
    expect(journal.vouchers[0].lines[0].debit).to.deep.equal({ amount: "120000.00", raw: "12000000", token: tokenAddress, symbol: "eCNY", decimals: 2 });
    expect(trialBalance[0].checksPass).to.equal(true);

    expectExit(mapped, 0);
    expect(mapped.stdout).to.match(/记-202503-0002\s+2025-03-31\s+计提2025年3月数据资源无形资产摊销\s+6401\s+主营业务成本\s+5000\.00/);
    expectExit(wrong, 2);
    expect(wrong.stderr).to.include('the API refused: mapping.roles.cash: unknown account "1001": not in the default chart');
    expectExit(reversed, 2);
    expect(reversed.stderr).to.include("the API refused: period 2025-03-31 to 2025-01-01 ends before it starts");
  });

  it("records an intangible bought now and ready later, its cost linked to the settled order that paid it; refuses what the ledger refuses", async () => {
    // The buyer's settled purchase from the trading test above (1234.56 eCNY).
    let orderId = 0n;
    for (let i = 1n; i <= (await d.exchange.orderCount()); i++) {
      const o = await d.exchange.orderOf(i);
      if (o.buyer === buyer.address && o.status === 4n) orderId = i; // Settled
    }
    expect(orderId).to.not.equal(0n);
    const recognise = (extra: string[]) => [
      "record", "recognise", fileAsset, "--source", "purchased", "--currency", tokenAddress, "--date", "2025-02-03", "--evidence", files.evidence, ...extra,
    ];
    // The holder already has an intangible book of this asset (the test above): a second one only when meant.
    const holderBooks = async () => (await d.ledger.queryFilter(d.ledger.filters.BookOpened(undefined, holder.address, fileAsset))).length;
    const before = await holderBooks();
    const duplicate = await dal(recognise(["--category", "intangible", "--life-months", "12"]), as("holder"));
    expectExit(duplicate, 8);
    expect(duplicate.stderr).to.match(new RegExp(`not sent: ${holder.address} already has book \\d+ for asset ${fileAsset} as Intangible`));
    expect(duplicate.stderr).to.include("--allow-duplicate");
    expect(await holderBooks()).to.equal(before);
    const [bought, holders, inventory, withLife] = await Promise.all([
      dal(recognise(["--category", "intangible", "--awaiting-use"]), as("buyer")),
      dal(["--json", ...recognise(["--category", "intangible", "--life-months", "12", "--allow-duplicate"])], as("holder")),
      dal(recognise(["--category", "inventory", "--awaiting-use"]), as("buyer")),
      dal(recognise(["--category", "intangible", "--awaiting-use", "--life-months", "12"]), as("buyer")),
    ]);
    expectExit(bought, 0);
    expect(fact(bought.stdout, "category")).to.equal("Intangible");
    expect(fact(bought.stdout, "ready for use")).to.match(/^not yet/);
    expect(bought.stdout).not.to.match(/^useful life:/m);
    const bookId = fact(bought.stdout, "book id");
    expect((await d.ledger.bookOf(bookId)).readyOn).to.equal(0n);
    expectExit(holders, 0);
    const holdersBook = JSON.parse(holders.stdout);
    expect(holdersBook).to.deep.include({ category: "Intangible", readyForUse: "2025-02-03", usefulLifeMonths: 12, date: "2025-02-03" });
    expect(holdersBook.otherOpenBooks).to.have.length(1); // the intangible book; the development one is another category
    expect(holdersBook.residualValue).to.deep.equal({ amount: "0.00", raw: "0", token: tokenAddress, symbol: "eCNY", decimals: 2 });
    expect(holdersBook.currency).to.deep.equal({ token: tokenAddress, symbol: "eCNY", decimals: 2 });
    expectExit(inventory, 2);
    expect(inventory.stderr).to.include("--awaiting-use is for an intangible asset");
    expectExit(withLife, 2);
    expect(withLife.stderr).to.include("dal record ready <book id> --life-months");

    const cost = (book: string, order: string) => ["record", "cost", book, "--amount", "1234.56", "--order", order, "--date", "2025-02-03", "--evidence", files.evidence];
    const [linked, notBought, unknown] = await Promise.all([
      dal(cost(bookId, String(orderId)), as("buyer")),
      dal(cost(holdersBook.bookId, String(orderId)), as("holder")),
      dal(cost(bookId, "999"), as("buyer")),
    ]);
    expectExit(linked, 0);
    expect(fact(linked.stdout, "order id")).to.equal(String(orderId));
    expectExit(notBought, 5);
    expect(notBought.stderr).to.include(`order ${orderId} was bought by ${buyer.address}, not by the book's entity ${holder.address}`).and.include("(OrderNotBoughtByEntity)");
    expectExit(unknown, 5);
    expect(unknown.stderr).to.include("there is no order 999").and.include("(UnknownOrder)");

    const ready = await dal(["record", "ready", bookId, "--life-months", "12", "--date", "2025-03-10", "--evidence", files.evidence], as("buyer"));
    expectExit(ready, 0);
    expect((await d.ledger.bookOf(bookId)).readyOn).to.equal(BigInt(Date.UTC(2025, 2, 10) / 1000 - CST));
    const again = await dal(["record", "ready", bookId, "--life-months", "12", "--date", "2025-03-11", "--evidence", files.evidence], as("buyer"));
    expectExit(again, 5);
    expect(again.stderr).to.include(`book ${bookId} is already ready for use`).and.include("(AlreadyReadyForUse)");

    await synced();
    const { book } = await gql(`{ book(id: ${bookId}) { readyOn awaitingUse source entries { nodes { kind orderId orderGross { value token { symbol } } } } } }`);
    expect(book).to.deep.include({ readyOn: "2025-03-10T00:00:00+08:00", awaitingUse: true, source: "Purchased" });
    expect(book.entries.nodes[1]).to.deep.equal({ kind: "Cost", orderId: String(orderId), orderGross: { value: "1234.56", token: { symbol: "eCNY" } } });
  });

  it("prints an asset's provenance as a table and as CSV", async () => {
    await synced();
    const [tableRun, csvRun] = await Promise.all([dal(["provenance", fileAsset]), dal(["provenance", fileAsset, "--csv"])]);
    const { provenance } = await gql(`{ provenance(assetId: ${fileAsset}) { totalCount nodes { name chain { txHash } } } }`);
    expectExit(tableRun, 0);
    expect(tableRun.stdout).to.include(`History of asset ${fileAsset}: ${provenance.totalCount} events`);
    for (const name of ["RegistrationSubmitted", "RegistrationApproved", "RightGranted", "Listed", "Ordered", "Delivered", "Settled", "QualityAttested", "BookOpened", "CostRecorded", "ImpairmentRecorded"]) {
      expect(tableRun.stdout).to.include(name);
    }
    expect(tableRun.stdout).to.include(provenance.nodes[0].chain.txHash);
    expectExit(csvRun, 0);
    const rows = csvRun.stdout.replace(/^\ufeff/, "").trimEnd().split("\r\n");
    expect(rows[0]).to.equal("asset_id,seq,time,block_number,log_index,contract,event,category,tx_hash,block_hash,args");
    expect(rows.length).to.equal(provenance.totalCount + 1);
    expect(rows[1]).to.include(",DataAssetRegistry,RegistrationSubmitted,Registration,");
  });

  it("exits 3 without an RPC and 4 with a deployment record of another chain", async () => {
    const [noRpc, wrongChain] = await Promise.all([
      dal(["approve", dirAsset], { ...as("registrar"), RPC_URL: `http://127.0.0.1:${await closedPort()}` }),
      dal(["approve", dirAsset], { ...as("registrar"), DEPLOYMENT: files.wrongChain }),
    ]);
    expectExit(noRpc, 3);
    expect(noRpc.stderr).to.include("cannot reach the RPC");
    expectExit(wrongChain, 4);
    expect(wrongChain.stderr).to.include("wrong chain").and.include("chain 999").and.include("chain 31337");
    expect((await d.registry.assetOf(dirAsset)).status).to.equal(1n); // still in notice: nothing was sent
  });

  it("exits 6 with the balance and the cost when the key has no gas funds", async () => {
    const broke = Wallet.createRandom();
    expect(await ethers.provider.getBalance(broke.address)).to.equal(0n);
    const fresh = join(tmp.dir, "unfunded.csv");
    writeFileSync(fresh, "never registered\n");
    const assets = await d.registry.assetCount();
    const r = await dal(["register", fresh, "--name", "Unfunded"], { DAL_PRIVATE_KEY: broke.privateKey });
    expectExit(r, 6);
    expect(r.stderr).to.include(`insufficient gas funds: ${broke.address} has 0.0 of the chain's native coin (0 wei)`);
    expect(r.stderr).to.match(/this transaction may cost up to [0-9.]+ \((\d+) wei: gas limit (\d+) x max fee (\d+) wei\)/);
    const [, cost, gas, fee] = /\((\d+) wei: gas limit (\d+) x max fee (\d+) wei\)/.exec(r.stderr)!;
    expect(BigInt(cost)).to.equal(BigInt(gas) * BigInt(fee)).and.to.be.greaterThan(0n);
    expect(r.stderr).not.to.include("coalesce");
    expect(await d.registry.assetCount()).to.equal(assets);
  });

  // ------------------------------------------------------------- registrar, holder and arbiter actions (issue 12)
  // They come after the tests that need dirAsset still in notice; each moves the clock forward only.

  /** Submits a registration straight to the registry as `who` and returns its id. */
  async function submitted(who: HardhatEthersSigner, overrides: Parameters<typeof submission>[0] = {}): Promise<string> {
    await (await d.registry.connect(who).submit(submission(overrides))).wait();
    return String(await d.registry.assetCount());
  }
  /** Moves the chain's clock to `t` unless it is already later. */
  async function reach(t: bigint | number): Promise<void> {
    if ((await time.latest()) < Number(t)) await time.increaseTo(t);
  }
  const statusOf = async (assetId: string) => (await d.registry.assetOf(assetId)).status;

  it("resolves objections: dismiss then approve, uphold rejects; an asset with two open objections asks for an id; wrong role and unknown ids refused in words", async () => {
    const [a, b, c] = [await submitted(licensee), await submitted(licensee), await submitted(licensee)];
    const objection = async (who: HardhatEthersSigner, assetId: string) => {
      const receipt = await (await d.registry.connect(who).object(assetId, "0x" + sha256(`objection ${assetId} ${who.address}`).toString("hex"))).wait();
      return String(d.registry.interface.parseLog(receipt!.logs[0])!.args.objectionId);
    };
    const objA = await objection(assessor, a);
    await objection(buyer, b);
    const [objC1, objC2] = [await objection(assessor, c), await objection(buyer, c)];
    await reach((await d.registry.assetOf(c)).noticeEndsAt + 1n);
    const ruling = ["--resolution", files.evidence];
    // Refusals are not sent (the estimate reverts), so they run side by side with the registrar's key.
    const [blocked, ambiguous, notRegistrar, unknown, both, neither] = await Promise.all([
      dal(["approve", a], as("registrar")),
      dal(["objection", "dismiss", "--asset", c, ...ruling], as("registrar")),
      dal(["objection", "dismiss", objA, ...ruling], as("holder")),
      dal(["objection", "uphold", "99999", ...ruling], as("registrar")),
      dal(["objection", "dismiss", objA, "--asset", a, ...ruling], as("registrar")),
      dal(["objection", "dismiss", ...ruling], as("registrar")),
    ]);
    expectExit(blocked, 5);
    expect(blocked.stderr).to.include(`asset ${a} has 1 open objection(s)`).and.include("(OpenObjections)").and.include(`Hint: the registrar resolves them first: dal objection dismiss --asset ${a}`);
    expectExit(ambiguous, 2);
    expect(ambiguous.stderr).to.include(`asset ${c} has 2 open objections (${objC1} by ${assessor.address}, ${objC2} by ${buyer.address})`).and.include("dal objection dismiss <objectionId>");
    expectExit(notRegistrar, 5);
    expect(notRegistrar.stderr).to.include(`not a registrar of asset ${a}`).and.include("(NotRegistrar)").and.include("Hint: sign with the key of an operator");
    expectExit(unknown, 5);
    expect(unknown.stderr).to.include("there is no objection 99999 (UnknownObjection)");
    for (const r of [both, neither]) {
      expectExit(r, 2);
      expect(r.stderr).to.include("name the objection by its id");
    }

    // Dismissed by naming the asset (it has one open objection), then approved.
    const dismissed = await dal(["objection", "dismiss", "--asset", a, ...ruling], as("registrar"));
    expectExit(dismissed, 0);
    expect(fact(dismissed.stdout, "objection id")).to.equal(objA);
    expect(fact(dismissed.stdout, "ruling")).to.equal("dismissed");
    expect(fact(dismissed.stdout, "registration")).to.equal(`no open objection left; approvable now: dal approve ${a}`);
    expect(fact(dismissed.stdout, "resolution hash")).to.equal("0x" + sha256(readFileSync(files.evidence)).toString("hex"));
    const approved = await dal(["approve", a], as("registrar"));
    expectExit(approved, 0);
    expect(await statusOf(a)).to.equal(3n); // Active

    // Upheld: the registration is rejected. --json: the ruling as a flag, the registration's state as fields.
    const upheld = await dal(["--json", "objection", "uphold", "--asset", b, ...ruling], as("registrar"));
    expectExit(upheld, 0);
    const json = JSON.parse(upheld.stdout);
    expect(json).to.deep.include({ assetId: b, ruling: "upheld", upheld: true, objector: buyer.address });
    expect(json.registration).to.deep.include({ status: "Rejected", openObjections: 0 });
    expect(await statusOf(b)).to.equal(2n); // Rejected

    // By id: one of c's two objections; the other still blocks.
    const one = await dal(["objection", "dismiss", objC1, ...ruling], as("registrar"));
    expectExit(one, 0);
    expect(fact(one.stdout, "registration")).to.equal("1 open objection left before it can be approved");
    const again = await dal(["objection", "dismiss", objC1, ...ruling], as("registrar"));
    expectExit(again, 5);
    expect(again.stderr).to.include(`objection ${objC1} is already resolved (ObjectionClosed)`);
  });

  it("rejects a registration in notice, renews an approved one, cancels (holder) and withdraws (applicant); refuses the wrong key with a hint", async () => {
    const [inNotice, toWithdraw] = [await submitted(licensee), await submitted(licensee)];
    const validUntil = (await d.registry.assetOf(fileAsset)).validUntil;
    const later = cstDay(Number(validUntil) + 30 * DAY);
    const [notRegistrar, empty, badDate, notLater, cancelNotHolder] = await Promise.all([
      dal(["reject", inNotice, "--reason", "incomplete"], as("holder")),
      dal(["reject", inNotice, "--reason", "  "], as("registrar")),
      dal(["renew", fileAsset, "--until", "2027-02-30"], as("registrar")),
      dal(["renew", fileAsset, "--until", cstDay(Number(validUntil) - 30 * DAY)], as("registrar")),
      dal(["cancel", dirAsset, "--reason", "not mine"], as("buyer")),
    ]);
    expectExit(notRegistrar, 5);
    expect(notRegistrar.stderr).to.include("(NotRegistrar)").and.include("Hint:");
    expectExit(empty, 2);
    expect(empty.stderr).to.include("--reason: the text is empty");
    expectExit(badDate, 2);
    expectExit(notLater, 5);
    expect(notLater.stderr).to.include("(RenewalNotLater)");
    expectExit(cancelNotHolder, 5);
    expect(cancelNotHolder.stderr).to.include(`not the holder of asset ${dirAsset}`).and.include("(NotHolder)").and.include("Hint: sign with the key of asset");

    const rejected = await dal(["reject", inNotice, "--reason", "source evidence incomplete"], as("registrar"));
    expectExit(rejected, 0);
    expect(fact(rejected.stdout, "status")).to.equal("Rejected");
    expect(await statusOf(inNotice)).to.equal(2n);
    const [rejectedEvent] = await d.registry.queryFilter(d.registry.filters.RegistrationRejected(inNotice));
    expect(rejectedEvent.args.reason).to.equal("source evidence incomplete");

    const renewed = await dal(["--json", "renew", fileAsset, "--until", later], as("registrar"));
    expectExit(renewed, 0);
    expect(JSON.parse(renewed.stdout)).to.deep.include({ assetId: fileAsset, validUntil: `${later}T23:59:59+08:00` });
    expect((await d.registry.assetOf(fileAsset)).validUntil).to.equal(BigInt(Date.parse(`${later}T23:59:59+08:00`) / 1000));

    const withdrawn = await dal(["--json", "cancel", toWithdraw, "--reason", "withdrawn by the applicant"], as("licensee"));
    expectExit(withdrawn, 0);
    expect(JSON.parse(withdrawn.stdout)).to.deep.include({ status: "Cancelled", withdrawnInNotice: true, reason: "withdrawn by the applicant" });
    expect(await statusOf(toWithdraw)).to.equal(4n); // Cancelled

    // 注销 of an approved registration by its holder (no licence sold on it).
    const approved = await submitted(licensee);
    await reach((await d.registry.assetOf(approved)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(approved)).wait();
    const cancelled = await dal(["cancel", approved, "--reason", "dataset retired"], as("licensee"));
    expectExit(cancelled, 0);
    expect(fact(cancelled.stdout, "status")).to.equal("Cancelled");
    expect(fact(cancelled.stdout, "cancelled by")).to.equal(licensee.address);
    expect(await statusOf(approved)).to.equal(4n);
  });

  it("adds a version (hashed like register); verify then matches version 2 as current and version 1 as superseded", async () => {
    const v2 = join(tmp.dir, "inspections-2025-v2.csv");
    writeFileSync(v2, "site,date,result\nA,2025-07-01,pass\n");
    const [notHolder, added] = await Promise.all([dal(["add-version", fileAsset, v2], as("buyer")), dal(["--json", "add-version", fileAsset, v2], as("holder"))]);
    expectExit(notHolder, 5);
    expect(notHolder.stderr).to.include(`not the holder of asset ${fileAsset}`).and.include("(NotHolder)");
    expectExit(added, 0);
    const json = JSON.parse(added.stdout);
    const v2Hash = "0x" + sha256(readFileSync(v2)).toString("hex");
    expect(json).to.deep.include({ assetId: fileAsset, version: { version: 2, current: true }, contentHash: v2Hash });
    expect(json.metadataHash).to.equal("0x" + sha256(json.metadataDocument).toString("hex"));
    expect(await currentContentHash(d.registry, fileAsset)).to.equal(v2Hash);

    await synced();
    const [current, superseded, supersededChain] = await Promise.all([
      dal(["--json", "verify", fileAsset, v2]),
      dal(["--json", "verify", fileAsset, files.data]),
      dal(["verify", fileAsset, files.data, "--chain-only"]),
    ]);
    expectExit(current, 0);
    expect(JSON.parse(current.stdout)).to.deep.include({ matches: true, version: { version: 2, current: true } });
    expectExit(superseded, 0);
    expect(JSON.parse(superseded.stdout)).to.deep.include({ matches: true, version: { version: 1, current: false } });
    expectExit(supersededChain, 0);
    expect(fact(supersededChain.stdout, "version")).to.equal("1 (superseded)");
  });

  it("transfers the holding right: request, show, approve naming what was reviewed (another recipient refused), then request and cancel", async () => {
    const t = await submitted(licensee);
    await reach((await d.registry.assetOf(t)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(t)).wait();
    const contract = join(tmp.dir, "transfer-contract.pdf");
    writeFileSync(contract, "transfer contract");
    const contractHash = "0x" + sha256("transfer contract").toString("hex");

    const requested = await dal(["transfer", "request", t, "--to", buyer.address, "--evidence", contract], as("licensee"));
    expectExit(requested, 0);
    expect(fact(requested.stdout, "to")).to.equal(buyer.address);
    const [shown, wrongTo, badAddress, notRegistrar] = await Promise.all([
      dal(["--json", "transfer", "show", t]),
      dal(["transfer", "approve", t, "--to", assessor.address, "--evidence", contract], as("registrar")),
      dal(["transfer", "approve", t, "--to", "0x1234", "--evidence", contract], as("registrar")),
      dal(["transfer", "approve", t, "--to", buyer.address, "--evidence", contract], as("buyer")),
    ]);
    expectExit(shown, 0);
    expect(JSON.parse(shown.stdout)).to.deep.equal({ assetId: t, holder: licensee.address, registrar: 1, pendingTransfer: true, to: buyer.address, evidenceHash: contractHash });
    expectExit(wrongTo, 5);
    expect(wrongTo.stderr).to.include(`the pending transfer of asset ${t} is now to ${buyer.address}`).and.include("(TransferRequestChanged)").and.include(`dal transfer show ${t}`);
    expectExit(badAddress, 2);
    expect(badAddress.stderr).to.include('--to: "0x1234" is not an address');
    expectExit(notRegistrar, 5);
    expect(notRegistrar.stderr).to.include("(NotRegistrar)");
    expect(await d.registry.holderOf(t)).to.equal(licensee.address);

    const approved = await dal(["transfer", "approve", t, "--to", buyer.address, "--evidence", contractHash], as("registrar"));
    expectExit(approved, 0);
    expect(fact(approved.stdout, "from")).to.equal(licensee.address);
    expect(fact(approved.stdout, "to")).to.equal(buyer.address);
    expect(await d.registry.holderOf(t)).to.equal(buyer.address);
    expect(await d.registry.ownerOf(t)).to.equal(buyer.address);

    // The new holder asks to pass it on, then withdraws the request.
    expectExit(await dal(["transfer", "request", t, "--to", licensee.address, "--evidence", contract], as("buyer")), 0);
    const cancelled = await dal(["transfer", "cancel", t], as("buyer"));
    expectExit(cancelled, 0);
    expect(fact(cancelled.stdout, "cancelled request to")).to.equal(licensee.address);
    expect((await d.registry.pendingTransferOf(t))[0]).to.equal(ethers.ZeroAddress);
    const [nothing, approveNothing] = await Promise.all([
      dal(["transfer", "cancel", t], as("buyer")),
      dal(["transfer", "approve", t, "--to", licensee.address, "--evidence", contract], as("registrar")),
    ]);
    expectExit(nothing, 5);
    expect(nothing.stderr).to.include(`asset ${t} has no pending transfer request (NoTransferRequest)`).and.include("dal transfer request");
    expectExit(approveNothing, 5);
    expect(approveNothing.stderr).to.include("(NoTransferRequest)");
  });

  it("disputes and resolves (arbiter: part refunded, the rest settled), refunds an undelivered order after its deadline, revokes a right; --json amounts raw beside decimal", async () => {
    const amount = (value: string, raw: string) => ({ amount: value, raw, token: tokenAddress, symbol: "eCNY", decimals: 2 });
    // Two orders of the listing (1234.56 eCNY; the buyer's allowance is unlimited since an earlier test).
    const order = async () => {
      const receipt = await (await d.exchange.connect(buyer).order(listingId, 123456n)).wait();
      return String(d.exchange.interface.parseLog(receipt!.logs.find((l) => l.address === d.record.contracts.DataExchange.address)!)!.args.orderId);
    };
    const [disputed, undelivered, toSettle] = [await order(), await order(), await order()];
    for (const o of [disputed, toSettle]) await (await d.exchange.connect(holder).deliver(o, "0x" + sha256(`delivery ${o}`).toString("hex"))).wait();

    const opened = await dal(["dispute", disputed, "--evidence", files.evidence], as("buyer"));
    expectExit(opened, 0);
    expect(fact(opened.stdout, "status")).to.equal("Disputed");
    expect((await d.exchange.orderOf(disputed)).status).to.equal(3n);
    const ruling = ["--resolution", files.evidence];
    const [notArbiter, tooMuch, earlyRefund, notBuyer, earlySettle, notStranded] = await Promise.all([
      dal(["resolve-dispute", disputed, "--refund", "234.56", ...ruling], as("holder")),
      dal(["resolve-dispute", disputed, "--refund", "2000", ...ruling], as("arbiter")),
      dal(["refund", undelivered], as("buyer")),
      dal(["dispute", undelivered, "--evidence", files.evidence], as("holder")),
      dal(["settle", toSettle], as("holder")),
      dal(["refund", toSettle], as("buyer")),
    ]);
    expectExit(earlySettle, 5);
    expect(earlySettle.stderr).to.include(`the acceptance window of order ${toSettle} is open until`).and.include("(AcceptanceWindowOpen)");
    expectExit(notStranded, 5);
    expect(notStranded.stderr).to.include(`order ${toSettle} can still settle`).and.include("(NotStranded)").and.include(`dal settle ${toSettle}`);
    expectExit(notArbiter, 5);
    expect(notArbiter.stderr).to.include(`${holder.address} lacks the role ARBITER_ROLE`).and.include("Hint: sign with an arbiter's key");
    expectExit(tooMuch, 2);
    expect(tooMuch.stderr).to.include("--refund: 2000.00 eCNY is more than the price 1234.56 eCNY");
    expectExit(earlyRefund, 5);
    expect(earlyRefund.stderr).to.include(`order ${undelivered} may still be delivered until`).and.include("(DeliveryDeadlineNotPassed)");
    expectExit(notBuyer, 5);
    expect(notBuyer.stderr).to.include("(NotBuyer)").and.include("Hint: sign with the key of order");

    const resolved = await dal(["--json", "resolve-dispute", disputed, "--refund", "234.56", ...ruling], as("arbiter"));
    expectExit(resolved, 0);
    const ruled = JSON.parse(resolved.stdout);
    expect(ruled.refundedToBuyer).to.deep.equal({ ...amount("234.56", "23456"), to: buyer.address });
    expect(ruled.settled).to.deep.equal(amount("1000.00", "100000"));
    expect(ruled.result).to.equal("settled");
    expect(ruled.gross).to.deep.equal(amount("1000.00", "100000"));
    expect(ruled.exchangeFee).to.deep.equal({ ...amount("10.00", "1000"), to: treasury.address });
    expect(ruled.rightsCertificate).to.match(/^\d+$/);
    expect((await d.exchange.orderOf(disputed)).status).to.equal(4n); // Settled

    // Past the delivery deadline (7 days, the listing's default window), the buyer takes the refund.
    const o = await d.exchange.orderOf(undelivered);
    await reach(o.orderedAt + BigInt(7 * DAY) + 1n);
    const [refunded, settledAlready] = await Promise.all([dal(["--json", "refund", undelivered], as("buyer")), dal(["refund", disputed], as("buyer"))]);
    expectExit(refunded, 0);
    expect(JSON.parse(refunded.stdout)).to.deep.include({ orderId: undelivered, status: "Refunded", reason: "NotDelivered", refund: amount("1234.56", "123456"), creditedTo: buyer.address });
    expect((await d.exchange.orderOf(undelivered)).status).to.equal(5n); // Refunded
    expectExit(settledAlready, 8);
    expect(settledAlready.stderr).to.include(`not sent: order ${disputed} is Settled; no refund applies`);
    // The acceptance window (3 days) has passed without a dispute: the seller settles.
    const settled = await dal(["settle", toSettle], as("holder"));
    expectExit(settled, 0);
    expect(fact(settled.stdout, "result")).to.equal("settled");
    expect(fact(settled.stdout, "gross")).to.equal("1234.56 eCNY");
    expect((await d.exchange.orderOf(toSettle)).status).to.equal(4n);

    // Revoke: the grantor ends a right it granted; anyone else is refused with a hint.
    const until = (await time.latest()) + 100 * DAY;
    const granted = await (await d.rights.connect(holder).grant(grantTerms(BigInt(fileAsset), { validUntil: until }), licensee.address)).wait();
    const certId = String(d.rights.interface.parseLog(granted!.logs.find((l) => l.address === d.record.contracts.RightsCertificate.address && d.rights.interface.parseLog(l)?.name === "RightGranted")!)!.args.certId);
    const [stranger, unknownCert] = await Promise.all([
      dal(["revoke", certId, "--reason", "breach of scope"], as("buyer")),
      dal(["revoke", "99999", "--reason", "breach of scope"], as("holder")),
    ]);
    expectExit(stranger, 5);
    expect(stranger.stderr).to.include(`neither the grantor of certificate ${certId}`).and.include("(NotGrantorOrRegistrar)").and.include("Hint:");
    expectExit(unknownCert, 5);
    expect(unknownCert.stderr).to.include("there is no rights certificate 99999 (UnknownCertificate)");
    const revoked = await dal(["revoke", certId, "--reason", "breach of scope"], as("holder"));
    expectExit(revoked, 0);
    expect(fact(revoked.stdout, "asset id")).to.equal(fileAsset);
    expect(await d.rights.isValid(certId, await time.latest())).to.equal(false);
  });

  it("approve --all-due approves the registrar's due registrations one by one and skips one in notice and one objected, from the API or the chain", async () => {
    // A registrar of its own, so that the due list is exactly this test's registrations.
    await (await d.registry.addRegistrar("BJDE", 3 * DAY)).wait();
    const bj = Number(await d.registry.registrarCount());
    await (await d.registry.grantRole(await d.registry.registrarRole(bj), registrar.address)).wait();
    const [due1, due2, objected] = [await submitted(licensee, { registrarId: bj }), await submitted(holder, { registrarId: bj }), await submitted(licensee, { registrarId: bj })];
    const receipt = await (await d.registry.connect(assessor).object(objected, "0x" + sha256("all-due objection").toString("hex"))).wait();
    const objectionId = String(d.registry.interface.parseLog(receipt!.logs[0])!.args.objectionId);
    await reach((await d.registry.assetOf(objected)).noticeEndsAt + 1n);
    const fresh = await submitted(licensee, { registrarId: bj });
    await synced();

    const args = ["approve", "--all-due", "--registrar", String(bj)];
    const [dryRun, dryRunChain, notOperator, both] = await Promise.all([
      dal([...args, "--dry-run"], as("registrar")),
      dal(["--json", ...args, "--dry-run", "--chain-only"], as("registrar")),
      dal(args, as("buyer")),
      dal(["approve", due1, "--all-due"], as("registrar")),
    ]);
    expectExit(dryRun, 0);
    const row = (out: string, id: string) => out.split("\n").map((l) => l.trim()).find((l) => l.startsWith(`${id} `))?.split(/\s{2,}/);
    expect(row(dryRun.stdout, due1)!.slice(-2)).to.deep.equal(["due", "would be approved"]);
    expect(row(dryRun.stdout, fresh)!.slice(-2)[0]).to.equal("skipped");
    expect(row(dryRun.stdout, fresh)!.slice(-1)[0]).to.match(/^in notice until \d{4}-\d{2}-\d{2}T/);
    expect(row(dryRun.stdout, objected)!.slice(-1)[0]).to.equal(`1 open objection (objection ${objectionId}): resolve with dal objection dismiss|uphold`);
    expect(fact(dryRun.stdout, "source")).to.include(`API ${api.url}`);
    expectExit(dryRunChain, 0);
    const planned = JSON.parse(dryRunChain.stdout);
    expect(planned).to.deep.include({ registrars: [bj], dryRun: true, due: [due1, due2], approved: [] });
    expect(planned.skipped.map((x: { assetId: string; reason: string }) => [x.assetId, x.reason])).to.deep.equal([[objected, "open-objections"], [fresh, "in-notice"]]);
    expect(planned.source).to.match(/^chain 31337 via/);
    expectExit(notOperator, 8);
    expect(notOperator.stderr).to.include(`not sent: ${buyer.address} is not an operator of registrar ${bj}`);
    expectExit(both, 2);
    expect(await statusOf(due1)).to.equal(1n); // nothing sent so far

    const run = await dal(["--json", ...args], as("registrar"));
    expectExit(run, 0);
    const summary = JSON.parse(run.stdout);
    expect(summary.approved.map((x: { assetId: string }) => x.assetId)).to.deep.equal([due1, due2]);
    expect(summary.approved[0]).to.include({ holder: licensee.address });
    expect(summary.approved[0].registrationNumber).to.match(/^BJDE-\d{4}-000001$/);
    expect(summary.approved[1].registrationNumber).to.match(/^BJDE-\d{4}-000002$/);
    expect(summary.skipped).to.deep.equal([
      { assetId: objected, reason: "open-objections", openObjections: 1, objectionIds: [objectionId] },
      { assetId: fresh, reason: "in-notice", noticeEndsAt: summary.skipped[1].noticeEndsAt },
    ]);
    expect(summary.failed).to.deep.equal([]);
    expect(run.stderr).to.include(`[1/2] asset ${due1}: approved BJDE-`).and.include(`[2/2] asset ${due2}: approved BJDE-`);
    expect([await statusOf(due1), await statusOf(due2), await statusOf(objected), await statusOf(fresh)]).to.deep.equal([3n, 3n, 1n, 1n]);

    // Nothing left due: a second run approves nothing and says why the others wait.
    await synced();
    const again = await dal(args, as("registrar"));
    expectExit(again, 0);
    expect(fact(again.stdout, "approved")).to.equal("0");
    expect(fact(again.stdout, "skipped")).to.equal("2");
  });

  it("says rejected, cancelled and expired beside a match (exit 9), from the API and from the chain", async () => {
    // Last: it moves the chain's clock past a registration's validity.
    const [rejected, cancelled, expired] = [submission(), submission(), submission({ validityPeriod: 30 * DAY })];
    for (const s of [rejected, cancelled, expired]) await (await d.registry.connect(licensee).submit(s)).wait();
    const last = await d.registry.assetCount();
    const [rejectedId, cancelledId, expiredId] = [last - 2n, last - 1n, last];
    await (await d.registry.connect(registrar).rejectRegistration(rejectedId, "incomplete source evidence")).wait();
    await time.increaseTo((await d.registry.assetOf(expiredId)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(cancelledId)).wait();
    await (await d.registry.connect(registrar).approveRegistration(expiredId)).wait();
    await (await d.registry.connect(licensee).cancel(cancelledId, "withdrawn by the holder")).wait();
    await time.increaseTo((await d.registry.assetOf(expiredId)).validUntil + 1n);
    await ethers.provider.send("evm_mine", []);
    await synced();
    const verify = (id: bigint, s: { contentHash: unknown }, extra: string[] = []) => dal(["verify", String(id), s.contentHash as string, ...extra]);
    const runs = await Promise.all([
      verify(rejectedId, rejected),
      verify(cancelledId, cancelled),
      verify(expiredId, expired),
      verify(rejectedId, rejected, ["--chain-only"]),
      verify(cancelledId, cancelled, ["--chain-only"]),
      verify(expiredId, expired, ["--chain-only"]),
      dal(["--json", "verify", String(expiredId), expired.contentHash as string]),
    ]);
    const states = ["rejected", "cancelled", "expired"];
    runs.slice(0, 6).forEach((r, i) => {
      expectExit(r, 9);
      expect(fact(r.stdout, "result")).to.equal(`MATCH, but the registration is NOT IN FORCE (${states[i % 3]})`);
    });
    for (const r of [runs[0], runs[3]]) expect(fact(r.stdout, "status")).to.match(/^rejected at \S+\+08:00; not approved$/);
    for (const r of [runs[1], runs[4]]) expect(fact(r.stdout, "status")).to.match(/^cancelled at \S+\+08:00 \(SZDE-\d{4}-\d{6}\)$/);
    for (const r of [runs[2], runs[5]]) expect(fact(r.stdout, "status")).to.match(/^expired: valid until \S+\+08:00 \(SZDE-\d{4}-\d{6}\)$/);
    expect(fact(runs[5].stdout, "source")).to.match(/^chain 31337 via http:/);
    expectExit(runs[6], 9);
    expect(JSON.parse(runs[6].stdout).status).to.deep.include({ state: "expired", inForce: false });
  });
  it("signs requests for an unfunded key (offline, with the nonce and chain id) and relays them in one transaction; replayed, tampered and foreign requests are refused with reasons", async () => {
    const signer = Wallet.createRandom();
    const offline = { RPC_URL: `http://127.0.0.1:${await closedPort()}`, DAL_PRIVATE_KEY: signer.privateKey };
    const chainId = String((await ethers.provider.getNetwork()).chainId);
    // Offline, the validity counts from the wall clock; this chain's clock has run ahead of it in earlier tests.
    const hours = String(Math.ceil(((await time.latest()) - Date.now() / 1000) / 3600) + 24);
    const made: string[] = [];
    for (const i of [0, 1]) {
      const data = join(tmp.dir, `relayed-${i}.csv`);
      writeFileSync(data, `relayed dataset ${i} ${Date.now()}\n`);
      const out = join(tmp.dir, `request-${i}.json`);
      // Both spellings: `dal --sign <file> <command>` and `dal sign <file> <command>`.
      const sign = i === 0 ? ["--sign", out] : ["sign", out];
      const r = await dal([...sign, "--sign-nonce", String(i), "--sign-chain-id", chainId, "--sign-valid-hours", hours, "register", data, "--name", `Relayed ${i}`], offline);
      expectExit(r, 0);
      expect(fact(r.stdout, "signed request")).to.equal(out);
      expect(fact(r.stdout, "action")).to.equal("DataAssetRegistry.submit");
      expect(fact(r.stdout, "signer")).to.equal(signer.address);
      made.push(out);
    }
    // Never overwritten; reads before writing are refused offline with what to do.
    expectExit(await dal(["--sign", made[0], "--sign-nonce", "0", "--sign-chain-id", chainId, "register", files.data], offline), 2);
    const request = JSON.parse(readFileSync(made[0], "utf8"));
    const tampered = join(tmp.dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify({ ...request, request: { ...request.request, gas: "3000000" } }));
    const foreign = join(tmp.dir, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ ...request, chainId: "1" }));

    const before = await d.registry.assetCount();
    const r = await dal(["relay", ...made, tampered, foreign, "--json"], as("admin"));
    expectExit(r, 5);
    const out = JSON.parse(r.stdout);
    expect(out.requests.map((q: { ok: boolean }) => q.ok)).to.deep.equal([true, true, false, false]);
    expect(out.requests[2].outcome).to.match(/signature is not .*tampered/);
    expect(out.requests[3].outcome).to.match(/signed for chain 1, this is chain/);
    expect(await d.registry.assetCount()).to.equal(before + 2n);
    for (const id of [before + 1n, before + 2n]) expect((await d.registry.assetOf(id)).holder).to.equal(signer.address);
    const receipt = await ethers.provider.getTransactionReceipt(out.tx);
    expect(receipt!.from).to.equal((await ethers.getSigners())[0].address);
    expect(await ethers.provider.getBalance(signer.address)).to.equal(0n);

    const replay = await dal(["relay", made[0]], as("admin"));
    expectExit(replay, 8);
    expect(replay.stdout).to.match(/already used/);

    // A request whose call would revert is refused before anything is sent, with the contract's error in words.
    const again = join(tmp.dir, "request-again.json");
    expectExit(
      await dal(["sign", again, "--sign-nonce", "2", "--sign-chain-id", chainId, "--sign-valid-hours", hours, "register", join(tmp.dir, "relayed-0.csv"), "--name", "Again"], offline),
      0,
    );
    const refusedCall = await dal(["relay", again], as("admin"));
    expectExit(refusedCall, 8);
    expect(refusedCall.stdout).to.match(/the call would be refused: .*ContentAlreadyRegistered/);
  });

  it("registers a catalogue from a manifest in batches, resumes without repeating, names a refused row, signs batches for a relayer; approve --all-due approves them in one batch", async () => {
    const dir = join(tmp.dir, "catalogue");
    mkdirSync(join(dir, "folder"), { recursive: true });
    const stamp = Date.now();
    for (const i of [1, 2, 3, 4]) writeFileSync(join(dir, `part-${i}.csv`), `catalogue ${stamp} part ${i}\n`);
    writeFileSync(join(dir, "folder", "x.txt"), `catalogue ${stamp} folder`);
    const manifest = join(dir, "catalogue.csv");
    writeFileSync(
      manifest,
      `path,name,records,update\npart-1.csv,"Inspections, part one",10,monthly\npart-2.csv,Part two,,\npart-3.csv,Part three,3,\npart-4.csv,,,\nfolder,A folder,,daily\n`,
    );
    const before = await d.registry.assetCount();
    const first = await dal(["register", "--manifest", manifest, "--batch-size", "2", "--json"], as("holder"));
    expectExit(first, 0);
    const j = JSON.parse(first.stdout);
    expect([j.rows, j.hashed, j.submitted]).to.deep.equal([5, 5, 5]);
    expect(await d.registry.assetCount()).to.equal(before + 5n);
    const ids = j.items.map((it: { assetId: string }) => BigInt(it.assetId));
    expect(new Set(j.items.map((it: { tx: string }) => it.tx)).size).to.equal(3); // batches of 2, 2 and 1
    for (const id of ids) expect((await d.registry.assetOf(id)).holder).to.equal(holder.address);
    expect(j.items[0]).to.include({ path: "part-1.csv", line: 2 });

    // A rerun submits nothing; a state that lost two receipts finds them on the chain instead of submitting again.
    const again = JSON.parse((await dal(["register", "--manifest", manifest, "--json"], as("holder"))).stdout);
    expect([again.hashed, again.submitted]).to.deep.equal([0, 0]);
    const stateFile = `${manifest}.dal-state.json`;
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    delete state.items["part-2.csv"].assetId;
    delete state.items["folder"].assetId;
    writeFileSync(stateFile, JSON.stringify(state));
    const resumed = JSON.parse((await dal(["register", "--manifest", manifest, "--json"], as("holder"))).stdout);
    expect([resumed.hashed, resumed.foundOnChain, resumed.submitted]).to.deep.equal([2, 2, 0]);
    expect(resumed.items.map((it: { assetId: string }) => BigInt(it.assetId))).to.deep.equal(ids);
    expect(await d.registry.assetCount()).to.equal(before + 5n);

    // Bad rows are named by line, before anything is sent; a row the registry refuses names its line too.
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, `path,kind\npart-1.csv,resource\nmissing.csv,resource\n`);
    const missing = await dal(["register", "--manifest", bad], as("holder"));
    expectExit(missing, 2);
    expect(missing.stderr).to.match(/line 3 \(missing\.csv\)/);
    writeFileSync(bad, `path,kind\npart-1.csv,data-lake\n`);
    expect((await dal(["register", "--manifest", bad], as("holder"))).stderr).to.match(/line 2 .*--kind/);
    // A row the registry refuses inside submitBatch is named by its line, with the contract's error; nothing of its
    // batch is registered.
    const tooLong = join(dir, "too-long.csv");
    writeFileSync(join(dir, "long-a.txt"), `long a ${stamp}`);
    writeFileSync(join(dir, "long-b.txt"), `long b ${stamp}`);
    writeFileSync(tooLong, `path,name\nlong-a.txt,Fine\nlong-b.txt,${"x".repeat(600)}\n`);
    const countBeforeLong = await d.registry.assetCount();
    const longRun = await dal(["register", "--manifest", tooLong], as("holder"));
    expectExit(longRun, 5);
    expect(longRun.stderr).to.match(/line 3 \(long-b\.txt\) was refused, and its batch with it: .*TextTooLong/);
    expect(await d.registry.assetCount()).to.equal(countBeforeLong);
    const taken = join(dir, "taken.csv");
    writeFileSync(join(dir, "new.csv"), `new ${stamp}`);
    writeFileSync(taken, `path\nnew.csv\npart-3.csv\n`);
    const refused = await dal(["register", "--manifest", taken], as("buyer"));
    expectExit(refused, 8);
    expect(refused.stderr).to.match(/line 3 \(part-3\.csv\).*already registered as asset/);

    // Signed into relayed requests by a key without gas funds, relayed, then found on the chain by a rerun.
    const signer = Wallet.createRandom();
    const relayedCsv = join(dir, "relayed.csv");
    for (const i of [1, 2, 3]) writeFileSync(join(dir, `relayed-${i}.txt`), `relayed ${stamp} ${i}`);
    writeFileSync(relayedCsv, `path\nrelayed-1.txt\nrelayed-2.txt\nrelayed-3.txt\n`);
    const signDir = join(dir, "requests");
    const signedRun = JSON.parse(
      (await dal(["register", "--manifest", relayedCsv, "--batch-size", "2", "--sign-dir", signDir, "--json"], { DAL_PRIVATE_KEY: signer.privateKey })).stdout,
    );
    expect(signedRun.files).to.have.length(2);
    const countBefore = await d.registry.assetCount();
    expectExit(await dal(["relay", ...signedRun.files], as("admin")), 0);
    expect(await d.registry.assetCount()).to.equal(countBefore + 3n);
    const recorded = JSON.parse((await dal(["register", "--manifest", relayedCsv, "--json"], { DAL_PRIVATE_KEY: signer.privateKey })).stdout);
    expect([recorded.foundOnChain, recorded.submitted]).to.deep.equal([3, 0]);
    for (const it of recorded.items) expect((await d.registry.assetOf(it.assetId)).holder).to.equal(signer.address);
    ids.push(...recorded.items.map((it: { assetId: string }) => BigInt(it.assetId)));

    await time.increase(5 * DAY + 1);
    const approved = await dal(["approve", "--all-due", "--chain-only", "--json"], as("registrar"));
    expectExit(approved, 0);
    const hashes = new Set<string>();
    for (const id of ids) {
      const a = await d.registry.assetOf(id);
      expect(Number(a.status)).to.equal(3); // Active
      const ev = (await d.registry.queryFilter(d.registry.filters.RegistrationApproved(id)))[0];
      hashes.add(ev.transactionHash);
    }
    expect(hashes.size).to.equal(1);
  });

  it("pledges: files and accepts (ranked by legal registration time), lists them, refuses a transfer as Encumbered in words, releases; enforces a defaulted pledge by a sale whose proceeds pay costs, the pledgee, then the holder", async () => {
    const now = await time.latest();
    const assetId = await submitted(holder, { contentHash: "0x" + sha256(`pledged asset ${now}`).toString("hex") });
    await reach((await d.registry.assetOf(assetId)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(assetId)).wait();
    const today = await time.latest();
    const contract = join(tmp.dir, "loan-contract.pdf");
    writeFileSync(contract, "流动资金借款合同 No. LJRCB-2026-0183");
    const termEnd = cstDay(today + 30 * DAY);
    const terms = (registeredAt: string, number: string) => [
      "--token", "eCNY", "--term-end", termEnd, "--registry", "PBOC-ZDW", "--number", number, "--registered-at", registeredAt, "--contract", contract,
    ];
    const holding = ["pledge", assetId, "--pledgee", licensee.address, "--amount", "500000.00", ...terms(cstDay(today), "06543210000012345678")];
    const [filed, decimals, past, unknown, badAddress, notHolder, future] = await Promise.all([
      dal(holding, as("holder")),
      dal(["pledge", assetId, "--pledgee", licensee.address, "--amount", "1.234", ...terms(cstDay(today), "X-1")], as("holder")),
      dal(["pledge", assetId, "--pledgee", licensee.address, "--amount", "1", ...terms(cstDay(today), "X-2").map((a) => (a === termEnd ? cstDay(today - 2 * DAY) : a))], as("holder")),
      dal(["pledge", "9999", "--pledgee", licensee.address, "--amount", "1", ...terms(cstDay(today), "X-3")], as("holder")),
      dal(["pledge", assetId, "--pledgee", "0x12345", "--amount", "1", ...terms(cstDay(today), "X-4")], as("holder")),
      dal(["pledge", assetId, "--pledgee", licensee.address, "--amount", "1", ...terms(cstDay(today), "X-5")], as("buyer")),
      dal(["pledge", assetId, "--pledgee", licensee.address, "--amount", "1", ...terms(cstDay(today + 2 * DAY), "X-6")], as("holder")),
    ]);
    expectExit(filed, 0);
    const first = fact(filed.stdout, "pledge id");
    expect(fact(filed.stdout, "status")).to.equal("filed, awaiting the pledgee's acceptance");
    expect(fact(filed.stdout, "secured amount")).to.equal("500000.00 eCNY");
    expect(fact(filed.stdout, "scope")).to.equal("principal, interest, penalties, damages, enforcement-costs");
    expect(fact(filed.stdout, "next")).to.equal(`the pledgee accepts: dal pledge accept ${first}`);
    const stored = await d.pledges.pledgeOf(first);
    expect([stored.pledgor, stored.terms.pledgee, stored.terms.securedAmount, stored.terms.mainContractHash]).to.deep.equal([
      holder.address, licensee.address, 500_000_00n, "0x" + sha256(readFileSync(contract)).toString("hex"),
    ]);
    expectExit(decimals, 2);
    expect(decimals.stderr).to.include("--amount: 1.234 has more decimal places than the token's 2");
    expectExit(past, 2);
    expect(past.stderr).to.include("--term-end:").and.include("is in the past");
    expectExit(unknown, 5);
    expect(unknown.stderr).to.include("there is no asset 9999 (UnknownAsset)");
    expectExit(badAddress, 2);
    expect(badAddress.stderr).to.include('--pledgee: "0x12345" is not an address');
    expectExit(notHolder, 5);
    expect(notHolder.stderr).to.include(`not the holder of asset ${assetId}`).and.include("(NotHolder)");
    expectExit(future, 2);
    expect(future.stderr).to.include("--registered-at:").and.include("is in the future");

    // A revenue pledge registered a day earlier outranks the holding pledge once both are live.
    const revenue = await dal(["pledge", assetId, "--revenue", "--pledgee", buyer.address, "--amount", "80000", ...terms(cstDay(today - DAY), "06543210000012340001")], as("holder"));
    expectExit(revenue, 0);
    const second = fact(revenue.stdout, "pledge id");
    const [accepted, wrongKey, unknownPledge] = await Promise.all([
      dal(["pledge", "accept", first], as("licensee")),
      dal(["pledge", "accept", second], as("holder")),
      dal(["pledge", "accept", "999"], as("licensee")),
    ]);
    expectExit(accepted, 0);
    expect(fact(accepted.stdout, "status")).to.equal("live, rank 1 of 1");
    expect(fact(accepted.stdout, "asset restricted")).to.equal("transfer, cancellation, licensing, sale proceeds go to the pledgees");
    expectExit(wrongKey, 5);
    expect(wrongKey.stderr).to.include(`not the pledgee of pledge ${second}`).and.include("(NotPledgee)").and.include("Hint: sign with the key of pledge");
    expectExit(unknownPledge, 5);
    expect(unknownPledge.stderr).to.include("there is no pledge 999 (UnknownPledge)");
    expectExit(await dal(["pledge", "accept", second], as("buyer")), 0);
    expect(await d.pledges.livePledgesOf(assetId)).to.deep.equal([BigInt(second), BigInt(first)]);

    const [listed, listedJson, byPledgee, transfer] = await Promise.all([
      dal(["pledges", "--asset", assetId]),
      dal(["--json", "pledges", "--asset", assetId]),
      dal(["pledges", "--pledgee", licensee.address]),
      dal(["transfer", "request", assetId, "--to", assessor.address, "--evidence", files.evidence], as("holder")),
    ]);
    expectExit(listed, 0);
    const rows = listed.stdout.split("\n").filter((l) => /^\d+\s+\d+\s/.test(l));
    expect(rows.map((l) => l.split(/\s+/).slice(0, 5))).to.deep.equal([
      [second, assetId, "revenue", "1", "live"],
      [first, assetId, "holding", "2", "live"],
    ]);
    expect(rows[1]).to.include("500000.00 eCNY").and.include(`PBOC-ZDW 06543210000012345678 ${cstDay(today)}T00:00`);
    expectExit(listedJson, 0);
    const json = JSON.parse(listedJson.stdout);
    expect(json.count).to.equal(2);
    expect(json.pledges[1]).to.deep.include({ id: first, assetId, collateral: "Holding", status: "Live", rank: 2, pledgor: holder.address, pledgee: licensee.address });
    expect(json.pledges[1].outstanding).to.deep.include({ amount: "500000.00", raw: "50000000", symbol: "eCNY", decimals: 2 });
    expect(json.pledges[0].registration).to.deep.equal({ registry: "PBOC-ZDW", number: "06543210000012340001", registeredAt: `${cstDay(today - DAY)}T00:00:00+08:00` });
    expectExit(byPledgee, 0);
    expect(byPledgee.stdout).to.include("1 pledge\n");
    expectExit(transfer, 5);
    expect(transfer.stderr).to.include(`asset ${assetId} is pledged: its live pledges restrict transfer, cancellation, licensing, revenue goes to the pledgees`);
    expect(transfer.stderr).to.include("(Encumbered)").and.include("dal pledge consent").and.include(`dal pledges --asset ${assetId}`);

    // Released (the loan repaid): the junior moves up.
    const released = await dal(["pledge", "release", second], as("buyer"));
    expectExit(released, 0);
    expect(fact(released.stdout, "status")).to.match(/^released at /);
    expect(fact(released.stdout, "next")).to.equal(`junior pledges of asset ${assetId} move up a rank: dal pledges --asset ${assetId}`);
    expect(await d.pledges.rankOf(first)).to.equal(1n);

    // Default after the term; no sale without the pledgor's agreement (or an order); then a sale on the exchange.
    const [early, notDue] = await Promise.all([dal(["enforce", first, "--price", "800000"], as("licensee")), dal(["pledge", "default", first], as("licensee"))]);
    expectExit(early, 5);
    expect(early.stderr).to.include("(WrongPledgeStatus)");
    expectExit(notDue, 5);
    expect(notDue.stderr).to.include(`pledge ${first} is not due`).and.include("(NotDue)");
    await reach((await d.pledges.pledgeOf(first)).terms.termEnd + 1n);
    const defaulted = await dal(["pledge", "default", first], as("licensee"));
    expectExit(defaulted, 0);
    expect(fact(defaulted.stdout, "next")).to.equal(`a sale needs the pledgor's agreement or an arbiter's order: dal pledge authorise-sale ${first} [--ruling <file>]`);
    const unauthorised = await dal(["enforce", first, "--price", "800000"], as("licensee"));
    expectExit(unauthorised, 5);
    expect(unauthorised.stderr).to.include("(SaleNotAuthorised)").and.include(`dal pledge authorise-sale ${first}`);
    expectExit(await dal(["pledge", "authorise-sale", first], as("holder")), 0);
    const costsEvidence = join(tmp.dir, "auction-costs.pdf");
    writeFileSync(costsEvidence, "拍卖佣金及评估费发票");
    const enforced = await dal(["enforce", first, "--price", "800000.00", "--costs", "12000.00", "--costs-evidence", costsEvidence], as("licensee"));
    expectExit(enforced, 0);
    const saleListing = fact(enforced.stdout, "listing id");
    expect(fact(enforced.stdout, "holder (pledgor)")).to.equal(holder.address);
    await (await token.mint(buyer.address, 800_000_00n)).wait();
    const bought = await dal(["buy", saleListing], as("buyer"));
    expectExit(bought, 0);
    const order = fact(bought.stdout, "order id");
    const delivered = await dal(["deliver", order, "--proof", files.evidence], as("licensee"));
    expectExit(delivered, 0);
    expect(fact(delivered.stdout, "enforcement sale of pledge")).to.equal(first);
    const creditBefore = await d.exchange.creditOf(licensee.address, tokenAddress);
    const settled = await dal(["--json", "accept", order], as("buyer"));
    expectExit(settled, 0);
    const split = JSON.parse(settled.stdout).pledgedProceeds[0];
    expect(split.enforcement).to.equal(true);
    expect(split.costs).to.deep.include({ raw: "1200000", to: licensee.address });
    expect(split.pledges).to.deep.equal([{ pledgeId: first, amount: "500000.00", raw: "50000000", token: tokenAddress, symbol: "eCNY", decimals: 2, to: licensee.address }]);
    expect(split.holder.to).to.equal(holder.address);
    const p = await d.pledges.pledgeOf(first);
    expect(p.status).to.equal(5n); // Enforced
    expect(p.received).to.equal(500_000_00n);
    expect(await d.pledges.outstandingOf(first)).to.equal(0n);
    expect(await d.registry.holderOf(assetId)).to.equal(buyer.address);
    expect((await d.exchange.creditOf(licensee.address, tokenAddress)) - creditBefore).to.equal(512_000_00n);
  });

  it("certificate pledges: filed by the certificate's holder (refusing one it does not hold, a non-transferable one, another asset's), ranked apart from the asset's, with a reserve price; changed, objected to and ruled on, enforced by a sale of the certificate withdrawn and listed again; a holder sells its own certificate", async () => {
    await (await d.pledges.grantRole(await d.pledges.ARBITER_ROLE(), arbiter.address)).wait();
    const now = await time.latest();
    const assetId = await submitted(holder, { contentHash: "0x" + sha256(`certificate pledge asset ${now}`).toString("hex") });
    const other = await submitted(holder, { contentHash: "0x" + sha256(`another asset ${now}`).toString("hex") });
    await reach((await d.registry.assetOf(assetId)).noticeEndsAt + 1n);
    await (await d.registry.connect(registrar).approveRegistration(assetId)).wait();
    // The licensee's rights: two transferable certificates (one to pledge, one to sell) and a non-transferable one.
    const until = (await time.latest()) + 2 * 365 * DAY;
    const grant = async (transferable: boolean) => {
      await (await d.rights.connect(holder).grant(grantTerms(BigInt(assetId), { kind: RightKind.ProductOperation, sublicensable: true, transferable, validUntil: until }), licensee.address)).wait();
      return String(await d.rights.certificateCount());
    };
    const [cert, fixed, spare] = [await grant(true), await grant(false), await grant(true)];
    const today = await time.latest();
    const contract = join(tmp.dir, "certificate-loan.pdf");
    writeFileSync(contract, "经营权质押借款合同 No. 2026-0412");
    const termEnd = cstDay(today + 30 * DAY);
    const terms = (number: string, registeredAt = cstDay(today)) => [
      "--token", "eCNY", "--term-end", termEnd, "--registry", "PBOC-ZDW", "--number", number, "--registered-at", registeredAt, "--contract", contract,
    ];
    const pledgeOf = (certId: string, pledgee: string, amount: string, number: string, ...more: string[]) =>
      ["pledge", assetId, "--certificate", certId, "--pledgee", pledgee, "--amount", amount, ...terms(number), ...more];

    const [filed, notHeld, notTransferable, otherAsset, unknown, both, reserveAlone] = await Promise.all([
      dal(pledgeOf(cert, buyer.address, "50000.00", "06628631000500000001", "--allow-self-sale", "--reserve-price", "80000.00"), as("licensee")),
      dal(pledgeOf(cert, buyer.address, "1", "C-1"), as("holder")),
      dal(pledgeOf(fixed, buyer.address, "1", "C-2"), as("licensee")),
      dal(["pledge", other, "--certificate", cert, "--pledgee", buyer.address, "--amount", "1", ...terms("C-3")], as("licensee")),
      dal(pledgeOf("999", buyer.address, "1", "C-4"), as("licensee")),
      dal([...pledgeOf(cert, buyer.address, "1", "C-5"), "--revenue"], as("licensee")),
      dal(pledgeOf(cert, buyer.address, "1", "C-6", "--reserve-price", "10"), as("licensee")),
    ]);
    expectExit(filed, 0);
    const junior = fact(filed.stdout, "pledge id");
    expect(fact(filed.stdout, "collateral")).to.equal(`rights certificate ${cert}: ranked, restricted and sold apart from the asset's own pledges`);
    expect(fact(filed.stdout, "certificate id")).to.equal(cert);
    expect(fact(filed.stdout, "reserve price")).to.equal("80000.00 eCNY (the least a sale by the pledgee alone may ask)");
    expect(fact(filed.stdout, "certificate restricted")).to.equal("nothing");
    const stored = await d.pledges.pledgeOf(junior);
    expect([stored.pledgor, stored.terms.collateral, stored.terms.certId, stored.terms.reservePrice, stored.terms.selfSaleAllowed]).to.deep.equal([
      licensee.address, 2n, BigInt(cert), 80_000_00n, true,
    ]);
    expectExit(notHeld, 5);
    expect(notHeld.stderr).to.include(`rights certificate ${cert} is held by ${licensee.address}, not by the signer ${holder.address} (NotCertificateHolder)`);
    expect(notHeld.stderr).to.include(`Hint: sign with the key of rights certificate ${cert}'s holder`);
    expectExit(notTransferable, 5);
    expect(notTransferable.stderr).to.include(`rights certificate ${fixed} cannot be pledged: it is not transferable`).and.include("(CertificateNotPledgeable)");
    expectExit(otherAsset, 5);
    expect(otherAsset.stderr).to.include(`it is of asset ${assetId}, not ${other}`).and.include("(CertificateNotPledgeable)");
    expectExit(unknown, 5);
    expect(unknown.stderr).to.include("there is no rights certificate 999 (UnknownCertificate)");
    expectExit(both, 2);
    expect(both.stderr).to.include("--revenue and --certificate exclude each other");
    expectExit(reserveAlone, 2);
    expect(reserveAlone.stderr).to.include("--reserve-price binds only a sale by the pledgee alone: give --allow-self-sale too");
    // Nothing else was filed: every refusal came before sending.
    expect(await d.pledges.pledgeCount()).to.equal(BigInt(junior));

    // A second pledge of the certificate, registered a day earlier, outranks it; the asset's own pledges rank apart.
    const seniorFiled = await dal(["pledge", assetId, "--certificate", cert, "--pledgee", assessor.address, "--amount", "20000", ...terms("06628631000500000002", cstDay(today - DAY))], as("licensee"));
    expectExit(seniorFiled, 0);
    const senior = fact(seniorFiled.stdout, "pledge id");
    const [acceptedJunior, acceptedSenior] = await Promise.all([dal(["pledge", "accept", junior], as("buyer")), dal(["pledge", "accept", senior], as("assessor"))]);
    expectExit(acceptedJunior, 0);
    expectExit(acceptedSenior, 0);
    expect(await d.pledges.livePledgesOfCertificate(cert)).to.deep.equal([BigInt(senior), BigInt(junior)]);
    expect(await d.pledges.livePledgesOf(assetId)).to.deep.equal([]);
    expect(await d.rights.encumbranceOf(cert)).to.equal(1n | 4n);

    const [listed, listedJson, byAsset, sale, sublicence] = await Promise.all([
      dal(["pledges", "--certificate", cert]),
      dal(["--json", "pledges", "--certificate", cert]),
      dal(["pledges", "--asset", assetId]),
      dal(["list", assetId, "--price", "5000", "--offer", "holding-transfer", "--seller-cert", cert], as("licensee")),
      dal(["list", assetId, "--price", "100", "--seller-cert", cert, "--scope-mask", "1"], as("licensee")),
    ]);
    expectExit(listed, 0);
    const rows = listed.stdout.split("\n").filter((l) => /^\d+\s+\d+\s/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r.slice(0, 8))).to.deep.equal([
      [senior, assetId, `certificate ${cert}`, "1", "live", "20000.00 eCNY", "20000.00 eCNY", "-"],
      [junior, assetId, `certificate ${cert}`, "2", "live", "50000.00 eCNY", "50000.00 eCNY", "80000.00 eCNY"],
    ]);
    expectExit(listedJson, 0);
    const json = JSON.parse(listedJson.stdout);
    expect(json.count).to.equal(2);
    expect(json.pledges[1]).to.deep.include({ id: junior, assetId, collateral: "Certificate", certId: cert, status: "Live", rank: 2, pledgor: licensee.address, selfSaleAllowed: true });
    expect(json.pledges[1].reservePrice).to.deep.include({ amount: "80000.00", raw: "8000000", symbol: "eCNY", decimals: 2 });
    expect(json.pledges[0].reservePrice).to.deep.include({ amount: "0.00", raw: "0" });
    expectExit(byAsset, 0);
    expect(byAsset.stdout).to.include("2 pledges\n");
    expectExit(sale, 5);
    expect(sale.stderr).to.include(`rights certificate ${cert} is pledged: its live pledges restrict transfer, licensing`).and.include("(CertificateEncumbered)");
    expect(sale.stderr).to.include(`dal pledges --certificate ${cert}`);
    expectExit(sublicence, 5);
    expect(sublicence.stderr).to.include("(CertificateEncumbered)");

    // The pledgee's change: only a lower amount and a later term; what is not named stays.
    const later = cstDay(today + 60 * DAY);
    const [raised, earlier, nothing, notPledgee, changed] = await Promise.all([
      dal(["pledge", "change", junior, "--amount", "60000"], as("buyer")),
      dal(["pledge", "change", junior, "--term-end", cstDay(today + 10 * DAY)], as("buyer")),
      dal(["pledge", "change", junior], as("buyer")),
      dal(["pledge", "change", junior, "--amount", "1"], as("licensee")),
      dal(["pledge", "change", senior, "--amount", "15000.50", "--term-end", later, "--allow-licensing"], as("assessor")),
    ]);
    expectExit(raised, 5);
    expect(raised.stderr).to.include("a change may only lower the secured amount, now 50000.00 eCNY, not raise it to 60000.00 eCNY").and.include("(AmountIncrease)");
    expectExit(earlier, 5);
    expect(earlier.stderr).to.include("a change may only make the term later than").and.include("(InvalidPledgeTerms)");
    expectExit(nothing, 2);
    expect(nothing.stderr).to.include("nothing to change");
    expectExit(notPledgee, 5);
    expect(notPledgee.stderr).to.include(`not the pledgee of pledge ${junior}`).and.include("(NotPledgee)");
    expectExit(changed, 0);
    expect(fact(changed.stdout, "secured amount")).to.equal("15000.50 eCNY");
    expect(fact(changed.stdout, "term end")).to.equal(`${later}T23:59:59+08:00`);
    expect(fact(changed.stdout, "licensing")).to.equal("allowed without consent");
    const senior2 = await d.pledges.pledgeOf(senior);
    expect([senior2.terms.securedAmount, senior2.terms.licensingAllowed, senior2.terms.reservePrice]).to.deep.equal([15_000_50n, true, 0n]);
    expect(await d.rights.encumbranceOf(cert)).to.equal(1n | 4n); // the junior still restricts sublicensing

    // Objections: anyone but the pledgee, with evidence; a notice until the arbiter rules. Dismissed, then upheld.
    const ruling = join(tmp.dir, "pledge-ruling.pdf");
    writeFileSync(ruling, "仲裁裁决书");
    const [byPledgee, objected] = await Promise.all([
      dal(["pledge", "object", junior, "--evidence", files.evidence], as("buyer")),
      dal(["pledge", "object", senior, "--evidence", files.evidence], as("holder")),
    ]);
    expectExit(byPledgee, 5);
    expect(byPledgee.stderr).to.include(`the pledgee of pledge ${junior} cannot object to it (PledgeeCannotObject)`);
    expectExit(objected, 0);
    expect(fact(objected.stdout, "objector")).to.equal(holder.address);
    expect(fact(objected.stdout, "evidence hash")).to.equal("0x" + sha256(readFileSync(files.evidence)).toString("hex"));
    expect(fact(objected.stdout, "status")).to.equal("live, rank 1 of 2; objection open");
    const [notArbiter, dismissed] = await Promise.all([
      dal(["pledge", "objection", "uphold", senior, "--resolution", ruling], as("holder")),
      dal(["pledge", "objection", "dismiss", senior, "--resolution", ruling], as("arbiter")),
    ]);
    expectExit(notArbiter, 5);
    expect(notArbiter.stderr).to.include("lacks the role ARBITER_ROLE").and.include("Hint: sign with an arbiter's key");
    expectExit(dismissed, 0);
    expect(fact(dismissed.stdout, "ruling")).to.equal("dismissed: the pledge stands");
    expect(fact(dismissed.stdout, "status")).to.equal("live, rank 1 of 2");
    expectExit(await dal(["pledge", "object", senior, "--evidence", files.evidence], as("licensee")), 0);
    const upheld = await dal(["pledge", "objection", "uphold", senior, "--resolution", ruling], as("arbiter"));
    expectExit(upheld, 0);
    expect(fact(upheld.stdout, "ruling")).to.equal("upheld: the pledge is void");
    expect(fact(upheld.stdout, "status")).to.match(/^voided at /);
    expect(fact(upheld.stdout, "next")).to.equal(`junior pledges of certificate ${cert} move up a rank: dal pledges --certificate ${cert}`);
    expect(await d.pledges.rankOf(junior)).to.equal(1n);

    // Default; a self-sale at no less than the reserve price; withdrawn, listed again, bought, delivered, accepted.
    await reach((await d.pledges.pledgeOf(junior)).terms.termEnd + 1n);
    const defaulted = await dal(["pledge", "default", junior], as("buyer"));
    expectExit(defaulted, 0);
    expect(fact(defaulted.stdout, "next")).to.equal(`the pledgee lists certificate ${cert} for sale: dal enforce ${junior} --price <decimal>`);
    const below = await dal(["enforce", junior, "--price", "79999.99"], as("buyer"));
    expectExit(below, 5);
    expect(below.stderr).to.include(`the price 79999.99 eCNY is below pledge ${junior}'s reserve price 80000.00 eCNY`).and.include("(BelowReservePrice)");
    expect(below.stderr).to.include(`dal pledge authorise-sale ${junior}`);
    const enforced = await dal(["enforce", junior, "--price", "90000"], as("buyer"));
    expectExit(enforced, 0);
    expect(fact(enforced.stdout, "certificate sold")).to.equal(cert);
    expect(fact(enforced.stdout, "holder (pledgor)")).to.equal(licensee.address);
    expect(fact(enforced.stdout, "certificate restricted")).to.equal("transfer, licensing, an enforcement sale is listed");
    const firstListing = fact(enforced.stdout, "listing id");
    const [notEnforcer, withdrawn] = await Promise.all([dal(["pledge", "withdraw-sale", junior], as("licensee")), dal(["pledge", "withdraw-sale", junior], as("buyer"))]);
    expectExit(notEnforcer, 5);
    expect(notEnforcer.stderr).to.include("(NotPledgee)");
    expectExit(withdrawn, 0);
    expect(fact(withdrawn.stdout, "listing id")).to.equal(firstListing);
    expect(fact(withdrawn.stdout, "status")).to.equal("defaulted (rank 1 of 1)");
    expect(fact(withdrawn.stdout, "next")).to.equal(`the pledge stays in default; to sell again: dal enforce ${junior} --price <decimal>`);
    expect((await d.exchange.listingOf(firstListing)).active).to.equal(false);
    const again = await dal(["enforce", junior, "--price", "90000"], as("buyer"));
    expectExit(again, 0);
    const saleListing = fact(again.stdout, "listing id");
    await (await token.mint(registrar.address, 100_000_00n)).wait();
    const bought = await dal(["buy", saleListing], as("registrar"));
    expectExit(bought, 0);
    const order = fact(bought.stdout, "order id");
    const delivered = await dal(["deliver", order, "--proof", files.evidence], as("buyer"));
    expectExit(delivered, 0);
    expect(fact(delivered.stdout, "enforcement sale of pledge")).to.equal(junior);
    const settled = await dal(["--json", "accept", order], as("registrar"));
    expectExit(settled, 0);
    const out = JSON.parse(settled.stdout);
    expect(out.rightsCertificateSold).to.equal(cert);
    const [split] = out.pledgedProceeds;
    expect(split.enforcement).to.equal(true);
    expect(split.pledges).to.deep.equal([{ pledgeId: junior, amount: "50000.00", raw: "5000000", token: tokenAddress, symbol: "eCNY", decimals: 2, to: buyer.address }]);
    expect(split.holder.to).to.equal(licensee.address);
    expect(BigInt(split.holder.raw)).to.equal(90_000_00n - 90_000_00n / 100n - 50_000_00n); // the venue's 1% fee, then the bank
    expect(await d.rights.ownerOf(cert)).to.equal(registrar.address);
    expect(await d.rights.encumbranceOf(cert)).to.equal(0n);
    expect((await d.pledges.pledgeOf(junior)).status).to.equal(5n); // Enforced
    expect(await d.registry.holderOf(assetId)).to.equal(holder.address); // the holding was never pledged

    // A holder sells its own (unpledged, transferable) certificate: a holding transfer naming it.
    const [own, unsuitable] = await Promise.all([
      dal(["list", assetId, "--price", "5000.00", "--offer", "holding-transfer", "--seller-cert", spare], as("licensee")),
      dal(["list", assetId, "--price", "5000.00", "--offer", "holding-transfer", "--seller-cert", fixed], as("licensee")),
    ]);
    expectExit(own, 0);
    expect(fact(own.stdout, "offer")).to.equal("HoldingTransfer");
    expect(fact(own.stdout, "certificate sold")).to.equal(spare);
    expectExit(unsuitable, 5);
    expect(unsuitable.stderr).to.include(`rights certificate ${fixed} cannot back this listing`).and.include("must be transferable").and.include("(SellerCertUnsuitable)");
    const ownOrder = fact((await dal(["buy", fact(own.stdout, "listing id")], as("registrar"))).stdout, "order id");
    const ownDelivered = await dal(["deliver", ownOrder, "--proof", files.evidence], as("licensee"));
    expectExit(ownDelivered, 0);
    expect(ownDelivered.stdout).not.to.include("enforcement sale");
    const creditBefore = await d.exchange.creditOf(licensee.address, tokenAddress);
    const ownSettled = await dal(["accept", ownOrder], as("registrar"));
    expectExit(ownSettled, 0);
    expect(fact(ownSettled.stdout, "rights certificate sold")).to.equal(spare);
    expect(fact(ownSettled.stdout, "seller net")).to.equal(`4950.00 eCNY to ${licensee.address}`);
    expect(ownSettled.stdout).not.to.include("pledged revenue");
    expect(await d.rights.ownerOf(spare)).to.equal(registrar.address);
    expect((await d.exchange.creditOf(licensee.address, tokenAddress)) - creditBefore).to.equal(4_950_00n);
  });
});
