// The journal as an ERP voucher import (用友, 金蝶): one row per voucher line with the columns such imports expect,
// 凭证日期, 凭证字号, 摘要, 科目编码, 科目名称, 借方金额, 贷方金额, 辅助核算 (the asset's registration number), then the
// currency (币种: amounts are per token, never summed across tokens) and the evidence transaction (证据交易). Amounts
// are exact decimals in the token's units (raw minor units where its decimals are unknown), the other side left
// empty, negative on a red-ink voucher. CSV: RFC 4180, UTF-8 with BOM, CRLF. XLSX (exceljs): one sheet 凭证, every
// cell text, so amounts stay exact (a spreadsheet number is a binary float). Both are made once per computed journal
// (api/resolvers/journal.ts keeps it while the index does not change), so downloading one again costs nothing more.
import type { Database } from "better-sqlite3";
import ExcelJS from "exceljs";
import { PassThrough } from "node:stream";
import { JOURNAL_COLUMNS } from "./journal";
import { computeJournal, importRows, journalProduct, type JournalArgs } from "./resolvers/journal";

export { JOURNAL_COLUMNS };

/** The import rows of the journal of `args` (header first), and a file name for it. */
export function journalTable(db: Database, args: JournalArgs, mappingsDir?: string | null): { name: string; rows: string[][] } {
  const computed = computeJournal(db, args, mappingsDir);
  const { journal } = computed;
  return { name: `journal-${journal.from}-${journal.to}`, rows: [[...JOURNAL_COLUMNS], ...importRows(computed).rows] };
}

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The journal as CSV for an ERP voucher import (UTF-8 bytes). */
export function journalCsv(db: Database, args: JournalArgs, mappingsDir?: string | null): { name: string; body: Buffer } {
  const computed = computeJournal(db, args, mappingsDir);
  const { journal } = computed;
  const body = journalProduct(computed, "csv", () => {
    const { rows, first } = importRows(computed);
    // Dates, numbers, account codes, decimal amounts and transaction hashes never need quoting; the voucher's first
    // three cells are the same on each of its lines, and an account's name the same on each of its lines.
    const quoted = new Map<string, string>();
    const q = (s: string) => {
      let v = quoted.get(s);
      if (v === undefined) quoted.set(s, (v = quote(s)));
      return v;
    };
    const parts: string[] = ["\ufeff" + JOURNAL_COLUMNS.join(",") + "\r\n"];
    for (let i = 0; i + 1 < first.length; i++) {
      if (first[i] === first[i + 1]) continue;
      const head = rows[first[i]];
      const prefix = `${head[0]},${head[1]},${quote(head[2])},`;
      for (let k = first[i]; k < first[i + 1]; k++) {
        const r = rows[k];
        parts.push(`${prefix}${r[3]},${q(r[4])},${r[5]},${r[6]},${q(r[7])},${q(r[8])},${r[9]}\r\n`);
      }
    }
    return Buffer.from(parts.join(""), "utf8");
  });
  return { name: `journal-${journal.from}-${journal.to}.csv`, body };
}

/** The journal as an XLSX workbook (sheet 凭证) for an ERP voucher import. */
export async function journalXlsx(db: Database, args: JournalArgs, mappingsDir?: string | null): Promise<{ name: string; body: Buffer }> {
  const computed = computeJournal(db, args, mappingsDir);
  const { journal } = computed;
  const rows = importRows(computed).rows;
  // One workbook per computed journal, shared by the requests that ask for it meanwhile; a failure is not kept.
  const made = journalProduct(computed, "xlsx", () => {
    const p = workbook(rows);
    p.catch(() => computed.made.delete("product:xlsx"));
    return p;
  });
  return { name: `journal-${journal.from}-${journal.to}.xlsx`, body: await made };
}

async function workbook(rows: readonly string[][]): Promise<Buffer> {
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
  sheet.addRow([...JOURNAL_COLUMNS]).commit();
  for (const r of rows) sheet.addRow(r).commit();
  sheet.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}
