// Exact amounts: integers in minor units, shown as decimal strings with the token's decimals. No floats.

export interface TokenRow {
  address: string;
  allowed: number;
  decimals: number | null;
  symbol: string | null;
}

/** `raw` minor units as a decimal string with `decimals` places (e.g. 123450, 2 -> "1234.50"). */
export function formatUnits(raw: string | bigint, decimals: number): string {
  return pointed(BigInt(raw).toString(), decimals);
}

/** `text`, an integer's decimal string as BigInt gives it, with `decimals` places. */
function pointed(text: string, decimals: number): string {
  const negative = text[0] === "-";
  const digits = (negative ? text.slice(1) : text).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const frac = decimals > 0 ? "." + digits.slice(digits.length - decimals) : "";
  return (negative ? "-" : "") + whole + frac;
}

export interface Amount {
  raw: string;
  value: string | null;
  token: TokenRow;
}

export function amount(raw: string | bigint, token: TokenRow): Amount {
  const text = (typeof raw === "bigint" ? raw : BigInt(raw)).toString(); // once: a balance sheet makes 5,000 amounts
  return { raw: text, value: token.decimals === null ? null : pointed(text, token.decimals), token };
}

/** A token the index has no metadata for (e.g. a ledger currency never allowed on the exchange). */
export const unknownToken = (address: string): TokenRow => ({ address, allowed: 0, decimals: null, symbol: null });
