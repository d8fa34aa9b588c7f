// API benchmark: `npm run bench:api`. Settings (environment):
//   BENCH_EVENTS (default 100000) and BENCH_ASSETS (default 10000): the chain generated holds at least that many
//     events and registrations. Scaled with BENCH_ASSETS: the entity whose balance sheet is measured holds and has
//     booked (recognised, with costs) at least BENCH_ASSETS / 10 assets (1,000 at full size), and the asset whose
//     provenance is measured has at least max(10, BENCH_ASSETS / 100) events (100 at full size).
//   BENCH_API_SECONDS (default 10): measured seconds per query and concurrency, after BENCH_API_WARMUP_SECONDS
//     (default 2, at most half of BENCH_API_SECONDS) of warm-up.
//   BENCH_API_QUERIES: a comma-separated subset of lookup,page,provenance,balanceSheet,disclosure,balanceSheetCold,
//     disclosureCold (the same two with Cache-Control: no-cache: computed afresh, not from the API's cache),valuation,journal,
//     journalTable,journalPage,journalPageCold,journalCsv,journalCsvCold,journalXlsx. The other queries' figures of the
//     last api.json are kept (with their date).
//   BENCH_API_INDEX: an index file to keep; if it exists, it is measured as is (no generation).
//   BENCH_CPU_PROF=1: V8 CPU profile of the API process in <results>/profiles.
//   BENCH_API_BASELINE: a directory holding another checkout compiled with tsconfig.build.json (dist/): its API is the
//     one measured, for a side-by-side comparison on the same index (use BENCH_RESULTS to keep its figures apart).
//   API_WORKERS, API_CACHE_MB, API_SEMI_SPACE_MB: as for `npm run api` (API_CACHE_MB=0 measures every answer computed afresh).
// Generates activity on the in-process Hardhat chain (bench/activity.ts: every row comes from a real transaction),
// indexes it into a SQLite file, serves the API from the compiled JavaScript (tsconfig.build.json) in separate
// processes (bench/apiChild.ts: API_WORKERS workers, default the number of CPU cores, as `npm run api`), and loads it over keep-alive HTTP from here with 1 and 8 concurrent clients. Every
// response is checked (no errors, the expected size) before its latency counts. The journal (issue 17) is that
// entity's vouchers for the 12 months before the head's month: the whole year in one GraphQL answer (vouchers with
// their lines, and as the import `table`), the pages of 100 vouchers a client walks through (first, then after each
// endCursor: a walk starts again at the end), the whole year as the CSV and as the XLSX download; their aims (200 ms,
// and 1 s for the XLSX) are for 1 client. The API keeps a journal it computed until the index changes, so these
// repeated requests measure a journal already computed; the "cold" rows measure one computed afresh for each request
// (as after every new block): each sends a mapping of its own (one account added, unused), which the cache keys on,
// so every request reads the entity's rows and computes its journal again. The API process
// runs with NODE_ENV=production, as in production (graphql-js skips its development checks). Writes api.json to the
// results directory (bench/results, or BENCH_RESULTS).
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { generateActivity, prng } from "./activity";
import { writeDeployment } from "../scripts/deploy";
import { serveChain, tempDir, indexerOptions } from "../test/helpers/indexer";
import { Indexer } from "../indexer/indexer";
import { dateOf, formatDate } from "../api/accounting";
import { chartOf, journal as journalOf } from "../api/journal";
import { ledgerRowsOf } from "../api/resolvers/journal";
import { encodeCursor } from "../api/pagination";
import { percentile, round2 } from "./stats";

const ROOT = resolve(__dirname, "..");
/** Where results go: bench/results, or BENCH_RESULTS (bench/run.ts sets it; the smoke run uses a temporary one). */
const RESULTS = process.env.BENCH_RESULTS ?? join(ROOT, "bench", "results");
const CONCURRENCY = [1, 8];

function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

// ---------------------------------------------------------------- the dataset

interface Dataset {
  events: number;
  assets: number;
  /** The entity whose balance sheet and disclosure are measured, and its open books. */
  entity: string;
  entityOpenBooks: number;
  /** Distinct assets it holds and has open books with costs for. */
  entityHeldAndBooked: number;
  /** The asset with the most events: its provenance is measured. */
  busyAsset: number;
  busyAssetEvents: number;
  /** Assets with an appraisal on record and settled trades, with the token and right of those trades. */
  valued: { assetId: number; token: string; offer: string }[];
  /** The date (UTC+8) of the last indexed block. */
  headDate: string;
  /** The journal measured: the entity's 12 months before the head's month, and its size. */
  journal: { from: string; to: string; vouchers: number; lines: number; amortisationLines: number; books: number };
}

