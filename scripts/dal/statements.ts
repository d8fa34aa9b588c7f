// Accountants' reports, read from the API: the balance-sheet lines of an entity's data resources as of a date and
// disclosure tables A and B with the period's data-resource R&D spending (expensed / capitalised) for a period. A terminal gets aligned tables; --csv prints the API's CSV export as is
// (for spreadsheets); --json the API's answer with every amount in dal's JSON form (see withTypedAmounts).
import { Api } from "./api";
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

/** The exact decimal, or the raw minor units when the token's decimals are unknown to the index. */
const show = (a: Amount) => a.value ?? `${a.raw} (minor units)`;
const currencyName = (c: Currency) => `${c.symbol ?? "?"} (${c.address})`;

interface BalanceSheet {
  entity: string;
  asOf: string;
  currency: Currency;
  inventory: Amount;
  intangible: Amount;
  development: Amount;
  rows: {
    bookId: string;
    asset: { id: string; name: string };
    category: string;
    source: string;
    cost: Amount;
    accumulatedAmortisation: Amount;
    impairment: Amount;
    carryingAmount: Amount;
  }[];
}

const AMOUNT = "{ raw value }";

/** The API's answer with each amount { raw, value } in the form every dal --json output gives amounts:
 * { amount: "1234.50", raw: "123450", token, symbol, decimals } (amount null when the token's decimals are unknown). */
function withTypedAmounts<T extends { currency: Currency }>(statements: T[]): unknown[] {
  const walk = (v: unknown, c: Currency): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, c));
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 2 && typeof o.raw === "string" && "value" in o) {
      return { amount: o.value, raw: o.raw, token: c.address, symbol: c.symbol, decimals: c.decimals };
    }
    return Object.fromEntries(keys.map((k) => [k, walk(o[k], c)]));
  };
  return statements.map((s) => walk(s, s.currency));
}

export async function balanceSheet(session: Session, o: { entity: string; asOf: string; csv?: boolean }): Promise<void> {
  const entity = address("--entity", o.entity);
  const asOf = date("--as-of", o.asOf);
  const api = new Api(session.settings.apiUrl);
  if (o.csv) return session.print(await api.csv("/csv/balance-sheet", { entity, asOf }));
  const data = await api.query<{ balanceSheet: BalanceSheet[] }>(
    `query ($entity: String!, $asOf: String!) { balanceSheet(entity: $entity, asOf: $asOf) {
      entity asOf currency { address symbol decimals } inventory ${AMOUNT} intangible ${AMOUNT} development ${AMOUNT}
      rows { bookId asset { id name } category source cost ${AMOUNT} accumulatedAmortisation ${AMOUNT} impairment ${AMOUNT} carryingAmount ${AMOUNT} } } }`,
    { entity, asOf },
  );
  if (session.json) return session.print(JSON.stringify({ balanceSheet: withTypedAmounts(data.balanceSheet) }, null, 2) + "\n");
  if (data.balanceSheet.length === 0) return session.print(`No data resources on the books of ${entity} as of ${asOf}.\n`);
  const parts: string[] = [];
  for (const s of data.balanceSheet) {
    parts.push(
      `Balance sheet of ${s.entity} as of ${asOf} (end of day, UTC+8), in ${currencyName(s.currency)}\n\n` +
        table(
          ["Line", "Amount"],
          [
            ["存货 其中：数据资源 (inventory)", show(s.inventory)],
            ["无形资产 其中：数据资源 (intangible assets)", show(s.intangible)],
            ["开发支出 其中：数据资源 (development expenditure)", show(s.development)],
          ],
          [1],
        ) +
        "\n" +
        table(
          ["Book", "Asset", "Name", "Category", "Source", "Cost", "Accumulated amortisation", "Impairment", "Carrying amount"],
          s.rows.map((r) => [
            r.bookId,
            r.asset.id,
            r.asset.name,
            r.category,
            r.source,
            show(r.cost),
            show(r.accumulatedAmortisation),
            show(r.impairment),
            show(r.carryingAmount),
          ]),
          [0, 1, 5, 6, 7, 8],
        ),
    );
  }
  session.print(parts.join("\n"));
}

