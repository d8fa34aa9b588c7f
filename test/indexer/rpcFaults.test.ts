// A flaky provider: dropped connections, HTTP 503s, timeouts, and eth_getLogs answers refused for large ranges
// (in the words real providers use). The index must still end complete and exact.
import { expect } from "chai";
import { ethers } from "hardhat";
import { ChainNotLinked, Indexer } from "../../indexer/indexer";
import { LogRange, isRangeError, suggestedRange } from "../../indexer/logRange";
import { RangeReader, type ReadRange, type ReaderSettings } from "../../indexer/rangeReader";
import { JsonRpc, RpcError, RpcUnreachable, type RpcLog } from "../../indexer/rpc";
import { listingTerms, market, mined } from "../helpers/exchange";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, mine, serveChain, tempDir, type RpcServer, recordOf } from "../helpers/indexer";
import { hash, registerActive } from "../helpers/registry";
import type { Deployment } from "../../scripts/deploy";

interface Faults {
  dropped: number;
  unavailable: number;
  slow: number;
  refusedRanges: number;
}

/** Wraps fetch: a seeded share of requests fail in transport, and getLogs over `maxRange` blocks is refused. */
function flakyFetch(seed: number, maxRange: number, faults: Faults): typeof fetch {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const messages = [
    (from: number) => `query returned more than 10000 results. Try with this block range [0x${from.toString(16)}, 0x${(from + maxRange - 1).toString(16)}].`,
    () => "block range is too wide",
    () => `exceed maximum block range: ${maxRange}`,
  ];
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init!.body));
    const r = random();
    if (r < 0.08) {
      faults.dropped++;
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    }
    if (r < 0.16) {
      faults.unavailable++;
      return new Response("upstream overloaded", { status: 503 });
    }
    if (r < 0.19) {
      faults.slow++;
      await new Promise((res) => setTimeout(res, 400)); // beyond the client's timeout
    }
    if (!Array.isArray(body) && body.method === "eth_getLogs") {
      const from = Number(body.params[0].fromBlock);
      const to = Number(body.params[0].toBlock);
      if (to - from + 1 > maxRange) {
        faults.refusedRanges++;
        const message = messages[faults.refusedRanges % messages.length](from);
        return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32005, message } });
      }
    }
    return fetch(url, { ...init, signal: init?.signal });
  }) as typeof fetch;
}

