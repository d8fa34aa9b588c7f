// The API as worker processes over one read-only index file (api/workers.ts, as `npm run api` and `npm start` run
// it): every worker answers on the shared port, /metrics counts every worker's requests, /ready reads where the
// index stands, answers carry an ETag of the indexed block that If-None-Match revalidates (304) until the index
// moves, and close() lets a request in flight finish before the workers exit.
import { expect } from "chai";
import http from "node:http";
import { Indexer } from "../../indexer/indexer";
import { indexTag, readiness } from "../../api/server";
import { startApiWorkers, workerCount, workerFlags, maxLagFromEnv, type ApiWorkers } from "../../api/workers";
import { syncFromIndex } from "../../api/indexSync";
import { openIndex } from "../../api/server";
import { market, type Market } from "../helpers/exchange";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { registerActive } from "../helpers/registry";

describe("API workers (issue 15)", function () {
  let m: Market;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiWorkers;
  let database: string;
  const query = "{ _meta { latestBlock latestBlockHash } assets(first: 5) { nodes { id } } }";

  before(async () => {
    m = await market();
    await registerActive(m, m.holder, { name: "Served by workers" });
    chain = await serveChain();
    tmp = tempDir();
    database = `${tmp.dir}/index.sqlite`;
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(m), database));
    await indexer.syncToHead();
    api = await startApiWorkers({ database, workers: 2, port: 0, log: () => undefined });
  });
  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  it("API_WORKERS and MAX_LAG_BLOCKS: defaults and refusals", () => {
    expect(workerCount({})).to.be.at.least(1);
    expect(workerCount({ API_WORKERS: "3" })).to.equal(3);
    expect(() => workerCount({ API_WORKERS: "0" })).to.throw(/API_WORKERS=0/);
    expect(() => workerCount({ API_WORKERS: "two" })).to.throw(/whole number/);
    expect(maxLagFromEnv({})).to.equal(undefined);
    expect(maxLagFromEnv({ MAX_LAG_BLOCKS: "5" })).to.equal(5);
    expect(() => maxLagFromEnv({ MAX_LAG_BLOCKS: "-1" })).to.throw(/MAX_LAG_BLOCKS/);
  });

  it("API_SEMI_SPACE_MB: the workers' young generation, 64 MB from the start, unless the operator set it", () => {
    expect(workerFlags({}, ["--enable-source-maps"])).to.deep.equal(["--enable-source-maps", "--max-semi-space-size=64", "--min-semi-space-size=64"]);
    expect(workerFlags({ API_SEMI_SPACE_MB: "128" }, [])).to.deep.equal(["--max-semi-space-size=128", "--min-semi-space-size=128"]);
    expect(workerFlags({ API_SEMI_SPACE_MB: "0" }, [])).to.deep.equal([]); // V8's own
    expect(workerFlags({}, ["--max-semi-space-size=32"])).to.deep.equal(["--max-semi-space-size=32"]);
    expect(workerFlags({ NODE_OPTIONS: "--max_semi_space_size=16 --trace-gc" }, [])).to.deep.equal([]);
    expect(() => workerFlags({ API_SEMI_SPACE_MB: "lots" }, [])).to.throw(/API_SEMI_SPACE_MB=lots: expected a whole number/);
    expect(() => workerFlags({ API_SEMI_SPACE_MB: "-1" }, [])).to.throw(/API_SEMI_SPACE_MB/);
  });

  it("answers from every worker; /metrics counts the requests of all of them", async () => {
    const pids = new Set<string>();
    const before = await graphqlCount();
    const n = 12;
    for (let i = 0; i < n; i++) {
      // A new connection each time, so the primary hands them out to both workers.
      const res = await postOnNewConnection(`${api.url}/graphql`, JSON.stringify({ query }));
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body).data.assets.nodes.length).to.be.at.least(1);
      pids.add(res.worker ?? "");
    }
    expect(pids.size, "answered by both workers").to.equal(2);
    expect((await graphqlCount()) - before).to.equal(n);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).to.match(/^dal_api_workers 2$/m);
    expect(text).to.match(new RegExp(`^dal_index_latest_block ${indexer.status().latestBlock}$`, "m")); // not summed
  });

  it("/ready: ready when caught up, with the lag; not ready beyond MAX_LAG_BLOCKS", async () => {
    const res = await fetch(`${api.url}/ready`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.include({ ready: true, lag: 0, latestBlock: indexer.status().latestBlock });
    const s = { chainId: 31337, latestBlock: 100, latestHash: "0x01", latestBlockTime: 1, head: 110, lag: 10, caughtUp: false };
    expect(readiness(s, 10).ready).to.equal(true);
    expect(readiness(s, 9).ready).to.equal(false);
    expect(readiness(s).ready).to.equal(false);
    expect(readiness({ ...s, latestBlock: null, latestHash: null, lag: null })).to.include({ ready: false });
  });

  it("answers carry an ETag of the indexed block: If-None-Match gives 304 until the index moves", async () => {
    const url = `${api.url}/graphql?query=${encodeURIComponent(query)}`;
    const first = await fetch(url, { headers: { accept: "application/json" } });
    expect(first.status).to.equal(200);
    const tag = first.headers.get("etag")!;
    expect(tag).to.equal(indexTag(syncFromIndex(openIndex(database), 0)()));
    const body = (await first.json()) as any;
    expect(tag).to.contain(`-${body.data._meta.latestBlock}-${body.data._meta.latestBlockHash.slice(2, 18)}-`);
    // POST answers carry it too (a client may then revalidate with GET).
    const posted = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    expect(posted.headers.get("etag")).to.equal(tag);

    const again = await fetch(url, { headers: { accept: "application/json", "if-none-match": tag } });
    expect(again.status).to.equal(304);
    expect(again.headers.get("etag")).to.equal(tag);
    expect(await again.text()).to.equal("");

    await registerActive(m, m.holder, { name: "A new block" });
    await indexer.syncToHead();
    const moved = await fetch(url, { headers: { accept: "application/json", "if-none-match": tag } });
    expect(moved.status).to.equal(200);
    expect(moved.headers.get("etag")).to.not.equal(tag);
    expect(((await moved.json()) as any).data._meta.latestBlock).to.equal(indexer.status().latestBlock);
  });

  it("the same question at the same block is answered from the cache; a new block gives a fresh answer", async () => {
    const hits = async () =>
      Number(/^dal_api_cache_requests_total\{outcome="hit"\} (\d+)$/m.exec(await (await fetch(`${api.url}/metrics`)).text())?.[1] ?? 0);
    const ask = async () =>
      (await (await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })).json()) as any;
    const before = await hits();
    const first = await ask();
    for (let i = 0; i < 4; i++) expect(await ask()).to.deep.equal(first);
    expect((await hits()) - before).to.be.at.least(2); // 5 asks over 2 workers: at most 2 computed
    // Cache-Control: no-cache asks for an answer computed afresh: no hit.
    const beforeFresh = await hits();
    const freshly = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-cache" },
      body: JSON.stringify({ query }),
    });
    expect(await freshly.json()).to.deep.equal(first);
    expect(await hits()).to.equal(beforeFresh);
    // Answers computed afresh again and again leave the bytes kept as they were: each worker keeps one copy (new
    // connections reach both workers in turn). They were counted again for every request, until the count passed the
    // bound and the cache threw everything out.
    const kept = async () => Number(/^dal_api_cache_bytes (\d+)$/m.exec(await (await fetch(`${api.url}/metrics`)).text())?.[1]);
    const afresh = async (n: number) => {
      const answers = [];
      for (let i = 0; i < n; i++) {
        answers.push(JSON.parse((await postOnNewConnection(`${api.url}/graphql`, JSON.stringify({ query }), { "cache-control": "no-cache" })).body));
      }
      return answers;
    };
    for (const a of await afresh(8)) expect(a).to.deep.equal(first);
    const bytes = await kept();
    expect(bytes).to.be.greaterThan(0);
    for (const a of await afresh(8)) expect(a).to.deep.equal(first);
    expect(await kept()).to.equal(bytes);
    await registerActive(m, m.holder, { name: "Another block" });
    await indexer.syncToHead();
    // At the new block, requests for answers computed afresh alone (to both workers) get the new answer, and it is
    // kept: the next plain request is a hit. Before, a cache that saw no plain request stayed at the old block.
    for (const a of await afresh(4)) expect(a.data._meta.latestBlock).to.equal(indexer.status().latestBlock);
    const beforeNew = await hits();
    const fresh = JSON.parse((await postOnNewConnection(`${api.url}/graphql`, JSON.stringify({ query }))).body);
    expect(fresh.data._meta.latestBlock).to.equal(indexer.status().latestBlock);
    expect(fresh.data._meta.latestBlock).to.be.greaterThan(first.data._meta.latestBlock);
    expect(await hits()).to.equal(beforeNew + 1);
  });

  it("close() lets a request in flight finish, then every worker exits", async () => {
    // A request whose body is still being sent when close() is called: its worker has begun it, so it must answer.
    const body = JSON.stringify({ query });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        `${api.url}/graphql`,
        { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        closing = api.close();
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    let closing: ReturnType<ApiWorkers["close"]> | undefined;
    const { status, text } = await answer;
    expect(status).to.equal(200);
    expect(JSON.parse(text).data.assets.nodes.length).to.be.at.least(1);
    const reports = await closing!;
    expect(reports.length).to.equal(2);
    let refused = false;
    await fetch(`${api.url}/health`).catch(() => (refused = true));
    expect(refused, "nothing listens after close").to.equal(true);
  });

  function postOnNewConnection(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; worker?: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", ...headers } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: text, worker: res.headers["x-api-worker"] as string | undefined }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Requests to /graphql counted by /metrics (all workers). */
  async function graphqlCount(): Promise<number> {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    let n = 0;
    for (const [, count] of text.matchAll(/^dal_http_request_duration_seconds_count\{[^}]*route="\/graphql"[^}]*\} (\d+)$/gm)) n += Number(count);
    return n;
  }
});
