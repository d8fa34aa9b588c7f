// What the web app needs beyond the rest of the API: the registrars (exchanges) for the exchange pages, and the
// valuation's inputs as a typed tree (Indication.inputList) instead of JSON text, so every input shows with its kind:
// amounts as Amount (exact, in the indication's token), ratios with numerator, denominator and decimal, times in
// UTC+8, integers and text as given.
import type { Context, Row } from "../context";
import { iso } from "../inputs";
import { amount } from "../money";
import { ratioToDecimal } from "../valuation";
import type { TokenRow } from "../money";

export const webQueries = {
  registrars: (_: unknown, __: unknown, ctx: Context): Row[] => [...ctx.loaders.registrars().values()].sort((a, b) => (a.id as number) - (b.id as number)),
};

/** Keys whose bigint is an amount of money in minor units; other bigints (record counts) are integers. */
const AMOUNT_KEYS = new Set(["amount", "gross", "adjusted", "revenue", "sellerNet", "cashFlow", "presentValue", "value"]);
/** Keys whose number is a unix time. */
const TIME_KEYS = new Set(["attestedAt", "settledAt", "readyOn", "validUntil", "from", "to"]);

export interface ValuationInput {
  name: string;
  kind: "Amount" | "Ratio" | "Integer" | "Decimal" | "Text" | "Boolean" | "Time" | "Null" | "Object" | "List";
  value: string | null;
  amount: ReturnType<typeof amount> | null;
  ratio: { numerator: string; denominator: string; decimal: string } | null;
  components: ValuationInput[];
}

const isRatio = (x: object): x is { numerator: bigint; denominator: bigint } =>
  typeof (x as { numerator?: unknown }).numerator === "bigint" && typeof (x as { denominator?: unknown }).denominator === "bigint" && Object.keys(x).length === 2;

/** The typed tree of one value: `name` its key (or [i] in a list). */
export function valuationInput(name: string, x: unknown, token: TokenRow | null): ValuationInput {
  const node = (kind: ValuationInput["kind"], value: string | null, extra: Partial<ValuationInput> = {}): ValuationInput => ({
    name, kind, value, amount: null, ratio: null, components: [], ...extra,
  });
  if (x === null || x === undefined) return node("Null", null);
  if (typeof x === "bigint") {
    if (AMOUNT_KEYS.has(name) && token) return node("Amount", x.toString(), { amount: amount(x, token) });
    return node("Integer", x.toString());
  }
  if (typeof x === "number") {
    if (TIME_KEYS.has(name)) return node("Time", iso(x));
    return node(Number.isInteger(x) ? "Integer" : "Decimal", String(x));
  }
  if (typeof x === "boolean") return node("Boolean", String(x));
  if (typeof x === "string") return node(/^-?\d+(\.\d+)?$/.test(x) ? "Decimal" : "Text", x);
  if (Array.isArray(x)) return node("List", null, { components: x.map((v, i) => valuationInput(`[${i}]`, v, token)) });
  if (typeof x === "object") {
    if (isRatio(x)) {
      const r = x as { numerator: bigint; denominator: bigint };
      const decimal = ratioToDecimal(r);
      return node("Ratio", decimal, { ratio: { numerator: r.numerator.toString(), denominator: r.denominator.toString(), decimal } });
    }
    return node("Object", null, { components: Object.entries(x).map(([k, v]) => valuationInput(k, v, token)) });
  }
  return node("Text", String(x));
}

export const webTypes = {
  inputList: (i: { typed: Record<string, unknown> | null; token: TokenRow | null }): ValuationInput[] =>
    i.typed ? Object.entries(i.typed).map(([k, v]) => valuationInput(k, v, i.token)) : [],
};
