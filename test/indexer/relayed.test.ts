// Relayed actions in the index and the API: every event a relayed (ERC-2771) request caused names the request's
// signer and the relayer (the transaction's sender); direct transactions name neither; every executed request, failed
// ones included, has a relayed_requests row; only transactions with forwarder logs cost an extra RPC call; a reorg
// removes what a replaced relayed transaction wrote; the API shows signedBy/relayedBy.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type BaseContract, type ContractTransactionResponse, type Signer } from "ethers";
import { writeFileSync } from "node:fs";
import { startApi, type ApiServer } from "../../api/server";
import { loadConfig } from "../../indexer/config";
import { readDeployment } from "../../indexer/deployment";
import { Indexer } from "../../indexer/indexer";
import { dataOf, signRequest } from "../../scripts/relay/request";
import type { Deployment } from "../../scripts/deploy";
import { graphqlData } from "../helpers/api";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { DAY, submission, world, type World } from "../helpers/registry";

type Row = Record<string, any>;

/** A fresh key with no ether: it can only act through a relayer. */
const unfunded = () => Wallet.createRandom().connect(ethers.provider);

/** `wallet`'s signed request to call `contract.fn(...args)` through the world's forwarder, with its next nonce. */
async function signed(w: World, wallet: Signer & { address: string }, contract: BaseContract, fn: string, args: unknown[], nonce?: bigint) {
  const forwarder = await w.forwarder.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const request = {
    from: wallet.address,
    to: await contract.getAddress(),
    value: 0n,
    gas: 1_000_000n,
    nonce: nonce ?? (await w.forwarder.nonces(wallet.address)),
    deadline: BigInt((await time.latest()) + DAY),
    data: contract.interface.encodeFunctionData(fn, args),
  };
  return dataOf(await signRequest(wallet, chainId, forwarder, request, fn));
}

const sent = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;

