// What the CLI prints: "label: value" facts (or one JSON object with --json), aligned tables for a terminal, and
// CSV for spreadsheets (RFC 4180, CRLF, UTF-8 with a BOM so spreadsheet programs read the Chinese labels right;
// the same form as the API's /csv routes).

const CST_OFFSET = 8 * 60 * 60;

/** Unix seconds as ISO 8601 in China Standard Time, the API's form: 2026-03-01T09:30:00+08:00. */
export function cstTime(seconds: number | bigint): string {
  return new Date((Number(seconds) + CST_OFFSET) * 1000).toISOString().replace(/\.\d{3}Z$/, "+08:00");
}

/** Terminal columns a string takes: CJK and full-width characters take two, so Chinese labels still line up. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

const pad = (s: string, width: number, right: boolean) => {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
};

/** A table with a header rule; columns named in `right` (amounts) are right-aligned so decimal points line up. */
export function table(headers: string[], rows: string[][], right: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c ?? "", widths[i], right.includes(i))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

const quote = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function csv(rows: (string | number)[][]): string {
  return "\ufeff" + rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";
}

/** A value in --json output. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

type Value = string | number | bigint | boolean | null | undefined;

/** A value typed for JSON: numbers and booleans as such, a bigint (ids, minor units, uint256) as its exact decimal
 * string, since JSON numbers lose precision beyond 2^53. */
const typed = (value: Exclude<Value, null | undefined>): Json => (typeof value === "bigint" ? value.toString() : value);

/**
 * The result of a command: ordered facts, printed as aligned "label: value" lines or as one JSON object. A fact has
 * a text for people and a typed JSON value for scripts (amounts as objects with the decimal and the raw integer,
 * times as ISO strings, counts as numbers, flags as booleans): "1234.50 eCNY" on a terminal is
 * { "amount": "1234.50", "raw": "123450", "token": "0x…", "symbol": "eCNY", "decimals": 2 } in JSON.
 */
export class Facts {
  private readonly items: { label: string; text?: string; key?: string; json?: Json }[] = [];

  /** A fact in both forms; `json` defaults to the value typed. Undefined or null values are left out. */
  add(label: string, value: Value, json?: Json): this {
    if (value === undefined || value === null) return this;
    this.items.push({ label, text: String(value), key: Facts.key(label), json: json === undefined ? typed(value) : json });
    return this;
  }

  /** A line for people only (its content is in the JSON under another shape, or is a restatement). */
  text(label: string, value: Value): this {
    if (value !== undefined && value !== null) this.items.push({ label, text: String(value) });
    return this;
  }

  /** A JSON field only (`key` as given); undefined is left out, null is kept. */
  json(key: string, value: Json | undefined): this {
    if (value !== undefined) this.items.push({ label: key, key, json: value });
    return this;
  }

  /** "asset id" -> "assetId" in JSON. */
  private static key(label: string): string {
    return label.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "");
  }

  render(json: boolean): string {
    if (json) {
      const fields = this.items.filter((i) => i.key !== undefined);
      return JSON.stringify(Object.fromEntries(fields.map((i) => [i.key!, i.json!])), null, 2) + "\n";
    }
    const lines = this.items.filter((i) => i.text !== undefined);
    const width = Math.max(0, ...lines.map((i) => i.label.length));
    return lines.map((i) => `${(i.label + ":").padEnd(width + 1)} ${i.text}`).join("\n") + "\n";
  }
}
