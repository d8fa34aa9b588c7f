// The benchmarks still run: `npm run bench` at smoke sizes (bench/run.ts, BENCH_SMOKE=1) into a temporary
// directory, then the figures it wrote are checked for shape and sanity. Speed aims are not asserted here (they
// belong to the full benchmark, not to CI on a shared machine).
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/indexer";

const ROOT = resolve(__dirname, "../..");

describe("benchmarks (smoke run)", function () {
  this.timeout(10 * 60_000);
  const tmp = tempDir();
  let results: any;

  before(async () => {
    const env = { ...process.env, BENCH_SMOKE: "1", BENCH_RESULTS: tmp.dir, PROGRESS: "0" };
    const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "bench/run.ts"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    if (code !== 0) throw new Error(`bench/run.ts exited ${code}:\n${stderr.slice(-4000)}`);
    results = JSON.parse(readFileSync(join(tmp.dir, "results.json"), "utf8"));
  });
  after(() => tmp.remove());

  it("measures gas of every user-facing flow, with storage writes, and checks the two aims", () => {
    const flows = results.gas.results;
    for (const name of ["registration (submit + approve)", "object", "add version", "grant", "revoke", "list", "order", "deliver", "accept + settle, 0 royalty payees", "accept + settle, 2 royalty payees", "accept + settle, 5 royalty payees", "withdraw", "attest compliance", "attest quality", "attest appraisal", "record: recognise", "record: cost", "record: impair", "record: derecognise"]) {
      expect(flows, name).to.have.property(name);
      expect(flows[name].median, name).to.be.greaterThan(21_000);
      expect(flows[name].writes.created + flows[name].writes.updated + flows[name].writes.cleared, name).to.be.greaterThan(0);
    }
    expect(flows["registration (submit + approve)"]).to.include({ aim: 200_000 });
    expect(flows["accept + settle, 2 royalty payees"]).to.include({ aim: 200_000 });
    // More royalty lines cost more: each is a credit written.
    expect(flows["accept + settle, 5 royalty payees"].median).to.be.greaterThan(flows["accept + settle, 2 royalty payees"].median);
  });

  it("backfills the generated chain completely, follows new blocks, and undoes a reorg to an index equal to a fresh one", () => {
    const ix = results.indexer;
    expect(ix.backfill.events).to.equal(ix.chain.events).and.to.be.at.least(1500);
    expect(ix.backfill.eventsPerSecond).to.be.greaterThan(0);
    expect(ix.backfill.peakRssMB).to.be.greaterThan(0);
    expect(ix.realtime.blocks).to.be.at.least(5);
    expect(ix.realtime.p99Ms).to.be.at.least(ix.realtime.p50Ms);
    expect(ix.reorg).to.include({ depth: 50, verified: true });
    expect(ix.reorg.rowsUndone).to.be.greaterThan(0);
  });

  it("loads the API with 1 and 8 clients on every query, each response checked", () => {
    const api = results.api;
    expect(api.dataset.events).to.be.at.least(1500);
    expect(api.dataset.assets).to.be.at.least(150);
    for (const q of ["lookup", "page", "provenance", "balanceSheet", "disclosure", "valuation", "journal", "journalXlsx"]) {
      for (const c of ["c1", "c8"]) {
        expect(api.queries[q][c].requests, `${q} ${c}`).to.be.greaterThan(0);
        expect(api.queries[q][c].p99, `${q} ${c}`).to.be.at.least(api.queries[q][c].p50);
      }
    }
    // The journal's aims are for 1 client: 200 ms, and 1 s for its XLSX.
    expect([api.queries.journal.c1.aimMs, api.queries.journal.c8.aimMs, api.queries.journalXlsx.c1.aimMs]).to.deep.equal([200, null, 1000]);
    expect(api.dataset.journal.vouchers).to.be.greaterThan(0);
  });

  it("writes a report naming the machine and every section", () => {
    const report = readFileSync(join(tmp.dir, "REPORT.md"), "utf8");
    expect(report).to.include("SMOKE RUN").and.include("## Gas per transaction").and.include("## Indexer").and.include("## API");
    expect(report).to.include(`${results.machine.cpus} × ${results.machine.cpu}`);
    expect(existsSync(join(tmp.dir, "gas.json"))).to.equal(true);
  });
});