describe("indexer: relayed actions (signer and relayer)", function () {
  this.timeout(120_000);
  let w: World;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;
  let indexer: Indexer;
  let api: ApiServer;
  /** Every JSON-RPC method the indexer called, with its params (batches flattened). */
  const calls: { method: string; params: unknown[] }[] = [];
  const [a, b, c] = [unfunded(), unfunded(), unfunded()];
  let relayer1: string;
  let relayer2: string;
  const ids: Record<string, number> = {};
  const txs: Record<string, string> = {};

  const rows = (sql: string, ...params: unknown[]) => indexer.database.prepare(sql).all(...params) as Row[];
  const submittedEvent = (assetId: number) =>
    indexer.database.prepare("SELECT * FROM events WHERE name = 'RegistrationSubmitted' AND asset_id = ?").get(assetId) as Row;

  before(async () => {
    w = await world();
    relayer1 = w.other.address;
    relayer2 = w.licensee.address;
    chain = await serveChain();
    tmp = tempDir();
    record = await recordOf(w);
    const counting: typeof fetch = async (url, init) => {
      const body = JSON.parse(String(init!.body));
      for (const r of Array.isArray(body) ? body : [body]) calls.push({ method: r.method, params: r.params });
      return fetch(url, init);
    };
    indexer = new Indexer(indexerOptions(chain.url, record, `${tmp.dir}/index.sqlite`, { rpc: { fetch: counting } }));

    // A relayed submission: a signs, relayer1 sends.
    const r1 = await sent(w.forwarder.connect(w.other).execute(await signed(w, a, w.registry, "submit", [submission({ name: "Relayed one" })])));
    txs.single = r1.hash;
    ids.single = Number(await w.registry.assetCount());
    // A direct submission.
    const dup = submission({ name: "Direct" });
    const d = await sent(w.registry.connect(w.holder).submit(dup));
    txs.direct = d.hash;
    ids.direct = Number(await w.registry.assetCount());
    // relayer2's batch of three requests by two signers... and c's, which fails (its content is registered already).
    const batch = [
      await signed(w, b, w.registry, "submit", [submission({ name: "Batched by b" })]),
      await signed(w, c, w.registry, "submit", [{ ...submission({ name: "Duplicate by c" }), contentHash: dup.contentHash }]),
      await signed(w, a, w.registry, "submit", [submission({ name: "Batched by a" })]),
    ];
    const r2 = await sent(w.forwarder.connect(w.licensee).executeBatch(batch, w.licensee.address));
    txs.batch = r2.hash;
    ids.batchB = ids.direct + 1;
    ids.batchA = ids.direct + 2;
    expect(await w.registry.assetCount()).to.equal(BigInt(ids.batchA));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0 });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  it("names the signer (also the event's actor) and the relayer on a relayed request's events", () => {
    const e = submittedEvent(ids.single);
    expect(e.tx_hash).to.equal(txs.single.toLowerCase());
    expect(JSON.parse(e.args).applicant).to.equal(a.address);
    expect({ signer: e.signer, relayer: e.relayer }).to.deep.equal({ signer: a.address, relayer: relayer1 });
    const assetRow = indexer.database.prepare("SELECT applicant FROM assets WHERE id = ?").get(ids.single) as Row;
    expect(assetRow.applicant).to.equal(a.address);
  });

  it("leaves both null for a direct transaction", () => {
    const all = rows("SELECT signer, relayer FROM events WHERE tx_hash = ?", txs.direct.toLowerCase());
    expect(all).to.have.length.greaterThan(0);
    for (const r of all) expect(r).to.deep.equal({ signer: null, relayer: null });
    // Everything before the first relayed transaction (the fixture's set-up) is direct too.
    const first = submittedEvent(ids.single);
    expect(rows("SELECT count(*) AS n FROM events WHERE block_number < ? AND signer IS NOT NULL", first.block_number)[0].n).to.equal(0);
  });

  it("in a relayer's batch, each event names its own request's signer; the failed request has a row of its own", () => {
    const byB = submittedEvent(ids.batchB);
    const byA = submittedEvent(ids.batchA);
    expect(byB.tx_hash).to.equal(byA.tx_hash);
    expect([byB.signer, byB.relayer, JSON.parse(byB.args).applicant]).to.deep.equal([b.address, relayer2, b.address]);
    expect([byA.signer, byA.relayer, JSON.parse(byA.args).applicant]).to.deep.equal([a.address, relayer2, a.address]);
    // Every log of the batch: contract events then the ExecutedForwardRequest, per request.
    const logs = rows("SELECT contract, name, signer, relayer FROM events WHERE tx_hash = ? ORDER BY log_index", txs.batch.toLowerCase());
    expect(logs.map((l) => `${l.contract}.${l.name}:${l.signer}`)).to.deep.equal([
      `DataAssetRegistry.RegistrationSubmitted:${b.address}`,
      `RelayForwarder.ExecutedForwardRequest:${b.address}`,
      `RelayForwarder.ExecutedForwardRequest:${c.address}`,
      `DataAssetRegistry.RegistrationSubmitted:${a.address}`,
      `RelayForwarder.ExecutedForwardRequest:${a.address}`,
    ]);
    for (const l of logs) expect(l.relayer).to.equal(relayer2);

    const requests = rows("SELECT tx_hash, signer, nonce, success, relayer, events FROM relayed_requests ORDER BY block_number, log_index");
    expect(requests).to.deep.equal([
      { tx_hash: txs.single.toLowerCase(), signer: a.address, nonce: "0", success: 1, relayer: relayer1, events: 1 },
      { tx_hash: txs.batch.toLowerCase(), signer: b.address, nonce: "0", success: 1, relayer: relayer2, events: 1 },
      { tx_hash: txs.batch.toLowerCase(), signer: c.address, nonce: "0", success: 0, relayer: relayer2, events: 0 },
      { tx_hash: txs.batch.toLowerCase(), signer: a.address, nonce: "1", success: 1, relayer: relayer2, events: 1 },
    ]);
    // Each row is at its ExecutedForwardRequest log.
    const efr = rows("SELECT block_number, log_index FROM events WHERE name = 'ExecutedForwardRequest' ORDER BY block_number, log_index");
    expect(rows("SELECT block_number, log_index FROM relayed_requests ORDER BY block_number, log_index")).to.deep.equal(efr);
  });

  it("reads the sender of relayed transactions only, batched: direct transactions cost no extra call", () => {
    const asked = calls.filter((c) => c.method === "eth_getTransactionByHash").map((c) => String(c.params[0]).toLowerCase());
    expect(asked.sort()).to.deep.equal([txs.single, txs.batch].map((h) => h.toLowerCase()).sort());
  });

  it("the API shows signedBy and relayedBy on provenance and chain references; null for direct ones", async () => {
    const q = `query($id: ID!) { provenance(assetId: $id) { nodes { name signedBy relayedBy chain { txHash signedBy relayedBy } } }
      asset(id: $id) { submission { txHash signedBy relayedBy } } }`;
    const one = await graphqlData(api.url, q, { id: String(ids.single) });
    expect(one.provenance.nodes).to.deep.equal([
      { name: "RegistrationSubmitted", signedBy: a.address, relayedBy: relayer1, chain: { txHash: txs.single.toLowerCase(), signedBy: a.address, relayedBy: relayer1 } },
    ]);
    const direct = await graphqlData(api.url, q, { id: String(ids.direct) });
    expect(direct.provenance.nodes[0]).to.deep.include({ signedBy: null, relayedBy: null });
    expect(direct.asset.submission).to.deep.include({ signedBy: null, relayedBy: null });
    // Two submissions in one transaction: each asset's submission is its own event, with its own signer.
    const byB = await graphqlData(api.url, q, { id: String(ids.batchB) });
    const byA = await graphqlData(api.url, q, { id: String(ids.batchA) });
    expect(byB.asset.submission).to.deep.equal({ txHash: txs.batch.toLowerCase(), signedBy: b.address, relayedBy: relayer2 });
    expect(byA.asset.submission).to.deep.equal({ txHash: txs.batch.toLowerCase(), signedBy: a.address, relayedBy: relayer2 });
  });

  it("a reorg of a block with a relayed transaction removes its events and request rows; the index equals a fresh one", async () => {
    const before = rows("SELECT count(*) AS n FROM relayed_requests")[0].n;
    const snap: string = await hre.network.provider.send("evm_snapshot", []);
    const replaced = await sent(w.forwarder.connect(w.other).execute(await signed(w, b, w.registry, "submit", [submission({ name: "Replaced" })])));
    await indexer.syncToHead();
    expect(rows("SELECT count(*) AS n FROM relayed_requests WHERE tx_hash = ?", replaced.hash.toLowerCase())[0].n).to.equal(1);
    expect(rows("SELECT count(*) AS n FROM events WHERE tx_hash = ? AND signer = ?", replaced.hash.toLowerCase(), b.address)[0].n).to.equal(2);

    expect(await hre.network.provider.send("evm_revert", [snap])).to.equal(true);
    await sent(w.registry.connect(w.holder).submit(submission({ name: "Other branch" })));
    await sent(w.registry.connect(w.holder).submit(submission({ name: "Other branch 2" })));
    await indexer.syncToHead();
    expect(rows("SELECT count(*) AS n FROM events WHERE tx_hash = ?", replaced.hash.toLowerCase())[0].n).to.equal(0);
    expect(rows("SELECT count(*) AS n FROM relayed_requests")[0].n).to.equal(before);
    expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(chain.url, record, `${tmp.dir}/fresh.sqlite`));
  });

  it("refuses a deployment record without the forwarder, and an index built before the forwarder was indexed", async () => {
    const { RelayForwarder: _f, ...older } = record.contracts;
    const file = `${tmp.dir}/older.json`;
    writeFileSync(file, JSON.stringify({ ...record, contracts: older }));
    expect(() => readDeployment(file)).to.throw(/has no RelayForwarder: it was written before relayed actions/);
    let err: Error | undefined;
    await loadConfig({ DEPLOYMENT: file, RPC_URL: chain.url }).catch((e) => (err = e));
    expect(err?.message).to.match(/has no RelayForwarder/);

    // An index whose identity lacks the forwarder (an indexer that did not read it wrote it): re-index, says why.
    const copy = `${tmp.dir}/old-identity.sqlite`;
    const fresh = new Indexer(indexerOptions(chain.url, record, copy));
    await fresh.syncToHead();
    const meta = JSON.parse((fresh.database.prepare("SELECT value FROM meta WHERE key = 'deployment'").get() as Row).value);
    delete meta.contracts.RelayForwarder;
    fresh.database.prepare("UPDATE meta SET value = ? WHERE key = 'deployment'").run(JSON.stringify(meta));
    await fresh.stop();
    let refused: Error | undefined;
    await new Indexer(indexerOptions(chain.url, record, copy)).open().catch((e) => (refused = e));
    expect(refused?.message).to.match(/indexed before the indexer read the RelayForwarder.*re-index/);
    // Another forwarder is another deployment.
    const other = { ...record, contracts: { ...record.contracts, RelayForwarder: { address: await w.registry.getAddress(), blockNumber: 0 } } };
    let mixed: Error | undefined;
    await new Indexer(indexerOptions(chain.url, other, `${tmp.dir}/index.sqlite`)).open().catch((e) => (mixed = e));
    expect(mixed?.message).to.match(/indexes another deployment/);
  });

  it("refuses a deployment record without the pledge registry, and an index built before pledges were indexed", async () => {
    const { PledgeRegistry: _p, ...older } = record.contracts;
    const file = `${tmp.dir}/no-pledges.json`;
    writeFileSync(file, JSON.stringify({ ...record, contracts: older }));
    expect(() => readDeployment(file)).to.throw(/has no PledgeRegistry: it was written before pledges/);
    let err: Error | undefined;
    await loadConfig({ DEPLOYMENT: file, RPC_URL: chain.url }).catch((e) => (err = e));
    expect(err?.message).to.match(/has no PledgeRegistry/);

    const copy = `${tmp.dir}/no-pledges-identity.sqlite`;
    const fresh = new Indexer(indexerOptions(chain.url, record, copy));
    await fresh.syncToHead();
    const meta = JSON.parse((fresh.database.prepare("SELECT value FROM meta WHERE key = 'deployment'").get() as Row).value);
    delete meta.contracts.PledgeRegistry;
    fresh.database.prepare("UPDATE meta SET value = ? WHERE key = 'deployment'").run(JSON.stringify(meta));
    await fresh.stop();
    let refused: Error | undefined;
    await new Indexer(indexerOptions(chain.url, record, copy)).open().catch((e) => (refused = e));
    expect(refused?.message).to.match(/indexed before the indexer read the PledgeRegistry.*re-index/);
  });
});