describe("indexer: RPC faults", function () {
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;

  before(async () => {
    const deployedAfter = await ethers.provider.getBlockNumber(); // earlier test files' blocks are not this index's
    const m = await market();
    for (let i = 0; i < 6; i++) {
      const { assetId } = await registerActive(m, m.holder, { name: `Dataset ${i}` });
      const terms = await listingTerms(m, assetId);
      await mined(m.dex.connect(m.holder).list(terms));
      const listingId = await m.dex.listingCount();
      await mined(m.dex.connect(m.buyer).order(listingId, terms.price));
      await mined(m.dex.connect(m.holder).deliver(await m.dex.orderCount(), hash()));
      await mined(m.dex.connect(m.buyer).accept(await m.dex.orderCount()));
    }
    record = await recordOf(m, deployedAfter + 1);
    server = await serveChain();
    tmp = tempDir();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  for (const seed of [1, 7, 42]) {
    it(`ends with the exact index despite dropped, failed, slow and refused requests (seed ${seed})`, async () => {
      const faults: Faults = { dropped: 0, unavailable: 0, slow: 0, refusedRanges: 0 };
      const indexer = new Indexer(
        indexerOptions(server.url, record, `${tmp.dir}/flaky-${seed}.sqlite`, {
          initialLogRange: 64,
          maxLogRange: 64,
          rpc: { fetch: flakyFetch(seed, 5, faults), retries: 20, backoffMs: 1, timeoutMs: 200 },
        }),
      );
      try {
        // Transient failures that outlast the retries surface as errors; the caller (follow loop) tries again.
        for (let attempt = 0; ; attempt++) {
          const done = await indexer.syncToHead().then(() => true, (err) => {
            if (!(err instanceof RpcUnreachable || err instanceof RpcError) || attempt > 20) throw err;
            return false;
          });
          if (done) break;
        }
        expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, `${tmp.dir}/clean-${seed}.sqlite`));
      } finally {
        await indexer.stop();
      }
      expect(faults.dropped, "dropped connections injected").to.be.greaterThan(0);
      expect(faults.unavailable, "HTTP 503 injected").to.be.greaterThan(0);
      expect(faults.refusedRanges, "large ranges refused").to.be.greaterThan(0);
    });
  }

  it("stops with a clear error when the provider refuses even a single block", async () => {
    const refuseAll = (async (_url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init!.body));
      if (!Array.isArray(body) && body.method === "eth_getLogs") {
        return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32005, message: "limit exceeded" } });
      }
      return fetch(_url, init);
    }) as typeof fetch;
    const indexer = new Indexer(indexerOptions(server.url, record, `${tmp.dir}/refused.sqlite`, { rpc: { fetch: refuseAll } }));
    try {
      const err = await indexer.syncToHead().then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(RpcError);
      expect(err!.message).to.match(/eth_getLogs: limit exceeded/);
      expect(indexer.status().latestBlock).to.equal(null);
    } finally {
      await indexer.stop();
    }
  });

  /** Answers eth_getBlockByNumber for block `n` with another parent hash, `times` times (all, if undefined). */
  function unlinkedFetch(n: number, parentHash: string, times?: number): { fetch: typeof fetch; logsAsked: number[] } {
    const logsAsked: number[] = [];
    let left = times ?? Infinity;
    const f = (async (url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init!.body));
      const calls = Array.isArray(body) ? body : [body];
      if (calls.some((c) => c.method === "eth_getLogs")) logsAsked.push(performance.now());
      const res = await fetch(url, init);
      if (!calls.some((c) => c.method === "eth_getBlockByNumber" && Number(c.params[0]) === n) || left <= 0) return res;
      left--;
      const answer = await res.json();
      for (const a of Array.isArray(answer) ? answer : [answer]) if (a.result && Number(a.result.number) === n) a.result.parentHash = parentHash;
      return Response.json(answer);
    }) as typeof fetch;
    return { fetch: f, logsAsked };
  }

  it("stops with a log line naming the block and both hashes when blocks keep not linking, after retries that back off", async () => {
    const head = await ethers.provider.getBlockNumber();
    const parent = await ethers.provider.getBlock(head - 1);
    const forged = "0x" + "ab".repeat(32);
    const { fetch: f, logsAsked } = unlinkedFetch(head, forged);
    const lines: string[] = [];
    const indexer = new Indexer(
      indexerOptions(server.url, record, `${tmp.dir}/unlinked.sqlite`, { rpc: { fetch: f }, unlinkedRetries: 4, unlinkedBackoffMs: 40, log: (l) => lines.push(l) }),
    );
    try {
      await indexer.start();
      const err = await indexer.done.then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(ChainNotLinked);
      expect(err!.message).to.match(new RegExp(`^the chain does not link at block ${head}: its parent hash is ${forged}, but block ${head - 1} has hash ${parent!.hash}, still after 4 retries over 0\\.6 s`));
      const retries = lines.filter((l) => l.startsWith(`block ${head} does not link: its parent hash is ${forged}, but block ${head - 1} has hash ${parent!.hash}; retrying in`));
      expect(retries.map((l) => /retrying in (\d+) ms \((\d) of 4\)$/.exec(l)!.slice(1))).to.deep.equal([["40", "1"], ["80", "2"], ["160", "3"], ["320", "4"]]);
      expect(lines[lines.length - 1]).to.equal(`stopped: ${err!.message}`);
      // Five attempts at the last range, each after the announced wait.
      const last = logsAsked.slice(-5);
      const gaps = last.slice(1).map((t, i) => t - last[i]);
      [40, 80, 160, 320].forEach((wait, i) => expect(gaps[i], `wait ${i + 1}`).to.be.at.least(wait - 5));
      expect(indexer.status()).to.deep.include({ error: err!.message });
      expect(indexer.status().latestBlock ?? -1).to.be.lessThan(head); // the range with the block is not written
      expect(err!.message).to.match(/Stopped (before indexing any block|with the index at block \d+); restart once the endpoint is consistent$/);
    } finally {
      await indexer.stop();
    }
  });

  it("rides out blocks that do not link for a while (a node switching forks) and ends with the exact index", async () => {
    const head = await ethers.provider.getBlockNumber();
    const { fetch: f } = unlinkedFetch(head, "0x" + "cd".repeat(32), 2);
    const lines: string[] = [];
    const indexer = new Indexer(
      indexerOptions(server.url, record, `${tmp.dir}/relinked.sqlite`, { rpc: { fetch: f }, unlinkedBackoffMs: 10, log: (l) => lines.push(l) }),
    );
    try {
      await indexer.syncToHead();
      expect(lines.filter((l) => l.startsWith(`block ${head} does not link`))).to.have.length(2);
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, `${tmp.dir}/relinked-clean.sqlite`));
    } finally {
      await indexer.stop();
    }
  });

  it("indexes a chain extended with hardhat_mine, whose bulk-mined blocks report a zero parent hash", async () => {
    await mine(1_000); // reserved blocks: parentHash 0x00...00 (Hardhat does not link them)
    const head = await ethers.provider.getBlockNumber();
    const zeroParent = await ethers.provider.send("eth_getBlockByNumber", ["0x" + (head - 10).toString(16), false]);
    expect(zeroParent.parentHash, "Hardhat still leaves bulk-mined blocks unlinked").to.equal(ethers.ZeroHash);
    const lines: string[] = [];
    const indexer = new Indexer(indexerOptions(server.url, record, `${tmp.dir}/mined.sqlite`, { log: (l) => lines.push(l) }));
    // Before, the indexer retried such a range for ever: give up after 30 s rather than hang the suite.
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000).unref());
    try {
      const status = await Promise.race([indexer.syncToHead(), timeout]);
      expect(status, "indexed to the head").to.not.equal("timeout");
      expect(indexer.status()).to.deep.include({ latestBlock: head, caughtUp: true, error: null });
      expect(lines.filter((l) => /zero parent hash/.test(l))).to.have.length(1); // said once, not per block
    } finally {
      await indexer.stop();
    }
  });

  it("reads the next ranges ahead (one or two) while one is decoded, and asks afresh when what it read ahead cannot serve", async () => {
    const o = indexerOptions(server.url, record, ":memory:");
    const settings: ReaderSettings = {
      rpcUrl: server.url, contracts: o.contracts, startBlock: o.startBlock, confirmations: 0, reorgWindow: o.reorgWindow, initialLogRange: 2, maxLogRange: 4,
    };
    /** Every range from the start block to the head, read one after another as the indexer does. */
    const readAll = async (reader: RangeReader, seen: string[]) => {
      const ranges: ReadRange[] = [];
      let parent: { number: number; hash: string } | null = null;
      for (let i = 0; i < 10_000; i++) {
        seen.push("read");
        const r = await reader.read(parent);
        if (r.kind === "idle") return ranges;
        if (r.kind === "again") continue;
        if (r.kind !== "range") throw new Error(`unexpected ${r.kind}`);
        ranges.push(r);
        parent = { number: r.to, hash: r.last.hash };
      }
      throw new Error("never idle");
    };
    /** Records each eth_getLogs asked (its first block), and refuses those over `maxRange` blocks as a provider would. */
    const recording = (seen: string[], maxRange: number) =>
      (async (url: string | URL | Request, init?: RequestInit) => {
        const body = JSON.parse(String(init!.body));
        if (!Array.isArray(body) && body.method === "eth_getLogs") {
          const [from, to] = [Number(body.params[0].fromBlock), Number(body.params[0].toBlock)];
          seen.push(`getLogs ${from}`);
          if (to - from + 1 > maxRange) return Response.json({ jsonrpc: "2.0", id: body.id, error: { code: -32005, message: `exceed maximum block range: ${maxRange}` } });
        }
        return fetch(url, init);
      }) as typeof fetch;
    const events = (ranges: ReadRange[]) => ranges.flatMap((r) => Array.from(r.events, (e) => `${e.blockNumber}/${e.logIndex} ${e.name} ${e.argsJson}`));

    const plain = await readAll(new RangeReader(settings, () => undefined), []);
    expect(events(plain).length).to.be.greaterThan(20);

    for (const depth of [1, 2]) {
      const seen: string[] = [];
      const ahead = await readAll(new RangeReader({ ...settings, readAhead: depth }, () => undefined, recording(seen, 100)), seen);
      expect(events(ahead)).to.deep.equal(events(plain));
      expect(ahead.at(-1)!.last.hash).to.equal(plain.at(-1)!.last.hash);
      // Range i (from 0) was asked for once, `depth` reads before its own: the first read asks for ranges 1..depth.
      expect(seen.filter((x) => x.startsWith("getLogs"))).to.have.length(ahead.length);
      ahead.forEach((r, i) => {
        const asked = seen.indexOf(`getLogs ${r.from}`);
        const readsBefore = seen.slice(0, asked).filter((x) => x === "read").length;
        expect(readsBefore, `depth ${depth}: range ${i}, ${r.from}..${r.to}, asked during read`).to.equal(Math.max(1, i - depth + 1));
      });

      // A provider that refuses more than 3 blocks: the ranges grow to 4, what was read ahead is refused, and the read
      // asks afresh, shrinks and goes on. Nothing is missed or read twice.
      const refusing: string[] = [];
      const shrunk = await readAll(new RangeReader({ ...settings, readAhead: depth }, () => undefined, recording(refusing, 3)), refusing);
      expect(events(shrunk)).to.deep.equal(events(plain));
      expect(refusing.filter((x) => x.startsWith("getLogs")).length, `depth ${depth}: refused asks, made again`).to.be.greaterThan(shrunk.length);
    }
  });
});

