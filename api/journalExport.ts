// The journal as an ERP voucher import (用友, 金蝶): one row per voucher line with the columns such imports expect,
// 凭证日期, 凭证字号, 摘要, 科目编码, 科目名称, 借方金额, 贷方金额, 辅助核算 (the asset's registration number), then the
// currency (币种: amounts are per token, never summed across tokens) and the evidence transaction (证据交易). Amounts
// are exact decimals in the token's units (raw minor units where its decimals are unknown), the other side left
// empty, negative on a red-ink voucher. CSV: RFC 4180, UTF-8 with BOM, CRLF. XLSX (exceljs): one sheet 凭证, every
// cell text, so amounts stay exact (a spreadsheet number is a binary float).
import type { Database } from "better-sqlite3";
import ExcelJS from "exceljs";
import { PassThrough } from "node:stream";
import { formatUnits } from "./money";
import { computeJournal, type JournalArgs } from "./resolvers/journal";
import { tokenRow } from "./resolvers/accounting";

export const JOURNAL_COLUMNS = ["凭证日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "辅助核算", "币种", "证据交易"] as const;

/** The import rows of the journal of `args` (header first), and a file name for it. */
export function journalTable(db: Database, args: JournalArgs, mappingsDir?: string | null): { name: string; rows: string[][] } {
  const { journal } = computeJournal(db, args, mappingsDir);
  const units = new Map<string, { symbol: string; fmt: (v: bigint) => string }>();
  const unitsOf = (currency: string) => {
    let u = units.get(currency);
    if (!u) {
      const t = tokenRow(db, currency);
      units.set(currency, (u = { symbol: t.symbol ?? currency, fmt: (v) => (t.decimals === null ? v.toString() : formatUnits(v, t.decimals)) }));
    }
    return u;
  };
  const rows: string[][] = [[...JOURNAL_COLUMNS]];
  for (const v of journal.vouchers) {
    const { symbol, fmt } = unitsOf(v.currency);
    for (const l of v.lines) {
      rows.push([
        v.date,
        v.number,
        v.summary,
        l.account.code,
        l.account.name,
        l.debit === 0n ? "" : fmt(l.debit),
        l.credit === 0n ? "" : fmt(l.credit),
        l.registrationNumber ?? (l.assetId === null ? "" : `资产 ${l.assetId}`),
        symbol,
        l.evidence?.txHash ?? "",
      ]);
    }
  }
  return { name: `journal-${journal.from}-${journal.to}`, rows };
}

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The journal as CSV for an ERP voucher import. */
export function journalCsv(db: Database, args: JournalArgs, mappingsDir?: string | null): { name: string; body: string } {
  const { name, rows } = journalTable(db, args, mappingsDir);
  return { name: `${name}.csv`, body: "\ufeff" + rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n" };
}

/** The journal as an XLSX workbook (sheet 凭证) for an ERP voucher import. */
export async function journalXlsx(db: Database, args: JournalArgs, mappingsDir?: string | null): Promise<{ name: string; body: Buffer }> {
  const { name, rows } = journalTable(db, args, mappingsDir);
  // The streaming writer: a year of a thousand books' vouchers is ~25,000 rows; the in-memory workbook takes twice
  // as long to write them.
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  workbook.creator = "data-asset-ledger";
  const sheet = workbook.addWorksheet("凭证", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = JOURNAL_COLUMNS.map((header, i) => ({ key: String(i), width: [12, 16, 48, 10, 28, 16, 16, 20, 8, 68][i] }));
  for (const r of rows) sheet.addRow(r).commit();
  sheet.commit();
  await workbook.commit();
  await done;
  return { name: `${name}.xlsx`, body: Buffer.concat(chunks) };
}
