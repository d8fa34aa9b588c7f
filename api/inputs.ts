// Parsing of user input: every malformed argument becomes a GraphQLError with code BAD_USER_INPUT and a message
// that names the argument and shows the expected form. Nothing malformed reaches SQL.
import { GraphQLError } from "graphql";
import { getAddress, isAddress } from "ethers";
import { CST_OFFSET, endOfDay as dayEnd } from "./accounting";

export const MAX_PAGE = 100;

export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** An address, answered checksummed. A mixed-case one must carry its EIP-55 checksum (as `dal` requires). */
export function address(arg: string, value: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value) || !isAddress(value.toLowerCase())) {
    throw badInput(`${arg}: "${value}" is not an address (0x followed by 40 hex digits)`);
  }
  const checksummed = getAddress(value.toLowerCase());
  if (/[a-f]/.test(value.slice(2)) && /[A-F]/.test(value.slice(2)) && value !== checksummed) {
    throw badInput(`${arg}: "${value}" has a wrong EIP-55 checksum (mixed case must match it, e.g. ${checksummed}; all lowercase is not checked)`);
  }
  return checksummed;
}

/** A lowercase 32-byte hash. */
export function hash32(arg: string, value: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw badInput(`${arg}: "${value}" is not a 32-byte hash (0x followed by 64 hex digits)`);
  }
  return value.toLowerCase();
}

/** The largest id the API serves: ids count up from 1, and the index keeps them as exact JavaScript numbers. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** A positive integer id (assets, orders, certificates...), at most MAX_ID. */
export function id(arg: string, value: string | number): number {
  const s = String(value);
  if (!/^[1-9][0-9]*$/.test(s)) throw badInput(`${arg}: "${s}" is not an id (a positive integer)`);
  if (s.length > 16 || !Number.isSafeInteger(Number(s))) {
    throw badInput(`${arg}: ${s} is over the largest id served, ${MAX_ID} (2^53 - 1); ids count up from 1, so none is that large yet`);
  }
  return Number(s);
}

/**
 * One of the contracts' enum `names` ("ProcessingUse"), also as `dal` spells it ("processing-use"), in any case, with
 * `-`, `_` or spaces between words. Anything else is refused, listing the names.
 */
export function enumName<T extends string>(arg: string, value: string, names: readonly T[]): T {
  const plain = (x: string) => x.replace(/[-_\s]/g, "").toLowerCase();
  const found = names.find((n) => plain(n) === plain(String(value)));
  if (found === undefined) {
    const kebab = names.map((n) => n.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase());
    throw badInput(`${arg}: "${value}" is not one of ${names.join(", ")} (or ${kebab.join(", ")})`);
  }
  return found;
}

/** Page size: 1..MAX_PAGE. */
export function pageSize(value: number | null | undefined, fallback = 20): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badInput(`first: must be between 1 and ${MAX_PAGE}, got ${n}`);
  return n;
}

/** A calendar date YYYY-MM-DD, checked to exist; returns unix seconds of the end of that day in UTC+8. */
export function endOfDay(arg: string, value: string): number {
  try {
    return dayEnd(value);
  } catch (err) {
    throw badInput(`${arg}: ${(err as Error).message}`);
  }
}

/** A point in time: ISO 8601 date-time with offset, a date (end of that day, UTC+8), or unix seconds. */
export function instant(arg: string, value: string): number {
  if (/^\d{1,12}$/.test(value ?? "")) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value ?? "")) return endOfDay(arg, value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value ?? "")) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw badInput(`${arg}: "${value}" is not a time (ISO 8601 with offset such as 2026-03-01T09:30:00+08:00, a date YYYY-MM-DD, or unix seconds)`);
}

/** Unix seconds as ISO 8601 in China Standard Time. */
export function iso(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined) return null;
  return new Date((seconds + CST_OFFSET) * 1000).toISOString().slice(0, -5) + "+08:00"; // drops ".sssZ"
}
