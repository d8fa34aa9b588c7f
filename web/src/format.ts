// Display only: the API's figures are exact decimal strings; separators and short forms are added on screen, never
// by converting to floating point.

/** "1234567.50" -> "1,234,567.50" (sign and decimals kept as given). */
export function groupDigits(decimal: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (!m) return decimal;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] ?? "");
}

export interface Amount {
  raw: string;
  value: string | null;
  token: { symbol: string | null; address: string; decimals?: number | null };
}

export function money(a: Amount | null | undefined): string {
  if (!a) return "—";
  return `${groupDigits(a.value ?? a.raw)} ${a.token.symbol ?? (a.value ? "" : "(raw)")}`.trim();
}

/** An API time (ISO 8601 with +08:00) as "YYYY-MM-DD HH:MM" in UTC+8. */
export function cstTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t + 8 * 3600_000).toISOString().slice(0, seconds ? 19 : 16).replace("T", " ");
}

export function cstDate(iso: string | null | undefined): string {
  return iso ? cstTime(iso).slice(0, 10) : "—";
}

export const shortHex = (h: string | null | undefined, keep = 6) => (!h ? "—" : h.length <= 2 + keep * 2 ? h : `${h.slice(0, 2 + keep)}…${h.slice(-4)}`);

/** Basis points as a percentage, exactly: 2500 -> "25%", 1234 -> "12.34%". */
export function bpsPercent(bps: number): string {
  const whole = Math.floor(bps / 100);
  const frac = String(bps % 100).padStart(2, "0").replace(/0+$/, "");
  return `${whole}${frac ? "." + frac : ""}%`;
}

/** Minor units as an exact decimal string with `decimals` places: (123456n, 2) -> "1234.56". */
export function unitsToDecimal(raw: bigint, decimals: number | null | undefined): string {
  if (decimals === null || decimals === undefined || decimals === 0) return raw.toString();
  const neg = raw < 0n;
  const digits = (neg ? -raw : raw).toString().padStart(decimals + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** Demo names read "English (中文)": the picture shows the part in the page's language. */
export function shortName(name: string, lang: "zh" | "en"): string {
  const m = /^(.*?)\s*[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$/.exec(name);
  if (!m) return name;
  return lang === "zh" ? m[2] : m[1];
}