interface DisclosureTable {
  title: string;
  columns: { purchased: string; selfDeveloped: string; other: string; total: string };
  rows: { key: string; section: string; label: string; purchased: Amount; selfDeveloped: Amount; other: Amount; total: Amount }[];
}
interface Disclosure {
  entity: string;
  from: string;
  to: string;
  currency: Currency;
  intangible: DisclosureTable;
  inventory: DisclosureTable;
  researchAndDevelopment: { expensed: Amount; capitalised: Amount; total: Amount };
  checks: { name: string; expected: string; actual: string; ok: boolean }[];
  checksPass: boolean;
}

function disclosureTable(t: DisclosureTable): string {
  let section = "";
  const rows = t.rows.map((r) => {
    // Each section heading once, as the tables of the rules print it.
    const heading = r.section === section ? "" : r.section;
    section = r.section;
    return [heading, r.label, show(r.purchased), show(r.selfDeveloped), show(r.other), show(r.total)];
  });
  return `${t.title}\n\n` + table(["", "", t.columns.purchased, t.columns.selfDeveloped, t.columns.other, t.columns.total], rows, [2, 3, 4, 5]);
}

/** The period's R&D spending, expensed and capitalised (财会〔2023〕11号), as the rules ask it disclosed. */
function researchAndDevelopment(rd: Disclosure["researchAndDevelopment"]): string {
  return (
    "数据资源研究开发支出 (data-resource R&D spending in the period)\n\n" +
    table(
      ["", "Amount"],
      [
        ["费用化支出（计入当期损益） (expensed: research)", show(rd.expensed)],
        ["资本化支出（开发支出） (capitalised: development)", show(rd.capitalised)],
        ["合计 (total)", show(rd.total)],
      ],
      [1],
    )
  );
}

export async function disclosure(session: Session, o: { entity: string; from: string; to: string; csv?: boolean }): Promise<void> {
  const entity = address("--entity", o.entity);
  const from = date("--from", o.from);
  const to = date("--to", o.to);
  const api = new Api(session.settings.apiUrl);
  if (o.csv) return session.print(await api.csv("/csv/disclosure", { entity, from, to }));
  const rows = `{ title columns { purchased selfDeveloped other total }
    rows { key section label purchased ${AMOUNT} selfDeveloped ${AMOUNT} other ${AMOUNT} total ${AMOUNT} } }`;
  const data = await api.query<{ disclosure: Disclosure[] }>(
    `query ($entity: String!, $from: String!, $to: String!) { disclosure(entity: $entity, from: $from, to: $to) {
      entity from to currency { address symbol decimals } intangible ${rows} inventory ${rows}
      researchAndDevelopment { expensed ${AMOUNT} capitalised ${AMOUNT} total ${AMOUNT} }
      checks { name expected actual ok } checksPass } }`,
    { entity, from, to },
  );
  if (session.json) return session.print(JSON.stringify({ disclosure: withTypedAmounts(data.disclosure) }, null, 2) + "\n");
  if (data.disclosure.length === 0) return session.print(`No data resources on the books of ${entity} from ${from} to ${to}.\n`);
  const parts = data.disclosure.map((d) => {
    const failed = d.checks.filter((c) => !c.ok);
    const checks = d.checksPass
      ? `All ${d.checks.length} checks hold (closing = opening + additions - decreases, carrying amounts, 其中 within parents, totals).\n`
      : `${failed.length} of ${d.checks.length} checks FAIL:\n` + failed.map((c) => `  ${c.name}: expected ${c.expected}, actual ${c.actual} (minor units)`).join("\n") + "\n";
    return (
      `Disclosure of ${d.entity}, ${from} to ${to} (UTC+8), in ${currencyName(d.currency)}\n\n` +
      disclosureTable(d.intangible) +
      "\n" +
      disclosureTable(d.inventory) +
      "\n" +
      researchAndDevelopment(d.researchAndDevelopment) +
      "\n" +
      checks
    );
  });
  session.print(parts.join("\n"));
}

