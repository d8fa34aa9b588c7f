// CSV exports for accountants: the balance-sheet lines and the two disclosure tables with the period's data-resource
// R&D spending, amounts as exact decimals in the token's units (raw minor units where decimals are unknown). RFC 4180
// quoting; UTF-8 with BOM for spreadsheets.
import type { Database } from "better-sqlite3";
import type { BalanceSheet, Disclosure } from "./accounting";
import { formatUnits } from "./money";
import { computeBalanceSheet, computeDisclosure, tokenRow } from "./resolvers/accounting";

const quote = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number)[][]) => "\ufeff" + rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";

function units(db: Database, currency: string) {
  const t = tokenRow(db, currency);
  return { symbol: t.symbol ?? currency, fmt: (x: bigint) => (t.decimals === null ? x.toString() : formatUnits(x, t.decimals)) };
}

export function balanceSheetCsv(db: Database, entity: string, asOf: string): string {
  const { sheets } = computeBalanceSheet(db, entity, asOf);
  const rows: (string | number)[][] = [["entity", "as_of", "currency", "line", "book_id", "asset_id", "category", "source", "cost", "accumulated_amortisation", "impairment", "carrying_amount"]];
  for (const s of sheets as BalanceSheet[]) {
    const { symbol, fmt } = units(db, s.currency);
    rows.push([entity, asOf, symbol, "存货 其中：数据资源", "", "", "Inventory", "", "", "", "", fmt(s.inventory)]);
    rows.push([entity, asOf, symbol, "无形资产 其中：数据资源", "", "", "Intangible", "", "", "", "", fmt(s.intangible)]);
    rows.push([entity, asOf, symbol, "开发支出 其中：数据资源", "", "", "Development", "", "", "", "", fmt(s.development)]);
    for (const r of s.rows) {
      rows.push([entity, asOf, symbol, "asset", r.bookId, r.assetId, r.category, r.source, fmt(r.cost), fmt(r.amortisation), fmt(r.impairment), fmt(r.carrying)]);
    }
  }
  return csv(rows);
}

/** The R&D spending rows of the disclosure CSV, after tables A and B (财会〔2023〕11号: 计入当期损益 / 确认为无形资产). */
const RESEARCH_AND_DEVELOPMENT_TITLE = "数据资源研究开发支出";
const RESEARCH_AND_DEVELOPMENT_SECTION = "本期发生额";
const RESEARCH_AND_DEVELOPMENT_ROWS = [
  ["expensed", "费用化支出（计入当期损益）"],
  ["capitalised", "资本化支出（开发支出，达到预定用途转入无形资产）"],
  ["total", "合计"],
] as const;

export function disclosureCsv(db: Database, entity: string, from: string, to: string): string {
  const { tables } = computeDisclosure(db, entity, from, to);
  const rows: (string | number)[][] = [["entity", "from", "to", "currency", "table", "section", "row", "purchased", "self_developed", "other", "total"]];
  for (const d of tables as Disclosure[]) {
    const { symbol, fmt } = units(db, d.currency);
    for (const t of [d.intangible, d.inventory]) {
      for (const r of t.rows) {
        rows.push([entity, from, to, symbol, t.title, r.section, r.label, fmt(r.amounts.purchased), fmt(r.amounts.selfDeveloped), fmt(r.amounts.other), fmt(r.amounts.total)]);
      }
    }
    // The period's R&D spending: one amount each (not split by source), in the total column.
    const rd = d.researchAndDevelopment;
    for (const [key, label] of RESEARCH_AND_DEVELOPMENT_ROWS) {
      rows.push([entity, from, to, symbol, RESEARCH_AND_DEVELOPMENT_TITLE, RESEARCH_AND_DEVELOPMENT_SECTION, label, "", "", "", fmt(rd[key])]);
    }
  }
  return csv(rows);
}
