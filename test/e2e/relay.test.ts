// The exchange's relay service (`npm run relay`) against the in-process Hardhat chain served over HTTP, deployed by
// scripts/deploy.ts with its record written to a file, as an operator runs it. One shared set-up: the service runs with
// a window far longer than the test, so a batch goes out exactly when the test flushes (as SIGTERM does): no timing.
// Unfunded signers' requests land in one transaction with each signer as the actor; every kind of bad request is
// refused with its reason before any gas is spent; outcomes, /health and /metrics; and the process itself: refusing to
// start without a key or a forwarder, a keystore key, and SIGTERM sending what is queued before it exits.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { HDNodeWallet, Wallet, encryptKeystoreJsonSync, type BaseContract } from "ethers";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deployContracts, writeDeployment, type Deployed } from "../../scripts/deploy";
import { dataOf, digestOf, signRequest, type SignedRequestFile } from "../../scripts/relay/request";
import { openRelay } from "../../scripts/relay/main";
import type { RelayService } from "../../scripts/relay/service";
import { serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { hash, submission } from "../helpers/registry";

const ROOT = join(__dirname, "..", "..");
const DAY = 24 * 60 * 60;
const RATE = 3; // per signer per minute, small so that the test reaches it
const GAS = 1_000_000n;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

describe("relay service (end to end)", function () {
  let snapshot: string;
  let d: Deployed;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let relay: RelayService;
  let url: string;
  let relayerKey: string;
  let relayerAddress: string;
  let deploymentFile: string;
  let forwarderAddress: string;
  let registryAddress: string;

  const post = async (body: unknown): Promise<Answer> => {
    const res = await fetch(`${url}/requests`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const get = async (path: string): Promise<Answer> => {
    const res = await fetch(`${url}${path}`);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
  };
  const outcome = async (r: SignedRequestFile) => (await get(`/requests/${digestOf(r)}`)).body;

  /** The clock the relay judges deadlines by: the latest block's time, or the wall clock if later. */
  const chainNow = async () => BigInt(Math.max(await time.latest(), Math.floor(Date.now() / 1000)));

  /** A fresh key with no ether: it can act only through the relay. */
  const unfunded = () => Wallet.createRandom();

  async function sign(
    wallet: Wallet | HDNodeWallet,
    contract: BaseContract,
    fn: string,
    args: unknown[],
    opts: { nonce?: bigint; deadline?: bigint; chainId?: bigint; forwarder?: string; to?: string } = {},
  ): Promise<SignedRequestFile> {
    const nonce = opts.nonce ?? (await d.forwarder.nonces(wallet.address));
    const deadline = opts.deadline ?? BigInt((await time.latest()) + DAY);
    const data = contract.interface.encodeFunctionData(fn, args);
    const to = opts.to ?? (await contract.getAddress());
    return signRequest(wallet, opts.chainId ?? 31337n, opts.forwarder ?? forwarderAddress, { from: wallet.address, to, value: 0n, gas: GAS, nonce, deadline, data }, `DataAssetRegistry.${fn}`);
  }
  const submitBy = (wallet: Wallet | HDNodeWallet, opts: Parameters<typeof sign>[4] = {}, overrides = {}) =>
    sign(wallet, d.registry, "submit", [submission(overrides)], opts);

  /** The applicants of the RegistrationSubmitted events of a transaction, in order. */
  async function applicantsIn(txHash: string): Promise<string[]> {
    const receipt = (await ethers.provider.getTransactionReceipt(txHash))!;
    return receipt.logs
      .filter((l) => l.address === registryAddress)
      .map((l) => d.registry.interface.parseLog(l))
      .filter((p) => p?.name === "RegistrationSubmitted")
      .map((p) => p!.args.applicant as string);
  }

  before(async function () {
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    const signers = await ethers.getSigners();
    const admin = signers[0];
    d = await deployContracts(admin);
    await (await d.registry.addRegistrar("SZDE", 5 * DAY)).wait();
    await (await d.registry.grantRole(await d.registry.registrarRole(1), signers[1].address)).wait();
    forwarderAddress = await d.forwarder.getAddress();
    registryAddress = await d.registry.getAddress();
    // The relayer is a funded Hardhat account whose raw key the service takes from the environment.
    const accounts = network.config.accounts as { mnemonic: string; path: string; passphrase: string };
    const relayerWallet = HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/9`);
    relayerKey = relayerWallet.privateKey;
    relayerAddress = relayerWallet.address;
    tmp = tempDir();
    deploymentFile = writeDeployment(d.record, tmp.dir, "deployment.json");
    chain = await serveChain();
    relay = await openRelay(
      {
        RPC_URL: chain.url,
        DEPLOYMENT: deploymentFile,
        RELAYER_PRIVATE_KEY: relayerKey,
        RELAY_PORT: "0",
        RELAY_WINDOW_MS: String(60 * 60 * 1000),
        RELAY_RATE_PER_MINUTE: String(RATE),
      },
      { log: () => undefined },
    );
    url = await relay.start();
  });

  after(async () => {
    await relay?.stop();
    await chain?.close();
    tmp?.remove();
    await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  let first: { a: Wallet | HDNodeWallet; a0: SignedRequestFile; contentHash: string; txHash: string };

  it("accepts requests of several unfunded signers arriving in one window and sends them in ONE transaction, each signer the actor", async () => {
    const [a, b, c] = [unfunded(), unfunded(), unfunded()];
    const contentHash = hash("relayed content");
    const a0 = await submitBy(a, { nonce: 0n }, { contentHash });
    // a's second request counts a0 still queued: on-chain nonce 0 + 1 queued.
    const [a1, b0, c0] = [await submitBy(a, { nonce: 1n }), await submitBy(b), await submitBy(c)];

    const blockBefore = await ethers.provider.getBlockNumber();
    const one = await post(a0);
    expect(one.status, JSON.stringify(one.body)).to.equal(202);
    expect(one.body).to.include({ accepted: true, id: digestOf(a0).toLowerCase(), status: "queued", signer: a.address, nonce: "0", contract: "DataAssetRegistry" });
    const many = await post([b0, c0, a1]);
    expect(many.status, JSON.stringify(many.body)).to.equal(202);
    expect(many.body.results.map((r: any) => [r.index, r.httpStatus, r.status, r.signer])).to.deep.equal([
      [0, 202, "queued", b.address],
      [1, 202, "queued", c.address],
      [2, 202, "queued", a.address],
    ]);
    expect(await outcome(a1)).to.include({ status: "queued", nonce: "1" });
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore); // nothing sent before the window ends

    await relay.flush();
    const outcomes = await Promise.all([a0, b0, c0, a1].map(outcome));
    const txHash = outcomes[0].txHash;
    expect(txHash).to.match(/^0x[0-9a-f]{64}$/);
    for (const o of outcomes) expect(o).to.include({ status: "executed", success: true, txHash, blockNumber: outcomes[0].blockNumber });
    const tx = (await ethers.provider.getTransaction(txHash))!;
    expect(tx.from).to.equal(relayerAddress);
    expect(tx.to).to.equal(forwarderAddress);
    expect(await applicantsIn(txHash)).to.deep.equal([a.address, b.address, c.address, a.address]);
    const assetId = (await d.registry.assetCount()) - 3n;
    expect((await d.registry.assetOf(assetId)).holder).to.equal(a.address);
    for (const w of [a, b, c]) expect(await ethers.provider.getBalance(w.address)).to.equal(0n);
    expect(await d.forwarder.nonces(a.address)).to.equal(2n);
    first = { a, a0, contentHash, txHash };
  });

  it("refuses, before spending gas, each bad request with its reason and status", async () => {
    const blockBefore = await ethers.provider.getBlockNumber();
    const relayerNonce = await ethers.provider.getTransactionCount(relayerAddress);
    const e = unfunded();
    const good = await submitBy(e);
    const refusals: [string, unknown, number, string, RegExp][] = [
      ["tampered call data", { ...good, request: { ...good.request, data: d.registry.interface.encodeFunctionData("submit", [submission()]) } }, 422, "bad_signature", /does not match the request/],
      ["tampered gas", { ...good, request: { ...good.request, gas: "2000000" } }, 422, "bad_signature", /recovers to 0x[0-9a-fA-F]{40}, not to request\.from/],
      ["a signature of someone else", { ...good, signature: (await submitBy(unfunded(), { nonce: 0n })).signature }, 422, "bad_signature", /not to request\.from/],
      ["replayed (nonce used)", first.a0, 409, "nonce_used", /nonce 0 of 0x[0-9a-fA-F]{40} is already used \(the next is 2\): a replayed request/],
      ["expired", await submitBy(e, { deadline: (await chainNow()) - 10n }), 422, "expired", /has passed/],
      ["deadline too close", await submitBy(e, { deadline: (await chainNow()) + 5n }), 422, "expired", /less than \d+ s ahead/],
      ["wrong chain id", await submitBy(e, { chainId: 1n }), 422, "wrong_chain", /signed for chain 1, but this relay serves chain 31337/],
      ["wrong forwarder", await submitBy(e, { forwarder: Wallet.createRandom().address }), 422, "wrong_forwarder", /this deployment's forwarder is/],
      ["a target outside the deployment", await submitBy(e, { to: forwarderAddress }), 422, "target_not_allowed", /is not one of this deployment's contracts/],
      ["nonce not next", await submitBy(e, { nonce: 5n }), 409, "nonce_not_next", /expected 0 \(0 on chain\)/],
      ["not a signed request", { format: "something-else" }, 400, "malformed", /format must be "dal-relay-request-v1"/],
      ["not JSON", "{not json", 400, "malformed", /not JSON/],
    ];
    const answers: Record<string, any> = {};
    for (const [what, body, status, reason, message] of refusals) {
      const r = await post(body);
      answers[what] = r.body;
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(status);
      expect(r.body, `${what}: ${JSON.stringify(r.body)}`).to.include({ accepted: false, reason });
      expect(r.body.message, what).to.match(message);
    }
    expect(answers["nonce not next"].expectedNonce).to.equal("0");

    // A call that would revert is refused with the contract's named error, decoded into words.
    const again = await submitBy(e, {}, { contentHash: first.contentHash });
    const reverted = await post(again);
    expect(reverted.status).to.equal(422);
    expect(reverted.body).to.include({ accepted: false, reason: "would_revert", error: "ContentAlreadyRegistered" });
    expect(reverted.body.message).to.match(/the call would revert: this content \(0x[0-9a-f]{64}\) is already registered as asset \d+ \(ContentAlreadyRegistered\)/);
    expect(reverted.body.message).not.to.include("Hint");

    // The same request twice: the second is a duplicate of the queued one.
    const f = unfunded();
    const f0 = await submitBy(f);
    expect((await post(f0)).status).to.equal(202);
    const dup = await post(f0);
    expect(dup.status).to.equal(409);
    expect(dup.body).to.include({ accepted: false, reason: "duplicate", id: digestOf(f0).toLowerCase() });
    expect(dup.body.message).to.include("already queued");

    // More than RATE requests of one signer in a minute: the one over is 429 with Retry-After (and the array 207).
    const h = unfunded();
    const hs: SignedRequestFile[] = [];
    for (let n = 0n; n <= BigInt(RATE); n++) hs.push(await submitBy(h, { nonce: n }));
    const limited = await post(hs);
    expect(limited.status).to.equal(207);
    expect(limited.body.results.map((r: any) => r.httpStatus)).to.deep.equal([...Array(RATE).fill(202), 429]);
    expect(limited.body.results[RATE]).to.include({ accepted: false, reason: "rate_limited" });
    expect(limited.body.results[RATE].message).to.match(new RegExp(`more than ${RATE} requests in a minute`));
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).to.be.within(1, 60);
    const single = await post(hs[RATE]);
    expect(single.status).to.equal(429);
    expect(Number(single.headers.get("retry-after"))).to.be.within(1, 60);

    // None of it spent gas: nothing was sent.
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(await ethers.provider.getTransactionCount(relayerAddress)).to.equal(relayerNonce);

    // Ids: malformed, unknown.
    expect((await get("/requests/0x1234")).status).to.equal(400);
    expect((await get(`/requests/${hash("never sent")}`)).status).to.equal(404);

    await relay.flush();
    for (const r of [f0, ...hs.slice(0, RATE)]) expect(await outcome(r)).to.include({ status: "executed", success: true });
    expect((await get(`/requests/${digestOf(hs[RATE])}`)).status).to.equal(404); // refused, so never kept
  });

  it("reports each request's outcome: executed, reverted in the batch, skipped by the forwarder, dropped when its deadline passed while queued", async () => {
    const [p, q, s, t] = [unfunded(), unfunded(), unfunded(), unfunded()];
    const contentHash = hash("raced content");
    // p and q both register the same content: each passes the check alone, but in the batch the second reverts.
    const p0 = await submitBy(p, {}, { contentHash });
    const q0 = await submitBy(q, {}, { contentHash });
    // s's request is accepted, then s's nonce 0 is spent elsewhere (a direct execute by someone else).
    const s0 = await submitBy(s, { nonce: 0n });
    const sElsewhere = await submitBy(s, { nonce: 0n });
    // t's first request expires while queued; its second cannot run without the first.
    const t0 = await submitBy(t, { nonce: 0n, deadline: (await chainNow()) + BigInt(relay.deadlineMarginSeconds) + 60n });
    const t1 = await submitBy(t, { nonce: 1n });
    const accepted = await post([p0, q0, s0, t0, t1]);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);

    await (await d.forwarder.execute(dataOf(sElsewhere))).wait();
    await time.increase(relay.deadlineMarginSeconds + 120);

    await relay.flush();
    const [op, oq, os, ot0, ot1] = await Promise.all([p0, q0, s0, t0, t1].map(outcome));
    expect(op).to.include({ status: "executed", success: true });
    expect(oq).to.include({ status: "executed", success: false, txHash: op.txHash, blockNumber: op.blockNumber });
    expect(oq.reason).to.match(/reverted when the batch ran.*nonce is used/);
    expect(os).to.include({ status: "skipped", txHash: op.txHash });
    expect(os.reason).to.match(/skipped it as invalid/);
    expect(ot0).to.include({ status: "dropped" });
    expect(ot0.reason).to.match(/deadline \d+ passed while it was queued/);
    expect(ot0).not.to.have.property("txHash");
    expect(ot1).to.include({ status: "dropped" });
    expect(ot1.reason).to.match(/earlier request .* \(nonce 0\) was dropped/);
    expect(await applicantsIn(op.txHash)).to.deep.equal([p.address]);
    expect(await d.forwarder.nonces(q.address)).to.equal(1n); // the nonce of a reverted call is used
    expect(await d.forwarder.nonces(t.address)).to.equal(0n);
    // t may send again: its nonce 0 is free again here.
    const t0again = await submitBy(t, { nonce: 0n });
    expect((await post(t0again)).status).to.equal(202);
    await relay.flush();
    expect(await outcome(t0again)).to.include({ status: "executed", success: true });
  });

  it("serves /health and /metrics", async () => {
    const health = await get("/health");
    expect(health.status).to.equal(200);
    expect(health.body).to.nested.include({
      status: "ok",
      "chain.reachable": true,
      "chain.chainId": "31337",
      forwarder: forwarderAddress,
      "relayer.address": relayerAddress,
      "queue.length": 0,
      "queue.inFlight": 0,
      "lastBatch.outcome": "mined",
      "lastBatch.requests": 1,
    });
    expect(BigInt(health.body.relayer.balance)).to.be.greaterThan(0n);
    expect(health.body.lastBatch.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(Number(health.body.lastBatch.gasUsed)).to.be.greaterThan(0);

    const metrics = await get("/metrics");
    expect(metrics.status).to.equal(200);
    expect(metrics.headers.get("content-type")).to.include("text/plain");
    const value = (series: string) => {
      const m = new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(metrics.body);
      if (!m) throw new Error(`no ${series} in\n${metrics.body}`);
      return Number(m[1]);
    };
    // 4 in the first window, 1 + RATE in the second, 5 + 1 in the third.
    expect(value("dal_relay_requests_accepted_total")).to.equal(4 + 1 + RATE + 6);
    expect(value('dal_relay_requests_refused_total{reason="bad_signature"}')).to.equal(3);
    expect(value('dal_relay_requests_refused_total{reason="nonce_used"}')).to.equal(1);
    expect(value('dal_relay_requests_refused_total{reason="nonce_not_next"}')).to.equal(1);
    expect(value('dal_relay_requests_refused_total{reason="expired"}')).to.equal(2);
    expect(value('dal_relay_requests_refused_total{reason="would_revert"}')).to.equal(1);
    expect(value('dal_relay_requests_refused_total{reason="duplicate"}')).to.equal(1);
    expect(value('dal_relay_requests_refused_total{reason="rate_limited"}')).to.equal(2);
    expect(value('dal_relay_requests_refused_total{reason="malformed"}')).to.equal(2);
    expect(value('dal_relay_batches_total{outcome="mined"}')).to.equal(4);
    expect(value('dal_relay_batches_total{outcome="failed"}')).to.equal(0);
    expect(value('dal_relay_request_outcomes_total{outcome="executed"}')).to.equal(4 + 1 + RATE + 1 + 1);
    expect(value('dal_relay_request_outcomes_total{outcome="reverted"}')).to.equal(1);
    expect(value('dal_relay_request_outcomes_total{outcome="skipped"}')).to.equal(1);
    expect(value('dal_relay_request_outcomes_total{outcome="dropped"}')).to.equal(2);
    expect(value("dal_relay_gas_used_total")).to.be.greaterThan(0);
    expect(value("dal_relay_queue_size")).to.equal(0);
  });

  it("sends a batch when its window ends, and at once when it is full, without being flushed", async () => {
    const accounts = network.config.accounts as { mnemonic: string; path: string; passphrase: string };
    const keyOf = (i: number) => HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/${i}`).privateKey;
    const env = { RPC_URL: chain.url, DEPLOYMENT: deploymentFile, RELAY_PORT: "0" };
    // Other relayer accounts: two relays sending from one account would race for its nonce.
    const windowed = await openRelay({ ...env, RELAYER_PRIVATE_KEY: keyOf(10), RELAY_WINDOW_MS: "100" }, { log: () => undefined });
    const full = await openRelay({ ...env, RELAYER_PRIVATE_KEY: keyOf(11), RELAY_WINDOW_MS: String(60 * 60 * 1000), RELAY_MAX_BATCH: "2" }, { log: () => undefined });
    try {
      const done = async (service: RelayService, r: SignedRequestFile) => {
        for (;;) {
          const o = service.outcome(digestOf(r));
          if (o && o.status !== "queued" && o.status !== "sent") return o;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      };
      const [u, v, w] = [unfunded(), unfunded(), unfunded()];
      const [u0, v0, w0] = [await submitBy(u), await submitBy(v), await submitBy(w)];
      await windowed.submit(u0);
      await full.submit(v0);
      await full.submit(w0); // the second of at most 2: sent at once
      const [ou, ov, ow] = await Promise.all([done(windowed, u0), done(full, v0), done(full, w0)]);
      expect(ou).to.include({ status: "executed", success: true });
      expect(ov).to.include({ status: "executed", success: true, txHash: ow.txHash });
      expect(ow).to.include({ status: "executed", success: true });
    } finally {
      await windowed.stop();
      await full.stop();
    }
  });

  it("as a process: refuses to start without a key or without the forwarder's code; with a keystore key, SIGTERM sends what is queued, then exits", async function () {
    const run = (args: string[], extra: Record<string, string>) => {
      const env: Record<string, string | undefined> = { ...process.env, RPC_URL: chain.url, DEPLOYMENT: deploymentFile, RELAY_PORT: "0", ...extra };
      for (const k of ["RELAYER_PRIVATE_KEY", "RELAYER_KEYSTORE", "RELAYER_KEYSTORE_PASSWORD"]) if (!(k in extra)) delete env[k];
      const child = spawn(args[0], args.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s));
      child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      return { child, output: () => output, exited };
    };
    const npmRelay = (extra: Record<string, string>) => run(["npm", "run", "--silent", "relay"], extra);
    const node = [process.execPath, "--require", "ts-node/register/transpile-only", "scripts/relay/main.ts"];

    const noForwarder = join(tmp.dir, "no-forwarder.json");
    writeFileSync(noForwarder, JSON.stringify({ ...d.record, contracts: { ...d.record.contracts, RelayForwarder: { address: Wallet.createRandom().address, blockNumber: 0 } } }));
    const keystore = join(tmp.dir, "relayer.keystore.json");
    writeFileSync(keystore, encryptKeystoreJsonSync({ address: relayerAddress, privateKey: relayerKey }, "relay pass", { scrypt: { N: 1 << 10 } }));

    const noKey = npmRelay({});
    const noCode = npmRelay({ RELAYER_PRIVATE_KEY: relayerKey, DEPLOYMENT: noForwarder });
    const service = run(node, { RELAYER_KEYSTORE: keystore, RELAYER_KEYSTORE_PASSWORD: "relay pass", RELAY_WINDOW_MS: String(60 * 60 * 1000) });

    expect(await noKey.exited, noKey.output()).to.equal(1);
    expect(noKey.output()).to.include("no relayer key").and.include("RELAYER_PRIVATE_KEY").and.include("RELAYER_KEYSTORE");
    expect(await noCode.exited, noCode.output()).to.equal(1);
    expect(noCode.output()).to.match(/no forwarder at 0x[0-9a-fA-F]{40} on chain 31337/);
    expect(noCode.output()).not.to.include(relayerKey.slice(2));

    let listening: string | undefined;
    for (let i = 0; i < 1200 && !listening; i++) {
      listening = /listening at (http:\/\/\S+)/.exec(service.output())?.[1];
      if (!listening && service.child.exitCode !== null) break;
      if (!listening) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listening, service.output()).to.be.a("string");
    expect(service.output()).to.include(`relayer ${relayerAddress}`);
    const k = unfunded();
    const k0 = await submitBy(k);
    const res = await fetch(`${listening}/requests`, { method: "POST", body: JSON.stringify(k0) });
    expect(res.status).to.equal(202);
    expect(await d.forwarder.nonces(k.address)).to.equal(0n);
    service.child.kill("SIGTERM");
    expect(await service.exited, service.output()).to.equal(0);
    expect(service.output()).to.include("SIGTERM").and.include("relay: stopped");
    expect(await d.forwarder.nonces(k.address)).to.equal(1n);
    expect((await d.registry.assetOf(await d.registry.assetCount())).holder).to.equal(k.address);
  });
});
