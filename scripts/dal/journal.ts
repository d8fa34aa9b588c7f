// `dal journal`: an entity's vouchers (会计分录) for a period, read from the API, with the trial balance as of the
// period's last day and whether it reconciles with the balance sheet. A terminal gets one aligned table (a voucher's
// number, date and summary on its first line); --csv prints the API's ERP import CSV as is; --xlsx <file> writes its
// XLSX; --json the API's answer with every amount in dal's JSON form. --mapping <file> sends an account mapping
// (JSON) with the request instead of the server's for the entity.
import { readFileSync, writeFileSync } from "node:fs";
import { Api } from "./api";
import { usage } from "./exit";
import { address, date } from "./parse";
import { table } from "./report";
import type { Session } from "./session";

interface Amount {
  raw: string;
  value: string | null;
}
interface Currency {
  address: string;
  symbol: string | null;
  decimals: number | null;
}
interface Voucher {
  number: string;
  date: string;
  kind: string;
  summary: string;
  currency: Currency;
  redInk: boolean;
  reverses: string | null;
  orderId: string | null;
  lines: {
    account: { code: string; name: string };
    role: string;
    debit: Amount;
    credit: Amount;
    assetId: string | null;
    registrationNumber: string | null;
    bookId: string | null;
    evidence: { txHash: string; blockNumber: number; logIndex: number } | null;
  }[];
}
interface Journal {
  entity: string;
  from: string;
  to: string;
  taxExclusive: boolean;
  note: string;
  vouchers: Voucher[];
  totals: { currency: Currency; vouchers: number; lines: number; debit: Amount; credit: Amount }[];
}
interface TrialBalance {
  currency: Currency;
  checks: { name: string; expected: string; actual: string; ok: boolean }[];
  checksPass: boolean;
}

const AMOUNT = "{ raw value }";
const CURRENCY = "{ address symbol decimals }";

const show = (a: Amount) => a.value ?? `${a.raw} (minor units)`;
const currencyName = (c: Currency) => `${c.symbol ?? "?"} (${c.address})`;

/** Each amount { raw, value } in dal's JSON form: { amount, raw, token, symbol, decimals }, with its voucher's currency. */
function typed(v: unknown, c: Currency | null): unknown {
  if (Array.isArray(v)) return v.map((x) => typed(x, c));
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const currency = (o.currency as Currency | undefined) ?? c;
  if (currency && Object.keys(o).length === 2 && typeof o.raw === "string" && "value" in o) {
    return { amount: o.value, raw: o.raw, token: currency.address, symbol: currency.symbol, decimals: currency.decimals };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, typed(x, currency)]));
}

function mappingOf(file: string | undefined): string | null {
  if (file === undefined) return null;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw usage(`--mapping: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw usage(`--mapping: ${file} is not JSON (${(err as Error).message})`);
  }
  return text;
}

export async function journal(
  session: Session,
  o: { entity: string; from: string; to: string; csv?: boolean; xlsx?: string; mapping?: string },
): Promise<void> {
  const entity = address("--entity", o.entity);
  const from = date("--from", o.from);
  const to = date("--to", o.to);
  if (o.csv && o.xlsx) throw usage("--csv and --xlsx: choose one");
  const mapping = mappingOf(o.mapping);
  const api = new Api(session.settings.apiUrl);
  const params = { entity, from, to, ...(mapping === null ? {} : { mapping }) };
  if (o.csv) return session.print(await api.csv("/csv/journal", params));
  if (o.xlsx) {
    const bytes = await api.bytes("/xlsx/journal", params);
    writeFileSync(o.xlsx, bytes);
    return session.print(
      session.json ? JSON.stringify({ file: o.xlsx, bytes: bytes.length }, null, 2) + "\n" : `wrote ${o.xlsx} (${bytes.length} bytes, sheet 凭证)\n`,
    );
  }
  const data = await api.query<{ journal: Journal; trialBalance: TrialBalance[] }>(
    `query ($entity: String!, $from: String!, $to: String!, $mapping: String) {
      journal(entity: $entity, from: $from, to: $to, mapping: $mapping) { entity from to taxExclusive note
        vouchers { number date kind summary currency ${CURRENCY} redInk reverses orderId
          lines { account { code name } role debit ${AMOUNT} credit ${AMOUNT} assetId registrationNumber bookId evidence { txHash blockNumber logIndex } } }
        totals { currency ${CURRENCY} vouchers lines debit ${AMOUNT} credit ${AMOUNT} } }
      trialBalance(entity: $entity, asOf: $to, mapping: $mapping) { currency ${CURRENCY} checks { name expected actual ok } checksPass } }`,
    { entity, from, to, mapping },
  );
  const j = data.journal;
  if (session.json) {
    return session.print(JSON.stringify({ journal: typed(j, null), trialBalance: typed(data.trialBalance, null) }, null, 2) + "\n");
  }
  if (j.vouchers.length === 0) return session.print(`No vouchers for ${entity} from ${from} to ${to}.\n`);
  const several = j.totals.length > 1;
  const rows: string[][] = [];
  for (const v of j.vouchers) {
    v.lines.forEach((l, i) => {
      rows.push([
        i === 0 ? v.number : "",
        i === 0 ? v.date : "",
        i === 0 ? v.summary : "",
        l.account.code,
        l.account.name,
        l.debit.raw === "0" ? "" : show(l.debit),
        l.credit.raw === "0" ? "" : show(l.credit),
        ...(several ? [v.currency.symbol ?? v.currency.address] : []),
        l.registrationNumber ?? "",
      ]);
    });
  }
  const headers = ["凭证字号", "凭证日期", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", ...(several ? ["币种"] : []), "辅助核算"];
  const out = [
    `Journal (会计分录) of ${j.entity}, ${from} to ${to} (UTC+8): ${j.vouchers.length} vouchers`,
    j.note,
    "",
    table(headers, rows, [5, 6]),
  ];
  for (const t of j.totals) {
    out.push(`Totals in ${currencyName(t.currency)}: ${t.vouchers} vouchers, ${t.lines} lines, debits ${show(t.debit)} = credits ${show(t.credit)}`);
  }
  for (const tb of data.trialBalance) {
    const failed = tb.checks.filter((c) => !c.ok);
    out.push(
      tb.checksPass
        ? `Trial balance as of ${to} in ${currencyName(tb.currency)}: all ${tb.checks.length} checks hold (every voucher balances; 1701 - 1702 - 1703, inventory and 开发支出 reconcile with the balance sheet).`
        : `Trial balance as of ${to} in ${currencyName(tb.currency)}: ${failed.length} of ${tb.checks.length} checks FAIL:\n` +
            failed.map((c) => `  ${c.name}: expected ${c.expected}, actual ${c.actual} (minor units)`).join("\n"),
    );
  }
  session.print(out.join("\n") + "\n");
}