/** The 12 whole months before the month of `date`: first and last day. */
function twelveMonthsBefore(date: string): { from: string; to: string } {
  const [y, m] = date.split("-").map(Number);
  const first = new Date(Date.UTC(y, m - 13, 1)).toISOString().slice(0, 10);
  const last = new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
  return { from: first, to: last };
}

/** Generates the chain and indexes it into `database` (in this process: the backfill is not what is measured). */
async function buildIndex(database: string, target: { events: number; assets: number; entityBooks: number; provenance: number }) {
  // Each registration brings ~5 events (submission, approval, certificate, listing, ...) and everything else ~16.5
  // events per assetsPerWave unit (measured), so R = 16.5 S / (events per asset - 5) registrations per wave give
  // about the ratio asked (at most 20 S); targetAssets makes sure of the count either way. S = events / 4,000 gives
  // ~120 waves at full size, and at least 2 keeps a smoke run long enough for notices and trades to complete.
  const assetsPerWave = Math.min(40, Math.max(2, Math.round(target.events / 4000)));
  const spare = target.events / target.assets - 5;
  const registrationsPerWave = Math.ceil(assetsPerWave * (spare > 16.5 / 20 ? 16.5 / spare : 20));
  console.error(`generating >= ${target.events} events and >= ${target.assets} assets (${assetsPerWave} per wave, ${registrationsPerWave} registrations)...`);
  const activity = await generateActivity({
    targetEvents: target.events,
    targetAssets: target.assets,
    assetsPerWave,
    registrationsPerWave,
    whaleBooks: target.entityBooks,
    busyAssetTransactions: target.provenance,
    log: (m) => console.error(m),
  });
  console.error(`generated ${activity.events} events, ${activity.assets} assets in ${activity.seconds.toFixed(1)} s; indexing...`);
  const server = await serveChain();
  const tmp = tempDir();
  try {
    const record = activity.record;
    writeDeployment(record, tmp.dir);
    const indexer = new Indexer(indexerOptions(server.url, record, database));
    const started = Date.now();
    await indexer.syncToHead();
    await indexer.stop();
    console.error(`indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await server.close();
    tmp.remove();
  }
  return activity;
}

/** What the index holds, read from the file: the measured entity, asset and valuation targets are found, not assumed. */
function describe(database: string): Dataset {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;
    const { n: events } = one<{ n: number }>("SELECT count(*) AS n FROM events");
    const { n: assets } = one<{ n: number }>("SELECT count(*) AS n FROM assets");
    // The entity holding the most assets it has open books with costs for (the whale of bench/activity.ts).
    const whale = one<{ entity: string; n: number } | undefined>(
      `SELECT b.entity, count(DISTINCT b.asset_id) AS n FROM books b JOIN assets a ON a.id = b.asset_id
       WHERE b.derecognised_on IS NULL AND a.holder = b.entity
         AND EXISTS (SELECT 1 FROM book_entries e WHERE e.book_id = b.id AND e.kind = 'Cost')
       GROUP BY b.entity ORDER BY n DESC LIMIT 1`,
    );
    const openBooks = whale ? one<{ n: number }>("SELECT count(*) AS n FROM books WHERE entity = ? AND derecognised_on IS NULL", whale.entity).n : 0;
    const busy = one<{ asset_id: number; n: number }>(
      "SELECT asset_id, count(*) AS n FROM events WHERE asset_id IS NOT NULL GROUP BY asset_id ORDER BY n DESC LIMIT 1",
    );
    const valued = db
      .prepare(
        `SELECT s.asset_id AS assetId, s.token, s.offer, count(*) AS n FROM settlements s
         WHERE EXISTS (SELECT 1 FROM attestations a WHERE a.asset_id = s.asset_id AND a.kind = 'Appraisal' AND a.revoked_at IS NULL)
         GROUP BY s.asset_id, s.token, s.offer ORDER BY n DESC, s.asset_id LIMIT 50`,
      )
      .all() as { assetId: number; token: string; offer: string }[];
    const { block_time } = one<{ block_time: number }>("SELECT block_time FROM checkpoint WHERE id = 1");
    const headDate = formatDate(dateOf(block_time));
    // The journal's size, computed here once (as the API will) so the report says what was measured.
    const period = twelveMonthsBefore(headDate);
    const rows = whale ? ledgerRowsOf(db, whale.entity) : null;
    const j = rows ? journalOf(rows, chartOf(), period.from, period.to) : null;
    const vouchers = j?.vouchers ?? [];
    return {
      events,
      assets,
      entity: whale?.entity ?? "",
      entityOpenBooks: openBooks,
      entityHeldAndBooked: whale?.n ?? 0,
      busyAsset: busy?.asset_id ?? 0,
      busyAssetEvents: busy?.n ?? 0,
      valued: valued.map(({ assetId, token, offer }) => ({ assetId, token, offer })),
      headDate,
      journal: {
        ...period,
        vouchers: vouchers.length,
        lines: vouchers.reduce((n, v) => n + v.lines.length, 0),
        amortisationLines: vouchers.filter((v) => v.kind === "Amortisation").reduce((n, v) => n + v.lines.length, 0),
        books: rows?.books.length ?? 0,
      },
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- the queries

type Rnd = ReturnType<typeof prng>;
interface Scenario {
  name: string;
  title: string;
  /** p99 aim in ms, or null when the issue sets none. */
  aimMs: number | null;
  /** The number of clients the aim is for (all when absent). */
  aimClients?: number;
  /** Aims that differ by the number of clients (issue 15: the balance sheet), instead of aimMs/aimClients. */
  aimsByClients?: Record<number, number>;
  /** Request headers besides the usual (e.g. Cache-Control: no-cache, which asks for an answer computed afresh). */
  headers?: Record<string, string>;
  /** GET this path (a download) instead of POSTing `query`. */
  path?: (rnd: Rnd) => string;
  query: string;
  variables: (rnd: Rnd) => Record<string, unknown>;
  /** What is wrong with a response's data, or null if it is as expected. */
  check: (data: any, variables: Record<string, unknown>) => string | null;
  /** check also moves the scenario on (a walk through pages): it sees every answer, parsed, even one seen before. */
  checksEach?: boolean;
}

const AMOUNT = "{ raw value }";
/** Vouchers per page of the journal walked through. */
const JOURNAL_PAGE = 100;

/** `YYYY-MM-DD` `days` before `date`. */
function daysBefore(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) - days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Asks the API for an answer computed afresh, not from its response cache. */
const NO_CACHE = { "cache-control": "no-cache" };

function scenarios(d: Dataset, need: { entityBooks: number; provenance: number }): Scenario[] {
  const headYear = Number(d.headDate.slice(0, 4));
  // Disclosure periods: whole years since the rules took effect, and the year to date.
  const periods: [string, string][] = [[`${headYear}-01-01`, d.headDate]];
  for (let y = 2024; y < headYear; y++) periods.push([`${y}-01-01`, `${y}-12-31`]);
  periods.push(["2024-01-01", d.headDate]);
  const pageSize = 50;
  const walk = { after: null as string | null, seen: new Map<string | null, number>([[null, 0]]) };
  // A mapping no request sent before (an account of its own, used by no role): the journal is computed afresh.
  let cold = 0;
  const coldMapping = () => JSON.stringify({ accounts: { "9999": `bench ${process.pid} ${++cold}` } });
  const balanceSheet: Scenario = {
    name: "balanceSheet",
    title: `balance sheet (${d.entityOpenBooks} books)`,
    aimMs: 100,
    aimsByClients: { 1: 20, 8: 100 }, // issue 15
    query: `query BalanceSheet($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) {
      currency { address symbol decimals } inventory ${AMOUNT} intangible ${AMOUNT} development ${AMOUNT}
      rows { bookId asset { id name registrationNumber } category source cost ${AMOUNT} accumulatedAmortisation ${AMOUNT}
        impairment ${AMOUNT} carryingAmount ${AMOUNT} } } }`,
    // Any day of the last month: amortisation is computed afresh for each.
    variables: (rnd) => ({ entity: d.entity, asOf: daysBefore(d.headDate, rnd.int(0, 29)) }),
    check: (data) => {
      const rows = (data.balanceSheet ?? []).reduce((n: number, s: any) => n + s.rows.length, 0);
      return rows >= need.entityBooks ? null : `${rows} rows, expected >= ${need.entityBooks}`;
    },
  };
  const disclosure: Scenario = {
    name: "disclosure",
    title: "disclosure tables A and B",
    aimMs: 30,
    aimClients: 1,
    query: `query Disclosure($entity: String!, $from: String!, $to: String!) { disclosure(entity: $entity, from: $from, to: $to) {
      currency { symbol decimals } checksPass checks { name ok }
      intangible { title rows { key section label purchased ${AMOUNT} selfDeveloped ${AMOUNT} other ${AMOUNT} total ${AMOUNT} } }
      inventory { title rows { key section label purchased ${AMOUNT} selfDeveloped ${AMOUNT} other ${AMOUNT} total ${AMOUNT} } } } }`,
    variables: (rnd) => {
      const [from, to] = rnd.pick(periods);
      return { entity: d.entity, from, to };
    },
    check: (data) => {
      const ds = data.disclosure ?? [];
      if (!ds.length) return "no disclosure";
      return ds.every((x: any) => x.checksPass && x.intangible.rows.length === 23 && x.inventory.rows.length === 18) ? null : "checks failed or rows missing";
    },
  };
  return [
    {
      name: "lookup",
      title: "asset by id",
      aimMs: 25,
      query: `query Asset($id: ID!) { asset(id: $id) { id name kind sourceType grade status validNow registrationNumber holder applicant
        registrar { id code } submittedAt approvedAt validUntil contentHash metadataURI records sizeBytes openObjections } }`,
      variables: (rnd) => ({ id: String(rnd.int(1, d.assets)) }),
      check: (data, v) => (data.asset?.id === v.id ? null : `asset ${v.id} missing`),
    },
    {
      name: "page",
      title: "page of 50 assets",
      aimMs: 25,
      query: `query Assets($after: String) { assets(first: ${pageSize}, after: $after) { totalCount
        nodes { id name kind status validNow registrationNumber holder registrar { code } submittedAt validUntil contentHash }
        pageInfo { hasNextPage endCursor } } }`,
      // Any page of the registry: the cursor after a random id (null: the first page).
      variables: (rnd) => {
        const after = rnd.int(0, d.assets - pageSize);
        return { after: after === 0 ? null : encodeCursor(after) };
      },
      check: (data) =>
        data.assets?.nodes?.length === pageSize && data.assets.totalCount === d.assets ? null : `${data.assets?.nodes?.length} nodes, total ${data.assets?.totalCount}`,
    },
    {
      name: "provenance",
      title: `provenance (${d.busyAssetEvents} events, first 100)`,
      aimMs: 25,
      aimClients: 8,
      query: `query Provenance($id: ID!) { provenance(assetId: $id, first: 100) { totalCount
        nodes { contract name category args chain { txHash blockNumber blockHash logIndex time } } pageInfo { hasNextPage endCursor } } }`,
      variables: () => ({ id: String(d.busyAsset) }),
      check: (data) => {
        const p = data.provenance;
        const want = Math.min(100, d.busyAssetEvents);
        return p?.totalCount >= need.provenance && p.nodes.length === want ? null : `${p?.nodes?.length} of ${want} events, total ${p?.totalCount}`;
      },
    },
    balanceSheet,
    disclosure,
    // The same questions computed afresh (not from the response cache).
    { ...balanceSheet, name: "balanceSheetCold", title: `${balanceSheet.title}, computed afresh (Cache-Control: no-cache)`, headers: NO_CACHE },
    { ...disclosure, name: "disclosureCold", title: `${disclosure.title}, computed afresh (Cache-Control: no-cache)`, headers: NO_CACHE },
    {
      name: "valuation",
      title: "valuation (appraised, traded)",
      aimMs: null,
      query: `query Valuation($id: ID!, $asOf: String!, $params: ValuationParams) { valuation(assetId: $id, asOf: $asOf, params: $params) {
        assetId asOf token { symbol decimals } parameters
        appraisals { attestationId method value ${AMOUNT} valuationDate superseded }
        cost { computed value ${AMOUNT} reason inputs } market { computed value ${AMOUNT} reason inputs }
        income { computed value ${AMOUNT} reason inputs } } }`,
      variables: (rnd) => {
        const target = rnd.pick(d.valued);
        return { id: String(target.assetId), asOf: d.headDate, params: { token: target.token, offer: target.offer } };
      },
      check: (data) => {
        const v = data.valuation;
        if (!v?.appraisals?.length) return "no appraisal";
        return v.market.computed || v.income.computed ? null : `neither market nor income computed: ${v.market.reason}; ${v.income.reason}`;
      },
    },
    {
      name: "journal",
      title: `journal, ${d.journal.from}..${d.journal.to} (${d.journal.books} books: ${d.journal.vouchers} vouchers, ${d.journal.lines} lines, ${d.journal.amortisationLines} amortisation lines)`,
      aimMs: 200,
      aimClients: 1,
      // What an ERP import needs of every line, as the CSV and XLSX give it: the exact decimal amounts, the account,
      // the asset's registration number (辅助核算) and the evidence transaction.
      query: `query Journal($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to) {
        totals { currency { symbol } vouchers lines debit ${AMOUNT} credit ${AMOUNT} }
        vouchers { number date kind summary currency { symbol decimals }
          lines { account { code name } debit { value } credit { value } registrationNumber evidence { txHash } } } } }`,
      variables: () => ({ entity: d.entity, from: d.journal.from, to: d.journal.to }),
      check: (data) => {
        const lines = (data.journal?.vouchers ?? []).reduce((n: number, v: any) => n + v.lines.length, 0);
        return data.journal?.vouchers?.length === d.journal.vouchers && lines === d.journal.lines ? null : `${data.journal?.vouchers?.length} vouchers, ${lines} lines`;
      },
    },
    {
      name: "journalTable",
      title: `journal as the GraphQL import table, ${d.journal.from}..${d.journal.to} (${d.journal.lines} rows)`,
      aimMs: 200,
      aimClients: 1,
      // The same year as the rows of the ERP import (10 strings a line), with the totals.
      query: `query JournalTable($entity: String!, $from: String!, $to: String!) { journal(entity: $entity, from: $from, to: $to) {
        totals { currency { symbol } vouchers lines debit ${AMOUNT} credit ${AMOUNT} } table { columns rows } } }`,
      variables: () => ({ entity: d.entity, from: d.journal.from, to: d.journal.to }),
      check: (data) => {
        const t = data.journal?.table;
        return t?.columns?.length === 10 && t.rows.length === d.journal.lines && t.rows.every((r: string[]) => r.length === 10) ? null : `${t?.rows?.length} rows`;
      },
    },
    {
      name: "journalPage",
      title: `journal page of ${JOURNAL_PAGE} vouchers (walking all ${Math.ceil(d.journal.vouchers / JOURNAL_PAGE)} pages of the year)`,
      aimMs: 200,
      aimClients: 1,
      query: `query JournalPage($entity: String!, $from: String!, $to: String!, $first: Int, $after: String) {
        journal(entity: $entity, from: $from, to: $to, first: $first, after: $after) {
        totals { currency { symbol } vouchers lines debit ${AMOUNT} credit ${AMOUNT} } pageInfo { hasNextPage endCursor }
        vouchers { number date kind summary currency { symbol decimals }
          lines { account { code name } debit { value } credit { value } registrationNumber evidence { txHash } } } } }`,
      // The next page of the walk (shared by the clients), from the first again after the last.
      variables: () => ({ entity: d.entity, from: d.journal.from, to: d.journal.to, first: JOURNAL_PAGE, after: walk.after }),
      checksEach: true,
      check: (data, v) => {
        const j = data.journal;
        const seen = walk.seen.get(v.after as string | null) ?? 0;
        const want = Math.min(JOURNAL_PAGE, d.journal.vouchers - seen);
        if (j?.vouchers?.length !== want || j.totals.reduce((n: number, t: any) => n + t.vouchers, 0) !== d.journal.vouchers) {
          return `${j?.vouchers?.length} vouchers after ${seen}, expected ${want}`;
        }
        walk.after = j.pageInfo.hasNextPage ? j.pageInfo.endCursor : null;
        if (walk.after) walk.seen.set(walk.after, seen + want);
        return j.pageInfo.hasNextPage === seen + want < d.journal.vouchers ? null : `hasNextPage ${j.pageInfo.hasNextPage} after ${seen + want}`;
      },
    },
    {
      name: "journalPageCold",
      title: `journal first page of ${JOURNAL_PAGE} vouchers, computed afresh each time (as after a new block)`,
      aimMs: 200,
      aimClients: 1,
      query: `query JournalPage($entity: String!, $from: String!, $to: String!, $first: Int, $mapping: String) {
        journal(entity: $entity, from: $from, to: $to, first: $first, mapping: $mapping) {
        totals { currency { symbol } vouchers lines debit ${AMOUNT} credit ${AMOUNT} } pageInfo { hasNextPage endCursor }
        vouchers { number date kind summary currency { symbol decimals }
          lines { account { code name } debit { value } credit { value } registrationNumber evidence { txHash } } } } }`,
      variables: () => ({ entity: d.entity, from: d.journal.from, to: d.journal.to, first: JOURNAL_PAGE, mapping: coldMapping() }),
      check: (data) => {
        const j = data.journal;
        return j?.vouchers?.length === Math.min(JOURNAL_PAGE, d.journal.vouchers) && j.totals.reduce((n: number, t: any) => n + t.vouchers, 0) === d.journal.vouchers
          ? null
          : `${j?.vouchers?.length} vouchers`;
      },
    },
    {
      name: "journalCsv",
      title: `journal as CSV (${d.journal.lines} rows)`,
      aimMs: 200,
      aimClients: 1,
      query: "",
      path: () => `/csv/journal?${new URLSearchParams({ entity: d.entity, from: d.journal.from, to: d.journal.to })}`,
      variables: () => ({}),
      // Every line of the year, one row each after the header (no field of the journal holds a line break).
      check: (data) => (data.rows === d.journal.lines + 1 ? null : `${data.rows} rows, expected ${d.journal.lines + 1}`),
    },
    {
      name: "journalCsvCold",
      title: `journal as CSV (${d.journal.lines} rows), computed afresh each time (as after a new block)`,
      aimMs: 200,
      aimClients: 1,
      query: "",
      path: () => `/csv/journal?${new URLSearchParams({ entity: d.entity, from: d.journal.from, to: d.journal.to, mapping: coldMapping() })}`,
      variables: () => ({}),
      check: (data) => (data.rows === d.journal.lines + 1 ? null : `${data.rows} rows, expected ${d.journal.lines + 1}`),
    },
    {
      name: "journalXlsx",
      title: `journal as XLSX (${d.journal.lines} rows)`,
      aimMs: 1000,
      aimClients: 1,
      query: "",
      path: () => `/xlsx/journal?${new URLSearchParams({ entity: d.entity, from: d.journal.from, to: d.journal.to })}`,
      variables: () => ({}),
      // A zip (XLSX) of some size; its rows are checked by the API tests.
      check: (data) => (data.bytes > 1000 && data.zip ? null : `${data.bytes} bytes, zip ${data.zip}`),
    },
  ];
}

// ---------------------------------------------------------------- load

interface Stats {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  reqPerSecond: number;
  /** Mean response size in bytes. */
  bytes: number;
}

function post(agent: http.Agent, url: URL, body: string, get?: string, extra: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((done, fail) => {
    const headers = { ...(get ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }), ...extra };
    const req = http.request({ host: url.hostname, port: url.port, path: get ?? "/graphql", method: get ? "GET" : "POST", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        done({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(get ? undefined : body);
  });
}


const CHECKED_BYTES = 64 * 1024 * 1024;

/**
 * `clients` concurrent clients, each on its own keep-alive connection, send the scenario's query back to back for
 * `seconds` (after `warmup` seconds unmeasured). Latency is from sending the request to the last byte of the answer;
 * every answer is then checked (parsed, or equal to one that was), and one that is wrong stops the benchmark.
 */
async function measure(url: URL, s: Scenario, clients: number, seconds: number, warmup: number, seed: number): Promise<Stats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const rnd = prng(seed);
  const latencies: number[] = [];
  let bytes = 0;
  // The answers already parsed and checked, by request body (up to CHECKED_BYTES in all). An answer byte for byte
  // equal to one of them is as right; comparing costs microseconds, parsing a 476 KB balance sheet milliseconds of
  // the CPU the API shares with this generator (a real client parses on its own machine).
  const checked = new Map<string, Buffer>();
  let checkedBytes = 0;
  const run = async (until: bigint, record: boolean) => {
    const count = (ms: number, size: number) => {
      if (record) {
        latencies.push(ms);
        bytes += size;
      }
    };
    while (process.hrtime.bigint() < until) {
      const variables = s.variables(rnd);
      const body = JSON.stringify({ query: s.query, variables });
      const get = s.path?.(rnd);
      const started = process.hrtime.bigint();
      const res = await post(agent, url, body, get, s.headers);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (get) {
        // A download: its status, size and container are checked.
        if (res.status !== 200) throw new Error(`${s.name} ${get}: HTTP ${res.status}: ${res.bytes.toString("utf8").slice(0, 300)}`);
        const zip = res.bytes.subarray(0, 2).toString() === "PK";
        const rows = zip ? 0 : res.bytes.toString("utf8").split("\r\n").length - 1;
        const wrong = s.check({ bytes: res.bytes.length, zip, rows }, variables);
        if (wrong) throw new Error(`${s.name} ${get}: ${wrong}`);
        count(ms, res.bytes.length);
        continue;
      }
      if (res.status === 200 && !s.checksEach && checked.get(body)?.equals(res.bytes)) {
        count(ms, res.bytes.length);
        continue;
      }
      const text = res.bytes.toString("utf8");
      let answer: { data?: any; errors?: unknown[] };
      try {
        answer = JSON.parse(text);
      } catch {
        throw new Error(`${s.name}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
      }
      if (res.status !== 200 || answer.errors) throw new Error(`${s.name} ${JSON.stringify(variables)}: HTTP ${res.status}: ${JSON.stringify(answer.errors)}`);
      const wrong = s.check(answer.data, variables);
      if (wrong) throw new Error(`${s.name} ${JSON.stringify(variables)}: ${wrong}`);
      if (checkedBytes + res.bytes.length <= CHECKED_BYTES && !checked.has(body)) {
        checked.set(body, res.bytes);
        checkedBytes += res.bytes.length;
      }
      count(ms, res.bytes.length);
    }
  };
  const clock = () => process.hrtime.bigint();
  const s2ns = (x: number) => BigInt(Math.round(x * 1e9));
  if (warmup > 0) await Promise.all(Array.from({ length: clients }, () => run(clock() + s2ns(warmup), false)));
  const started = clock();
  await Promise.all(Array.from({ length: clients }, () => run(started + s2ns(seconds), true)));
  const elapsed = Number(clock() - started) / 1e9;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    seconds: round2(elapsed),
    p50: round2(percentile(sorted, 50)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted[sorted.length - 1]),
    reqPerSecond: round2(sorted.length / elapsed),
    bytes: Math.round(bytes / Math.max(1, sorted.length)),
  };
}

