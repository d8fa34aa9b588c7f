// Strict parsing of what a user types: every malformed value is a usage error (exit 2) naming the flag and the
// expected form, raised before anything touches the network. Amounts never pass through floating point.
import { getAddress, isAddress } from "ethers";
import { CST_OFFSET, parseDate } from "../../api/accounting";
import { usage } from "./exit";

/** A non-negative decimal as typed ("1234.50"); converted to minor units once the token's decimals are known. */
export interface Decimal {
  flag: string;
  text: string;
  whole: string;
  fraction: string;
}

/** Digits with an optional fraction: no sign, exponent, grouping separators or spaces, so nothing is guessed. */
export function decimal(flag: string, text: string): Decimal {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text ?? "");
  if (!m) throw usage(`${flag}: "${text}" is not an amount (digits with an optional decimal point, e.g. 1234.50)`);
  return { flag, text, whole: m[1], fraction: m[2] ?? "" };
}

/** Exact minor units: "1234.5" with 2 decimals is 123450n. More fractional digits than the token has is an error,
 * not a rounding (trailing zeros excepted). */
export function toUnits(d: Decimal, decimals: number, max: bigint = 2n ** 256n - 1n): bigint {
  const fraction = d.fraction.replace(/0+$/, "");
  if (fraction.length > decimals) {
    throw usage(`${d.flag}: ${d.text} has more decimal places than the token's ${decimals}`);
  }
  const units = BigInt(d.whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (units > max) throw usage(`${d.flag}: ${d.text} is too large`);
  return units;
}

/** An integer in [min, max] (ids, counts, months, bps). */
export function integer(flag: string, text: string, min = 0n, max = 2n ** 256n - 1n): bigint {
  if (!/^\d+$/.test(text ?? "")) throw usage(`${flag}: "${text}" is not a whole number`);
  const n = BigInt(text);
  if (n < min || n > max) throw usage(`${flag}: ${text} is out of range (${min} to ${max})`);
  return n;
}

/** A positive id (asset, listing, order, certificate, book, attestation). */
export const id = (flag: string, text: string) => integer(flag, text, 1n, 2n ** 64n - 1n);

/** A small integer as a JS number (enums, windows, months, bps). */
export const small = (flag: string, text: string, min: number, max: number) => Number(integer(flag, text, BigInt(min), BigInt(max)));

/** A bit mask: decimal, 0x hex or 0b binary, fitting uint32. */
export function mask(flag: string, text: string): number {
  if (!/^(\d+|0x[0-9a-fA-F]+|0b[01]+)$/.test(text ?? "")) throw usage(`${flag}: "${text}" is not a mask (e.g. 5, 0x5 or 0b101)`);
  const n = BigInt(text);
  if (n > 0xffffffffn) throw usage(`${flag}: ${text} does not fit 32 bits`);
  return Number(n);
}

/** A checksummed address; a mixed-case address must carry a valid EIP-55 checksum. */
export function address(flag: string, text: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text ?? "") || !isAddress(text)) {
    throw usage(`${flag}: "${text}" is not an address (0x followed by 40 hex digits, with a valid checksum if mixed-case)`);
  }
  return getAddress(text);
}

export const isHash = (text: string) => /^0x[0-9a-fA-F]{64}$/.test(text ?? "");

/** Unix time of 00:00 UTC+8 on a calendar day YYYY-MM-DD (how the ledger dates accounting entries). */
export function dayStart(flag: string, text: string): number {
  try {
    const d = parseDate(text);
    return Date.UTC(d.year, d.month - 1, d.day) / 1000 - CST_OFFSET;
  } catch (err) {
    throw usage(`${flag}: ${(err as Error).message}`);
  }
}

/** Unix time of 23:59:59 UTC+8 on a calendar day: a term "until 2027-12-31" includes that whole day. */
export const dayEnd = (flag: string, text: string) => dayStart(flag, text) + 86_400 - 1;

/** Unix time of a moment typed as YYYY-MM-DD (00:00) or YYYY-MM-DDTHH:MM, in UTC+8 (a legal registration's time). */
export function dateTime(flag: string, text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text ?? "");
  if (!m) throw usage(`${flag}: "${text}" is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC+8)`);
  const [hours, minutes] = [Number(m[2] ?? 0), Number(m[3] ?? 0)];
  if (hours > 23 || minutes > 59) throw usage(`${flag}: "${text}" is not a time of day`);
  return dayStart(flag, m[1]) + hours * 3_600 + minutes * 60;
}

/** A date YYYY-MM-DD checked to exist, passed on as text (the API takes dates as such). */
export function date(flag: string, text: string): string {
  dayStart(flag, text);
  return text;
}

/** A duration: 7d, 36h or 90m, in seconds. */
export function duration(flag: string, text: string): number {
  const m = /^(\d+)([dhm])$/.exec(text ?? "");
  if (!m) throw usage(`${flag}: "${text}" is not a duration (e.g. 7d, 36h, 90m)`);
  return Number(m[1]) * { d: 86_400, h: 3_600, m: 60 }[m[2] as "d" | "h" | "m"];
}

/** `--parent 12:3000`: a source asset and its share of this asset's net revenue in basis points. */
export function parent(text: string): { id: bigint; bps: number } {
  const m = /^(\d+):(\d+)$/.exec(text ?? "");
  if (!m) throw usage(`--parent: "${text}" is not <asset id>:<share in bps>, e.g. 12:3000 for 30%`);
  return { id: id("--parent", m[1]), bps: small("--parent share", m[2], 1, 10_000) };
}

/** Six quality scores 0-100: accuracy, consistency, completeness, conformity, timeliness, accessibility. */
export function scores(flag: string, text: string): number[] {
  const parts = (text ?? "").split(",");
  if (parts.length !== 6) throw usage(`${flag}: "${text}" must be six comma-separated scores 0-100 (accuracy,consistency,completeness,conformity,timeliness,accessibility)`);
  return parts.map((p) => small(flag, p.trim(), 0, 100));
}

/** "ProcessingUse" -> "processing-use": how enum names of the contracts are typed on the command line. */
export const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

/** The ordinal of a kebab-case choice among a contract enum's names (commander has checked it is one). */
export function ordinal(names: readonly string[], flag: string, text: string): number {
  const i = names.map(kebab).indexOf(text);
  if (i < 0) throw usage(`${flag}: "${text}" is not one of ${names.map(kebab).join(", ")}`);
  return i;
}