describe("indexer: log ranges", () => {
  it("reads the range a provider suggests", () => {
    expect(suggestedRange("query returned more than 10000 results. Try with this block range [0x10, 0x1f].")).to.equal(16);
    expect(suggestedRange("Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range")).to.equal(2000);
    expect(suggestedRange("exceed maximum block range: 5000")).to.equal(5000);
    expect(suggestedRange("eth_getLogs is limited to a 10,000 range")).to.equal(10000);
    expect(suggestedRange("execution reverted")).to.equal(undefined);
  });

  it("tells range errors from other failures", () => {
    expect(isRangeError(new RpcError("eth_getLogs", -32005, "anything"))).to.equal(true);
    expect(isRangeError(new RpcError("eth_getLogs", -32000, "block range is too wide"))).to.equal(true);
    expect(isRangeError(new RpcError("eth_getLogs", -32602, "invalid argument 0: hex string without 0x prefix"))).to.equal(false);
    expect(isRangeError(new RpcUnreachable("cannot reach ...: timed out"))).to.equal(true);
    expect(isRangeError(new RpcUnreachable("cannot reach ...: ECONNREFUSED"))).to.equal(false);
  });

  it("grows while answers are sparse, scales to the density of dense ones, shrinks on range errors, gives up at one block", () => {
    const r = new LogRange(100, 1000, 5000);
    r.succeeded(10);
    expect(r.size).to.equal(200);
    r.succeeded(3000); // between half and the target: keep
    expect(r.size).to.equal(200);
    r.succeeded(20_000); // 4x the target: a quarter of the range
    expect(r.size).to.equal(50);
    for (let i = 0; i < 6; i++) r.succeeded(0);
    expect(r.size).to.equal(1000);
    expect(r.shrink(new RpcError("eth_getLogs", -32005, "too many"))).to.equal(true);
    expect(r.size).to.equal(500);
    expect(r.shrink(new RpcError("eth_getLogs", -32005, "Try with this block range [0x1, 0x3]"))).to.equal(true);
    expect(r.size).to.equal(3);
    r.shrink(new Error("x"));
    r.shrink(new Error("x"));
    expect(r.size).to.equal(1);
    expect(r.shrink(new Error("x"))).to.equal(false);
    expect(() => new LogRange(0, 10)).to.throw(/1 <= initial/);
  });
});