// ---------------------------------------------------------------- processes

/** Compiles the API to JavaScript (tsconfig.build.json): measured as it runs in production, without ts-node. */
async function build(): Promise<void> {
  const tsc = spawn(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  await new Promise<void>((done, fail) => tsc.once("exit", (code) => (code === 0 ? done() : fail(new Error(`tsc failed (${code})`)))));
  // The server reads its SDL next to itself; tsc copies only code.
  copyFileSync(join(ROOT, "api", "schema.graphql"), join(ROOT, "dist", "api", "schema.graphql"));
}

interface ApiProcess {
  url: URL;
  /** Stops it and returns what it reports of itself. */
  stop(): Promise<{ cpuSeconds: number; peakRssMB: number; workers: number }>;
}

/** Starts bench/apiChild.ts (compiled) on the index and waits for its address. */
function startApiProcess(database: string, profileDir?: string): Promise<ApiProcess> {
  // BENCH_API_BASELINE: another checkout's compiled API (e.g. the previous commit's, built with tsconfig.build.json),
  // measured by the same load and checks on the same index: a side-by-side comparison.
  const root = process.env.BENCH_API_BASELINE ? resolve(process.env.BENCH_API_BASELINE) : ROOT;
  const args = [...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), "dist/bench/apiChild.js"];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env: { ...process.env, INDEX_DB: database, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  let buffered = "";
  const waiters: (() => void)[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim()));
    waiters.splice(0).forEach((w) => w());
  });
  // "close", not "exit": by then everything it printed has been read.
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  const nextLine = async (index: number): Promise<any> => {
    while (lines.length <= index) {
      const more = new Promise<void>((done) => waiters.push(done));
      const code = await Promise.race([more.then(() => undefined), exited]);
      if (code !== undefined && lines.length <= index) throw new Error(`API process exited (code ${code}) before reporting`);
    }
    return JSON.parse(lines[index]);
  };
  return nextLine(0).then(({ url }) => ({
    url: new URL(url),
    stop: async () => {
      child.kill("SIGTERM");
      return nextLine(1);
    },
  }));
}

