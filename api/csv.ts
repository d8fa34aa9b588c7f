// CSV exports for accountants: the balance-sheet lines (each book's asset with its name) and the two disclosure
// tables with the period's data-resource R&D spending, amounts as exact decimals in the token's units (raw minor units
// where decimals are unknown). RFC 4180 quoting; UTF-8 with BOM for spreadsheets. `lang=zh` gives Chinese headers,
// categories and sources (外购 / 自行开发 / 其他方式, as the disclosure tables); the default `en` keeps English keys.
import type { Database } from "better-sqlite3";
import type { BalanceSheet, Disclosure } from "./accounting";
import { prepared } from "./context";
import { badInput } from "./inputs";
import { formatUnits } from "./money";
import { computeBalanceSheet, computeDisclosure, tokenRow } from "./resolvers/accounting";

export type CsvLanguage = "en" | "zh";

/** The `lang` parameter: en (the default, also when empty) or zh (zh-CN). */
export function csvLanguage(text: string): CsvLanguage {
  if (text === "" || /^en$/i.test(text)) return "en";
  if (/^zh(-cn)?$/i.test(text)) return "zh";
  throw badInput(`lang: "${text}" is not en or zh`);
}

const BALANCE_SHEET_HEADER: Record<CsvLanguage, string[]> = {
  en: ["entity", "as_of", "currency", "line", "book_id", "asset_id", "asset_name", "category", "source", "cost", "accumulated_amortisation", "impairment", "carrying_amount"],
  zh: ["主体", "截止日", "币种", "项目", "账簿编号", "资产编号", "资产名称", "类别", "取得方式", "账面原值", "累计摊销", "减值准备（跌价准备）", "账面价值"],
};
const ASSET_LINE: Record<CsvLanguage, string> = { en: "asset", zh: "明细" };
const CATEGORY_ZH: Record<string, string> = { Intangible: "无形资产", Inventory: "存货", Development: "开发支出" };
/** The disclosure tables' column for a source: 自行开发 for intangible assets and development, 自行加工 for inventory. */
const sourceZh = (source: string, category: string) =>
  ({ Purchased: "外购", SelfDeveloped: category === "Inventory" ? "自行加工" : "自行开发", Other: "其他方式" })[source] ?? source;
const DISCLOSURE_HEADER: Record<CsvLanguage, string[]> = {
  en: ["entity", "from", "to", "currency", "table", "section", "row", "purchased", "self_developed", "other", "total"],
  zh: ["主体", "期间起", "期间止", "币种", "表", "项目", "行", "外购", "自行开发（自行加工）", "其他方式", "合计"],
};

const quote = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number)[][]) => "\ufeff" + rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";

function units(db: Database, currency: string) {
  const t = tokenRow(db, currency);
  return { symbol: t.symbol ?? currency, fmt: (x: bigint) => (t.decimals === null ? x.toString() : formatUnits(x, t.decimals)) };
}

export function balanceSheetCsv(db: Database, entity: string, asOf: string, lang: CsvLanguage = "en"): string {
  const { entity: checksummed, sheets } = computeBalanceSheet(db, entity, asOf);
  const names = new Map(
    (prepared(db, "SELECT id, name FROM assets WHERE id IN (SELECT asset_id FROM books WHERE entity = ?)").all(checksummed) as { id: number; name: string }[]).map(
      (a) => [a.id, a.name],
    ),
  );
  const category = (c: string) => (lang === "zh" ? CATEGORY_ZH[c] ?? c : c);
  const rows: (string | number)[][] = [BALANCE_SHEET_HEADER[lang]];
  for (const s of sheets as BalanceSheet[]) {
    const { symbol, fmt } = units(db, s.currency);
    rows.push([entity, asOf, symbol, "存货 其中：数据资源", "", "", "", category("Inventory"), "", "", "", "", fmt(s.inventory)]);
    rows.push([entity, asOf, symbol, "无形资产 其中：数据资源", "", "", "", category("Intangible"), "", "", "", "", fmt(s.intangible)]);
    rows.push([entity, asOf, symbol, "开发支出 其中：数据资源", "", "", "", category("Development"), "", "", "", "", fmt(s.development)]);
    for (const r of s.rows) {
      const source = lang === "zh" ? sourceZh(r.source, r.category) : r.source;
      rows.push([entity, asOf, symbol, ASSET_LINE[lang], r.bookId, r.assetId, names.get(r.assetId) ?? "", category(r.category), source, fmt(r.cost), fmt(r.amortisation), fmt(r.impairment), fmt(r.carrying)]);
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

export function disclosureCsv(db: Database, entity: string, from: string, to: string, lang: CsvLanguage = "en"): string {
  const { tables } = computeDisclosure(db, entity, from, to);
  const rows: (string | number)[][] = [DISCLOSURE_HEADER[lang]];
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
