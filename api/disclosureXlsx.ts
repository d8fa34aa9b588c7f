// The disclosure workbook for accountants (GET /xlsx/disclosure?entity=0x…&from=YYYY-MM-DD&to=YYYY-MM-DD): tables A
// (无形资产) and B (存货) of 财会〔2023〕11号 in their official rows and columns, the period's data-resource R&D spending,
// the book detail behind the closing figures (each book's asset with its name, as of `to`), and the identity checks,
// each on its own sheet with Chinese headers. Amounts are spreadsheet numbers with a 2-decimal format (`#,##0.00`;
// the token's decimals when they are not 2, raw minor units in a `0` format when unknown), so the cells add up in a
// spreadsheet; the figures are those of /csv/disclosure and /csv/balance-sheet (the same computation).
import type { Database } from "better-sqlite3";
import ExcelJS from "exceljs";
import type { BalanceSheet, Disclosure, DisclosureTable } from "./accounting";
import { prepared } from "./context";
import { formatUnits } from "./money";
import { computeBalanceSheet, computeDisclosure, tokenRow } from "./resolvers/accounting";

const CATEGORY_ZH: Record<string, string> = { Intangible: "无形资产", Inventory: "存货", Development: "开发支出" };
const sourceZh = (source: string, category: string) =>
  ({ Purchased: "外购", SelfDeveloped: category === "Inventory" ? "自行加工" : "自行开发", Other: "其他方式" })[source] ?? source;

interface Units {
  symbol: string;
  /** The amount as a spreadsheet number (whole tokens; minor units when the decimals are unknown). */
  num: (x: bigint) => number;
  numFmt: string;
}

function unitsOf(db: Database, currency: string): Units {
  const t = tokenRow(db, currency);
  if (t.decimals === null) return { symbol: t.symbol ?? currency, num: (x) => Number(x), numFmt: "#,##0" };
  const d = t.decimals;
  return {
    symbol: t.symbol ?? currency,
    num: (x) => Number(formatUnits(x, d)),
    numFmt: d === 0 ? "#,##0" : `#,##0.${"0".repeat(Math.min(d, 2))}${d > 2 ? "#".repeat(Math.min(d - 2, 28)) : ""}`,
  };
}

const BOLD = { bold: true } as const;
const HEAD_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE5E7EB" } };

function header(sheet: ExcelJS.Worksheet, values: string[]) {
  const row = sheet.addRow(values);
  row.font = BOLD;
  row.eachCell((c) => (c.fill = HEAD_FILL));
  return row;
}

/** One disclosure table per currency, stacked: a caption row, the column headings, the rows in the rules' order. */
function tableSheet(sheet: ExcelJS.Worksheet, entity: string, from: string, to: string, parts: { table: DisclosureTable; units: Units }[]) {
  sheet.columns = [{ width: 18 }, { width: 30 }, { width: 18 }, { width: 22 }, { width: 18 }, { width: 18 }];
  for (const { table, units } of parts) {
    const caption = sheet.addRow([`${table.title}　主体 ${entity}　期间 ${from} 至 ${to}　币种 ${units.symbol}`]);
    caption.font = { bold: true, size: 12 };
    header(sheet, ["项目", "行", table.columns.purchased, table.columns.selfDeveloped, table.columns.other, table.columns.total]);
    for (const r of table.rows) {
      const a = r.amounts;
      const row = sheet.addRow([r.section, r.label, units.num(a.purchased), units.num(a.selfDeveloped), units.num(a.other), units.num(a.total)]);
      for (let c = 3; c <= 6; c++) row.getCell(c).numFmt = units.numFmt;
    }
    sheet.addRow([]);
  }
}