// ---------------------------------------------------------------- main

async function main() {
  const target = { events: intEnv("BENCH_EVENTS", 100_000), assets: intEnv("BENCH_ASSETS", 10_000) };
  const need = { entityBooks: Math.ceil(target.assets / 10), provenance: Math.max(10, Math.ceil(target.assets / 100)) };
  const seconds = intEnv("BENCH_API_SECONDS", 10);
  const warmup = process.env.BENCH_API_WARMUP_SECONDS ? intEnv("BENCH_API_WARMUP_SECONDS", 2, 0) : Math.min(2, seconds / 2);
  const only = process.env.BENCH_API_QUERIES?.split(",").map((q) => q.trim()).filter(Boolean);
  const loadBefore = loadavg()[0];

  const keep = process.env.BENCH_API_INDEX ? resolve(process.env.BENCH_API_INDEX) : undefined;
  const tmp = keep ? undefined : tempDir();
  const database = keep ?? join(tmp!.dir, "index.sqlite");
  let generation: { seconds: number; events: number; assets: number } | null = null;
  try {
    if (keep && existsSync(keep)) console.error(`measuring the existing index ${keep} (no generation)`);
    else {
      if (keep) mkdirSync(dirname(keep), { recursive: true });
      const a = await buildIndex(database, { ...target, ...need });
      generation = { seconds: round2(a.seconds), events: a.events, assets: a.assets };
    }
    const d = describe(database);
    const problems = [
      d.events < target.events && `${d.events} events < ${target.events}`,
      d.assets < target.assets && `${d.assets} assets < ${target.assets}`,
      d.entityHeldAndBooked < need.entityBooks && `the entity holds and has booked ${d.entityHeldAndBooked} assets < ${need.entityBooks}`,
      d.busyAssetEvents < need.provenance && `the busiest asset has ${d.busyAssetEvents} events < ${need.provenance}`,
      !d.valued.length && "no asset with an appraisal and trades",
    ].filter(Boolean);
    if (problems.length) throw new Error(`the index is too small for this benchmark: ${problems.join("; ")}`);
    console.error(
      `dataset: ${d.events} events, ${d.assets} assets; entity ${d.entity} with ${d.entityOpenBooks} books (${d.entityHeldAndBooked} assets held and booked); asset ${d.busyAsset} with ${d.busyAssetEvents} events; ${d.valued.length} valuation targets; head ${d.headDate}`,
    );

    await build();
    const profileDir = process.env.BENCH_CPU_PROF ? join(RESULTS, "profiles") : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const api = await startApiProcess(database, profileDir);
    const measured: Record<string, Record<string, Stats & { aimMs: number | null; met: boolean | null }>> = {};
    const titles: Record<string, string> = {};
    const table: string[][] = [];
    try {
      const all = scenarios(d, need).filter((s) => !only || only.includes(s.name));
      if (!all.length) throw new Error(`BENCH_API_QUERIES=${process.env.BENCH_API_QUERIES} names no query`);
      for (const [i, s] of all.entries()) {
        measured[s.name] = {};
        titles[s.name] = s.title;
        for (const clients of CONCURRENCY) {
          const st = await measure(api.url, s, clients, seconds, warmup, 1000 * (i + 1) + clients);
          const aimMs = s.aimsByClients ? s.aimsByClients[clients] ?? null : s.aimClients === undefined || s.aimClients === clients ? s.aimMs : null;
          const met = aimMs === null ? null : st.p99 <= aimMs;
          measured[s.name][`c${clients}`] = { ...st, aimMs, met };
          const row = [s.title, String(clients), String(st.requests), st.p50.toFixed(2), st.p99.toFixed(2), st.max.toFixed(2), st.reqPerSecond.toFixed(0), aimMs === null ? "-" : `<= ${aimMs}: ${met ? "met" : "NOT met"}`];
          table.push(row);
          console.error(row.join("  "));
        }
      }
    } catch (err) {
      await api.stop().catch(() => undefined); // the measurement's error is the one to report
      throw err;
    }
    const apiReport = await api.stop();

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverage: { before: loadBefore, after: loadavg()[0] } },
      settings: { secondsPerScenario: seconds, warmupSeconds: warmup, concurrency: CONCURRENCY, targetEvents: target.events, targetAssets: target.assets },
      dataset: {
        events: d.events,
        assets: d.assets,
        entity: d.entity,
        entityAssetCount: d.entityHeldAndBooked,
        entityOpenBooks: d.entityOpenBooks,
        provenanceAsset: d.busyAsset,
        provenanceEventCount: d.busyAssetEvents,
        valuationTargets: d.valued.length,
        asOf: d.headDate,
        journal: d.journal,
        generation,
      },
      api: { workers: apiReport.workers, cpuSeconds: round2(apiReport.cpuSeconds), peakRssMB: apiReport.peakRssMB },
      /** Per query, per concurrency (c1, c8). */
      queries: measured,
      titles,
    };
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, "api.json");
    if (only && existsSync(file)) {
      // A subset: the other queries keep their last figures, in the order the scenarios name them, with their date.
      const last = JSON.parse(readFileSync(file, "utf8"));
      const order = scenarios(d, need).map((s) => s.name);
      const names = order.filter((q) => measured[q] || last.queries?.[q]);
      results.queries = Object.fromEntries(names.map((q) => [q, measured[q] ?? { ...last.queries[q], measuredOn: last.queries[q].measuredOn ?? last.date }]));
      results.titles = Object.fromEntries(names.map((q) => [q, titles[q] ?? last.titles?.[q] ?? q]));
    }
    writeFileSync(file, JSON.stringify(results, null, 2) + "\n");

    const head = ["query", "clients", "requests", "p50 ms", "p99 ms", "max ms", "req/s", "aim (p99 ms)"];
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    console.log(line(head));
    for (const r of table) console.log(line(r));
    console.log(`dataset: ${d.events} events, ${d.assets} assets; balance sheet of ${d.entityOpenBooks} books; provenance of ${d.busyAssetEvents} events`);
    console.log(`API: ${apiReport.workers} worker process(es), ${round2(apiReport.cpuSeconds)} CPU s, peak RSS ${apiReport.peakRssMB} MB (all processes); load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (${cpus().length} CPUs)`);
    console.log(`results: ${join(RESULTS, "api.json")}${profileDir ? `; CPU profile in ${profileDir}` : ""}`);
  } finally {
    tmp?.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