describe("indexer: eth_getLogs answers", () => {
  const LOG = {
    removed: false, logIndex: "0x0", transactionIndex: "0x0", transactionHash: "0x" + "1".repeat(64), blockHash: "0x" + "2".repeat(64),
    blockNumber: "0x5", address: "0x" + "3".repeat(40), data: "0x", topics: ["0x" + "4".repeat(64)],
  };
  const logs = [LOG, { ...LOG, logIndex: "0x1", topics: [] }, { ...LOG, logIndex: "0x2", data: "0x00" }];
  /** A JsonRpc whose node answers every request with `text`. */
  const answering = (text: string) => new JsonRpc("http://node.invalid", { retries: 0, fetch: (async () => new Response(text)) as typeof fetch });
  /** The logs handed over, as a consumer that starts afresh when told to keeps them. */
  const read = async (text: string) => {
    let seen: RpcLog[] = [];
    await answering(text).getLogs(0, 9, [], (l) => seen.push(l), () => (seen = []));
    return seen;
  };

  it("reads a compact answer log by log, and any other answer whole, to the same logs", async () => {
    const compact = JSON.stringify({ jsonrpc: "2.0", id: 1, result: logs });
    expect(await read(compact)).to.deep.equal(logs);
    expect(await read(compact + "\n")).to.deep.equal(logs);
    expect(await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: logs }, null, 2))).to.deep.equal(logs);
    expect(await read(JSON.stringify({ id: 1, jsonrpc: "2.0", result: logs }))).to.deep.equal(logs);
    expect(await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: [] }))).to.deep.equal([]);
    // A node that adds fields of its own, "},{" in a string included: the cut pieces are not JSON, so it is read whole.
    const odd = logs.map((l) => ({ ...l, note: "a},{b", extra: { nested: [1] } }));
    expect(await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: odd }))).to.deep.equal(odd);
    // Only the last one odd: the first two were handed over before the cut failed, and are handed over again.
    const lastOdd = [...logs.slice(0, 2), odd[2]];
    expect(await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: lastOdd }))).to.deep.equal(lastOdd);
  });

  it("an error answer is an RpcError, and text that is not JSON a transport failure", async () => {
    const error = read(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "query returned more than 10000 results" } }));
    await error.then(() => expect.fail("no error"), (err) => {
      expect(err).to.be.instanceOf(RpcError);
      expect(isRangeError(err)).to.equal(true);
    });
    await read('{"jsonrpc":"2.0","id":1,"result":[{"removed":fal').then(() => expect.fail("no error"), (err) => expect(err).to.be.instanceOf(RpcUnreachable));
  });

  it("parses answers that arrive at the same time each from its own bytes (their buffer is reused)", async () => {
    // The first the longer: the buffer it is assembled in is then reused as it is for the second.
    const answers = [[...logs, { ...LOG, logIndex: "0x3", data: "0x" + "ab".repeat(300) }], logs];
    // Each answer's body comes in one chunk; then both end in the same step, when `end` is called.
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    let asked = 0;
    const node = (async () => {
      const chunk = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, result: answers[asked++] }));
      let sent = false;
      const read = async () => (sent ? (await ended, { done: true }) : ((sent = true), { done: false, value: chunk }));
      return { ok: true, status: 200, body: { getReader: () => ({ read }) } } as unknown as Response;
    }) as typeof fetch;
    const rpc = new JsonRpc("http://node.invalid", { retries: 0, fetch: node });
    const seen: RpcLog[][] = [[], []];
    const reads = [0, 1].map((i) => rpc.getLogs(0, 9, [], (l) => seen[i].push(l), () => (seen[i] = [])));
    while (asked < 2) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    end();
    await Promise.all(reads);
    expect(seen).to.deep.equal(answers);
  });

  it("reads an answer that is not ASCII as UTF-8: a node's error message in Chinese, a log field of its own", async () => {
    // ASCII answers are read byte for byte (rpc.ts); anything else must still be decoded as the UTF-8 it is.
    const error = read(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32000, message: "区块范围过大 (block range too wide) ✓" } }));
    await error.then(() => expect.fail("no error"), (err) => expect((err as Error).message).to.contain("区块范围过大 (block range too wide) ✓"));
    const noted = logs.map((l) => ({ ...l, note: "数据资产 é" }));
    expect(await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: noted }))).to.deep.equal(noted);
  });
});