/** The workbook as a Buffer, and its file name. Throws GraphQLError (bad input) as the CSV routes do. */
export async function disclosureXlsx(db: Database, entity: string, from: string, to: string): Promise<{ name: string; body: Buffer }> {
  const { entity: checksummed, tables } = computeDisclosure(db, entity, from, to);
  const { sheets } = computeBalanceSheet(db, entity, to);
  const disclosures = tables as Disclosure[];
  const units = new Map<string, Units>();
  const u = (currency: string) => units.get(currency) ?? (units.set(currency, unitsOf(db, currency)), units.get(currency)!);

  const wb = new ExcelJS.Workbook();
  wb.creator = "data-asset-ledger";
  wb.created = new Date(0); // the same bytes for the same figures
  wb.modified = new Date(0);
  const frozen = { views: [{ state: "frozen" as const, ySplit: 2 }] };
  tableSheet(wb.addWorksheet("表A 无形资产", frozen), checksummed, from, to, disclosures.map((d) => ({ table: d.intangible, units: u(d.currency) })));
  tableSheet(wb.addWorksheet("表B 存货", frozen), checksummed, from, to, disclosures.map((d) => ({ table: d.inventory, units: u(d.currency) })));

  const rd = wb.addWorksheet("研发支出", { views: [{ state: "frozen", ySplit: 1 }] });
  rd.columns = [{ width: 10 }, { width: 46 }, { width: 18 }];
  header(rd, ["币种", "数据资源研究开发支出（本期发生额）", "金额"]);
  for (const d of disclosures) {
    const { symbol, num, numFmt } = u(d.currency);
    for (const [key, label] of [
      ["expensed", "费用化支出（计入当期损益）"],
      ["capitalised", "资本化支出（开发支出，达到预定用途转入无形资产）"],
      ["total", "合计"],
    ] as const) {
      rd.addRow([symbol, label, num(d.researchAndDevelopment[key])]).getCell(3).numFmt = numFmt;
    }
  }

  const detail = wb.addWorksheet("账簿明细", { views: [{ state: "frozen", ySplit: 1 }] });
  detail.columns = [10, 12, 10, 10, 44, 12, 12, 16, 16, 20, 16].map((width) => ({ width }));
  header(detail, ["截止日", "币种", "账簿编号", "资产编号", "资产名称", "类别", "取得方式", "账面原值", "累计摊销", "减值准备（跌价准备）", "账面价值"]);
  const names = new Map(
    (prepared(db, "SELECT id, name FROM assets WHERE id IN (SELECT asset_id FROM books WHERE entity = ?)").all(checksummed) as { id: number; name: string }[]).map(
      (a) => [a.id, a.name],
    ),
  );
  for (const s of sheets as BalanceSheet[]) {
    const { symbol, num, numFmt } = u(s.currency);
    for (const r of s.rows) {
      const row = detail.addRow([to, symbol, r.bookId, r.assetId, names.get(r.assetId) ?? "", CATEGORY_ZH[r.category] ?? r.category, sourceZh(r.source, r.category),
        num(r.cost), num(r.amortisation), num(r.impairment), num(r.carrying)]);
      for (let c = 8; c <= 11; c++) row.getCell(c).numFmt = numFmt;
    }
    for (const [label, v] of [["存货 其中：数据资源", s.inventory], ["无形资产 其中：数据资源", s.intangible], ["开发支出 其中：数据资源", s.development]] as const) {
      const row = detail.addRow([to, symbol, "", "", label, "", "", null, null, null, num(v)]);
      row.font = BOLD;
      row.getCell(11).numFmt = numFmt;
    }
  }

  const checks = wb.addWorksheet("勾稽校验", { views: [{ state: "frozen", ySplit: 1 }] });
  checks.columns = [{ width: 10 }, { width: 90 }, { width: 18 }, { width: 18 }, { width: 8 }];
  header(checks, ["币种", "校验项", "应为", "实际", "结果"]);
  for (const d of disclosures) {
    const { symbol, num, numFmt } = u(d.currency);
    for (const c of d.checks) {
      const row = checks.addRow([symbol, c.name, num(c.expected), num(c.actual), c.ok ? "通过" : "不符"]);
      row.getCell(3).numFmt = numFmt;
      row.getCell(4).numFmt = numFmt;
    }
  }
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  return { name: `disclosure-${from}-${to}.xlsx`, body };
}
